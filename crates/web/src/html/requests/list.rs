//! 1.1/1.11 — Solicitações de Adesão e Alteração de Volumetria dos Órgãos.

use adesao_domain::{RequestNumber, RequestStatus, RequestType, Role};
use adesao_services::requests::{Show, actor_of};
use adesao_store::request_list::Filter;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{error_page, flash_text};
use crate::format;
use crate::html::{FormError, Layout};
use crate::session::CurrentUser;
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

/// The filters, kept in the URL so a filtered page can be bookmarked and shared.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub mostrar: String,
    pub numero: String,
    pub tipo: String,
    pub situacao: String,
    pub solicitante: String,
    pub cedente: String,
    pub api: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pagina: String,
    #[serde(skip_serializing)]
    pub msg: String,
}

pub struct Row {
    id: i64,
    number: String,
    kind: &'static str,
    requester: String,
    api: String,
    status: &'static str,
    current_volume: String,
    requested_volume: String,
    authorized_volume: String,
    last_event_at: String,
}

pub struct PageLink {
    number: i64,
    link: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "list.html")]
pub struct ListPage {
    layout: Layout,
    q: ListQuery,
    flash: Option<&'static str>,
    errors: Vec<FormError>,
    number_error: Option<String>,
    show_choices: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    organizations: Vec<(String, String)>,
    providers: Vec<(String, String)>,
    apis: Vec<(String, String)>,
    can_create: bool,
    rows: Vec<Row>,
    total_text: String,
    pages: Vec<PageLink>,
    prev_link: Option<String>,
    next_link: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(mut q): Query<ListQuery>,
) -> Response {
    let actor = actor_of(&user.account);
    let show = Show::parse(&q.mostrar)
        .filter(|s| Show::choices(&actor).contains(s))
        .unwrap_or(Show::default_for(&actor));
    q.mostrar = show.code().to_owned();
    let mut errors = Vec::new();
    let mut number_error = None;
    let number = match q.numero.trim() {
        "" => None,
        text => match RequestNumber::parse(text) {
            Ok(n) => Some(n.to_string()),
            Err(e) => {
                number_error = Some(e.to_string());
                errors.push(FormError::field("numero", e.to_string()));
                None
            }
        },
    };
    let id = |s: &str| s.trim().parse::<i64>().ok();
    let filter = Filter {
        number,
        request_type: q.tipo.parse::<RequestType>().ok(),
        status: q.situacao.parse::<RequestStatus>().ok(),
        requester_id: id(&q.solicitante),
        provider_id: id(&q.cedente),
        api_id: id(&q.api),
    };
    let page_number = adesao_services::requests::ListPage::clamp_page(id(&q.pagina).unwrap_or(1));

    let (catalogue, organizations) = match (
        state.requests.catalogue().await,
        state.requests.organizations().await,
    ) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => return error_page(e),
    };
    let (rows, total, pages) = if errors.is_empty() {
        match state
            .requests
            .list(&actor, show, &filter, page_number, PER_PAGE)
            .await
        {
            Ok(p) => {
                let total_text = if p.total_is_capped() {
                    format!("Mais de {} solicitações", format::count(p.total))
                } else if p.total == 1 {
                    "1 solicitação".to_owned()
                } else {
                    format!("{} solicitações", format::count(p.total))
                };
                let pages = p.pages();
                (p.items, total_text, pages)
            }
            Err(e) => return error_page(e),
        }
    } else {
        (Vec::new(), "Corrija o filtro para pesquisar.".to_owned(), 1)
    };

    let link = |n: i64| {
        let mut lq = q.clone();
        lq.pagina = n.to_string();
        format!(
            "/solicitacoes?{}",
            serde_html_form::to_string(&lq).unwrap_or_default()
        )
    };
    let first = (page_number - 2).max(1);
    let last = (page_number + 2).min(pages);
    let page_links = (first..=last)
        .map(|n| PageLink {
            number: n,
            link: link(n),
            current: n == page_number,
        })
        .collect();
    let mut providers: Vec<(String, String)> = catalogue
        .iter()
        .map(|e| (e.provider.id.to_string(), e.provider.name.clone()))
        .collect();
    providers.sort();
    providers.dedup();

    let page = ListPage {
        layout: Layout::for_user(&user),
        flash: flash_text(&q.msg),
        errors,
        number_error,
        show_choices: Show::choices(&actor)
            .into_iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        types: RequestType::ALL
            .iter()
            .map(|t| (t.code(), t.label()))
            .collect(),
        statuses: RequestStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        organizations: organizations
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect(),
        providers,
        apis: catalogue
            .iter()
            .map(|e| (e.api.id.to_string(), e.api.name.clone()))
            .collect(),
        can_create: user.account.has_role(Role::Manager),
        rows: rows
            .iter()
            .map(|r| Row {
                id: r.id,
                number: r.number.clone(),
                kind: r.request_type.label(),
                requester: r.requester_name.clone(),
                api: format!("{} ({})", r.api_name, r.provider_acronym),
                status: r.status.label(),
                current_volume: format::count(r.current_volume),
                requested_volume: format::count(r.requested_volume),
                authorized_volume: r
                    .authorized_volume
                    .map(format::count)
                    .unwrap_or_else(|| "—".into()),
                last_event_at: format::datetime(r.last_event_at),
            })
            .collect(),
        total_text: total,
        prev_link: (page_number > 1).then(|| link(page_number - 1)),
        next_link: (page_number < pages).then(|| link(page_number + 1)),
        pages: page_links,
        q,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, page).into_response()
}
