//! `GET /api/v1/admin/outbox` and `POST /api/v1/admin/outbox/{id}/retry`.

use adesao_services::admin::{OutboxQuery, Paging};
use adesao_services::requests::actor_of;
use adesao_store::outbox::OutboxMessage;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page;
use crate::api::auth::ApiUser;
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::problem::Problem;
use crate::api::schemas;
use crate::api::views::Page;
use crate::format::rfc3339;
use crate::state::AppState;

/// A message of the outbox and its delivery.
#[derive(Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    #[schema(schema_with = schemas::channel)]
    pub channel: &'static str,
    /// An e-mail address, or a mobile number in E.164 (`+5561911110011`).
    pub recipient: String,
    /// Empty for an SMS.
    pub subject: String,
    /// The plain text. An SMS delivered by the gateway shows its code masked.
    pub body: String,
    /// Whether the e-mail has an HTML alternative (sent with the text).
    pub has_html: bool,
    #[schema(schema_with = schemas::delivery_status)]
    pub status: &'static str,
    pub attempts: i64,
    /// Why the last attempt failed (pt-BR), until one succeeds.
    pub last_error: Option<String>,
    pub request_id: Option<i64>,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    /// When a pending message is tried next (while a worker holds it: when its hold ends).
    pub next_attempt_at: Option<String>,
    pub sent_at: Option<String>,
}

impl From<&OutboxMessage> for OutboxView {
    fn from(m: &OutboxMessage) -> Self {
        let pending = m.status == adesao_store::outbox::DeliveryStatus::Pending;
        Self {
            id: m.id,
            channel: m.channel.code(),
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            has_html: m.html_body.is_some(),
            status: m.status.code(),
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            request_id: m.request_id,
            created_at: rfc3339(m.created_at),
            last_attempt_at: m.last_attempt_at.map(rfc3339),
            next_attempt_at: pending.then(|| rfc3339(m.next_attempt_at)),
            sent_at: m.sent_at.map(rfc3339),
        }
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    #[param(schema_with = schemas::delivery_status)]
    status: Option<String>,
    #[param(schema_with = schemas::channel)]
    channel: Option<String>,
    /// Words in the recipient or the subject (any case).
    search: Option<String>,
    #[param(schema_with = schemas::page)]
    page: Option<i64>,
    #[param(schema_with = schemas::per_page)]
    per_page: Option<i64>,
}

/// The outbox (e-mails and SMS), newest first, by status and channel: program admins only.
#[utoipa::path(get, path = "/admin/outbox", operation_id = "listOutbox", tag = "admin",
    security(("bearer" = [])), params(OutboxParams),
    responses((status = 200, body = Page<OutboxView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<OutboxParams>,
) -> Result<Json<Page<OutboxView>>, Problem> {
    let found = state
        .admin
        .outbox(
            &actor_of(&account),
            &OutboxQuery {
                status: q.status,
                channel: q.channel,
                search: q.search,
            },
            &Paging {
                page: q.page,
                per_page: q.per_page,
                past_the_end_shows_last: false,
            },
        )
        .await?;
    Ok(Json(page(found, |m| OutboxView::from(m))))
}

/// Sends a failed message again (one more attempt, at once). 409 unless it failed.
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", operation_id = "retryOutboxMessage", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = OutboxView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OutboxView>, Problem> {
    let message = state.admin.retry_message(&actor_of(&account), id).await?;
    Ok(Json(OutboxView::from(&message)))
}
