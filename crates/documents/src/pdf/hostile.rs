//! Hostile PDFs, built byte by byte, for the tests and the measurement program: each is a small
//! file that costs a naive parser far more memory or time than its size (issue 8). Nothing here
//! runs in the server.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// zlib (FlateDecode) at the best ratio.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// zlib of `len` bytes of `pattern` repeated, written in pieces so that building a bomb of
/// gigabytes does not take gigabytes.
fn deflate_repeated(pattern: &[u8], len: usize) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk: Vec<u8> = pattern.iter().copied().cycle().take(1 << 20).collect();
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).expect("writing to memory");
        left -= n;
    }
    encoder.finish().expect("writing to memory")
}

/// A PDF assembled from numbered object bodies, with a classic cross-reference table.
struct Builder {
    out: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl Builder {
    fn new() -> Self {
        Self {
            out: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    fn object(&mut self, id: u32, body: &[u8]) -> usize {
        let at = self.out.len();
        self.offsets.push((id, at));
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        at
    }

    fn stream(&mut self, id: u32, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(id, &body)
    }

    /// The catalog (1), the page tree (2) and one page (3) with content `content_id`.
    fn one_page(&mut self, content_id: u32) {
        self.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
        self.object(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        self.object(
            3,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_id} 0 R >>"
            )
            .as_bytes(),
        );
    }

    /// A classic table and trailer over the objects written so far.
    fn finish(mut self) -> Vec<u8> {
        let size = self.offsets.iter().map(|(id, _)| *id).max().unwrap_or(0) + 1;
        let mut at_of = vec![None; size as usize];
        for (id, at) in &self.offsets {
            at_of[*id as usize] = Some(*at);
        }
        let xref_at = self.out.len();
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for at in &at_of[1..] {
            match at {
                Some(at) => table.push_str(&format!("{at:010} 00000 n \n")),
                None => table.push_str("0000000000 00000 f \n"),
            }
        }
        self.out.extend_from_slice(table.as_bytes());
        self.out.extend_from_slice(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n")
                .as_bytes(),
        );
        self.out
    }
}

/// An object stream holding one array of `elements` zeros: a few hundred kilobytes that a parser
/// turns into an array of hundreds of millions of values (the 51 KB file that took 2 GB, the
/// 204 KB one that aborted the process).
pub fn object_stream_array(elements: usize) -> Vec<u8> {
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "", b"BT ET");
    // Object 10 at offset 0 of the stream's objects.
    let header = b"10 0 ";
    let mut content = header.to_vec();
    content.push(b'[');
    let array = deflate_array_payload(&content, elements);
    b.stream(
        5,
        &format!(
            "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
            header.len()
        ),
        &array,
    );
    b.finish()
}

/// `prefix`, then `elements` times "0 ", then "]", deflated.
fn deflate_array_payload(prefix: &[u8], elements: usize) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(prefix).expect("writing to memory");
    let chunk = b"0 ".repeat(1 << 19);
    let mut left = elements;
    while left > 0 {
        let n = left.min(1 << 19);
        encoder
            .write_all(&chunk[..n * 2])
            .expect("writing to memory");
        left -= n;
    }
    encoder.write_all(b"]").expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A cross-reference *stream* of `entries` entries, every one naming an object at the same
/// offset: a parser reads that object once per entry (the 117 KB file that took 18 s and 2.2 GB).
pub fn xref_stream(entries: usize) -> Vec<u8> {
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "", b"BT ET");
    let target = b.offsets[0].1 as u32;
    // /W [1 4 2]: type 1 (in use), offset, generation.
    let mut rows = Vec::with_capacity(entries.min(1 << 20) * 7);
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let row = {
        let mut r = vec![1u8];
        r.extend_from_slice(&target.to_be_bytes());
        r.extend_from_slice(&[0, 0]);
        r
    };
    let mut left = entries;
    while left > 0 {
        let n = left.min(1 << 16);
        rows.clear();
        for _ in 0..n {
            rows.extend_from_slice(&row);
        }
        encoder.write_all(&rows).expect("writing to memory");
        left -= n;
    }
    let data = encoder.finish().expect("writing to memory");
    let xref_at = b.out.len();
    let dict = format!("/Type /XRef /Size {entries} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode");
    b.stream(6, &dict, &data);
    let mut out = b.out;
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// A classic cross-reference table of `entries` entries that all point at garbage: a lenient
/// parser reports an error per entry (the 2 MB file that wrote 100,002 ERROR lines).
pub fn bad_xref_table(entries: usize) -> Vec<u8> {
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "", b"BT ET");
    let garbage_at = b.out.len();
    b.out.extend_from_slice(b"garbage garbage garbage\n");
    let xref_at = b.out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", entries + 1);
    for (_, at) in &b.offsets {
        table.push_str(&format!("{at:010} 00000 n \n"));
    }
    for _ in b.offsets.len()..entries {
        table.push_str(&format!("{garbage_at:010} 00000 n \n"));
    }
    b.out.extend_from_slice(table.as_bytes());
    b.out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            entries + 1
        )
        .as_bytes(),
    );
    b.out
}

