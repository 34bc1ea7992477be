//! SQLite's writer through rusqlite (ADR 0030).
//!
//! sqlx runs every SQLite statement on a worker thread of its own and
//! hands it there and back through channels: about 60 µs a statement on
//! this machine kind, where the C library needs a few. An order takes some
//! 70 statements on the single writer, so that hand-off alone capped
//! intake at a few hundred orders a second. Here the writer's statements
//! run on the calling task, against prepared statements kept in a cache.
//!
//! The query texts are the same as PostgreSQL's: `$n` parameters are
//! bound by their number, whatever the order they appear in.

use std::path::Path;
use std::time::Duration;

use kaidan_app::ports::StoreError;
use rusqlite::types::{FromSql, Value};
use rusqlite::{Connection, ErrorCode, OpenFlags, Params};

use crate::error::corrupt;

/// How many prepared statements the writer keeps: every text the write
/// paths use, with room to spare; texts built per call (values written
/// into the text) are prepared once and not kept.
const STATEMENT_CACHE: usize = 512;

/// Opens the writer connection: WAL, durable commits (a commit is on disk
/// before it is acknowledged: `synchronous=NORMAL` writes the WAL at
/// COMMIT and group.rs flushes it before any unit of the batch is
/// answered, ADR 0032), foreign keys, and no automatic checkpoint (the
/// background checkpointer does it, group.rs).
pub(crate) fn open_writer(path: &Path, cache_mib: u32) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(map)?;
    // No busy timeout: SQLite would sleep on the calling thread; BEGIN
    // waits for another process asleep instead (group.rs).
    conn.busy_timeout(Duration::ZERO).map_err(map)?;
    // journal_mode answers with a row; the others do not.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(map)?;
    // An in-memory database cannot be shared with the readers either.
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "SQLite refused WAL mode for {} (it answered '{mode}')",
            path.display()
        )));
    }
    // temp_store = MEMORY: each unit of a group commit is a savepoint, and
    // SQLite copies every page a unit first changes into a sub-journal, a
    // temporary file written with a system call a page. Only a rollback to
    // the savepoint reads it back; recovery after a crash uses the WAL, so
    // memory is as safe, and the writes leave the writer's path.
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -{};",
        u64::from(cache_mib.max(1)) * 1024
    ))
    .map_err(map)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// SQLite's "the database is locked by another connection".
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code()
        .is_some_and(|c| matches!(c, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// Runs one statement of no result (BEGIN, COMMIT, SAVEPOINT …).
pub(crate) fn batch(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.execute_batch(sql).map_err(map)
}

/// A statement with its values, built like sqlx's `query(…).bind(…)`.
pub(crate) struct Query<'q> {
    sql: &'q str,
    args: Vec<Value>,
    /// Kept in the connection's statement cache (texts that recur).
    cached: bool,
}

/// `query_scalar`: the first column of each row as one value.
pub(crate) struct Scalar<'q>(Query<'q>);
/// `query_as`: each row as a tuple.
pub(crate) struct Tuple<'q>(Query<'q>);

pub(crate) fn query(sql: &str) -> Query<'_> {
    Query {
        sql,
        args: Vec::new(),
        cached: true,
    }
}

pub(crate) fn query_scalar(sql: &str) -> Scalar<'_> {
    Scalar(query(sql))
}

pub(crate) fn query_as(sql: &str) -> Tuple<'_> {
    Tuple(query(sql))
}

/// A value a query binds; the same types the store binds through sqlx.
pub(crate) trait Arg {
    fn value(self) -> Value;
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(self) -> Value {
                Value::Integer(i64::from(self))
            }
        }
    )*};
}
int_arg!(i64, i32, i16, i8, u32, u16, u8, bool);

