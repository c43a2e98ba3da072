//! The API catalogue and the attachments each API asks for.

use adesao_domain::AttachmentKind;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub id: i64,
    pub provider_id: i64,
    pub name: String,
    pub description: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRequirement {
    pub id: i64,
    pub api_id: i64,
    pub kind: AttachmentKind,
    pub mandatory: bool,
    pub model_filename: Option<String>,
}

/// A model file (e.g. an `.odt` template) that users download, fill in and sign.
pub struct ModelFile<'a> {
    pub filename: &'a str,
    pub media_type: &'a str,
    pub content: &'a [u8],
}

pub async fn insert(
    conn: &mut AnyConnection,
    provider_id: i64,
    name: &str,
    description: &str,
) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO apis (provider_id, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(provider_id)
    .bind(name)
    .bind(description)
    .bind(time::to_db(time::now()))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn add_requirement(
    conn: &mut AnyConnection,
    api_id: i64,
    kind: AttachmentKind,
    mandatory: bool,
    model: Option<&ModelFile<'_>>,
) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO api_attachment_requirements \
         (api_id, kind, mandatory, model_filename, model_media_type, model_content) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(api_id)
    .bind(kind.code())
    .bind(i64::from(mandatory))
    .bind(model.map(|m| m.filename))
    .bind(model.map(|m| m.media_type))
    .bind(model.map(|m| m.content))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Api> {
    Ok(Api {
        id: r.try_get("id")?,
        provider_id: r.try_get("provider_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Api>> {
    let row =
        sqlx::query("SELECT id, provider_id, name, description, active FROM apis WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.as_ref().map(from_row).transpose()
}

/// Active APIs of the catalogue, by name.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Api>> {
    let rows = sqlx::query(
        "SELECT id, provider_id, name, description, active FROM apis WHERE active = 1 ORDER BY name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn requirements(
    conn: &mut AnyConnection,
    api_id: i64,
) -> StoreResult<Vec<AttachmentRequirement>> {
    let rows = sqlx::query(
        "SELECT id, api_id, kind, mandatory, model_filename FROM api_attachment_requirements \
         WHERE api_id = $1 ORDER BY id",
    )
    .bind(api_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(AttachmentRequirement {
                id: r.try_get("id")?,
                api_id: r.try_get("api_id")?,
                kind: kind
                    .parse()
                    .map_err(|e| StoreError::corrupt("api_attachment_requirements.kind", e))?,
                mandatory: r.try_get::<i64, _>("mandatory")? != 0,
                model_filename: r.try_get("model_filename")?,
            })
        })
        .collect()
}

/// The model file of one attachment requirement: (file name, media type, content).
pub async fn model_file(
    conn: &mut AnyConnection,
    api_id: i64,
    kind: AttachmentKind,
) -> StoreResult<Option<(String, String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT model_filename, model_media_type, model_content FROM api_attachment_requirements \
         WHERE api_id = $1 AND kind = $2 AND model_content IS NOT NULL",
    )
    .bind(api_id)
    .bind(kind.code())
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => Ok(Some((
            r.try_get("model_filename")?,
            r.try_get("model_media_type")?,
            r.try_get("model_content")?,
        ))),
        None => Ok(None),
    }
}
