//! CPF — Cadastro de Pessoas Físicas: 11 digits, the last two check digits.

use std::fmt;
use std::str::FromStr;

use crate::check_digits::{mod11, strip_punctuation};

/// A CPF whose check digits are right. Stored as its 11 digits; shown as `000.000.000-00`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpfError {
    #[error("Informe o CPF.")]
    Empty,
    #[error("O CPF deve ter 11 dígitos.")]
    Length,
    #[error("O CPF deve conter apenas números, pontos e hífen.")]
    Characters,
    #[error("CPF inválido: verifique os dígitos.")]
    CheckDigits,
}

impl Cpf {
    /// Parses a CPF typed with or without punctuation (`213.591.158-54` or `21359115854`).
    pub fn parse(input: &str) -> Result<Self, CpfError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(CpfError::Empty);
        }
        let digits = strip_punctuation(trimmed);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(CpfError::Characters);
        }
        if digits.len() != 11 {
            return Err(CpfError::Length);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        // Sequences such as 111.111.111-11 pass the arithmetic but are not issued.
        if values.iter().all(|v| *v == values[0]) {
            return Err(CpfError::CheckDigits);
        }
        let first = mod11(&values[..9], &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
        let second = mod11(&values[..10], &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
        if values[9] != first || values[10] != second {
            return Err(CpfError::CheckDigits);
        }
        Ok(Self(digits))
    }

    /// The 11 digits, as stored.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// `000.000.000-00`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}.{}.{}-{}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }

    /// Masked for display to people other than its holder (LGPD): `***.591.158-**`.
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!("***.{}.{}-**", &d[3..6], &d[6..9])
    }
}

impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl FromStr for Cpf {
    type Err = CpfError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid CPF from nine base digits, computing the check digits independently of
    /// `Cpf::parse` (straight from the published algorithm).
    fn with_check_digits(base: [u32; 9]) -> String {
        let mut d: Vec<u32> = base.to_vec();
        for len in [9usize, 10] {
            let sum: u32 = d
                .iter()
                .enumerate()
                .map(|(i, v)| v * (len as u32 + 1 - i as u32))
                .sum();
            let r = (sum * 10) % 11;
            d.push(if r == 10 { 0 } else { r });
        }
        d.iter()
            .map(|v| char::from_digit(*v, 10).unwrap())
            .collect()
    }

    #[test]
    fn accepts_the_demo_cpfs_formatted_and_bare() {
        for cpf in [
            "213.591.158-54",
            "240.596.684-00",
            "862.351.990-66",
            "529.982.247-25",
            "390.533.447-05",
            "713.882.654-00",
            "045.134.689-04",
        ] {
            let parsed = Cpf::parse(cpf).unwrap_or_else(|e| panic!("{cpf}: {e}"));
            assert_eq!(parsed.formatted(), cpf);
            assert_eq!(Cpf::parse(parsed.digits()).unwrap(), parsed);
        }
    }

    #[test]
    fn refuses_wrong_inputs_with_pt_br_messages() {
        assert_eq!(Cpf::parse("  "), Err(CpfError::Empty));
        assert_eq!(Cpf::parse("213.591.158-5"), Err(CpfError::Length));
        assert_eq!(Cpf::parse("213.591.158-540"), Err(CpfError::Length));
        assert_eq!(Cpf::parse("213.591.158-5a"), Err(CpfError::Characters));
        assert_eq!(Cpf::parse("213.591.158-55"), Err(CpfError::CheckDigits));
        assert_eq!(Cpf::parse("111.111.111-11"), Err(CpfError::CheckDigits));
        assert_eq!(
            CpfError::CheckDigits.to_string(),
            "CPF inválido: verifique os dígitos."
        );
    }

    #[test]
    fn masks_all_but_the_middle_digits() {
        assert_eq!(
            Cpf::parse("21359115854").unwrap().masked(),
            "***.591.158-**"
        );
    }

    proptest! {
        #[test]
        fn every_cpf_with_right_check_digits_parses_and_round_trips(base in proptest::array::uniform9(0u32..10)) {
            prop_assume!(base.iter().any(|d| *d != base[0]));
            let digits = with_check_digits(base);
            let cpf = Cpf::parse(&digits).unwrap();
            prop_assert_eq!(cpf.digits(), digits.as_str());
            prop_assert_eq!(Cpf::parse(&cpf.formatted()).unwrap(), cpf);
        }

        /// A wrong check digit is always caught. (A wrong base digit is caught almost always, not
        /// always: remainders 0 and 1 both give the digit 0, so the rule has blind spots —
        /// proptest found base 157159798 with its first digit turned to 0.)
        #[test]
        fn a_wrong_check_digit_is_always_caught(base in proptest::array::uniform9(0u32..10), pos in 9usize..11, delta in 1u32..10) {
            prop_assume!(base.iter().any(|d| *d != base[0]));
            let mut digits: Vec<u32> = with_check_digits(base).chars().map(|c| c.to_digit(10).unwrap()).collect();
            digits[pos] = (digits[pos] + delta) % 10;
            let s: String = digits.iter().map(|v| char::from_digit(*v, 10).unwrap()).collect();
            prop_assert!(Cpf::parse(&s).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = Cpf::parse(&s);
        }
    }
}
