//! Delivery of the outbox: a background worker takes due messages, hands each to the transport
//! of its channel (log, SMTP, an SMS gateway's webhook), and records the outcome, retrying
//! transient failures with exponential back-off.

mod transport;
mod worker;

pub use transport::{EmailTransport, SEND_TIMEOUT, SendError, SmsTransport, Smtp, Webhook};
pub use worker::{Notifier, PARALLEL_SENDS, RetryPolicy};
