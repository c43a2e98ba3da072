//! The "contains" search of the administration lists, the same on both backends.

/// What a user typed in a search box, as two `LIKE` patterns: one for names (lower case, `%`
/// and `_` escaped) and one for documents (CPF, CNPJ), which are stored without punctuation, so
/// "25.944.455" finds 25944455000196.
pub(crate) struct Pattern {
    text: String,
    document: String,
}

impl Pattern {
    pub(crate) fn new(input: &str) -> Self {
        let lowered = input.trim().to_lowercase();
        let document: String = lowered
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Self {
            text: format!("%{}%", escape(&lowered)),
            // With nothing that a document could hold, a pattern that no document matches.
            document: if document.is_empty() {
                "-".to_owned()
            } else {
                format!("%{document}%")
            },
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn document(&self) -> &str {
        &self.document
    }

    /// `LOWER(column) LIKE $n`, escaping as [`Pattern::new`] does.
    pub(crate) fn condition(column: &str, n: usize) -> String {
        format!("LOWER({column}) LIKE ${n} ESCAPE '\\'")
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_literal_and_documents_lose_punctuation() {
        let p = Pattern::new(" 50%_off\\ ");
        assert_eq!(p.text(), "%50\\%\\_off\\\\%");
        assert_eq!(Pattern::new("25.944.455/0001").document(), "%259444550001%");
        assert_eq!(Pattern::new("Viçosa").text(), "%viçosa%");
        assert_eq!(Pattern::new("—").document(), "-");
    }
}
