//! Usuários: /admin/usuarios.

use adesao_domain::Role;
use adesao_services::admin::{RoleInput, UserInput, period_field};
use adesao_services::requests::actor_of;
use adesao_store::users::Listed;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{ConfirmPage, Issues, Pager, Posted, Tabs, field_id, flash, paging, text, ticked};
use crate::csrf::CsrfForm;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

const TABS: Tabs = Tabs {
    current: "/admin/usuarios",
};

/// A user as a row of a list: roles with their periods, the lapsed ones marked.
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub cpf: String,
    pub email: String,
    pub organization: String,
    pub roles: Vec<RoleText>,
    pub active: bool,
}

pub struct RoleText {
    pub label: &'static str,
    pub period: String,
    pub current: bool,
}

impl UserRow {
    pub fn new(l: &Listed, today: jiff::civil::Date) -> Self {
        Self {
            id: l.user.id,
            name: l.user.name.clone(),
            cpf: l.user.cpf.formatted(),
            email: l.user.email.clone(),
            organization: l.organization.acronym.clone(),
            roles: l
                .grants
                .iter()
                .map(|g| RoleText {
                    label: g.role.label(),
                    period: g.period_text(),
                    current: g.counts_on(today),
                })
                .collect(),
            active: l.user.active,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserQuery {
    q: String,
    orgao: String,
    pagina: String,
    msg: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct ListPage {
    layout: Layout,
    tabs: Tabs,
    flash: Option<&'static str>,
    errors: Vec<FormError>,
    q: String,
    orgao: String,
    organizations: Vec<(String, String)>,
    rows: Vec<UserRow>,
    pager: Pager,
}

async fn organization_choices(state: &AppState) -> Result<Vec<(String, String)>, PageError> {
    Ok(state
        .requests
        .organizations()
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), format!("{} — {}", o.acronym, o.name)))
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<UserQuery>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let organization_id = match q.orgao.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| {
            PageError::BadRequest("O filtro de órgão tem um valor inválido.".into())
        })?),
    };
    let found = state
        .admin
        .users(&actor, Some(&q.q), organization_id, &paging(&q.pagina))
        .await?;
    let today = state.admin.today();
    Ok(ListPage {
        layout: Layout::for_user(&user),
        tabs: TABS,
        flash: flash(&q.msg),
        errors: Vec::new(),
        organizations: organization_choices(&state).await?,
        pager: Pager::new(
            "/admin/usuarios",
            &[("q", &q.q), ("orgao", &q.orgao)],
            &found,
            ("usuário", "usuários"),
        ),
        rows: found.items.iter().map(|l| UserRow::new(l, today)).collect(),
        q: q.q,
        orgao: q.orgao,
    }
    .into_response())
}

/// One role's line of the form.
pub struct RoleLine {
    pub code: &'static str,
    pub label: &'static str,
    pub held: bool,
    pub starts_on: String,
    pub ends_on: String,
    pub error_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user_form.html")]
pub struct FormPage {
    layout: Layout,
    tabs: Tabs,
    csrf_token: String,
    user: Option<UserRow>,
    cpf: String,
    name: String,
    email: String,
    mobile: String,
    organization_id: String,
    organizations: Vec<(String, String)>,
    roles: Vec<RoleLine>,
    password_rule: &'static str,
    issues: Issues,
    errors: Vec<FormError>,
    flash: Option<&'static str>,
}

impl FormPage {
    async fn new(
        state: &AppState,
        me: &CurrentUser,
        user: Option<&Listed>,
    ) -> Result<Self, PageError> {
        let today = state.admin.today();
        Ok(Self {
            layout: Layout::for_user(me),
            tabs: TABS,
            csrf_token: me.csrf_token.clone(),
            user: user.map(|l| UserRow::new(l, today)),
            cpf: user.map(|l| l.user.cpf.formatted()).unwrap_or_default(),
            name: user.map(|l| l.user.name.clone()).unwrap_or_default(),
            email: user.map(|l| l.user.email.clone()).unwrap_or_default(),
            mobile: user.map(|l| l.user.mobile.to_string()).unwrap_or_default(),
            organization_id: user
                .map(|l| l.organization.id.to_string())
                .unwrap_or_default(),
            organizations: organization_choices(state).await?,
            roles: Role::ALL
                .iter()
                .map(|role| {
                    let grant = user.and_then(|l| l.grants.iter().find(|g| g.role == *role));
                    RoleLine {
                        code: role.code(),
                        label: role.label(),
                        held: grant.is_some(),
                        starts_on: grant
                            .and_then(|g| g.starts_on)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        ends_on: grant
                            .and_then(|g| g.ends_on)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        error_id: field_id(period_field(*role)),
                    }
                })
                .collect(),
            password_rule: adesao_services::password_rule::RULE,
            issues: Issues::default(),
            errors: Vec::new(),
            flash: None,
        })
    }

