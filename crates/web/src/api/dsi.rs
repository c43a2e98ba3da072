//! `GET /api/v1/requests/{id}/dsi` and `/dsi.pdf`: the document the officials sign; and
//! `POST /api/v1/requests/{id}/sign`, which signs it.

use adesao_services::requests::actor_of;
use adesao_services::requests::signature::SignWith;
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::Response;
use serde::Deserialize;

use super::auth::ApiUser;
use super::extract::{ApiJson, ApiMultipart, ApiPath, integer};
use super::problem::{FieldError, Problem};
use super::schemas;
use super::views::RequestView;
use crate::state::AppState;
use crate::upload;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DsiView {
    #[schema(schema_with = schemas::request_number)]
    number: String,
    text: String,
    #[schema(schema_with = schemas::sha256)]
    sha256: String,
}

/// The DSI as a PDF (SPEC §7), once the request has been released: the canonical text laid out
/// as a document, with its SHA-256 at the foot of every page. The same content gives the same
/// bytes. 409 for a draft.
#[utoipa::path(get, path = "/requests/{id}/dsi.pdf", operation_id = "getRequestDsiPdf", tag = "signing",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>,
        description = "Documento de Solicitação de Interoperabilidade (PDF)"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Ainda em elaboração: o DSI é gerado na liberação")))]
pub async fn dsi_pdf(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let (number, pdf) = state.requests.dsi_pdf(&actor_of(&account), id).await?;
    Ok(crate::report::dsi_pdf(number, pdf))
}

/// The DSI's canonical text and the SHA-256 a signature covers.
#[utoipa::path(get, path = "/requests/{id}/dsi", operation_id = "getRequestDsi", tag = "signing",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = DsiView)))]
pub async fn dsi(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DsiView>, Problem> {
    let detail = state.requests.detail(&actor_of(&account), id).await?;
    let text = detail.dsi.to_text();
    let sha256 = adesao_services::requests::signing::dsi_sha256(&detail.dsi);
    Ok(Json(DsiView {
        number: detail.request.number.to_string(),
        text,
        sha256,
    }))
}

/// Signing with the builtin provider, unlocked by an SMS-authorised session.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// An authorised session of `POST /signing-sessions`.
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::option")]
    signing_session_id: Option<i64>,
    /// The `sha256` of `GET /requests/{id}/dsi` the client showed; 409 if the request changed.
    #[schema(schema_with = schemas::nullable_sha256)]
    dsi_sha256: Option<String>,
}

/// Signing with the signer's ICP-Brasil A1 certificate.
// Read from the multipart body by `upload::read_form`; the derive is for the document.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SignA1Form {
    /// `icp_brasil_a1`.
    #[schema(schema_with = schemas::a1_provider)]
    provider: String,
    /// The A1 certificate with its private key: PKCS#12 (`.pfx`, `.p12`), at most 64 KB. Its
    /// CPF must be the signer's and it must be within its validity. Nothing of it is kept.
    #[schema(value_type = String, format = Binary)]
    certificate: Vec<u8>,
    /// The certificate's password, for this signature only.
    #[schema(schema_with = schemas::a1_password)]
    password: String,
    /// As in the JSON body.
    #[schema(schema_with = schemas::sha256)]
    dsi_sha256: Option<String>,
}

/// Assinar: the caller signs every role they hold on the request, as one PAdES signature
/// embedded in the DSI's PDF (`GET /requests/{id}/dsi.pdf`), made by either provider:
/// `application/json` with an authorised `signing_session_id` (the installation's certificate,
/// unlocked by the SMS code), or `multipart/form-data` with `provider` = `icp_brasil_a1`, the
/// A1 `certificate` and its `password`.
#[utoipa::path(post, path = "/requests/{id}/sign", operation_id = "signRequest", tag = "signing",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    request_body(content((SignBody = "application/json"), (SignA1Form = "multipart/form-data"))),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 503, description = "Every PDF slot is busy: try again after Retry-After", body = Problem)))]
pub async fn sign(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    request: Request,
) -> Result<Json<RequestView>, Problem> {
    let actor = actor_of(&account);
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        let ApiMultipart(multipart) = ApiMultipart::from_request(request, &state).await?;
        let form = upload::read_form(
            multipart,
            "certificate",
            adesao_documents::a1::MAX_BYTES,
            false,
        )
        .await
        .map_err(super::attachments::upload_problem)?;
        if form.text("provider") != Some("icp_brasil_a1") {
            return Err(field_problem(
                "provider",
                "Informe provider = icp_brasil_a1 para assinar com certificado A1 (ou envie JSON com signing_session_id).",
            ));
        }
        let with = SignWith::A1 {
            pkcs12: &form.content,
            password: form.text("password").unwrap_or(""),
        };
        state
            .requests
            .sign(
                &actor,
                id,
                with,
                form.text("dsi_sha256").filter(|d| !d.is_empty()),
            )
            .await?;
    } else {
        let ApiJson(body) = ApiJson::<SignBody>::from_request(request, &state).await?;
        let session_id = body.signing_session_id.ok_or_else(|| {
            field_problem(
                "signing_session_id",
                "Informe a autorização de assinatura (signing_session_id).",
            )
        })?;
        state
            .requests
            .sign(
                &actor,
                id,
                SignWith::Builtin { session_id },
                body.dsi_sha256.as_deref(),
            )
            .await?;
    }
    super::requests::detail_json(&state, &actor, id).await
}

fn field_problem(field: &str, message: &str) -> Problem {
    Problem::validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}
