//! Órgãos.

use adesao_domain::Cnpj;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: Cnpj,
    pub active: bool,
}

pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub acronym: &'a str,
    pub cnpj: &'a Cnpj,
}

const COLUMNS: &str = "o.id, o.name, o.acronym, o.cnpj, o.active";

/// The select list for an organization joined as `o` into another query, each column renamed
/// with `prefix` so that it cannot clash with the other table's columns.
pub(crate) fn prefixed_columns(prefix: &str) -> String {
    ["id", "name", "acronym", "cnpj", "active"]
        .map(|c| format!("o.{c} AS {prefix}{c}"))
        .join(", ")
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
        active: row.try_get::<i64, _>(col("active").as_str())? != 0,
    })
}

pub async fn insert(conn: &mut AnyConnection, new: &NewOrganization<'_>) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO organizations (name, acronym, cnpj, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(new.name)
    .bind(new.acronym)
    .bind(new.cnpj.as_str())
    .bind(time::to_db(time::now()))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Organization>> {
    let sql = format!("SELECT {COLUMNS} FROM organizations o WHERE o.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_acronym(
    conn: &mut AnyConnection,
    acronym: &str,
) -> StoreResult<Option<Organization>> {
    let sql = format!("SELECT {COLUMNS} FROM organizations o WHERE o.acronym = $1");
    let row = sqlx::query(&sql).bind(acronym).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// All organizations, by acronym.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Organization>> {
    let sql = format!("SELECT {COLUMNS} FROM organizations o ORDER BY o.acronym");
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(conn)
        .await?)
}
