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

/// A count with its noun in the right number, as pt-BR writes it: "1 tentativa",
/// "2 tentativas", "0 tentativas" (never "tentativa(s)"). Thousands take a dot: "1.000 linhas".
pub fn plural<N: TryInto<i64>>(n: N, singular: &str, plural: &str) -> String {
    let n = n.try_into().unwrap_or(i64::MAX);
    let word = if n == 1 || n == -1 { singular } else { plural };
    format!("{} {word}", thousands(n))
}

/// `1234567` as `1.234.567`.
pub fn thousands(n: i64) -> String {
    let digits = crate::volume::format_thousands(n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1, "tentativa", "tentativas"), "1 tentativa");
        assert_eq!(plural(2, "tentativa", "tentativas"), "2 tentativas");
        assert_eq!(plural(0, "segundo", "segundos"), "0 segundos");
        assert_eq!(plural(1000, "linha", "linhas"), "1.000 linhas");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(-1000), "-1.000");
        assert_eq!(thousands(999), "999");
    }
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
