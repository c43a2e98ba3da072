//! Brazilian mobile number, where signing codes are sent by SMS.

use std::fmt;

/// A Brazilian mobile number: country code 55, a two-digit area code and an 8- or 9-digit
/// subscriber number. Stored in E.164 (`+5561911112211`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("Informe um celular brasileiro com DDD, como +55 (61) 91234-5678.")]
    Invalid,
}

impl Mobile {
    /// Accepts `+55 (61) 91234-5678`, `5561912345678` or `(61) 91234-5678`.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '(' | ')' | '-' | '+' | '.'))
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileError::Invalid);
        }
        let international = input.trim_start().starts_with('+');
        let national = match digits.len() {
            12 | 13 if digits.starts_with("55") => &digits[2..],
            // A leading `+` announces a country code, and only Brazil's is accepted.
            10 | 11 if !international => &digits[..],
            _ => return Err(MobileError::Invalid),
        };
        if national.starts_with('0') {
            return Err(MobileError::Invalid);
        }
        Ok(Self(format!("+55{national}")))
    }

    /// E.164, as stored.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// As the gov.br signing screen shows it: `+55 (61) 91***-**78`.
    pub fn masked(&self) -> String {
        let national = &self.0[3..];
        let (area, number) = national.split_at(2);
        format!(
            "+55 ({area}) {}***-**{}",
            &number[..2],
            &number[number.len() - 2..]
        )
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let national = &self.0[3..];
        let (area, number) = national.split_at(2);
        let split = number.len() - 4;
        write!(f, "+55 ({area}) {}-{}", &number[..split], &number[split..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms_and_masks_like_the_seed() {
        let m = Mobile::parse("+55 (61) 11234-5611").unwrap();
        assert_eq!(m.e164(), "+5561112345611");
        assert_eq!(m.masked(), "+55 (61) 11***-**11");
        assert_eq!(m.to_string(), "+55 (61) 11234-5611");
        assert_eq!(Mobile::parse("(61) 11234-5611").unwrap(), m);
        assert_eq!(Mobile::parse("5561112345611").unwrap(), m);
    }

    #[test]
    fn refuses_what_is_not_a_brazilian_number() {
        for bad in [
            "",
            "12345",
            "+1 (555) 123-4567",
            "(61) 9abc-1234",
            "(01) 91234-5678",
        ] {
            assert_eq!(Mobile::parse(bad), Err(MobileError::Invalid), "{bad}");
        }
    }
}
