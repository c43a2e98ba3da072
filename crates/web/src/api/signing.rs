//! `/api/v1/signing-sessions…`: the SMS authorisation before signing.

use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::ApiUser;
use super::json::ApiJson;
use super::problem::Problem;
use super::views::SessionJson;
use crate::state::AppState;

pub async fn start(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
) -> Result<(StatusCode, Json<SessionJson>), Problem> {
    let session = state
        .requests
        .start_signing_session(&actor_of(&account))
        .await?;
    Ok((StatusCode::CREATED, Json(SessionJson::from(&session))))
}

pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state
        .requests
        .signing_session(&actor_of(&account), id)
        .await?;
    Ok(Json(SessionJson::from(&session)))
}

#[derive(Deserialize)]
pub struct CodeBody {
    code: Option<String>,
}

pub async fn authorize(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state
        .requests
        .authorize_signing(&actor_of(&account), id, body.code.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(SessionJson::from(&session)))
}

pub async fn resend(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state.requests.resend_code(&actor_of(&account), id).await?;
    Ok(Json(SessionJson::from(&session)))
}
