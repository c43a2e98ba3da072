//! CNPJ — Cadastro Nacional da Pessoa Jurídica: 14 positions, the last two check digits.
//!
//! Since July 2026 the first twelve positions may also hold capital letters (the alphanumeric
//! CNPJ). The check digits stay numeric and are computed with each character's ASCII code minus
//! 48, so a digit keeps its value and `A` is worth 17.

use std::fmt;
use std::str::FromStr;

use crate::check_digits::{mod11, strip_punctuation};

/// A CNPJ whose check digits are right. Stored as its 14 characters (uppercase); shown as
/// `00.000.000/0000-00`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CnpjError {
    #[error("Informe o CNPJ.")]
    Empty,
    #[error("O CNPJ deve ter 14 caracteres.")]
    Length,
    #[error(
        "O CNPJ deve conter letras ou números nas 12 primeiras posições e números nos 2 dígitos verificadores."
    )]
    Characters,
    #[error("CNPJ inválido: verifique os dígitos verificadores.")]
    CheckDigits,
}

const FIRST_WEIGHTS: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const SECOND_WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

impl Cnpj {
    /// Parses a numeric or alphanumeric CNPJ, with or without punctuation.
    pub fn parse(input: &str) -> Result<Self, CnpjError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(CnpjError::Empty);
        }
        let chars = strip_punctuation(trimmed).to_ascii_uppercase();
        if !chars.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CnpjError::Characters);
        }
        if chars.len() != 14 {
            return Err(CnpjError::Length);
        }
        let bytes = chars.as_bytes();
        if !bytes[12..].iter().all(u8::is_ascii_digit) {
            return Err(CnpjError::Characters);
        }
        let values: Vec<u32> = bytes.iter().map(|b| u32::from(*b) - 48).collect();
        if values.iter().all(|v| *v == values[0]) {
            return Err(CnpjError::CheckDigits);
        }
        let first = mod11(&values[..12], &FIRST_WEIGHTS);
        let second = mod11(&values[..13], &SECOND_WEIGHTS);
        if values[12] != first || values[13] != second {
            return Err(CnpjError::CheckDigits);
        }
        Ok(Self(chars))
    }

    /// The 14 characters, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `00.000.000/0000-00`.
    pub fn formatted(&self) -> String {
        let c = &self.0;
        format!(
            "{}.{}.{}/{}-{}",
            &c[0..2],
            &c[2..5],
            &c[5..8],
            &c[8..12],
            &c[12..14]
        )
    }
}

impl fmt::Display for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl FromStr for Cnpj {
    type Err = CnpjError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends check digits computed straight from the published rule, independently of `parse`.
    fn with_check_digits(base: &str) -> String {
        let mut v: Vec<u32> = base.bytes().map(|b| u32::from(b) - 48).collect();
        for weights in [&FIRST_WEIGHTS[..], &SECOND_WEIGHTS[..]] {
            let sum: u32 = v.iter().zip(weights).map(|(a, b)| a * b).sum();
            let r = sum % 11;
            v.push(if r < 2 { 0 } else { 11 - r });
        }
        let dv: String = v[12..]
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect();
        format!("{base}{dv}")
    }

    #[test]
    fn accepts_numeric_cnpjs() {
        let ufv = Cnpj::parse("25.944.455/0001-96").unwrap();
        assert_eq!(ufv.as_str(), "25944455000196");
        assert_eq!(ufv.formatted(), "25.944.455/0001-96");
        assert_eq!(Cnpj::parse("25944455000196").unwrap(), ufv);
    }

    #[test]
    fn accepts_the_alphanumeric_example_of_the_receita_federal() {
        let c = Cnpj::parse("12.ABC.345/01DE-35").unwrap();
        assert_eq!(c.as_str(), "12ABC34501DE35");
        assert_eq!(c.formatted(), "12.ABC.345/01DE-35");
        assert_eq!(
            Cnpj::parse("12abc34501de35").unwrap(),
            c,
            "lowercase is normalised"
        );
    }

    #[test]
    fn refuses_wrong_inputs() {
        assert_eq!(Cnpj::parse(""), Err(CnpjError::Empty));
        assert_eq!(Cnpj::parse("25.944.455/0001-9"), Err(CnpjError::Length));
        assert_eq!(
            Cnpj::parse("25.944.455/0001-97"),
            Err(CnpjError::CheckDigits)
        );
        assert_eq!(
            Cnpj::parse("12.ABC.345/01DE-3A"),
            Err(CnpjError::Characters)
        );
        assert_eq!(
            Cnpj::parse("12.ABC.345/01DE-36"),
            Err(CnpjError::CheckDigits)
        );
        assert_eq!(
            Cnpj::parse("12.ABC.345/01DE-3$"),
            Err(CnpjError::Characters)
        );
        assert_eq!(
            Cnpj::parse("00.000.000/0000-00"),
            Err(CnpjError::CheckDigits)
        );
    }

    proptest! {
        #[test]
        fn every_cnpj_with_right_check_digits_parses(base in "[0-9A-Z]{12}") {
            let full = with_check_digits(&base);
            prop_assume!(!full.bytes().all(|b| b == full.as_bytes()[0]));
            let cnpj = Cnpj::parse(&full).unwrap();
            prop_assert_eq!(Cnpj::parse(&cnpj.formatted()).unwrap(), cnpj);
        }

        #[test]
        fn a_wrong_last_digit_is_refused(base in "[0-9A-Z]{12}", delta in 1u8..10) {
            let mut full = with_check_digits(&base).into_bytes();
            full[13] = b'0' + (full[13] - b'0' + delta) % 10;
            prop_assert!(Cnpj::parse(std::str::from_utf8(&full).unwrap()).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = Cnpj::parse(&s);
        }
    }
}
