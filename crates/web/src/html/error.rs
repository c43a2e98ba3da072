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
    BadRequest(String),
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
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Requisição inválida", m),
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
