//! "Voltar" from a request returns to the list as the user left it (filters and page): the
//! list remembers its query in a cookie, and `/solicitacoes/voltar` redirects there.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use crate::state::AppState;

const COOKIE: &str = "adesao_lista";

/// The `Set-Cookie` that remembers `query` (the list's own query string, as its links write it).
pub fn remember(state: &AppState, query: &str) -> Option<HeaderValue> {
    let secure = if state.cookies.secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={query}; Path=/solicitacoes; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// Only what the list writes: form-encoded letters, digits and `%&=+._-`, not too long.
fn looks_like_a_list_query(q: &str) -> bool {
    q.len() <= 1024
        && q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%&=+._-".contains(&b))
}

/// The list as the user left it, or the list.
pub fn back_link(headers: &HeaderMap) -> String {
    let jar = CookieJar::from_headers(headers);
    match jar.get(COOKIE).map(|c| c.value()) {
        Some(q) if !q.is_empty() && looks_like_a_list_query(q) => format!("/solicitacoes?{q}"),
        _ => "/solicitacoes".to_owned(),
    }
}

pub async fn back(headers: HeaderMap) -> Response {
    let mut response = Redirect::to(&back_link(&headers)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_list_query_is_followed() {
        let with = |cookie: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
            back_link(&h)
        };
        assert_eq!(
            with("adesao_lista=situacao=granted&pagina=2"),
            "/solicitacoes?situacao=granted&pagina=2"
        );
        assert_eq!(with("adesao_lista=//evil.example"), "/solicitacoes");
        assert_eq!(with("adesao_lista=a%0d%0a:x"), "/solicitacoes");
        assert_eq!(with("other=1"), "/solicitacoes");
    }
}
