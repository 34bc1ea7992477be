//! CSV and Excel import/export (INT-4) as plain tables of text cells. Parsing
//! cells into master data is the app's job; this crate only knows files, rows
//! and columns, and says exactly where a file is broken. It is an adapter:
//! the table type belongs to the use cases (`kaidan_app::import_export`),
//! and this crate turns files into tables and tables into files for the API
//! and the command line.

mod formula;
mod read;
mod write;

pub use kaidan_app::import_export::{Row, Table};
pub use read::{Format, MAX_XLSX_CELLS, MAX_XLSX_COLUMNS, MAX_XLSX_ROWS, read_table};
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

/// A file that cannot be read or written is the caller's input problem:
/// the use case reports it with its cause kept.
impl From<IoError> for kaidan_app::AppError {
    fn from(e: IoError) -> Self {
        kaidan_app::AppError::File(Box::new(e))
    }
}
