//! The installation's own certification authority (the `builtin` signature provider of SPEC §7):
//! a root that certifies each official (subject CN `NAME:CPF`, key usage digitalSignature and
//! nonRepudiation), and the sealing of private keys at rest under the installation's signing key
//! (AES-256-GCM, the key's owner bound as associated data, so a sealed key moved to another row
//! does not open).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use const_oid::AssociatedOid;
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Tag};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// The CA's life: validators must accept signatures long after they were made.
const CA_YEARS: u64 = 30;
/// An official's certificate's life.
const OFFICIAL_YEARS: u64 = 10;
const YEAR: u64 = 365 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("certificate: {0}")]
    Certificate(String),
    /// A sealed key that does not open: another signing key, or altered.
    #[error("a sealed key does not open with this signing key")]
    Sealed,
}

fn failed(e: impl std::fmt::Display) -> PkiError {
    PkiError::Certificate(e.to_string())
}

/// A key and the certificate of its public half.
pub struct Issued {
    pub key: RsaPrivateKey,
    pub certificate: Certificate,
}

/// A new root CA named `CN=common_name,O=organization`.
pub fn new_ca(common_name: &str, organization: &str, bits: usize) -> Result<Issued, PkiError> {
    let key = RsaPrivateKey::new(&mut OsRng, bits).map_err(failed)?;
    let subject = name(common_name, organization)?;
    let validity = Validity::from_now(Duration::from_secs(CA_YEARS * YEAR)).map_err(failed)?;
    let certificate = build(Profile::Root, 1, validity, subject, None, &key, &key)?;
    Ok(Issued { key, certificate })
}

/// A certificate from `ca` for `common_name` (`NAME:CPF` for an official), serial `serial`
/// (unique within the CA).
pub fn issue(
    ca: &Issued,
    common_name: &str,
    organization: &str,
    serial: u64,
    bits: usize,
) -> Result<Issued, PkiError> {
    let key = RsaPrivateKey::new(&mut OsRng, bits).map_err(failed)?;
    let profile = Profile::Leaf {
        issuer: ca.certificate.tbs_certificate.subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let subject = name(common_name, organization)?;
    let validity =
        Validity::from_now(Duration::from_secs(OFFICIAL_YEARS * YEAR)).map_err(failed)?;
    let certificate = build(profile, serial, validity, subject, None, &key, &ca.key)?;
    Ok(Issued { key, certificate })
}

/// ICP-Brasil's otherName of a natural person (DOC-ICP-04, 2.16.76.1.3.1): date of birth
/// (`ddmmaaaa`), CPF (11 digits), NIS, RG and its issuer, as one string of digits and letters.
pub const ICP_BRASIL_PERSON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.76.1.3.1");

/// A certificate shaped like an ICP-Brasil A1 of a person, from `ca`: subject CN `NAME:CPF`
/// and the CPF in the SubjectAltName otherName [`ICP_BRASIL_PERSON`], valid from `not_before`
/// to `not_after`. For tests and demonstrations (the test CA stands in for an ICP-Brasil AC).
pub fn issue_icp_brasil(
    ca: &Issued,
    name_text: &str,
    cpf_digits: &str,
    serial: u64,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<Issued, PkiError> {
    let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(failed)?;
    let profile = Profile::Leaf {
        issuer: ca.certificate.tbs_certificate.subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: true,
    };
    let subject = name(&format!("{name_text}:{cpf_digits}"), "ICP-Brasil")?;
    let validity = Validity {
        not_before: Time::try_from(not_before).map_err(failed)?,
        not_after: Time::try_from(not_after).map_err(failed)?,
    };
    // Born on 01/01/1970; NIS, RG and its issuer left as zeros, as ICP-Brasil writes them when
    // not given.
    let person = format!("01011970{cpf_digits}{}", "0".repeat(36));
    let value = Any::new(Tag::OctetString, person.into_bytes()).map_err(failed)?;
    let san = SubjectAltName(vec![GeneralName::OtherName(OtherName {
        type_id: ICP_BRASIL_PERSON,
        value,
    })]);
    let certificate = build(profile, serial, validity, subject, Some(san), &key, &ca.key)?;
    Ok(Issued { key, certificate })
}

/// The CPF (11 digits) a certificate names: ICP-Brasil's otherName [`ICP_BRASIL_PERSON`]
/// first, else a subject CN of the form `NAME:CPF` (ICP-Brasil's and the builtin CA's). Only
/// a CPF whose check digits hold counts.
pub fn cpf_of(certificate: &Certificate) -> Option<String> {
    let valid = |digits: &str| {
        adesao_domain::Cpf::parse(digits)
            .ok()
            .map(|c| c.digits().to_owned())
    };
    let from_san = certificate
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == SubjectAltName::OID)
        .filter_map(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|san| san.0)
        .find_map(|general| match general {
            GeneralName::OtherName(other) if other.type_id == ICP_BRASIL_PERSON => {
                let text = String::from_utf8_lossy(other.value.value()).into_owned();
                text.get(8..19).and_then(valid)
            }
            _ => None,
        });
    from_san.or_else(|| {
        let cn = common_name(certificate)?;
        let (_, digits) = cn.rsplit_once(':')?;
        valid(digits.trim())
    })
}

/// The subject's common name.
pub fn common_name(certificate: &Certificate) -> Option<String> {
    name_text(&certificate.tbs_certificate.subject)
}

/// The issuer's common name.
pub fn issuer_common_name(certificate: &Certificate) -> Option<String> {
    name_text(&certificate.tbs_certificate.issuer)
}

/// A name's CN, as UTF-8 or printable text.
fn name_text(name: &Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == const_oid::db::rfc4519::CN)
        .and_then(|atv| {
            atv.value
                .decode_as::<der::asn1::Utf8StringRef>()
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    atv.value
                        .decode_as::<der::asn1::PrintableStringRef>()
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        })
}

