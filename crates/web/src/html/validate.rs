//! Validar documento (`/validar`, SPEC §7): public, no login. A PDF is uploaded and each of its
//! signatures shown; nothing is stored, so the form needs no CSRF token, only a same-origin post.

use adesao_services::requests::validation::SignatureCheck;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::csrf::check_origin;
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::upload;

#[derive(Template, WebTemplate)]
#[template(path = "validate.html")]
pub struct ValidatePage {
    layout: Layout,
    errors: Vec<FormError>,
    file_error: Option<String>,
    max_mib: usize,
    filename: Option<String>,
    result: Option<Vec<SignatureCheck>>,
    all_valid: bool,
}

impl ValidatePage {
    fn new(state: &AppState, user: Option<&CurrentUser>) -> Self {
        Self {
            layout: user.map(Layout::for_user).unwrap_or_else(Layout::anonymous),
            errors: Vec::new(),
            file_error: None,
            max_mib: (state.max_upload_bytes / (1024 * 1024)).max(1),
            filename: None,
            result: None,
            all_valid: false,
        }
    }

    fn refused(mut self, status: StatusCode, message: String) -> Response {
        self.errors.push(FormError::field("file", message.clone()));
        self.file_error = Some(message);
        (status, self).into_response()
    }
}

pub async fn show(State(state): State<AppState>, user: Option<CurrentUser>) -> ValidatePage {
    ValidatePage::new(&state, user.as_ref())
}

pub async fn validate(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let page = ValidatePage::new(&state, user.as_ref());
    let Ok(multipart) = multipart else {
        let message = "Envie o documento pelo formulário da página.".to_owned();
        return Ok(page.refused(StatusCode::BAD_REQUEST, message));
    };
    let form = match upload::read_form(multipart, "file", state.max_upload_bytes, false).await {
        Ok(form) => form,
        Err(e) => {
            let status = match e {
                upload::UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return Ok(page.refused(status, e.message()));
        }
    };
    let filename = Some(adesao_domain::filename::sanitize_pdf_name(&form.filename));
    match state.requests.validate_document(form.content).await {
        Ok(checks) => Ok(ValidatePage {
            all_valid: checks.iter().all(|c| c.valid),
            result: Some(checks),
            filename,
            ..page
        }
        .into_response()),
        Err(adesao_services::ServiceError::Unsupported(message)) => {
            Ok(page.refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, message))
        }
        Err(e) => {
            let issues = e.into_issues()?;
            let message = issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" ");
            Ok(page.refused(StatusCode::UNPROCESSABLE_ENTITY, message))
        }
    }
}
