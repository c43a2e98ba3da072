//! Órgãos.

use adesao_domain::Cnpj;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::search::Pattern;
use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: Cnpj,
    /// Whether it may own APIs of the catalogue.
    pub provides_apis: bool,
    pub active: bool,
}

/// What the administration sets on an organization.
pub struct OrganizationFields<'a> {
    pub name: &'a str,
    pub acronym: &'a str,
    pub cnpj: &'a Cnpj,
    pub provides_apis: bool,
    pub active: bool,
}

pub type NewOrganization<'a> = OrganizationFields<'a>;

const FIELDS: [&str; 6] = ["id", "name", "acronym", "cnpj", "provides_apis", "active"];

fn columns() -> String {
    FIELDS.map(|c| format!("o.{c}")).join(", ")
}

/// The select list for an organization joined as `o` into another query, each column renamed
/// with `prefix` so that it cannot clash with the other table's columns.
pub(crate) fn prefixed_columns(prefix: &str) -> String {
    FIELDS.map(|c| format!("o.{c} AS {prefix}{c}")).join(", ")
}

fn from_row(row: &AnyRow) -> StoreResult<Organization> {
    from_prefixed_row(row, "")
}

pub(crate) fn from_prefixed_row(row: &AnyRow, prefix: &str) -> StoreResult<Organization> {
    let col = |c: &str| format!("{prefix}{c}");
    let cnpj: String = row.try_get(col("cnpj").as_str())?;
    Ok(Organization {
        id: row.try_get(col("id").as_str())?,
        name: row.try_get(col("name").as_str())?,
        acronym: row.try_get(col("acronym").as_str())?,
        cnpj: Cnpj::parse(&cnpj).map_err(|e| StoreError::corrupt("organizations.cnpj", e))?,
        provides_apis: row.try_get::<i64, _>(col("provides_apis").as_str())? != 0,
        active: row.try_get::<i64, _>(col("active").as_str())? != 0,
    })
}

pub async fn insert(conn: &mut AnyConnection, new: &NewOrganization<'_>) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO organizations (name, acronym, cnpj, provides_apis, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.name)
    .bind(new.acronym)
    .bind(new.cnpj.as_str())
    .bind(i64::from(new.provides_apis))
    .bind(i64::from(new.active))
    .bind(time::to_db(time::now()))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Replaces every field of organization `id`; false when there is none.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    fields: &OrganizationFields<'_>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE organizations SET name = $1, acronym = $2, cnpj = $3, provides_apis = $4, active = $5 \
         WHERE id = $6",
    )
    .bind(fields.name)
    .bind(fields.acronym)
    .bind(fields.cnpj.as_str())
    .bind(i64::from(fields.provides_apis))
    .bind(i64::from(fields.active))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Organization>> {
    let sql = format!("SELECT {} FROM organizations o WHERE o.id = $1", columns());
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_acronym(
    conn: &mut AnyConnection,
    acronym: &str,
) -> StoreResult<Option<Organization>> {
    let sql = format!(
        "SELECT {} FROM organizations o WHERE o.acronym = $1",
        columns()
    );
    let row = sqlx::query(&sql).bind(acronym).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_cnpj(
    conn: &mut AnyConnection,
    cnpj: &Cnpj,
) -> StoreResult<Option<Organization>> {
    let sql = format!(
        "SELECT {} FROM organizations o WHERE o.cnpj = $1",
        columns()
    );
    let row = sqlx::query(&sql)
        .bind(cnpj.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// All organizations, by acronym.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Organization>> {
    let sql = format!(
        "SELECT {} FROM organizations o ORDER BY o.acronym",
        columns()
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Every organization's id, acronym and name, active or not (a report names the organizations
/// of old requests too).
pub async fn names(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, String, String)>> {
    let rows = sqlx::query("SELECT id, acronym, name FROM organizations")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// A page of the organizations whose name, acronym or CNPJ contains `text` (all without it),
/// by acronym, and how many match in all.
pub async fn search(
    conn: &mut AnyConnection,
    text: Option<&str>,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Organization>, i64)> {
    let pattern = text.map(Pattern::new);
    let condition = match &pattern {
        Some(_) => format!(
            "WHERE {} OR {} OR {}",
            Pattern::condition("o.name", 1),
            Pattern::condition("o.acronym", 1),
            Pattern::condition("o.cnpj", 2)
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM organizations o {condition} ORDER BY o.acronym, o.id LIMIT {limit} OFFSET {offset}",
        columns()
    );
    let count_sql = format!("SELECT COUNT(*) FROM organizations o {condition}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar(&count_sql);
    if let Some(p) = &pattern {
        q = q.bind(p.text()).bind(p.document());
        c = c.bind(p.text()).bind(p.document());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let total: i64 = c.fetch_one(conn).await?;
    Ok((
        rows.iter().map(from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(conn)
        .await?)
}
