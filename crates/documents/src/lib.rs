//! Documents of Adesão: the check that an upload really is a PDF (bounded, and run in a child
//! process by [`sandbox`]), and the ODF model files that users download, fill in and sign.

pub mod model;
pub mod odt;
pub mod pdf;
pub mod sandbox;