/// An RFC 4514 name from texts that may hold `,`, `+`, `=` or quotes.
fn name(common_name: &str, organization: &str) -> Result<Name, PkiError> {
    let escape = |s: &str| {
        s.chars()
            .flat_map(|c| match c {
                ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => vec!['\\', c],
                c => vec![c],
            })
            .collect::<String>()
    };
    Name::from_str(&format!(
        "CN={},O={}",
        escape(common_name),
        escape(organization)
    ))
    .map_err(failed)
}

fn build(
    profile: Profile,
    serial: u64,
    validity: Validity,
    subject: Name,
    san: Option<SubjectAltName>,
    key: &RsaPrivateKey,
    issuer_key: &RsaPrivateKey,
) -> Result<Certificate, PkiError> {
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).map_err(failed)?;
    let mut builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(serial),
        validity,
        subject,
        spki,
        &signer,
    )
    .map_err(failed)?;
    if let Some(san) = san {
        builder.add_extension(&san).map_err(failed)?;
    }
    builder.build::<rsa::pkcs1v15::Signature>().map_err(failed)
}

impl Issued {
    /// The certificate as DER and the key sealed under `master` for `owner`: what is stored.
    pub fn to_stored(
        &self,
        master: &[u8; 32],
        owner: &str,
    ) -> Result<(Vec<u8>, Vec<u8>), PkiError> {
        use der::Encode;
        Ok((
            self.certificate.to_der().map_err(failed)?,
            seal(master, owner, &self.key)?,
        ))
    }

    /// What [`Self::to_stored`] stored.
    pub fn from_stored(
        certificate: &[u8],
        sealed_key: &[u8],
        master: &[u8; 32],
        owner: &str,
    ) -> Result<Self, PkiError> {
        Ok(Self {
            certificate: Certificate::from_der(certificate).map_err(failed)?,
            key: open(master, owner, sealed_key)?,
        })
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`).
    pub fn certificate_pem(&self) -> Result<String, PkiError> {
        der::EncodePem::to_pem(&self.certificate, der::pem::LineEnding::LF).map_err(failed)
    }
}

/// `key` as PKCS#8, sealed under `master` for `owner` (e.g. `ca`, `user:12`): nonce, then the
/// ciphertext with its tag.
pub fn seal(master: &[u8; 32], owner: &str, key: &RsaPrivateKey) -> Result<Vec<u8>, PkiError> {
    let plain = key.to_pkcs8_der().map_err(failed)?;
    let cipher = Aes256Gcm::new(master.into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plain.as_bytes(),
                aad: owner.as_bytes(),
            },
        )
        .map_err(|_| PkiError::Sealed)?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// The key [`seal`]ed for `owner`.
pub fn open(master: &[u8; 32], owner: &str, sealed: &[u8]) -> Result<RsaPrivateKey, PkiError> {
    if sealed.len() < 12 {
        return Err(PkiError::Sealed);
    }
    let (nonce, body) = sealed.split_at(12);
    let plain = Aes256Gcm::new(master.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: owner.as_bytes(),
            },
        )
        .map_err(|_| PkiError::Sealed)?;
    RsaPrivateKey::from_pkcs8_der(&plain).map_err(|_| PkiError::Sealed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pades::{self, SignatureInfo, verify};

    #[test]
    fn an_official_certified_by_the_ca_signs_and_the_signature_chains_to_it() {
        let ca = new_ca("Adesão AC, de teste", "Adesão", 2048).unwrap();
        let official = issue(&ca, "Gestor Prata:21359115854", "UFV", 7, 2048).unwrap();
        let identity = pades::Identity {
            key: official.key,
            certificate: official.certificate,
            chain: vec![ca.certificate.clone()],
        };
        let pdf = crate::report::requests_pdf(&crate::report::sample()).unwrap();
        let info = SignatureInfo {
            field: "Assinatura1",
            signer_name: "Gestor Prata",
            pdf_date: "D:20261128105902-03'00'",
            reason: "Assinatura do DSI",
            appearance: None,
        };
        let signed = pades::sign(&pdf, &info, &identity).unwrap();
        let reports = verify::verify(&signed, Some(&ca.certificate)).unwrap();
        assert_eq!(reports.len(), 1);
        assert!(reports[0].intact && reports[0].trusted, "{reports:?}");
        assert_eq!(reports[0].signer, "Gestor Prata:21359115854");
    }

    #[test]
    fn a_sealed_key_opens_only_with_its_signing_key_for_its_owner() {
        let key = RsaPrivateKey::new(&mut OsRng, 1024).unwrap();
        let master = [7u8; 32];
        let sealed = seal(&master, "user:12", &key).unwrap();
        let plain = key.to_pkcs8_der().unwrap();
        assert!(
            !sealed
                .windows(32)
                .any(|w| plain.as_bytes().windows(32).any(|p| p == w)),
            "no run of the key in clear"
        );
        assert_eq!(open(&master, "user:12", &sealed).unwrap(), key);
        assert!(matches!(
            open(&[8u8; 32], "user:12", &sealed),
            Err(PkiError::Sealed)
        ));
        assert!(matches!(
            open(&master, "user:13", &sealed),
            Err(PkiError::Sealed)
        ));
        let mut altered = sealed.clone();
        altered[20] ^= 1;
        assert!(matches!(
            open(&master, "user:12", &altered),
            Err(PkiError::Sealed)
        ));
    }
}
