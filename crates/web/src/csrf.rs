//! Protection of state-changing forms against cross-site request forgery.
//!
//! Logged-in forms carry the session's secret token in a hidden `csrf_token` field
//! (synchroniser token); the login form, before any session exists, carries a random value that
//! must equal a cookie set with the form (double submit). Both also refuse a request whose
//! `Origin` names another site. The session cookie is SameSite=Lax on top of this.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::html::PageError;
use crate::session::CurrentUser;
use crate::state::AppState;

const MALFORMED: &str = "O formulário enviado está incompleto ou malformado.";
const TOO_LARGE: &str =
    "O formulário enviado passa do tamanho máximo aceito. Encurte os textos e envie-o novamente.";

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

/// A urlencoded form posted by a logged-in user, its CSRF token checked.
pub struct CsrfForm<T> {
    pub user: CurrentUser,
    pub form: T,
}

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers).map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PageError::TooLarge(TOO_LARGE.into()).into_response()
                } else {
                    PageError::BadRequest(MALFORMED.into()).into_response()
                }
            })?;
        let token = token_of(&bytes);
        if !tokens_match(token.as_deref(), &user.csrf_token) {
            return Err(PageError::csrf().into_response());
        }
        let form = serde_html_form::from_bytes(&bytes).map_err(|e| {
            tracing::debug!(error = %e, "malformed form");
            PageError::BadRequest(MALFORMED.into()).into_response()
        })?;
        Ok(CsrfForm { user, form })
    }
}

/// A urlencoded form posted without a session (the login form), whose refusal is a pt-BR page.
/// Its handler checks the double-submit token itself.
pub struct PlainForm<T>(pub T);

impl<T, S> FromRequest<S> for PlainForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(form)) => Ok(PlainForm(form)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(PageError::TooLarge(TOO_LARGE.into()).into_response())
            }
            Err(e) => {
                tracing::debug!(error = %e.body_text(), "malformed form");
                Err(PageError::BadRequest(MALFORMED.into()).into_response())
            }
        }
    }
}

/// The `csrf_token` field of a urlencoded body, if any.
pub fn token_of(body: &[u8]) -> Option<String> {
    serde_html_form::from_bytes::<CsrfField>(body)
        .ok()
        .and_then(|f| f.csrf_token)
}

/// Constant-time comparison, so response timing does not leak the token byte by byte.
pub fn tokens_match(given: Option<&str>, expected: &str) -> bool {
    match given {
        Some(given) if !expected.is_empty() => given.as_bytes().ct_eq(expected.as_bytes()).into(),
        _ => false,
    }
}

/// Refuses a form posted from another site when the browser says so (`Origin`). Requests
/// without `Origin` (old browsers, non-browser clients) rely on the token alone.
pub fn check_origin(headers: &HeaderMap) -> Result<(), PageError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        tracing::warn!(origin, host, "cross-origin form post refused");
        Err(PageError::csrf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_must_be_present_and_equal() {
        assert!(tokens_match(Some("abc"), "abc"));
        assert!(!tokens_match(Some("abd"), "abc"));
        assert!(!tokens_match(None, "abc"));
        assert!(!tokens_match(Some(""), ""));
    }

    #[test]
    fn reads_the_token_among_other_fields() {
        assert_eq!(token_of(b"a=1&csrf_token=xyz&b=2").as_deref(), Some("xyz"));
        assert_eq!(token_of(b"a=1"), None);
    }

    #[test]
    fn same_origin_passes_and_other_origins_fail() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(check_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(check_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(check_origin(&h).is_err());
    }
}
