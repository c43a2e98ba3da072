//! ICP-Brasil A1 certificates (SPEC §7, provider `icp_brasil_a1`): a PKCS#12 file (`.pfx`,
//! `.p12`) with the signer's RSA key and certificate chain, opened with its password for one
//! signature and then dropped.
//!
//! A PKCS#12 names its own key-derivation cost. Before anything is derived, every iteration
//! count visible in the file is read and one above [`MAX_ITERATIONS`] refuses the file, so an
//! upload cannot buy minutes of CPU with one number.

use std::time::SystemTime;

use der::{Decode, Encode};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use x509_cert::Certificate;

use crate::pades::Identity;

/// The largest file taken: an A1 with a long chain is a few kilobytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// The most key-derivation iterations taken (OpenSSL writes 2,048; Windows 2,000 to 10,000).
pub const MAX_ITERATIONS: u64 = 1_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum A1Error {
    #[error("not a PKCS#12 file")]
    Unreadable,
    #[error("wrong password")]
    WrongPassword,
    #[error("no private key with its certificate")]
    NoKey,
    #[error("the key is not RSA")]
    NotRsa,
    #[error("the file asks for too costly a key derivation")]
    TooCostly,
    #[error("the file is too large")]
    TooLarge,
    #[error("the file could not be written: {0}")]
    Write(String),
}

/// An opened A1: who signs, and what the certificate says of itself.
pub struct A1 {
    pub identity: Identity,
    /// The CPF the certificate names ([`crate::pki::cpf_of`]).
    pub cpf: Option<String>,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
}

/// Opens the PKCS#12 `file` with `password`.
pub fn open(file: &[u8], password: &str) -> Result<A1, A1Error> {
    if file.len() > MAX_BYTES {
        return Err(A1Error::TooLarge);
    }
    let mut counts = Vec::new();
    iteration_counts(file, 0, &mut counts).ok_or(A1Error::Unreadable)?;
    if counts.iter().any(|&n| n > MAX_ITERATIONS) {
        return Err(A1Error::TooCostly);
    }
    let store = p12_keystore::KeyStore::from_pkcs12(file, password).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => A1Error::WrongPassword,
        // A PBES2 or PBES1 decryption under a wrong password fails its padding.
        p12_keystore::error::Error::UnpadError | p12_keystore::error::Error::Pkcs5Error(_) => {
            A1Error::WrongPassword
        }
        _ => A1Error::Unreadable,
    })?;
    let (_, chain) = store.private_key_chain().ok_or(A1Error::NoKey)?;
    let key = RsaPrivateKey::from_pkcs8_der(chain.key()).map_err(|_| A1Error::NotRsa)?;
    let mut certificates = chain
        .chain()
        .iter()
        .map(|c| Certificate::from_der(c.as_der()).map_err(|_| A1Error::Unreadable));
    let certificate = certificates.next().ok_or(A1Error::NoKey)??;
    let chain = certificates.collect::<Result<Vec<_>, _>>()?;
    // The key must be the certificate's: a file pairing another key would sign in a name
    // the signature does not prove.
    let public = rsa::pkcs8::EncodePublicKey::to_public_key_der(&key.to_public_key())
        .map_err(|_| A1Error::NotRsa)?;
    let certified = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| A1Error::Unreadable)?;
    if public.as_bytes() != certified.as_slice() {
        return Err(A1Error::NoKey);
    }
    let validity = &certificate.tbs_certificate.validity;
    Ok(A1 {
        cpf: crate::pki::cpf_of(&certificate),
        not_before: validity.not_before.to_system_time(),
        not_after: validity.not_after.to_system_time(),
        identity: Identity {
            key,
            certificate,
            chain,
        },
    })
}

