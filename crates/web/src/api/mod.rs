//! The JSON API under `/api/v1` (SPEC §11): bearer-token authentication, problem+json errors.

mod attachments;
mod auth;
mod catalogue;
mod json;
mod me;
mod openapi;
pub mod problem;
mod requests;
mod signing;
mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use problem::Problem;

/// `max_upload` bytes of file, plus room for the multipart envelope.
pub fn router(max_upload: usize) -> Router<AppState> {
    let upload_limit = axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024);
    Router::new()
        .route(
            "/auth/token",
            post(auth::issue_token).delete(auth::revoke_token),
        )
        .route("/me", get(me::me))
        .route("/openapi.json", get(openapi::document))
        .route("/apis", get(catalogue::apis))
        .route(
            "/organizations/{id}/signatories",
            get(catalogue::signatories),
        )
        .route("/admin/outbox", get(catalogue::outbox))
        .route("/requests", get(requests::list).post(requests::create))
        .route(
            "/requests/{id}",
            get(requests::show).patch(requests::update),
        )
        .route("/requests/{id}/history", get(requests::history))
        .route(
            "/requests/{id}/attachments",
            get(attachments::list)
                .post(attachments::create)
                .layer(upload_limit),
        )
        .route(
            "/requests/{id}/attachments/{aid}",
            get(attachments::download).delete(attachments::delete),
        )
        .route("/apis/{id}/models/{kind}", get(attachments::model))
        .route("/requests/{id}/dsi", get(requests::dsi))
        .route("/requests/{id}/{action}", post(requests::transition))
        .route("/signing-sessions", post(signing::start))
        .route("/signing-sessions/{id}", get(signing::show))
        .route("/signing-sessions/{id}/authorize", post(signing::authorize))
        .route("/signing-sessions/{id}/resend", post(signing::resend))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "Método não permitido para este recurso.",
            )
        })
}

/// `page` (1 to 1,000,000) and `per_page` (1 to 100) of a list, or 400 naming the one out of range.
pub(crate) fn paging(
    page: Option<i64>,
    per_page: Option<i64>,
    default_per_page: i64,
) -> Result<(i64, i64), Problem> {
    use adesao_services::requests::ListPage;
    let page = page.unwrap_or(1);
    if !(1..=ListPage::MAX_PAGE).contains(&page) {
        return Err(requests::bad_query(
            "page",
            "page deve estar entre 1 e 1.000.000.",
        ));
    }
    let per_page = per_page.unwrap_or(default_per_page);
    if !(1..=100).contains(&per_page) {
        return Err(requests::bad_query(
            "per_page",
            "per_page deve estar entre 1 e 100.",
        ));
    }
    Ok((page, per_page))
}
