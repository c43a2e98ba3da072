//! Server-side browser sessions. The cookie carries a random token; only its SHA-256 is stored,
//! so a leaked database does not yield usable cookies.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

/// Opens a session for `user_id` if their password hash is still `password_hash` (the one the
/// login verified): a login that raced with a password change opens nothing. None then.
pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    password_hash: &str,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<Option<i64>> {
    let id = sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         SELECT $1, id, $3, $4, $4, $5 FROM users WHERE id = $2 AND password_hash = $6 RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(time::to_db(now))
    .bind(time::to_db(expires_at))
    .bind(password_hash)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Slides the idle expiry forward.
pub async fn touch(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(time::to_db(now))
        .bind(time::to_db(expires_at))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_by_token_hash(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn delete_expired(conn: &mut AnyConnection, now: Timestamp) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(time::to_db(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every browser session of a user (after a password change); returns how many.
pub async fn delete_for_user(conn: &mut AnyConnection, user_id: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
