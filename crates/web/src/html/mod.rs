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
    /// The header's menu: what this user's roles open.
    pub menu: Vec<MenuItem>,
}

pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
}

/// The main menu (the seed reaches the list from a menu): every logged-in user has the
/// requests; signers their pending signatures; the programme team administration and messages.
fn menu_for(account: &adesao_services::Account) -> Vec<MenuItem> {
    use adesao_domain::Role;
    let mut menu = vec![MenuItem {
        href: "/solicitacoes",
        label: "Solicitações",
    }];
    if account.has_role(Role::ItDirector) || account.has_role(Role::TechnicalLead) {
        menu.push(MenuItem {
            href: "/assinaturas-pendentes",
            label: "Minhas assinaturas",
        });
    }
    if account.has_role(Role::Manager) {
        menu.push(MenuItem {
            href: "/meu-orgao",
            label: "Meu órgão",
        });
    }
    if account.has_role(Role::ProgramAdmin) {
        menu.push(MenuItem {
            href: "/admin/orgaos",
            label: "Administração",
        });
        menu.push(MenuItem {
            href: "/admin/mensagens",
            label: "Mensagens",
        });
    }
    menu
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
                menu: menu_for(&user.account),
            }),
        }
    }

    pub fn for_optional(user: Option<&CurrentUser>) -> Self {
        user.map(Self::for_user).unwrap_or_else(Self::anonymous)
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

/// A refused action shown on the page where the user was (not on an error page): the message,
/// and a link to what it names (the other request of a conflict, say).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub message: String,
    pub link: Option<(String, String)>,
}

impl Refusal {
    /// The refusals a page can show in context, with their status; the others (not found, an
    /// internal failure) come back to be answered with the error page.
    pub fn in_context(
        e: adesao_services::ServiceError,
    ) -> Result<(axum::http::StatusCode, Self), adesao_services::ServiceError> {
        use adesao_services::ServiceError as E;
        use axum::http::StatusCode as S;
        let plain = |status, message| {
            Ok((
                status,
                Refusal {
                    message,
                    link: None,
                },
            ))
        };
        match e {
            E::Conflict(m) => plain(S::CONFLICT, m),
            E::ConflictWith {
                message,
                request_id,
            } => Ok((
                S::CONFLICT,
                Refusal {
                    message,
                    link: Some((
                        format!("/solicitacoes/{request_id}"),
                        "Abrir a outra solicitação".to_owned(),
                    )),
                },
            )),
            E::Forbidden(m) => plain(S::FORBIDDEN, m),
            E::RateLimited { message, .. } => plain(S::TOO_MANY_REQUESTS, message),
            E::Busy(m) => plain(S::SERVICE_UNAVAILABLE, m),
            E::Unsupported(m) => plain(S::UNSUPPORTED_MEDIA_TYPE, m),
            e @ E::Taken(_) => plain(S::CONFLICT, e.to_string()),
            other => Err(other),
        }
    }
}
