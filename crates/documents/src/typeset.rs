//! Typst as a library: a template file and its data in, PDF bytes out.
//!
//! The template is compiled in a world of two files: the template itself and `/data.json`, the
//! data it reads with `json("data.json")`. Passing the data as JSON rather than splicing it into
//! markup means no name typed by a user can ever be read as Typst code. The fonts are the
//! vendored Raleway, embedded in the binary; there is no system font, no package and no network,
//! so a document renders the same on every machine.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The typefaces every document may use (family "Raleway").
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/Raleway_400Regular.ttf"),
    include_bytes!("../fonts/Raleway_400Regular_Italic.ttf"),
    include_bytes!("../fonts/Raleway_700Bold.ttf"),
    include_bytes!("../fonts/Raleway_700Bold_Italic.ttf"),
];

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|bytes| Font::iter(Bytes::new(*bytes)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// A template: its name (for messages) and its Typst markup.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    pub markup: &'static str,
}

/// Why a document could not be typeset: a fault of ours (the template, or data it does not
/// expect), never of the user's input.
#[derive(Debug, thiserror::Error)]
#[error("typesetting {template} failed: {message}")]
pub struct TypesetError {
    template: &'static str,
    message: String,
}

impl TypesetError {
    fn new(template: &'static str, message: impl Into<String>) -> Self {
        Self {
            template,
            message: message.into(),
        }
    }

    fn from_diagnostics(template: &'static str, diagnostics: &[SourceDiagnostic]) -> Self {
        let message = diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Self::new(template, message)
    }
}

/// The PDF of `template` over `data`.
///
/// CPU-bound (tens of milliseconds to seconds): call it off the async runtime.
pub fn render(template: Template, data: &impl Serialize) -> Result<Vec<u8>, TypesetError> {
    let data =
        serde_json::to_vec(data).map_err(|e| TypesetError::new(template.name, e.to_string()))?;
    let job = Job::new(template, data)?;
    let compiled = typst::compile::<PagedDocument>(&job);
    // Typst memoizes across compilations; a server renders different data every time, so keep
    // nothing: memory stays bounded however many documents it renders.
    let document = compiled.output;
    let pdf = document
        .map_err(|e| TypesetError::from_diagnostics(template.name, &e))
        .and_then(|document| {
            let options = typst_pdf::PdfOptions {
                creator: Smart::Custom(Some("Adesão".into())),
                ..typst_pdf::PdfOptions::default()
            };
            typst_pdf::pdf(&document, &options)
                .map_err(|e| TypesetError::from_diagnostics(template.name, &e))
        });
    comemo::evict(0);
    pdf
}

/// One compilation: the template as the main file, the data beside it.
struct Job {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

fn file_id(path: &str) -> Result<FileId, TypesetError> {
    let vpath = VirtualPath::new(path).map_err(|e| TypesetError::new("path", format!("{e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Job {
    fn new(template: Template, data: Vec<u8>) -> Result<Self, TypesetError> {
        let main_id = file_id(&format!("/{}.typ", template.name))?;
        Ok(Self {
            main: Source::new(main_id, template.markup.to_owned()),
            data_id: file_id("/data.json")?,
            data: Bytes::new(data),
        })
    }
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// Documents say their own dates; Typst's `datetime.today()` is not used.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