/// `key` and its certificate chain as a PKCS#12 protected by `password` (PBES2, AES-256,
/// HMAC-SHA-256): how the tests make A1 files, as an AC would hand them out.
pub fn to_pkcs12(
    key: &RsaPrivateKey,
    certificate: &Certificate,
    chain: &[Certificate],
    password: &str,
) -> Result<Vec<u8>, A1Error> {
    let write = |e: &dyn std::fmt::Display| A1Error::Write(e.to_string());
    let key_der = key.to_pkcs8_der().map_err(|e| write(&e))?;
    let certificates = std::iter::once(certificate)
        .chain(chain)
        .map(|c| {
            let der = c.to_der().map_err(|e| write(&e))?;
            p12_keystore::Certificate::from_der(&der).map_err(|e| write(&e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "assinatura",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            key_der.as_bytes(),
            [1u8; 20],
            certificates,
        )),
    );
    store.writer(password).write().map_err(|e| write(&e))
}

/// Collects into `out` every iteration count of the DER in `bytes`: the INTEGER that follows
/// an OCTET STRING (a salt) in a SEQUENCE, which is the shape of PKCS#12's MacData, its PBE
/// parameters and PBKDF2's. Descends into OCTET STRINGs that hold DER (the safes in clear);
/// `None` when `bytes` is not DER.
fn iteration_counts(bytes: &[u8], depth: usize, out: &mut Vec<u64>) -> Option<()> {
    if depth > 24 {
        return None;
    }
    let mut rest = bytes;
    let mut previous_was_salt = false;
    while !rest.is_empty() {
        let (tag, content, after) = tlv(rest)?;
        rest = after;
        let constructed = tag & 0x20 != 0;
        match tag {
            0x02 if previous_was_salt => out.push(integer(content)),
            0x04 => {
                // Encrypted bytes are rarely DER; when they happen to parse, any "count" found
                // in them is noise that can only refuse a file, never admit one.
                let _ = iteration_counts(content, depth + 1, out);
            }
            _ if constructed => iteration_counts(content, depth + 1, out)?,
            _ => {}
        }
        previous_was_salt = tag == 0x04;
    }
    Some(())
}

/// An INTEGER's value, saturating (a count too large for u64 is too large anyway).
fn integer(content: &[u8]) -> u64 {
    let digits: &[u8] = match content {
        [0, rest @ ..] => rest,
        other => other,
    };
    if digits.len() > 8 {
        return u64::MAX;
    }
    digits.iter().fold(0, |n, b| (n << 8) | u64::from(*b))
}

/// One DER tag-length-value: the tag, the content, what follows.
fn tlv(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers do not occur in PKCS#12
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |l, b| (l << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn issued(not_after: SystemTime) -> (crate::pki::Issued, crate::pki::Issued) {
        let ca = crate::pki::new_ca("AC de teste ICP", "Teste", 2048).unwrap();
        let now = SystemTime::now();
        let leaf = crate::pki::issue_icp_brasil(
            &ca,
            "GESTOR PRATA",
            "21359115854",
            9,
            now - Duration::from_secs(3600),
            not_after,
        )
        .unwrap();
        (ca, leaf)
    }

    #[test]
    fn an_a1_opens_with_its_password_and_names_its_cpf() {
        let (ca, leaf) = issued(SystemTime::now() + Duration::from_secs(86_400));
        let file = to_pkcs12(
            &leaf.key,
            &leaf.certificate,
            std::slice::from_ref(&ca.certificate),
            "s3nh@",
        )
        .unwrap();
        let a1 = open(&file, "s3nh@").unwrap();
        assert_eq!(a1.cpf.as_deref(), Some("21359115854"));
        assert_eq!(a1.identity.certificate, leaf.certificate);
        assert_eq!(a1.identity.chain, vec![ca.certificate.clone()]);
        assert!(a1.not_after > SystemTime::now());
        assert_eq!(open(&file, "errada").err(), Some(A1Error::WrongPassword));
        assert_eq!(open(b"not a pfx", "x").err(), Some(A1Error::Unreadable));
    }

    #[test]
    fn a_file_asking_for_millions_of_iterations_is_refused_before_any_derivation() {
        let (ca, leaf) = issued(SystemTime::now() + Duration::from_secs(86_400));
        let key = leaf.key.to_pkcs8_der().unwrap();
        let certificates = [&leaf.certificate, &ca.certificate]
            .map(|c| p12_keystore::Certificate::from_der(&c.to_der().unwrap()).unwrap());
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "a",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
                key.as_bytes(),
                [1u8; 20],
                certificates,
            )),
        );
        // Written with a three-byte count, which is then raised in place past the limit: what
        // a hostile file would say (writing one that high would cost the derivation here).
        let mut file = store.writer("x").mac_iterations(0x01_0000).write().unwrap();
        let mut counts = Vec::new();
        iteration_counts(&file, 0, &mut counts).unwrap();
        assert!(counts.contains(&0x01_0000), "{counts:?}");
        assert!(
            file.ends_with(&[0x02, 0x03, 0x01, 0x00, 0x00]),
            "the MAC's count ends the file"
        );
        let at = file.len() - 3;
        file[at..].copy_from_slice(&[0x7f, 0xff, 0xff]);
        let started = std::time::Instant::now();
        assert_eq!(open(&file, "x").err(), Some(A1Error::TooCostly));
        assert!(started.elapsed() < Duration::from_millis(200));
    }

    #[test]
    fn the_cpf_comes_from_the_common_name_where_the_alt_name_lacks_it() {
        let ca = crate::pki::new_ca("AC", "Teste", 2048).unwrap();
        let official = crate::pki::issue(&ca, "Gestor Prata:21359115854", "UFV", 3, 2048).unwrap();
        assert_eq!(
            crate::pki::cpf_of(&official.certificate).as_deref(),
            Some("21359115854")
        );
        let other = crate::pki::issue(&ca, "Gestor Prata:21359115855", "UFV", 4, 2048).unwrap();
        assert_eq!(crate::pki::cpf_of(&other.certificate), None, "check digits");
    }
}
