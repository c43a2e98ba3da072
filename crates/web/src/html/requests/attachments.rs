//! Anexos on the detail page: upload (multipart, works without JavaScript; `app.js` adds drag
//! and drop), download, removal, and the model files.

use adesao_domain::AttachmentKind;
use adesao_services::ServiceError;
use adesao_services::requests::actor_of;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::detail::DetailPage;
use super::error_page;
use crate::csrf::{CsrfForm, check_origin, tokens_match};
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
) -> Response {
    let detail = match state.requests.detail(&actor_of(&user.account), id).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let mut page = DetailPage::new(user, &detail, None, state.max_upload_bytes);
    let kind = kind.unwrap_or(AttachmentKind::Other);
    page.upload_error_kind = Some(kind.code().to_owned());
    page.upload_error = Some(message.clone());
    page.errors
        .push(FormError::field(&format!("file-{}", kind.code()), message));
    (status, page).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Err(e) = check_origin(&headers) {
        return e.into_response();
    }
    let Ok(multipart) = multipart else {
        return PageError::BadRequest("Envie o arquivo pelo formulário da página.".into())
            .into_response();
    };
    let upload = match upload::read(multipart, state.max_upload_bytes, true).await {
        Ok(u) => u,
        Err(UploadError::CsrfFirst) => return PageError::csrf().into_response(),
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
        return PageError::csrf().into_response();
    }
    if upload.content.is_empty() && upload.filename.is_empty() {
        return refused(
            &state,
            &user,
            id,
            upload.kind,
            StatusCode::UNPROCESSABLE_ENTITY,
            UploadError::MissingFile.message(),
        )
        .await;
    }
    let actor = actor_of(&user.account);
    match state
        .requests
        .add_attachment(&actor, id, upload.kind, &upload.filename, &upload.content)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/solicitacoes/{id}?msg=anexado#attachments")).into_response()
        }
        Err(ServiceError::Invalid(issues)) => {
            let message = issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" ");
            refused(
                &state,
                &user,
                id,
                upload.kind,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await
        }
        Err(ServiceError::Unsupported(message)) => {
            refused(
                &state,
                &user,
                id,
                upload.kind,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message,
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> Response {
    match state
        .requests
        .attachment(&actor_of(&user.account), id, aid)
        .await
    {
        Ok((meta, content)) => upload::download(&meta.filename, "application/pdf", content),
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove(
    State(state): State<AppState>,
    Path((id, aid)): Path<(i64, i64)>,
    CsrfForm {
        user,
        form: Empty {},
    }: CsrfForm<Empty>,
) -> Response {
    match state
        .requests
        .remove_attachment(&actor_of(&user.account), id, aid)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/solicitacoes/{id}?msg=anexo-removido#attachments"
        ))
        .into_response(),
        Err(e) => error_page(e),
    }
}

pub async fn model(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path((api_id, kind)): Path<(i64, String)>,
) -> Response {
    let Ok(kind) = kind.parse::<AttachmentKind>() else {
        return PageError::NotFound.into_response();
    };
    match state.requests.model_file(api_id, kind).await {
        Ok((filename, media_type, content)) => upload::download(&filename, &media_type, content),
        Err(e) => error_page(e),
    }
}
