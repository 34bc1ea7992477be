use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

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
    for record in reader.records() {
        let record = record.map_err(|e| IoError::Unreadable {
            file: file.to_string(),
            message: match e.position() {
                Some(p) => format!("row {}: {}", p.line(), e),
                None => e.to_string(),
            },
        })?;
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(out.len() + 1);
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

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, IoError> {
    let unreadable = |message: String| IoError::Unreadable {
        file: file.to_string(),
        message,
    };
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("not an Excel file: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("the workbook has no sheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell_text));
            (first_row + i + 1, cells)
        })
        .collect())
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
