//! File names that come from users: safe to store, to show and to send back in a download.

/// The longest name kept (in characters).
pub const MAX_CHARS: usize = 150;

/// A user's file name made safe: only its last path component (no `../` tricks), no control
/// characters (no CR/LF header injection), no quotes or backslashes, trimmed, at most
/// [`MAX_CHARS`] characters, ending in `.pdf`. Accents and other non-ASCII letters are kept.
pub fn sanitize_pdf_name(raw: &str) -> String {
    sanitize_file_name(raw, "pdf", "anexo")
}

/// As [`sanitize_pdf_name`], ending in `.{extension}` (the extension of the content, whatever
/// the name claimed), `fallback` when nothing of the name is left.
pub fn sanitize_file_name(raw: &str, extension: &str, fallback: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(
                    c,
                    '"' | '\\' | '/' | '<' | '>' | '|' | '*' | '?' | ':' | ';'
                )
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let suffix = format!(".{extension}");
    let stem = match trimmed.len().checked_sub(suffix.len()) {
        Some(cut)
            if trimmed.is_char_boundary(cut) && trimmed[cut..].eq_ignore_ascii_case(&suffix) =>
        {
            &trimmed[..cut]
        }
        _ => trimmed,
    }
    .trim_end_matches('.');
    let stem: String = stem
        .chars()
        .take(MAX_CHARS - suffix.chars().count())
        .collect();
    let stem = stem.trim();
    if stem.is_empty() {
        format!("{fallback}{suffix}")
    } else {
        format!("{stem}{suffix}")
    }
}

/// An ASCII stand-in for old clients (`filename=` of Content-Disposition): accents dropped,
/// anything else replaced by `_`.
pub fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'A',
            'é' | 'ê' | 'è' => 'e',
            'É' | 'Ê' | 'È' => 'E',
            'í' | 'î' => 'i',
            'Í' | 'Î' => 'I',
            'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ú' | 'ü' => 'u',
            'Ú' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') => c,
            _ => '_',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hostile_names_become_harmless() {
        assert_eq!(sanitize_pdf_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(
            sanitize_pdf_name("C:\\Users\\x\\Ofício nº 12.pdf"),
            "Ofício nº 12.pdf"
        );
        assert_eq!(
            sanitize_pdf_name("a\"b\r\nContent-Type: text.pdf"),
            "abContent-Type text.pdf"
        );
        assert_eq!(sanitize_pdf_name("x\r\n/evil.pdf"), "evil.pdf");
        assert_eq!(sanitize_pdf_name("...pdf"), "pdf.pdf");
        assert_eq!(sanitize_pdf_name(" . .pdf"), "anexo.pdf");
        assert_eq!(sanitize_pdf_name(""), "anexo.pdf");
        assert_eq!(sanitize_pdf_name(".htaccess"), "htaccess.pdf");
        assert_eq!(
            sanitize_pdf_name("Formulário assinado.PDF"),
            "Formulário assinado.pdf"
        );
        assert_eq!(
            sanitize_pdf_name(&"x".repeat(500)).chars().count(),
            MAX_CHARS
        );
        assert_eq!(
            sanitize_file_name("Modelo Ofício.DOCX", "docx", "modelo"),
            "Modelo Ofício.docx"
        );
        assert_eq!(
            sanitize_file_name("formulario.exe", "odt", "modelo"),
            "formulario.exe.odt"
        );
        assert_eq!(sanitize_file_name("ç.odt", "odt", "modelo"), "ç.odt");
    }

    #[test]
    fn ascii_fallback_keeps_the_name_readable() {
        assert_eq!(ascii_fallback("Ofício nº 12.pdf"), "Oficio n_ 12.pdf");
    }

    proptest! {
        #[test]
        fn sanitized_names_are_always_safe(raw in "\\PC{0,300}|[\\x00-\\x7f]{0,50}") {
            let name = sanitize_pdf_name(&raw);
            prop_assert!(name.ends_with(".pdf"));
            prop_assert!(!name.chars().any(|c| c.is_control() || matches!(c, '"' | '/' | '\\')));
            prop_assert!(!name.starts_with('.'));
            prop_assert!(name.chars().count() <= MAX_CHARS);
            prop_assert!(ascii_fallback(&name).is_ascii());
        }
    }
}