    fn refused(mut self, posted: &Posted, issues: Issues) -> Response {
        self.cpf = text(posted, "cpf");
        self.name = text(posted, "name");
        self.email = text(posted, "email");
        self.mobile = text(posted, "mobile");
        self.organization_id = text(posted, "organization_id");
        for line in &mut self.roles {
            line.held = ticked(posted, &format!("papel_{}", line.code));
            line.starts_on = text(posted, &format!("inicio_{}", line.code));
            line.ends_on = text(posted, &format!("fim_{}", line.code));
        }
        self.errors = issues.summary.clone();
        self.issues = issues;
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn error(&self, id: &str) -> Option<String> {
        self.issues.of(id)
    }
}

fn input(posted: &Posted) -> Result<UserInput, Issues> {
    let organization_id = match text(posted, "organization_id").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let mut issues = Issues::default();
                issues.add("organization_id", "Selecione um órgão da lista.".into());
                return Err(issues);
            }
        },
    };
    let roles = Role::ALL
        .iter()
        .filter(|r| ticked(posted, &format!("papel_{}", r.code())))
        .map(|r| RoleInput {
            role: r.code().to_owned(),
            starts_on: Some(text(posted, &format!("inicio_{}", r.code()))),
            ends_on: Some(text(posted, &format!("fim_{}", r.code()))),
        })
        .collect();
    let password = text(posted, "password");
    Ok(UserInput {
        cpf: Some(text(posted, "cpf")),
        name: Some(text(posted, "name")),
        email: Some(text(posted, "email")),
        mobile: Some(text(posted, "mobile")),
        organization_id,
        roles: Some(roles),
        active: None,
        // On an edit, a blank password keeps the current one.
        password: (!password.is_empty()).then_some(password),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    orgao: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<NewQuery>,
) -> Result<Response, PageError> {
    adesao_services::admin::require_admin(&actor_of(&user.account))?;
    let mut page = FormPage::new(&state, &user, None).await?;
    page.organization_id = q.orgao;
    Ok(page.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let page = FormPage::new(&state, &user, None).await?;
    let mut change = match input(&form) {
        Ok(change) => change,
        Err(issues) => return Ok(page.refused(&form, issues)),
    };
    // A new user needs a first password: blank is a refusal, not "keep the current one".
    change.password.get_or_insert_with(String::new);
    match state.admin.create_user(&actor, &change).await {
        Ok(created) => Ok(Redirect::to(&format!(
            "/admin/usuarios/{}?msg=incluido",
            created.user.id
        ))
        .into_response()),
        Err(e) => Ok(page.refused(&form, Issues::from(e.into_issues()?))),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    me: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<super::SearchQuery>,
) -> Result<Response, PageError> {
    let user = state.admin.user(&actor_of(&me.account), id).await?;
    let mut page = FormPage::new(&state, &me, Some(&user)).await?;
    page.flash = flash(&q.msg);
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user: me, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let current = state.admin.user(&actor, id).await?;
    let page = FormPage::new(&state, &me, Some(&current)).await?;
    let change = match input(&form) {
        Ok(change) => change,
        Err(issues) => return Ok(page.refused(&form, issues)),
    };
    match state.admin.update_user(&actor, id, &change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/usuarios/{id}?msg=alterado")).into_response()),
        Err(adesao_services::ServiceError::Conflict(message)) => {
            let mut issues = Issues::default();
            issues.add("roles", message);
            Ok(page.refused(&form, issues))
        }
        Err(e) => Ok(page.refused(&form, Issues::from(e.into_issues()?))),
    }
}

fn confirm_page(me: &CurrentUser, user: &Listed, errors: Vec<FormError>) -> ConfirmPage {
    ConfirmPage {
        layout: Layout::for_user(me),
        title: format!("Desativar {}", user.user.name),
        message: format!(
            "Desativado, {} ({}, {}) não entra mais no sistema; as sessões abertas e os tokens da API terminam imediatamente, e deixa de aparecer como signatário. O histórico continua disponível, e o cadastro pode ser reativado depois.",
            user.user.name,
            user.user.cpf.formatted(),
            user.organization.acronym
        ),
        action: format!("/admin/usuarios/{}/desativar", user.user.id),
        button: "Desativar usuário",
        back: format!("/admin/usuarios/{}", user.user.id),
        csrf_token: me.csrf_token.clone(),
        errors,
    }
}

pub async fn confirm_deactivate(
    State(state): State<AppState>,
    me: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let user = state.admin.user(&actor_of(&me.account), id).await?;
    Ok(confirm_page(&me, &user, Vec::new()).into_response())
}

pub async fn deactivate(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form: _ }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    set_active(state, user, id, false).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form: _ }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    set_active(state, user, id, true).await
}

async fn set_active(
    state: AppState,
    me: CurrentUser,
    id: i64,
    active: bool,
) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let change = UserInput {
        active: Some(active),
        ..UserInput::default()
    };
    match state.admin.update_user(&actor, id, &change).await {
        Ok(_) => {
            let msg = if active { "reativado" } else { "desativado" };
            Ok(Redirect::to(&format!("/admin/usuarios/{id}?msg={msg}")).into_response())
        }
        Err(adesao_services::ServiceError::Conflict(message)) => {
            let user = state.admin.user(&actor, id).await?;
            let page = confirm_page(&me, &user, vec![FormError::general(message)]);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
