//! 1.1/1.11 — Solicitações de Adesão e Alteração de Volumetria dos Órgãos.

use adesao_domain::access;
use adesao_domain::{RequestNumber, RequestStatus, RequestType};
use adesao_services::ServiceError;
use adesao_services::requests::{self, Show, actor_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::flash_text;
use crate::format;
use crate::html::extract::PageQuery;
use crate::html::{FormError, Layout, PageError};
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
    provider_acronym: String,
    provider_name: String,
    status: &'static str,
    status_tone: &'static str,
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
    this_year: u16,
    rows: Vec<Row>,
    total_text: String,
    pages: Vec<PageLink>,
    prev_link: Option<String>,
    next_link: Option<String>,
}

/// Where each field of the list's query is on the page (services name them as the API does).
fn page_field(field: &str) -> &'static str {
    match field {
        "number" => "numero",
        "type" => "tipo",
        "status" => "situacao",
        "show" => "mostrar",
        "requester_id" => "solicitante",
        "provider_id" => "cedente",
        "api_id" => "api",
        _ => "pagina",
    }
}

/// The page's filters as the services take them. Past the last page the list shows the last one;
/// past any page there can be, the highest there can be.
fn service_query(q: &ListQuery, this_year: u16) -> Result<requests::ListQuery, PageError> {
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    // A number as typed (`3`, `3/2026`) becomes the full one; what is no number at all goes on
    // as typed, to be refused beside the field.
    let number = text(&q.numero).map(|typed| {
        RequestNumber::parse_typed(&typed, this_year)
            .map(|n| n.to_string())
            .unwrap_or(typed)
    });
    // A select holds ids; anything else in them is a hand-made address.
    let id = |s: &str| -> Result<Option<i64>, PageError> {
        match s.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| PageError::BadRequest("O filtro tem um valor inválido.".into())),
        }
    };
    Ok(requests::ListQuery {
        show: text(&q.mostrar),
        number,
        request_type: text(&q.tipo),
        status: text(&q.situacao),
        requester_id: id(&q.solicitante)?,
        provider_id: id(&q.cedente)?,
        api_id: id(&q.api)?,
        page: Some(requests::ListPage::clamp_page(
            q.pagina.trim().parse().unwrap_or(1),
        )),
        per_page: Some(PER_PAGE),
    })
}

/// Relatório CSV: every row of the list under the filters on the page.
pub async fn report_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let params = service_query(&q, state.requests.current_year())?.judge(&actor, PER_PAGE)?;
    Ok(crate::report::csv(&state, &actor, &params).await?)
}

/// Relatório PDF: the list under the filters on the page, up to the PDF's limit; above it the
/// list again, with the message that points to the CSV.
pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let params = service_query(&q, state.requests.current_year())?.judge(&actor, PER_PAGE)?;
    match crate::report::pdf(&state, &user.account, &params).await {
        Err(ServiceError::TooManyRows(message)) => {
            list_page(state, user, q, Some(FormError::general(message))).await
        }
        done => Ok(done?),
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    list_page(state, user, q, None).await
}

/// The list, with `refusal` (of a report asked from it) at the top when there is one.
async fn list_page(
    state: AppState,
    user: CurrentUser,
    mut q: ListQuery,
    refusal: Option<FormError>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let this_year = state.requests.current_year();
    let query = service_query(&q, this_year)?;
    let mut errors: Vec<FormError> = refusal.into_iter().collect();
    let mut number_error = None;
    let params = match query.judge(&actor, PER_PAGE) {
        Ok(params) => Some(params),
        Err(e) => {
            for issue in e.into_issues()? {
                let message = if issue.field == "number" {
                    let message = format!(
                        "Informe o número da solicitação, como 3, 3/{this_year} ou 000003/{this_year}."
                    );
                    number_error = Some(message.clone());
                    message
                } else {
                    issue.message
                };
                errors.push(FormError::field(page_field(issue.field), message));
            }
            None
        }
    };
    let show = params
        .as_ref()
        .map_or_else(|| Show::default_for(&actor), |p| p.show);
    q.mostrar = show.code().to_owned();
    let choices = state.requests.list_choices().await?;
    let (rows, total, pages, page_number) = match params {
        Some(mut params) => {
            params.past_the_end_shows_last = true;
            let listed = state.requests.list(&actor, &params).await?;
            let total_text = if listed.total == 1 {
                "1 solicitação".to_owned()
            } else {
                format!("{} solicitações", format::count(listed.total))
            };
            let pages = listed.pages();
            (listed.items, total_text, pages, listed.page)
        }
        None => (
            Vec::new(),
            "Corrija o filtro para pesquisar.".to_owned(),
            1,
            1,
        ),
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
    let pairs = |items: &[(i64, String)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect()
    };

    let remembered = link(page_number);
    let remembered =
        super::list_memory::remember(&state, remembered.trim_start_matches("/solicitacoes?"));
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
        organizations: pairs(&choices.organizations),
        providers: pairs(&choices.providers),
        apis: pairs(&choices.apis),
        can_create: access::can_create(&actor),
        this_year,
        rows: rows
            .iter()
            .map(|r| Row {
                id: r.id,
                number: r.number.to_string(),
                kind: r.request_type.label(),
                requester: r.requester_name.clone(),
                api: r.api_name.clone(),
                provider_acronym: r.provider_acronym.clone(),
                provider_name: r.provider_name.clone(),
                status: r.status.label(),
                status_tone: format::status_tone(r.status),
                current_volume: format::count(r.current_volume),
                requested_volume: r.requested_volume.to_string(),
                authorized_volume: r
                    .authorized_volume
                    .map(|v| v.to_string())
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
    let mut response = (status, page).into_response();
    if let Some(cookie) = remembered {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}
