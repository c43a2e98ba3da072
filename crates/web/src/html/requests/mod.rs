//! The pages of the request lifecycle (seed 1.1 to 1.12).

pub mod actions;
pub mod attachments;
pub mod certificate;
pub mod confirm;
pub mod detail;
pub mod form;
pub mod list;
pub mod list_memory;
pub mod signing;

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
            "Nova solicitação criada a partir da recusada, com os mesmos anexos. Corrija o que a justificativa da recusa aponta e libere-a para assinatura."
        }
        "anexado" => "Anexo incluído.",
        "anexo-removido" => "Anexo removido.",
        "autorizada" => "Assinatura autorizada pelos próximos 10 minutos.",
        "reenviado" => "Um novo código foi enviado por SMS.",
        _ => return None,
    })
}
