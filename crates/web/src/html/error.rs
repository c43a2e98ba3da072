use adesao_services::{AuthError, ServiceError};
use adesao_store::StoreError;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::Layout;

/// An error answered with a page. Internal causes go to the log; the page says only what the
/// user can act on.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    MethodNotAllowed,
    BadRequest(String),
    /// Values that are wrong (422), when no form is there to show them beside their fields.
    Invalid(String),
    Forbidden(String),
    Conflict(String),
    TooMany(String),
    TooLarge(String),
    /// Busy for now (503): the message says to try again shortly.
    Unavailable(String),
    Internal(String),
}

impl PageError {
    pub fn csrf() -> Self {
        PageError::Forbidden(
            "O formulário expirou ou não veio desta página. Volte, recarregue a página e tente novamente."
                .into(),
        )
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::Internal(e.to_string())
    }
}

/// Refusals of authentication outside the login form (which shows them beside its fields).
impl From<AuthError> for PageError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(e) => PageError::from(e),
            e @ AuthError::RateLimited { .. } => PageError::TooMany(e.to_string()),
            e @ (AuthError::Cpf(_) | AuthError::MissingPassword) => {
                PageError::Invalid(e.to_string())
            }
            e @ AuthError::WrongCredentials => PageError::Forbidden(e.to_string()),
        }
    }
}

/// Every refusal of the services as a page: the one mapping of the HTML skin (the API's is
/// `From<ServiceError> for Problem`).
impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound | ServiceError::PageNotFound { .. } => PageError::NotFound,
            ServiceError::Forbidden(m) => PageError::Forbidden(m),
            ServiceError::Conflict(m) => PageError::Conflict(m),
            e @ ServiceError::Taken(_) => PageError::Conflict(e.to_string()),
            ServiceError::Unsupported(m) => PageError::BadRequest(m),
            ServiceError::Invalid(issues) => PageError::Invalid(
                issues
                    .into_iter()
                    .map(|i| i.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            ServiceError::RateLimited { message, .. } => PageError::TooMany(message),
            ServiceError::Busy(m) => PageError::Unavailable(m),
            ServiceError::TooManyRows(m) => PageError::Invalid(m),
            ServiceError::Internal(cause) => PageError::Internal(cause),
            ServiceError::Store(e) => PageError::from(e),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    tone: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Página não encontrada",
                "O endereço não existe ou você não tem acesso a ele.".to_owned(),
            ),
            PageError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Ação não disponível neste endereço",
                "Este endereço não aceita esse tipo de envio. Volte à página anterior e use os botões dela.".to_owned(),
            ),
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Requisição inválida", m),
            PageError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, "Dados inválidos", m),
            PageError::Forbidden(m) => (StatusCode::FORBIDDEN, "Acesso negado", m),
            PageError::Conflict(m) => (StatusCode::CONFLICT, "Ação não realizada", m),
            PageError::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, "Aguarde um pouco", m),
            PageError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "Envio grande demais", m),
            PageError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "Sistema ocupado", m),
            PageError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Erro inesperado",
                    "Ocorreu um erro inesperado. Tente novamente em instantes.".to_owned(),
                )
            }
        };
        let tone = if status.is_server_error() {
            "danger"
        } else {
            "warning"
        };
        (
            status,
            ErrorPage {
                layout: Layout::anonymous(),
                heading,
                message,
                tone,
            },
        )
            .into_response()
    }
}

/// A refusal of an upload shown beside the file field (the status and the message), when it is
/// about the file; any other refusal comes back to be answered with the error page.
pub fn beside_the_file(e: ServiceError) -> Result<(StatusCode, String), ServiceError> {
    match e {
        ServiceError::Unsupported(message) => Ok((StatusCode::UNSUPPORTED_MEDIA_TYPE, message)),
        other => {
            let issues = other.into_issues()?;
            let message = issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" ");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, message))
        }
    }
}
