//! PAdES signatures (baseline B: `ETSI.CAdES.detached`, SHA-256, the signing-certificate-v2
//! attribute) embedded in a PDF as incremental updates, each in its own signature field, so that
//! a second signature covers the bytes that carry the first and both stay valid (SPEC §7).
//!
//! The update appends a signature dictionary whose `/Contents` is a zero-filled placeholder and
//! whose `/ByteRange` is a placeholder of fixed width; once the bytes are laid out, the range is
//! written in place, the covered bytes are hashed, and the CMS SignedData over that digest fills
//! `/Contents`. The file before the update is never rewritten (ISO 32000-1, 7.5.6 and 12.8).

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode};
use lopdf::{Dictionary, IncrementalDocument, Object, ObjectId, StringFormat};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

/// Room for the DER of the CMS (the signer's certificate, the chain and the signature): 16 KiB,
/// written as 32 KiB of hex.
const CONTENTS_BYTES: usize = 16 * 1024;

/// A `/ByteRange` number before the real ones are known: as wide as any a file can need.
const RANGE_PLACEHOLDER: i64 = 9_999_999_999;

/// id-aa-signingCertificateV2 (RFC 5035): binds the signature to the signer's certificate.
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// Who signs: the private key, its certificate, and the certificates up to the root (embedded
/// so that a validator can build the chain).
pub struct Identity {
    pub key: RsaPrivateKey,
    pub certificate: Certificate,
    pub chain: Vec<Certificate>,
}

/// What the signature dictionary says besides the cryptography.
pub struct SignatureInfo<'a> {
    /// The field's name, unique in the document (`Assinatura1`, `Assinatura2`).
    pub field: &'a str,
    /// `/Name`: the signer as people read it.
    pub signer_name: &'a str,
    /// `/M`: the signing time as a PDF date, `D:20261128105902-03'00'`.
    pub pdf_date: &'a str,
    /// `/Reason`.
    pub reason: &'a str,
    /// A block people see on the last page; `None`: an invisible signature.
    pub appearance: Option<Appearance>,
}

