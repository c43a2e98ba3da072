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
use crate::html::{FormError, Layout, Refusal};
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct RequestText {
    pub id: i64,
    pub number: String,
    pub status: &'static str,
    pub status_tone: &'static str,
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
    pub refusal: Option<Refusal>,
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
    /// "Alterar volumetria" of a granted request, for its organization's manager.
    pub volume_change_link: Option<String>,
    /// Why the provider refused it (while it stands refused).
    pub refusal_justification: Option<String>,
    /// The refused request this one was copied from, and the copies made of this one.
    pub origin: Option<(i64, String)>,
    pub copies: Vec<(i64, String)>,
    /// The confirmations of the page's irreversible buttons, as dialogs.
    pub confirms: Vec<super::confirm::Confirm>,
}

fn person(name: &str, cpf: &Cpf) -> String {
    format!("{name} (CPF {})", cpf.masked())
}

/// One line of the history, as the seed writes it: "Criada por NOME em 02/01/2026 16:45:33",
/// with the words of each action from `actions::LABELS`.
pub fn history_line(e: &Event) -> String {
    let when = format::datetime(e.at);
    let who = &e.actor_name;
    let label = act::label(&e.action);
    let comment = e.comment.as_deref().unwrap_or("").trim();
    let head = if e.action == act::SENT_TO_PROVIDER {
        format!("{label} em {when}")
    } else {
        format!("{label} por {who} em {when}")
    };
    let tail = match e.action.as_str() {
        act::RETURNED_TO_DRAFT => format!(": voltou a Em elaboração.{}", spaced(comment)),
        act::GRANTED => format!(": acesso à API liberado.{}", spaced(comment)),
        act::REFUSED => format!(". Justificativa: {comment}"),
        act::SENT_TO_PROVIDER => String::new(),
        _ if comment.is_empty() => ".".to_owned(),
        _ => format!(". {comment}"),
    };
    format!("{head}{tail}")
}

fn spaced(comment: &str) -> String {
    if comment.is_empty() {
        String::new()
    } else {
        format!(" {comment}")
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
            refusal: None,
            csrf_token: user.csrf_token.clone(),
            r: RequestText {
                id: r.id,
                number: r.number.to_string(),
                status: r.status.label(),
                status_tone: format::status_tone(r.status),
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
                    size: format::file_size(a.size.max(0) as u64),
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
            volume_change_link: d.offers_volume_change(&actor_of(&user.account)).then(|| {
                format!(
                    "/solicitacoes/nova/formulario?api_id={}&a_partir_de={}",
                    r.api_id, r.id
                )
            }),
            refusal_justification: d.refusal_justification().map(str::to_owned),
            origin: d.origin.clone(),
            copies: d.copies.clone(),
            confirms: confirms_of(d, has(Action::Edit) && r.status.attachments_editable()),
        }
    }
}

fn confirms_of(d: &RequestDetail, can_attach: bool) -> Vec<super::confirm::Confirm> {
    use super::confirm;
    let mut out = Vec::new();
    if d.actions.contains(&Action::Cancel) {
        out.push(confirm::cancel(d));
    }
    if d.actions.contains(&Action::Grant) {
        out.push(confirm::grant(d));
    }
    if can_attach {
        out.extend(
            d.attachments
                .iter()
                .map(|a| confirm::remove_attachment(d.request.id, a.id, &a.filename)),
        );
    }
    out
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
