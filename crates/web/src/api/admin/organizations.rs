//! `/api/v1/admin/organizations…`.

use adesao_services::admin::OrganizationInput;
use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{AdminOrganizationView, SearchQuery, created_at, page};
use crate::api::auth::ApiUser;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, present};
use crate::api::problem::Problem;
use crate::api::schemas;
use crate::api::views::Page;
use crate::state::AppState;

/// The fields of an organization; all required to create one, any subset to change it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationBody {
    #[schema(schema_with = schemas::org_name)]
    #[serde(default, deserialize_with = "present::option")]
    name: Option<String>,
    #[schema(schema_with = schemas::acronym)]
    #[serde(default, deserialize_with = "present::option")]
    acronym: Option<String>,
    /// Numeric (`00.000.000/0000-00`) or alphanumeric, with or without punctuation; unique.
    #[schema(schema_with = schemas::cnpj)]
    #[serde(default, deserialize_with = "present::option")]
    cnpj: Option<String>,
    /// Whether it may own APIs of the catalogue (default false).
    #[serde(default, deserialize_with = "present::option")]
    provides_apis: Option<bool>,
    /// False deactivates it: its users can no longer log in, and it files no requests.
    #[serde(default, deserialize_with = "present::option")]
    active: Option<bool>,
}

impl From<OrganizationBody> for OrganizationInput {
    fn from(b: OrganizationBody) -> Self {
        Self {
            name: b.name,
            acronym: b.acronym,
            cnpj: b.cnpj,
            provides_apis: b.provides_apis,
            active: b.active,
        }
    }
}

/// Organizations whose name, acronym or CNPJ contains `q`, by acronym.
#[utoipa::path(get, path = "/admin/organizations", operation_id = "listOrganizations", tag = "admin",
    security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Page<AdminOrganizationView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Page<AdminOrganizationView>>, Problem> {
    let found = state
        .admin
        .organizations(&actor_of(&account), q.q.as_deref(), &q.paging())
        .await?;
    Ok(Json(page(found, |o| AdminOrganizationView::from(o))))
}

/// Registers an organization (name, acronym and CNPJ required; CNPJ and acronym unique: 409).
#[utoipa::path(post, path = "/admin/organizations", operation_id = "createOrganization", tag = "admin",
    security(("bearer" = [])), request_body = OrganizationBody,
    responses((status = 201, body = AdminOrganizationView, headers(("Location" = String))),
        (status = 403, body = Problem), (status = 409, description = "CNPJ or acronym already registered", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiJson(body): ApiJson<OrganizationBody>,
) -> Result<Response, Problem> {
    let created = state
        .admin
        .create_organization(&actor_of(&account), &body.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        created_at(format!("/admin/organizations/{}", created.id)),
        Json(AdminOrganizationView::from(&created)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/admin/organizations/{id}", operation_id = "getOrganization", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AdminOrganizationView), (status = 403, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminOrganizationView>, Problem> {
    let org = state.admin.organization(&actor_of(&account), id).await?;
    Ok(Json(AdminOrganizationView::from(&org)))
}

/// Changes an organization (any subset of the fields). Deactivating the caller's own
/// organization, or the one of the last program admins, is refused (409).
#[utoipa::path(patch, path = "/admin/organizations/{id}", operation_id = "updateOrganization", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = OrganizationBody,
    responses((status = 200, body = AdminOrganizationView), (status = 403, body = Problem),
        (status = 409, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OrganizationBody>,
) -> Result<Json<AdminOrganizationView>, Problem> {
    let org = state
        .admin
        .update_organization(&actor_of(&account), id, &body.into())
        .await?;
    Ok(Json(AdminOrganizationView::from(&org)))
}
