//! Delivery of the outbox: a background worker takes due messages, hands each to the transport
//! of its channel, and records the outcome, retrying failures with exponential back-off.

mod transport;
mod worker;

pub use transport::Transport;
pub use worker::{Notifier, RetryPolicy};
