//! Is this upload a PDF? Decided by the content — header, trailer, and a parse of the whole
//! document — never by the file name or the declared media type.
//!
//! The parse is bounded: a file may be small and still ask a parser for gigabytes or minutes
//! (see [`hostile`]). [`check`] refuses a file beyond [`Limits`] with a message that says which
//! limit it passed. It runs in a child process under a memory and time ceiling as well
//! ([`crate::sandbox`]), which catches what these limits cannot see coming.

mod budget;
pub mod hostile;

use std::time::{Duration, Instant};

use adesao_domain::volume::format_thousands;

/// Why an upload is not accepted as a PDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfProblem {
    #[error("O arquivo está vazio.")]
    Empty,
    #[error("O arquivo não é um PDF: envie o documento assinado em formato PDF.")]
    NotPdf,
    #[error("O PDF está incompleto ou corrompido: gere o arquivo novamente e envie-o outra vez.")]
    Damaged,
    #[error(
        "O PDF está protegido por senha e não pode ser lido: envie uma versão sem senha de abertura."
    )]
    Encrypted,
    /// A real PDF, perhaps, but beyond what the check accepts to examine.
    #[error(
        "{0} Gere o arquivo novamente (por exemplo, com \"Imprimir\" > \"Salvar como PDF\") e envie-o outra vez."
    )]
    TooComplex(Excess),
}

/// Which limit of the check a file passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Excess {
    #[error("O PDF tem conteúdo compactado que passa de {mib} MiB quando descompactado.")]
    Inflated { mib: u64 },
    #[error("O PDF tem mais de {} objetos internos.", format_thousands(*count as u64))]
    Objects { count: usize },
    #[error(
        "O PDF tem estruturas internas grandes demais (mais de {} valores).",
        format_thousands(*count as u64)
    )]
    Values { count: usize },
    #[error("A verificação do PDF passou do tempo limite de {secs} segundos.")]
    Time { secs: u64 },
    #[error("A verificação do PDF precisaria de mais de {mib} MiB de memória.")]
    Memory { mib: u64 },
}

impl Excess {
    /// A short, stable code for the log and the checking process's answer.
    pub fn code(self) -> &'static str {
        match self {
            Excess::Inflated { .. } => "inflated",
            Excess::Objects { .. } => "objects",
            Excess::Values { .. } => "values",
            Excess::Time { .. } => "time",
            Excess::Memory { .. } => "memory",
        }
    }
}

/// How far [`check`] goes before it refuses a file. The defaults leave a wide margin over real
/// documents (a 10 MiB scanned and signed PDF needs a fraction of each) and keep a hostile file
/// within a few hundred megabytes and a second or two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest inflated size of one object stream or cross-reference stream, which the parser
    /// decodes and parses while it loads the file.
    pub stream_bytes: usize,
    /// Inflated bytes of every stream of the file together (page contents, images, fonts…), as
    /// a viewer would inflate them to show it.
    pub inflated_bytes: u64,
    /// Indirect objects.
    pub objects: usize,
    /// Values (numbers, names, strings, entries of arrays and dictionaries) in all objects.
    pub values: usize,
    /// Time the check may take.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            stream_bytes: 1 << 20,
            inflated_bytes: 256 << 20,
            objects: 200_000,
            values: 2_000_000,
            time: Duration::from_secs(2),
        }
    }
}

/// Accepts a complete, parseable PDF with at least one page, within `limits`.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), PdfProblem> {
    check_outline(bytes)?;
    let deadline = Instant::now() + limits.time;
    let document = budget::load(bytes, limits, deadline)?;
    if document.get_pages().is_empty() {
        // An encrypted file whose password is not empty loads without a readable page tree.
        return Err(if document.trailer.get(b"Encrypt").is_ok() {
            PdfProblem::Encrypted
        } else {
            PdfProblem::Damaged
        });
    }
    budget::inflate_all(&document, limits, deadline)?;
    Ok(())
}

/// The part of [`check`] that needs no parsing, safe and instant on any input: not empty, a PDF
/// header, a trailer.
pub fn check_outline(bytes: &[u8]) -> Result<(), PdfProblem> {
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
    Ok(())
}

/// A small, valid one-page PDF with `text` on it (for tests and examples).
pub fn sample(text: &str) -> Vec<u8> {
    sample_of_size(text, 0)
}

