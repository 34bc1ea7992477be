//! Order lines pasted from a spreadsheet (issue 21): a clerk copies rows
//! from Excel or WPS — SKU or bar code, quantity, optionally the unit price —
//! and they become order lines at once. Cells are separated by tabs (what a
//! spreadsheet puts on the clipboard), else by commas; a first row whose
//! quantity is not a number is taken for a header and skipped. Every bad row
//! is named with what is wrong; the good ones are kept.

use serde::{Deserialize, Serialize};

use super::intake::{MAX_LINE_QUANTITY, MAX_LINES};
use crate::{MAX_ANY_TEXT, Money};

/// The most text one paste may carry, in characters: the bound of every
/// text (about 400 rows). A longer paste is sent in parts, each with the
/// row it starts at.
pub const MAX_PASTE_CHARS: usize = MAX_ANY_TEXT;

/// A product code cell: the longer of the SKU (64) and bar code (48) limits.
const MAX_CODE_CHARS: usize = 64;

/// One good row: a product code and how many, perhaps at a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastedLine {
    /// The row in the pasted text, 1 = first.
    pub row: usize,
    /// SKU or bar code, as pasted (trimmed).
    pub code: String,
    pub quantity: i64,
    /// VAT-inclusive; absent: the customer's price.
    pub unit_price: Option<Money>,
}

/// What is wrong with one pasted row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasteProblem {
    /// The row in the pasted text, 1 = first; 0 for the paste as a whole.
    pub row: usize,
    /// `code`, `quantity`, `unit_price` or `text`.
    pub field: String,
    /// `required`, `invalid`, `out_of_range`, `too_long`, `unknown_reference`,
    /// `inactive`.
    pub code: String,
    /// What is wrong, in English (pages translate by `code`).
    pub message: String,
}

