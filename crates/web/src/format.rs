//! How values are shown: dates in Brasília time, counts with `.` between thousands (SPEC §10).

use jiff::Timestamp;
use jiff::tz::TimeZone;

fn brasilia() -> TimeZone {
    // Bundled into the binary (jiff's tzdb-bundle-always), so always found.
    TimeZone::get("America/Sao_Paulo").unwrap_or(TimeZone::UTC)
}

/// `02/01/2025 17:05:35`.
pub fn datetime(ts: Timestamp) -> String {
    ts.to_zoned_datetime(brasilia())
        .strftime("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// RFC 3339 with Brasília's offset, for the JSON API: `2025-01-02T16:45:33-03:00`.
pub fn rfc3339(ts: Timestamp) -> String {
    ts.to_zoned_datetime(brasilia())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A count with `.` between thousands ("1.000.000"); a volume prints so on its own.
pub fn count(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let sign = if n < 0 { "-" } else { "" };
    format!(
        "{sign}{}",
        adesao_domain::volume::format_thousands(n.unsigned_abs() as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brasilia_time_and_brazilian_numbers() {
        let ts: Timestamp = "2025-01-02T20:05:35Z".parse().unwrap();
        assert_eq!(datetime(ts), "02/01/2025 17:05:35");
        assert_eq!(rfc3339(ts), "2025-01-02T17:05:35-03:00");
        assert_eq!(count(1_000_000), "1.000.000");
        assert_eq!(count(0), "0");
    }
}
