//! `GET /api/v1/me`.

use adesao_store::accounts::Account;
use axum::Json;
use serde::Serialize;

use super::auth::ApiUser;

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrganizationView {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub id: i64,
    pub cpf: String,
    pub name: String,
    pub email: String,
    pub organization: OrganizationView,
    #[schema(schema_with = super::schemas::roles)]
    pub roles: Vec<adesao_domain::Role>,
}

impl From<&Account> for MeView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.user.id,
            cpf: a.user.cpf.formatted(),
            name: a.user.name.clone(),
            email: a.user.email.clone(),
            organization: OrganizationView {
                id: a.organization.id,
                name: a.organization.name.clone(),
                acronym: a.organization.acronym.clone(),
                cnpj: a.organization.cnpj.formatted(),
            },
            roles: a.roles.clone(),
        }
    }
}

/// The authenticated user, their organization and roles.
#[utoipa::path(get, path = "/me", operation_id = "getMe", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView)))]
pub async fn me(ApiUser(account): ApiUser) -> Json<MeView> {
    Json(MeView::from(&account))
}
