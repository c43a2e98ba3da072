//! The account (user + organization + today's roles) that authorisation reads: by user id, and
//! behind a live API token or browser session, in one statement each.

use adesao_domain::Role;
use jiff::civil::Date;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::organizations::{self, Organization};
use crate::users::{COLUMNS, User, current, day, from_row};
use crate::{StoreError, StoreResult, time};

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

/// The roles the user holds on `today`: those whose period includes it.
pub async fn roles(conn: &mut AnyConnection, user_id: i64, today: Date) -> StoreResult<Vec<Role>> {
    let sql = format!(
        "SELECT r.role FROM user_roles r WHERE r.user_id = $1 AND {} ORDER BY r.role",
        current(2)
    );
    let codes: Vec<String> = sqlx::query_scalar(&sql)
        .bind(user_id)
        .bind(day(today))
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

/// The user, their organization and the roles they hold on `today`; `None` for an unknown id.
pub async fn find_account(
    conn: &mut AnyConnection,
    user_id: i64,
    today: Date,
) -> StoreResult<Option<Account>> {
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
    let roles = roles(conn, user_id, today).await?;
    Ok(Some(Account {
        user,
        organization,
        roles,
    }))
}

/// The account behind a live credential, in one statement: every request asks this first
/// (an API token or a browser session), and three round trips (credential, user with
/// organization, roles) were a fifth of a list's cost. `credential` is `api_tokens` or
/// `sessions`, aliased `c`; `extra` are more of its columns to return. Roles come aggregated as
/// `role,role`; the caller decides whether the account is usable.
async fn account_by_credential(
    conn: &mut AnyConnection,
    credential: &str,
    extra: &str,
    (token_hash, now, today): (&str, jiff::Timestamp, Date),
) -> StoreResult<Option<(AnyRow, Account)>> {
    let sql = format!(
        "SELECT {COLUMNS}, {org}, {extra} (SELECT string_agg(r.role, ',') FROM user_roles r \
         WHERE r.user_id = u.id AND {current}) AS role_codes \
         FROM {credential} c JOIN users u ON u.id = c.user_id \
         JOIN organizations o ON o.id = u.organization_id \
         WHERE c.token_hash = $1 AND c.expires_at > $2",
        org = organizations::prefixed_columns("org_"),
        current = current(3),
    );
    let Some(row) = sqlx::query(&sql)
        .bind(token_hash)
        .bind(time::to_db(now))
        .bind(day(today))
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let codes: Option<String> = row.try_get("role_codes")?;
    let mut roles = codes
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse()
                .map_err(|e| StoreError::corrupt("user_roles.role", e))
        })
        .collect::<StoreResult<Vec<Role>>>()?;
    roles.sort();
    let account = Account {
        user: from_row(&row)?,
        organization: organizations::from_prefixed_row(&row, "org_")?,
        roles,
    };
    Ok(Some((row, account)))
}

/// The account of a live API token (by its hash).
pub async fn find_account_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: jiff::Timestamp,
    today: Date,
) -> StoreResult<Option<Account>> {
    let found = account_by_credential(conn, "api_tokens", "", (token_hash, now, today)).await?;
    Ok(found.map(|(_, account)| account))
}

/// What a browser session adds to its account.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    pub id: i64,
    pub csrf_token: String,
    pub last_seen_at: jiff::Timestamp,
}

/// The session of a live cookie token (by its hash) and its account.
pub async fn find_account_by_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: jiff::Timestamp,
    today: Date,
) -> StoreResult<Option<(SessionFacts, Account)>> {
    let extra = "c.id AS session_id, c.csrf_token AS session_csrf, c.last_seen_at AS session_seen,";
    let Some((row, account)) =
        account_by_credential(conn, "sessions", extra, (token_hash, now, today)).await?
    else {
        return Ok(None);
    };
    let seen: String = row.try_get("session_seen")?;
    let facts = SessionFacts {
        id: row.try_get("session_id")?,
        csrf_token: row.try_get("session_csrf")?,
        last_seen_at: time::from_db("sessions.last_seen_at", &seen)?,
    };
    Ok(Some((facts, account)))
}
