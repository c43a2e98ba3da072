//! The API catalogue: /admin/apis.

use adesao_domain::AttachmentKind;
use adesao_services::admin::{ApiDetail, ApiInput, RequirementInput};
use adesao_services::requests::actor_of;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{ConfirmPage, Issues, Pager, Posted, SearchQuery, Tabs, flash, paging, text, ticked};
use crate::csrf::{CsrfForm, check_origin, tokens_match};
use crate::html::error::beside_the_file;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::upload::{self, UploadError};

const TABS: Tabs = Tabs {
    current: "/admin/apis",
};

pub struct ApiRow {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub requirements: String,
    pub accepting_requests: bool,
    pub active: bool,
}

impl From<&ApiDetail> for ApiRow {
    fn from(d: &ApiDetail) -> Self {
        let requirements: Vec<String> = d
            .requirements
            .iter()
            .map(|r| {
                format!(
                    "{}{}{}",
                    r.kind.label(),
                    if r.mandatory { " (obrigatório)" } else { "" },
                    if r.model_filename.is_some() {
                        ", com modelo"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        Self {
            id: d.api.id,
            name: d.api.name.clone(),
            provider: d.provider.acronym.clone(),
            requirements: if requirements.is_empty() {
                "—".to_owned()
            } else {
                requirements.join("; ")
            },
            accepting_requests: d.api.accepting_requests,
            active: d.api.active,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_apis.html")]
pub struct ListPage {
    layout: Layout,
    tabs: Tabs,
    flash: Option<&'static str>,
    errors: Vec<FormError>,
    q: String,
    rows: Vec<ApiRow>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<SearchQuery>,
) -> Result<Response, PageError> {
    let found = state
        .admin
        .apis(&actor_of(&user.account), Some(&q.q), &paging(&q.pagina))
        .await?;
    Ok(ListPage {
        layout: Layout::for_user(&user),
        tabs: TABS,
        flash: flash(&q.msg),
        errors: Vec::new(),
        pager: Pager::new("/admin/apis", &[("q", &q.q)], &found, ("API", "APIs")),
        rows: found.items.iter().map(ApiRow::from).collect(),
        q: q.q,
    }
    .into_response())
}

/// One kind of attachment on the form: asked for or not, mandatory or not, and its model.
pub struct KindLine {
    pub code: &'static str,
    pub label: &'static str,
    pub asked: bool,
    pub mandatory: bool,
    pub model: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_api_form.html")]
pub struct FormPage {
    layout: Layout,
    tabs: Tabs,
    csrf_token: String,
    api: Option<ApiRow>,
    provider_id: String,
    providers: Vec<(String, String)>,
    name: String,
    description: String,
    accepting_requests: bool,
    kinds: Vec<KindLine>,
    max_upload: String,
    /// The kind whose model upload failed, and why.
    model_error_kind: Option<String>,
    model_error: Option<String>,
    issues: Issues,
    errors: Vec<FormError>,
    flash: Option<&'static str>,
}

impl FormPage {
    async fn new(
        state: &AppState,
        me: &CurrentUser,
        api: Option<&ApiDetail>,
    ) -> Result<Self, PageError> {
        let providers = state
            .requests
            .organizations()
            .await?
            .into_iter()
            .filter(|o| o.provides_apis || api.is_some_and(|a| a.provider.id == o.id))
            .map(|o| (o.id.to_string(), format!("{} — {}", o.acronym, o.name)))
            .collect();
        Ok(Self {
            layout: Layout::for_user(me),
            tabs: TABS,
            csrf_token: me.csrf_token.clone(),
            api: api.map(ApiRow::from),
            provider_id: api.map(|a| a.provider.id.to_string()).unwrap_or_default(),
            providers,
            name: api.map(|a| a.api.name.clone()).unwrap_or_default(),
            description: api.map(|a| a.api.description.clone()).unwrap_or_default(),
            accepting_requests: api.is_none_or(|a| a.api.accepting_requests),
            kinds: AttachmentKind::ALL
                .iter()
                .map(|k| {
                    let r = api.and_then(|a| a.requirements.iter().find(|r| r.kind == *k));
                    KindLine {
                        code: k.code(),
                        label: k.label(),
                        asked: r.is_some(),
                        mandatory: r.is_some_and(|r| r.mandatory),
                        model: r.and_then(|r| r.model_filename.clone()),
                    }
                })
                .collect(),
            max_upload: format!("{} MiB", state.max_upload_bytes / (1024 * 1024)),
            model_error_kind: None,
            model_error: None,
            issues: Issues::default(),
            errors: Vec::new(),
            flash: None,
        })
    }

    fn refused(mut self, posted: &Posted, issues: Issues) -> Response {
        self.provider_id = text(posted, "provider_id");
        self.name = text(posted, "name");
        self.description = text(posted, "description");
        self.accepting_requests = ticked(posted, "accepting_requests");
        for k in &mut self.kinds {
            k.asked = ticked(posted, &format!("pede_{}", k.code));
            k.mandatory = ticked(posted, &format!("obrigatorio_{}", k.code));
        }
        self.errors = issues.summary.clone();
        self.issues = issues;
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn error(&self, id: &str) -> Option<String> {
        self.issues.of(id)
    }

    fn model_error_for(&self, code: &str) -> Option<String> {
        self.model_error
            .clone()
            .filter(|_| self.model_error_kind.as_deref() == Some(code))
    }
}

fn input(posted: &Posted) -> Result<ApiInput, Issues> {
    let provider_id = match text(posted, "provider_id").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let mut issues = Issues::default();
                issues.add("provider_id", "Selecione o órgão cedente na lista.".into());
                return Err(issues);
            }
        },
    };
    Ok(ApiInput {
        provider_id,
        name: Some(text(posted, "name")),
        description: Some(text(posted, "description")),
        accepting_requests: Some(ticked(posted, "accepting_requests")),
        active: None,
        requirements: Some(
            AttachmentKind::ALL
                .iter()
                .filter(|k| ticked(posted, &format!("pede_{}", k.code())))
                .map(|k| RequirementInput {
                    kind: k.code().to_owned(),
                    mandatory: ticked(posted, &format!("obrigatorio_{}", k.code())),
                })
                .collect(),
        ),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Response, PageError> {
    adesao_services::admin::require_admin(&actor_of(&me.account))?;
    Ok(FormPage::new(&state, &me, None).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { user: me, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let page = FormPage::new(&state, &me, None).await?;
    let change = match input(&form) {
        Ok(c) => c,
        Err(issues) => return Ok(page.refused(&form, issues)),
    };
    match state.admin.create_api(&actor, &change).await {
        Ok(created) => Ok(
            Redirect::to(&format!("/admin/apis/{}?msg=incluido", created.api.id)).into_response(),
        ),
        Err(e) => Ok(page.refused(&form, Issues::from(e.into_issues()?))),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    me: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<SearchQuery>,
) -> Result<Response, PageError> {
    let api = state.admin.api(&actor_of(&me.account), id).await?;
    let mut page = FormPage::new(&state, &me, Some(&api)).await?;
    page.flash = flash(&q.msg);
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user: me, form }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let current = state.admin.api(&actor, id).await?;
    let page = FormPage::new(&state, &me, Some(&current)).await?;
    let change = match input(&form) {
        Ok(c) => c,
        Err(issues) => return Ok(page.refused(&form, issues)),
    };
    match state.admin.update_api(&actor, id, &change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/apis/{id}?msg=alterado")).into_response()),
        Err(e) => Ok(page.refused(&form, Issues::from(e.into_issues()?))),
    }
}

/// Envio de modelo: multipart with `csrf_token` first, `kind` and `file`.
pub async fn upload_model(
    State(state): State<AppState>,
    me: CurrentUser,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let actor = actor_of(&me.account);
    adesao_services::admin::require_admin(&actor)?;
    let multipart = multipart
        .map_err(|_| PageError::BadRequest("Envie o arquivo pelo formulário da página.".into()))?;
    let upload = match upload::read(multipart, state.max_upload_bytes, true).await {
        Ok(u) => u,
        Err(UploadError::CsrfFirst) => return Err(PageError::csrf()),
        Err(e) => {
            let status = match e {
                UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                UploadError::MissingFile => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            return model_refused(&state, &me, id, None, status, e.message()).await;
        }
    };
    if !tokens_match(upload.csrf_token.as_deref(), &me.csrf_token) {
        return Err(PageError::csrf());
    }
    let Some(kind) = upload.kind else {
        return Err(PageError::BadRequest(
            "Envie o modelo pelo formulário da página.".into(),
        ));
    };
    if upload.content.is_empty() && upload.filename.is_empty() {
        let message = "Selecione o arquivo do modelo (ODF, PDF ou Word).".to_owned();
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return model_refused(&state, &me, id, Some(kind), status, message).await;
    }
    match state
        .admin
        .set_model(&actor, id, kind, &upload.filename, &upload.content)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/apis/{id}?msg=modelo#modelos")).into_response()),
        Err(e) => {
            let (status, message) = beside_the_file(e)?;
            model_refused(&state, &me, id, Some(kind), status, message).await
        }
    }
}

async fn model_refused(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    kind: Option<AttachmentKind>,
    status: StatusCode,
    message: String,
) -> Result<Response, PageError> {
    let api = state.admin.api(&actor_of(&me.account), id).await?;
    let mut page = FormPage::new(state, me, Some(&api)).await?;
    let kind = kind
        .or_else(|| api.requirements.first().map(|r| r.kind))
        .unwrap_or(AttachmentKind::Form);
    page.model_error_kind = Some(kind.code().to_owned());
    page.model_error = Some(message.clone());
    page.errors.push(FormError::field(
        &format!("modelo-{}", kind.code()),
        message,
    ));
    Ok((status, page).into_response())
}

fn confirm_page(me: &CurrentUser, api: &ApiDetail, errors: Vec<FormError>) -> ConfirmPage {
    ConfirmPage {
        layout: Layout::for_user(me),
        title: format!("Desativar a {}", api.api.name),
        message: format!(
            "Desativada, a {} ({}) sai do catálogo: não é mais oferecida em Nova solicitação, e os rascunhos que a pedem não podem ser liberados para assinatura. As solicitações existentes continuam disponíveis, e a API pode ser reativada depois. (Para só deixar de receber novas solicitações, desmarque “Recebe novas solicitações”.)",
            api.api.name, api.provider.acronym
        ),
        action: format!("/admin/apis/{}/desativar", api.api.id),
        button: "Desativar API",
        back: format!("/admin/apis/{}", api.api.id),
        csrf_token: me.csrf_token.clone(),
        errors,
    }
}

pub async fn confirm_deactivate(
    State(state): State<AppState>,
    me: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let api = state.admin.api(&actor_of(&me.account), id).await?;
    Ok(confirm_page(&me, &api, Vec::new()).into_response())
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
    let change = ApiInput {
        active: Some(active),
        ..ApiInput::default()
    };
    state
        .admin
        .update_api(&actor_of(&me.account), id, &change)
        .await?;
    let msg = if active { "reativado" } else { "desativado" };
    Ok(Redirect::to(&format!("/admin/apis/{id}?msg={msg}")).into_response())
}
