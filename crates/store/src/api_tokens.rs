//! Bearer tokens of the JSON API. Only a SHA-256 of each token is stored.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

/// Issues a token for `user_id` if their password hash is still `password_hash` (the one the
/// login verified): a login that raced with a password change issues nothing. None then.
pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    password_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<Option<i64>> {
    let id = sqlx::query_scalar(
        "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) \
         SELECT $1, id, $3, $4 FROM users WHERE id = $2 AND password_hash = $5 RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(time::to_db(now))
    .bind(time::to_db(expires_at))
    .bind(password_hash)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

pub async fn delete_expired(conn: &mut AnyConnection, now: Timestamp) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
        .bind(time::to_db(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Revokes one token (`DELETE /api/v1/auth/token`); true when it existed.
pub async fn delete_by_token_hash(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every token of a user (after a password change); returns how many.
pub async fn delete_for_user(conn: &mut AnyConnection, user_id: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
