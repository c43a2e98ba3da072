//! Is this upload a PDF? Decided by the content — header, trailer, and a parse of the whole
//! document — never by the file name or the declared media type.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfProblem {
    #[error("O arquivo está vazio.")]
    Empty,
    #[error("O arquivo não é um PDF: envie o documento assinado em formato PDF.")]
    NotPdf,
    #[error("O PDF está incompleto ou corrompido: gere o arquivo novamente e envie-o outra vez.")]
    Damaged,
}

/// Accepts a complete, parseable PDF with at least one page.
pub fn check(bytes: &[u8]) -> Result<(), PdfProblem> {
    if bytes.is_empty() {
        return Err(PdfProblem::Empty);
    }
    // The header must open the file (PDF 1.x or 2.0); readers tolerate junk before it, but a
    // file that starts otherwise is most likely something else renamed.
    if !(bytes.starts_with(b"%PDF-1.") || bytes.starts_with(b"%PDF-2.")) {
        return Err(PdfProblem::NotPdf);
    }
    // A complete file ends with %%EOF (possibly followed by a line break or a little padding).
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(PdfProblem::Damaged);
    }
    let document = lopdf::Document::load_mem(bytes).map_err(|_| PdfProblem::Damaged)?;
    if document.get_pages().is_empty() {
        return Err(PdfProblem::Damaged);
    }
    Ok(())
}

/// A small, valid one-page PDF with `text` on it (for tests and examples).
pub fn sample(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().unwrap_or_default(),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .expect("writing to memory cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_real_pdf() {
        assert_eq!(check(&sample("Formulário assinado")), Ok(()));
    }

    #[test]
    fn refuses_what_is_not_a_complete_pdf() {
        assert_eq!(check(b""), Err(PdfProblem::Empty));
        assert_eq!(
            check(b"MZ\x90\x00\x03 this is an executable"),
            Err(PdfProblem::NotPdf)
        );
        assert_eq!(check(b"<html>%PDF-1.4</html>"), Err(PdfProblem::NotPdf));
        let pdf = sample("x");
        assert_eq!(
            check(&pdf[..pdf.len() / 2]),
            Err(PdfProblem::Damaged),
            "truncated"
        );
        let mut no_eof = pdf.clone();
        no_eof.truncate(pdf.len() - 7);
        assert!(check(&no_eof).is_err());
        assert_eq!(
            check(b"%PDF-1.4\n garbage \n%%EOF\n"),
            Err(PdfProblem::Damaged),
            "header and trailer only"
        );
    }
}
