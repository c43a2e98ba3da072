//! `/api/v1/signing-sessions…`: the SMS authorisation before signing.

use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::ApiUser;
use super::extract::{ApiJson, ApiPath};
use super::problem::Problem;
use super::schemas;
use super::views::SessionJson;
use crate::state::AppState;

/// Starts an authorisation to sign: a 6-digit code is sent by SMS (5 per hour).
#[utoipa::path(post, path = "/signing-sessions", operation_id = "startSigningSession", tag = "signing",
    security(("bearer" = [])),
    responses((status = 201, body = SessionJson), (status = 429, body = Problem)))]
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

/// A signing session of the caller.
#[utoipa::path(get, path = "/signing-sessions/{id}", operation_id = "getSigningSession", tag = "signing",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = SessionJson)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state
        .requests
        .signing_session(&actor_of(&account), id)
        .await?;
    Ok(Json(SessionJson::from(&session)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The six digits of the SMS.
    #[schema(schema_with = schemas::code, required = true)]
    code: Option<String>,
}

/// Authorises signing for 10 minutes with the SMS code (5 attempts).
#[utoipa::path(post, path = "/signing-sessions/{id}/authorize", operation_id = "authorizeSigningSession",
    tag = "signing", security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = CodeBody,
    responses((status = 200, body = SessionJson), (status = 409, body = Problem)))]
pub async fn authorize(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state
        .requests
        .authorize_signing(&actor_of(&account), id, body.code.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(SessionJson::from(&session)))
}

/// Sends a new code (after a 60 s cooldown).
#[utoipa::path(post, path = "/signing-sessions/{id}/resend", operation_id = "resendSigningCode", tag = "signing",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = SessionJson), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub async fn resend(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionJson>, Problem> {
    let session = state.requests.resend_code(&actor_of(&account), id).await?;
    Ok(Json(SessionJson::from(&session)))
}

/// The certificate of this installation's CA, which issues the officials' certificates of the
/// builtin signature provider: trust it in a validator (pdfsig, pyHanko, Adobe) to see the
/// DSI's signatures chain to it. Public; made the first time it is asked for or used.
#[utoipa::path(get, path = "/signing/ca.pem", operation_id = "getSigningCa", tag = "signing",
    responses((status = 200, content_type = "application/x-pem-file", body = String,
        description = "-----BEGIN CERTIFICATE-----")))]
pub async fn ca_pem(State(state): State<AppState>) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let pem = state.signing.ca_pem().await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/x-pem-file"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "inline; filename=\"adesao-ca.pem\"",
            ),
        ],
        pem,
    )
        .into_response())
}
