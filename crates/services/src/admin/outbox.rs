//! The outbox for the program team: every e-mail and SMS with its delivery (status, attempts,
//! last error, times), filtered by status and channel, and the retry of a failed message.

use adesao_domain::FieldIssue;
use adesao_domain::access::Actor;
use adesao_store::outbox::{self, Channel, DeliveryStatus, Filter, OutboxMessage};

use super::{AdminService, Paged, Paging, paged, require_admin};
use crate::ServiceError;

/// Which messages to read, as typed: codes (`pending`, `sent`, `failed`; `email`, `sms`).
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub status: Option<String>,
    pub channel: Option<String>,
    /// Words in the recipient or the subject.
    pub search: Option<String>,
}

impl AdminService {
    /// The outbox, newest first. Program admins only: while the log transport holds them, SMS
    /// bodies carry signing codes.
    pub async fn outbox(
        &self,
        actor: &Actor,
        query: &OutboxQuery,
        paging: &Paging,
    ) -> Result<Paged<OutboxMessage>, ServiceError> {
        require_admin(actor)?;
        let mut issues = Vec::new();
        // A value sent empty is judged like any other (422): the page sends none for "Todas".
        let status = match query.status.as_deref().map(str::trim) {
            None => None,
            Some(code) => DeliveryStatus::from_code(code).or_else(|| {
                issues.push(FieldIssue::new(
                    "status",
                    "Situação: use pending, sent ou failed.",
                ));
                None
            }),
        };
        let channel = match query.channel.as_deref().map(str::trim) {
            None => None,
            Some(code) => Channel::from_code(code).or_else(|| {
                issues.push(FieldIssue::new("channel", "Canal: use email ou sms."));
                None
            }),
        };
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        // Words to look for: what cannot be in a recipient or a subject (control characters,
        // which PostgreSQL would refuse outright) is left out, and so is an endless query.
        let search = query
            .search
            .as_deref()
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let filter = Filter {
            status,
            channel,
            search,
        };
        let mut conn = self.db.acquire().await?;
        Ok(paged!(paging, |offset, limit| {
            outbox::list(&mut conn, &filter, offset, limit).await?
        }))
    }

    /// Sends a failed message again: it is due at once, for one more attempt (its count and
    /// last error stay until that attempt). 404 for no such message, 409 when it is not failed.
    pub async fn retry_message(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<OutboxMessage, ServiceError> {
        require_admin(actor)?;
        let mut tx = self.db.begin().await?;
        let message = outbox::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !outbox::retry(&mut tx, id, self.clock.now()).await? {
            return Err(ServiceError::Conflict(format!(
                "Só uma mensagem que falhou pode ser reenviada; esta está “{}”.",
                message.status.label()
            )));
        }
        tracing::info!(
            id,
            admin = actor.user_id,
            channel = message.channel.code(),
            "failed message queued again by a program admin"
        );
        let message = outbox::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(message)
    }
}
