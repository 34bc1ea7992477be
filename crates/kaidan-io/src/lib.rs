//! CSV and Excel import/export (INT-4) as plain tables of text cells. Parsing
//! cells into master data is the app's job; this crate only knows files, rows
//! and columns, and says exactly where a file is broken.

mod read;
mod table;
mod write;

pub use read::{Format, read_table};
pub use table::{Row, Table};
pub use write::write_table;

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("{file}: unsupported file type (use .csv or .xlsx)")]
    UnsupportedFormat { file: String },
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: the first row must hold the column names")]
    NoHeader { file: String },
    #[error("{file}: column '{column}' appears twice in the header")]
    DuplicateColumn { file: String, column: String },
    #[error("could not write {what}: {message}")]
    Write { what: String, message: String },
}
