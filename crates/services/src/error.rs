//! The one error type of the use cases; each skin maps it to its own answer.

use adesao_domain::FieldIssue;
use adesao_domain::access::Refusal;
use adesao_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Unknown, or not visible to the user (answered alike so existence does not leak).
    #[error("Solicitação não encontrada.")]
    NotFound,
    /// A page past the last of a list.
    #[error("Esta página não existe: a lista tem {}.", pages_text(*last))]
    PageNotFound { last: i64 },
    #[error("{0}")]
    Forbidden(String),
    /// Not possible in the current state, or changed by someone else meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// A conflict with another request, named in the message: the skins link to it.
    #[error("{message}")]
    ConflictWith { message: String, request_id: i64 },
    #[error("Há campos com valores inválidos. Corrija-os e tente novamente.")]
    Invalid(Vec<FieldIssue>),
    /// Values that are valid but clash with what is registered (a CPF or CNPJ already in use):
    /// 409, each named by its field.
    #[error("{}", joined(.0))]
    Taken(Vec<FieldIssue>),
    /// Content of a kind the system does not take (an upload that is not a PDF).
    #[error("{0}")]
    Unsupported(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// More rows than a report of this kind holds (the PDF's limit): 422, pointing elsewhere.
    #[error("{0}")]
    TooManyRows(String),
    /// The server cannot take the work now (all PDF checking slots busy): 503, try again.
    #[error("{0}")]
    Busy(String),
    /// A failure of ours that is not the database's (its text is for the log only).
    #[error("internal error: {0}")]
    Internal(String),
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
}

fn joined(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn pages_text(n: i64) -> String {
    if n == 1 {
        "1 página".to_owned()
    } else {
        format!("{n} páginas")
    }
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldIssue::new(field, message)])
    }

    pub fn taken(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Taken(vec![FieldIssue::new(field, message)])
    }

    /// The field issues of an `Invalid` or `Taken` refusal, for a skin that shows them beside
    /// their fields; any other refusal comes back as it was, to be answered the usual way (`?`).
    pub fn into_issues(self) -> Result<Vec<FieldIssue>, ServiceError> {
        match self {
            ServiceError::Invalid(issues) | ServiceError::Taken(issues) => Ok(issues),
            other => Err(other),
        }
    }

    pub fn changed_meanwhile() -> Self {
        ServiceError::Conflict(
            "A solicitação foi alterada por outra pessoa enquanto você a editava. Recarregue a página e tente novamente."
                .into(),
        )
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => ServiceError::NotFound,
            Refusal::Forbidden(m) => ServiceError::Forbidden(m.to_owned()),
            Refusal::Conflict(m) => ServiceError::Conflict(m),
        }
    }
}

impl From<adesao_store::SqlError> for ServiceError {
    fn from(e: adesao_store::SqlError) -> Self {
        ServiceError::Store(e.into())
    }
}
