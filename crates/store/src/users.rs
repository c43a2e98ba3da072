//! Users, their roles, and the account (user + organization + roles) that authorisation reads.

use adesao_domain::{Cpf, Mobile, Role};
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::organizations::{self, Organization};
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

/// A user with what authorisation needs to know about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    pub organization: Organization,
    pub roles: Vec<Role>,
}

impl Account {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

pub struct NewUser<'a> {
    pub organization_id: i64,
    pub cpf: &'a Cpf,
    pub name: &'a str,
    pub email: &'a str,
    pub mobile: &'a Mobile,
    pub password_hash: &'a str,
}

const COLUMNS: &str = "u.id, u.organization_id, u.cpf, u.name, u.email, u.mobile, u.active";

fn from_row(row: &AnyRow) -> StoreResult<User> {
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

pub async fn grant_role(conn: &mut AnyConnection, user_id: i64, role: Role) -> StoreResult<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
        .bind(user_id)
        .bind(role.code())
        .execute(conn)
        .await?;
    Ok(())
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

pub async fn roles(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<Role>> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    let mut roles = codes
        .iter()
        .map(|c| {
            c.parse()
                .map_err(|e| StoreError::corrupt("user_roles.role", e))
        })
        .collect::<StoreResult<Vec<Role>>>()?;
    roles.sort();
    Ok(roles)
}

/// The user, their organization and roles; `None` for an unknown id.
pub async fn find_account(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Option<Account>> {
    let sql = format!(
        "SELECT {COLUMNS}, {org} FROM users u JOIN organizations o ON o.id = u.organization_id \
         WHERE u.id = $1",
        org = organizations::prefixed_columns("org_")
    );
    let Some(row) = sqlx::query(&sql)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let user = from_row(&row)?;
    let organization = organizations::from_prefixed_row(&row, "org_")?;
    let roles = roles(conn, user_id).await?;
    Ok(Some(Account {
        user,
        organization,
        roles,
    }))
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

/// Active users of an organization holding any of `roles`, by name, with all their roles.
pub async fn with_roles(
    conn: &mut AnyConnection,
    organization_id: i64,
    roles: &[Role],
) -> StoreResult<Vec<Person>> {
    let placeholders: Vec<String> = (0..roles.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT u.id, u.name, u.cpf, u.email, r.role FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE u.organization_id = $1 AND u.active = 1 AND u.id IN \
         (SELECT user_id FROM user_roles WHERE role IN ({})) ORDER BY u.name, u.id, r.role",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(organization_id);
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

/// Active program admins of any organization (their recipients for approvals).
pub async fn program_admins(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'program_admin' AND u.active = 1 ORDER BY u.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("email")?)))
        .collect()
}
