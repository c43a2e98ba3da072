//! Users and their roles. The account that authorisation reads is in [`crate::accounts`].

use adesao_domain::{Cpf, Mobile, Role, RoleGrant};
use jiff::civil::Date;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::organizations::{self, Organization};
use crate::search::Pattern;
use crate::{StoreError, StoreResult, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub organization_id: i64,
    pub cpf: Cpf,
    pub name: String,
    pub email: String,
    pub mobile: Mobile,
    pub active: bool,
}

pub struct NewUser<'a> {
    pub organization_id: i64,
    pub cpf: &'a Cpf,
    pub name: &'a str,
    pub email: &'a str,
    pub mobile: &'a Mobile,
    pub password_hash: &'a str,
}

/// What the administration sets on a user (the password apart).
pub struct UserFields<'a> {
    pub organization_id: i64,
    pub cpf: &'a Cpf,
    pub name: &'a str,
    pub email: &'a str,
    pub mobile: &'a Mobile,
    pub active: bool,
}

/// The condition "role row `r` counts on the date bound at `$n`".
pub(crate) fn current(n: usize) -> String {
    format!(
        "(r.starts_on IS NULL OR r.starts_on <= ${n}) AND (r.ends_on IS NULL OR r.ends_on >= ${n})"
    )
}

pub(crate) fn day(d: Date) -> String {
    d.to_string()
}

pub(crate) const COLUMNS: &str =
    "u.id, u.organization_id, u.cpf, u.name, u.email, u.mobile, u.active";

pub(crate) fn from_row(row: &AnyRow) -> StoreResult<User> {
    let cpf: String = row.try_get("cpf")?;
    let mobile: String = row.try_get("mobile")?;
    Ok(User {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        cpf: Cpf::parse(&cpf).map_err(|e| StoreError::corrupt("users.cpf", e))?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        mobile: Mobile::parse(&mobile).map_err(|e| StoreError::corrupt("users.mobile", e))?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

pub async fn insert(conn: &mut AnyConnection, new: &NewUser<'_>) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO users (organization_id, cpf, name, email, mobile, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.organization_id)
    .bind(new.cpf.digits())
    .bind(new.name)
    .bind(new.email)
    .bind(new.mobile.e164())
    .bind(new.password_hash)
    .bind(time::to_db(time::now()))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Replaces every field of user `id` but the password; false when there is none.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    fields: &UserFields<'_>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE users SET organization_id = $1, cpf = $2, name = $3, email = $4, mobile = $5, active = $6 \
         WHERE id = $7",
    )
    .bind(fields.organization_id)
    .bind(fields.cpf.digits())
    .bind(fields.name)
    .bind(fields.email)
    .bind(fields.mobile.e164())
    .bind(i64::from(fields.active))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Grants `role` without a period, besides the roles the user has.
pub async fn grant_role(conn: &mut AnyConnection, user_id: i64, role: Role) -> StoreResult<()> {
    insert_grant(conn, user_id, &RoleGrant::open(role)).await
}

async fn insert_grant(conn: &mut AnyConnection, user_id: i64, g: &RoleGrant) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO user_roles (user_id, role, starts_on, ends_on) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(g.role.code())
    .bind(g.starts_on.map(day))
    .bind(g.ends_on.map(day))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the user's roles and their periods with `grants` (one per role).
pub async fn set_grants(
    conn: &mut AnyConnection,
    user_id: i64,
    grants: &[RoleGrant],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for g in grants {
        insert_grant(conn, user_id, g).await?;
    }
    Ok(())
}

fn grant_from_row(row: &AnyRow) -> StoreResult<RoleGrant> {
    let role: String = row.try_get("role")?;
    let date = |column: &'static str| -> StoreResult<Option<Date>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| {
            t.parse::<Date>()
                .map_err(|e| StoreError::corrupt(column, e))
        })
        .transpose()
    };
    Ok(RoleGrant {
        role: role
            .parse()
            .map_err(|e| StoreError::corrupt("user_roles.role", e))?,
        starts_on: date("starts_on")?,
        ends_on: date("ends_on")?,
    })
}

