//! The server-rendered UI (askama templates over the gov.br Design System).

pub mod account;
pub mod admin;
pub mod error;
pub mod extract;
pub mod login;
pub mod pages;
pub mod requests;
pub mod validate;

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

/// An error shown in the summary at the top of a page, linking to where it can be fixed (the
/// field's id on this page, or another page); the field itself shows the message too.
#[derive(Debug, Clone)]
pub struct FormError {
    pub target: Option<String>,
    pub message: String,
}

impl FormError {
    /// An error of the field with this id on the same page.
    pub fn field(id: &str, message: impl Into<String>) -> Self {
        Self {
            target: Some(format!("#{id}")),
            message: message.into(),
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            target: None,
            message: message.into(),
        }
    }
}
