//! Free text typed by users (purpose sections, justifications, comments).

use crate::FieldIssue;

/// What the user reads when a text holds a control character.
pub const CONTROL_CHARACTERS: &str = "O texto contém caracteres de controle (invisíveis), que não são aceitos. Digite ou cole o texto novamente, sem eles.";

/// True when `text` holds a control character other than tab, line feed and carriage return.
/// Nobody types one; they come from binary pasted by mistake or from an attack, and PostgreSQL
/// refuses a NUL in text outright.
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The issue of `field` when its text holds control characters.
pub fn control_characters_issue(field: &'static str, text: &str) -> Option<FieldIssue> {
    has_control_characters(text).then(|| FieldIssue::new(field, CONTROL_CHARACTERS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn line_breaks_and_tabs_are_text_other_controls_are_not() {
        assert!(!has_control_characters("Linha 1\r\nLinha 2\tfim — ação"));
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(has_control_characters(&format!("a{c}b")), "{:?}", c);
        }
    }

    proptest! {
        #[test]
        fn printable_text_always_passes(s in "[\\PC\t\r\n]*") {
            prop_assert!(!has_control_characters(&s));
        }
    }
}
