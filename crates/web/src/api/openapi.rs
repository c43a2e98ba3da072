//! The OpenAPI document of `/api/v1`, generated from the handlers' annotations and the response
//! types themselves (utoipa), served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{attachments, auth, catalogue, me, problem, requests, signing, views};

#[derive(OpenApi)]
#[openapi(
    info(title = "Adesão — API", version = "1", description = "Solicitações de adesão a APIs do Conecta gov.br. Erros em application/problem+json (RFC 9457) com `detail` em português."),
    paths(
        auth::issue_token, auth::revoke_token, me::me, catalogue::apis, catalogue::signatories, catalogue::outbox,
        requests::list, requests::create, requests::show, requests::update, requests::transition,
        requests::history, requests::dsi,
        signing::start, signing::show, signing::authorize, signing::resend,
        attachments::list, attachments::create, attachments::download, attachments::delete, attachments::model,
    ),
    components(schemas(
        problem::Problem, problem::FieldError, views::RequestView, views::ListItemView, views::EventView,
        views::SessionJson, views::OutboxView, views::AttachmentView, requests::RequestBody, requests::PurposeBody,
        requests::CommentBody, requests::ApproveBody, requests::RefuseBody, requests::SignBody,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