/// A visible signature: lines of text in a framed block at `rect` (`[x1, y1, x2, y2]`, points)
/// on the last page.
pub struct Appearance {
    pub rect: [f32; 4],
    pub lines: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PadesError {
    #[error("the PDF cannot take a signature: {0}")]
    Pdf(String),
    #[error("the signature could not be built: {0}")]
    Cms(String),
}

fn pdf_error(e: impl std::fmt::Display) -> PadesError {
    PadesError::Pdf(e.to_string())
}

fn cms_error(e: impl std::fmt::Display) -> PadesError {
    PadesError::Cms(e.to_string())
}

/// `pdf` with one more signature, by `identity`, in a new field on its last page.
pub fn sign(pdf: &[u8], info: &SignatureInfo, identity: &Identity) -> Result<Vec<u8>, PadesError> {
    let Placeholder {
        bytes: mut out,
        contents,
        range,
    } = append_placeholder(pdf, info)?;
    // The covered bytes: everything but the hex string of `/Contents`, its `<` `>` included.
    let byte_range = [0, contents.start, contents.end, out.len() - contents.end];
    let text = format!(
        "[{} {} {} {}]",
        byte_range[0], byte_range[1], byte_range[2], byte_range[3]
    );
    let width = range.end - range.start;
    if text.len() > width {
        return Err(PadesError::Pdf("the byte range does not fit".into()));
    }
    out[range.clone()].copy_from_slice(format!("{text:<width$}").as_bytes());
    let mut hasher = Sha256::new();
    hasher.update(&out[..contents.start]);
    hasher.update(&out[contents.end..]);
    let digest = hasher.finalize();
    let cms = signed_data(&digest, identity)?;
    if cms.len() > CONTENTS_BYTES {
        return Err(cms_error("the CMS is larger than its placeholder"));
    }
    let hex = hex_upper(&cms);
    // After the `<`: the CMS, then the placeholder's zeros (DER ignores trailing bytes).
    out[contents.start + 1..contents.start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A file with a signature's placeholders: where `/Contents`'s hex string is (from `<` to after
/// `>`) and where the `/ByteRange` array is.
struct Placeholder {
    bytes: Vec<u8>,
    contents: std::ops::Range<usize>,
    range: std::ops::Range<usize>,
}

/// Appends the signature field and its dictionary with placeholders.
fn append_placeholder(pdf: &[u8], info: &SignatureInfo) -> Result<Placeholder, PadesError> {
    let mut doc = IncrementalDocument::load_from(pdf).map_err(pdf_error)?;
    let prev = doc.get_prev_documents();
    let catalog_id = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_error)?;
    let page_id = *prev
        .get_pages()
        .values()
        .next_back()
        .ok_or_else(|| pdf_error("no page"))?;
    let catalog = prev.get_dictionary(catalog_id).map_err(pdf_error)?.clone();
    let page = prev.get_dictionary(page_id).map_err(pdf_error)?.clone();

    let new = &mut doc.new_document;
    let (rect, appearance) = match &info.appearance {
        Some(a) => (a.rect, Some(new.add_object(appearance::stream(a)))),
        None => ([0.0; 4], None),
    };
    let signature_id = new.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Sig".to_vec())),
        ("Filter", Object::Name(b"Adobe.PPKLite".to_vec())),
        ("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec())),
        (
            "ByteRange",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(RANGE_PLACEHOLDER),
                Object::Integer(RANGE_PLACEHOLDER),
                Object::Integer(RANGE_PLACEHOLDER),
            ]),
        ),
        (
            "Contents",
            Object::String(vec![0; CONTENTS_BYTES], StringFormat::Hexadecimal),
        ),
        ("M", Object::string_literal(info.pdf_date)),
        (
            "Name",
            Object::string_literal(text_string(info.signer_name)),
        ),
        ("Reason", Object::string_literal(text_string(info.reason))),
    ]));
    let field_id = new.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Annot".to_vec())),
        ("Subtype", Object::Name(b"Widget".to_vec())),
        ("FT", Object::Name(b"Sig".to_vec())),
        ("T", Object::string_literal(text_string(info.field))),
        ("V", Object::Reference(signature_id)),
        ("Rect", Object::Array(rect.map(Object::Real).to_vec())),
        // Print and Locked: the widget prints and stays as signed.
        ("F", Object::Integer(132)),
        ("P", Object::Reference(page_id)),
    ]));
    if let Some(stream_id) = appearance {
        let field = new
            .get_object_mut(field_id)
            .and_then(Object::as_dict_mut)
            .map_err(pdf_error)?;
        field.set(
            "AP",
            Dictionary::from_iter(vec![("N", Object::Reference(stream_id))]),
        );
    }

    append_to_array(&mut doc, page_id, page, b"Annots", field_id)?;
    add_field(&mut doc, catalog_id, catalog, field_id)?;

    let mut out = Vec::with_capacity(pdf.len() + 2 * CONTENTS_BYTES + 4096);
    doc.save_to(&mut out).map_err(pdf_error)?;
    let appended = pdf.len();
    let contents = find_contents(&out[appended..])
        .map(|r| r.start + appended..r.end + appended)
        .ok_or_else(|| pdf_error("the /Contents placeholder was not written as expected"))?;
    let range = find_range(&out[appended..])
        .map(|r| r.start + appended..r.end + appended)
        .ok_or_else(|| pdf_error("the /ByteRange placeholder was not written as expected"))?;
    Ok(Placeholder {
        bytes: out,
        contents,
        range,
    })
}

/// A PDF text string: UTF-16BE with its byte-order mark, so accents survive every reader.
fn text_string(text: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        out.extend(unit.to_be_bytes());
    }
    out
}

/// Adds `item` to the array under `key` of the dictionary `owner_id` (which is `owner`), or to
/// the array object that key refers to; the object changed is carried into the update.
fn append_to_array(
    doc: &mut IncrementalDocument,
    owner_id: ObjectId,
    mut owner: Dictionary,
    key: &[u8],
    item: ObjectId,
) -> Result<(), PadesError> {
    match owner.get(key).ok().cloned() {
        Some(Object::Reference(array_id)) => {
            doc.opt_clone_object_to_new_document(array_id)
                .map_err(pdf_error)?;
            let array = doc
                .new_document
                .get_object_mut(array_id)
                .and_then(Object::as_array_mut)
                .map_err(pdf_error)?;
            array.push(Object::Reference(item));
        }
        Some(Object::Array(mut items)) => {
            items.push(Object::Reference(item));
            owner.set(key, Object::Array(items));
            doc.new_document.set_object(owner_id, owner);
        }
        _ => {
            owner.set(key, Object::Array(vec![Object::Reference(item)]));
            doc.new_document.set_object(owner_id, owner);
        }
    }
    Ok(())
}

