//! Persistence of Adesão on SQLite (embedded default) and PostgreSQL.
//!
//! One set of SQL text serves both databases through sqlx's `Any` driver: `$1` placeholders,
//! integers, text and blobs only (see the conventions at the top of the migrations). DDL differs,
//! so each backend has its own migration folder.
//!
//! Repository functions take `&mut AnyConnection`, so a service can call them on a pooled
//! connection or inside its transaction alike.

mod db;
pub mod time;

pub mod accounts;
pub mod api_access;
pub mod api_tokens;
pub mod apis;
pub mod attachments;
pub mod audit;
pub mod auth_failures;
pub mod dsi_documents;
pub mod events;
pub mod known_devices;
pub mod load;
pub mod locks;
pub mod organizations;
pub mod outbox;
pub mod request_list;
pub mod requests;
mod search;
pub mod sessions;
pub mod signatures;
pub mod signing_keys;
pub mod signing_sessions;
pub mod users;

pub use db::{Backend, Db, DbOptions};
pub use sqlx::AnyConnection;
pub use sqlx::Error as SqlError;

/// A write transaction, as [`Db::begin`] opens it.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A failure of the store. Its text is for logs, never for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt value in column {column}: {detail}")]
    Corrupt {
        column: &'static str,
        detail: String,
    },
    #[error("invalid database URL: {0}")]
    Url(String),
}

impl StoreError {
    /// True when a UNIQUE constraint refused the write (both backends report it the same way).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    pub(crate) fn corrupt(column: &'static str, detail: impl ToString) -> Self {
        StoreError::Corrupt {
            column,
            detail: detail.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
