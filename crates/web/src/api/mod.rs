//! The JSON API under `/api/v1` (SPEC §11): bearer-token authentication, problem+json errors.

mod auth;
mod json;
mod me;
pub mod problem;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(auth::issue_token))
        .route("/me", get(me::me))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "Método não permitido para este recurso.",
            )
        })
}
