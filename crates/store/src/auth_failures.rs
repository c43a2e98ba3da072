//! Failed logins, counted in a sliding window per CPF and per client address.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Cpf,
    Ip,
}

impl Bucket {
    fn code(self) -> &'static str {
        match self {
            Bucket::Cpf => "cpf",
            Bucket::Ip => "ip",
        }
    }
}

pub async fn record(
    conn: &mut AnyConnection,
    bucket: Bucket,
    key: &str,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO auth_failures (bucket, key, at) VALUES ($1, $2, $3)")
        .bind(bucket.code())
        .bind(key)
        .bind(time::to_db(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// How many failures since `since`, and the oldest of them (when the window will free a place).
pub async fn count_since(
    conn: &mut AnyConnection,
    bucket: Bucket,
    key: &str,
    since: Timestamp,
) -> StoreResult<(i64, Option<Timestamp>)> {
    let (count, oldest): (i64, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM auth_failures WHERE bucket = $1 AND key = $2 AND at > $3",
    )
    .bind(bucket.code())
    .bind(key)
    .bind(time::to_db(since))
    .fetch_one(conn)
    .await?;
    let oldest = oldest
        .map(|s| time::from_db("auth_failures.at", &s))
        .transpose()?;
    Ok((count, oldest))
}

/// Forgets the failures of a key (after a successful login with that CPF).
pub async fn clear(conn: &mut AnyConnection, bucket: Bucket, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM auth_failures WHERE bucket = $1 AND key = $2")
        .bind(bucket.code())
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_before(conn: &mut AnyConnection, before: Timestamp) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM auth_failures WHERE at <= $1")
        .bind(time::to_db(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
