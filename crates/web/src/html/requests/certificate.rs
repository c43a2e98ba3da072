//! Assinar com certificado digital A1 (SPEC §7, provider `icp_brasil_a1`): the sign page's
//! second form, multipart with `csrf_token` first, `dsi_sha256`, the `certificate` file and its
//! `password`. A refusal shows the sign page again with the message beside the field.

use adesao_domain::access::Action;
use adesao_services::requests::actor_of;
use adesao_services::requests::signature::SignWith;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::signing::{SignPage, after_signing, hex_digest};
use crate::csrf::{check_origin, tokens_match};
use crate::html::extract::PagePath;
use crate::html::{FormError, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::upload::{self, UploadError};

pub async fn sign(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let multipart = multipart.map_err(|_| {
        PageError::BadRequest("Envie o certificado pelo formulário da página.".into())
    })?;
    let form = match upload::read_form(
        multipart,
        "certificate",
        adesao_documents::a1::MAX_BYTES,
        true,
    )
    .await
    {
        Ok(form) => form,
        Err(UploadError::CsrfFirst) => return Err(PageError::csrf()),
        Err(e) => {
            let status = match e {
                UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return refused(&state, &user, id, status, "certificate", e.message()).await;
        }
    };
    if !tokens_match(form.text("csrf_token"), &user.csrf_token) {
        return Err(PageError::csrf());
    }
    // As with the SMS: the page posts the digest of the DSI it showed, or nothing is signed.
    let expected = hex_digest(form.text("dsi_sha256").unwrap_or(""));
    if expected.is_empty() {
        return Err(PageError::Conflict(
            "Não foi possível confirmar qual versão do documento você leu. Abra o documento novamente e clique em Assinar."
                .into(),
        ));
    }
    let with = SignWith::A1 {
        pkcs12: &form.content,
        password: form.text("password").unwrap_or(""),
    };
    let actor = actor_of(&user.account);
    match state.requests.sign(&actor, id, with, Some(&expected)).await {
        Ok(signed) => Ok(after_signing(id, &signed)),
        Err(e) => {
            let mut issues = e.into_issues()?;
            let Some(issue) = issues.pop() else {
                return Err(PageError::BadRequest("Assinatura recusada.".into()));
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refused(&state, &user, id, status, issue.field, issue.message).await
        }
    }
}

/// The sign page again, with `message` beside `field` (`certificate` or `password`).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    status: StatusCode,
    field: &str,
    message: String,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let detail = state.requests.detail_for(&actor, id, Action::Sign).await?;
    let mut page = SignPage::new(user, &detail);
    let field = if field == "password" {
        page.password_error = Some(message.clone());
        "password"
    } else {
        page.certificate_error = Some(message.clone());
        "certificate"
    };
    page.errors.push(FormError::field(field, message));
    Ok((status, page).into_response())
}
