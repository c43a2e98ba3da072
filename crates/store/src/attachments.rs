//! Attachments of a request (metadata here; the upload itself comes with the attachments
//! feature).

use adesao_domain::AttachmentKind;
use jiff::Timestamp;
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

pub async fn of_request(
    conn: &mut AnyConnection,
    request_id: i64,
) -> StoreResult<Vec<AttachmentMeta>> {
    let rows = sqlx::query(
        "SELECT id, kind, filename, size, sha256, uploaded_by, uploaded_at FROM attachments \
         WHERE request_id = $1 ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
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
        })
        .collect()
}
