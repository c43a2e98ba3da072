//! Who may see a request and who may do what with it (SPEC §3, §4). Pure: the caller gathers
//! the facts, these functions decide.

use crate::{RequestStatus, Role};

/// The user acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub organization_id: i64,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What the rules need to know about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub requester_id: i64,
    pub provider_id: i64,
    pub status: RequestStatus,
    pub it_director_id: i64,
    pub technical_lead_id: i64,
    /// Roles whose signature is already given (and not voided).
    pub signed_roles: Vec<Role>,
}

impl RequestFacts {
    /// The signing roles `user_id` is named for on this request and has not signed yet.
    pub fn unsigned_roles_of(&self, user_id: i64) -> Vec<Role> {
        let mut roles = Vec::new();
        if self.it_director_id == user_id && !self.signed_roles.contains(&Role::ItDirector) {
            roles.push(Role::ItDirector);
        }
        if self.technical_lead_id == user_id && !self.signed_roles.contains(&Role::TechnicalLead) {
            roles.push(Role::TechnicalLead);
        }
        roles
    }

    /// The signing roles `actor` may sign now: named for them, not signed yet, and still held
    /// (a role whose period ended no longer signs).
    pub fn roles_to_sign(&self, actor: &Actor) -> Vec<Role> {
        let mut roles = self.unsigned_roles_of(actor.user_id);
        roles.retain(|r| actor.has(*r));
        roles
    }

    /// Both officials have signed.
    pub fn fully_signed(&self) -> bool {
        self.signed_roles.contains(&Role::ItDirector)
            && self.signed_roles.contains(&Role::TechnicalLead)
    }
}

/// Something a user may do with a request; each is a button of the detail page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Edit,
    Release,
    Sign,
    Cancel,
    Approve,
    Refuse,
    Grant,
    /// Start a new request from a refused one.
    Copy,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Edit,
        Action::Release,
        Action::Sign,
        Action::Cancel,
        Action::Approve,
        Action::Refuse,
        Action::Grant,
        Action::Copy,
    ];

    /// Stable code, as the JSON API lists it in a request's `actions`.
    pub fn code(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Release => "release",
            Action::Sign => "sign",
            Action::Cancel => "cancel",
            Action::Approve => "approve",
            Action::Refuse => "refuse",
            Action::Grant => "grant",
            Action::Copy => "copy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Edit => "Alterar",
            Action::Release => "Liberar para Assinatura",
            Action::Sign => "Assinar",
            Action::Cancel => "Cancelar",
            Action::Approve => "Aprovar",
            Action::Refuse => "Recusar",
            Action::Grant => "Deferir",
            Action::Copy => "Nova Solicitação",
        }
    }
}

/// The moves of the lifecycle (SPEC §4): which action takes a request from which status to
/// which. The one table of them: [`RequestStatus::can_move_to`] reads it, and the services move
/// a request to [`Action::target`]. (Sign moves the request only with its second signature.)
pub const MOVES: [(Action, RequestStatus, RequestStatus); 8] = [
    (
        Action::Release,
        RequestStatus::Draft,
        RequestStatus::AwaitingSignatures,
    ),
    (
        Action::Cancel,
        RequestStatus::Draft,
        RequestStatus::Cancelled,
    ),
    (
        Action::Sign,
        RequestStatus::AwaitingSignatures,
        RequestStatus::ProviderReview,
    ),
    (
        Action::Edit,
        RequestStatus::AwaitingSignatures,
        RequestStatus::Draft,
    ),
    (
        Action::Cancel,
        RequestStatus::AwaitingSignatures,
        RequestStatus::Cancelled,
    ),
    (
        Action::Approve,
        RequestStatus::ProviderReview,
        RequestStatus::Approved,
    ),
    (
        Action::Refuse,
        RequestStatus::ProviderReview,
        RequestStatus::Refused,
    ),
    (
        Action::Grant,
        RequestStatus::Approved,
        RequestStatus::Granted,
    ),
];

impl Action {
    /// Where this action takes a request in `from`, if it moves it at all.
    pub fn target(self, from: RequestStatus) -> Option<RequestStatus> {
        MOVES
            .iter()
            .find(|(action, f, _)| *action == self && *f == from)
            .map(|(_, _, to)| *to)
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The user may not even see the request: answered as if it did not exist.
    NotFound,
    /// The user sees the request but their role does not allow the action.
    Forbidden(&'static str),
    /// The action does not fit the request's current state.
    Conflict(String),
}

/// Incluir (SPEC §3): managers file requests, for their own organization.
pub fn can_create(actor: &Actor) -> bool {
    actor.has(Role::Manager)
}

/// [`can_create`], refused with its reason.
pub fn check_create(actor: &Actor) -> Result<(), Refusal> {
    if can_create(actor) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "Apenas gestores podem incluir solicitações de adesão.",
        ))
    }
}

