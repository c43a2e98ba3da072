use std::time::Duration;

use adesao_store::outbox::{self, Channel};
use adesao_store::{Db, StoreError};
use jiff::{SignedDuration, Timestamp};

use crate::Transport;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts before a message is marked `failed`.
    pub max_attempts: i64,
    /// Wait after the first failure; doubled after each further one.
    pub first_delay: SignedDuration,
    pub max_delay: SignedDuration,
    /// How long a claimed message is reserved for the worker that claimed it.
    pub lease: SignedDuration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: SignedDuration::from_secs(30),
            max_delay: SignedDuration::from_hours(1),
            lease: SignedDuration::from_mins(5),
        }
    }
}

impl RetryPolicy {
    /// When to try again after the `attempts`-th failure, or `None` to give up.
    pub fn retry_at(&self, now: Timestamp, attempts: i64) -> Option<Timestamp> {
        if attempts >= self.max_attempts {
            return None;
        }
        let factor = 2i32.saturating_pow(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0));
        let delay = self
            .first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        Some(now + delay)
    }
}

#[derive(Clone)]
pub struct Notifier {
    db: Db,
    email: Transport,
    sms: Transport,
    retry: RetryPolicy,
}

impl Notifier {
    pub fn new(db: Db, email: Transport, sms: Transport, retry: RetryPolicy) -> Self {
        Self {
            db,
            email,
            sms,
            retry,
        }
    }

    /// Delivers every message due now; returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let now = Timestamp::now();
        let mut conn = self.db.acquire().await?;
        let batch = outbox::claim_due(&mut conn, now, now + self.retry.lease, 50).await?;
        let mut sent = 0;
        for message in batch {
            let transport = match message.channel {
                Channel::Email => &self.email,
                Channel::Sms => &self.sms,
            };
            match transport.send(&message).await {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, message.id, Timestamp::now()).await?;
                    sent += 1;
                }
                Err(error) => {
                    let attempts = message.attempts + 1;
                    let retry_at = self.retry.retry_at(Timestamp::now(), attempts);
                    tracing::warn!(id = message.id, attempts, %error, gave_up = retry_at.is_none(), "delivery failed");
                    outbox::mark_attempt_failed(&mut conn, message.id, &error, retry_at).await?;
                }
            }
        }
        Ok(sent)
    }

    /// Delivers due messages every `interval` until the task is dropped.
    pub async fn run(self, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "outbox delivery round failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_the_cap_then_gives_up() {
        let p = RetryPolicy::default();
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let wait = |attempts| p.retry_at(now, attempts).map(|t| (t - now).as_secs());
        assert_eq!(wait(1), Some(30));
        assert_eq!(wait(2), Some(60));
        assert_eq!(wait(3), Some(120));
        assert_eq!(wait(7), Some(1920));
        assert_eq!(wait(8), None);
        let long = RetryPolicy {
            max_attempts: 100,
            ..RetryPolicy::default()
        };
        assert_eq!(
            long.retry_at(now, 40).map(|t| (t - now).as_secs()),
            Some(3600)
        );
    }
}
