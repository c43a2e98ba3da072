//! Failed logins, counted in a sliding window per CPF from one client, per CPF, and per client.
//!
//! A login attempt is written here *before* its password is checked (a reservation), under
//! [`crate::locks::serialize_on`], so that parallel attempts cannot all pass the count; a
//! successful attempt deletes its reservation afterwards.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One CPF, all clients.
    Cpf,
    /// One client address, all CPFs.
    Ip,
    /// One CPF from one client (key `CPF|CLIENT`).
    CpfClient,
}

impl Bucket {
    fn code(self) -> &'static str {
        match self {
            Bucket::Cpf => "cpf",
            Bucket::Ip => "ip",
            Bucket::CpfClient => "cpf_client",
        }
    }
}

/// Records an attempt; returns its id (to delete it if the attempt succeeds).
pub async fn record(
    conn: &mut AnyConnection,
    bucket: Bucket,
    key: &str,
    at: Timestamp,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO auth_failures (bucket, key, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(bucket.code())
    .bind(key)
    .bind(time::to_db(at))
    .fetch_one(conn)
    .await?)
}

/// The failures of a key in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: i64,
    /// When the window frees a place: its oldest failure leaves it.
    pub oldest: Option<Timestamp>,
    pub newest: Option<Timestamp>,
}

/// The failures since `since`.
pub async fn count_since(
    conn: &mut AnyConnection,
    bucket: Bucket,
    key: &str,
    since: Timestamp,
) -> StoreResult<Window> {
    let (count, oldest, newest): (i64, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at), MAX(at) FROM auth_failures WHERE bucket = $1 AND key = $2 AND at > $3",
    )
    .bind(bucket.code())
    .bind(key)
    .bind(time::to_db(since))
    .fetch_one(conn)
    .await?;
    let parse = |s: Option<String>| s.map(|s| time::from_db("auth_failures.at", &s)).transpose();
    Ok(Window {
        count,
        oldest: parse(oldest)?,
        newest: parse(newest)?,
    })
}

/// Deletes attempts by id (the reservations of an attempt that succeeded).
pub async fn delete(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<()> {
    for id in ids {
        sqlx::query("DELETE FROM auth_failures WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Forgets the failures of a key.
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
