//! 1.7 — the detail of a request, with the buttons the user may use and the history.

use adesao_domain::access::Action;
use adesao_domain::purpose::{LEGAL_BASES_TITLE, SECTIONS};
use adesao_domain::{Cpf, Role};
use adesao_services::requests::{RequestDetail, actions as act, actor_of};
use adesao_store::events::Event;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::flash_text;
use crate::format;
use crate::html::PageError;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout};
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct RequestText {
    pub id: i64,
    pub number: String,
    pub status: &'static str,
    pub api: String,
    pub provider: String,
    pub requester: String,
    pub it_director: String,
    pub technical_lead: String,
    pub kind: &'static str,
    pub current_volume: String,
    pub requested_volume: String,
    pub authorized_volume: String,
    pub purpose: Vec<(&'static str, String)>,
}

pub struct RequirementRow {
    pub code: &'static str,
    pub label: &'static str,
    pub mandatory: bool,
    pub model: Option<String>,
}

pub struct AttachmentRow {
    pub id: i64,
    pub kind: &'static str,
    pub filename: String,
    pub size: String,
    pub uploaded_at: String,
}

pub struct Buttons {
    pub edit: bool,
    pub release: bool,
    pub sign: bool,
    pub cancel: bool,
    pub approve: bool,
    pub grant: bool,
    pub copy: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub flash: Option<&'static str>,
    pub errors: Vec<FormError>,
    pub csrf_token: String,
    pub r: RequestText,
    pub signatures: Vec<String>,
    /// Released at least once: the DSI can be opened as a PDF.
    pub has_dsi: bool,
    /// Officials named who can no longer sign: the request needs a new signer.
    pub signer_problems: Vec<String>,
    pub requirements: Vec<RequirementRow>,
    pub attachments: Vec<AttachmentRow>,
    pub can_attach: bool,
    pub api_id: i64,
    pub max_upload: String,
    /// The kind whose upload failed, and why.
    pub upload_error_kind: Option<String>,
    pub upload_error: Option<String>,
    pub actions: Buttons,
    pub can_create: bool,
    pub history: Vec<String>,
    pub authorized_volume: String,
    pub approve_comment: String,
    pub volume_error: Option<String>,
    pub justification: String,
    pub justification_error: Option<String>,
}

fn person(name: &str, cpf: &Cpf) -> String {
    format!("{name} (CPF {})", cpf.masked())
}

/// One line of the history, as the seed writes it: "Criada por NOME em 02/01/2025 16:45:33".
pub fn history_line(e: &Event) -> String {
    let when = format::datetime(e.at);
    let who = &e.actor_name;
    let comment = e
        .comment
        .as_deref()
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    match e.action.as_str() {
        act::CREATED => format!("Criada por {who} em {when}"),
        act::UPDATED => format!("Alterada por {who} em {when}"),
        act::RETURNED_TO_DRAFT => {
            format!("Alterada por {who} em {when}: voltou a Em elaboração.{comment}")
        }
        act::RELEASED => format!(
            "Liberada para assinatura por {who} em {when}{}",
            e.comment
                .as_deref()
                .map(|c| format!(". {c}"))
                .unwrap_or_default()
        ),
        act::SIGNED => format!("Assinada por {who} em {when}.{comment}"),
        act::SENT_TO_PROVIDER => {
            format!("Enviada para análise do órgão cedente dos dados em {when}")
        }
        act::APPROVED => format!("Aprovada por {who} em {when}.{comment}"),
        act::REFUSED => format!(
            "Recusada por {who} em {when}. Justificativa: {}",
            e.comment.as_deref().unwrap_or("")
        ),
        act::GRANTED => format!("Deferida por {who} em {when}: acesso à API liberado.{comment}"),
        act::CANCELLED => format!("Cancelada por {who} em {when}.{comment}"),
        other => format!("{other} por {who} em {when}.{comment}"),
    }
}

impl DetailPage {
    pub fn new(
        user: &CurrentUser,
        d: &RequestDetail,
        flash: Option<&'static str>,
        max_upload_bytes: usize,
    ) -> Self {
        let r = &d.request;
        let has = |a: Action| d.actions.contains(&a);
        let mut purpose = vec![(LEGAL_BASES_TITLE, d.dsi.legal_bases_text())];
        purpose.extend(
            SECTIONS
                .iter()
                .map(|s| (s.title, r.purpose.section_text(s.field).to_owned())),
        );
        let signatures = [
            (Role::ItDirector, &r.it_director),
            (Role::TechnicalLead, &r.technical_lead),
        ]
        .iter()
        .map(
            |(role, who)| match d.signatures.iter().find(|s| s.role == *role) {
                Some(s) => format!(
                    "{}: assinado por {} em {}",
                    role.label(),
                    s.signer_name,
                    format::datetime(s.signed_at)
                ),
                None => format!("{}: {} — assinatura pendente", role.label(), who.name),
            },
        )
        .collect();
        Self {
            layout: Layout::for_user(user),
            flash,
            errors: Vec::new(),
            csrf_token: user.csrf_token.clone(),
            r: RequestText {
                id: r.id,
                number: r.number.to_string(),
                status: r.status.label(),
                api: r.api_name.clone(),
                provider: r.provider.name.clone(),
                requester: r.requester.name.clone(),
                it_director: person(&r.it_director.name, &r.it_director.cpf),
                technical_lead: person(&r.technical_lead.name, &r.technical_lead.cpf),
                kind: r.request_type.label(),
                current_volume: format::count(r.current_volume),
                requested_volume: r.requested_volume.to_string(),
                authorized_volume: r
                    .authorized_volume
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "—".into()),
                purpose,
            },
            signatures,
            signer_problems: d.signer_problems.clone(),
            requirements: d
                .requirements
                .iter()
                .map(|q| RequirementRow {
                    code: q.kind.code(),
                    label: q.kind.label(),
                    mandatory: q.mandatory,
                    model: q.model_filename.clone(),
                })
                .collect(),
            attachments: d
                .attachments
                .iter()
                .map(|a| AttachmentRow {
                    id: a.id,
                    kind: a.kind.label(),
                    filename: a.filename.clone(),
                    size: format!("{} KiB", format::count((a.size + 1023) / 1024)),
                    uploaded_at: format::datetime(a.uploaded_at),
                })
                .collect(),
            can_attach: has(Action::Edit) && r.status.attachments_editable(),
            has_dsi: d.has_dsi(),
            api_id: r.api_id,
            max_upload: format!(
                "{} MiB",
                format::count((max_upload_bytes / (1024 * 1024)).max(1) as u64)
            ),
            upload_error_kind: None,
            upload_error: None,
            actions: Buttons {
                edit: has(Action::Edit),
                release: has(Action::Release),
                sign: has(Action::Sign),
                cancel: has(Action::Cancel),
                approve: has(Action::Approve),
                grant: has(Action::Grant),
                copy: has(Action::Copy),
            },
            can_create: adesao_domain::access::can_create(&actor_of(&user.account)),
            history: d.history.iter().map(history_line).collect(),
            authorized_volume: r.requested_volume.to_string(),
            approve_comment: String::new(),
            volume_error: None,
            justification: String::new(),
            justification_error: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    msg: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DetailQuery>,
) -> Result<Response, PageError> {
    let detail = state.requests.detail(&actor_of(&user.account), id).await?;
    Ok(DetailPage::new(&user, &detail, flash_text(&q.msg), state.max_upload_bytes).into_response())
}
