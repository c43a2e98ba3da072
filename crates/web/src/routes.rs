//! Every route of the application.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::html::requests as rq;
use crate::state::AppState;
use crate::{api, assets, html};

pub fn router(state: AppState) -> Router {
    let hsts = state.cookies.secure;
    let routes = Router::new()
        .route("/", get(html::pages::home))
        .route("/login", get(html::login::show).post(html::login::submit))
        .route("/logout", post(html::login::logout))
        .route("/termos", get(html::pages::terms))
        .route("/solicitacoes", get(rq::list::show).post(rq::form::create))
        .route("/solicitacoes/nova", get(rq::form::choose_api))
        .route("/solicitacoes/nova/formulario", get(rq::form::new_form))
        .route("/solicitacoes/{id}", get(rq::detail::show))
        .route(
            "/solicitacoes/{id}/alterar",
            get(rq::form::edit_form).post(rq::form::update),
        )
        .route("/solicitacoes/{id}/liberar", post(rq::actions::release))
        .route("/solicitacoes/{id}/cancelar", post(rq::actions::cancel))
        .route("/solicitacoes/{id}/aprovar", post(rq::actions::approve))
        .route("/solicitacoes/{id}/recusar", post(rq::actions::refuse))
        .route("/solicitacoes/{id}/deferir", post(rq::actions::grant))
        .route("/solicitacoes/{id}/copiar", post(rq::actions::copy))
        .route(
            "/solicitacoes/{id}/anexos",
            post(rq::attachments::upload).layer(axum::extract::DefaultBodyLimit::max(
                state.max_upload_bytes + 64 * 1024,
            )),
        )
        .route(
            "/solicitacoes/{id}/anexos/{aid}",
            get(rq::attachments::download),
        )
        .route(
            "/solicitacoes/{id}/anexos/{aid}/remover",
            post(rq::attachments::remove),
        )
        .route("/apis/{id}/modelos/{kind}", get(rq::attachments::model))
        .route(
            "/solicitacoes/{id}/assinar",
            get(rq::signing::show).post(rq::signing::sign),
        )
        .route(
            "/autorizacao/{id}",
            get(rq::signing::authorize_form).post(rq::signing::authorize),
        )
        .route("/autorizacao/{id}/reenviar", post(rq::signing::resend))
        .route("/assinaturas-pendentes", get(rq::signing::pending))
        .route("/admin/mensagens", get(html::admin::outbox))
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .nest(api::BASE, api::router(state.max_upload_bytes).0)
        .fallback(html::pages::not_found)
        .method_not_allowed_fallback(html::pages::method_not_allowed);
    crate::security::add_headers(routes, hsts)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::limits::max_body_bytes(),
        ))
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
