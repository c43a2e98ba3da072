//! Model files of the API catalogue (the Formulário or Ofício users download, fill in and sign):
//! what kind of document an upload is, judged by its content, never by its name or the type the
//! browser claims.
//!
//! ODF and OOXML documents are ZIP packages; only their directory and ODF's `mimetype` entry
//! (stored uncompressed, first, by the ODF specification) are read, so no entry is inflated
//! and a ZIP bomb costs nothing. A PDF is judged by [`crate::pdf`] (in the sandbox).

use std::io::{Cursor, Read};

/// The kinds of model file accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelKind {
    Pdf,
    /// An OpenDocument file; its `mimetype` entry, e.g. `application/vnd.oasis.opendocument.text`.
    OpenDocument {
        media_type: String,
    },
    /// A Word (OOXML) document.
    Docx,
}

impl ModelKind {
    pub fn media_type(&self) -> &str {
        match self {
            ModelKind::Pdf => "application/pdf",
            ModelKind::OpenDocument { media_type } => media_type,
            ModelKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// The file name extension that goes with the content.
    pub fn extension(&self) -> &'static str {
        match self {
            ModelKind::Pdf => "pdf",
            ModelKind::Docx => "docx",
            ModelKind::OpenDocument { media_type } => ODF_TYPES
                .iter()
                .find(|(t, _)| t == media_type)
                .map_or("odf", |(_, ext)| ext),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelProblem {
    #[error("O arquivo está vazio.")]
    Empty,
    #[error(
        "O modelo deve ser um documento ODF (LibreOffice, como .odt), PDF ou Word (.docx); o conteúdo deste arquivo não é de nenhum desses tipos."
    )]
    Unknown,
    #[error(
        "O arquivo parece um documento ODF ou Word, mas está danificado. Salve-o novamente e envie outra vez."
    )]
    Damaged,
}

/// The OpenDocument kinds a model may be (media type, extension): documents people fill in.
pub const ODF_TYPES: [(&str, &str); 6] = [
    ("application/vnd.oasis.opendocument.text", "odt"),
    ("application/vnd.oasis.opendocument.text-template", "ott"),
    ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    (
        "application/vnd.oasis.opendocument.spreadsheet-template",
        "ots",
    ),
    ("application/vnd.oasis.opendocument.presentation", "odp"),
    ("application/vnd.oasis.opendocument.graphics", "odg"),
];
/// ODF media types are short; anything longer in `mimetype` is not one.
const MAX_MIMETYPE_BYTES: u64 = 100;

/// What `bytes` are, by content.
pub fn identify(bytes: &[u8]) -> Result<ModelKind, ModelProblem> {
    if bytes.is_empty() {
        return Err(ModelProblem::Empty);
    }
    // The PDF header may come after a little junk (ISO 32000-1, 7.5.2, as readers tolerate).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(ModelKind::Pdf);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ModelProblem::Unknown);
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ModelProblem::Damaged)?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if names.iter().any(|n| n == "mimetype") {
        let entry = archive
            .by_name("mimetype")
            .map_err(|_| ModelProblem::Damaged)?;
        if entry.compression() != zip::CompressionMethod::Stored
            || entry.size() > MAX_MIMETYPE_BYTES
        {
            return Err(ModelProblem::Damaged);
        }
        let mut media_type = String::new();
        entry
            .take(MAX_MIMETYPE_BYTES)
            .read_to_string(&mut media_type)
            .map_err(|_| ModelProblem::Damaged)?;
        let media_type = media_type.trim().to_owned();
        if ODF_TYPES.iter().any(|(t, _)| *t == media_type)
            && names.iter().any(|n| n == "content.xml")
        {
            return Ok(ModelKind::OpenDocument { media_type });
        }
        return Err(ModelProblem::Unknown);
    }
    if names.iter().any(|n| n == "[Content_Types].xml")
        && names.iter().any(|n| n == "word/document.xml")
    {
        return Ok(ModelKind::Docx);
    }
    Err(ModelProblem::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn package(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, content) in entries {
            zip.start_file(
                *name,
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
            )
            .unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn recognises_the_three_kinds_by_content() {
        let odt = crate::odt::text_document("Formulário", &["Preencha."]);
        assert_eq!(
            identify(&odt),
            Ok(ModelKind::OpenDocument {
                media_type: crate::odt::MEDIA_TYPE.into()
            })
        );
        assert_eq!(identify(&odt).unwrap().extension(), "odt");
        assert_eq!(identify(b"%PDF-1.7\n%...").unwrap(), ModelKind::Pdf);
        let docx = package(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        assert_eq!(identify(&docx), Ok(ModelKind::Docx));
        assert_eq!(identify(&docx).unwrap().extension(), "docx");
    }

    #[test]
    fn refuses_other_content_whatever_its_name() {
        assert_eq!(identify(b""), Err(ModelProblem::Empty));
        assert_eq!(identify(b"MZ\x90\x00 an .exe"), Err(ModelProblem::Unknown));
        assert_eq!(identify(b"<html>odt</html>"), Err(ModelProblem::Unknown));
        let other_zip = package(&[("evil.sh", b"rm -rf /")]);
        assert_eq!(identify(&other_zip), Err(ModelProblem::Unknown));
        let fake_odf = package(&[("mimetype", b"application/x-shellscript")]);
        assert_eq!(identify(&fake_odf), Err(ModelProblem::Unknown));
        assert_eq!(
            identify(b"PK\x03\x04 truncated"),
            Err(ModelProblem::Damaged)
        );
    }
}
