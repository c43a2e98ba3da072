//! Messages waiting to be sent (email, SMS). A service writes them in the same transaction as the
//! event that causes them, so none is lost or sent for an event that was rolled back; the
//! notifier delivers them later, with retries.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    fn parse(code: &str) -> StoreResult<Self> {
        match code {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            other => Err(StoreError::corrupt("outbox.channel", other)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(code: &str) -> StoreResult<Self> {
        match code {
            "pending" => Ok(DeliveryStatus::Pending),
            "sent" => Ok(DeliveryStatus::Sent),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(StoreError::corrupt("outbox.status", other)),
        }
    }
}

pub struct NewMessage<'a> {
    pub channel: Channel,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub request_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Timestamp,
    pub request_id: Option<i64>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, channel, recipient, subject, body, status, attempts, last_error, \
                       next_attempt_at, request_id, created_at, sent_at";

fn from_row(row: &AnyRow) -> StoreResult<OutboxMessage> {
    let ts = |col: &'static str| -> StoreResult<Timestamp> {
        let text: String = row.try_get(col)?;
        time::from_db(col, &text)
    };
    let sent_at: Option<String> = row.try_get("sent_at")?;
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        channel: Channel::parse(&row.try_get::<String, _>("channel")?)?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: DeliveryStatus::parse(&row.try_get::<String, _>("status")?)?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: ts("next_attempt_at")?,
        request_id: row.try_get("request_id")?,
        created_at: ts("created_at")?,
        sent_at: sent_at.map(|s| time::from_db("sent_at", &s)).transpose()?,
    })
}

pub async fn enqueue(conn: &mut AnyConnection, message: &NewMessage<'_>) -> StoreResult<i64> {
    let now = time::to_db(time::now());
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, subject, body, next_attempt_at, request_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5) RETURNING id",
    )
    .bind(message.channel.code())
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .bind(now)
    .bind(message.request_id)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Takes up to `limit` pending messages that are due, leasing each until `lease_until` so that
/// another worker (another process on the same database) skips it meanwhile. A message whose
/// lease was taken by someone else between the read and the update is left out.
pub async fn claim_due(
    conn: &mut AnyConnection,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(time::to_db(now))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut message = from_row(row)?;
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(time::to_db(lease_until))
        .bind(message.id)
        .bind(time::to_db(message.next_attempt_at))
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            message.next_attempt_at = lease_until;
            claimed.push(message);
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(conn: &mut AnyConnection, id: i64, at: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL \
         WHERE id = $2",
    )
    .bind(time::to_db(at))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up (`failed`) when `None`.
pub async fn mark_attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    retry_at: Option<Timestamp>,
) -> StoreResult<()> {
    match retry_at {
        Some(at) => {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
                 WHERE id = $3",
            )
            .bind(error)
            .bind(time::to_db(at))
            .bind(id)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1 WHERE id = $2",
            )
            .bind(error)
            .bind(id)
            .execute(conn)
            .await?
        }
    };
    Ok(())
}

/// A page of the outbox, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2");
    let rows = sqlx::query(&sql)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}
