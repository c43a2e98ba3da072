//! Documents of Adesão: the check that an upload really is a PDF (bounded, and run in a child
//! process by [`sandbox`]), the ODF model files that users download, fill in and sign, and the
//! PDFs the system writes ([`report`], [`dsi`]), typeset by [`typeset`] in a child process
//! ([`typesetter`]).

pub mod a1;
pub mod dsi;
pub mod model;
pub mod odt;
pub mod pades;
pub mod pdf;
pub mod pki;
pub mod report;
pub mod sandbox;
pub mod typeset;
pub mod typesetter;