/// An object of `depth` nested arrays, `[[[[…]]]]`, as a direct object and again inside an
/// object stream: a recursive parser without a depth limit overflows its stack.
pub fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "", b"BT ET");
    let mut nested = "[".repeat(depth).into_bytes();
    nested.extend_from_slice("]".repeat(depth).as_bytes());
    b.object(5, &nested);
    let header = b"11 0 ";
    let mut content = header.to_vec();
    content.extend_from_slice(&nested);
    b.stream(
        6,
        &format!(
            "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
            header.len()
        ),
        &deflate(&content),
    );
    b.finish()
}

/// One page whose contents are streams of deflated zeros, `compressed_bytes` of them in all:
/// about a thousand times as much once inflated (a 10 MB upload that a viewer inflates to
/// 10 GB). The same 16 KB piece of deflate is repeated, so building even that file is instant.
pub fn flate_bomb(compressed_bytes: usize) -> Vec<u8> {
    let piece = deflate_repeated(b"\0", 16 << 20);
    let pieces = compressed_bytes.div_ceil(piece.len()).max(1) as u32;
    let mut b = Builder::new();
    let contents: Vec<String> = (0..pieces).map(|i| format!("{} 0 R", 10 + i)).collect();
    b.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    b.object(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    b.object(
        3,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [{}] >>",
            contents.join(" ")
        )
        .as_bytes(),
    );
    for i in 0..pieces {
        b.stream(10 + i, "/Filter /FlateDecode", &piece);
    }
    b.finish()
}

/// Many small objects: `count` indirect objects, each a short array.
pub fn many_objects(count: usize) -> Vec<u8> {
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "", b"BT ET");
    for id in 5..(5 + count as u32) {
        b.object(id, b"[0 0 0 0]");
    }
    b.finish()
}

/// A one-page file encrypted (RC4, the standard security handler) with `user_password` to open
/// it, and `extra` more objects. With an empty user password a reader opens it at once, and a
/// parser loads it without its usual per-object hooks; with another, nobody opens it without
/// the password.
pub fn password_protected(user_password: &str, extra: usize) -> Vec<u8> {
    use lopdf::{EncryptionState, EncryptionVersion, Object, Permissions};
    let mut doc = lopdf::Document::load_mem(&super::sample("Protegido")).expect("the sample loads");
    for _ in 0..extra {
        doc.add_object(Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    }
    if doc.trailer.get(b"ID").is_err() {
        let id = Object::string_literal(b"adesao-hostile-id".to_vec());
        doc.trailer.set("ID", vec![id.clone(), id]);
    }
    let version = EncryptionVersion::V1 {
        document: &doc,
        owner_password: "dono",
        user_password,
        permissions: Permissions::PRINTABLE,
    };
    let state = EncryptionState::try_from(version).expect("RC4 encryption of a sample");
    doc.encrypt(&state).expect("RC4 encryption of a sample");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing to memory");
    out
}

/// A page whose content is deflated twice (`/Filter [/FlateDecode /FlateDecode]`): the outer
/// layer is a few kilobytes, the inner one inflates to `inner_bytes` of zeros.
pub fn double_flate(inner_bytes: usize) -> Vec<u8> {
    let inner = deflate_repeated(b"\0", inner_bytes);
    let mut b = Builder::new();
    b.one_page(4);
    b.stream(4, "/Filter [/FlateDecode /FlateDecode]", &deflate(&inner));
    b.finish()
}
