//! Yearly volume of API calls: a positive whole number, typed the Brazilian way (`1.000.000`).

use std::fmt;

/// Calls per year. Always ≥ 1 and ≤ [`Volume::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Volume(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolumeError {
    #[error("Informe a volumetria anual.")]
    Empty,
    #[error("A volumetria deve ser um número inteiro, como 1.000.000.")]
    NotANumber,
    #[error("A volumetria deve ser maior que zero.")]
    Zero,
    #[error("A volumetria não pode passar de 1.000.000.000.000 chamadas por ano.")]
    TooLarge,
}

impl Volume {
    /// A trillion calls a year: far beyond any real contract, and safely inside an `i64` column.
    pub const MAX: u64 = 1_000_000_000_000;

    /// Parses user input: plain digits (`1000000`) or with `.` between groups of three
    /// (`1.000.000`). A `,` or a badly placed `.` is refused rather than guessed at, since
    /// `1.5` or `1,000` could be read in two ways.
    pub fn parse(input: &str) -> Result<Self, VolumeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(VolumeError::Empty);
        }
        let digits: String = if s.contains('.') {
            let groups: Vec<&str> = s.split('.').collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(VolumeError::NotANumber);
            }
            groups.concat()
        } else {
            s.to_owned()
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VolumeError::NotANumber);
        }
        // Leading zeros are harmless; strip them so the length check below is meaningful.
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Err(VolumeError::Zero);
        }
        if significant.len() > 13 {
            return Err(VolumeError::TooLarge);
        }
        let value: u64 = significant.parse().map_err(|_| VolumeError::NotANumber)?;
        Self::new(value)
    }

    /// From a number already typed as such (JSON, database).
    pub fn new(value: u64) -> Result<Self, VolumeError> {
        match value {
            0 => Err(VolumeError::Zero),
            v if v > Self::MAX => Err(VolumeError::TooLarge),
            v => Ok(Self(v)),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// Formats a count with `.` between thousands, as Brazilians write it: `1.000.000`.
pub fn format_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_thousands(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_brazilian_and_plain_forms() {
        assert_eq!(Volume::parse("1.000.000").unwrap().get(), 1_000_000);
        assert_eq!(Volume::parse(" 100000 ").unwrap().get(), 100_000);
        assert_eq!(Volume::parse("12.345").unwrap().get(), 12_345);
        assert_eq!(Volume::parse("007").unwrap().get(), 7);
    }

    #[test]
    fn refuses_ambiguous_or_invalid_forms() {
        assert_eq!(Volume::parse(""), Err(VolumeError::Empty));
        assert_eq!(Volume::parse("0"), Err(VolumeError::Zero));
        assert_eq!(Volume::parse("0.000"), Err(VolumeError::Zero));
        assert_eq!(Volume::parse("-5"), Err(VolumeError::NotANumber));
        assert_eq!(Volume::parse("1,5"), Err(VolumeError::NotANumber));
        assert_eq!(Volume::parse("1.5"), Err(VolumeError::NotANumber));
        assert_eq!(Volume::parse("1000.000"), Err(VolumeError::NotANumber));
        assert_eq!(Volume::parse(".100"), Err(VolumeError::NotANumber));
        assert_eq!(Volume::parse("1e6"), Err(VolumeError::NotANumber));
        assert_eq!(
            Volume::parse("1.000.000.000.001"),
            Err(VolumeError::TooLarge)
        );
        assert_eq!(
            Volume::parse("99999999999999999999999"),
            Err(VolumeError::TooLarge)
        );
        assert!(Volume::parse("1.000.000.000.000").is_ok());
    }

    #[test]
    fn formats_with_dots() {
        assert_eq!(format_thousands(0), "0");
        assert_eq!(format_thousands(999), "999");
        assert_eq!(format_thousands(1000), "1.000");
        assert_eq!(format_thousands(1_000_000), "1.000.000");
        assert_eq!(Volume::new(100_000).unwrap().to_string(), "100.000");
    }

    proptest! {
        #[test]
        fn formatted_volumes_parse_back(v in 1u64..=Volume::MAX) {
            let vol = Volume::new(v).unwrap();
            prop_assert_eq!(Volume::parse(&vol.to_string()).unwrap(), vol);
            prop_assert_eq!(Volume::parse(&v.to_string()).unwrap(), vol);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Volume::parse(&s);
        }
    }
}
