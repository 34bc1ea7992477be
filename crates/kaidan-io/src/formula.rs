//! CSV injection: a spreadsheet opening a CSV runs a cell that starts with
//! `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a
//! formula, so a customer name like `=HYPERLINK(...)` would act on the
//! clerk's machine. Such cells are written with a leading apostrophe, which
//! spreadsheets show as text, and read back without it so that an export
//! imports unchanged. Plain numbers (`-5.00`, `+3`) are left as they are:
//! a spreadsheet reads them as numbers, never as formulas.

/// The cell as it is safe to write into a CSV file.
pub fn escape(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_risky(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`escape`].
pub fn unescape(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if is_risky(rest) => rest.to_string(),
        _ => cell,
    }
}

fn is_risky(cell: &str) -> bool {
    let starts = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    starts && !is_plain_number(cell)
}

/// `-12`, `+3.50`, `-1,234.00`: a sign, digits, separators, one point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit() || c == ',')
        && whole.starts_with(|c: char| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_and_come_back() {
        for cell in [
            "=1+2",
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "\t=x",
            "=HYPERLINK(\"http://x\")",
        ] {
            let written = escape(cell).into_owned();
            assert!(written.starts_with('\''), "{cell}");
            assert_eq!(unescape(written), cell);
        }
    }

    #[test]
    fn numbers_and_plain_text_are_left_alone() {
        for cell in ["-5.00", "+3", "-1,234.50", "12", "abc", "'quoted", "", "-"] {
            let written = escape(cell);
            let expected = if cell == "-" { "'-" } else { cell };
            assert_eq!(written, expected);
            assert_eq!(unescape(written.into_owned()), cell);
        }
    }
}
