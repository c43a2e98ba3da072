//! `POST /api/v1/me/password` (everyone) and `GET /api/v1/organizations/{id}/people` (the
//! organization's managers and the program team).

use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::admin::users::AdminUserView;
use super::auth::ApiUser;
use super::extract::{ApiJson, ApiPath};
use super::problem::Problem;
use super::schemas;
use crate::client::ClientAddr;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    #[schema(schema_with = schemas::password, required = true)]
    current_password: Option<String>,
    #[schema(schema_with = schemas::new_password, required = true)]
    new_password: Option<String>,
}

/// Changes the caller's own password. The current one is required (wrong: 422, counted
/// against the login limits: 429); the new one must be hard to guess (422 explains why not).
/// Every session and token of the caller ends, this one included: get a new token.
#[utoipa::path(post, path = "/me/password", operation_id = "changeOwnPassword", tag = "auth",
    security(("bearer" = [])), request_body = PasswordChangeBody,
    responses((status = 204, description = "Changed; every token of the caller is revoked"),
        (status = 429, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<PasswordChangeBody>,
) -> Result<StatusCode, Problem> {
    state
        .auth
        .change_own_password(
            &account,
            body.current_password.as_deref().unwrap_or(""),
            body.new_password.as_deref().unwrap_or(""),
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The people of an organization with their roles and periods: for its managers (read-only)
/// and the program team; 404 for anyone else.
#[utoipa::path(get, path = "/organizations/{id}/people", operation_id = "listOrganizationPeople", tag = "catalogue",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<AdminUserView>)))]
pub async fn people(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<AdminUserView>>, Problem> {
    let found = state
        .admin
        .organization_people(&actor_of(&account), id)
        .await?;
    let today = state.admin.today();
    Ok(Json(
        found
            .people
            .iter()
            .map(|l| AdminUserView::new(l, today))
            .collect(),
    ))
}