impl PasteProblem {
    pub fn new(row: usize, field: &str, code: &str, message: impl Into<String>) -> Self {
        PasteProblem {
            row,
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The rows of `text` as lines, and the problems of the rows that are not;
/// `first_row` is the row number of its first line (1 unless it is a later
/// part of a longer paste; only a first part may start with a header).
/// Blank rows are skipped silently.
pub fn parse_pasted_lines(text: &str, first_row: usize) -> (Vec<PastedLine>, Vec<PasteProblem>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let chars = text.chars().count();
    if chars > MAX_PASTE_CHARS || !(1..=MAX_LINES * 2).contains(&first_row) {
        problems.push(PasteProblem::new(
            0,
            "text",
            if chars > MAX_PASTE_CHARS { "too_long" } else { "out_of_range" },
            format!(
                "a paste holds at most {MAX_PASTE_CHARS} characters (this one {chars}) and starts at a row within 1..={}",
                MAX_LINES * 2
            ),
        ));
        return (lines, problems);
    }
    let separator = if text.contains('\t') { '\t' } else { ',' };
    let mut filled = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let row = first_row + i;
        let cells: Vec<&str> = raw.split(separator).map(clean).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        filled += 1;
        if filled > MAX_LINES {
            problems.push(PasteProblem::new(
                row,
                "text",
                "out_of_range",
                format!("an order has at most {MAX_LINES} lines; this row and those after it were not read"),
            ));
            break;
        }
        let code = cells.first().copied().unwrap_or_default();
        let quantity = cells.get(1).copied().unwrap_or_default();
        let price = cells.get(2).copied().unwrap_or_default();
        // A header row ("SKU, 数量, 单价") is the first filled row with a
        // quantity cell that holds no digit at all.
        if filled == 1
            && first_row == 1
            && !quantity.is_empty()
            && !quantity.chars().any(|c| c.is_ascii_digit())
        {
            continue;
        }
        match parse_row(row, code, quantity, price) {
            Ok(line) => lines.push(line),
            Err(mut p) => problems.append(&mut p),
        }
    }
    (lines, problems)
}

/// A cell without the quotes and spaces a spreadsheet may add.
fn clean(cell: &str) -> &str {
    let t = cell.trim();
    t.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t)
        .trim()
}

fn parse_row(
    row: usize,
    code: &str,
    quantity: &str,
    price: &str,
) -> Result<PastedLine, Vec<PasteProblem>> {
    let mut problems = Vec::new();
    if code.is_empty() {
        problems.push(PasteProblem::new(
            row,
            "code",
            "required",
            "the first cell must hold a SKU or bar code",
        ));
    } else if code.chars().count() > MAX_CODE_CHARS {
        problems.push(PasteProblem::new(
            row,
            "code",
            "too_long",
            format!("a SKU or bar code has at most {MAX_CODE_CHARS} characters"),
        ));
    }
    let qty = quantity.replace(',', "");
    let quantity = match qty.parse::<i64>() {
        _ if qty.is_empty() => {
            problems.push(PasteProblem::new(
                row,
                "quantity",
                "required",
                "the second cell must hold the quantity",
            ));
            0
        }
        Ok(q) if (1..=MAX_LINE_QUANTITY).contains(&q) => q,
        Ok(_) => {
            problems.push(PasteProblem::new(
                row,
                "quantity",
                "out_of_range",
                format!("quantity {qty} is outside 1..={MAX_LINE_QUANTITY}"),
            ));
            0
        }
        Err(_) if qty.chars().all(|c| c.is_ascii_digit()) => {
            problems.push(PasteProblem::new(
                row,
                "quantity",
                "out_of_range",
                format!("quantity {} is above {MAX_LINE_QUANTITY}", shorten(&qty)),
            ));
            0
        }
        Err(_) => {
            problems.push(PasteProblem::new(
                row,
                "quantity",
                "invalid",
                format!("quantity '{}' is not a whole number", shorten(quantity)),
            ));
            0
        }
    };
    let unit_price = if price.is_empty() {
        None
    } else {
        match price.parse::<Money>() {
            Ok(m) if !m.is_negative() => Some(m),
            Ok(_) => {
                problems.push(PasteProblem::new(
                    row,
                    "unit_price",
                    "out_of_range",
                    "a unit price may not be negative",
                ));
                None
            }
            Err(e) => {
                problems.push(PasteProblem::new(
                    row,
                    "unit_price",
                    "invalid",
                    format!("unit price '{}': {e}", shorten(price)),
                ));
                None
            }
        }
    };
    if problems.is_empty() {
        Ok(PastedLine {
            row,
            code: code.to_string(),
            quantity,
            unit_price,
        })
    } else {
        Err(problems)
    }
}

/// A bad cell as quoted back: at most 40 characters.
fn shorten(cell: &str) -> String {
    let mut s: String = cell.chars().take(40).collect();
    if cell.chars().count() > 40 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_separated_rows_become_lines_and_a_header_is_skipped() {
        let (lines, problems) =
            parse_pasted_lines("SKU\t数量\t单价\nA-1\t12\t\nB-2\t3\t19.90\r\n\n", 1);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].row, 2);
        assert_eq!(lines[0].code, "A-1");
        assert_eq!(lines[0].quantity, 12);
        assert_eq!(lines[0].unit_price, None);
        assert_eq!(lines[1].unit_price, Some("19.90".parse().unwrap()));
    }

    #[test]
    fn commas_separate_when_there_is_no_tab_and_quotes_are_dropped() {
        let (lines, problems) = parse_pasted_lines("\"A-1\",\"5\"\nB-2, 7 ,3.5", 1);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].quantity, 7);
    }

    #[test]
    fn every_bad_row_is_named_and_the_good_ones_are_kept() {
        let text = "A-1\t2\n\tfive\nB-2\t0\nC-3\t1,000\nD-4\t1\t-1\nE-5\tx\n";
        let (lines, problems) = parse_pasted_lines(text, 1);
        let codes: Vec<&str> = lines.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["A-1", "C-3"]);
        assert_eq!(lines[1].quantity, 1000);
        let named: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.row, p.field.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                (2, "code", "required"),
                (2, "quantity", "invalid"),
                (3, "quantity", "out_of_range"),
                (5, "unit_price", "out_of_range"),
                (6, "quantity", "invalid"),
            ]
        );
    }

    #[test]
    fn a_paste_past_the_bounds_is_refused_with_the_bound() {
        let big = "A\t1\n".repeat(MAX_PASTE_CHARS / 4 + 1);
        let (lines, problems) = parse_pasted_lines(&big, 1);
        assert!(lines.is_empty());
        assert_eq!(problems[0].code, "too_long");
        let many = "A\t1\n".repeat(MAX_LINES + 3);
        let (lines, problems) = parse_pasted_lines(&many, 1);
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, MAX_LINES + 1);
    }

    #[test]
    fn a_later_part_keeps_counting_rows_and_has_no_header() {
        let (lines, problems) = parse_pasted_lines("A\t1\nB\tabc\n", 401);
        assert_eq!(lines[0].row, 401);
        assert_eq!(
            (problems[0].row, problems[0].code.as_str()),
            (402, "invalid")
        );
        let (_, problems) = parse_pasted_lines("X\tqty\n", 2);
        assert_eq!(
            problems[0].field, "quantity",
            "no header skipped past row 1"
        );
        let (_, problems) = parse_pasted_lines("A\t1", 0);
        assert_eq!(problems[0].code, "out_of_range");
    }

    #[test]
    fn a_huge_quantity_is_out_of_range_not_a_panic() {
        let (_, problems) = parse_pasted_lines("A\t99999999999999999999999\nB\t1000000001", 1);
        assert_eq!(problems.len(), 2);
        assert!(
            problems
                .iter()
                .all(|p| p.field == "quantity" && p.code == "out_of_range")
        );
    }
}
