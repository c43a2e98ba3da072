//! The server-rendered UI (askama templates over the gov.br Design System).

mod error;
pub mod login;
pub mod pages;

pub use error::PageError;

use crate::session::CurrentUser;

/// What the layout (base.html) shows around every page.
pub struct Layout {
    pub user: Option<LayoutUser>,
}

pub struct LayoutUser {
    pub name: String,
    pub organization: String,
    pub csrf_token: String,
}

impl Layout {
    pub fn anonymous() -> Self {
        Self { user: None }
    }

    pub fn for_user(user: &CurrentUser) -> Self {
        Self {
            user: Some(LayoutUser {
                name: user.account.user.name.clone(),
                organization: user.account.organization.name.clone(),
                csrf_token: user.csrf_token.clone(),
            }),
        }
    }
}

/// An error shown in a form: next to its field (`field` is the input's id) and in the summary
/// at the top of the page.
#[derive(Debug, Clone)]
pub struct FormError {
    pub field: Option<&'static str>,
    pub message: String,
}
