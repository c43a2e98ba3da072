//! Órgãos: /admin/orgaos.

use adesao_services::admin::OrganizationInput;
use adesao_services::requests::actor_of;
use adesao_store::organizations::Organization;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{ConfirmPage, Issues, Pager, Posted, SearchQuery, Tabs, flash, paging, text, ticked};
use crate::csrf::CsrfForm;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

const TABS: Tabs = Tabs {
    current: "/admin/orgaos",
};

pub struct OrgRow {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    pub cnpj: String,
    pub provides_apis: bool,
    pub active: bool,
}

impl From<&Organization> for OrgRow {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id,
            acronym: o.acronym.clone(),
            name: o.name.clone(),
            cnpj: o.cnpj.formatted(),
            provides_apis: o.provides_apis,
            active: o.active,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_orgs.html")]
pub struct ListPage {
    layout: Layout,
    tabs: Tabs,
    flash: Option<&'static str>,
    errors: Vec<FormError>,
    q: String,
    rows: Vec<OrgRow>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<SearchQuery>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let found = state
        .admin
        .organizations(&actor, Some(&q.q), &paging(&q.pagina))
        .await?;
    Ok(ListPage {
        layout: Layout::for_user(&user),
        tabs: TABS,
        flash: flash(&q.msg),
        errors: Vec::new(),
        pager: Pager::new("/admin/orgaos", &[("q", &q.q)], &found, ("órgão", "órgãos")),
        rows: found.items.iter().map(OrgRow::from).collect(),
        q: q.q,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_org_form.html")]
pub struct FormPage {
    layout: Layout,
    tabs: Tabs,
    csrf_token: String,
    /// None for a new organization.
    org: Option<OrgRow>,
    name: String,
    acronym: String,
    cnpj: String,
    provides_apis: bool,
    issues: Issues,
    errors: Vec<FormError>,
    flash: Option<&'static str>,
}

impl FormPage {
    fn new(user: &CurrentUser, org: Option<&Organization>) -> Self {
        Self {
            layout: Layout::for_user(user),
            tabs: TABS,
            csrf_token: user.csrf_token.clone(),
            org: org.map(OrgRow::from),
            name: org.map(|o| o.name.clone()).unwrap_or_default(),
            acronym: org.map(|o| o.acronym.clone()).unwrap_or_default(),
            cnpj: org.map(|o| o.cnpj.formatted()).unwrap_or_default(),
            provides_apis: org.is_some_and(|o| o.provides_apis),
            issues: Issues::default(),
            errors: Vec::new(),
            flash: None,
        }
    }

    /// The form as posted, with the refusals beside their fields.
    fn refused(mut self, posted: &Posted, issues: Issues) -> Response {
        self.name = text(posted, "name");
        self.acronym = text(posted, "acronym");
        self.cnpj = text(posted, "cnpj");
        self.provides_apis = ticked(posted, "provides_apis");
        self.errors = issues.summary.clone();
        self.issues = issues;
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn error(&self, id: &str) -> Option<String> {
        self.issues.of(id)
    }
}

fn input(posted: &Posted) -> OrganizationInput {
    OrganizationInput {
        name: Some(text(posted, "name")),
        acronym: Some(text(posted, "acronym")),
        cnpj: Some(text(posted, "cnpj")),
        provides_apis: Some(ticked(posted, "provides_apis")),
        active: None,
    }
}

pub async fn new_form(user: CurrentUser) -> Result<Response, PageError> {
    adesao_services::admin::require_admin(&actor_of(&user.account))?;
    Ok(FormPage::new(&user, None).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    match state.admin.create_organization(&actor, &input(&form)).await {
        Ok(org) => {
            Ok(Redirect::to(&format!("/admin/orgaos/{}?msg=incluido", org.id)).into_response())
        }
        Err(e) => Ok(FormPage::new(&user, None).refused(&form, Issues::from(e.into_issues()?))),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<SearchQuery>,
) -> Result<Response, PageError> {
    let org = state
        .admin
        .organization(&actor_of(&user.account), id)
        .await?;
    let mut page = FormPage::new(&user, Some(&org));
    page.flash = flash(&q.msg);
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    match state
        .admin
        .update_organization(&actor, id, &input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/orgaos/{id}?msg=alterado")).into_response()),
        Err(e) => {
            let issues = Issues::from(e.into_issues()?);
            let org = state.admin.organization(&actor, id).await?;
            Ok(FormPage::new(&user, Some(&org)).refused(&form, issues))
        }
    }
}

fn confirm_page(user: &CurrentUser, org: &Organization, errors: Vec<FormError>) -> ConfirmPage {
    ConfirmPage {
        layout: Layout::for_user(user),
        title: format!("Desativar o órgão {}", org.acronym),
        message: format!(
            "Desativado, o órgão {} ({}) não poderá incluir solicitações e nenhum de seus usuários conseguirá entrar no sistema; quem estiver conectado perde o acesso imediatamente. O histórico das solicitações continua disponível, e o órgão pode ser reativado depois.",
            org.acronym, org.name
        ),
        action: format!("/admin/orgaos/{}/desativar", org.id),
        button: "Desativar órgão",
        back: format!("/admin/orgaos/{}", org.id),
        csrf_token: user.csrf_token.clone(),
        errors,
    }
}

pub async fn confirm_deactivate(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let org = state
        .admin
        .organization(&actor_of(&user.account), id)
        .await?;
    Ok(confirm_page(&user, &org, Vec::new()).into_response())
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
    user: CurrentUser,
    id: i64,
    active: bool,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let change = OrganizationInput {
        active: Some(active),
        ..OrganizationInput::default()
    };
    match state.admin.update_organization(&actor, id, &change).await {
        Ok(_) => {
            let msg = if active { "reativado" } else { "desativado" };
            Ok(Redirect::to(&format!("/admin/orgaos/{id}?msg={msg}")).into_response())
        }
        Err(adesao_services::ServiceError::Conflict(message)) => {
            let org = state.admin.organization(&actor, id).await?;
            let page = confirm_page(&user, &org, vec![FormError::general(message)]);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
