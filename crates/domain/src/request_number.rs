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
    #[error("O número da solicitação deve ter o formato NNNNNN/AAAA, como 000002/2025.")]
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

    proptest! {
        #[test]
        fn round_trips(seq in 1u32..=999_999, year in 1000u16..=9999) {
            let n = RequestNumber::new(seq, year).unwrap();
            prop_assert_eq!(RequestNumber::parse(&n.to_string()).unwrap(), n);
        }
    }
}
