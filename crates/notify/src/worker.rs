use std::time::Duration;

use adesao_store::outbox::{self, Channel, OutboxMessage};
use adesao_store::{Db, StoreError};
use futures_util::future::join_all;
use jiff::{SignedDuration, Timestamp};

use crate::transport::{EmailTransport, SEND_TIMEOUT, SendError, SmsTransport};

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts before a message is marked `failed` (a permanent refusal fails at once).
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
            // 30 s, 1, 2, 4 … 32 min, then hourly: a mail server or gateway down for almost a
            // day loses nothing; after that the admins see `failed` and may send it again.
            max_attempts: 30,
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

/// How many messages of a batch are in flight at once (and the size of the SMTP pool).
pub const PARALLEL_SENDS: usize = 4;

/// Messages claimed per round.
const BATCH: i64 = 50;

#[derive(Clone)]
pub struct Notifier {
    db: Db,
    email: EmailTransport,
    sms: SmsTransport,
    retry: RetryPolicy,
}

impl Notifier {
    pub fn new(db: Db, email: EmailTransport, sms: SmsTransport, retry: RetryPolicy) -> Self {
        Self {
            db,
            email,
            sms,
            retry,
        }
    }

    /// Delivers every message due now, in rounds of [`BATCH`], until a round finds none (a
    /// short round may only mean another worker took part of it); returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let mut sent = 0;
        loop {
            let (round, claimed) = self.deliver_batch().await?;
            sent += round;
            if claimed == 0 {
                let mut conn = self.db.acquire().await?;
                if !outbox::any_due(&mut conn, Timestamp::now()).await? {
                    return Ok(sent);
                }
            }
        }
    }

    /// One round: claims up to [`BATCH`] due messages under a lease, sends them
    /// [`PARALLEL_SENDS`] at a time, records each outcome. No send starts once the lease could
    /// run out before it ends, so another worker that takes the message after the lease never
    /// sends it at the same time; what is left is given back for the next round.
    /// Returns (sent, claimed).
    async fn deliver_batch(&self) -> Result<(usize, usize), StoreError> {
        let now = Timestamp::now();
        let lease_until = now + self.retry.lease;
        let mut conn = self.db.acquire().await?;
        let batch = outbox::claim_due(&mut conn, now, lease_until, BATCH).await?;
        let claimed = batch.len();
        let send_budget = SignedDuration::try_from(SEND_TIMEOUT).unwrap_or(SignedDuration::MAX);
        let mut sent = 0;
        let mut chunks = batch.chunks(PARALLEL_SENDS);
        while let Some(chunk) = chunks.next() {
            if Timestamp::now() + send_budget + send_budget >= lease_until {
                for message in chunk.iter().chain(chunks.flatten()) {
                    outbox::release(&mut conn, message.id, lease_until, Timestamp::now()).await?;
                }
                break;
            }
            let outcomes = join_all(chunk.iter().map(|m| self.send(m))).await;
            for (message, outcome) in chunk.iter().zip(outcomes) {
                let at = Timestamp::now();
                match outcome {
                    Ok(()) => {
                        let left = self.transport_leaves(message.channel);
                        outbox::mark_sent(&mut conn, message.id, at, left).await?;
                        sent += 1;
                    }
                    Err(error) => {
                        let attempts = message.attempts + 1;
                        let retry_at = if error.permanent {
                            None
                        } else {
                            self.retry.retry_at(at, attempts)
                        };
                        tracing::warn!(
                            id = message.id,
                            channel = message.channel.code(),
                            attempts,
                            error = %error.message,
                            gave_up = retry_at.is_none(),
                            "delivery failed"
                        );
                        outbox::mark_attempt_failed(
                            &mut conn,
                            message.id,
                            &error.message,
                            at,
                            retry_at,
                        )
                        .await?;
                    }
                }
            }
        }
        Ok((sent, claimed))
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        match message.channel {
            Channel::Email => self.email.send(message).await,
            Channel::Sms => self.sms.send(message).await,
        }
    }

    fn transport_leaves(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email.leaves(),
            Channel::Sms => self.sms.leaves(),
        }
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
        assert_eq!(wait(8), Some(3600));
        assert_eq!(wait(29), Some(3600));
        assert_eq!(wait(30), None);
        let total: i64 = (1..30).map(|a| wait(a).unwrap()).sum();
        assert!(total > 20 * 3600, "{total} s of trying");
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
