//! A table of text cells: what an import reads and an export writes, whatever
//! the file format. The use cases work on tables; the adapters (kaidan-io
//! behind the API and the command line) turn files into tables and back.

/// A table read from a file: named columns and rows of text cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The file's name, for error messages.
    pub file: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row. `line` is the row number a person sees in the file
/// (the header is row 1, so the first data row is row 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Table {
    pub fn new(file: impl Into<String>, columns: Vec<String>) -> Self {
        Table {
            file: file.into(),
            columns,
            rows: Vec::new(),
        }
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cell of `row` in column `name`, trimmed; empty when the column or
    /// the cell is missing.
    pub fn cell<'a>(&self, row: &'a Row, name: &str) -> &'a str {
        self.column_index(name)
            .and_then(|i| row.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    pub fn push(&mut self, cells: Vec<String>) {
        let line = self.rows.len() + 2;
        self.rows.push(Row { line, cells });
    }
}
