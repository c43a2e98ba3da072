//! `POST /api/v1/admin/import`: organizations and users from a CSV file.

use adesao_services::admin::{ImportReport, MAX_IMPORT_BYTES, MODEL_CSV};
use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::ApiUser;
use crate::api::extract::{ApiMultipart, ApiQuery};
use crate::api::problem::{FieldError, Problem};
use crate::state::AppState;
use crate::upload::{self, UploadError};

#[derive(Serialize, ToSchema)]
pub struct ImportLineView {
    /// As a spreadsheet numbers it (the header is line 1).
    line: u64,
    summary: String,
    problems: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportView {
    /// True when everything was imported; false for a dry run.
    applied: bool,
    /// Organizations and users the file creates.
    organizations: usize,
    users: usize,
    lines: Vec<ImportLineView>,
}

impl From<&ImportReport> for ImportReportView {
    fn from(r: &ImportReport) -> Self {
        Self {
            applied: r.applied,
            organizations: r.organizations,
            users: r.users,
            lines: r
                .lines
                .iter()
                .map(|l| ImportLineView {
                    line: l.number,
                    summary: l.summary.clone(),
                    problems: l.problems.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// True: only check the file and list each line's problems; nothing is written.
    dry_run: Option<bool>,
}

/// The multipart body of an import. (Read by `upload::read`; the derive is for the document.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportForm {
    /// CSV in UTF-8 (a BOM is fine), `;` or `,`, with the header of the model file
    /// (`GET /api/v1/admin/import/model.csv`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Imports organizations and users from a CSV file, all lines or none. With `dry_run=true`
/// the answer lists every line's problems and nothing changes; without it, a file with any
/// problem is refused (422, one entry per problem, `field` naming the line) and nothing
/// changes. Imported users have no password until an admin sets one.
#[utoipa::path(post, path = "/admin/import", operation_id = "importCsv", tag = "admin",
    security(("bearer" = [])), params(ImportParams),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "The dry run's report", body = ImportReportView),
        (status = 201, description = "Imported", body = ImportReportView), (status = 403, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(params): ApiQuery<ImportParams>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Response, Problem> {
    let actor = actor_of(&account);
    adesao_services::admin::require_admin(&actor)?;
    let file = upload::read(multipart, MAX_IMPORT_BYTES, false)
        .await
        .map_err(|e| match e {
            UploadError::MissingFile => Problem::validation(vec![FieldError {
                field: "file".into(),
                message: "Selecione o arquivo CSV.".into(),
            }]),
            other => crate::api::attachments::upload_problem(other),
        })?;
    let dry_run = params.dry_run.unwrap_or(false);
    let report = state
        .admin
        .import_csv(&actor, &file.content, dry_run)
        .await?;
    if dry_run {
        return Ok(Json(ImportReportView::from(&report)).into_response());
    }
    if !report.applied {
        let errors = report
            .lines
            .iter()
            .flat_map(|l| {
                l.problems.iter().map(move |p| FieldError {
                    field: format!("line {}", l.number),
                    message: p.clone(),
                })
            })
            .collect();
        let mut p = Problem::validation(errors);
        p.detail = format!(
            "Nada foi importado: o arquivo tem {}. Corrija-os e envie de novo (ou faça antes uma simulação, dry_run=true).",
            adesao_domain::text::plural(report.problems(), "problema", "problemas")
        );
        return Err(p);
    }
    Ok((StatusCode::CREATED, Json(ImportReportView::from(&report))).into_response())
}

/// The model CSV: its header and an example organization with one of its people.
#[utoipa::path(get, path = "/admin/import/model.csv", operation_id = "getImportModel", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
pub async fn model(ApiUser(account): ApiUser) -> Result<Response, Problem> {
    adesao_services::admin::require_admin(&actor_of(&account))?;
    Ok(model_csv())
}

/// The model file as a download (shared with the HTML page).
pub fn model_csv() -> Response {
    let mut response = MODEL_CSV.to_owned().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"modelo-importacao-adesao.csv\""),
    );
    response
}