/// Registers the field in the catalog's `/AcroForm` (created when missing), with `/SigFlags 3`:
/// the document has signatures and must be changed by appending only.
fn add_field(
    doc: &mut IncrementalDocument,
    catalog_id: ObjectId,
    mut catalog: Dictionary,
    field_id: ObjectId,
) -> Result<(), PadesError> {
    match catalog.get(b"AcroForm").ok().cloned() {
        Some(Object::Reference(form_id)) => {
            let mut form = doc
                .get_prev_documents()
                .get_dictionary(form_id)
                .map_err(pdf_error)?
                .clone();
            form.set("SigFlags", Object::Integer(3));
            doc.new_document.set_object(form_id, form.clone());
            append_to_array(doc, form_id, form, b"Fields", field_id)?;
        }
        Some(Object::Dictionary(mut form)) => {
            form.set("SigFlags", Object::Integer(3));
            let mut fields = match form.get(b"Fields") {
                Ok(Object::Array(items)) => items.clone(),
                _ => Vec::new(),
            };
            fields.push(Object::Reference(field_id));
            form.set("Fields", Object::Array(fields));
            catalog.set("AcroForm", Object::Dictionary(form));
            doc.new_document.set_object(catalog_id, catalog);
        }
        _ => {
            let form_id = doc.new_document.add_object(Dictionary::from_iter(vec![
                ("Fields", Object::Array(vec![Object::Reference(field_id)])),
                ("SigFlags", Object::Integer(3)),
            ]));
            catalog.set("AcroForm", Object::Reference(form_id));
            doc.new_document.set_object(catalog_id, catalog);
        }
    }
    Ok(())
}

/// Where `<000…000>` of the placeholder is, `<` to after `>`.
fn find_contents(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let zeros = vec![b'0'; 2 * CONTENTS_BYTES];
    let start = find(bytes, &zeros)?.checked_sub(1)?;
    (bytes.get(start) == Some(&b'<') && bytes.get(start + 1 + zeros.len()) == Some(&b'>'))
        .then_some(start..start + zeros.len() + 2)
}

/// Where `[0 9999999999 9999999999 9999999999]` is.
fn find_range(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let text = format!("[0 {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER}]");
    let start = find(bytes, text.as_bytes())?;
    Some(start..start + text.len())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The CMS SignedData (detached) over `digest`, with the signer's certificate and chain.
fn signed_data(digest: &[u8], identity: &Identity) -> Result<Vec<u8>, PadesError> {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(identity.key.clone());
    let content = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let tbs = &identity.certificate.tbs_certificate;
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let sha256 = AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let mut signer_info =
        SignerInfoBuilder::new(&signer, sid, sha256.clone(), &content, Some(digest))
            .map_err(cms_error)?;
    signer_info
        .add_signed_attribute(signing_certificate_v2(&identity.certificate)?)
        .map_err(cms_error)?;
    let mut builder = SignedDataBuilder::new(&content);
    builder.add_digest_algorithm(sha256).map_err(cms_error)?;
    for certificate in std::iter::once(&identity.certificate).chain(&identity.chain) {
        builder
            .add_certificate(CertificateChoices::Certificate(certificate.clone()))
            .map_err(cms_error)?;
    }
    builder
        .add_signer_info::<_, rsa::pkcs1v15::Signature>(signer_info)
        .map_err(cms_error)?;
    builder
        .build()
        .map_err(cms_error)?
        .to_der()
        .map_err(cms_error)
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` with one
/// `ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING }` (SHA-256, the default algorithm).
fn signing_certificate_v2(certificate: &Certificate) -> Result<Attribute, PadesError> {
    let hash = Sha256::digest(certificate.to_der().map_err(cms_error)?);
    let mut octets = vec![0x04, hash.len() as u8];
    octets.extend_from_slice(&hash);
    let wrap = |inner: Vec<u8>| {
        let mut out = vec![0x30, inner.len() as u8];
        out.extend(inner);
        out
    };
    let value = wrap(wrap(wrap(octets)));
    let value = Any::from_der(&value).map_err(cms_error)?;
    Ok(Attribute {
        oid: SIGNING_CERTIFICATE_V2,
        values: SetOfVec::try_from(vec![value]).map_err(cms_error)?,
    })
}

mod appearance;
pub mod verify;

#[cfg(test)]
mod tests;
