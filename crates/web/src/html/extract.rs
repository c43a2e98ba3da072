//! Extractors of the pages whose refusals are the pt-BR error page, never axum's English
//! `text/plain`: the path (an address with a malformed id does not exist: 404) and the query
//! string (400).

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::PageError;

pub struct PagePath<T>(pub T);

impl<S, T> FromRequestParts<S> for PagePath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| PagePath(v))
            .map_err(|_| PageError::NotFound)
    }
}

pub struct PageQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for PageQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| PageQuery(v))
            .map_err(|e| {
                tracing::debug!(error = %e.body_text(), "malformed query");
                PageError::BadRequest(
                    "O endereço tem parâmetros inválidos. Volte e use os filtros da página.".into(),
                )
            })
    }
}
