//! `POST /api/v1/validate`: the signatures of any PDF, for anyone (Validar documento).

use adesao_services::requests::validation::SignatureCheck;
use axum::Json;
use axum::extract::State;

use super::extract::ApiMultipart;
use super::problem::Problem;
use crate::state::AppState;
use crate::upload;

/// One signature of the document.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SignatureCheckView {
    /// The signer's name, as the certificate gives it.
    signer: String,
    /// The CPF the certificate names, masked (`***.591.158-**`).
    cpf: Option<String>,
    /// The signing time the signature states, `dd/mm/aaaa hh:mm:ss (UTC-03:00)`.
    signed_at: Option<String>,
    /// Who certified the signer.
    provider: String,
    /// The signature verifies and the bytes it covers are unchanged.
    valid: bool,
    /// The document was changed after this signature.
    changed_after: bool,
    /// The signer's certificate was issued by this installation's CA (`GET /signing/ca.pem`).
    issued_by_this_installation: bool,
    /// Why it is not valid, in Portuguese.
    problem: Option<String>,
}

/// What the document's signatures say.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ValidationView {
    /// At least one signature, and every one valid.
    valid: bool,
    signatures: Vec<SignatureCheckView>,
}

impl From<SignatureCheck> for SignatureCheckView {
    fn from(c: SignatureCheck) -> Self {
        Self {
            signer: c.signer,
            cpf: c.masked_cpf,
            signed_at: c.signed_at,
            provider: c.provider,
            valid: c.valid,
            changed_after: c.changed_after,
            issued_by_this_installation: c.issued_here,
            problem: c.problem,
        }
    }
}

/// The multipart body of a validation.
// Read by `upload::read_form`; the derive is for the document.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ValidateForm {
    /// A signed PDF, such as a DSI from `GET /requests/{id}/dsi.pdf`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Validar documento: each signature of the PDF sent — signer, masked CPF, time, provider,
/// whether it verifies, whether the document changed after it, whether its certificate was
/// issued by this installation. Public: no token needed.
#[utoipa::path(post, path = "/validate", operation_id = "validateDocument", tag = "signing",
    request_body(content = ValidateForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ValidationView), (status = 413, body = Problem),
        (status = 415, body = Problem, description = "Not a readable PDF"), (status = 422, body = Problem),
        (status = 503, description = "Every PDF checking slot is busy: try again after Retry-After", body = Problem)))]
pub async fn validate(
    State(state): State<AppState>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Json<ValidationView>, Problem> {
    let form = upload::read_form(multipart, "file", state.max_upload_bytes, false)
        .await
        .map_err(super::attachments::upload_problem)?;
    let checks = state.requests.validate_document(form.content).await?;
    Ok(Json(ValidationView {
        valid: !checks.is_empty() && checks.iter().all(|c| c.valid),
        signatures: checks.into_iter().map(SignatureCheckView::from).collect(),
    }))
}
