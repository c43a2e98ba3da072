//! The pages of the request lifecycle (seed 1.1 to 1.12).

pub mod actions;
pub mod attachments;
pub mod detail;
pub mod form;
pub mod list;
pub mod signing;

use adesao_services::ServiceError;
use axum::response::{IntoResponse, Response};

use super::PageError;

/// A service error that is not about a field: the error page.
pub fn error_page(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound => PageError::NotFound.into_response(),
        ServiceError::Forbidden(m) => PageError::Forbidden(m).into_response(),
        ServiceError::Conflict(m) => PageError::Conflict(m).into_response(),
        ServiceError::Unsupported(m) => PageError::BadRequest(m).into_response(),
        ServiceError::Invalid(issues) => PageError::BadRequest(
            issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join(" "),
        )
        .into_response(),
        ServiceError::RateLimited { message, .. } => PageError::TooMany(message).into_response(),
        ServiceError::Busy(m) => PageError::Unavailable(m).into_response(),
        ServiceError::Internal(cause) => PageError::Internal(cause).into_response(),
        ServiceError::Store(e) => PageError::from(e).into_response(),
    }
}

/// Fixed confirmation messages, passed in the URL by code after a redirect.
pub fn flash_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "incluida" => {
            "Solicitação incluída. Anexe os documentos, se houver, e libere-a para assinatura."
        }
        "alterada" => "Solicitação alterada.",
        "liberada" => {
            "Solicitação liberada para assinatura. O Dirigente de TI e o Responsável Técnico foram avisados por e-mail."
        }
        "cancelada" => "Solicitação cancelada.",
        "assinada" => "Documento assinado.",
        "enviada" => {
            "Documento assinado. A solicitação foi enviada para análise do órgão cedente dos dados."
        }
        "aprovada" => "Solicitação aprovada. A equipe Conecta foi avisada para liberar o acesso.",
        "recusada" => "Solicitação recusada. O órgão solicitante foi avisado.",
        "deferida" => "Solicitação deferida: o acesso à API foi liberado.",
        "copiada" => {
            "Nova solicitação criada a partir da recusada. Revise-a e libere-a para assinatura."
        }
        "anexado" => "Anexo incluído.",
        "anexo-removido" => "Anexo removido.",
        "autorizada" => "Assinatura autorizada pelos próximos 10 minutos.",
        "reenviado" => "Um novo código foi enviado por SMS.",
        _ => return None,
    })
}
