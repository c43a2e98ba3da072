//! `/api/v1/admin/users…`.

use adesao_domain::Role;
use adesao_services::admin::{RoleInput, UserInput};
use adesao_services::requests::actor_of;
use adesao_store::users::Listed;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{SearchQuery, created_at, page};
use crate::api::auth::ApiUser;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, integer, present};
use crate::api::me::OrganizationView;
use crate::api::problem::Problem;
use crate::api::schemas;
use crate::api::views::Page;
use crate::state::AppState;

/// A role and the period it counts in (both ends optional and inclusive).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleGrantView {
    #[schema(schema_with = schemas::role)]
    role: String,
    /// `YYYY-MM-DD`; null: since always.
    #[schema(schema_with = schemas::nullable_date)]
    #[serde(default)]
    starts_on: Option<String>,
    /// `YYYY-MM-DD`, the last day the role counts; null: without end.
    #[schema(schema_with = schemas::nullable_date)]
    #[serde(default)]
    ends_on: Option<String>,
}

/// A user as the administration shows them (SPEC §11).
#[derive(Serialize, ToSchema)]
pub struct AdminUserView {
    id: i64,
    cpf: String,
    name: String,
    email: String,
    mobile: String,
    organization: OrganizationView,
    roles: Vec<RoleGrantView>,
    /// The roles that count today (inside their periods).
    #[schema(schema_with = schemas::roles)]
    current_roles: Vec<Role>,
    active: bool,
}

impl AdminUserView {
    pub fn new(l: &Listed, today: jiff::civil::Date) -> Self {
        Self {
            id: l.user.id,
            cpf: l.user.cpf.formatted(),
            name: l.user.name.clone(),
            email: l.user.email.clone(),
            mobile: l.user.mobile.to_string(),
            organization: OrganizationView {
                id: l.organization.id,
                name: l.organization.name.clone(),
                acronym: l.organization.acronym.clone(),
                cnpj: l.organization.cnpj.formatted(),
            },
            roles: l
                .grants
                .iter()
                .map(|g| RoleGrantView {
                    role: g.role.code().to_owned(),
                    starts_on: g.starts_on.map(|d| d.to_string()),
                    ends_on: g.ends_on.map(|d| d.to_string()),
                })
                .collect(),
            current_roles: l
                .grants
                .iter()
                .filter(|g| g.counts_on(today))
                .map(|g| g.role)
                .collect(),
            active: l.user.active,
        }
    }
}

fn today(state: &AppState) -> jiff::civil::Date {
    state.admin.today()
}

/// Users whose name or CPF, or whose organization's acronym or name, contains `q`.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearchQuery {
    #[param(schema_with = schemas::search)]
    q: Option<String>,
    /// Only the users of this organization.
    #[param(schema_with = schemas::id)]
    organization_id: Option<i64>,
    /// 1 to 1,000,000; past the last page the answer is 404.
    #[param(schema_with = schemas::page)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(schema_with = schemas::per_page)]
    per_page: Option<i64>,
}

/// A new user: every field but `active` (default true) and `roles` (default none) required,
/// with a first `password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(schema_with = schemas::cpf, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    cpf: Option<String>,
    #[schema(schema_with = schemas::person_name, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    name: Option<String>,
    #[schema(schema_with = schemas::email, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    email: Option<String>,
    #[schema(schema_with = schemas::mobile, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    mobile: Option<String>,
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::present")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "present::option")]
    roles: Option<Vec<RoleGrantView>>,
    #[serde(default, deserialize_with = "present::option")]
    active: Option<bool>,
    /// The first password, which the user changes in Minha conta.
    #[schema(schema_with = schemas::new_password, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    password: Option<String>,
}

