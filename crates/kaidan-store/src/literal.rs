//! Integers written into a statement's text instead of bound as parameters,
//! for the bulk writes of an allocation run (hundreds of thousands of keys
//! and quantities). The SQLite driver's cost per bound parameter grows with
//! the parameters of one statement, so a statement of literals can carry
//! thousands of rows for the cost of a few hundred bound ones. Only `i64`
//! values are ever written this way: a formatted integer cannot change the
//! statement's meaning. Text is still bound.

use std::fmt::Write as _;

/// Rows per statement of literal integers: the statement stays a few tens
/// of kilobytes, well inside both engines' limits.
pub(crate) const LITERAL_ROWS: usize = 2_000;

/// `(1, 2, 3), (4, 5, 6)`: one tuple per row, e.g. for `VALUES`.
pub(crate) fn int_tuples<const N: usize>(rows: impl IntoIterator<Item = [i64; N]>) -> String {
    let mut s = String::new();
    for (i, row) in rows.into_iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for (k, v) in row.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            // Writing into a String cannot fail.
            let _ = write!(s, "{v}");
        }
        s.push(')');
    }
    s
}

/// `1, 2, 3`: e.g. for `IN (…)`.
pub(crate) fn int_list(values: impl IntoIterator<Item = i64>) -> String {
    let mut s = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{v}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_and_lists_are_plain_sql() {
        assert_eq!(int_tuples([[1, -2], [3, 4]]), "(1, -2), (3, 4)");
        assert_eq!(int_tuples(Vec::<[i64; 2]>::new()), "");
        assert_eq!(int_list([7, 8, i64::MIN]), "7, 8, -9223372036854775808");
    }
}
