//! Timestamps as stored: RFC 3339 text in UTC with microseconds, fixed width so that text order
//! is time order on both backends.

use jiff::Timestamp;

use crate::{StoreError, StoreResult};

pub fn now() -> Timestamp {
    Timestamp::now()
}

/// `2025-01-02T19:45:33.000000Z`.
pub fn to_db(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn from_db(column: &'static str, text: &str) -> StoreResult<Timestamp> {
    text.parse().map_err(|e| StoreError::corrupt(column, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_fixed_width() {
        let ts: Timestamp = "2025-01-02T19:45:33Z".parse().unwrap();
        assert_eq!(to_db(ts), "2025-01-02T19:45:33.000000Z");
        assert_eq!(from_db("t", &to_db(ts)).unwrap(), ts);
        let later = ts + jiff::SignedDuration::from_micros(1);
        assert!(to_db(later) > to_db(ts));
    }
}
