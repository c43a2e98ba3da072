//! The outbox (e-mails and SMS) for the program team: /admin/mensagens.

use adesao_services::requests::{ListPage, actor_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::format;
use crate::html::extract::PageQuery;
use crate::html::{Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "outbox.html")]
pub struct OutboxPage {
    layout: Layout,
    tabs: super::Tabs,
    rows: Vec<(
        String,
        &'static str,
        String,
        String,
        String,
        &'static str,
        i64,
    )>,
    prev: Option<i64>,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutboxQuery {
    pagina: String,
}

/// The outbox (e-mails and SMS), for program admins.
pub async fn outbox(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<OutboxQuery>,
) -> Result<Response, PageError> {
    let page = ListPage::clamp_page(q.pagina.trim().parse::<i64>().unwrap_or(1));
    let (items, page, _) = state
        .requests
        .outbox(
            &actor_of(&user.account),
            Some(page),
            Some(PER_PAGE),
            PER_PAGE,
        )
        .await?;
    Ok(OutboxPage {
        layout: Layout::for_user(&user),
        tabs: super::Tabs {
            current: "/admin/mensagens",
        },
        next: (items.len() as i64 == PER_PAGE && page < ListPage::MAX_PAGE).then_some(page + 1),
        prev: (page > 1).then_some(page - 1),
        rows: items
            .iter()
            .map(|m| {
                let status = match m.status {
                    adesao_store::outbox::DeliveryStatus::Pending => "Pendente",
                    adesao_store::outbox::DeliveryStatus::Sent => "Enviada",
                    adesao_store::outbox::DeliveryStatus::Failed => "Falhou",
                };
                let channel = match m.channel {
                    adesao_store::outbox::Channel::Email => "E-mail",
                    adesao_store::outbox::Channel::Sms => "SMS",
                };
                (
                    format::datetime(m.created_at),
                    channel,
                    m.recipient.clone(),
                    m.subject.clone(),
                    m.body.clone(),
                    status,
                    m.attempts,
                )
            })
            .collect(),
    }
    .into_response())
}