/// SPEC §3: own organization's requests; the provider's from provider review on; all for the
/// program team.
pub fn can_view(actor: &Actor, facts: &RequestFacts) -> bool {
    actor.has(Role::ProgramAdmin)
        || actor.organization_id == facts.requester_id
        || (actor.organization_id == facts.provider_id && facts.status.visible_to_provider())
}

/// Decides whether `actor` may perform `action` on the request now.
pub fn check(actor: &Actor, facts: &RequestFacts, action: Action) -> Result<(), Refusal> {
    use RequestStatus as S;
    if !can_view(actor, facts) {
        return Err(Refusal::NotFound);
    }
    let requester_manager = actor.organization_id == facts.requester_id && actor.has(Role::Manager);
    let provider_analyst =
        actor.organization_id == facts.provider_id && actor.has(Role::ProviderAnalyst);
    let state = |allowed: &[RequestStatus]| {
        if allowed.contains(&facts.status) {
            Ok(())
        } else {
            Err(Refusal::Conflict(format!(
                "Não é possível {} uma solicitação na situação “{}”.",
                verb(action),
                facts.status.label()
            )))
        }
    };
    match action {
        Action::Edit | Action::Release | Action::Cancel | Action::Copy if !requester_manager => {
            Err(Refusal::Forbidden(
                "Apenas gestores do órgão solicitante podem realizar esta ação.",
            ))
        }
        Action::Edit => state(&[S::Draft, S::AwaitingSignatures]),
        Action::Release => state(&[S::Draft]),
        Action::Cancel => state(&[S::Draft, S::AwaitingSignatures]),
        Action::Copy => state(&[S::Refused]),
        Action::Sign => {
            if facts.it_director_id != actor.user_id && facts.technical_lead_id != actor.user_id {
                return Err(Refusal::Forbidden(
                    "Apenas o Dirigente de TI e o Responsável Técnico indicados na solicitação podem assiná-la.",
                ));
            }
            state(&[S::AwaitingSignatures])?;
            if !facts.roles_to_sign(actor).is_empty() {
                return Ok(());
            }
            match facts.unsigned_roles_of(actor.user_id).first() {
                Some(_) => Err(Refusal::Forbidden(
                    "Você não exerce mais a função para a qual foi indicado nesta solicitação, por isso não pode assiná-la. O gestor do órgão deve alterá-la e indicar outro signatário.",
                )),
                None => Err(Refusal::Conflict(
                    "Você já assinou esta solicitação.".to_owned(),
                )),
            }
        }
        Action::Approve | Action::Refuse if !provider_analyst => Err(Refusal::Forbidden(
            "Apenas analistas do órgão cedente dos dados podem analisar a solicitação.",
        )),
        Action::Approve | Action::Refuse => state(&[S::ProviderReview]),
        Action::Grant if !actor.has(Role::ProgramAdmin) => Err(Refusal::Forbidden(
            "Apenas a equipe Conecta pode deferir a solicitação.",
        )),
        Action::Grant => state(&[S::Approved]),
    }
}

