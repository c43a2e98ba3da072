//! Attachments of a request (metadata here; the upload itself comes with the attachments
//! feature).

use adesao_domain::AttachmentKind;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub id: i64,
    pub kind: AttachmentKind,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_at: Timestamp,
}

const META_COLUMNS: &str = "id, kind, filename, size, sha256, uploaded_by, uploaded_at";

fn meta_of(r: &AnyRow) -> StoreResult<AttachmentMeta> {
    let kind: String = r.try_get("kind")?;
    let at: String = r.try_get("uploaded_at")?;
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        kind: kind
            .parse()
            .map_err(|e| StoreError::corrupt("attachments.kind", e))?,
        filename: r.try_get("filename")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: time::from_db("attachments.uploaded_at", &at)?,
    })
}

pub async fn of_request(
    conn: &mut AnyConnection,
    request_id: i64,
) -> StoreResult<Vec<AttachmentMeta>> {
    let rows = sqlx::query(&format!(
        "SELECT {META_COLUMNS} FROM attachments WHERE request_id = $1 ORDER BY id"
    ))
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(meta_of).collect()
}

/// One attachment's metadata, without reading its content.
pub async fn find_meta(
    conn: &mut AnyConnection,
    request_id: i64,
    id: i64,
) -> StoreResult<Option<AttachmentMeta>> {
    let row = sqlx::query(&format!(
        "SELECT {META_COLUMNS} FROM attachments WHERE request_id = $1 AND id = $2"
    ))
    .bind(request_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(meta_of).transpose()
}

pub struct NewAttachment<'a> {
    pub request_id: i64,
    pub kind: AttachmentKind,
    pub filename: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: i64,
    pub uploaded_at: Timestamp,
}

pub async fn insert(conn: &mut AnyConnection, a: &NewAttachment<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO attachments (request_id, kind, filename, media_type, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.request_id)
    .bind(a.kind.code())
    .bind(a.filename)
    .bind(a.media_type)
    .bind(a.content.len() as i64)
    .bind(a.sha256)
    .bind(a.content)
    .bind(a.uploaded_by)
    .bind(time::to_db(a.uploaded_at))
    .fetch_one(conn)
    .await?)
}

/// One attachment of one request, with its content.
pub async fn find_content(
    conn: &mut AnyConnection,
    request_id: i64,
    id: i64,
) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>> {
    let row = sqlx::query(&format!(
        "SELECT {META_COLUMNS}, content FROM attachments WHERE request_id = $1 AND id = $2"
    ))
    .bind(request_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((meta_of(&r)?, r.try_get("content")?)))
}

pub async fn delete(conn: &mut AnyConnection, request_id: i64, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM attachments WHERE request_id = $1 AND id = $2")
        .bind(request_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Copies every attachment of `from` into `to` (Nova Solicitação a partir de uma recusada), as
/// sent now by `by`; returns how many.
pub async fn copy_all(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
    by: i64,
    at: Timestamp,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "INSERT INTO attachments (request_id, kind, filename, media_type, size, sha256, content, uploaded_by, uploaded_at) \
         SELECT $1, kind, filename, media_type, size, sha256, content, $2, $3 FROM attachments \
         WHERE request_id = $4 ORDER BY id",
    )
    .bind(to)
    .bind(by)
    .bind(time::to_db(at))
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
