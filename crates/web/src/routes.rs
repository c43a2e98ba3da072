//! Every route of the application.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::state::AppState;
use crate::{api, assets, html};

pub fn router(state: AppState) -> Router {
    let hsts = state.cookies.secure;
    let routes = Router::new()
        .route("/", get(html::pages::home))
        .route("/login", get(html::login::show).post(html::login::submit))
        .route("/logout", post(html::login::logout))
        .route("/termos", get(html::pages::terms))
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(html::pages::not_found);
    crate::security::add_headers(routes, hsts)
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
