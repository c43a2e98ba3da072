//! Who is asking: the browser session behind the cookie, as an extractor.

use adesao_services::Account;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use crate::html::PageError;
use crate::state::AppState;

/// A logged-in user of the HTML UI. Extracting it from a request without a live session
/// redirects to the login page, which brings the user back afterwards.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub csrf_token: String,
    pub session_token: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match <CurrentUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
        {
            Some(user) => Ok(user),
            None => Err(redirect_to_login(parts).into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar
            .get(state.cookies.session_cookie())
            .map(|c| c.value().to_owned())
        else {
            return Ok(None);
        };
        let live = state
            .auth
            .session(&token)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        Ok(live.map(|s| CurrentUser {
            account: s.account,
            csrf_token: s.csrf_token,
            session_token: token,
        }))
    }
}

/// To the login page, coming back to this page (GET) or to the home page (a form post, which
/// cannot be replayed by a redirect).
fn redirect_to_login(parts: &Parts) -> Redirect {
    if parts.method != axum::http::Method::GET {
        return Redirect::to("/login");
    }
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if target == "/" {
        return Redirect::to("/login");
    }
    let query = serde_html_form::to_string([("next", target)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}"))
}

/// A path to go back to after login, if it stays on this site.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let on_site = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let no_control = !next.chars().any(|c| c.is_control());
    (on_site && no_control).then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/solicitacoes?x=1")).as_deref(),
            Some("/solicitacoes?x=1")
        );
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x")), None);
        assert_eq!(safe_next(None), None);
    }
}
