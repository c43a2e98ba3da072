//! Documents of Adesão: the check that an upload really is a PDF, and the ODF model files that
//! users download, fill in and sign.

pub mod odt;
pub mod pdf;
