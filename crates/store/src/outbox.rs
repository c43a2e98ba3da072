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
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "E-mail",
            Channel::Sms => "SMS",
        }
    }

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
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pendente",
            DeliveryStatus::Sent => "Enviada",
            DeliveryStatus::Failed => "Falhou",
        }
    }

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
    /// The plain text (an e-mail's text part, or the SMS).
    pub body: &'a str,
    /// An e-mail's HTML alternative.
    pub html_body: Option<&'a str>,
    /// What `body` becomes once a real transport delivered the message (a code masked).
    pub delivered_body: Option<&'a str>,
    pub request_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub html_body: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Timestamp,
    pub request_id: Option<i64>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub last_attempt_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, channel, recipient, subject, body, html_body, status, attempts, \
                       last_error, next_attempt_at, request_id, created_at, sent_at, last_attempt_at";

fn from_row(row: &AnyRow) -> StoreResult<OutboxMessage> {
    let ts = |col: &'static str| -> StoreResult<Timestamp> {
        let text: String = row.try_get(col)?;
        time::from_db(col, &text)
    };
    let optional_ts = |col: &'static str| -> StoreResult<Option<Timestamp>> {
        let text: Option<String> = row.try_get(col)?;
        text.map(|t| time::from_db(col, &t)).transpose()
    };
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        channel: Channel::parse(&row.try_get::<String, _>("channel")?)?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        html_body: row.try_get("html_body")?,
        status: DeliveryStatus::parse(&row.try_get::<String, _>("status")?)?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: ts("next_attempt_at")?,
        request_id: row.try_get("request_id")?,
        created_at: ts("created_at")?,
        sent_at: optional_ts("sent_at")?,
        last_attempt_at: optional_ts("last_attempt_at")?,
    })
}

pub async fn enqueue(conn: &mut AnyConnection, message: &NewMessage<'_>) -> StoreResult<i64> {
    let now = time::to_db(time::now());
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, subject, body, next_attempt_at, request_id, created_at, \
         html_body, delivered_body) VALUES ($1, $2, $3, $4, $5, $6, $5, $7, $8) RETURNING id",
    )
    .bind(message.channel.code())
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .bind(now)
    .bind(message.request_id)
    .bind(message.html_body)
    .bind(message.delivered_body)
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

/// Records a delivery. `left` says the message left the system (a real transport): its body
/// then becomes its `delivered_body` where it has one, so no signing code stays readable.
/// Whether some message is due at `now` (claimed by nobody, or its lease over).
pub async fn any_due(conn: &mut AnyConnection, now: Timestamp) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(time::to_db(now))
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

pub async fn mark_sent(
    conn: &mut AnyConnection,
    id: i64,
    at: Timestamp,
    left: bool,
) -> StoreResult<()> {
    let body = if left {
        "body = COALESCE(delivered_body, body), delivered_body = NULL,"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outbox SET {body} status = 'sent', attempts = attempts + 1, sent_at = $1, \
         last_attempt_at = $1, last_error = NULL WHERE id = $2"
    );
    sqlx::query(&sql)
        .bind(time::to_db(at))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives a claimed message back, due at `now`, unless its lease changed meanwhile: a worker
/// that stops a batch early (its lease running short) leaves the rest to the next round.
pub async fn release(
    conn: &mut AnyConnection,
    id: i64,
    lease_until: Timestamp,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1 \
         WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
    )
    .bind(time::to_db(now))
    .bind(id)
    .bind(time::to_db(lease_until))
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed message sent again as soon as a worker is free (a program admin's retry); false
/// when it is not failed (already pending or sent).
pub async fn retry(conn: &mut AnyConnection, id: i64, now: Timestamp) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE id = $2 AND status = 'failed'",
    )
    .bind(time::to_db(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<OutboxMessage>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Records a failed attempt: retried at `retry_at`, or given up (`failed`) when `None`.
pub async fn mark_attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    at: Timestamp,
    retry_at: Option<Timestamp>,
) -> StoreResult<()> {
    match retry_at {
        Some(next) => {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
                 last_attempt_at = $3 WHERE id = $4",
            )
            .bind(error)
            .bind(time::to_db(next))
            .bind(time::to_db(at))
            .bind(id)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1, \
                 last_attempt_at = $2 WHERE id = $3",
            )
            .bind(error)
            .bind(time::to_db(at))
            .bind(id)
            .execute(conn)
            .await?
        }
    };
    Ok(())
}

/// Which messages to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<DeliveryStatus>,
    pub channel: Option<Channel>,
    /// Words in the recipient or the subject (any case).
    pub search: Option<String>,
}

/// `%text%` for LIKE, with LIKE's own characters taken literally (escaped with `\`).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A page of the outbox, newest first, and how many messages match.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<OutboxMessage>, i64)> {
    let mut conditions = Vec::new();
    if filter.status.is_some() {
        conditions.push(format!("status = ${}", conditions.len() + 1));
    }
    if filter.channel.is_some() {
        conditions.push(format!("channel = ${}", conditions.len() + 1));
    }
    if filter.search.is_some() {
        let n = conditions.len() + 1;
        conditions.push(format!(
            "(LOWER(recipient) LIKE ${n} ESCAPE '\\' OR LOWER(subject) LIKE ${n} ESCAPE '\\')"
        ));
    }
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox {condition} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
    );
    let count_sql = format!("SELECT COUNT(*) FROM outbox {condition}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar(&count_sql);
    if let Some(s) = filter.status {
        q = q.bind(s.code());
        c = c.bind(s.code());
    }
    if let Some(ch) = filter.channel {
        q = q.bind(ch.code());
        c = c.bind(ch.code());
    }
    if let Some(text) = &filter.search {
        q = q.bind(contains_pattern(text));
        c = c.bind(contains_pattern(text));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let total: i64 = c.fetch_one(conn).await?;
    Ok((
        rows.iter().map(from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}
