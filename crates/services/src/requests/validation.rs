//! Validar documento (SPEC §7): anyone, without logging in, uploads a PDF and reads back each
//! signature it carries, judged by the same code the tests hold against pdfsig and pyHanko.

use adesao_documents::pades::verify::{self, SignatureReport};

use super::RequestService;
use crate::ServiceError;
use crate::error::ServiceError as E;

/// One signature of an uploaded document, as the page and the API show it.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    /// The signer's name (the certificate's CN without its `:CPF`).
    pub signer: String,
    /// Masked, `***.591.158-**`, when the certificate names a CPF.
    pub masked_cpf: Option<String>,
    /// The signing time as the signature states it, `dd/mm/aaaa hh:mm:ss` with its offset.
    pub signed_at: Option<String>,
    /// Who certified the signer: this installation's CA, or the issuer's name.
    pub provider: String,
    /// The bytes it covers are those it signed and the signature verifies.
    pub valid: bool,
    /// Something was appended after it (a later signature is; anything else is a change).
    pub changed_after: bool,
    /// Its certificate was issued by this installation's CA.
    pub issued_here: bool,
    /// Why it does not hold, in Portuguese.
    pub problem: Option<String>,
}

impl RequestService {
    /// Checks the signatures of `pdf`. The file passes the same bounded, sandboxed PDF check as
    /// an attachment first: a hostile file is refused before it is parsed here.
    pub async fn validate_document(
        &self,
        pdf: Vec<u8>,
    ) -> Result<Vec<SignatureCheck>, ServiceError> {
        if pdf.is_empty() {
            return Err(E::invalid("file", "Escolha o arquivo PDF a validar."));
        }
        self.check_pdf(&pdf).await?;
        let ca = self.signing.ca().await?.certificate;
        let reports = tokio::task::spawn_blocking(move || verify::verify(&pdf, Some(&ca)))
            .await
            .map_err(|e| E::Internal(format!("validation task: {e}")))?
            .map_err(|_| E::Unsupported("O arquivo não pôde ser lido como PDF assinado.".into()))?;
        let last = reports.len().saturating_sub(1);
        Ok(reports
            .into_iter()
            .enumerate()
            .map(|(i, r)| check_of(r, i == last))
            .collect())
    }
}

fn check_of(r: SignatureReport, is_last: bool) -> SignatureCheck {
    let signer = match r.signer.rsplit_once(':') {
        Some((name, digits)) if digits.chars().all(|c| c.is_ascii_digit()) => name.to_owned(),
        _ => r.signer.clone(),
    };
    let masked_cpf = r
        .cpf
        .as_deref()
        .and_then(|c| adesao_domain::Cpf::parse(c).ok())
        .map(|c| c.masked());
    let provider = if r.trusted {
        "Certificado da instalação (autoridade certificadora do Adesão)".to_owned()
    } else if r.issuer.is_empty() {
        "Certificado de emissor desconhecido".to_owned()
    } else {
        format!("Certificado emitido por {}", r.issuer)
    };
    // Later signatures are appended after earlier ones: only the last one must reach the end.
    let changed_after = is_last && !r.covers_whole_file;
    SignatureCheck {
        signer,
        masked_cpf,
        signed_at: r.time.as_deref().and_then(pdf_date),
        provider,
        valid: r.intact && !changed_after,
        changed_after,
        issued_here: r.trusted,
        problem: r.problem.or_else(|| {
            changed_after.then(|| "o documento foi alterado depois desta assinatura".to_owned())
        }),
    }
}

/// `D:20261128105902-03'00'` as `28/11/2026 10:59:02 (UTC-03:00)`.
fn pdf_date(text: &str) -> Option<String> {
    let d = text.strip_prefix("D:")?;
    let digits = d.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let offset = d[14..].replace('\'', "");
    let offset = match offset.as_str() {
        "" | "Z" => "UTC".to_owned(),
        o if o.len() == 5 => format!("UTC{}:{}", &o[..3], &o[3..]),
        o => format!("UTC{o}"),
    };
    Some(format!(
        "{}/{}/{} {}:{}:{} ({offset})",
        &digits[6..8],
        &digits[4..6],
        &digits[..4],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    ))
}

#[cfg(test)]
mod tests {
    use super::pdf_date;

    #[test]
    fn pdf_dates_read_as_brazilians_write_them() {
        assert_eq!(
            pdf_date("D:20261128105902-03'00'").as_deref(),
            Some("28/11/2026 10:59:02 (UTC-03:00)")
        );
        assert_eq!(pdf_date("D:2026").as_deref(), None);
    }
}