impl Arg for f64 {
    fn value(self) -> Value {
        Value::Real(self)
    }
}
impl Arg for &str {
    fn value(self) -> Value {
        Value::Text(self.to_string())
    }
}
impl Arg for String {
    fn value(self) -> Value {
        Value::Text(self)
    }
}
impl Arg for &String {
    fn value(self) -> Value {
        Value::Text(self.clone())
    }
}
impl Arg for Vec<u8> {
    fn value(self) -> Value {
        Value::Blob(self)
    }
}
impl Arg for &[u8] {
    fn value(self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl Arg for &Vec<u8> {
    fn value(self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: Arg> Arg for Option<T> {
    fn value(self) -> Value {
        self.map_or(Value::Null, Arg::value)
    }
}

impl<'q> Query<'q> {
    pub(crate) fn bind(mut self, v: impl Arg) -> Self {
        self.args.push(v.value());
        self
    }

    /// Prepared for this call only: the text carries values of its own.
    pub(crate) fn persistent(mut self, keep: bool) -> Self {
        self.cached = keep;
        self
    }

    /// The number of rows the statement changed (0 for a read).
    pub(crate) fn execute(self, conn: &Connection) -> Result<u64, StoreError> {
        self.run(conn, |stmt| {
            let readonly = stmt.readonly();
            let mut rows = stmt.raw_query();
            while rows.next().map_err(map)?.is_some() {}
            Ok(if readonly { 0 } else { conn.changes() })
        })
    }

    /// Every row, each through `map`.
    pub(crate) fn fetch_map<T>(
        self,
        conn: &Connection,
        mut decode: impl FnMut(&rusqlite::Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.run(conn, |stmt| {
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(map)? {
                out.push(decode(r)?);
            }
            Ok(out)
        })
    }

    /// The first row, if any, through `map`.
    pub(crate) fn fetch_opt_map<T>(
        self,
        conn: &Connection,
        decode: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.run(conn, |stmt| {
            let mut rows = stmt.raw_query();
            let first = match rows.next().map_err(map)? {
                Some(r) => Some(decode(r)?),
                None => None,
            };
            // Step to the end: a RETURNING statement changes every row it
            // would return only when it is run to completion.
            while rows.next().map_err(map)?.is_some() {}
            Ok(first)
        })
    }

    fn run<T>(
        self,
        conn: &Connection,
        f: impl FnOnce(&mut rusqlite::Statement<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.cached {
            let mut stmt = conn.prepare_cached(self.sql).map_err(map)?;
            bind_all(&mut stmt, self.args)?;
            f(&mut stmt)
        } else {
            let mut stmt = conn.prepare(self.sql).map_err(map)?;
            bind_all(&mut stmt, self.args)?;
            f(&mut stmt)
        }
    }
}

/// Runs one statement once per row of values (a tuple each, binding `$1`,
/// `$2`, … in order), prepared once and kept: the allocation run's writes
/// (ADR 0031). A multi-row text costs its parse and, per bound value, a
/// lookup of its `$n` that walks the names of every parameter before it;
/// an `UPDATE … FROM (VALUES …)` first runs its join into a temporary
/// table. The rows changed, summed; the first failing row stops the loop
/// with its error.
pub(crate) fn exec_each<P: Params>(
    conn: &Connection,
    sql: &str,
    rows: impl IntoIterator<Item = P>,
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map)?;
    if !numbered_in_order(&stmt) {
        return Err(StoreError::Other(format!(
            "a per-row statement must number its values $1, $2, … in order: {}",
            sql.chars().take(80).collect::<String>()
        )));
    }
    let mut changed = 0u64;
    for row in rows {
        changed += u64::try_from(stmt.execute(row).map_err(map)?).unwrap_or(u64::MAX);
    }
    Ok(changed)
}

/// Whether `$n` is at position n for every n: when `$1`, `$2`, … first
/// appear in that order (SQLite numbers named parameters as it meets
/// them), values bind by position.
fn numbered_in_order(stmt: &rusqlite::Statement<'_>) -> bool {
    (1..=stmt.parameter_count()).all(|i| {
        stmt.parameter_name(i)
            .and_then(|n| n.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            == Some(i)
    })
}

/// Binds `$1`, `$2`, … by their number; a text of `?` placeholders binds
/// in order.
fn bind_all(stmt: &mut rusqlite::Statement<'_>, args: Vec<Value>) -> Result<(), StoreError> {
    let count = stmt.parameter_count();
    if count != args.len() && count > 0 && stmt.parameter_name(1).is_none() {
        return Err(StoreError::Other(format!(
            "a statement takes {count} values and was given {}",
            args.len()
        )));
    }
    // By position when the text numbers its values in order (the usual
    // case; looking a name up walks every name before it, which for a
    // text of thousands of values is millions of compares).
    let named =
        stmt.parameter_name(1).is_some_and(|n| n.starts_with('$')) && !numbered_in_order(stmt);
    for (i, v) in args.into_iter().enumerate() {
        let index = if named {
            match stmt.parameter_index(&format!("${}", i + 1)).map_err(map)? {
                Some(index) => index,
                // A value the text does not use (sqlx ignores it too).
                None => continue,
            }
        } else if i < count {
            i + 1
        } else {
            continue;
        };
        stmt.raw_bind_parameter(index, v).map_err(map)?;
    }
    Ok(())
}

/// A column value of a row, as sqlx decodes it on SQLite.
pub(crate) trait Col: Sized {
    fn col(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, StoreError>;
}

impl<T: FromSql> Col for T {
    fn col(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, StoreError> {
        row.get(i).map_err(map)
    }
}

/// A row as a tuple (`query_as`).
pub(crate) trait FromRow: Sized {
    fn from_row(row: &rusqlite::Row<'_>) -> Result<Self, StoreError>;
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Col),+> FromRow for ($($t,)+) {
            fn from_row(row: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
                Ok(($($t::col(row, $i)?,)+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);

macro_rules! fetchers {
    ($ty:ident, $bound:ident, $decode:expr) => {
        impl<'q> $ty<'q> {
            pub(crate) fn bind(self, v: impl Arg) -> Self {
                $ty(self.0.bind(v))
            }
            pub(crate) fn persistent(self, keep: bool) -> Self {
                $ty(self.0.persistent(keep))
            }
            pub(crate) fn fetch_all<T: $bound>(
                self,
                conn: &Connection,
            ) -> Result<Vec<T>, StoreError> {
                self.0.fetch_map(conn, $decode)
            }
            // All three fetches of sqlx, so a call compiles on either
            // engine; not every kind has a caller yet.
            #[allow(dead_code)]
            pub(crate) fn fetch_optional<T: $bound>(
                self,
                conn: &Connection,
            ) -> Result<Option<T>, StoreError> {
                self.0.fetch_opt_map(conn, $decode)
            }
            pub(crate) fn fetch_one<T: $bound>(self, conn: &Connection) -> Result<T, StoreError> {
                let sql = self.0.sql;
                self.0.fetch_opt_map(conn, $decode)?.ok_or_else(|| {
                    StoreError::Other(format!(
                        "a row that must exist was not there: {}",
                        sql.chars().take(80).collect::<String>()
                    ))
                })
            }
        }
    };
}
fetchers!(Scalar, Col, |r| T::col(r, 0));
fetchers!(Tuple, FromRow, T::from_row);

/// `RowExt` (row.rs) for rusqlite's rows: columns by name.
pub(crate) fn get<T: FromSql>(row: &rusqlite::Row<'_>, col: &str) -> Result<T, StoreError> {
    row.get(col).map_err(map)
}

/// Turns a rusqlite error into a store error that names the broken rule,
/// as `error::map` does for sqlx's.
pub(crate) fn map(e: rusqlite::Error) -> StoreError {
    let rusqlite::Error::SqliteFailure(failure, message) = &e else {
        return match e {
            rusqlite::Error::QueryReturnedNoRows => {
                StoreError::Other("a row that must exist was not there".into())
            }
            rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnName(..) => corrupt(e),
            other => StoreError::Database(Box::new(other)),
        };
    };
    let message = message.clone().unwrap_or_default();
    if let Some(bound) = crate::bounds::from_sqlite(&message) {
        return bound;
    }
    const UNIQUE: i32 = 2067;
    const PRIMARY_KEY: i32 = 1555;
    const FOREIGN_KEY: i32 = 787;
    const CHECK: i32 = 275;
    match failure.code {
        ErrorCode::ConstraintViolation => match failure.extended_code {
            UNIQUE | PRIMARY_KEY => crate::error::unique(&message, None),
            FOREIGN_KEY => StoreError::MissingReference { detail: message },
            CHECK => StoreError::CheckViolation { detail: message },
            _ => StoreError::Database(Box::new(e)),
        },
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Conflict,
        ErrorCode::TooBig => StoreError::ValueRefused { detail: message },
        ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => {
            StoreError::Unavailable(message)
        }
        _ => StoreError::Database(Box::new(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL UNIQUE, b INTEGER CHECK (b >= 0))",
        )
        .unwrap();
        c
    }

    #[test]
    fn values_bind_by_their_number_in_any_order_and_more_than_once() {
        let c = conn();
        let n = query("INSERT INTO t (b, a) VALUES ($2, $1)")
            .bind("x")
            .bind(7i64)
            .execute(&c)
            .unwrap();
        assert_eq!(n, 1);
        let got: (String, i64) = query_as("SELECT a, b FROM t WHERE b = $1 AND a <> $2 AND b = $1")
            .bind(7i64)
            .bind("y")
            .fetch_one(&c)
            .unwrap();
        assert_eq!(got, ("x".to_string(), 7));
        let none: Option<i64> = query_scalar("SELECT b FROM t WHERE a = $1")
            .bind("nobody")
            .persistent(false)
            .fetch_optional(&c)
            .unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn a_broken_rule_is_told_apart() {
        let c = conn();
        query("INSERT INTO t (a, b) VALUES ($1, 1)")
            .bind("x")
            .execute(&c)
            .unwrap();
        let dup = query("INSERT INTO t (a, b) VALUES ($1, 1)")
            .bind("x")
            .execute(&c);
        assert!(
            matches!(&dup, Err(StoreError::Duplicate { field, .. }) if field == "a"),
            "{dup:?}"
        );
        let check = query("INSERT INTO t (a, b) VALUES ($1, -1)")
            .bind("y")
            .execute(&c);
        assert!(
            matches!(check, Err(StoreError::CheckViolation { .. })),
            "{check:?}"
        );
        let missing: Result<i64, _> = query_scalar("SELECT b FROM t WHERE a = $1")
            .bind("nobody")
            .fetch_one(&c);
        assert!(matches!(missing, Err(StoreError::Other(_))), "{missing:?}");
    }

    #[test]
    fn a_select_changes_nothing_and_returning_rows_are_all_written() {
        let c = conn();
        let ids: Vec<i64> = query_scalar("INSERT INTO t (a) VALUES ('p'), ('q') RETURNING id")
            .fetch_all(&c)
            .unwrap();
        assert_eq!(ids.len(), 2);
        // Only the first row is read; the statement still runs to its end.
        let first: Option<i64> = query_scalar("INSERT INTO t (a) VALUES ('r'), ('s') RETURNING id")
            .fetch_optional(&c)
            .unwrap();
        assert!(first.is_some());
        let count: i64 = query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&c)
            .unwrap();
        assert_eq!(count, 4);
        assert_eq!(query("SELECT * FROM t").execute(&c).unwrap(), 0);
    }
}
