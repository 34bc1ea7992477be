use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Once;

use calamine::{Data, DataType, Reader, Xlsx, XlsxError};

use crate::{IoError, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// From a file name's extension.
    pub fn from_name(name: &str) -> Option<Format> {
        let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Reads the first sheet (Excel) or the whole file (CSV, UTF-8 with or
/// without BOM). Empty rows are skipped; row numbers stay those of the file.
pub fn read_table(file: &str, bytes: &[u8]) -> Result<Table, IoError> {
    let format = Format::from_name(file).ok_or_else(|| IoError::UnsupportedFormat {
        file: file.to_string(),
    })?;
    let raw = match format {
        Format::Csv => read_csv(file, bytes)?,
        Format::Xlsx => read_xlsx(file, bytes)?,
    };
    let mut rows = raw.into_iter();
    let header: Vec<String> = loop {
        match rows.next() {
            Some((_, cells)) if cells.iter().all(|c| c.trim().is_empty()) => continue,
            Some((_, cells)) => break cells.into_iter().map(|c| c.trim().to_string()).collect(),
            None => {
                return Err(IoError::NoHeader {
                    file: file.to_string(),
                });
            }
        }
    };
    for (i, c) in header.iter().enumerate() {
        if header[..i].contains(c) && !c.is_empty() {
            return Err(IoError::DuplicateColumn {
                file: file.to_string(),
                column: c.clone(),
            });
        }
    }
    let mut table = Table::new(file, header);
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        table.rows.push(crate::Row { line, cells });
    }
    Ok(table)
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    let mut lines = LineCounter::default();
    for record in reader.records() {
        let record = record.map_err(|e| IoError::Unreadable {
            file: file.to_string(),
            message: match e.position() {
                Some(p) => format!("row {}: {}", lines.line_at(bytes, p.byte()), e),
                None => e.to_string(),
            },
        })?;
        let line = match record.position() {
            Some(p) => lines.line_at(bytes, p.byte()),
            None => out.len() + 1,
        };
        out.push((
            line,
            record
                .iter()
                .map(|c| crate::formula::unescape(c.to_string()))
                .collect(),
        ));
    }
    Ok(out)
}

/// Line numbers from byte offsets, counting line ends as a person's editor
/// does: `\n`, `\r\n`, and a lone `\r` (old Mac files; the csv reader
/// ends a record there too, and the fuzzing found a second row numbered 1
/// when only `\n` counted). The csv reader's own line count is one short
/// after a CRLF line end (found by the fuzzing in tests/it/fuzz_read.rs),
/// and Excel writes CSV with CRLF: a problem would be reported on the
/// wrong row. Its byte offset of a record points at the line ends (and
/// blank lines) before it, which are skipped here: a record never starts
/// with a line end.
#[derive(Default)]
struct LineCounter {
    counted_to: usize,
    newlines: usize,
}

impl LineCounter {
    /// The line of `offset`; offsets must not decrease between calls (the
    /// reader's records come in file order).
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> usize {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset > self.counted_to {
            self.newlines += (self.counted_to..offset)
                .filter(|&i| match bytes[i] {
                    b'\n' => true,
                    b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .count();
            self.counted_to = offset;
        }
        self.newlines + 1
    }
}

/// Excel's own grid: 1,048,576 rows of 16,384 columns (A to XFD). A crafted
/// file can name any cell position; refusing positions outside the grid
/// keeps a two-cell file from asking for a table of billions of cells.
pub const MAX_XLSX_ROWS: u32 = 1_048_576;
pub const MAX_XLSX_COLUMNS: u32 = 16_384;
/// The most cells Kaidan reads from one sheet, counting the empty cells a
/// row is padded with up to the sheet's widest row (the table is dense).
/// About 50 MB of cell texts; far above any import a person makes
/// (100,000 rows of 20 columns), far below what would exhaust memory.
pub const MAX_XLSX_CELLS: usize = 2_000_000;

/// Reads the first sheet, isolated from panics inside the spreadsheet
/// library: calamine indexes its tables with positions taken from the file
/// (a shared-string number beyond the list, for one), and a crafted file
/// made it panic. A panic there must be a refused file, not a dead request
/// or a crashed command.
///
/// `AssertUnwindSafe` is sound here: the closure owns everything it
/// mutates (the workbook and the cells read so far are created inside it
/// and dropped while unwinding); it only reads `bytes` and `file`, which a
/// panic cannot leave half-changed. This relies on `panic = "unwind"`, the
/// default, which the workspace's profiles keep.
fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, IoError> {
    match quietly(|| read_xlsx_cells(file, bytes)) {
        Ok(read) => read,
        Err(panic) => Err(IoError::Unreadable {
            file: file.to_string(),
            message: format!(
                "not a readable .xlsx workbook: the spreadsheet reader failed on it ({})",
                panic_text(panic.as_ref())
            ),
        }),
    }
}

thread_local! {
    /// Set while this thread reads a workbook: a panic there is expected
    /// to be caught and reported as a refused file.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, catching a panic, without the panic hook's report (the
/// message, or a backtrace with `RUST_BACKTRACE` set) on standard error:
/// the panic's message becomes part of the error instead. The hook that
/// keeps quiet is installed once and passes every other panic, on any
/// thread, to the hook that was there before.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = CATCHING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result
}

/// The message a panic carried, when it is text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_string()
    }
}

/// The filled cells of the first sheet, read one by one (calamine's own
/// `worksheet_range` allocates the whole rectangle between the first and the
/// last cell before looking at the size), checked against the bounds above,
/// then laid out as rows padded to the widest one.
fn read_xlsx_cells(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, IoError> {
    let unreadable = |message: String| IoError::Unreadable {
        file: file.to_string(),
        message,
    };
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("not an Excel file: {e}")))?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| unreadable("the workbook has no sheet".into()))?;
    let mut reader = match book.worksheet_cells_reader(&first) {
        Ok(reader) => reader,
        // A chart sheet or a macro sheet first: no cells, as calamine's
        // own range reading treats it (the header is then missing).
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut filled = 0usize;
    let mut width = 0u32;
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
        if cell.get_value().is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= MAX_XLSX_ROWS || col >= MAX_XLSX_COLUMNS {
            return Err(unreadable(format!(
                "a cell lies outside Excel's grid (row {}, column {}; at most {MAX_XLSX_ROWS} \
                 rows and {MAX_XLSX_COLUMNS} columns)",
                u64::from(row) + 1,
                u64::from(col) + 1
            )));
        }
        filled += 1;
        if filled > MAX_XLSX_CELLS {
            return Err(too_many_cells(file));
        }
        width = width.max(col + 1);
        let text = cell_text(&Data::from(cell.get_value().clone()));
        rows.entry(row).or_default().push((col, text));
    }
    let width = width as usize;
    if rows.len().saturating_mul(width) > MAX_XLSX_CELLS {
        return Err(too_many_cells(file));
    }
    Ok(rows
        .into_iter()
        .map(|(row, filled)| {
            let mut cells = vec![String::new(); width];
            // A position given twice keeps the later cell, as a range does.
            for (col, text) in filled {
                cells[col as usize] = text;
            }
            (row as usize + 1, cells)
        })
        .collect())
}

