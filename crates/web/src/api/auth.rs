//! `POST /api/v1/auth/token` and the bearer-token extractor.

use adesao_services::{Account, Attempt, AuthError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::{Deserialize, Serialize};

use super::extract::ApiJson;
use super::problem::Problem;
use crate::client::ClientAddr;
use crate::state::AppState;

/// The account behind `Authorization: Bearer TOKEN`; 401 problem+json otherwise.
pub struct ApiUser(pub Account);

/// The token of `Authorization: Bearer TOKEN`, if the header is there and well formed.
fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or_else(Problem::unauthorized)?;
        let account = state.auth.token_account(token).await?;
        account.map(ApiUser).ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "Token inválido ou expirado. Obtenha um novo em POST /api/v1/auth/token.",
            )
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// With or without punctuation.
    #[schema(schema_with = super::schemas::cpf, required = true)]
    cpf: Option<String>,
    #[schema(schema_with = super::schemas::password, required = true)]
    password: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    token: String,
    expires_at: String,
}

/// Exchanges CPF and password for a bearer token (rate-limited like the login page).
#[utoipa::path(post, path = "/auth/token", operation_id = "issueToken", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 401, description = "CPF ou senha incorretos", body = Problem),
        (status = 429, body = Problem)))]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, axum::Json<TokenResponse>), Problem> {
    let cpf = body.cpf.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    let attempt = Attempt {
        client: &client,
        device: None,
        remember_device: false,
    };
    let login = state.auth.authenticate(&cpf, &password, &attempt).await?;
    // None: the password changed between its check and the token, and no longer holds.
    let (token, expires_at) = state
        .auth
        .issue_token(&login)
        .await?
        .ok_or_else(|| Problem::from(AuthError::WrongCredentials))?;
    let expires_at = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok((
        StatusCode::CREATED,
        axum::Json(TokenResponse { token, expires_at }),
    ))
}

/// Revokes the token this request is made with; it stops working at once (sign-out of an
/// integration).
#[utoipa::path(delete, path = "/auth/token", operation_id = "revokeToken", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "The token no longer works")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, Problem> {
    // ApiUser has just accepted this very header.
    let token = bearer_token(&headers).unwrap_or_default();
    state.auth.revoke_token(token).await?;
    tracing::info!(user_id = account.user.id, "API token revoked");
    Ok(StatusCode::NO_CONTENT)
}
