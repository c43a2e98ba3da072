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
            ServiceError::Conflict(m) | ServiceError::ConflictWith { message: m, .. } => {
                PageError::Conflict(m)
            }
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
    /// The page the user came from (same site only), to go back to it.
    back: Option<String>,
}

/// What an error page says, kept on its response so that [`in_context`] can draw it again
/// around the logged-in user (a `PageError` is made where no request is at hand).
#[derive(Clone)]
struct ErrorContent {
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
        let content = ErrorContent {
            heading,
            message,
            tone,
        };
        let mut response = (status, content.page(Layout::anonymous(), None)).into_response();
        response.extensions_mut().insert(content);
        response
    }
}

impl ErrorContent {
    fn page(&self, layout: Layout, back: Option<String>) -> ErrorPage {
        ErrorPage {
            layout,
            heading: self.heading,
            message: self.message.clone(),
            tone: self.tone,
            back,
        }
    }
}

/// Middleware: an error page is drawn with the header of the user who met it (their name,
/// the menu, Sair — not "Entrar" as if they were logged out) and a way back to the page they
/// came from. Costs a session lookup only when a page failed.
pub async fn in_context(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::header::{COOKIE, REFERER};
    let referer = request
        .headers()
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| same_site_path(r, request.headers()));
    // Only the cookies are kept for after (to find the session), not the whole request.
    let cookies: Vec<_> = request.headers().get_all(COOKIE).iter().cloned().collect();
    let response = next.run(request).await;
    let Some(content) = response.extensions().get::<ErrorContent>().cloned() else {
        return response;
    };
    let mut parts = axum::http::Request::new(()).into_parts().0;
    for cookie in cookies {
        parts.headers.append(COOKIE, cookie);
    }
    let user = <crate::session::CurrentUser as axum::extract::OptionalFromRequestParts<_>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    .ok()
    .flatten();
    if user.is_none() && referer.is_none() {
        return response;
    }
    let status = response.status();
    let mut redrawn = (
        status,
        content.page(Layout::for_optional(user.as_ref()), referer),
    )
        .into_response();
    // Headers the handler set (Retry-After, say) stay.
    for (name, value) in response.headers() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            redrawn.headers_mut().insert(name.clone(), value.clone());
        }
    }
    redrawn
}

/// The path of a Referer of this site (same host), or None.
fn same_site_path(referer: &str, headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let path = rest.strip_prefix(host)?;
    crate::session::safe_next(Some(path)).filter(|p| !p.is_empty())
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
