//! Every route of the application.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::html::admin as adm;
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
        .route(
            "/validar",
            get(html::validate::show)
                .post(html::validate::validate)
                .layer(axum::extract::DefaultBodyLimit::max(
                    state.max_upload_bytes + 64 * 1024,
                )),
        )
        .route("/solicitacoes", get(rq::list::show).post(rq::form::create))
        .route("/solicitacoes/relatorio.csv", get(rq::list::report_csv))
        .route("/solicitacoes/relatorio.pdf", get(rq::list::report_pdf))
        .route("/solicitacoes/nova", get(rq::form::choose_api))
        .route("/solicitacoes/voltar", get(rq::list_memory::back))
        .route("/solicitacoes/nova/formulario", get(rq::form::new_form))
        .route("/solicitacoes/{id}", get(rq::detail::show))
        .route(
            "/solicitacoes/{id}/alterar",
            get(rq::form::edit_form).post(rq::form::update),
        )
        .route("/solicitacoes/{id}/liberar", post(rq::actions::release))
        .route(
            "/solicitacoes/{id}/cancelar",
            get(rq::confirm::confirm_cancel).post(rq::actions::cancel),
        )
        .route("/solicitacoes/{id}/aprovar", post(rq::actions::approve))
        .route("/solicitacoes/{id}/recusar", post(rq::actions::refuse))
        .route(
            "/solicitacoes/{id}/deferir",
            get(rq::confirm::confirm_grant).post(rq::actions::grant),
        )
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
            get(rq::confirm::confirm_remove).post(rq::attachments::remove),
        )
        .route("/apis/{id}/modelos/{kind}", get(rq::attachments::model))
        .route("/solicitacoes/{id}/dsi.pdf", get(rq::signing::dsi_pdf))
        .route(
            "/solicitacoes/{id}/assinar",
            get(rq::signing::show).post(rq::signing::sign),
        )
        .route("/solicitacoes/{id}/assinar-a1", post(rq::certificate::sign))
        .route(
            "/autorizacao/{id}",
            get(rq::signing::authorize_form).post(rq::signing::authorize),
        )
        .route("/autorizacao/{id}/reenviar", post(rq::signing::resend))
        .route("/assinaturas-pendentes", get(rq::signing::pending))
        .route("/admin/mensagens", get(html::admin::outbox::outbox))
        .route(
            "/admin/mensagens/{id}/reenviar",
            post(html::admin::outbox::retry),
        )
        .route(
            "/admin/orgaos",
            get(adm::organizations::list).post(adm::organizations::create),
        )
        .route("/admin/orgaos/novo", get(adm::organizations::new_form))
        .route(
            "/admin/orgaos/{id}",
            get(adm::organizations::edit_form).post(adm::organizations::update),
        )
        .route(
            "/admin/orgaos/{id}/desativar",
            get(adm::organizations::confirm_deactivate).post(adm::organizations::deactivate),
        )
        .route(
            "/admin/orgaos/{id}/reativar",
            post(adm::organizations::reactivate),
        )
        .route(
            "/admin/usuarios",
            get(adm::users::list).post(adm::users::create),
        )
        .route("/admin/usuarios/novo", get(adm::users::new_form))
        .route(
            "/admin/usuarios/{id}",
            get(adm::users::edit_form).post(adm::users::update),
        )
        .route(
            "/admin/usuarios/{id}/desativar",
            get(adm::users::confirm_deactivate).post(adm::users::deactivate),
        )
        .route(
            "/admin/usuarios/{id}/reativar",
            post(adm::users::reactivate),
        )
        .route("/admin/apis", get(adm::apis::list).post(adm::apis::create))
        .route("/admin/apis/nova", get(adm::apis::new_form))
        .route(
            "/admin/apis/{id}",
            get(adm::apis::edit_form).post(adm::apis::update),
        )
        .route(
            "/admin/apis/{id}/desativar",
            get(adm::apis::confirm_deactivate).post(adm::apis::deactivate),
        )
        .route("/admin/apis/{id}/reativar", post(adm::apis::reactivate))
        .route(
            "/admin/apis/{id}/modelos",
            post(adm::apis::upload_model).layer(axum::extract::DefaultBodyLimit::max(
                state.max_upload_bytes + 64 * 1024,
            )),
        )
        .route(
            "/admin/importacao",
            get(adm::import::show).post(adm::import::submit).layer(
                axum::extract::DefaultBodyLimit::max(
                    adesao_services::admin::MAX_IMPORT_BYTES + 64 * 1024,
                ),
            ),
        )
        .route("/admin/importacao/modelo.csv", get(adm::import::model))
        .route("/admin/auditoria", get(adm::audit::show))
        .route("/minha-conta", get(html::account::show))
        .route("/minha-conta/senha", post(html::account::change_password))
        .route("/meu-orgao", get(html::account::people))
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .nest(api::BASE, api::router(state.max_upload_bytes).0)
        .fallback(html::pages::not_found)
        .method_not_allowed_fallback(html::pages::method_not_allowed);
    let routes = routes.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        html::error::in_context,
    ));
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
