//! Closed sets of values with a stable code (snake_case English, used in the database and the
//! JSON API) and a pt-BR label (used in the UI).

use std::fmt;
use std::str::FromStr;

/// A code that names no member of the set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Valor desconhecido: {0}.")]
pub struct UnknownCode(pub String);

/// Declares an enum with `code()`, `label()`, `ALL`, `FromStr` by code and serde by code.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Stable code, as stored and as sent in the JSON API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// pt-BR label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($code => Ok($name::$variant),)+ other => Err(UnknownCode(other.to_owned())) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

coded_enum!(
    /// What a user may do; a user holds one or more (SPEC §3).
    Role {
        Manager = "manager", "Gestor";
        ItDirector = "it_director", "Dirigente de TI";
        TechnicalLead = "technical_lead", "Responsável Técnico";
        ProviderAnalyst = "provider_analyst", "Analista do cedente";
        ProgramAdmin = "program_admin", "Equipe Conecta";
    }
);

coded_enum!(
    /// Tipo de solicitação.
    RequestType {
        Adhesion = "adhesion", "Adesão";
        VolumeChange = "volume_change", "Alteração de Volumetria";
    }
);

coded_enum!(
    /// Situação of a request (SPEC §4).
    RequestStatus {
        Draft = "draft", "Em elaboração";
        AwaitingSignatures = "awaiting_signatures", "Aguardando assinatura";
        ProviderReview = "provider_review", "Em análise pelo cedente dos dados";
        Refused = "refused", "Recusada pelo cedente";
        Approved = "approved", "Aprovada pelo cedente — em liberação pela equipe Conecta";
        Granted = "granted", "Deferida";
        Cancelled = "cancelled", "Cancelada";
    }
);

coded_enum!(
    /// Kind of an attachment (Anexo).
    AttachmentKind {
        Form = "form", "Formulário";
        OfficialLetter = "official_letter", "Ofício";
        Other = "other", "Outro";
    }
);

coded_enum!(
    /// Hipótese de tratamento de dados pessoais (LGPD art. 7º or 11), purpose section 1.
    LegalBasis {
        PublicPolicy = "public_policy", "Execução de Políticas Públicas";
        LegalObligation = "legal_obligation", "Cumprimento de obrigação legal ou regulatória pelo controlador";
        Other = "other", "Outro";
    }
);

impl RequestStatus {
    /// Whether some move of the lifecycle ([`crate::access::MOVES`]) goes from `self` to
    /// `next`. Who may make it is decided elsewhere.
    pub fn can_move_to(self, next: RequestStatus) -> bool {
        crate::access::MOVES
            .iter()
            .any(|(_, from, to)| *from == self && *to == next)
    }

    /// No move leaves a final state.
    pub fn is_final(self) -> bool {
        RequestStatus::ALL
            .iter()
            .all(|next| !self.can_move_to(*next))
    }

    /// The requester may still change the content (Alterar).
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            RequestStatus::Draft | RequestStatus::AwaitingSignatures
        )
    }

    /// Attachments may be added or removed: only in a draft, so that nothing changes under
    /// the signers once the request is released (Alterar brings it back to draft first).
    pub fn attachments_editable(self) -> bool {
        self == RequestStatus::Draft
    }

    /// Awaiting signatures, in provider review or approved: a request in one of these holds its
    /// requester's only place for that API and type (SPEC §4; the database's
    /// `requests_one_in_pipeline` index lists the same three).
    pub fn in_pipeline(self) -> bool {
        matches!(
            self,
            RequestStatus::AwaitingSignatures
                | RequestStatus::ProviderReview
                | RequestStatus::Approved
        )
    }

    /// From this state on the provider organization sees the request (SPEC §3).
    pub fn visible_to_provider(self) -> bool {
        !matches!(
            self,
            RequestStatus::Draft | RequestStatus::AwaitingSignatures | RequestStatus::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_pt_br() {
        for s in RequestStatus::ALL {
            assert_eq!(s.code().parse::<RequestStatus>().unwrap(), *s);
        }
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>().unwrap(), *r);
        }
        assert_eq!(RequestStatus::Granted.label(), "Deferida");
        assert_eq!(RequestType::VolumeChange.label(), "Alteração de Volumetria");
        assert_eq!(AttachmentKind::OfficialLetter.label(), "Ofício");
        assert!("granted ".parse::<RequestStatus>().is_err());
    }

    #[test]
    fn serde_uses_the_codes() {
        for s in RequestStatus::ALL {
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
        for k in AttachmentKind::ALL {
            assert_eq!(
                serde_json::to_string(k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
        let role: Role = serde_json::from_str("\"program_admin\"").unwrap();
        assert_eq!(role, Role::ProgramAdmin);
    }

    #[test]
    fn final_states_are_the_ones_of_the_spec() {
        let finals: Vec<_> = RequestStatus::ALL
            .iter()
            .filter(|s| s.is_final())
            .copied()
            .collect();
        assert_eq!(
            finals,
            vec![
                RequestStatus::Refused,
                RequestStatus::Granted,
                RequestStatus::Cancelled
            ]
        );
    }

    #[test]
    fn every_state_but_draft_is_reachable_from_draft() {
        let mut seen = vec![RequestStatus::Draft];
        let mut frontier = vec![RequestStatus::Draft];
        while let Some(s) = frontier.pop() {
            for n in RequestStatus::ALL {
                if s.can_move_to(*n) && !seen.contains(n) {
                    seen.push(*n);
                    frontier.push(*n);
                }
            }
        }
        assert_eq!(seen.len(), RequestStatus::ALL.len());
    }

    #[test]
    fn attachments_change_only_in_drafts() {
        let editable: Vec<_> = RequestStatus::ALL
            .iter()
            .filter(|s| s.attachments_editable())
            .collect();
        assert_eq!(editable, vec![&RequestStatus::Draft]);
    }

    #[test]
    fn providers_do_not_see_drafts_or_requests_awaiting_signatures() {
        assert!(!RequestStatus::Draft.visible_to_provider());
        assert!(!RequestStatus::AwaitingSignatures.visible_to_provider());
        assert!(RequestStatus::ProviderReview.visible_to_provider());
        assert!(RequestStatus::Granted.visible_to_provider());
    }
}
