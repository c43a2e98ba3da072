//! The outbox (e-mails and SMS) for the program team: /admin/mensagens, with its filters and
//! the retry of a failed message.

use adesao_services::ServiceError;
use adesao_services::admin::OutboxQuery;
use adesao_services::requests::actor_of;
use adesao_store::outbox::{Channel, DeliveryStatus, OutboxMessage};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Pager, Posted, Tabs, paging};
use crate::csrf::CsrfForm;
use crate::format;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct Row {
    pub id: i64,
    pub created_at: String,
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: &'static str,
    pub failed: bool,
    pub attempts: i64,
    pub last_error: String,
    /// When it was sent, or when it is tried next.
    pub when: String,
    pub request_id: Option<i64>,
}

impl From<&OutboxMessage> for Row {
    fn from(m: &OutboxMessage) -> Self {
        let when = match (m.status, m.sent_at, m.last_attempt_at) {
            (DeliveryStatus::Sent, Some(at), _) => format!("Enviada em {}", format::datetime(at)),
            (DeliveryStatus::Pending, _, _) => {
                format!("Próxima tentativa {}", format::datetime(m.next_attempt_at))
            }
            (_, _, Some(at)) => format!("Última tentativa {}", format::datetime(at)),
            _ => String::new(),
        };
        Self {
            id: m.id,
            created_at: format::datetime(m.created_at),
            channel: m.channel.label(),
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            status: m.status.label(),
            failed: m.status == DeliveryStatus::Failed,
            attempts: m.attempts,
            last_error: m.last_error.clone().unwrap_or_default(),
            when,
            request_id: m.request_id,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "outbox.html")]
pub struct OutboxPage {
    layout: Layout,
    tabs: Tabs,
    flash: Option<&'static str>,
    situacao: String,
    canal: String,
    busca: String,
    statuses: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    pager: Pager,
    /// The SMS stay here (log transport): say so, since signers learn their codes from here.
    sms_kept: bool,
    csrf_token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutboxQueryForm {
    situacao: String,
    canal: String,
    busca: String,
    pagina: String,
    msg: String,
}

/// The outbox (e-mails and SMS), for program admins.
pub async fn outbox(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<OutboxQueryForm>,
) -> Result<Response, PageError> {
    let chosen = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    let query = OutboxQuery {
        status: chosen(&q.situacao),
        channel: chosen(&q.canal),
        search: chosen(&q.busca),
    };
    let found = match state
        .admin
        .outbox(&actor_of(&user.account), &query, &paging(&q.pagina))
        .await
    {
        Err(ServiceError::Invalid(_)) => {
            return Err(PageError::BadRequest(
                "O filtro tem um valor inválido.".into(),
            ));
        }
        other => other?,
    };
    Ok(OutboxPage {
        layout: Layout::for_user(&user),
        tabs: Tabs {
            current: "/admin/mensagens",
        },
        flash: (q.msg == "reenviada").then_some("Mensagem posta de novo na fila de envio."),
        pager: Pager::new(
            "/admin/mensagens",
            &[
                ("situacao", &q.situacao),
                ("canal", &q.canal),
                ("busca", &q.busca),
            ],
            &found,
            ("mensagem", "mensagens"),
        ),
        rows: found.items.iter().map(Row::from).collect(),
        statuses: DeliveryStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        situacao: q.situacao,
        canal: q.canal,
        busca: q.busca,
        sms_kept: !state.sms_leaves,
        csrf_token: user.csrf_token.clone(),
    }
    .into_response())
}

/// Reenviar: a failed message back in the queue.
pub async fn retry(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form: _ }: CsrfForm<Posted>,
) -> Result<Response, PageError> {
    state
        .admin
        .retry_message(&actor_of(&user.account), id)
        .await?;
    Ok(Redirect::to("/admin/mensagens?msg=reenviada").into_response())
}
