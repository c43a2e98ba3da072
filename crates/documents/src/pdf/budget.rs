//! The limits of [`super::check`] applied to lopdf, which offers only a per-stream bound on what
//! it inflates while loading. The rest is counted here:
//!
//! - while loading, lopdf hands every object it parsed to a filter function; ours counts objects
//!   and values and watches the clock, and stops the load by unwinding out of it with a
//!   [`Stop`] payload (`resume_unwind` runs no panic hook, so nothing is printed); the loaded
//!   document is counted again, since lopdf loads some files (encrypted ones) without the filter;
//! - after loading, every stream is inflated once more into a counter, as a viewer would inflate
//!   it, against one budget for the whole file.
//!
//! The filter is a plain `fn`, so its state lives in a thread-local set for the duration of one
//! load; lopdf is built without its `rayon` feature, so the filter runs on the loading thread.

use std::cell::RefCell;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Instant;

use lopdf::{DecompressError, Document, LoadOptions, Object, ObjectId, Stream};

use super::{Excess, Limits, PdfProblem};

/// Filters whose output is an image the viewer decodes itself; inflating them says nothing
/// about bombs that the raw size does not.
const IMAGE_CODECS: [&[u8]; 6] = [
    b"DCTDecode",
    b"DCT",
    b"JPXDecode",
    b"JBIG2Decode",
    b"CCITTFaxDecode",
    b"CCF",
];

/// Largest buffer the non-Flate filters may allocate for one stream.
const OTHER_FILTER_CAP: usize = 32 << 20;

struct Guard {
    limits: Limits,
    deadline: Instant,
    objects: usize,
    values: usize,
}

thread_local! {
    static GUARD: RefCell<Option<Guard>> = const { RefCell::new(None) };
}

/// The payload that unwinds a load that passed a limit.
struct Stop(Excess);

/// Loads `bytes` within `limits` and `deadline`.
pub(super) fn load(
    bytes: &[u8],
    limits: &Limits,
    deadline: Instant,
) -> Result<Document, PdfProblem> {
    let mut document = load_once(bytes, limits, deadline, false)?;
    if document.get_pages().is_empty() {
        // lopdf rebuilds an unreadable page tree by scanning the file, but only when loading
        // without a filter; ask for that rebuild ourselves (under the same limits and clock).
        drop(document);
        document = load_once(bytes, limits, deadline, true)?;
    }
    // The filter stops a load early, but lopdf loads some files without calling it (an
    // encrypted one, for instance): count what was loaded, whatever the path.
    count_loaded(&document, limits, deadline)?;
    Ok(document)
}

/// The limits of [`count_object`], applied to a document already loaded.
fn count_loaded(document: &Document, limits: &Limits, deadline: Instant) -> Result<(), PdfProblem> {
    if document.objects.len() > limits.objects {
        return Err(PdfProblem::TooComplex(Excess::Objects {
            count: limits.objects,
        }));
    }
    let mut values = 0;
    for object in document.objects.values() {
        values += count_values(object, limits.values - values.min(limits.values));
        if values > limits.values {
            return Err(PdfProblem::TooComplex(Excess::Values {
                count: limits.values,
            }));
        }
    }
    if Instant::now() > deadline {
        return Err(PdfProblem::TooComplex(Excess::Time {
            secs: limits.time.as_secs(),
        }));
    }
    Ok(())
}

fn load_once(
    bytes: &[u8],
    limits: &Limits,
    deadline: Instant,
    force_reconstruct: bool,
) -> Result<Document, PdfProblem> {
    let options = LoadOptions {
        filter: Some(count_object),
        max_decompressed_size: Some(limits.stream_bytes),
        force_reconstruct,
        ..LoadOptions::default()
    };
    GUARD.with(|g| {
        *g.borrow_mut() = Some(Guard {
            limits: *limits,
            deadline,
            objects: 0,
            values: 0,
        })
    });
    let result = catch_unwind(AssertUnwindSafe(|| {
        Document::load_mem_with_options(bytes, options)
    }));
    GUARD.with(|g| *g.borrow_mut() = None);
    match result {
        Ok(Ok(document)) => Ok(document),
        Ok(Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }))) => {
            Err(PdfProblem::TooComplex(Excess::Inflated {
                mib: (limits.stream_bytes >> 20) as u64,
            }))
        }
        Ok(Err(_)) => Err(PdfProblem::Damaged),
        Err(payload) => match payload.downcast::<Stop>() {
            Ok(stop) => Err(PdfProblem::TooComplex(stop.0)),
            // A panic inside lopdf itself: the file broke the parser.
            Err(_) => Err(PdfProblem::Damaged),
        },
    }
}

/// lopdf's filter: keeps every object, counting it against the limits.
fn count_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let excess = GUARD.with(|g| {
        let mut g = g.borrow_mut();
        let g = g.as_mut()?;
        g.objects += 1;
        if g.objects > g.limits.objects {
            return Some(Excess::Objects {
                count: g.limits.objects,
            });
        }
        g.values += count_values(object, g.limits.values - g.values.min(g.limits.values));
        if g.values > g.limits.values {
            return Some(Excess::Values {
                count: g.limits.values,
            });
        }
        (Instant::now() > g.deadline).then_some(Excess::Time {
            secs: g.limits.time.as_secs(),
        })
    });
    if let Some(excess) = excess {
        resume_unwind(Box::new(Stop(excess)));
    }
    // lopdf keeps a top-level object as the filter leaves it and ignores what it returns, but
    // keeps what it returns for a member of an object stream. Members are never streams, so
    // return streams as a placeholder (no copy of their content) and other objects as a copy.
    match object {
        Object::Stream(_) => Some((id, Object::Null)),
        other => Some((id, other.clone())),
    }
}

