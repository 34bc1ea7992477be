//! Issue 16, item 3: files crafted to break the spreadsheet reader give a
//! clear error naming the file, never a panic, and never ask for more
//! memory than their cells need.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_io::{IoError, MAX_XLSX_CELLS, read_table};

use crate::xlsx_files::{edit_entry, exported_products, zip};

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// The products export with its first shared-string cell pointing at
/// string number 999 of a list of a dozen.
pub fn shared_string_out_of_range() -> Vec<u8> {
    edit_entry(&exported_products(), SHEET, |xml| {
        let at = xml.find(r#"t="s""#).expect("a shared-string cell");
        let open = at + xml[at..].find("<v>").expect("its value") + 3;
        let close = open + xml[open..].find("</v>").expect("its end");
        format!("{}999{}", &xml[..open], &xml[close..])
    })
}

/// The fixture the command-line and API tests import: the file above, kept
/// in the repository so that they need no zip writer.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/files/shared-string-out-of-range.xlsx"
);

fn unreadable(file: &str, bytes: &[u8]) -> String {
    match read_table(file, bytes) {
        Err(e @ IoError::Unreadable { .. }) => e.to_string(),
        other => panic!("expected an unreadable file, got {other:?}"),
    }
}

#[test]
fn hardening_3_a_shared_string_index_out_of_range_is_a_clear_error_not_a_panic() {
    let message = unreadable("products.xlsx", &shared_string_out_of_range());
    assert!(
        message.starts_with("products.xlsx: not a readable .xlsx workbook: "),
        "{message}"
    );
    // The fixture is this very file (regenerate it with
    // `KAIDAN_WRITE_FIXTURES=1 cargo test -p kaidan-io crafted`).
    if std::env::var_os("KAIDAN_WRITE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, shared_string_out_of_range()).unwrap();
    }
    let fixture = std::fs::read(FIXTURE).unwrap();
    let message = unreadable("stock.xlsx", &fixture);
    assert!(
        message.starts_with("stock.xlsx: not a readable .xlsx workbook: "),
        "{message}"
    );
}

/// A minimal workbook whose one sheet is `sheet_data` (rows of inline
/// strings), as Excel lays the parts out.
fn workbook_with_sheet(sheet_data: &str) -> Vec<u8> {
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            SHEET,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        ),
    ];
    let entries: Vec<(String, Vec<u8>)> = parts
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.into_bytes()))
        .collect();
    zip(&entries)
}

fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn hardening_3_the_hand_made_workbook_reads() {
    // The helper itself makes readable workbooks, so the refusals below are
    // about the cells, not the packaging.
    let data = format!(
        "<row r=\"1\">{}{}</row><row r=\"3\">{}{}</row>",
        cell("A1", "sku"),
        cell("B1", "name"),
        cell("A3", "A-1"),
        cell("B3", "衬衫")
    );
    let t = read_table("h.xlsx", &workbook_with_sheet(&data)).unwrap();
    assert_eq!(t.columns, ["sku", "name"]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].line, 3);
    assert_eq!(t.rows[0].cells, ["A-1", "衬衫"]);
}

#[test]
fn hardening_3_two_cells_at_the_corners_of_the_grid_read_without_a_huge_table() {
    // calamine's range reading allocates every cell between the two: 17
    // billion here. Kaidan pads each filled row to the widest only.
    let data = format!(
        "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
        cell("A1", "sku"),
        cell("XFD1048576", "far")
    );
    let t = read_table("corners.xlsx", &workbook_with_sheet(&data)).unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].line, 1_048_576);
    assert_eq!(t.rows[0].cells.len(), 16_384);
    assert_eq!(t.rows[0].cells[16_383], "far");
}

#[test]
fn hardening_3_a_cell_outside_excels_grid_is_refused() {
    for at in ["XFE1", "AAAAA1", "A1048577", "A4294967"] {
        let data = format!("<row>{}{}</row>", cell("A1", "sku"), cell(at, "x"));
        let message = unreadable("grid.xlsx", &workbook_with_sheet(&data));
        assert!(
            message.starts_with("grid.xlsx: a cell lies outside Excel's grid"),
            "{at}: {message}"
        );
    }
    // One row further, calamine's own arithmetic overflows: a panic in a
    // debug build (caught, as any), a wrapped position in a release build
    // (then outside the grid, or a cell at a wrong place inside it).
    let data = format!(
        "<row>{}{}</row>",
        cell("A1", "sku"),
        cell("A4294967295", "x")
    );
    match read_table("grid.xlsx", &workbook_with_sheet(&data)) {
        Ok(t) => assert_eq!(t.columns, ["sku"]),
        Err(e) => assert!(e.to_string().starts_with("grid.xlsx: "), "{e}"),
    }
}

#[test]
fn hardening_3_a_sheet_wider_and_longer_than_the_cell_limit_is_refused() {
    let rows = MAX_XLSX_CELLS / 16_384 + 1;
    let mut data = String::new();
    for r in 1..=rows {
        data.push_str(&format!(
            "<row r=\"{r}\">{}</row>",
            cell(&format!("XFD{r}"), "x")
        ));
    }
    let message = unreadable("wide.xlsx", &workbook_with_sheet(&data));
    assert!(message.contains("too large"), "{message}");
}
