//! `/api/v1/apis`, `/api/v1/organizations/{id}/signatories`.

use adesao_domain::{AttachmentKind, Role};
use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::auth::ApiUser;
use super::extract::ApiPath;
use super::problem::Problem;
use super::schemas;

use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct RequirementView {
    #[schema(schema_with = schemas::attachment_kind)]
    kind: AttachmentKind,
    mandatory: bool,
    model_filename: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProviderView {
    id: i64,
    name: String,
    acronym: String,
    cnpj: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiView {
    id: i64,
    name: String,
    description: String,
    provider: ProviderView,
    attachment_requirements: Vec<RequirementView>,
}

/// The API catalogue with each API's provider and attachment requirements.
#[utoipa::path(get, path = "/apis", operation_id = "listApis", tag = "catalogue", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiView>)))]
pub async fn apis(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<ApiView>>, Problem> {
    let entries = state.requests.catalogue().await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| ApiView {
                id: e.api.id,
                name: e.api.name,
                description: e.api.description,
                provider: ProviderView {
                    id: e.provider.id,
                    name: e.provider.name,
                    acronym: e.provider.acronym,
                    cnpj: e.provider.cnpj.formatted(),
                },
                attachment_requirements: e
                    .requirements
                    .into_iter()
                    .map(|r| RequirementView {
                        kind: r.kind,
                        mandatory: r.mandatory,
                        model_filename: r.model_filename,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignatoryView {
    id: i64,
    name: String,
    #[schema(schema_with = schemas::roles)]
    roles: Vec<Role>,
}

/// Users who can sign for an organization (its own users and program admins only).
#[utoipa::path(get, path = "/organizations/{id}/signatories", operation_id = "listSignatories", tag = "catalogue",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<SignatoryView>)))]
pub async fn signatories(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(org_id): ApiPath<i64>,
) -> Result<Json<Vec<SignatoryView>>, Problem> {
    let people = state
        .requests
        .signatories(&actor_of(&account), org_id)
        .await?;
    Ok(Json(
        people
            .into_iter()
            .map(|p| SignatoryView {
                id: p.id,
                name: p.name,
                roles: p
                    .roles
                    .into_iter()
                    .filter(|r| matches!(r, Role::ItDirector | Role::TechnicalLead))
                    .collect(),
            })
            .collect(),
    ))
}
