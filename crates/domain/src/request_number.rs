//! Request number `NNNNNN/AAAA`: six digits, sequential within a calendar year.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestNumber {
    year: u16,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestNumberError {
    #[error(
        "O número da solicitação deve ter o formato NNNNNN/AAAA: seis dígitos, a barra e o ano."
    )]
    Format,
    #[error("O número da solicitação deve estar entre 000001 e 999999.")]
    Sequence,
}

impl RequestNumber {
    pub const MAX_SEQUENCE: u32 = 999_999;

    pub fn new(sequence: u32, year: u16) -> Result<Self, RequestNumberError> {
        if sequence == 0 || sequence > Self::MAX_SEQUENCE {
            return Err(RequestNumberError::Sequence);
        }
        if !(1000..=9999).contains(&year) {
            return Err(RequestNumberError::Format);
        }
        Ok(Self { year, sequence })
    }

    /// Parses `NNNNNN/AAAA` exactly (blanks around are ignored).
    pub fn parse(input: &str) -> Result<Self, RequestNumberError> {
        let s = input.trim();
        let (seq, year) = s.split_once('/').ok_or(RequestNumberError::Format)?;
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if seq.len() != 6 || year.len() != 4 || !all_digits(seq) || !all_digits(year) {
            return Err(RequestNumberError::Format);
        }
        let sequence = seq.parse().map_err(|_| RequestNumberError::Format)?;
        let year = year.parse().map_err(|_| RequestNumberError::Format)?;
        Self::new(sequence, year)
    }

    /// Parses a number as people type it in a search: `3` (this year's third), `3/2026`,
    /// `000003/2026`; zeros on the left are optional.
    pub fn parse_typed(input: &str, this_year: u16) -> Result<Self, RequestNumberError> {
        let s = input.trim();
        let (seq, year) = match s.split_once('/') {
            Some((seq, year)) => (seq.trim(), year.trim()),
            None => (s, ""),
        };
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(seq)
            || seq.len() > 6
            || !(year.is_empty() || year.len() == 4 && all_digits(year))
        {
            return Err(RequestNumberError::Format);
        }
        let sequence = seq.parse().map_err(|_| RequestNumberError::Format)?;
        let year = if year.is_empty() {
            this_year
        } else {
            year.parse().map_err(|_| RequestNumberError::Format)?
        };
        Self::new(sequence, year)
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn sequence(self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for RequestNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}/{:04}", self.sequence, self.year)
    }
}

impl FromStr for RequestNumber {
    type Err = RequestNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_formats_the_seed_number() {
        let n = RequestNumber::parse("000002/2025").unwrap();
        assert_eq!((n.sequence(), n.year()), (2, 2025));
        assert_eq!(n.to_string(), "000002/2025");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "2/2025",
            "000002-2025",
            "000002/25",
            "0000002/2025",
            "00000a/2025",
            "",
            "/",
        ] {
            assert_eq!(
                RequestNumber::parse(bad),
                Err(RequestNumberError::Format),
                "{bad}"
            );
        }
        assert_eq!(
            RequestNumber::parse("000000/2025"),
            Err(RequestNumberError::Sequence)
        );
    }

    #[test]
    fn takes_the_number_as_people_type_it() {
        let n = RequestNumber::new(3, 2026).unwrap();
        for typed in [
            "3",
            " 3 ",
            "03",
            "000003",
            "3/2026",
            "000003/2026",
            "3 / 2026",
        ] {
            assert_eq!(RequestNumber::parse_typed(typed, 2026), Ok(n), "{typed}");
        }
        assert_eq!(
            RequestNumber::parse_typed("3/2025", 2026).unwrap().year(),
            2025
        );
        for bad in [
            "", "a", "3/26", "0000003", "3/2026/1", "-3", "3-2026", "/2026",
        ] {
            assert!(RequestNumber::parse_typed(bad, 2026).is_err(), "{bad}");
        }
        assert_eq!(
            RequestNumber::parse_typed("0", 2026),
            Err(RequestNumberError::Sequence)
        );
    }

    proptest! {
        #[test]
        fn typed_takes_every_strict_number(seq in 1u32..=999_999, year in 1000u16..=9999) {
            let n = RequestNumber::new(seq, year).unwrap();
            prop_assert_eq!(RequestNumber::parse_typed(&n.to_string(), 2026).unwrap(), n);
            prop_assert_eq!(RequestNumber::parse_typed(&seq.to_string(), year).unwrap(), n);
        }

        #[test]
        fn round_trips(seq in 1u32..=999_999, year in 1000u16..=9999) {
            let n = RequestNumber::new(seq, year).unwrap();
            prop_assert_eq!(RequestNumber::parse(&n.to_string()).unwrap(), n);
        }
    }
}
