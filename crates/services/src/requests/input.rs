//! What a manager types into a request, and its validation into the stored content.

use adesao_domain::{FieldIssue, LegalBasis, Purpose, RequestType, Role, Volume, VolumeError};
use adesao_store::{AnyConnection, StoreError, api_access, apis, users};

/// Fields of a request as sent by a form or the API. On creation a missing field is an error;
/// on change (Alterar, PATCH) it keeps its current value.
#[derive(Debug, Clone, Default)]
pub struct RequestPatch {
    pub api_id: Option<i64>,
    pub request_type: Option<RequestType>,
    pub it_director_id: Option<i64>,
    pub technical_lead_id: Option<i64>,
    /// Parsed by the skin (text `1.000.000` in forms, a number in JSON), judged here.
    pub requested_volume: Option<Result<Volume, VolumeError>>,
    pub purpose: PurposePatch,
}

#[derive(Debug, Clone, Default)]
pub struct PurposePatch {
    pub legal_bases: Option<Vec<LegalBasis>>,
    /// The texts given, by field of `adesao_domain::purpose::TEXT_FIELDS`; the others keep
    /// their value.
    pub texts: Vec<(&'static str, String)>,
}

/// A patch as the skins receive it: codes as text, judged here once for both (an unknown type
/// or legal basis is the same 422 through the form and the API).
#[derive(Debug, Clone, Default)]
pub struct PatchInput {
    pub api_id: Option<i64>,
    /// `adhesion` or `volume_change`; blank counts as absent.
    pub request_type: Option<String>,
    pub it_director_id: Option<i64>,
    pub technical_lead_id: Option<i64>,
    pub requested_volume: Option<Result<Volume, VolumeError>>,
    pub legal_bases: Option<Vec<String>>,
    /// The purpose's texts given, by field of `adesao_domain::purpose::TEXT_FIELDS`.
    pub texts: Vec<(&'static str, String)>,
}

impl PatchInput {
    /// The patch, or the codes that name nothing.
    pub fn judge(self) -> Result<RequestPatch, crate::ServiceError> {
        let mut issues = Vec::new();
        let request_type = match self.request_type.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => code.parse::<RequestType>().map(Some).unwrap_or_else(|_| {
                issues.push(FieldIssue::new(
                    "request_type",
                    "Tipo inválido: use adhesion (Adesão) ou volume_change (Alteração de Volumetria).",
                ));
                None
            }),
        };
        let legal_bases = match self.legal_bases {
            None => None,
            Some(codes) => {
                let parsed: Result<Vec<LegalBasis>, _> = codes
                    .iter()
                    .map(|c| c.trim().parse::<LegalBasis>())
                    .collect();
                parsed.map(Some).unwrap_or_else(|_| {
                    issues.push(FieldIssue::new(
                        crate::requests::input::LEGAL_BASES_FIELD,
                        "Hipótese inválida: use public_policy, legal_obligation ou other.",
                    ));
                    None
                })
            }
        };
        if !issues.is_empty() {
            return Err(crate::ServiceError::Invalid(issues));
        }
        Ok(RequestPatch {
            api_id: self.api_id,
            request_type,
            it_director_id: self.it_director_id,
            technical_lead_id: self.technical_lead_id,
            requested_volume: self.requested_volume,
            purpose: PurposePatch {
                legal_bases,
                texts: self.texts,
            },
        })
    }
}

const LEGAL_BASES_FIELD: &str = adesao_domain::purpose::LEGAL_BASES_FIELD;

impl PurposePatch {
    pub fn apply(self, base: &Purpose) -> Purpose {
        let mut purpose = base.clone();
        if let Some(bases) = self.legal_bases {
            purpose.legal_bases = bases.into_iter().collect();
        }
        for (field, text) in self.texts {
            if let Some(slot) = purpose.text_mut(field) {
                *slot = text;
            }
        }
        purpose
    }
}

/// Current values a patch applies to (`None` on creation).
pub struct Base<'a> {
    pub api_id: i64,
    pub request_type: RequestType,
    pub it_director_id: i64,
    pub technical_lead_id: i64,
    pub requested_volume: Volume,
    pub purpose: &'a Purpose,
}

/// A patch checked against the database: every field valid.
#[derive(Debug, Clone)]
pub struct ValidContent {
    pub api_id: i64,
    pub provider_id: i64,
    pub request_type: RequestType,
    pub it_director_id: i64,
    pub technical_lead_id: i64,
    pub requested_volume: Volume,
    pub current_volume: u64,
    pub purpose: Purpose,
}