/// Changes to a user: any subset. `roles` replaces the whole set; `password` sets a new one
/// (and, like `"active": false`, ends the user's sessions and tokens at once).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangesBody {
    #[schema(schema_with = schemas::cpf)]
    #[serde(default, deserialize_with = "present::option")]
    cpf: Option<String>,
    #[schema(schema_with = schemas::person_name)]
    #[serde(default, deserialize_with = "present::option")]
    name: Option<String>,
    #[schema(schema_with = schemas::email)]
    #[serde(default, deserialize_with = "present::option")]
    email: Option<String>,
    #[schema(schema_with = schemas::mobile)]
    #[serde(default, deserialize_with = "present::option")]
    mobile: Option<String>,
    #[schema(schema_with = schemas::id)]
    #[serde(default, deserialize_with = "integer::present")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "present::option")]
    roles: Option<Vec<RoleGrantView>>,
    #[serde(default, deserialize_with = "present::option")]
    active: Option<bool>,
    #[schema(schema_with = schemas::new_password)]
    #[serde(default, deserialize_with = "present::option")]
    password: Option<String>,
}

fn roles_input(roles: Option<Vec<RoleGrantView>>) -> Option<Vec<RoleInput>> {
    roles.map(|list| {
        list.into_iter()
            .map(|r| RoleInput {
                role: r.role,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
            })
            .collect()
    })
}

impl From<NewUserBody> for UserInput {
    fn from(b: NewUserBody) -> Self {
        Self {
            cpf: b.cpf,
            name: b.name,
            email: b.email,
            mobile: b.mobile,
            organization_id: b.organization_id,
            roles: roles_input(b.roles),
            active: b.active,
            password: b.password,
        }
    }
}

impl From<UserChangesBody> for UserInput {
    fn from(b: UserChangesBody) -> Self {
        Self {
            cpf: b.cpf,
            name: b.name,
            email: b.email,
            mobile: b.mobile,
            organization_id: b.organization_id,
            roles: roles_input(b.roles),
            active: b.active,
            password: b.password,
        }
    }
}

#[utoipa::path(get, path = "/admin/users", operation_id = "listUsers", tag = "admin",
    security(("bearer" = [])), params(UserSearchQuery),
    responses((status = 200, body = Page<AdminUserView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<UserSearchQuery>,
) -> Result<Json<Page<AdminUserView>>, Problem> {
    let found = state
        .admin
        .users(
            &actor_of(&account),
            q.q.as_deref(),
            q.organization_id,
            &SearchQuery::paging_of(q.page, q.per_page),
        )
        .await?;
    let today = today(&state);
    Ok(Json(page(found, |l| AdminUserView::new(l, today))))
}

/// Registers a user with a first password (CPF unique: 409).
#[utoipa::path(post, path = "/admin/users", operation_id = "createUser", tag = "admin",
    security(("bearer" = [])), request_body = NewUserBody,
    responses((status = 201, body = AdminUserView, headers(("Location" = String))),
        (status = 403, body = Problem), (status = 409, description = "CPF already registered", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<Response, Problem> {
    let created = state
        .admin
        .create_user(&actor_of(&account), &body.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        created_at(format!("/admin/users/{}", created.user.id)),
        Json(AdminUserView::new(&created, today(&state))),
    )
        .into_response())
}

#[utoipa::path(get, path = "/admin/users/{id}", operation_id = "getUser", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AdminUserView), (status = 403, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminUserView>, Problem> {
    let user = state.admin.user(&actor_of(&account), id).await?;
    Ok(Json(AdminUserView::new(&user, today(&state))))
}

/// Changes a user. The caller cannot deactivate themselves, drop their own program admin
/// role or set their own password here; the last program admin keeps the role (409).
#[utoipa::path(patch, path = "/admin/users/{id}", operation_id = "updateUser", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = UserChangesBody,
    responses((status = 200, body = AdminUserView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserChangesBody>,
) -> Result<Json<AdminUserView>, Problem> {
    let user = state
        .admin
        .update_user(&actor_of(&account), id, &body.into())
        .await?;
    Ok(Json(AdminUserView::new(&user, today(&state))))
}
