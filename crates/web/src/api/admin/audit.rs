//! `GET /api/v1/admin/audit`.

use adesao_services::admin::{AuditQuery, Paging};
use adesao_services::requests::actor_of;
use adesao_store::audit::{Change, Entry};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page;
use crate::api::auth::ApiUser;
use crate::api::extract::ApiQuery;
use crate::api::problem::Problem;
use crate::api::schemas;
use crate::api::views::{Named, Page};
use crate::format::rfc3339;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    field: String,
    /// As people read it (CPF and CNPJ formatted, flags "sim"/"não"); null: no value.
    before: Option<String>,
    after: Option<String>,
}

/// Who changed what, when.
#[derive(Serialize, ToSchema)]
pub struct AuditView {
    at: String,
    actor: Named,
    #[schema(schema_with = schemas::audit_entity)]
    entity: String,
    entity_id: i64,
    /// What the entity is called now (an organization's acronym, a user's or an API's name).
    entity_name: Option<String>,
    /// created, updated, deactivated, reactivated, password_set, model_set or imported.
    action: String,
    changes: Vec<ChangeView>,
}

impl From<&Entry> for AuditView {
    fn from(e: &Entry) -> Self {
        Self {
            at: rfc3339(e.at),
            actor: Named {
                id: e.actor_id,
                name: e.actor_name.clone(),
            },
            entity: e.entity.code().to_owned(),
            entity_id: e.entity_id,
            entity_name: e.entity_name.clone(),
            action: e.action.clone(),
            changes: e
                .changes
                .iter()
                .map(|c: &Change| ChangeView {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    #[param(schema_with = schemas::audit_entity)]
    entity: Option<String>,
    /// With `entity`: the history of one organization, user or API.
    #[param(schema_with = schemas::id)]
    entity_id: Option<i64>,
    /// Only the changes made by this user.
    #[param(schema_with = schemas::id)]
    actor_id: Option<i64>,
    #[param(schema_with = schemas::page)]
    page: Option<i64>,
    #[param(schema_with = schemas::per_page)]
    per_page: Option<i64>,
}

/// The audit of the administration, newest first.
#[utoipa::path(get, path = "/admin/audit", operation_id = "listAudit", tag = "admin",
    security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Page<AuditView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> Result<Json<Page<AuditView>>, Problem> {
    let found = state
        .admin
        .audit(
            &actor_of(&account),
            &AuditQuery {
                entity: q.entity,
                entity_id: q.entity_id,
                actor_id: q.actor_id,
            },
            &Paging {
                page: q.page,
                per_page: q.per_page,
                past_the_end_shows_last: false,
            },
        )
        .await?;
    Ok(Json(page(found, |e| AuditView::from(e))))
}