/// Every role of the user with its period, current or not, in the order of [`Role`].
pub async fn grants(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<RoleGrant>> {
    let rows = sqlx::query("SELECT role, starts_on, ends_on FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(conn)
        .await?;
    let mut grants = rows
        .iter()
        .map(grant_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    grants.sort();
    Ok(grants)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The id of the user with this CPF.
pub async fn id_by_cpf(conn: &mut AnyConnection, cpf: &Cpf) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE cpf = $1")
        .bind(cpf.digits())
        .fetch_optional(conn)
        .await?)
}

/// Replaces a user's password hash; false when there is no such user.
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user_id: i64,
    password_hash: &str,
) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The user with this CPF and their password hash, for login.
pub async fn find_credentials(
    conn: &mut AnyConnection,
    cpf: &Cpf,
) -> StoreResult<Option<(User, String)>> {
    let sql = format!("SELECT {COLUMNS}, u.password_hash FROM users u WHERE u.cpf = $1");
    let row = sqlx::query(&sql)
        .bind(cpf.digits())
        .fetch_optional(conn)
        .await?;
    match row {
        Some(row) => Ok(Some((from_row(&row)?, row.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?)
}

/// A person as listed in a picker or as a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub cpf: Cpf,
    pub email: String,
    pub roles: Vec<Role>,
}

/// Active users of an organization holding any of `roles` on `today`, by name, with all the
/// roles they hold that day.
pub async fn with_roles(
    conn: &mut AnyConnection,
    organization_id: i64,
    roles: &[Role],
    today: Date,
) -> StoreResult<Vec<Person>> {
    let placeholders: Vec<String> = (0..roles.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT u.id, u.name, u.cpf, u.email, r.role FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE u.organization_id = $1 AND u.active = 1 AND {current} AND u.id IN \
         (SELECT r.user_id FROM user_roles r WHERE {current} AND r.role IN ({})) ORDER BY u.name, u.id, r.role",
        placeholders.join(", "),
        current = current(2),
    );
    let mut q = sqlx::query(&sql).bind(organization_id).bind(day(today));
    for role in roles {
        q = q.bind(role.code());
    }
    let rows = q.fetch_all(conn).await?;
    let mut people: Vec<Person> = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let role: String = row.try_get("role")?;
        let role: Role = role
            .parse()
            .map_err(|e| StoreError::corrupt("user_roles.role", e))?;
        match people.last_mut() {
            Some(p) if p.id == id => p.roles.push(role),
            _ => {
                let cpf: String = row.try_get("cpf")?;
                people.push(Person {
                    id,
                    name: row.try_get("name")?,
                    cpf: Cpf::parse(&cpf).map_err(|e| StoreError::corrupt("users.cpf", e))?,
                    email: row.try_get("email")?,
                    roles: vec![role],
                });
            }
        }
    }
    for p in &mut people {
        p.roles.sort();
    }
    Ok(people)
}

/// A program admin who can act on `today`: (user id, organization id, e-mail).
pub struct ProgramAdmin {
    pub user_id: i64,
    pub organization_id: i64,
    pub name: String,
    pub email: String,
}

/// The program admins who can act on `today` (active, of an active organization, in the role's
/// period): the recipients of approvals, and who must never drop to none.
pub async fn program_admins(
    conn: &mut AnyConnection,
    today: Date,
) -> StoreResult<Vec<ProgramAdmin>> {
    let sql = format!(
        "SELECT u.id, u.organization_id, u.name, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
         JOIN organizations o ON o.id = u.organization_id \
         WHERE r.role = 'program_admin' AND u.active = 1 AND o.active = 1 AND {} ORDER BY u.id",
        current(1)
    );
    let rows = sqlx::query(&sql).bind(day(today)).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(ProgramAdmin {
                user_id: r.try_get("id")?,
                organization_id: r.try_get("organization_id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
            })
        })
        .collect()
}

/// A user as the administration lists them: with their organization and every role's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub user: User,
    pub organization: Organization,
    pub grants: Vec<RoleGrant>,
}

/// A page of users whose name or CPF, or whose organization's acronym or name, contains
/// `text`, optionally of one organization, by name; and how many match in all.
pub async fn search(
    conn: &mut AnyConnection,
    text: Option<&str>,
    organization_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Listed>, i64)> {
    let pattern = text.map(Pattern::new);
    let mut conditions = Vec::new();
    if pattern.is_some() {
        conditions.push(format!(
            "({} OR {} OR {} OR {})",
            Pattern::condition("u.name", 1),
            Pattern::condition("o.acronym", 1),
            Pattern::condition("o.name", 1),
            Pattern::condition("u.cpf", 2)
        ));
    }
    if organization_id.is_some() {
        conditions.push(format!(
            "u.organization_id = ${}",
            if pattern.is_some() { 3 } else { 1 }
        ));
    }
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let from = "FROM users u JOIN organizations o ON o.id = u.organization_id";
    let sql = format!(
        "SELECT {COLUMNS}, {org} {from} {condition} ORDER BY u.name, u.id LIMIT {limit} OFFSET {offset}",
        org = organizations::prefixed_columns("org_"),
    );
    let count_sql = format!("SELECT COUNT(*) {from} {condition}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar(&count_sql);
    if let Some(p) = &pattern {
        q = q.bind(p.text()).bind(p.document());
        c = c.bind(p.text()).bind(p.document());
    }
    if let Some(id) = organization_id {
        q = q.bind(id);
        c = c.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let total: i64 = c.fetch_one(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let user = from_row(row)?;
        let grants = grants(conn, user.id).await?;
        out.push(Listed {
            organization: organizations::from_prefixed_row(row, "org_")?,
            user,
            grants,
        });
    }
    Ok((out, total))
}

/// One user as the administration shows them.
pub async fn find_listed(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Listed>> {
    let Some(user) = find(conn, id).await? else {
        return Ok(None);
    };
    let organization = organizations::find(conn, user.organization_id)
        .await?
        .ok_or_else(|| StoreError::corrupt("users.organization_id", "dangling"))?;
    let grants = grants(conn, id).await?;
    Ok(Some(Listed {
        user,
        organization,
        grants,
    }))
}
