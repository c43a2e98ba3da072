//! Minha conta (everyone: their data, roles with periods, and a new password) and Meu órgão
//! (requester managers: their organization's people, read-only).

use adesao_domain::Role;
use adesao_services::requests::actor_of;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin::Issues;
use super::admin::users::{RoleText, UserRow};
use super::{FormError, Layout, PageError};
use crate::client::ClientAddr;
use crate::csrf::CsrfForm;
use crate::session::CurrentUser;
use crate::state::AppState;

/// Where the programme takes requests for changes to people and roles.
pub const CONECTA_EMAIL: &str = "conecta@gestao.gov.br";

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    layout: Layout,
    csrf_token: String,
    name: String,
    cpf: String,
    email: String,
    mobile: String,
    organization: String,
    roles: Vec<RoleText>,
    manager: bool,
    password_rule: &'static str,
    issues: Issues,
    errors: Vec<FormError>,
}

impl AccountPage {
    async fn new(state: &AppState, me: &CurrentUser) -> Result<Self, PageError> {
        let a = &me.account;
        // The user's own roles with their periods (the account holds only the current ones).
        let grants = state.admin.own_grants(&actor_of(a)).await?;
        let today = state.admin.today();
        Ok(Self {
            layout: Layout::for_user(me),
            csrf_token: me.csrf_token.clone(),
            name: a.user.name.clone(),
            cpf: a.user.cpf.formatted(),
            email: a.user.email.clone(),
            mobile: a.user.mobile.to_string(),
            organization: format!("{} — {}", a.organization.acronym, a.organization.name),
            roles: grants
                .iter()
                .map(|g| RoleText {
                    label: g.role.label(),
                    period: g.period_text(),
                    current: g.counts_on(today),
                })
                .collect(),
            manager: a.has_role(Role::Manager),
            password_rule: adesao_services::password_rule::RULE,
            issues: Issues::default(),
            errors: Vec::new(),
        })
    }

    fn error(&self, id: &str) -> Option<String> {
        self.issues.of(id)
    }
}

pub async fn show(State(state): State<AppState>, me: CurrentUser) -> Result<Response, PageError> {
    Ok(AccountPage::new(&state, &me).await?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Trocar senha: every session ends (this one too), so the user logs in again with it.
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    CsrfForm { user: me, form }: CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let mut page = AccountPage::new(&state, &me).await?;
    let status = if form.confirm_password != form.new_password {
        page.issues.add(
            "confirm_password",
            "A confirmação não é igual à nova senha.".into(),
        );
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        match state
            .auth
            .change_own_password(
                &me.account,
                &form.current_password,
                &form.new_password,
                &client,
            )
            .await
        {
            Ok(()) => return Ok(Redirect::to("/login?senha=1").into_response()),
            Err(adesao_services::ServiceError::RateLimited { message, .. }) => {
                page.issues.add("current_password", message);
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(e) => {
                for issue in e.into_issues()? {
                    page.issues.add(issue.field, issue.message);
                }
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    };
    page.errors = page.issues.summary.clone();
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "org_people.html")]
pub struct PeoplePage {
    layout: Layout,
    organization: String,
    rows: Vec<UserRow>,
    contact: &'static str,
}

/// Meu órgão: the people of the manager's organization and their roles, read-only.
pub async fn people(State(state): State<AppState>, me: CurrentUser) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let found = state
        .admin
        .organization_people(&actor, me.account.organization.id)
        .await
        .map_err(|e| match e {
            // A user who is no manager: this page is not for them.
            adesao_services::ServiceError::NotFound => {
                PageError::Forbidden("Apenas gestores veem as pessoas do seu órgão.".into())
            }
            other => other.into(),
        })?;
    let today = state.admin.today();
    Ok(PeoplePage {
        layout: Layout::for_user(&me),
        organization: format!(
            "{} — {}",
            found.organization.acronym, found.organization.name
        ),
        rows: found
            .people
            .iter()
            .map(|l| UserRow::new(l, today))
            .collect(),
        contact: CONECTA_EMAIL,
    }
    .into_response())
}
