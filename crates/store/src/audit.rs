//! The audit of the administration: who changed which organization, user or API, when, and
//! which fields from what to what. Append-only.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, time};

/// What was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Organization,
    User,
    Api,
}

impl Entity {
    pub const ALL: [Entity; 3] = [Entity::Organization, Entity::User, Entity::Api];

    pub fn code(self) -> &'static str {
        match self {
            Entity::Organization => "organization",
            Entity::User => "user",
            Entity::Api => "api",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Entity::Organization => "Órgão",
            Entity::User => "Usuário",
            Entity::Api => "API",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// One field's change, as the people reading the audit see the values (CPF and CNPJ
/// formatted, flags as "sim"/"não"). `None` is "no value".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: i64,
    pub actor_name: String,
    pub entity: Entity,
    pub entity_id: i64,
    /// What the entity is called now (an organization's acronym, a user's or an API's name).
    pub entity_name: Option<String>,
    pub action: String,
    pub changes: Vec<Change>,
}

pub struct NewEntry<'a> {
    pub at: Timestamp,
    pub actor_id: i64,
    pub entity: Entity,
    pub entity_id: i64,
    pub action: &'a str,
    pub changes: &'a [Change],
}

pub async fn append(conn: &mut AnyConnection, e: &NewEntry<'_>) -> StoreResult<i64> {
    let changes = serde_json::to_string(e.changes)
        .map_err(|err| StoreError::corrupt("audit_log.changes", err))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_id, entity, entity_id, action, changes) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(time::to_db(e.at))
    .bind(e.actor_id)
    .bind(e.entity.code())
    .bind(e.entity_id)
    .bind(e.action)
    .bind(changes)
    .fetch_one(conn)
    .await?)
}

/// Everyone who ever changed something, by name: (id, name).
pub async fn actors(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM users u WHERE u.id IN (SELECT actor_id FROM audit_log) ORDER BY u.name, u.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity: Option<Entity>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<i64>,
}

/// A page of entries, newest first, and how many match in all.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Entry>, i64)> {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if filter.entity.is_some() {
        conditions.push(format!("a.entity = ${}", next()));
    }
    if filter.entity_id.is_some() {
        conditions.push(format!("a.entity_id = ${}", next()));
    }
    if filter.actor_id.is_some() {
        conditions.push(format!("a.actor_id = ${}", next()));
    }
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT a.id, a.at, a.actor_id, u.name AS actor_name, a.entity, a.entity_id, a.action, a.changes, \
         CASE a.entity \
           WHEN 'organization' THEN (SELECT o.acronym FROM organizations o WHERE o.id = a.entity_id) \
           WHEN 'user' THEN (SELECT p.name FROM users p WHERE p.id = a.entity_id) \
           ELSE (SELECT x.name FROM apis x WHERE x.id = a.entity_id) END AS entity_name \
         FROM audit_log a JOIN users u ON u.id = a.actor_id {condition} \
         ORDER BY a.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let count_sql = format!("SELECT COUNT(*) FROM audit_log a {condition}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar(&count_sql);
    if let Some(e) = filter.entity {
        q = q.bind(e.code());
        c = c.bind(e.code());
    }
    if let Some(id) = filter.entity_id {
        q = q.bind(id);
        c = c.bind(id);
    }
    if let Some(id) = filter.actor_id {
        q = q.bind(id);
        c = c.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let total: i64 = c.fetch_one(conn).await?;
    let entries = rows
        .iter()
        .map(|row| {
            let at: String = row.try_get("at")?;
            let entity: String = row.try_get("entity")?;
            let changes: String = row.try_get("changes")?;
            Ok(Entry {
                id: row.try_get("id")?,
                at: time::from_db("audit_log.at", &at)?,
                actor_id: row.try_get("actor_id")?,
                actor_name: row.try_get("actor_name")?,
                entity: Entity::from_code(&entity)
                    .ok_or_else(|| StoreError::corrupt("audit_log.entity", entity.clone()))?,
                entity_id: row.try_get("entity_id")?,
                entity_name: row.try_get("entity_name")?,
                action: row.try_get("action")?,
                changes: serde_json::from_str(&changes)
                    .map_err(|e| StoreError::corrupt("audit_log.changes", e))?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((entries, total))
}
