//! The builtin signature provider's keys: the CA's and each official's certificate, with its
//! private key sealed (the store never sees a key in clear).

use sqlx::{AnyConnection, Row};

use crate::{StoreResult, time};

/// A certificate (DER) and its sealed private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub certificate: Vec<u8>,
    pub sealed_key: Vec<u8>,
}

/// The key of `owner` (`ca`, `user:ID`).
pub async fn find(conn: &mut AnyConnection, owner: &str) -> StoreResult<Option<StoredKey>> {
    let row = sqlx::query("SELECT certificate, sealed_key FROM signing_keys WHERE owner = $1")
        .bind(owner)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(StoredKey {
            certificate: r.try_get(0)?,
            sealed_key: r.try_get(1)?,
        })
    })
    .transpose()
}

/// Stores `key` for `owner` unless one is there already (two first uses at once: the first
/// stored wins, and both then read it).
pub async fn insert_if_missing(
    conn: &mut AnyConnection,
    owner: &str,
    key: &StoredKey,
    at: jiff::Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO signing_keys (owner, certificate, sealed_key, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (owner) DO NOTHING",
    )
    .bind(owner)
    .bind(key.certificate.clone())
    .bind(key.sealed_key.clone())
    .bind(time::to_db(at))
    .execute(conn)
    .await?;
    Ok(())
}