/// The actions the detail page offers to `actor` now.
pub fn available_actions(actor: &Actor, facts: &RequestFacts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| check(actor, facts, *a).is_ok())
        .collect()
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Edit => "alterar",
        Action::Release => "liberar para assinatura",
        Action::Sign => "assinar",
        Action::Cancel => "cancelar",
        Action::Approve => "aprovar",
        Action::Refuse => "recusar",
        Action::Grant => "deferir",
        Action::Copy => "copiar",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus as S;

    const UFV: i64 = 1;
    const INSS: i64 = 2;
    const SGD: i64 = 5;
    const OTHER: i64 = 9;

    fn actor(user_id: i64, org: i64, roles: &[Role]) -> Actor {
        Actor {
            user_id,
            organization_id: org,
            roles: roles.to_vec(),
        }
    }

    fn facts(status: RequestStatus) -> RequestFacts {
        RequestFacts {
            requester_id: UFV,
            provider_id: INSS,
            status,
            it_director_id: 10,
            technical_lead_id: 11,
            signed_roles: vec![],
        }
    }

    #[test]
    fn visibility_follows_spec_3() {
        let analyst = actor(20, INSS, &[Role::ProviderAnalyst]);
        assert!(!can_view(&analyst, &facts(S::Draft)));
        assert!(!can_view(&analyst, &facts(S::AwaitingSignatures)));
        assert!(can_view(&analyst, &facts(S::ProviderReview)));
        assert!(can_view(
            &actor(30, SGD, &[Role::ProgramAdmin]),
            &facts(S::Draft)
        ));
        assert!(can_view(&actor(12, UFV, &[]), &facts(S::Draft)));
        assert!(!can_view(
            &actor(40, OTHER, &[Role::Manager]),
            &facts(S::Granted)
        ));
    }

    #[test]
    fn refusals_distinguish_unseen_forbidden_and_wrong_state() {
        let manager = actor(10, UFV, &[Role::Manager, Role::ItDirector]);
        let stranger = actor(40, OTHER, &[Role::Manager]);
        assert_eq!(
            check(&stranger, &facts(S::Draft), Action::Release),
            Err(Refusal::NotFound)
        );
        assert!(matches!(
            check(
                &actor(11, UFV, &[Role::TechnicalLead]),
                &facts(S::Draft),
                Action::Release
            ),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            check(&manager, &facts(S::ProviderReview), Action::Release),
            Err(Refusal::Conflict(_))
        ));
        assert_eq!(check(&manager, &facts(S::Draft), Action::Release), Ok(()));
    }

    #[test]
    fn only_named_signers_sign_once_each() {
        let director = actor(10, UFV, &[Role::Manager, Role::ItDirector]);
        let lead = actor(11, UFV, &[Role::TechnicalLead]);
        let colleague = actor(12, UFV, &[Role::ItDirector]);
        let mut f = facts(S::AwaitingSignatures);
        assert_eq!(check(&director, &f, Action::Sign), Ok(()));
        assert!(matches!(
            check(&colleague, &f, Action::Sign),
            Err(Refusal::Forbidden(_))
        ));
        f.signed_roles.push(Role::ItDirector);
        assert!(matches!(
            check(&director, &f, Action::Sign),
            Err(Refusal::Conflict(_))
        ));
        assert_eq!(check(&lead, &f, Action::Sign), Ok(()));
        assert!(!f.fully_signed());
        f.signed_roles.push(Role::TechnicalLead);
        assert!(f.fully_signed());
    }

    #[test]
    fn one_person_holding_both_roles_signs_both_at_once() {
        let mut f = facts(S::AwaitingSignatures);
        f.technical_lead_id = 10;
        let both = actor(10, UFV, &[Role::ItDirector, Role::TechnicalLead]);
        assert_eq!(
            f.roles_to_sign(&both),
            vec![Role::ItDirector, Role::TechnicalLead]
        );
    }

    #[test]
    fn a_named_signer_whose_role_lapsed_cannot_sign() {
        let f = facts(S::AwaitingSignatures);
        // Named as Dirigente de TI (user 10), but the role's period has ended: the account no
        // longer holds it.
        let lapsed = actor(10, UFV, &[Role::Manager]);
        assert!(f.roles_to_sign(&lapsed).is_empty());
        assert_eq!(f.unsigned_roles_of(10), vec![Role::ItDirector]);
        assert!(matches!(
            check(&lapsed, &f, Action::Sign),
            Err(Refusal::Forbidden(m)) if m.contains("não exerce mais")
        ));
        assert!(!available_actions(&lapsed, &f).contains(&Action::Sign));
        // Holding both, named for both, with one lapsed: signs the other only.
        let mut f = facts(S::AwaitingSignatures);
        f.technical_lead_id = 10;
        let half = actor(10, UFV, &[Role::TechnicalLead]);
        assert_eq!(f.roles_to_sign(&half), vec![Role::TechnicalLead]);
    }

    #[test]
    fn buttons_per_state_and_role() {
        let manager = actor(10, UFV, &[Role::Manager, Role::ItDirector]);
        let analyst = actor(20, INSS, &[Role::ProviderAnalyst]);
        let admin = actor(30, SGD, &[Role::ProgramAdmin]);
        assert_eq!(
            available_actions(&manager, &facts(S::Draft)),
            vec![Action::Edit, Action::Release, Action::Cancel]
        );
        assert_eq!(
            available_actions(&manager, &facts(S::AwaitingSignatures)),
            vec![Action::Edit, Action::Sign, Action::Cancel]
        );
        assert_eq!(
            available_actions(&analyst, &facts(S::ProviderReview)),
            vec![Action::Approve, Action::Refuse]
        );
        assert_eq!(
            available_actions(&admin, &facts(S::Approved)),
            vec![Action::Grant]
        );
        assert_eq!(
            available_actions(&manager, &facts(S::Refused)),
            vec![Action::Copy]
        );
        assert!(available_actions(&manager, &facts(S::Granted)).is_empty());
        assert!(available_actions(&analyst, &facts(S::Approved)).is_empty());
    }

    #[test]
    fn every_allowed_action_matches_a_move_of_the_lifecycle() {
        // Release, approve, refuse, grant, cancel and edit-after-release must be moves of the
        // transition table; an action allowed in a state with no such move would be a bug.
        let all_roles = Role::ALL.to_vec();
        for status in RequestStatus::ALL {
            let a = actor(10, UFV, &all_roles);
            let b = actor(20, INSS, &all_roles);
            for act in [&a, &b] {
                for action in available_actions(act, &facts(*status)) {
                    let target = match action {
                        Action::Release => Some(S::AwaitingSignatures),
                        Action::Approve => Some(S::Approved),
                        Action::Refuse => Some(S::Refused),
                        Action::Grant => Some(S::Granted),
                        Action::Cancel => Some(S::Cancelled),
                        Action::Edit if *status == S::AwaitingSignatures => Some(S::Draft),
                        _ => None,
                    };
                    if let Some(t) = target {
                        assert!(status.can_move_to(t), "{action:?} from {status:?}");
                    }
                }
            }
        }
    }
}
