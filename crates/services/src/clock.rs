//! The time the services act at. Real time by default; tests move it forward to see codes,
//! authorisations and sessions expire without waiting for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// The current time, plus an offset that only tests change.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// The system's time.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Timestamp {
        let offset = SignedDuration::from_micros(self.offset_micros.load(Ordering::Relaxed));
        Timestamp::now() + offset
    }

    /// Today's date in Brasília, the day role periods are judged by.
    pub fn today(&self) -> jiff::civil::Date {
        local_date(self.now())
    }

    /// Moves this clock (and every copy of it) forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// Brasília's time zone, the one dates are shown and judged in.
pub(crate) fn brasilia() -> jiff::tz::TimeZone {
    // The time zone database is bundled into the binary, so the lookup cannot fail at run time.
    jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The date in Brasília at `ts`.
pub fn local_date(ts: Timestamp) -> jiff::civil::Date {
    ts.to_zoned_datetime(brasilia()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_move_together() {
        let clock = Clock::system();
        let copy = clock.clone();
        let before = copy.now();
        clock.advance(SignedDuration::from_mins(10));
        let after = copy.now();
        assert!(after - before >= SignedDuration::from_mins(10));
    }
}
