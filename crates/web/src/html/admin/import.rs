//! Onboarding from CSV: /admin/importacao.

use adesao_services::admin::{ImportReport, MAX_IMPORT_BYTES};
use adesao_services::requests::actor_of;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Tabs;
use crate::csrf::{check_origin, tokens_match};
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::upload::{self, UploadError};

const TABS: Tabs = Tabs {
    current: "/admin/importacao",
};

#[derive(Template, WebTemplate)]
#[template(path = "admin_import.html")]
pub struct ImportPage {
    layout: Layout,
    tabs: Tabs,
    csrf_token: String,
    errors: Vec<FormError>,
    file_error: Option<String>,
    max_kib: usize,
    report: Option<ImportReport>,
    /// What the report is of: a dry run, a refused import, or a done one.
    outcome: &'static str,
}

impl ImportPage {
    fn new(me: &CurrentUser) -> Self {
        Self {
            layout: Layout::for_user(me),
            tabs: TABS,
            csrf_token: me.csrf_token.clone(),
            errors: Vec::new(),
            file_error: None,
            max_kib: MAX_IMPORT_BYTES / 1024,
            report: None,
            outcome: "",
        }
    }

    fn refused(mut self, status: StatusCode, message: String) -> Response {
        self.errors.push(FormError::field("file", message.clone()));
        self.file_error = Some(message);
        (status, self).into_response()
    }
}

pub async fn show(me: CurrentUser) -> Result<Response, PageError> {
    adesao_services::admin::require_admin(&actor_of(&me.account))?;
    Ok(ImportPage::new(&me).into_response())
}

pub async fn model(me: CurrentUser) -> Result<Response, PageError> {
    adesao_services::admin::require_admin(&actor_of(&me.account))?;
    Ok(crate::api::model_csv())
}

/// "Verificar" (a dry run) or "Importar" (all lines or none).
pub async fn submit(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let actor = actor_of(&me.account);
    adesao_services::admin::require_admin(&actor)?;
    let multipart = multipart
        .map_err(|_| PageError::BadRequest("Envie o arquivo pelo formulário da página.".into()))?;
    let page = ImportPage::new(&me);
    let upload = match upload::read(multipart, MAX_IMPORT_BYTES, true).await {
        Ok(u) => u,
        Err(UploadError::CsrfFirst) => return Err(PageError::csrf()),
        Err(UploadError::MissingFile) => {
            return Ok(page.refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Selecione o arquivo CSV.".into(),
            ));
        }
        Err(e) => {
            let status = match e {
                UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return Ok(page.refused(status, e.message()));
        }
    };
    if !tokens_match(upload.csrf_token.as_deref(), &me.csrf_token) {
        return Err(PageError::csrf());
    }
    if upload.content.is_empty() && upload.filename.is_empty() {
        return Ok(page.refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Selecione o arquivo CSV.".into(),
        ));
    }
    let dry_run = upload.action.as_deref() != Some("importar");
    let report = match state
        .admin
        .import_csv(&actor, &upload.content, dry_run)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let issues = e.into_issues()?;
            let message = issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" ");
            return Ok(page.refused(StatusCode::UNPROCESSABLE_ENTITY, message));
        }
    };
    let mut page = page;
    let status = if report.applied {
        page.outcome = "importado";
        StatusCode::OK
    } else if dry_run {
        page.outcome = "simulacao";
        StatusCode::OK
    } else {
        page.outcome = "recusado";
        page.errors.push(FormError::general(format!(
            "Nada foi importado: o arquivo tem {}, listados abaixo. Corrija-os e envie de novo.",
            adesao_domain::text::plural(report.problems(), "problema", "problemas")
        )));
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.report = Some(report);
    Ok((status, page).into_response())
}
