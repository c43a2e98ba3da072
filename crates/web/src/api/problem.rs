//! RFC 9457 problem details (`application/problem+json`) with a pt-BR `detail`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A field that failed validation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request a conflict is with (its API address), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub related_request: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: title(status),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            related_request: None,
            retry_after_secs: None,
        }
    }

    /// 422 with one entry per invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Há campos com valores inválidos. Corrija-os e tente novamente.",
        );
        p.errors = errors;
        p
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Autenticação necessária: envie um token válido no cabeçalho Authorization: Bearer.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Recurso não encontrado.")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Ocorreu um erro inesperado. Tente novamente em instantes.",
        )
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Requisição malformada",
        401 => "Não autenticado",
        403 => "Acesso negado",
        404 => "Não encontrado",
        405 => "Método não permitido",
        409 => "Conflito",
        413 => "Conteúdo grande demais",
        415 => "Tipo de conteúdo não suportado",
        422 => "Dados inválidos",
        429 => "Muitas requisições",
        503 => "Serviço indisponível",
        _ => "Erro interno",
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

fn field_errors(issues: Vec<adesao_domain::FieldIssue>) -> Vec<FieldError> {
    issues
        .into_iter()
        .map(|i| FieldError {
            field: i.field.to_owned(),
            message: i.message,
        })
        .collect()
}

impl From<adesao_services::ServiceError> for Problem {
    fn from(e: adesao_services::ServiceError) -> Self {
        use adesao_services::ServiceError as E;
        match e {
            E::NotFound => Problem::new(StatusCode::NOT_FOUND, "Recurso não encontrado."),
            e @ E::PageNotFound { .. } => Problem::new(StatusCode::NOT_FOUND, e.to_string()),
            E::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, m),
            E::Conflict(m) => Problem::new(StatusCode::CONFLICT, m),
            E::ConflictWith {
                message,
                request_id,
            } => {
                let mut p = Problem::new(StatusCode::CONFLICT, message);
                p.related_request = Some(format!("{}/requests/{request_id}", super::BASE));
                p
            }
            E::Unsupported(m) => Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, m),
            E::Invalid(issues) => Problem::validation(field_errors(issues)),
            E::Taken(issues) => {
                let detail: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
                let mut p = Problem::new(StatusCode::CONFLICT, detail.join(" "));
                p.errors = field_errors(issues);
                p
            }
            E::RateLimited {
                message,
                retry_after_secs,
            } => Problem::new(StatusCode::TOO_MANY_REQUESTS, message)
                .with_retry_after(retry_after_secs),
            E::TooManyRows(m) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            E::Busy(m) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, m).with_retry_after(5),
            E::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                Problem::internal()
            }
            E::Store(e) => {
                tracing::error!(error = %e, "internal error");
                Problem::internal()
            }
        }
    }
}

impl From<adesao_services::AuthError> for Problem {
    fn from(e: adesao_services::AuthError) -> Self {
        use adesao_services::AuthError as E;
        let message = e.to_string();
        match e {
            E::Cpf(_) => Problem::validation(vec![FieldError {
                field: "cpf".into(),
                message,
            }]),
            E::MissingPassword => Problem::validation(vec![FieldError {
                field: "password".into(),
                message,
            }]),
            E::WrongCredentials => Problem::new(StatusCode::UNAUTHORIZED, message),
            E::RateLimited { retry_after_secs } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, message)
                    .with_retry_after(retry_after_secs)
            }
            E::Store(e) => {
                tracing::error!(error = %e, "authentication failed");
                Problem::internal()
            }
        }
    }
}
