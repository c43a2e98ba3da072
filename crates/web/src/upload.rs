//! Reading an attachment from a multipart body, for the HTML form and the API alike: the size
//! limit is enforced while the file streams in, so an oversized upload is refused before it is
//! read whole.

use adesao_domain::AttachmentKind;
use axum::extract::multipart::{Field, Multipart};

/// What a multipart upload carried.
pub struct Upload {
    pub csrf_token: Option<String>,
    pub kind: Option<AttachmentKind>,
    /// The submit button pressed, where a form has several (`acao`).
    pub action: Option<String>,
    pub filename: String,
    pub content: Vec<u8>,
}

#[derive(Debug)]
pub enum UploadError {
    TooLarge {
        max: usize,
    },
    MissingFile,
    /// The CSRF field came after the file, or not at all, where the caller needs it first.
    CsrfFirst,
    Malformed,
}

impl UploadError {
    pub fn message(&self) -> String {
        match self {
            UploadError::TooLarge { max } if *max < 1024 * 1024 => {
                format!("O arquivo passa do limite de {} KB.", max / 1024)
            }
            UploadError::TooLarge { max } => format!(
                "O arquivo passa do limite de {} MiB.",
                adesao_domain::volume::format_thousands((*max / (1024 * 1024)) as u64)
            ),
            UploadError::MissingFile => "Selecione o arquivo PDF a anexar.".into(),
            UploadError::CsrfFirst => {
                "O formulário expirou. Recarregue a página e tente novamente.".into()
            }
            UploadError::Malformed => "O envio do arquivo está incompleto ou malformado.".into(),
        }
    }
}

/// Reads the fields `csrf_token` (text), `kind` (text), `acao` (text) and `file` (the upload). With
/// `csrf_first`, a file before the CSRF token is refused without being read.
pub async fn read(
    multipart: Multipart,
    max: usize,
    csrf_first: bool,
) -> Result<Upload, UploadError> {
    let form = read_form(multipart, "file", max, csrf_first).await?;
    if !form.has_file {
        return Err(UploadError::MissingFile);
    }
    Ok(Upload {
        csrf_token: form.text("csrf_token").map(str::to_owned),
        kind: form.text("kind").and_then(|k| k.parse().ok()),
        action: form.text("acao").map(str::to_owned),
        filename: form.filename,
        content: form.content,
    })
}

/// A multipart form: its text fields and its one file.
pub struct Form {
    texts: Vec<(String, String)>,
    pub has_file: bool,
    pub filename: String,
    pub content: Vec<u8>,
}

impl Form {
    /// The text field `name` (the first, if sent twice).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The most text fields a form may send (ours have five at most).
const MAX_TEXT_FIELDS: usize = 16;

/// Reads a form whose file is the field `file_field` (at most `max` bytes) and whose other
/// fields are texts (4 KiB each). With `csrf_first`, a file before the field `csrf_token` is
/// refused without being read.
pub async fn read_form(
    mut multipart: Multipart,
    file_field: &str,
    max: usize,
    csrf_first: bool,
) -> Result<Form, UploadError> {
    let mut form = Form {
        texts: Vec::new(),
        has_file: false,
        filename: String::new(),
        content: Vec::new(),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(UploadError::TooLarge { max });
            }
            Err(_) => return Err(UploadError::Malformed),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            if csrf_first && form.text("csrf_token").is_none() {
                return Err(UploadError::CsrfFirst);
            }
            form.filename = field.file_name().unwrap_or("").to_owned();
            form.content = bytes(field, max).await?;
            form.has_file = true;
        } else {
            if form.texts.len() >= MAX_TEXT_FIELDS {
                return Err(UploadError::Malformed);
            }
            let value = text(field).await?;
            form.texts.push((name, value));
        }
    }
    Ok(form)
}

async fn text(field: Field<'_>) -> Result<String, UploadError> {
    let bytes = bytes(field, 4096)
        .await
        .map_err(|_| UploadError::Malformed)?;
    String::from_utf8(bytes).map_err(|_| UploadError::Malformed)
}

async fn bytes(mut field: Field<'_>, max: usize) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > max {
                    return Err(UploadError::TooLarge { max });
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(UploadError::TooLarge { max });
            }
            Err(_) => return Err(UploadError::Malformed),
        }
    }
}

/// `Content-Disposition` for a download: an ASCII fallback and the exact UTF-8 name (RFC 6266 /
/// RFC 5987), built from a name already sanitised (no quotes, no control characters).
pub fn content_disposition(filename: &str) -> String {
    let ascii = adesao_domain::filename::ascii_fallback(filename);
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The answer of a download: the bytes, their type, a safe file name, and no sniffing.
pub fn download(filename: &str, media_type: &str, content: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut response = content.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_the_accents_and_stays_one_header() {
        let d = content_disposition("Ofício nº 12.pdf");
        assert_eq!(
            d,
            "attachment; filename=\"Oficio n_ 12.pdf\"; filename*=UTF-8''Of%C3%ADcio%20n%C2%BA%2012.pdf"
        );
        assert!(!d.contains('\r') && !d.contains('\n'));
    }
}
