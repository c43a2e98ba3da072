//! Use cases of Adesão. Each takes the acting user (where there is one) and typed input, checks
//! the rules of the domain, writes through the store, and returns a typed error that the HTTP
//! skins turn into a pt-BR message — or changes nothing.

pub mod admin;
pub mod auth;
mod clock;
pub mod demo;
mod error;
pub mod messages;
mod password;
pub mod password_rule;
pub mod reports;
pub mod requests;
pub mod secret;
pub mod signing_authority;

pub use adesao_store::accounts::Account;
pub use admin::AdminService;
pub use auth::{Attempt, AuthError, AuthPolicy, AuthService, Login, NewSession};
pub use clock::Clock;
pub use error::ServiceError;
pub use requests::RequestService;
pub use signing_authority::{SigningAuthority, SigningKey};
