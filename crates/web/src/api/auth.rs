//! `POST /api/v1/auth/token` and the bearer-token extractor.

use adesao_services::{Account, Attempt, LoginError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::extract::ApiJson;
use super::problem::{FieldError, Problem};
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
        match state.auth.token_account(token).await {
            Ok(Some(account)) => Ok(ApiUser(account)),
            Ok(None) => Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "Token inválido ou expirado. Obtenha um novo em POST /api/v1/auth/token.",
            )),
            Err(e) => {
                tracing::error!(error = %e, "token lookup failed");
                Err(Problem::internal())
            }
        }
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
) -> Response {
    let cpf = body.cpf.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    let attempt = Attempt {
        client: &client,
        device: None,
        remember_device: false,
    };
    let login = match state.auth.authenticate(&cpf, &password, &attempt).await {
        Ok(login) => login,
        Err(e) => return login_problem(e).into_response(),
    };
    match state.auth.issue_token(&login).await {
        Ok(Some((token, expires_at))) => {
            let expires_at = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            (
                StatusCode::CREATED,
                axum::Json(TokenResponse { token, expires_at }),
            )
                .into_response()
        }
        // The password changed between its check and the token: it no longer holds.
        Ok(None) => login_problem(LoginError::WrongCredentials).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "token issue failed");
            Problem::internal().into_response()
        }
    }
}

fn login_problem(e: LoginError) -> Problem {
    let message = e.to_string();
    match e {
        LoginError::Cpf(_) => Problem::validation(vec![FieldError {
            field: "cpf".into(),
            message,
        }]),
        LoginError::MissingPassword => Problem::validation(vec![FieldError {
            field: "password".into(),
            message,
        }]),
        LoginError::WrongCredentials => Problem::new(StatusCode::UNAUTHORIZED, message),
        LoginError::RateLimited { retry_after_secs } => {
            Problem::new(StatusCode::TOO_MANY_REQUESTS, message).with_retry_after(retry_after_secs)
        }
        LoginError::Store(e) => {
            tracing::error!(error = %e, "login failed");
            Problem::internal()
        }
    }
}

/// Revokes the token this request is made with; it stops working at once (sign-out of an
/// integration).
#[utoipa::path(delete, path = "/auth/token", operation_id = "revokeToken", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "The token no longer works")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    headers: axum::http::HeaderMap,
) -> Response {
    // ApiUser has just accepted this very header.
    let token = bearer_token(&headers).unwrap_or_default();
    match state.auth.revoke_token(token).await {
        Ok(_) => {
            tracing::info!(user_id = account.user.id, "API token revoked");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "token revocation failed");
            Problem::internal().into_response()
        }
    }
}
