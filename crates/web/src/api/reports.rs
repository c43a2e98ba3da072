//! `GET /api/v1/reports/requests.csv` and `.pdf`: the list as files.

use adesao_services::requests::actor_of;
use axum::extract::State;
use axum::response::Response;

use super::auth::ApiUser;
use super::extract::ApiQuery;
use super::problem::Problem;
use super::requests::ListParamsQuery;
use crate::state::AppState;

/// Every request the caller's list holds under the same filters (all pages: `page` and
/// `per_page` are not used), as CSV for a Brazilian spreadsheet: UTF-8 with BOM, `;`, CRLF,
/// volumes as plain integers, dates `dd/mm/aaaa hh:mm:ss` in Brasília, cells that a
/// spreadsheet would run as formulas prefixed with `'`. Streamed as it is read.
#[utoipa::path(get, path = "/reports/requests.csv", operation_id = "requestsReportCsv", tag = "reports",
    security(("bearer" = [])), params(ListParamsQuery),
    responses((status = 200, content_type = "text/csv", body = String,
        description = "Número;Tipo;Órgão solicitante;API;Órgão cedente;Situação;Volumetria atual;Volumetria anual solicitada;Volumetria autorizada;Último andamento"),
        (status = 403, body = Problem)))]
pub async fn requests_csv(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<ListParamsQuery>,
) -> Result<Response, Problem> {
    let actor = actor_of(&account);
    let params = q.judge(&actor)?;
    Ok(crate::report::csv(&state, &actor, &params).await?)
}

/// The same rows as a PDF to print: A4 landscape, the filters used, who generated it and when,
/// the table's header repeated on every page, "Página N de M". At most 5,000 rows: above that,
/// 422 with a message that points to the CSV.
#[utoipa::path(get, path = "/reports/requests.pdf", operation_id = "requestsReportPdf", tag = "reports",
    security(("bearer" = [])), params(ListParamsQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>,
        description = "Relatório de solicitações (PDF)"),
        (status = 403, body = Problem),
        (status = 422, body = Problem, description = "Filtro inválido, ou mais de 5.000 solicitações (use o CSV)"),
        (status = 503, body = Problem, description = "Muitos relatórios PDF sendo gerados; tente de novo")))]
pub async fn requests_pdf(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<ListParamsQuery>,
) -> Result<Response, Problem> {
    let params = q.judge(&actor_of(&account))?;
    Ok(crate::report::pdf(&state, &account, &params).await?)
}
