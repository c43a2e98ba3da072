//! The HTTP skin of Adesão: the server-rendered HTML UI and the JSON API, two thin layers over
//! the same services, and [`Application`], which starts everything exactly as production does.

mod api;
mod assets;
mod client;
pub mod config;
mod csrf;
mod format;
mod html;
mod limits;
mod report;
mod routes;
mod security;
mod session;
pub mod signing_key;
mod startup;
mod state;
mod upload;

pub use config::{Config, ConfigError};
pub use startup::{Application, init_tracing};
