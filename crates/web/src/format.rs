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

/// A file's size as people read it: "850 bytes", "12 KB", "1,4 MB" (decimal comma).
pub fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    match bytes {
        1 => "1 byte".to_owned(),
        b if b < KB => format!("{b} bytes"),
        b if b < MB => format!("{} KB", count(b.div_ceil(KB))),
        b => {
            let tenths = (b * 10).div_ceil(MB);
            format!("{},{} MB", count(tenths / 10), tenths % 10)
        }
    }
}

/// The colour of a status tag (DS tag, the status written in it too): waiting on someone,
/// done well, refused, closed.
pub fn status_tone(status: adesao_domain::RequestStatus) -> &'static str {
    use adesao_domain::RequestStatus as S;
    match status {
        S::Draft => "draft",
        S::Granted => "success",
        S::Refused => "danger",
        S::Cancelled => "closed",
        _ => "waiting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_people_read_them() {
        assert_eq!(file_size(1), "1 byte");
        assert_eq!(file_size(850), "850 bytes");
        assert_eq!(file_size(1024), "1 KB");
        assert_eq!(file_size(12 * 1024 + 1), "13 KB");
        assert_eq!(file_size(1024 * 1024), "1,0 MB");
        assert_eq!(file_size(1_468_006), "1,4 MB");
    }

    #[test]
    fn brasilia_time_and_brazilian_numbers() {
        let ts: Timestamp = "2025-01-02T20:05:35Z".parse().unwrap();
        assert_eq!(datetime(ts), "02/01/2025 17:05:35");
        assert_eq!(rfc3339(ts), "2025-01-02T17:05:35-03:00");
        assert_eq!(count(1_000_000), "1.000.000");
        assert_eq!(count(0), "0");
    }
}
