//! Checks shared by the administration's forms.

use adesao_domain::FieldIssue;
use adesao_domain::text::has_control_characters;

/// A required one-line text: trimmed, not blank, at most `max` characters, no control
/// characters. The value given, else the current one (`base`), is judged; an issue names
/// `field`.
pub(crate) fn required_line(
    given: Option<&str>,
    base: Option<&str>,
    field: &'static str,
    label: &str,
    max: usize,
    issues: &mut Vec<FieldIssue>,
) -> String {
    let value = given.or(base).unwrap_or("").trim().to_owned();
    if value.is_empty() {
        issues.push(FieldIssue::new(field, format!("Informe {label}.")));
    } else if value.chars().count() > max {
        issues.push(FieldIssue::new(
            field,
            format!("{} pode ter até {max} caracteres.", capitalised(label)),
        ));
    } else if has_control_characters(&value) || value.contains(['\n', '\r', '\t']) {
        issues.push(FieldIssue::new(
            field,
            format!(
                "{} não pode conter quebras de linha nem caracteres de controle.",
                capitalised(label)
            ),
        ));
    }
    value
}

/// An optional free text (several lines allowed).
pub(crate) fn optional_text(
    given: Option<&str>,
    base: Option<&str>,
    field: &'static str,
    label: &str,
    max: usize,
    issues: &mut Vec<FieldIssue>,
) -> String {
    let value = given.or(base).unwrap_or("").trim().to_owned();
    if value.chars().count() > max {
        issues.push(FieldIssue::new(
            field,
            format!("{} pode ter até {max} caracteres.", capitalised(label)),
        ));
    } else if let Some(issue) = adesao_domain::text::control_characters_issue(field, &value) {
        issues.push(issue);
    }
    value
}

/// "o nome" → "O nome".
fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_required_bounded_and_single() {
        let mut issues = Vec::new();
        assert_eq!(
            required_line(Some("  UFV "), None, "acronym", "a sigla", 5, &mut issues),
            "UFV"
        );
        assert!(issues.is_empty());
        required_line(Some("  "), Some("old"), "name", "o nome", 5, &mut issues);
        assert_eq!(issues[0].message, "Informe o nome.");
        required_line(None, Some("abcdef"), "name", "o nome", 5, &mut issues);
        assert_eq!(issues[1].message, "O nome pode ter até 5 caracteres.");
        required_line(Some("a\nb"), None, "name", "o nome", 5, &mut issues);
        assert!(issues[2].message.contains("quebras de linha"));
    }
}