fn too_many_cells(file: &str) -> IoError {
    IoError::Unreadable {
        file: file.to_string(),
        message: format!(
            "the first sheet is too large: more than {MAX_XLSX_CELLS} cells (rows × the widest \
             row); split the file"
        ),
    }
}

/// Excel stores numbers as floats; a whole number is shown without ".0" and
/// other numbers with the shortest text that reads back to the same value, so
/// "12.5" typed in Excel imports as "12.5". Money cells should be text
/// columns for full exactness; see docs/import-export.md.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel counts days from 1899-12-30; a whole day is shown as a date, a
/// fraction as date and time to the second.
fn excel_date_text(serial: f64) -> String {
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    let seconds = (serial * 86_400.0).round() as i64;
    match jiff::SignedDuration::from_secs(seconds)
        .try_into()
        .ok()
        .and_then(|span: jiff::Span| epoch.checked_add(span).ok())
    {
        Some(dt) if dt.time() == jiff::civil::Time::midnight() => dt.date().to_string(),
        Some(dt) => dt.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        None => serial.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_4_csv_with_bom_and_blank_lines_keeps_file_row_numbers() {
        let t = read_table(
            "p.csv",
            "\u{feff}sku,name\nA-1,衬衫\n\n,\nA-2,\"裤子, 长\"\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.columns, ["sku", "name"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 5);
        assert_eq!(t.cell(&t.rows[1], "name"), "裤子, 长");
    }

    #[test]
    fn int_4_csv_with_lone_cr_line_ends_keeps_file_row_numbers() {
        // Found by the fuzzing: "\u{80}\r\u{80}" numbered its one row 1.
        let t = read_table("old-mac.csv", "sku,qty\rA,1\r\rB,2\r".as_bytes()).unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        let t = read_table("fuzz.csv", "\u{80}\r\u{80}".as_bytes()).unwrap();
        assert_eq!(t.rows[0].line, 2);
    }

    #[test]
    fn int_4_csv_with_crlf_line_ends_keeps_file_row_numbers() {
        let t = read_table("p.csv", b"sku,name\r\nA-1,x\r\n\r\nA-2,\"a\r\nb\"\r\nA-3,y").unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn refuses_unknown_extension_and_duplicate_columns() {
        assert!(matches!(
            read_table("x.txt", b"a"),
            Err(IoError::UnsupportedFormat { .. })
        ));
        assert!(matches!(
            read_table("x.csv", b"a,a\n1,2\n"),
            Err(IoError::DuplicateColumn { .. })
        ));
        assert!(matches!(
            read_table("x.csv", b""),
            Err(IoError::NoHeader { .. })
        ));
    }

    #[test]
    fn int_4_xlsx_round_trip() {
        let mut t = Table::new("out.xlsx", vec!["sku".into(), "price".into()]);
        t.push(vec!["A-1".into(), "12.5".into()]);
        t.push(vec!["A-2".into(), "".into()]);
        let bytes = crate::write_table(&t, Format::Xlsx).unwrap();
        let back = read_table("in.xlsx", &bytes).unwrap();
        assert_eq!(back.columns, t.columns);
        assert_eq!(back.rows[0].cells, ["A-1", "12.5"]);
        assert_eq!(back.rows[1].line, 3);
    }

    #[test]
    fn garbage_xlsx_is_a_clear_error() {
        let err = read_table("bad.xlsx", b"not a zip").unwrap_err();
        assert!(
            err.to_string().starts_with("bad.xlsx: not an Excel file"),
            "{err}"
        );
    }
}
