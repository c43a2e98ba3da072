//! Administration of the programme (issue 10): organizations, users with their roles and the
//! periods they count in, the API catalogue with its model files, onboarding from CSV, and the
//! audit of every change. Program admins only (403 for anyone else). Each change is one
//! transaction that writes the change and its audit entry — or nothing.

mod apis;
mod audit_log;
mod import;
mod input;
mod organizations;
mod outbox;
mod people;
mod users;

pub use apis::{
    ApiDetail, ApiInput, MAX_DESCRIPTION_CHARS as MAX_API_DESCRIPTION_CHARS,
    MAX_NAME_CHARS as MAX_API_NAME_CHARS, RequirementInput,
};
pub use audit_log::AuditQuery;
pub use import::{ImportLine, ImportReport, MAX_BYTES as MAX_IMPORT_BYTES, MODEL_CSV};
pub use organizations::{
    MAX_ACRONYM_CHARS, MAX_NAME_CHARS as MAX_ORG_NAME_CHARS, OrganizationInput,
};
pub use outbox::OutboxQuery;
pub use people::OrganizationPeople;
pub use users::{
    MAX_NAME_CHARS as MAX_PERSON_NAME_CHARS, RoleInput, UserInput, grants_text, period_field,
};

use adesao_documents::sandbox::PdfChecker;
use adesao_domain::Role;
use adesao_domain::access::Actor;
use adesao_store::audit::{self, Change, Entity};
use adesao_store::{AnyConnection, Db};
use jiff::Timestamp;

use crate::requests::ListPage;
use crate::{Clock, ServiceError};

#[derive(Clone)]
pub struct AdminService {
    db: Db,
    clock: Clock,
    /// Checks uploaded PDF models as attachments are checked (in a child process).
    checker: PdfChecker,
    /// The largest model file accepted, in bytes.
    max_model_bytes: usize,
}

impl AdminService {
    pub fn new(db: Db, checker: PdfChecker, max_model_bytes: usize) -> Self {
        Self {
            db,
            clock: Clock::system(),
            checker,
            max_model_bytes,
        }
    }

    /// The same service acting at `clock`'s time.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Today in Brasília: the day role periods are judged by.
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.today()
    }
}

/// Only the program team administers the programme.
pub fn require_admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has(Role::ProgramAdmin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "Apenas a equipe Conecta pode administrar órgãos, usuários e o catálogo de APIs."
                .into(),
        ))
    }
}

/// The page of an administration list as asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// A page past the last shows the last (HTML) rather than 404 (API).
    pub past_the_end_shows_last: bool,
}

/// A page of an administration list.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// The longest text of a search box.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The text of a search box: trimmed, none when blank, at most [`MAX_SEARCH_CHARS`].
fn search_text(q: Option<&str>) -> Result<Option<&str>, ServiceError> {
    let q = q.map(str::trim).filter(|s| !s.is_empty());
    if q.is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
        return Err(ServiceError::invalid(
            "q",
            format!("A busca pode ter até {MAX_SEARCH_CHARS} caracteres."),
        ));
    }
    Ok(q)
}

/// An id given as a filter: a positive number.
fn filter_id(field: &'static str, id: Option<i64>) -> Result<Option<i64>, ServiceError> {
    match id {
        Some(n) if n < 1 => Err(ServiceError::invalid(
            field,
            "Informe um identificador válido (um número a partir de 1).",
        )),
        other => Ok(other),
    }
}

/// Items per page of the administration lists unless asked otherwise.
pub const DEFAULT_PER_PAGE: i64 = 20;

impl Paging {
    /// The page and its size as asked (422 for a wrong one).
    fn judge(&self) -> Result<(i64, i64), ServiceError> {
        let mut issues = Vec::new();
        let judged = ListPage::paging(self.page, self.per_page, DEFAULT_PER_PAGE, &mut issues);
        if issues.is_empty() {
            Ok(judged)
        } else {
            Err(ServiceError::Invalid(issues))
        }
    }

    /// For a page found past the last of `total` items: the last page to fetch instead (HTML),
    /// or 404 (API). None when the page is fine.
    fn past_the_end(
        &self,
        page: i64,
        per_page: i64,
        total: i64,
    ) -> Result<Option<i64>, ServiceError> {
        let last = ((total + per_page - 1) / per_page).max(1);
        if page <= last {
            Ok(None)
        } else if self.past_the_end_shows_last {
            Ok(Some(last))
        } else {
            Err(ServiceError::PageNotFound { last })
        }
    }
}

