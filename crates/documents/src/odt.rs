//! ODF text documents (`.odt`): the model files of the attachments an API asks for.
//!
//! The minimal package LibreOffice and other ODF readers open: `mimetype` first and stored
//! uncompressed, a manifest, and the content.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

pub const MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.text";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A text document with a title and paragraphs; an empty paragraph becomes a blank line.
pub fn text_document(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut body = format!(
        "<text:h text:outline-level=\"1\">{}</text:h>",
        escape(title)
    );
    for p in paragraphs {
        body.push_str(&format!("<text:p>{}</text:p>", escape(p)));
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let write = |zip: &mut ZipWriter<Cursor<Vec<u8>>>, name: &str, data: &[u8]| {
        zip.start_file(name, stored).expect("in-memory zip");
        zip.write_all(data).expect("in-memory zip");
    };
    write(&mut zip, "mimetype", MEDIA_TYPE.as_bytes());
    write(&mut zip, "META-INF/manifest.xml", manifest.as_bytes());
    write(&mut zip, "content.xml", content.as_bytes());
    zip.finish().expect("in-memory zip").into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn is_an_odf_package_with_the_text() {
        let bytes = text_document("Termo de Adesão", &["Cláusula 1 <primeira> & única."]);
        // ODF: the first entry is `mimetype`, stored, right after the first local header.
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..38 + MEDIA_TYPE.len()], MEDIA_TYPE.as_bytes());
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.by_index(0).unwrap().name().unwrap(), "mimetype");
        let mut content = String::new();
        archive
            .by_name("content.xml")
            .unwrap()
            .read_to_string(&mut content)
            .unwrap();
        assert!(content.contains("Cláusula 1 &lt;primeira&gt; &amp; única."));
        assert!(archive.by_name("META-INF/manifest.xml").is_ok());
    }
}
