//! Anexos on the detail page: upload (multipart, works without JavaScript; `app.js` adds drag
//! and drop), download, removal, and the model files.

use adesao_domain::AttachmentKind;
use adesao_services::requests::actor_of;
use axum::extract::State;
use axum::extract::multipart::Multipart;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::detail::DetailPage;
use crate::csrf::{CsrfForm, check_origin, tokens_match};
use crate::html::error::beside_the_file;
use crate::html::extract::PagePath;
use crate::html::{FormError, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::upload::{self, UploadError};

/// The detail page again with the upload's error next to its file field.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    kind: Option<AttachmentKind>,
    status: StatusCode,
    message: String,
) -> Result<Response, PageError> {
    let detail = state.requests.detail(&actor_of(&user.account), id).await?;
    let mut page = DetailPage::new(user, &detail, None, state.max_upload_bytes);
    let kind = kind.unwrap_or(AttachmentKind::Other);
    page.upload_error_kind = Some(kind.code().to_owned());
    page.upload_error = Some(message.clone());
    page.errors
        .push(FormError::field(&format!("file-{}", kind.code()), message));
    Ok((status, page).into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
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
            return refused(&state, &user, id, None, status, e.message()).await;
        }
    };
    if !tokens_match(upload.csrf_token.as_deref(), &user.csrf_token) {
        return Err(PageError::csrf());
    }
    if upload.content.is_empty() && upload.filename.is_empty() {
        let message = UploadError::MissingFile.message();
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refused(&state, &user, id, upload.kind, status, message).await;
    }
    let actor = actor_of(&user.account);
    let added = state
        .requests
        .add_attachment(&actor, id, upload.kind, &upload.filename, &upload.content)
        .await;
    match added {
        Ok(_) => Ok(
            Redirect::to(&format!("/solicitacoes/{id}?msg=anexado#attachments")).into_response(),
        ),
        Err(e) => {
            let (status, message) = beside_the_file(e)?;
            refused(&state, &user, id, upload.kind, status, message).await
        }
    }
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath((id, aid)): PagePath<(i64, i64)>,
) -> Result<Response, PageError> {
    let (meta, content) = state
        .requests
        .attachment(&actor_of(&user.account), id, aid)
        .await?;
    Ok(upload::download(&meta.filename, "application/pdf", content))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove(
    State(state): State<AppState>,
    PagePath((id, aid)): PagePath<(i64, i64)>,
    CsrfForm {
        user,
        form: Empty {},
    }: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    match state
        .requests
        .remove_attachment(&actor_of(&user.account), id, aid)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/solicitacoes/{id}?msg=anexo-removido#attachments"
        ))
        .into_response()),
        Err(e) => super::actions::detail_with_errors(&state, &user, id, e, |_| {}).await,
    }
}

pub async fn model(
    State(state): State<AppState>,
    _user: CurrentUser,
    PagePath((api_id, kind)): PagePath<(i64, String)>,
) -> Result<Response, PageError> {
    let kind = kind
        .parse::<AttachmentKind>()
        .map_err(|_| PageError::NotFound)?;
    let (filename, media_type, content) = state.requests.model_file(api_id, kind).await?;
    Ok(upload::download(&filename, &media_type, content))
}
