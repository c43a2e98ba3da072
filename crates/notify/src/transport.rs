//! Where messages go. `Log` is the default for both channels: the message stays in the outbox,
//! readable by program admins, and only its envelope is logged (an SMS holds a signing code, a
//! secret that must not reach the logs). `Smtp` hands e-mails to a mail server (lettre, with a
//! pool of connections reused across a batch); `Webhook` posts each SMS to a gateway.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use adesao_store::outbox::OutboxMessage;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one delivery may take (connecting, TLS, the whole SMTP dialogue or HTTP exchange).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a delivery failed, as the admins read it in the outbox (pt-BR, no secrets), and whether
/// trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// The other side refused the message for good (an SMTP 5xx, an HTTP 4xx): not retried.
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
}

#[derive(Clone, Default)]
pub enum EmailTransport {
    #[default]
    Log,
    Smtp(Box<Smtp>),
}

#[derive(Clone, Default)]
pub enum SmsTransport {
    #[default]
    Log,
    Webhook(Webhook),
}

// By hand: the transports hold credentials, which must never reach a log line.
impl std::fmt::Debug for EmailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EmailTransport::Log => "log",
            EmailTransport::Smtp(_) => "smtp",
        })
    }
}

impl std::fmt::Debug for SmsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SmsTransport::Log => "log",
            SmsTransport::Webhook(_) => "webhook",
        })
    }
}

fn log_kept(message: &OutboxMessage) {
    tracing::info!(
        id = message.id,
        channel = message.channel.code(),
        subject = %message.subject,
        "message kept in the outbox (log transport)"
    );
}

impl EmailTransport {
    /// True when a delivered message has left the system (the outbox may then mask it).
    pub fn leaves(&self) -> bool {
        matches!(self, EmailTransport::Smtp(_))
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        match self {
            EmailTransport::Log => {
                log_kept(message);
                Ok(())
            }
            EmailTransport::Smtp(smtp) => smtp.send(message).await,
        }
    }
}

impl SmsTransport {
    pub fn leaves(&self) -> bool {
        matches!(self, SmsTransport::Webhook(_))
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        match self {
            SmsTransport::Log => {
                log_kept(message);
                Ok(())
            }
            SmsTransport::Webhook(hook) => hook.send(message).await,
        }
    }
}

/// E-mail through an SMTP server.
#[derive(Clone)]
pub struct Smtp {
    /// The checked settings; the pool is built from them at the first send, inside the
    /// runtime (lettre's pool starts a task), and shared by every clone.
    builder: AsyncSmtpTransportBuilder,
    transport: Arc<OnceLock<AsyncSmtpTransport<Tokio1Executor>>>,
    from: Mailbox,
    /// The domain of the sender, for Message-IDs.
    domain: String,
}

impl Smtp {
    /// From `ADESAO_SMTP_URL` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`) and `ADESAO_MAIL_FROM`. The error never repeats the URL,
    /// which may hold a password.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from: Mailbox = from.parse().map_err(|_| {
            format!("not a mailbox such as Adesão <nao-responda@orgao.gov.br>: {from:?}")
        })?;
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                format!(
                    "expected smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?tls=required or smtps://USER:PASSWORD@HOST:465 ({})",
                    without_url(&e.to_string())
                )
            })?
            .timeout(Some(SEND_TIMEOUT))
            .pool_config(
                PoolConfig::new()
                    .max_size(super::worker::PARALLEL_SENDS as u32)
                    .idle_timeout(Duration::from_secs(60)),
            );
        let domain = from.email.domain().to_owned();
        Ok(Self {
            builder,
            transport: Arc::default(),
            from,
            domain,
        })
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let email = self.compose(message)?;
        let transport = self.transport.get_or_init(|| self.builder.clone().build());
        match transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!(
                "o servidor de e-mail recusou a mensagem: {e}"
            ))),
            Err(e) if e.is_timeout() => Err(SendError::transient(format!(
                "o servidor de e-mail não respondeu em {} s",
                SEND_TIMEOUT.as_secs()
            ))),
            Err(e) => Err(SendError::transient(format!(
                "falha ao entregar ao servidor de e-mail: {e}"
            ))),
        }
    }

    fn compose(&self, message: &OutboxMessage) -> Result<Message, SendError> {
        let to: Mailbox = message.recipient.parse().map_err(|_| {
            SendError::permanent(format!(
                "endereço de e-mail inválido: {}",
                message.recipient
            ))
        })?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            // One Message-ID per outbox row: should a message ever go twice (a crash between
            // the server's acceptance and our bookkeeping), mail systems can tell.
            .message_id(Some(format!("<outbox-{}@{}>", message.id, self.domain)));
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone());
        let built = match &message.html_body {
            Some(html) => builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.clone()),
                ),
            ),
            None => builder.singlepart(text),
        };
        built.map_err(|e| SendError::permanent(format!("mensagem inválida: {e}")))
    }
}

/// lettre's URL errors quote the URL; keep only the reason.
fn without_url(text: &str) -> String {
    if text.contains("://") {
        "URL inválida".to_owned()
    } else {
        text.to_owned()
    }
}

/// SMS through an HTTP gateway: `POST {"to": "+55…", "message": "…"}` with a bearer token.
#[derive(Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: reqwest::Url,
    token: String,
}

impl Webhook {
    pub fn new(url: &str, token: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| "expected an http:// or https:// URL".to_owned())?;
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            // The token goes only where it was configured to go.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            client,
            url,
            token: token.to_owned(),
        })
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let body = serde_json::json!({"to": message.recipient, "message": message.body});
        let response = self
            .client
            .post(self.url.clone())
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => Ok(()),
            // Too many requests, or the gateway's own timeout: later.
            Ok(r) if r.status() == 408 || r.status() == 429 || r.status().is_server_error() => {
                Err(SendError::transient(format!(
                    "o gateway de SMS respondeu HTTP {}; nova tentativa mais tarde",
                    r.status().as_u16()
                )))
            }
            Ok(r) => Err(SendError::permanent(format!(
                "o gateway de SMS recusou a mensagem (HTTP {})",
                r.status().as_u16()
            ))),
            Err(e) if e.is_timeout() => Err(SendError::transient(format!(
                "o gateway de SMS não respondeu em {} s",
                SEND_TIMEOUT.as_secs()
            ))),
            Err(e) if e.is_connect() => Err(SendError::transient(
                "não foi possível conectar ao gateway de SMS",
            )),
            Err(_) => Err(SendError::transient(
                "falha na comunicação com o gateway de SMS",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_of_the_three_kinds_are_accepted_and_bad_ones_named_without_secrets() {
        let from = "Adesão <nao-responda@adesao.localhost>";
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:secret@mail.example:587?tls=required",
            "smtps://user:secret@mail.example:465",
        ] {
            assert!(Smtp::new(url, from).is_ok(), "{url}");
        }
        let e = Smtp::new("smtp://user:secret@mail.example?tls=maybe", from)
            .err()
            .unwrap();
        assert!(!e.contains("secret"), "{e}");
        let e = Smtp::new("http://user:secret@mail.example", from)
            .err()
            .unwrap();
        assert!(!e.contains("secret"), "{e}");
        assert!(Smtp::new("smtp://127.0.0.1:25", "not a mailbox").is_err());
    }

    #[test]
    fn webhook_urls_are_http() {
        assert!(Webhook::new("https://sms.example/send", "t").is_ok());
        assert!(Webhook::new("ftp://sms.example/send", "t").is_err());
        assert!(Webhook::new("sms.example", "t").is_err());
    }
}
