//! How large a request body may be, sized from the rules rather than guessed.

use adesao_domain::purpose::{MAX_SECTION_CHARS, SECTIONS};

/// The most bytes one character of text can take on the wire: four bytes of UTF-8, each
/// percent-encoded in a form (`%F0%9F%98%80`), or a surrogate pair of escapes in JSON
/// (`\ud83d\ude00`).
const WORST_BYTES_PER_CHAR: usize = 12;

/// Room for field names, the short fields and a comment beside the long texts.
const ENVELOPE: usize = 64 * 1024;

/// The largest form or JSON body the rules can require: a request with every purpose text (the
/// five sections and the other legal basis) at its maximum length, every character of the
/// costliest kind. Anything larger is refused with 413 before it is read.
pub const fn max_body_bytes() -> usize {
    (SECTIONS.len() + 1) * MAX_SECTION_CHARS * WORST_BYTES_PER_CHAR + ENVELOPE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_request_of_the_costliest_characters_fits() {
        // What a browser sends for one such text: 12 bytes per character.
        let emoji = "😀";
        let encoded: String = emoji.bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(encoded.len(), WORST_BYTES_PER_CHAR);
        assert!(max_body_bytes() >= 6 * MAX_SECTION_CHARS * encoded.len());
        // And still small enough that a body limit means something.
        assert!(max_body_bytes() < 1024 * 1024);
    }
}
