//! "Tem certeza?" before the actions that cannot be undone — Cancelar, Deferir, Remover anexo.
//! The detail page links each button to its confirmation page (works without JavaScript) and
//! carries the same form in a `<dialog>` that `app.js` opens instead (the DS modal).

use adesao_domain::access::Action;
use adesao_services::requests::{RequestDetail, actor_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::html::extract::PagePath;
use crate::html::{Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

/// One confirmation: what it asks, where its form posts.
pub struct Confirm {
    /// The dialog's id on the detail page.
    pub id: String,
    pub title: String,
    pub message: String,
    pub action: String,
    pub button: &'static str,
    /// Destructive (red) rather than the page's main action.
    pub danger: bool,
    /// An optional comment the action records in the history.
    pub comment_label: Option<&'static str>,
    pub back: String,
}

pub fn cancel(d: &RequestDetail) -> Confirm {
    let r = &d.request;
    Confirm {
        id: "confirmar-cancelamento".into(),
        title: format!("Cancelar a solicitação {}?", r.number),
        message: format!(
            "A solicitação {} de acesso à {} será cancelada e não poderá ser retomada: para pedir o acesso de novo, será preciso incluir outra solicitação.",
            r.number, r.api_name
        ),
        action: format!("/solicitacoes/{}/cancelar", r.id),
        button: "Sim, cancelar a solicitação",
        danger: true,
        comment_label: Some("Motivo do cancelamento (opcional)"),
        back: format!("/solicitacoes/{}", r.id),
    }
}

pub fn grant(d: &RequestDetail) -> Confirm {
    let r = &d.request;
    let volume = r
        .authorized_volume
        .unwrap_or(r.requested_volume)
        .to_string();
    Confirm {
        id: "confirmar-deferimento".into(),
        title: format!("Deferir a solicitação {}?", r.number),
        message: format!(
            "O acesso de {} à {} será liberado com a volumetria de {volume} chamadas por ano, e o órgão será avisado por e-mail. O deferimento não pode ser desfeito.",
            r.requester.name, r.api_name
        ),
        action: format!("/solicitacoes/{}/deferir", r.id),
        button: "Sim, deferir",
        danger: false,
        comment_label: Some("Comentário (opcional)"),
        back: format!("/solicitacoes/{}", r.id),
    }
}

pub fn remove_attachment(request_id: i64, attachment_id: i64, filename: &str) -> Confirm {
    Confirm {
        id: format!("confirmar-remocao-{attachment_id}"),
        title: format!("Remover o anexo {filename}?"),
        message: format!(
            "O arquivo {filename} será retirado da solicitação. Para tê-lo de volta, será preciso enviá-lo outra vez."
        ),
        action: format!("/solicitacoes/{request_id}/anexos/{attachment_id}/remover"),
        button: "Sim, remover o anexo",
        danger: true,
        comment_label: None,
        back: format!("/solicitacoes/{request_id}#attachments"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    layout: Layout,
    csrf_token: String,
    request_id: i64,
    number: String,
    c: Confirm,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    confirm: impl FnOnce(&RequestDetail) -> Result<Confirm, PageError>,
) -> Result<Response, PageError> {
    let detail = state
        .requests
        .detail_for(&actor_of(&user.account), id, action)
        .await?;
    Ok(ConfirmPage {
        layout: Layout::for_user(user),
        csrf_token: user.csrf_token.clone(),
        request_id: id,
        number: detail.request.number.to_string(),
        c: confirm(&detail)?,
    }
    .into_response())
}

pub async fn confirm_cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    page(&state, &user, id, Action::Cancel, |d| Ok(cancel(d))).await
}

pub async fn confirm_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    page(&state, &user, id, Action::Grant, |d| Ok(grant(d))).await
}

pub async fn confirm_remove(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath((id, aid)): PagePath<(i64, i64)>,
) -> Result<Response, PageError> {
    page(&state, &user, id, Action::Edit, |d| {
        if !d.request.status.attachments_editable() {
            return Err(PageError::NotFound);
        }
        let a = d
            .attachments
            .iter()
            .find(|a| a.id == aid)
            .ok_or(PageError::NotFound)?;
        Ok(remove_attachment(id, aid, &a.filename))
    })
    .await
}
