//! The JSON API under `/api/v1` (SPEC §11): bearer-token authentication, problem+json errors.
//!
//! The routes and the OpenAPI document come from one list (`utoipa_axum::routes!`): a handler
//! is routed only with its `#[utoipa::path]`, so nothing answers that the document does not
//! describe.

mod account;
mod admin;
mod attachments;
mod auth;
mod catalogue;
mod dsi;
mod extract;
mod me;
mod openapi;
pub mod problem;
mod reports;
mod requests;
mod schemas;
mod signing;
mod validate;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::state::AppState;
use problem::Problem;

pub use admin::import::model_csv;
pub use openapi::BASE;

/// The API's routes (relative to [`BASE`]) and its OpenAPI document. `max_upload` bytes of
/// file, plus room for the multipart envelope, on the upload route.
pub fn router(max_upload: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let upload_limit = axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024);
    let (router, doc) = OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(auth::issue_token, auth::revoke_token))
        .routes(routes!(me::me))
        .routes(routes!(catalogue::apis))
        .routes(routes!(catalogue::signatories))
        .routes(routes!(account::change_password))
        .routes(routes!(account::people))
        .routes(routes!(
            admin::organizations::list,
            admin::organizations::create
        ))
        .routes(routes!(
            admin::organizations::show,
            admin::organizations::update
        ))
        .routes(routes!(admin::users::list, admin::users::create))
        .routes(routes!(admin::users::show, admin::users::update))
        .routes(routes!(admin::apis::list, admin::apis::create))
        .routes(routes!(admin::apis::show, admin::apis::update))
        .routes(routes!(admin::apis::set_model).layer(upload_limit))
        .routes(routes!(admin::audit::list))
        .routes(routes!(admin::outbox::list))
        .routes(routes!(admin::outbox::retry))
        .routes(routes!(admin::import::import))
        .routes(routes!(admin::import::model))
        .routes(routes!(attachments::model))
        .routes(routes!(requests::list, requests::create))
        .routes(routes!(reports::requests_csv))
        .routes(routes!(reports::requests_pdf))
        .routes(routes!(requests::show, requests::update))
        .routes(routes!(requests::history))
        .routes(routes!(dsi::dsi))
        .routes(routes!(dsi::dsi_pdf))
        .routes(routes!(requests::release))
        .routes(routes!(requests::cancel))
        .routes(routes!(requests::approve))
        .routes(routes!(requests::refuse))
        .routes(routes!(requests::grant))
        .routes(routes!(requests::copy))
        .routes(routes!(dsi::sign))
        .routes(routes!(attachments::list, attachments::create).layer(upload_limit))
        .routes(routes!(attachments::download, attachments::delete))
        .routes(routes!(signing::start))
        .routes(routes!(signing::show))
        .routes(routes!(signing::authorize))
        .routes(routes!(signing::resend))
        .routes(routes!(signing::ca_pem))
        .routes(routes!(validate::validate).layer(upload_limit))
        .split_for_parts();
    let doc = openapi::finish(doc);
    let json: Arc<str> = serde_json::to_string(&doc)
        .expect("the OpenAPI document serialises")
        .into();
    let router = router
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        json.to_string(),
                    )
                        .into_response()
                }
            }),
        )
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(method_not_allowed);
    (router, doc)
}

async fn method_not_allowed() -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Método não permitido para este recurso.",
    )
    .into_response()
}
