//! Histórico: the append-only events of a request.

use adesao_domain::RequestStatus;
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: i64,
    pub actor_name: String,
    pub action: String,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub comment: Option<String>,
}

pub struct NewEvent<'a> {
    pub request_id: i64,
    pub at: Timestamp,
    pub actor_id: i64,
    pub action: &'a str,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub comment: Option<&'a str>,
}

pub async fn append(conn: &mut AnyConnection, e: &NewEvent<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO request_events (request_id, at, actor_id, action, from_status, to_status, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.request_id)
    .bind(time::to_db(e.at))
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.from_status.map(|s| s.code()))
    .bind(e.to_status.map(|s| s.code()))
    .bind(e.comment)
    .fetch_one(conn)
    .await?)
}

/// Newest first, as the seed shows the history.
pub async fn of_request(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT e.id, e.at, e.actor_id, u.name AS actor_name, e.action, e.from_status, e.to_status, e.comment \
         FROM request_events e JOIN users u ON u.id = e.actor_id WHERE e.request_id = $1 ORDER BY e.id DESC",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let status = |column: &'static str| -> StoreResult<Option<RequestStatus>> {
                let text: Option<String> = row.try_get(column)?;
                text.map(|t| t.parse().map_err(|e| StoreError::corrupt(column, e)))
                    .transpose()
            };
            let at: String = row.try_get("at")?;
            Ok(Event {
                id: row.try_get("id")?,
                at: time::from_db("request_events.at", &at)?,
                actor_id: row.try_get("actor_id")?,
                actor_name: row.try_get("actor_name")?,
                action: row.try_get("action")?,
                from_status: status("from_status")?,
                to_status: status("to_status")?,
                comment: row.try_get("comment")?,
            })
        })
        .collect()
}
