//! The visible block of a signature: its appearance stream (ISO 32000-1, 12.5.5), a form
//! XObject with a light frame and the lines of text in Helvetica, one of the standard fonts
//! every reader has, in WinAnsiEncoding (Portuguese accents included).

use lopdf::{Dictionary, Object, Stream};

use super::Appearance;

const PADDING: f32 = 5.0;
const MAX_FONT: f32 = 8.0;
const MIN_FONT: f32 = 4.5;
/// Helvetica's widest common glyphs are about 0.72 em (capitals such as M, W); lowercase text
/// averages about 0.5. A line is sized as if every glyph were 0.6 em, and the frame clips any
/// excess, so a long name shrinks rather than spills.
const AVERAGE_GLYPH_EM: f32 = 0.6;

pub(super) fn stream(a: &Appearance) -> Stream {
    let [x1, y1, x2, y2] = a.rect;
    let (width, height) = ((x2 - x1).abs(), (y2 - y1).abs());
    let longest = a
        .lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    let lines = a.lines.len().max(1) as f32;
    let size = ((width - 2.0 * PADDING) / (longest * AVERAGE_GLYPH_EM))
        .min((height - 2.0 * PADDING) / (lines * 1.25))
        .clamp(MIN_FONT, MAX_FONT);
    let mut content = format!(
        "q 0.95 0.97 1 rg 0 0 {width:.2} {height:.2} re f \
         0.08 0.3 0.58 RG 0.6 w 0.3 0.3 {:.2} {:.2} re S \
         0 0 {width:.2} {height:.2} re W n \
         BT 0.1 0.1 0.1 rg /F1 {size:.2} Tf {:.2} TL {PADDING:.2} {:.2} Td",
        width - 0.6,
        height - 0.6,
        size * 1.25,
        height - PADDING - size,
    )
    .into_bytes();
    for (i, line) in a.lines.iter().enumerate() {
        if i > 0 {
            content.extend_from_slice(b" T*");
        }
        content.extend_from_slice(b" (");
        content.extend(literal(line));
        content.extend_from_slice(b") Tj");
    }
    content.extend_from_slice(b" ET Q");
    let font = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type1".to_vec())),
        ("BaseFont", Object::Name(b"Helvetica".to_vec())),
        ("Encoding", Object::Name(b"WinAnsiEncoding".to_vec())),
    ]);
    let resources = Dictionary::from_iter(vec![(
        "Font",
        Object::Dictionary(Dictionary::from_iter(vec![(
            "F1",
            Object::Dictionary(font),
        )])),
    )]);
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Form".to_vec())),
        (
            "BBox",
            Object::Array(vec![
                0.into(),
                0.into(),
                Object::Real(width),
                Object::Real(height),
            ]),
        ),
        ("Resources", Object::Dictionary(resources)),
    ]);
    Stream::new(dict, content)
}

/// The bytes of a PDF literal string holding `text` in WinAnsiEncoding, `(`, `)` and `\`
/// escaped; a character the encoding lacks becomes `?`.
fn literal(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let byte = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            // Latin-1's upper half is the same in WinAnsiEncoding.
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        };
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_winansi_and_delimiters_are_escaped() {
        assert_eq!(
            literal("Conceição (TI) \\ ✓"),
            b"Concei\xe7\xe3o \\(TI\\) \\\\ ?".to_vec()
        );
    }

    #[test]
    fn a_long_line_shrinks_the_font_but_not_below_the_floor() {
        let short = stream(&Appearance {
            rect: [0.0, 0.0, 400.0, 34.0],
            lines: vec!["Assinado digitalmente por Ana".into()],
        });
        assert!(String::from_utf8_lossy(&short.content).contains("/F1 8.00 Tf"));
        let long = stream(&Appearance {
            rect: [0.0, 0.0, 400.0, 34.0],
            lines: vec!["M".repeat(300)],
        });
        assert!(String::from_utf8_lossy(&long.content).contains("/F1 4.50 Tf"));
    }
}
