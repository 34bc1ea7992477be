//! Building .xlsx files for tests: valid workbooks (the corpus the fuzzing
//! mutates) and the means to take one apart and put it back together with an
//! entry changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read, Write};

use kaidan_io::{Format, Table};
use rust_xlsxwriter::{ExcelDateTime, Formula, Workbook};
use zip::write::SimpleFileOptions;

/// The entries of a zip file, in order: (name, bytes).
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((entry.name().to_string(), data));
    }
    out
}

/// A zip file of `entries`, stored without compression (quick to write, and
/// a mutated entry reaches the reader's XML parser as it is).
pub fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            w.start_file(name.as_str(), options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// `bytes` with the entry `name` replaced by what `edit` makes of it.
pub fn edit_entry(bytes: &[u8], name: &str, edit: impl FnOnce(&str) -> String) -> Vec<u8> {
    let mut entries = unzip(bytes);
    let entry = entries
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no entry {name}"));
    entry.1 = edit(&String::from_utf8(entry.1.clone()).unwrap()).into_bytes();
    zip(&entries)
}

/// A products import as Kaidan's own export writes it (every cell text).
pub fn exported_products() -> Vec<u8> {
    let mut t = Table::new(
        "products.xlsx",
        ["sku", "name", "unit", "season", "list_price", "tax_rate"]
            .map(String::from)
            .to_vec(),
    );
    t.push(
        ["A-1", "衬衫", "件", "spring_summer", "129.00", "13%"]
            .map(String::from)
            .to_vec(),
    );
    t.push(
        ["A-2", "裤子, 长", "条", "none", "", "0.13"]
            .map(String::from)
            .to_vec(),
    );
    kaidan_io::write_table(&t, Format::Xlsx).unwrap()
}

/// A workbook as a person makes it in Excel: numbers, a date, a boolean, a
/// formula, an error value, cells away from A1 and a second sheet.
pub fn typed_cells() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(1, 1, "sku").unwrap();
    sheet.write_string(1, 2, "quantity").unwrap();
    sheet.write_string(1, 3, "arrives").unwrap();
    sheet.write_string(1, 4, "ok").unwrap();
    sheet.write_string(2, 1, "A-1").unwrap();
    sheet.write_number(2, 2, 12.0).unwrap();
    let date = ExcelDateTime::from_ymd(2026, 11, 23).unwrap();
    let dated = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(2, 3, &date, &dated)
        .unwrap();
    sheet.write_boolean(2, 4, true).unwrap();
    sheet.write_string(3, 1, "A-2").unwrap();
    sheet.write_number(3, 2, 2.5).unwrap();
    sheet
        .write_formula(3, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let other = book.add_worksheet();
    other.write_string(0, 0, "ignored").unwrap();
    book.save_to_buffer().unwrap()
}

/// The valid workbooks the fuzzing starts from, made once.
pub fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| vec![exported_products(), typed_cells()])
}