/// The values in `object`, counted without recursion (no stack to overflow), stopping once past
/// `budget`.
fn count_values(object: &Object, budget: usize) -> usize {
    let mut count = 0;
    let mut pending = vec![object];
    while let Some(o) = pending.pop() {
        count += 1;
        if count > budget {
            break;
        }
        match o {
            Object::Array(items) => pending.extend(items),
            Object::Dictionary(d) => pending.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => pending.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

/// Inflates every stream of `document` into a counter, against one budget for the file.
pub(super) fn inflate_all(
    document: &Document,
    limits: &Limits,
    deadline: Instant,
) -> Result<(), PdfProblem> {
    let too_much = || {
        PdfProblem::TooComplex(Excess::Inflated {
            mib: limits.inflated_bytes >> 20,
        })
    };
    let too_slow = || {
        PdfProblem::TooComplex(Excess::Time {
            secs: limits.time.as_secs(),
        })
    };
    let mut left = limits.inflated_bytes;
    for object in document.objects.values() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if Instant::now() > deadline {
            return Err(too_slow());
        }
        let inflated = match inflated_size(stream, left, deadline) {
            Inflated::Within(n) => n,
            Inflated::Beyond(cap) => {
                return Err(PdfProblem::TooComplex(Excess::Inflated {
                    mib: cap.unwrap_or(limits.inflated_bytes >> 20),
                }));
            }
            Inflated::OutOfTime => return Err(too_slow()),
        };
        left = left.checked_sub(inflated).ok_or_else(too_much)?;
    }
    Ok(())
}

enum Inflated {
    Within(u64),
    /// Past the file's budget (`None`), or past the cap on one layer of a chain (its MiB).
    Beyond(Option<u64>),
    OutOfTime,
}

/// How many bytes `stream` inflates to, if no more than `budget`. A stream that does not decode
/// counts as what it decoded to so far: viewers show what they can of it.
fn inflated_size(stream: &Stream, budget: u64, deadline: Instant) -> Inflated {
    let raw = stream.content.len() as u64;
    let filters = stream.filters().unwrap_or_default();
    match filters.as_slice() {
        [] => within(raw, budget),
        [only] if is_flate(only) => inflate_counting(&stream.content, raw, budget, deadline),
        chain => decode_layers(stream, chain, budget, deadline),
    }
}

fn is_flate(filter: &[u8]) -> bool {
    filter == b"FlateDecode" || filter == b"Fl"
}

/// One Flate layer counted as it streams out, so a bomb costs a 64 KiB buffer, not its size.
fn inflate_counting(data: &[u8], raw: u64, budget: u64, deadline: Instant) -> Inflated {
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut buffer = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        match decoder.read(&mut buffer) {
            Ok(0) | Err(_) => return within(total.max(raw), budget),
            Ok(n) => {
                total += n as u64;
                if total > budget {
                    return Inflated::Beyond(None);
                }
                if Instant::now() > deadline {
                    return Inflated::OutOfTime;
                }
            }
        }
    }
}

/// A chain of filters (`[/FlateDecode /FlateDecode]`, `[/ASCII85Decode /FlateDecode]`…) decoded
/// a layer at a time, each layer bounded by the budget (and [`OTHER_FILTER_CAP`]), counting the
/// largest. The chain stops at an image codec, which the viewer decodes itself, or at a filter
/// that does not decode.
fn decode_layers(stream: &Stream, chain: &[&[u8]], budget: u64, deadline: Instant) -> Inflated {
    let cap = budget.min(OTHER_FILTER_CAP as u64) as usize;
    let params = stream.dict.get(b"DecodeParms").ok();
    let mut data = stream.content.clone();
    let mut largest = data.len() as u64;
    for (index, filter) in chain.iter().take(Stream::MAX_FILTERS).enumerate() {
        if IMAGE_CODECS.contains(filter) {
            break;
        }
        let mut layer = lopdf::Dictionary::new();
        layer.set("Filter", Object::Name(filter.to_vec()));
        let layer_params = match params {
            Some(Object::Array(all)) => all.get(index).cloned(),
            Some(one @ Object::Dictionary(_)) => Some(one.clone()),
            _ => None,
        };
        if let Some(p) = layer_params {
            layer.set("DecodeParms", p);
        }
        match Stream::new(layer, data).decompressed_content_with_limit(cap) {
            Ok(decoded) => data = decoded,
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                let layer_cap = (cap == OTHER_FILTER_CAP).then_some((cap >> 20) as u64);
                return Inflated::Beyond(layer_cap);
            }
            Err(_) => break,
        }
        largest = largest.max(data.len() as u64);
        if Instant::now() > deadline {
            return Inflated::OutOfTime;
        }
    }
    within(largest, budget)
}

fn within(n: u64, budget: u64) -> Inflated {
    if n > budget {
        Inflated::Beyond(None)
    } else {
        Inflated::Within(n)
    }
}
