//! `GET /api/v1/requests/{id}/dsi` and `/dsi.pdf`: the document the officials sign.

use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::response::Response;

use super::auth::ApiUser;
use super::extract::ApiPath;
use super::problem::Problem;
use super::schemas;
use crate::state::AppState;

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
