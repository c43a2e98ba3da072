//! Where messages go. `Log` is the default: the message stays in the outbox, readable by program
//! admins, and only its envelope is logged — the body of an SMS holds a signing code, a secret
//! that must not reach the logs.

use adesao_store::outbox::OutboxMessage;

#[derive(Debug, Clone, Default)]
pub enum Transport {
    #[default]
    Log,
}

impl Transport {
    /// Delivers one message; the error text is kept in the outbox for admins.
    pub async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        match self {
            Transport::Log => {
                tracing::info!(
                    id = message.id,
                    channel = message.channel.code(),
                    subject = %message.subject,
                    "message kept in the outbox (log transport)"
                );
                Ok(())
            }
        }
    }
}
