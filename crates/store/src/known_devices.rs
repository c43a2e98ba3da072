//! Browsers a user has logged in from (OWASP's "device cookies"): a random token in a long-lived
//! cookie, of which only the SHA-256 is stored. A login from a known device is counted apart
//! from everyone else's failures, so an attack on a CPF from elsewhere never locks its owner
//! out of their own browser.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    now: Timestamp,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) \
         VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(time::to_db(now))
    .fetch_one(conn)
    .await?)
}

/// The device behind a token hash: (device id, user id).
pub async fn find(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<Option<(i64, i64)>> {
    Ok(
        sqlx::query_as("SELECT id, user_id FROM known_devices WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn touch(conn: &mut AnyConnection, id: i64, now: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE known_devices SET last_used_at = $1 WHERE id = $2")
        .bind(time::to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets devices not used since `before`; returns how many.
pub async fn delete_unused_since(conn: &mut AnyConnection, before: Timestamp) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM known_devices WHERE last_used_at <= $1")
        .bind(time::to_db(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
