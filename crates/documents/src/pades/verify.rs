//! Reading the signatures of a PDF back: for each, whether the bytes it covers still hash to
//! what was signed, whether the signature over that digest verifies with the embedded
//! certificate, whether anything was appended after it, and whether its certificate was issued
//! by a trusted CA. The code the "Validar documento" page will run, and the tests' own check
//! beside pdfsig and pyHanko. RSA with SHA-256 only: what this system and ICP-Brasil A1
//! certificates use.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetStringRef;
use der::{Encode, SliceReader};
use lopdf::{Document, Object, ObjectId};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::PadesError;

/// id-messageDigest (RFC 5652, 11.2).
const MESSAGE_DIGEST: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// What one signature of a document says, and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// The signature field's name.
    pub field: String,
    /// The signer's certificate's common name (`NAME:CPF` for this system's officials).
    pub signer: String,
    /// The CPF the certificate names, when it names one ([`crate::pki::cpf_of`]).
    pub cpf: Option<String>,
    /// The common name of the certificate's issuer (the CA).
    pub issuer: String,
    /// `/M` as written (a PDF date), when present.
    pub time: Option<String>,
    /// The covered bytes hash to the signed digest and the signature verifies with the
    /// certificate it names.
    pub intact: bool,
    /// Nothing was appended after it (later signatures are appended after earlier ones).
    pub covers_whole_file: bool,
    /// Its certificate was issued (and signed) by the trusted CA given.
    pub trusted: bool,
    /// Why it does not hold, when it does not.
    pub problem: Option<String>,
}

/// Every signature of `pdf`, in the order they were made.
pub fn verify(
    pdf: &[u8],
    trusted_ca: Option<&Certificate>,
) -> Result<Vec<SignatureReport>, PadesError> {
    let doc = Document::load_mem(pdf).map_err(|e| PadesError::Pdf(e.to_string()))?;
    let mut found: Vec<(i64, SignatureReport)> = Vec::new();
    for (field, signature_id) in signature_fields(&doc) {
        let Ok(dict) = doc.get_dictionary(signature_id) else {
            continue;
        };
        let range: Vec<i64> = match dict.get(b"ByteRange") {
            Ok(Object::Array(items)) => items.iter().filter_map(|o| o.as_i64().ok()).collect(),
            _ => Vec::new(),
        };
        let contents = match dict.get(b"Contents") {
            Ok(Object::String(bytes, _)) => bytes.clone(),
            _ => Vec::new(),
        };
        let time = match dict.get(b"M") {
            Ok(Object::String(bytes, _)) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        };
        let mut report = SignatureReport {
            field,
            signer: String::new(),
            cpf: None,
            issuer: String::new(),
            time,
            intact: false,
            covers_whole_file: false,
            trusted: false,
            problem: None,
        };
        match check(pdf, &range, &contents, trusted_ca, &mut report) {
            Ok(()) => {}
            Err(problem) => report.problem = Some(problem),
        }
        found.push((range.get(2).copied().unwrap_or(0), report));
    }
    found.sort_by_key(|(end, _)| *end);
    Ok(found.into_iter().map(|(_, r)| r).collect())
}

/// (field name, signature dictionary) of every signed signature field.
fn signature_fields(doc: &Document) -> Vec<(String, ObjectId)> {
    doc.objects
        .values()
        .filter_map(|object| {
            let dict = object.as_dict().ok()?;
            if dict.get(b"FT").and_then(Object::as_name).ok()? != b"Sig" {
                return None;
            }
            let signature = dict.get(b"V").and_then(Object::as_reference).ok()?;
            let name = match dict.get(b"T") {
                Ok(Object::String(bytes, _)) => text(bytes),
                _ => String::new(),
            };
            Some((name, signature))
        })
        .collect()
}

/// A PDF text string: UTF-16BE after its mark, else bytes as Latin-1.
fn text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => String::from_utf16_lossy(
            &utf16
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        ),
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn check(
    pdf: &[u8],
    range: &[i64],
    contents: &[u8],
    trusted_ca: Option<&Certificate>,
    report: &mut SignatureReport,
) -> Result<(), String> {
    let [a, b, c, d] = <[i64; 4]>::try_from(range).map_err(|_| "ByteRange inválido".to_owned())?;
    let span = |start: i64, len: i64| -> Result<&[u8], String> {
        let start = usize::try_from(start).map_err(|_| "ByteRange inválido")?;
        let len = usize::try_from(len).map_err(|_| "ByteRange inválido")?;
        pdf.get(start..start.checked_add(len).ok_or("ByteRange inválido")?)
            .ok_or_else(|| "ByteRange fora do arquivo".to_owned())
    };
    let mut hasher = Sha256::new();
    hasher.update(span(a, b)?);
    hasher.update(span(c, d)?);
    let digest = hasher.finalize();
    report.covers_whole_file = a == 0 && usize::try_from(c + d).ok() == Some(pdf.len());

    // The CMS is followed by the placeholder's zeros: read one value, ignore the rest.
    let mut reader = SliceReader::new(contents).map_err(|e| e.to_string())?;
    let info =
        <ContentInfo as der::Decode>::decode(&mut reader).map_err(|_| "assinatura ilegível")?;
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|_| "assinatura ilegível")?;
    let signer_info = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("assinatura sem signatário")?;
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let certificate = certificates
        .iter()
        .find(|c| match &signer_info.sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                c.tbs_certificate.issuer == id.issuer
                    && c.tbs_certificate.serial_number == id.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => false,
        })
        .ok_or("o certificado do signatário não está no documento")?;
    report.signer = crate::pki::common_name(certificate).unwrap_or_default();
    report.cpf = crate::pki::cpf_of(certificate);
    report.issuer = crate::pki::issuer_common_name(certificate).unwrap_or_default();

    let attributes = signer_info
        .signed_attrs
        .as_ref()
        .ok_or("assinatura sem atributos assinados")?;
    let signed_digest = attributes
        .iter()
        .find(|a| a.oid == MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetStringRef>().ok())
        .ok_or("assinatura sem resumo da mensagem")?;
    if signed_digest.as_bytes() != digest.as_slice() {
        return Err("o documento foi alterado depois desta assinatura".into());
    }
    let key = public_key(certificate)?;
    let signature =
        Signature::try_from(signer_info.signature.as_bytes()).map_err(|_| "assinatura ilegível")?;
    let attributes_der = attributes.to_der().map_err(|e| e.to_string())?;
    key.verify(&attributes_der, &signature)
        .map_err(|_| "a assinatura não confere com o certificado")?;
    report.intact = true;

    if let Some(ca) = trusted_ca {
        report.trusted = certificate.tbs_certificate.issuer == ca.tbs_certificate.subject
            && issued_by(certificate, ca);
    }
    Ok(())
}

fn public_key(certificate: &Certificate) -> Result<VerifyingKey<Sha256>, String> {
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    let key = RsaPublicKey::from_public_key_der(&spki)
        .map_err(|_| "chave do certificado não suportada (só RSA)")?;
    Ok(VerifyingKey::<Sha256>::new(key))
}

/// Whether `ca`'s key signed `certificate` (sha256WithRSAEncryption).
fn issued_by(certificate: &Certificate, ca: &Certificate) -> bool {
    let Ok(key) = public_key(ca) else {
        return false;
    };
    let (Ok(tbs), Some(bits)) = (
        certificate.tbs_certificate.to_der(),
        certificate.signature.as_bytes(),
    ) else {
        return false;
    };
    Signature::try_from(bits).is_ok_and(|s| key.verify(&tbs, &s).is_ok())
}