/// Checks a patch for a request of `requester_id`. Collects every problem at once, so the user
/// fixes them all in one go.
pub async fn validate(
    conn: &mut AnyConnection,
    requester_id: i64,
    patch: RequestPatch,
    base: Option<&Base<'_>>,
    today: jiff::civil::Date,
) -> Result<Result<ValidContent, Vec<FieldIssue>>, StoreError> {
    let mut issues = Vec::new();

    let api_id = patch.api_id.or(base.map(|b| b.api_id));
    let api = match api_id {
        None => {
            issues.push(FieldIssue::new("api_id", "Selecione a API necessária."));
            None
        }
        Some(id) => {
            let found = apis::find(conn, id).await?.filter(|a| a.active);
            match &found {
                None => issues.push(FieldIssue::new(
                    "api_id",
                    "A API escolhida não existe no catálogo.",
                )),
                Some(api) if !api.is_open() || !provider_active(conn, api).await? => {
                    issues.push(FieldIssue::new("api_id", CLOSED_API))
                }
                Some(_) => {}
            }
            found
        }
    };

    let request_type = patch.request_type.or(base.map(|b| b.request_type));
    if request_type.is_none() {
        issues.push(FieldIssue::new(
            "request_type",
            "Selecione o tipo de solicitação.",
        ));
    }

    let it_director_id = patch.it_director_id.or(base.map(|b| b.it_director_id));
    check_signer(
        conn,
        requester_id,
        it_director_id,
        Role::ItDirector,
        "it_director_id",
        today,
        &mut issues,
    )
    .await?;
    let technical_lead_id = patch
        .technical_lead_id
        .or(base.map(|b| b.technical_lead_id));
    check_signer(
        conn,
        requester_id,
        technical_lead_id,
        Role::TechnicalLead,
        "technical_lead_id",
        today,
        &mut issues,
    )
    .await?;

    let requested_volume = match patch.requested_volume {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            issues.push(FieldIssue::new("requested_volume", e.to_string()));
            None
        }
        None => match base {
            Some(b) => Some(b.requested_volume),
            None => {
                issues.push(FieldIssue::new(
                    "requested_volume",
                    VolumeError::Empty.to_string(),
                ));
                None
            }
        },
    };

    let purpose = patch
        .purpose
        .apply(base.map(|b| b.purpose).unwrap_or(&Purpose::default()));
    issues.extend(purpose.draft_issues());

    let mut current_volume = 0;
    if let (Some(api), Some(request_type)) = (&api, request_type) {
        let granted = api_access::current_volume(conn, requester_id, api.id).await?;
        current_volume = granted.map_or(0, Volume::get);
        // Judged here as well as at release, so the wrong type is told while the form is open.
        match (request_type, granted) {
            (RequestType::VolumeChange, None) => issues.push(FieldIssue::new(
                "request_type",
                "Alteração de Volumetria só é possível para uma API cuja adesão do seu órgão já foi deferida.",
            )),
            (RequestType::Adhesion, Some(_)) => issues.push(FieldIssue::new(
                "request_type",
                "Seu órgão já tem adesão deferida a esta API: para mudar a volumetria, use o tipo Alteração de Volumetria.",
            )),
            _ => {}
        }
    }

    if !issues.is_empty() {
        return Ok(Err(issues));
    }
    let api = api.expect("checked above");
    Ok(Ok(ValidContent {
        api_id: api.id,
        provider_id: api.provider_id,
        request_type: request_type.expect("checked above"),
        it_director_id: it_director_id.expect("checked above"),
        technical_lead_id: technical_lead_id.expect("checked above"),
        requested_volume: requested_volume.expect("checked above"),
        current_volume,
        purpose,
    }))
}

/// What the user reads when the API no longer takes new requests.
pub const CLOSED_API: &str =
    "Esta API não está recebendo novas solicitações. Consulte a equipe Conecta.";

async fn provider_active(conn: &mut AnyConnection, api: &apis::Api) -> Result<bool, StoreError> {
    Ok(adesao_store::organizations::find(conn, api.provider_id)
        .await?
        .is_some_and(|o| o.active))
}

/// A signer must be an active user of the requester organization holding that role (SPEC §4).
pub async fn check_signer(
    conn: &mut AnyConnection,
    requester_id: i64,
    user_id: Option<i64>,
    role: Role,
    field: &'static str,
    today: jiff::civil::Date,
    issues: &mut Vec<FieldIssue>,
) -> Result<(), StoreError> {
    let Some(user_id) = user_id else {
        issues.push(FieldIssue::new(
            field,
            format!("Selecione o {} na lista.", role.label()),
        ));
        return Ok(());
    };
    let candidates = users::with_roles(conn, requester_id, &[role], today).await?;
    if !candidates.iter().any(|p| p.id == user_id) {
        issues.push(FieldIssue::new(
            field,
            format!(
                "O usuário escolhido não é {} ativo do seu órgão. Selecione um nome da lista.",
                role.label()
            ),
        ));
    }
    Ok(())
}
