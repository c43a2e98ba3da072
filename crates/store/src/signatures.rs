//! Signatures of the DSI. Alterar voids them (they stay, marked, for the audit trail).

use adesao_domain::Role;
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub id: i64,
    pub role: Role,
    pub signer_id: i64,
    pub signer_name: String,
    pub signed_at: Timestamp,
    pub method: String,
    pub dsi_sha256: String,
}

pub struct NewSignature<'a> {
    pub request_id: i64,
    pub signer_id: i64,
    pub role: Role,
    pub signed_at: Timestamp,
    pub method: &'a str,
    pub dsi_sha256: &'a str,
    /// The SMS-authorised session that unlocked the builtin provider; none for an A1.
    pub signing_session_id: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, s: &NewSignature<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signatures (request_id, signer_id, role, signed_at, method, dsi_sha256, signing_session_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(s.request_id)
    .bind(s.signer_id)
    .bind(s.role.code())
    .bind(time::to_db(s.signed_at))
    .bind(s.method)
    .bind(s.dsi_sha256)
    .bind(s.signing_session_id)
    .fetch_one(conn)
    .await?)
}

/// The signatures that count (not voided), IT director first.
pub async fn valid_for(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<Signature>> {
    let rows = sqlx::query(
        "SELECT s.id, s.role, s.signer_id, u.name AS signer_name, s.signed_at, s.method, s.dsi_sha256 \
         FROM signatures s JOIN users u ON u.id = s.signer_id \
         WHERE s.request_id = $1 AND s.voided_at IS NULL ORDER BY s.role",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role")?;
            let at: String = row.try_get("signed_at")?;
            Ok(Signature {
                id: row.try_get("id")?,
                role: role
                    .parse()
                    .map_err(|e| StoreError::corrupt("signatures.role", e))?,
                signer_id: row.try_get("signer_id")?,
                signer_name: row.try_get("signer_name")?,
                signed_at: time::from_db("signatures.signed_at", &at)?,
                method: row.try_get("method")?,
                dsi_sha256: row.try_get("dsi_sha256")?,
            })
        })
        .collect()
}

/// Voids the valid signatures of a request; returns how many.
pub async fn void_all(
    conn: &mut AnyConnection,
    request_id: i64,
    at: Timestamp,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE signatures SET voided_at = $1 WHERE request_id = $2 AND voided_at IS NULL",
    )
    .bind(time::to_db(at))
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
