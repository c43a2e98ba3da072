//! The API catalogue and the attachments each API asks for.

use adesao_domain::AttachmentKind;
use sqlx::{AnyConnection, Row};

use crate::search::Pattern;
use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub id: i64,
    pub provider_id: i64,
    pub name: String,
    pub description: String,
    pub active: bool,
    /// Whether new requests may be filed for it (a closed API stays in the catalogue).
    pub accepting_requests: bool,
}

impl Api {
    /// Offered in "Nova" and releasable: active and accepting requests.
    pub fn is_open(&self) -> bool {
        self.active && self.accepting_requests
    }
}

/// What the administration sets on an API.
pub struct ApiFields<'a> {
    pub provider_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub accepting_requests: bool,
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
    create(
        conn,
        &ApiFields {
            provider_id,
            name,
            description,
            accepting_requests: true,
            active: true,
        },
    )
    .await
}

pub async fn create(conn: &mut AnyConnection, fields: &ApiFields<'_>) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO apis (provider_id, name, description, accepting_requests, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(fields.provider_id)
    .bind(fields.name)
    .bind(fields.description)
    .bind(i64::from(fields.accepting_requests))
    .bind(i64::from(fields.active))
    .bind(time::to_db(time::now()))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Replaces every field of API `id`; false when there is none.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    fields: &ApiFields<'_>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE apis SET provider_id = $1, name = $2, description = $3, accepting_requests = $4, \
         active = $5 WHERE id = $6",
    )
    .bind(fields.provider_id)
    .bind(fields.name)
    .bind(fields.description)
    .bind(i64::from(fields.accepting_requests))
    .bind(i64::from(fields.active))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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
        accepting_requests: r.try_get::<i64, _>("accepting_requests")? != 0,
    })
}

const COLUMNS: &str = "a.id, a.provider_id, a.name, a.description, a.active, a.accepting_requests";

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Api>> {
    let sql = format!("SELECT {COLUMNS} FROM apis a WHERE a.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// How many APIs `provider_id` owns, open or not.
pub async fn count_of_provider(conn: &mut AnyConnection, provider_id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM apis WHERE provider_id = $1")
            .bind(provider_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Whether any request was ever filed for the API.
pub async fn has_requests(conn: &mut AnyConnection, api_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests WHERE api_id = $1")
        .bind(api_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The provider's API named `name`, whatever its case. Compared here rather than in SQL:
/// SQLite's LOWER folds only ASCII, and "API Previdência" must clash with "api PREVIDÊNCIA".
pub async fn find_by_name(
    conn: &mut AnyConnection,
    provider_id: i64,
    name: &str,
) -> StoreResult<Option<Api>> {
    let sql = format!("SELECT {COLUMNS} FROM apis a WHERE a.provider_id = $1");
    let rows = sqlx::query(&sql).bind(provider_id).fetch_all(conn).await?;
    let wanted = name.to_lowercase();
    for row in &rows {
        let api = from_row(row)?;
        if api.name.to_lowercase() == wanted {
            return Ok(Some(api));
        }
    }
    Ok(None)
}

/// The APIs offered for new requests, by name: active, accepting requests, and of an active
/// provider.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Api>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM apis a JOIN organizations o ON o.id = a.provider_id \
         WHERE a.active = 1 AND a.accepting_requests = 1 AND o.active = 1 ORDER BY a.name, a.id"
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Every API's id and name, open or not (a report names the APIs of old requests too).
pub async fn names(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT id, name FROM apis")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// A page of every API (open or not) whose name, or whose provider's acronym or name, contains
/// `text`, by name; and how many match in all.
pub async fn search(
    conn: &mut AnyConnection,
    text: Option<&str>,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Api>, i64)> {
    let pattern = text.map(Pattern::new);
    let condition = match &pattern {
        Some(_) => format!(
            "WHERE {} OR {} OR {}",
            Pattern::condition("a.name", 1),
            Pattern::condition("o.acronym", 1),
            Pattern::condition("o.name", 1)
        ),
        None => String::new(),
    };
    let from = "FROM apis a JOIN organizations o ON o.id = a.provider_id";
    let sql = format!(
        "SELECT {COLUMNS} {from} {condition} ORDER BY a.name, a.id LIMIT {limit} OFFSET {offset}"
    );
    let count_sql = format!("SELECT COUNT(*) {from} {condition}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar(&count_sql);
    if let Some(p) = &pattern {
        q = q.bind(p.text());
        c = c.bind(p.text());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let total: i64 = c.fetch_one(conn).await?;
    Ok((
        rows.iter().map(from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}

/// Makes the API's requirements exactly `wanted` (kind, mandatory): kinds kept keep their model
/// file, kinds dropped lose theirs.
pub async fn set_requirements(
    conn: &mut AnyConnection,
    api_id: i64,
    wanted: &[(AttachmentKind, bool)],
) -> StoreResult<()> {
    for kind in AttachmentKind::ALL {
        match wanted.iter().find(|(k, _)| k == kind) {
            Some((_, mandatory)) => {
                let updated = sqlx::query(
                    "UPDATE api_attachment_requirements SET mandatory = $1 WHERE api_id = $2 AND kind = $3",
                )
                .bind(i64::from(*mandatory))
                .bind(api_id)
                .bind(kind.code())
                .execute(&mut *conn)
                .await?;
                if updated.rows_affected() == 0 {
                    add_requirement(conn, api_id, *kind, *mandatory, None).await?;
                }
            }
            None => {
                sqlx::query(
                    "DELETE FROM api_attachment_requirements WHERE api_id = $1 AND kind = $2",
                )
                .bind(api_id)
                .bind(kind.code())
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Sets (or replaces) the model file of the API's requirement of `kind`; false when the API
/// asks for no attachment of that kind.
pub async fn set_model(
    conn: &mut AnyConnection,
    api_id: i64,
    kind: AttachmentKind,
    model: &ModelFile<'_>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE api_attachment_requirements SET model_filename = $1, model_media_type = $2, \
         model_content = $3 WHERE api_id = $4 AND kind = $5",
    )
    .bind(model.filename)
    .bind(model.media_type)
    .bind(model.content)
    .bind(api_id)
    .bind(kind.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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
    requirements_of(&rows)
}

/// Every API's requirements, by API then as [`requirements`] orders them.
pub async fn all_requirements(conn: &mut AnyConnection) -> StoreResult<Vec<AttachmentRequirement>> {
    let rows = sqlx::query(
        "SELECT id, api_id, kind, mandatory, model_filename FROM api_attachment_requirements \
         ORDER BY api_id, id",
    )
    .fetch_all(conn)
    .await?;
    requirements_of(&rows)
}

fn requirements_of(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<AttachmentRequirement>> {
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
