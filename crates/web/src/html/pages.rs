//! Pages without forms: home, terms.

use adesao_domain::Role;
use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::session::CurrentUser;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    name: String,
    organization: String,
    roles: String,
    signer: bool,
    admin: bool,
    manager: bool,
}

pub async fn home(user: CurrentUser) -> HomePage {
    let account = &user.account;
    let roles: Vec<&str> = account.roles.iter().map(|r| r.label()).collect();
    HomePage {
        layout: Layout::for_user(&user),
        name: account.user.name.clone(),
        organization: account.organization.name.clone(),
        roles: roles.join(", "),
        signer: account.has_role(Role::ItDirector) || account.has_role(Role::TechnicalLead),
        admin: account.has_role(Role::ProgramAdmin),
        manager: account.has_role(Role::Manager),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "terms.html")]
pub struct TermsPage {
    layout: Layout,
}

pub async fn terms(user: Option<CurrentUser>) -> TermsPage {
    let layout = user
        .as_ref()
        .map(Layout::for_user)
        .unwrap_or_else(Layout::anonymous);
    TermsPage { layout }
}

pub async fn not_found() -> super::PageError {
    super::PageError::NotFound
}

/// A method the address does not take (a form posted to a page, say).
pub async fn method_not_allowed() -> super::PageError {
    super::PageError::MethodNotAllowed
}
