//! Pure domain types and rules of Adesão. No I/O, no HTTP, no SQL.
//!
//! Every type here *parses*: a value that exists is valid, so the layers above never re-check it.
//! Error messages are pt-BR because they reach the user unchanged.

pub mod access;
mod check_digits;
pub mod cnpj;
pub mod codes;
pub mod cpf;
pub mod dsi;
pub mod email;
pub mod filename;
pub mod mobile;
pub mod purpose;
pub mod request_number;
pub mod role_grant;
pub mod text;
pub mod volume;

pub use cnpj::{Cnpj, CnpjError};
pub use codes::{AttachmentKind, LegalBasis, RequestStatus, RequestType, Role, UnknownCode};
pub use cpf::{Cpf, CpfError};
pub use email::{Email, EmailError};
pub use mobile::{Mobile, MobileError};
pub use purpose::{FieldIssue, Purpose};
pub use request_number::{RequestNumber, RequestNumberError};
pub use role_grant::{PeriodError, RoleGrant};
pub use volume::{Volume, VolumeError};
