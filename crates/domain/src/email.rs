//! E-mail address of a user, where notifications go.

use std::fmt;

/// A deliverable-looking e-mail address: RFC 5322 syntax (checked by the `email_address` crate)
/// with a domain that has a dot, since public servants' mail lives on real domains, and at most
/// 254 characters (RFC 5321's limit on a path). Stored as typed, trimmed, with the domain in
/// lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Informe o e-mail.")]
    Empty,
    #[error("Informe um e-mail válido, como nome@orgao.gov.br.")]
    Invalid,
}

/// RFC 5321: a forward path holds at most 256 octets, including the angle brackets.
pub const MAX_EMAIL_CHARS: usize = 254;

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EmailError::Empty);
        }
        if input.len() > MAX_EMAIL_CHARS || !input.is_ascii() {
            return Err(EmailError::Invalid);
        }
        let parsed = email_address::EmailAddress::parse_with_options(input, Default::default())
            .map_err(|_| EmailError::Invalid)?;
        let (local, domain) = (parsed.local_part(), parsed.domain());
        let plain_domain = domain.contains('.')
            && !domain.starts_with('[')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if !plain_domain || local.starts_with('"') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowers_the_domain() {
        let e = Email::parse("  Maria.Silva+adesao@UFV.br ").unwrap();
        assert_eq!(e.as_str(), "Maria.Silva+adesao@ufv.br");
        assert!(Email::parse("ti@sgd.economia.gov.br").is_ok());
    }

    #[test]
    fn refuses_what_mail_cannot_reach() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for bad in [
            "maria",
            "maria@",
            "@ufv.br",
            "maria@localhost",
            "maria@@ufv.br",
            "maria silva@ufv.br",
            "maria@ufv..br",
            "maria@-ufv.br",
            "\"maria\"@ufv.br",
            "maria@[127.0.0.1]",
            "joão@ufv.br",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad:?}");
        }
        let long = format!("{}@ufv.br", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::Invalid));
    }
}