/// [`sample`] grown to at least `min_bytes` by an uncompressed stream of filler, as a scanned
/// page would grow it (for tests of size limits).
pub fn sample_of_size(text: &str, min_bytes: usize) -> Vec<u8> {
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
    if min_bytes > 0 {
        doc.add_object(Stream::new(dictionary! {}, vec![b' '; min_bytes]));
    }
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

    fn check(bytes: &[u8]) -> Result<(), PdfProblem> {
        super::check(bytes, &Limits::default())
    }

    fn excess(bytes: &[u8]) -> Excess {
        let started = Instant::now();
        let result = check(bytes);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
        match result {
            Err(PdfProblem::TooComplex(e)) => e,
            other => panic!("expected a refusal for a limit, got {other:?}"),
        }
    }

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

    #[test]
    fn the_hostile_files_are_well_formed_enough_to_be_dangerous() {
        // Each builder, at a harmless size, makes a file the parser accepts: so at a hostile
        // size it is the size that is refused, not a mistake in the file.
        for (name, pdf) in [
            ("object stream array", hostile::object_stream_array(1_000)),
            ("xref stream", hostile::xref_stream(1_000)),
            ("bad xref table", hostile::bad_xref_table(1_000)),
            ("nested arrays", hostile::nested_arrays(50)),
            ("flate bomb", hostile::flate_bomb(1_000)),
            ("many objects", hostile::many_objects(1_000)),
        ] {
            assert_eq!(check(&pdf), Ok(()), "{name}");
        }
    }

    #[test]
    fn bombs_are_refused_fast_naming_the_limit_they_pass() {
        // 49 KB that inflate to 50 MB of one array (2 GB of parsed values unbounded).
        assert_eq!(
            excess(&hostile::object_stream_array(25_000_000)),
            Excess::Inflated { mib: 1 }
        );
        // 190 KB that aborted the process with a 3.3 GB allocation.
        assert_eq!(
            excess(&hostile::object_stream_array(100_000_000)),
            Excess::Inflated { mib: 1 }
        );
        // A cross-reference stream of 2 million entries (1.5 GB and 3 s unbounded)...
        assert_eq!(
            excess(&hostile::xref_stream(2_000_000)),
            Excess::Inflated { mib: 1 }
        );
        // ...while one just under the stream limit is read in time (each of its entries names
        // the same object, which is parsed once per entry).
        let started = Instant::now();
        assert_eq!(check(&hostile::xref_stream(149_000)), Ok(()));
        assert!(started.elapsed() < Duration::from_secs(1));
        // 10 million objects in 500 MB would be refused on the way; so are 200,001 in 10 MB.
        assert_eq!(
            excess(&hostile::many_objects(200_001)),
            Excess::Objects { count: 200_000 }
        );
        // 10 MB of deflated zeros, 10 GB once inflated.
        assert_eq!(
            excess(&hostile::flate_bomb(10_000_000)),
            Excess::Inflated { mib: 256 }
        );
    }

    #[test]
    fn a_file_locked_by_a_password_is_named_as_such() {
        assert_eq!(
            check(&hostile::password_protected("segredo", 0)),
            Err(PdfProblem::Encrypted)
        );
        // Encrypted only against changes (no password to open it): a PDF like any other.
        assert_eq!(check(&hostile::password_protected("", 0)), Ok(()));
    }

    #[test]
    fn an_encrypted_file_is_held_to_the_same_limits() {
        // lopdf loads an encrypted file without the filter that counts: it is counted after.
        let started = Instant::now();
        assert_eq!(
            check(&hostile::password_protected("", 200_001)),
            Err(PdfProblem::TooComplex(Excess::Objects { count: 200_000 }))
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn every_layer_of_a_chain_of_filters_counts() {
        // The outer layer is 70 KB; the inner one inflates to 64 MiB, past the cap on a layer.
        let twice = hostile::double_flate(64 << 20);
        assert!(twice.len() < 100_000, "{}", twice.len());
        assert_eq!(
            check(&twice),
            Err(PdfProblem::TooComplex(Excess::Inflated { mib: 32 }))
        );
        assert_eq!(check(&hostile::double_flate(1 << 20)), Ok(()));
    }

    #[test]
    fn nesting_cannot_overflow_the_stack() {
        // lopdf stops at 100 levels and skips the object; the file itself is otherwise fine.
        assert_eq!(check(&hostile::nested_arrays(400_000)), Ok(()));
    }

    #[test]
    fn the_limits_are_counted_as_documented() {
        let tight = Limits {
            objects: 10,
            ..Limits::default()
        };
        assert_eq!(
            super::check(&hostile::many_objects(20), &tight),
            Err(PdfProblem::TooComplex(Excess::Objects { count: 10 }))
        );
        let tight = Limits {
            values: 1_000,
            ..Limits::default()
        };
        assert_eq!(
            super::check(&hostile::object_stream_array(2_000), &tight),
            Err(PdfProblem::TooComplex(Excess::Values { count: 1_000 }))
        );
        let tight = Limits {
            time: Duration::ZERO,
            ..Limits::default()
        };
        assert_eq!(
            super::check(&hostile::many_objects(20), &tight),
            Err(PdfProblem::TooComplex(Excess::Time { secs: 0 }))
        );
        let tight = Limits {
            inflated_bytes: 1 << 20,
            ..Limits::default()
        };
        assert_eq!(
            super::check(&hostile::flate_bomb(2_000), &tight),
            Err(PdfProblem::TooComplex(Excess::Inflated { mib: 1 }))
        );
    }

    #[test]
    fn refusals_say_why_in_portuguese() {
        let p = PdfProblem::TooComplex(Excess::Inflated { mib: 256 });
        assert!(
            p.to_string()
                .starts_with("O PDF tem conteúdo compactado que passa de 256 MiB")
        );
        assert!(p.to_string().contains("envie-o outra vez"));
    }
}
