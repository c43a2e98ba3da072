//! Authorisations to sign (SPEC §7): a one-time code sent by SMS, then a window of time in which
//! the user may sign several documents.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSession {
    pub id: i64,
    pub user_id: i64,
    pub code_hash: String,
    pub code_expires_at: Timestamp,
    pub attempts: i64,
    pub sends: i64,
    pub last_sent_at: Timestamp,
    pub authorized_until: Option<Timestamp>,
    pub voided_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    code_hash: &str,
    code_expires_at: Timestamp,
    now: Timestamp,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signing_sessions (user_id, code_hash, code_expires_at, last_sent_at, created_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(time::to_db(code_expires_at))
    .bind(time::to_db(now))
    .fetch_one(conn)
    .await?)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<SigningSession>> {
    let row = sqlx::query(
        "SELECT id, user_id, code_hash, code_expires_at, attempts, sends, last_sent_at, authorized_until, \
         voided_at, created_at FROM signing_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let ts = |c: &'static str| -> StoreResult<Timestamp> {
        let t: String = row.try_get(c)?;
        time::from_db(c, &t)
    };
    let opt_ts = |c: &'static str| -> StoreResult<Option<Timestamp>> {
        let t: Option<String> = row.try_get(c)?;
        t.map(|t| time::from_db(c, &t)).transpose()
    };
    Ok(Some(SigningSession {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        code_hash: row.try_get("code_hash")?,
        code_expires_at: ts("code_expires_at")?,
        attempts: row.try_get("attempts")?,
        sends: row.try_get("sends")?,
        last_sent_at: ts("last_sent_at")?,
        authorized_until: opt_ts("authorized_until")?,
        voided_at: opt_ts("voided_at")?,
        created_at: ts("created_at")?,
    }))
}

/// Sessions `user_id` started since `since` (for the hourly limit).
pub async fn count_started_since(
    conn: &mut AnyConnection,
    user_id: i64,
    since: Timestamp,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM signing_sessions WHERE user_id = $1 AND created_at > $2",
    )
    .bind(user_id)
    .bind(time::to_db(since))
    .fetch_one(conn)
    .await?)
}

/// The user's session that authorises signing now, if any (newest first).
pub async fn find_authorized(
    conn: &mut AnyConnection,
    user_id: i64,
    now: Timestamp,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM signing_sessions WHERE user_id = $1 AND voided_at IS NULL AND authorized_until > $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(time::to_db(now))
    .fetch_optional(conn)
    .await?)
}

/// Records a wrong code; voids the session when `void` (attempts exhausted).
pub async fn record_wrong_code(
    conn: &mut AnyConnection,
    id: i64,
    void: bool,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE signing_sessions SET attempts = attempts + 1, \
         voided_at = CASE WHEN $1 = 1 THEN $2 ELSE voided_at END WHERE id = $3",
    )
    .bind(i64::from(void))
    .bind(time::to_db(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn authorize(conn: &mut AnyConnection, id: i64, until: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE signing_sessions SET authorized_until = $1 WHERE id = $2")
        .bind(time::to_db(until))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A new code for the session (Reenviar código).
pub async fn replace_code(
    conn: &mut AnyConnection,
    id: i64,
    code_hash: &str,
    code_expires_at: Timestamp,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE signing_sessions SET code_hash = $1, code_expires_at = $2, last_sent_at = $3, sends = sends + 1 \
         WHERE id = $4",
    )
    .bind(code_hash)
    .bind(time::to_db(code_expires_at))
    .bind(time::to_db(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
