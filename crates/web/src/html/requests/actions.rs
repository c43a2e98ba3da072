//! The buttons of the detail page that change the request: Liberar para Assinatura, Cancelar,
//! Aprovar, Recusar, Deferir, Nova Solicitação (copy).

use adesao_domain::Volume;
use adesao_services::ServiceError;
use adesao_services::requests::actor_of;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::detail::DetailPage;
use crate::csrf::CsrfForm;
use crate::html::extract::PagePath;
use crate::html::{FormError, PageError, Refusal};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    comment: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    authorized_volume: String,
    comment: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RefuseForm {
    justification: String,
}

fn done(id: i64, msg: &str) -> Response {
    Redirect::to(&format!("/solicitacoes/{id}?msg={msg}")).into_response()
}

/// The detail page again, with the refusal's messages (next to their fields where the page has
/// them, at the top for the rest) and what the user typed.
pub(super) async fn detail_with_errors(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    e: ServiceError,
    adjust: impl FnOnce(&mut DetailPage),
) -> Result<Response, PageError> {
    let detail_page = || async {
        let detail = state.requests.detail(&actor_of(&user.account), id).await?;
        Ok::<_, PageError>(DetailPage::new(user, &detail, None, state.max_upload_bytes))
    };
    let issues = match e.into_issues() {
        Ok(issues) => issues,
        Err(other) => {
            let (status, refusal) = Refusal::in_context(other)?;
            let mut page = detail_page().await?;
            adjust(&mut page);
            page.refusal = Some(refusal);
            return Ok((status, page).into_response());
        }
    };
    let mut page = detail_page().await?;
    adjust(&mut page);
    for issue in issues {
        match issue.field {
            "authorized_volume" => page.volume_error = Some(issue.message.clone()),
            "justification" => page.justification_error = Some(issue.message.clone()),
            _ => {}
        }
        let target = match issue.field {
            "attachments" => Some("#attachments".to_owned()),
            "authorized_volume" | "justification" => Some(format!("#{}", issue.field)),
            field => Some(format!("/solicitacoes/{id}/alterar#{field}")),
        };
        page.errors.push(FormError {
            target,
            message: issue.message,
        });
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn release(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    match state
        .requests
        .release(&actor_of(&user.account), id, Some(&form.comment))
        .await
    {
        Ok(_) => Ok(done(id, "liberada")),
        Err(e) => detail_with_errors(&state, &user, id, e, |_| {}).await,
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    match state
        .requests
        .cancel(&actor_of(&user.account), id, Some(&form.comment))
        .await
    {
        Ok(_) => Ok(done(id, "cancelada")),
        Err(e) => detail_with_errors(&state, &user, id, e, |_| {}).await,
    }
}

pub async fn approve(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<ApproveForm>,
) -> Result<Response, PageError> {
    let volume = Volume::parse(&form.authorized_volume);
    match state
        .requests
        .approve(&actor_of(&user.account), id, volume, Some(&form.comment))
        .await
    {
        Ok(_) => Ok(done(id, "aprovada")),
        Err(e) => {
            detail_with_errors(&state, &user, id, e, |p| {
                p.authorized_volume = form.authorized_volume.clone();
                p.approve_comment = form.comment.clone();
            })
            .await
        }
    }
}

pub async fn refuse(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<RefuseForm>,
) -> Result<Response, PageError> {
    match state
        .requests
        .refuse(&actor_of(&user.account), id, &form.justification)
        .await
    {
        Ok(_) => Ok(done(id, "recusada")),
        Err(e) => {
            detail_with_errors(&state, &user, id, e, |p| {
                p.justification = form.justification.clone()
            })
            .await
        }
    }
}

pub async fn grant(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    match state
        .requests
        .grant(&actor_of(&user.account), id, Some(&form.comment))
        .await
    {
        Ok(_) => Ok(done(id, "deferida")),
        Err(e) => detail_with_errors(&state, &user, id, e, |_| {}).await,
    }
}

pub async fn copy(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, .. }: CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    match state.requests.copy(&actor_of(&user.account), id).await {
        Ok(new) => Ok(done(new.id, "copiada")),
        Err(e) => detail_with_errors(&state, &user, id, e, |_| {}).await,
    }
}
