//! The DSI of each released request as a PDF, with the signatures embedded in it.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{StoreResult, time};

/// A request's current DSI document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsiDocument {
    pub id: i64,
    pub dsi_sha256: String,
    pub pdf: Vec<u8>,
    pub signature_count: i64,
}

/// The current (not voided) document of `request_id`.
pub async fn current(
    conn: &mut AnyConnection,
    request_id: i64,
) -> StoreResult<Option<DsiDocument>> {
    let row = sqlx::query(
        "SELECT id, dsi_sha256, pdf, signature_count FROM dsi_documents \
         WHERE request_id = $1 AND voided_at IS NULL",
    )
    .bind(request_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(DsiDocument {
            id: r.try_get(0)?,
            dsi_sha256: r.try_get(1)?,
            pdf: r.try_get(2)?,
            signature_count: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Stores the unsigned document of `request_id`, unless it has a current one already (two
/// first renders at once: the first stored wins).
pub async fn insert_if_missing(
    conn: &mut AnyConnection,
    request_id: i64,
    dsi_sha256: &str,
    pdf: &[u8],
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO dsi_documents (request_id, dsi_sha256, pdf, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (request_id) WHERE voided_at IS NULL DO NOTHING",
    )
    .bind(request_id)
    .bind(dsi_sha256)
    .bind(pdf.to_vec())
    .bind(time::to_db(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the bytes of document `id` with `pdf`, which carries one more signature.
pub async fn add_signature(conn: &mut AnyConnection, id: i64, pdf: &[u8]) -> StoreResult<()> {
    sqlx::query(
        "UPDATE dsi_documents SET pdf = $1, signature_count = signature_count + 1 WHERE id = $2",
    )
    .bind(pdf.to_vec())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Voids the current document of `request_id` (Alterar); returns whether there was one.
pub async fn void(conn: &mut AnyConnection, request_id: i64, at: Timestamp) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE dsi_documents SET voided_at = $1 WHERE request_id = $2 AND voided_at IS NULL",
    )
    .bind(time::to_db(at))
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
