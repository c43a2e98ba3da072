//! The texts people receive: one askama template pair (plain text and HTML) per event of SPEC §8
//! under `templates/mail/`, and the SMS with a signing code under `templates/sms/`. The numbers
//! they quote (code validity, authorization window, justification length) are the constants
//! the rules use, so a text cannot promise what the system does not do.

use adesao_domain::Volume;
use adesao_domain::volume::format_thousands;
use adesao_store::requests::Request;
use askama::Template;

use crate::requests::MAX_JUSTIFICATION_CHARS;
use crate::requests::signing::{AUTHORIZATION_WINDOW, CODE_VALIDITY};

/// An event that sends e-mail, with what its text needs beyond the request itself.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Liberada para assinatura: to both signers.
    Released,
    /// Both signatures given: to the provider's analysts.
    Signed,
    /// Aprovada by the provider: to the program admins.
    Approved {
        authorized_volume: Volume,
        comment: Option<&'a str>,
    },
    /// Recusada by the provider: to the requester's managers and the signers.
    Refused { justification: &'a str },
    /// Deferida: to the requester's managers and the signers.
    Granted { authorized_volume: Volume },
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Everything a template may show; what an event does not use stays empty.
pub struct Facts {
    pub recipient: String,
    pub number: String,
    pub kind: &'static str,
    pub api: String,
    pub provider: String,
    pub requester: String,
    pub link: String,
    /// How the recipient signs: "Dirigente de TI", "Responsável Técnico" or both.
    pub signer_role: String,
    pub requested_volume: String,
    pub authorized_volume: String,
    pub comment: Option<String>,
    pub justification: String,
    pub code_minutes: i64,
    pub window_minutes: i64,
    pub justification_max: String,
}

macro_rules! mail_pair {
    ($text:ident = $text_path:literal, $html:ident = $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a Facts,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a Facts,
            subject: &'a str,
        }
    };
}

mail_pair!(
    ReleasedText = "mail/released.txt",
    ReleasedHtml = "mail/released.html"
);
mail_pair!(
    SignedText = "mail/signed.txt",
    SignedHtml = "mail/signed.html"
);
mail_pair!(
    ApprovedText = "mail/approved.txt",
    ApprovedHtml = "mail/approved.html"
);
mail_pair!(
    RefusedText = "mail/refused.txt",
    RefusedHtml = "mail/refused.html"
);
mail_pair!(
    GrantedText = "mail/granted.txt",
    GrantedHtml = "mail/granted.html"
);

#[derive(Template)]
#[template(path = "sms/code.txt")]
struct CodeSms<'a> {
    code: &'a str,
    minutes: i64,
}

/// Where links in messages point: `ADESAO_PUBLIC_URL`, without a trailing slash.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Self {
        Self {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn request(&self, id: i64) -> String {
        format!("{}/solicitacoes/{id}", self.base)
    }
}

impl Default for Links {
    fn default() -> Self {
        Self::new("http://127.0.0.1:8080")
    }
}

impl Event<'_> {
    /// What the message is for: `released`, `signed`, … (tests and logs).
    pub fn code(&self) -> &'static str {
        match self {
            Event::Released => "released",
            Event::Signed => "signed",
            Event::Approved { .. } => "approved",
            Event::Refused { .. } => "refused",
            Event::Granted { .. } => "granted",
        }
    }

    fn subject(&self, number: &str) -> String {
        match self {
            Event::Released => format!("Solicitação de adesão {number} aguarda sua assinatura"),
            Event::Signed => format!("Nova solicitação de adesão {number} para análise"),
            Event::Approved { .. } => {
                format!("Solicitação de adesão {number} aprovada pelo cedente: liberar acesso")
            }
            Event::Refused { .. } => {
                format!("Solicitação de adesão {number} recusada pelo cedente dos dados")
            }
            Event::Granted { .. } => {
                format!("Solicitação de adesão {number} deferida: acesso à API liberado")
            }
        }
    }
}

/// The facts of `request` as `recipient` reads them.
pub fn facts(
    request: &Request,
    event: &Event<'_>,
    links: &Links,
    recipient: &str,
    signer_role: &str,
) -> Facts {
    let (authorized, comment, justification) = match *event {
        Event::Approved {
            authorized_volume,
            comment,
        } => (Some(authorized_volume), comment, None),
        Event::Refused { justification } => (None, None, Some(justification)),
        Event::Granted { authorized_volume } => (Some(authorized_volume), None, None),
        Event::Released | Event::Signed => (None, None, None),
    };
    Facts {
        recipient: recipient.to_owned(),
        number: request.number.to_string(),
        kind: request.request_type.label(),
        api: request.api_name.clone(),
        provider: request.provider.name.clone(),
        requester: request.requester.name.clone(),
        link: links.request(request.id),
        signer_role: signer_role.to_owned(),
        requested_volume: request.requested_volume.to_string(),
        authorized_volume: authorized.map(|v| v.to_string()).unwrap_or_default(),
        comment: comment.map(str::to_owned),
        justification: justification.unwrap_or_default().to_owned(),
        code_minutes: CODE_VALIDITY.as_mins(),
        window_minutes: AUTHORIZATION_WINDOW.as_mins(),
        justification_max: format_thousands(MAX_JUSTIFICATION_CHARS as u64),
    }
}

/// The e-mail of `event` written from `facts`.
pub fn email(event: &Event<'_>, facts: &Facts) -> Result<Email, askama::Error> {
    let subject = event.subject(&facts.number);
    let (text, html) = match event {
        Event::Released => (
            ReleasedText { m: facts }.render()?,
            ReleasedHtml {
                m: facts,
                subject: &subject,
            }
            .render()?,
        ),
        Event::Signed => (
            SignedText { m: facts }.render()?,
            SignedHtml {
                m: facts,
                subject: &subject,
            }
            .render()?,
        ),
        Event::Approved { .. } => (
            ApprovedText { m: facts }.render()?,
            ApprovedHtml {
                m: facts,
                subject: &subject,
            }
            .render()?,
        ),
        Event::Refused { .. } => (
            RefusedText { m: facts }.render()?,
            RefusedHtml {
                m: facts,
                subject: &subject,
            }
            .render()?,
        ),
        Event::Granted { .. } => (
            GrantedText { m: facts }.render()?,
            GrantedHtml {
                m: facts,
                subject: &subject,
            }
            .render()?,
        ),
    };
    Ok(Email {
        subject,
        text,
        html,
    })
}

/// What stands for a code once the gateway has it: the outbox then keeps no secret.
pub const MASKED_CODE: &str = "******";

/// The SMS carrying a signing code: only the code, its validity and the system's name.
pub fn code_sms(code: &str) -> String {
    CodeSms {
        code,
        minutes: CODE_VALIDITY.as_mins(),
    }
    .render()
    .unwrap_or_else(|_| format!("Adesão gov.br: código {code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sms_quotes_the_code_and_the_rule_s_validity() {
        let sms = code_sms("123456");
        assert_eq!(
            sms,
            format!(
                "Adesão gov.br: seu código de autorização de assinatura é 123456. Válido por {} minutos. Não o compartilhe.",
                CODE_VALIDITY.as_mins()
            )
        );
        assert!(sms.chars().count() <= 160, "one SMS segment: {sms}");
        assert!(code_sms(MASKED_CODE).contains("é ******."));
    }

    #[test]
    fn links_have_no_double_slash() {
        assert_eq!(
            Links::new("https://adesao.gov.br/").request(7),
            "https://adesao.gov.br/solicitacoes/7"
        );
    }
}
