use rust_xlsxwriter::{Format as CellFormat, Workbook};

use crate::{Format, IoError, Table};

/// Writes a table as CSV (UTF-8 with BOM, so Excel shows Chinese correctly;
/// cells that a spreadsheet would run as formulas escaped, see
/// [`crate::formula`]) or as an Excel workbook with one sheet. Every cell
/// is written as text so that codes like "007" and exact amounts survive a
/// round trip.
pub fn write_table(table: &Table, format: Format) -> Result<Vec<u8>, IoError> {
    match format {
        Format::Csv => write_csv(table),
        Format::Xlsx => write_xlsx(table),
    }
}

fn write_csv(table: &Table) -> Result<Vec<u8>, IoError> {
    let err = |e: &dyn std::fmt::Display| IoError::Write {
        what: table.file.clone(),
        message: e.to_string(),
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&table.columns).map_err(|e| err(&e))?;
        for row in &table.rows {
            w.write_record(
                row.cells
                    .iter()
                    .map(|c| crate::formula::escape(c).into_owned()),
            )
            .map_err(|e| err(&e))?;
        }
        w.flush().map_err(|e| err(&e))?;
    }
    Ok(out)
}

fn write_xlsx(table: &Table) -> Result<Vec<u8>, IoError> {
    let err = |e: rust_xlsxwriter::XlsxError| IoError::Write {
        what: table.file.clone(),
        message: e.to_string(),
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = CellFormat::new().set_bold();
    for (c, name) in table.columns.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| IoError::Write {
            what: table.file.clone(),
            message: "too many columns".into(),
        })?;
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(err)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let line = u32::try_from(r + 1).map_err(|_| IoError::Write {
            what: table.file.clone(),
            message: "too many rows".into(),
        })?;
        for (c, cell) in row.cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string(line, col, cell).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}