/// The page `$paging` asks for, fetched by `$fetch(offset, limit)` (an expression awaiting a
/// store search that answers the page's items and the total). A macro rather than a function
/// taking an async closure, whose future the compiler cannot yet prove `Send` for axum.
macro_rules! paged {
    ($paging:expr, |$offset:ident, $limit:ident| $fetch:expr) => {{
        let paging: &$crate::admin::Paging = $paging;
        let (page, per_page) = paging.judge()?;
        let ($offset, $limit) = ((page - 1) * per_page, per_page);
        let (items, total) = $fetch;
        match paging.past_the_end(page, per_page, total)? {
            None => $crate::admin::Paged {
                items,
                total,
                page,
                per_page,
            },
            Some(last) => {
                let ($offset, $limit) = ((last - 1) * per_page, per_page);
                let (items, total) = $fetch;
                $crate::admin::Paged {
                    items,
                    total,
                    page: last,
                    per_page,
                }
            }
        }
    }};
}
pub(crate) use paged;

/// A write refused by a UNIQUE constraint as the 409 of `field`: the checks before each write
/// find a duplicate first, so this only answers for one they could not foresee.
pub(crate) fn taken_if_duplicate<T>(
    written: adesao_store::StoreResult<T>,
    field: &'static str,
    message: &str,
) -> Result<T, ServiceError> {
    match written {
        Err(e) if e.is_unique_violation() => Err(ServiceError::taken(field, message)),
        other => Ok(other?),
    }
}

/// The fields that changed, before → after, as the audit records them.
#[derive(Debug, Default)]
pub(crate) struct Diff(Vec<Change>);

impl Diff {
    /// Records `field` if its value changed. `None` is "no value".
    pub(crate) fn field(&mut self, field: &str, before: Option<String>, after: Option<String>) {
        if before != after {
            self.0.push(Change {
                field: field.to_owned(),
                before,
                after,
            });
        }
    }

    /// Every field of something new.
    pub(crate) fn created(&mut self, field: &str, value: Option<String>) {
        self.field(field, None, value);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The action the changes amount to: activation alone reads as such.
    fn action(&self) -> &'static str {
        match self.0.as_slice() {
            [only] if only.field == "active" && only.after.as_deref() == Some(NO) => {
                actions::DEACTIVATED
            }
            [only] if only.field == "active" && only.after.as_deref() == Some(YES) => {
                actions::REACTIVATED
            }
            _ => actions::UPDATED,
        }
    }
}

pub(crate) const YES: &str = "sim";
pub(crate) const NO: &str = "não";

pub(crate) fn flag(b: bool) -> Option<String> {
    Some(if b { YES } else { NO }.to_owned())
}

/// Audit actions, as stored in `audit_log.action`.
pub mod actions {
    pub const CREATED: &str = "created";
    pub const UPDATED: &str = "updated";
    pub const DEACTIVATED: &str = "deactivated";
    pub const REACTIVATED: &str = "reactivated";
    pub const PASSWORD_SET: &str = "password_set";
    pub const MODEL_SET: &str = "model_set";
    pub const IMPORTED: &str = "imported";

    /// How each reads on the audit page.
    pub fn label(action: &str) -> &'static str {
        match action {
            CREATED => "Inclusão",
            UPDATED => "Alteração",
            DEACTIVATED => "Desativação",
            REACTIVATED => "Reativação",
            PASSWORD_SET => "Definição de senha",
            MODEL_SET => "Envio de modelo",
            IMPORTED => "Importação (CSV)",
            _ => "Outra",
        }
    }
}

/// Writes the audit entry of a change; `action` `None` derives it from the changes.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    at: Timestamp,
    actor: &Actor,
    entity: Entity,
    entity_id: i64,
    action: Option<&str>,
    diff: &Diff,
) -> Result<(), ServiceError> {
    audit::append(
        conn,
        &audit::NewEntry {
            at,
            actor_id: actor.user_id,
            entity,
            entity_id,
            action: action.unwrap_or_else(|| diff.action()),
            changes: &diff.0,
        },
    )
    .await?;
    Ok(())
}
