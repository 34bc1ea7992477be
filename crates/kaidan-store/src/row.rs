//! Reading and binding values the same way on both engines.

use jiff::Timestamp;
use kaidan_app::ports::StoreError;
use sqlx::Row;

use crate::error::{corrupt, map};

/// Typed column access for both engines' rows.
pub(crate) trait RowExt {
    fn i64(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn bool(&self, col: &str) -> Result<bool, StoreError>;
    fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError>;
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError>;

    fn ts(&self, col: &str) -> Result<Timestamp, StoreError> {
        from_micros(self.i64(col)?)
    }

    fn parsed<T: std::str::FromStr>(&self, col: &str) -> Result<T, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        let t = self.text(col)?;
        t.parse().map_err(|e| corrupt(format!("{col} '{t}': {e}")))
    }

    fn opt_parsed<T: std::str::FromStr>(&self, col: &str) -> Result<Option<T>, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(t) => t
                .parse()
                .map(Some)
                .map_err(|e| corrupt(format!("{col} '{t}': {e}"))),
        }
    }
}

macro_rules! row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn i64(&self, col: &str) -> Result<i64, StoreError> {
                self.try_get::<i64, _>(col).map_err(map)
            }
            fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
                self.try_get::<Option<i64>, _>(col).map_err(map)
            }
            fn text(&self, col: &str) -> Result<String, StoreError> {
                self.try_get::<String, _>(col).map_err(map)
            }
            fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
                self.try_get::<Option<String>, _>(col).map_err(map)
            }
            fn bool(&self, col: &str) -> Result<bool, StoreError> {
                self.try_get::<bool, _>(col).map_err(map)
            }
            fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError> {
                self.try_get::<Option<bool>, _>(col).map_err(map)
            }
            fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError> {
                self.try_get::<Option<Vec<u8>>, _>(col).map_err(map)
            }
        }
    };
}
row_ext!(sqlx::sqlite::SqliteRow);
row_ext!(sqlx::postgres::PgRow);

// The SQLite writer's rows (lite.rs).
impl RowExt for rusqlite::Row<'_> {
    fn i64(&self, col: &str) -> Result<i64, StoreError> {
        crate::lite::get(self, col)
    }
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
        crate::lite::get(self, col)
    }
    fn text(&self, col: &str) -> Result<String, StoreError> {
        crate::lite::get(self, col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        crate::lite::get(self, col)
    }
    fn bool(&self, col: &str) -> Result<bool, StoreError> {
        crate::lite::get(self, col)
    }
    fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError> {
        crate::lite::get(self, col)
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError> {
        crate::lite::get(self, col)
    }
}

/// A stored line number (1, 2, …).
pub(crate) fn line_no(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(crate::error::corrupt)
}

pub(crate) fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn from_micros(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(v).map_err(|e| corrupt(format!("timestamp {v}: {e}")))
}

/// A value to bind, so column lists can be built at run time and bound on
/// either engine (`tx::bind!`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    I(i64),
    OptI(Option<i64>),
    T(String),
    OptT(Option<String>),
    B(bool),
    OptB(Option<bool>),
}

/// `(LOWER(code) LIKE $n OR LOWER(name) LIKE $m)` for a search text, with
/// its values appended to `vals`; `None` when there is nothing to search.
/// `%` and `_` typed by a user match themselves literally by being dropped.
pub(crate) fn search_clause(
    code: &str,
    name: &str,
    search: Option<&str>,
    vals: &mut Vec<Val>,
) -> Option<String> {
    let s = search.map(str::trim).filter(|s| !s.is_empty())?;
    let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
    vals.push(Val::T(pattern.clone()));
    vals.push(Val::T(pattern));
    Some(format!(
        "(LOWER({code}) LIKE ${} OR LOWER({name}) LIKE ${})",
        vals.len() - 1,
        vals.len()
    ))
}

/// `WHERE a AND b …` of a list of conditions; empty for none.
pub(crate) fn where_all(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// `$first, $first+1, …` for `n` values, e.g. an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// WHERE clauses with their values; `$?` in a clause stands for the next
/// value's placeholder.
#[derive(Default)]
pub(crate) struct Filters {
    pub(crate) clauses: Vec<String>,
    pub(crate) vals: Vec<Val>,
}

impl Filters {
    pub(crate) fn push<const N: usize>(&mut self, clause: &str, vals: [Val; N]) {
        let mut text = String::with_capacity(clause.len() + 8);
        let mut parts = clause.split("$?");
        if let Some(first) = parts.next() {
            text.push_str(first);
        }
        for (part, v) in parts.zip(vals) {
            self.vals.push(v);
            text.push_str(&format!("${}", self.vals.len()));
            text.push_str(part);
        }
        self.clauses.push(text);
    }
}
