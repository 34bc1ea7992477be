//! The plain baselines of `kaidan bench intake` and `kaidan bench allocate`
//! (issue 17, ADR 0029, docs/PERFORMANCE.md): the same storage work as the
//! bench's other side, done the fastest plain way on the same engine and
//! without Kaidan's stack. SQLite: rusqlite with cached prepared statements
//! on one blocking thread, WAL, `synchronous=FULL`. PostgreSQL: one
//! connection, COPY and multi-row INSERTs each timed, so the bench can keep
//! the faster. The row texts are those of the store baseline (raw.rs,
//! bench_data.rs), so every baseline writes the same columns and values.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use kaidan_app::ports::StoreError;
use rusqlite::types::{ToSql, ToSqlOutput};
use sqlx::Connection;

use crate::Db;
use crate::bench_data::{
    BASELINE_FUNDS, BASELINE_LINES, BASELINE_SUPPLY, LineTuple, ResultRow, greedy_walk,
};
use crate::error::{ConnectError, map};
use crate::raw::{
    ACCOUNT_ENTRY, AUDIT, EVENT, LINE, ORDER, OUTBOX, RawShape, STOCK_MOVE, VERSION, pad,
};

/// How a plain baseline wrote, and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainFigure {
    /// `rusqlite`, `COPY` or `multi-row INSERT`.
    pub method: &'static str,
    pub took: Duration,
}

/// The child row kinds of an order, in the order `child_rows` numbers them.
const KINDS: [&str; 7] = [
    LINE,
    VERSION,
    EVENT,
    AUDIT,
    OUTBOX,
    STOCK_MOVE,
    ACCOUNT_ENTRY,
];

const PLAIN_RESULT_TABLE: &str = "CREATE TABLE IF NOT EXISTS bench_plain_allocation_result (order_id BIGINT NOT NULL, \
     line_no BIGINT NOT NULL, product_id BIGINT NOT NULL, quantity BIGINT NOT NULL, locked BOOLEAN NOT NULL)";
const PLAIN_RESULT_ROW: &str = "INSERT INTO bench_plain_allocation_result (order_id, line_no, product_id, quantity, locked) \
     VALUES ($1, $2, $3, $4, $5)";

/// PostgreSQL's limit on bind parameters per statement.
const PG_MAX_BINDS: usize = 65_535;

#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Int(i64),
    Text(&'a str),
}

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Int(i) => ToSqlOutput::from(*i),
            Cell::Text(t) => ToSqlOutput::from(*t),
        })
    }
}

/// The text payloads of one order, of the sizes the real run left.
struct Payloads {
    document: String,
    event: String,
    audit: String,
    outbox: String,
}

impl Payloads {
    fn of(shape: &RawShape) -> Payloads {
        Payloads {
            document: pad(shape.document_bytes),
            event: pad(shape.event_bytes),
            audit: pad(shape.audit_bytes),
            outbox: pad(shape.outbox_bytes),
        }
    }
}

/// The rows below order `id`, each as (index into `KINDS`, its binds in
/// `$n` order): the same rows as `raw_order_inserts` writes.
fn child_rows<'a>(
    shape: &RawShape,
    p: &'a Payloads,
    id: i64,
    (customer, product, warehouse): (i64, i64, i64),
) -> Vec<(usize, Vec<Cell<'a>>)> {
    use Cell::{Int, Text};
    let number = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut rows = Vec::with_capacity(shape.rows());
    for line in 1..=number(shape.lines) {
        rows.push((0, vec![Int(id), Int(line), Int(product)]));
    }
    for version in 1..=number(shape.versions) {
        rows.push((1, vec![Int(id), Int(version), Text(&p.document)]));
    }
    for _ in 0..shape.events {
        rows.push((2, vec![Int(id), Text(&p.event)]));
    }
    for _ in 0..shape.audit_rows {
        rows.push((3, vec![Int(id), Text(&p.audit)]));
    }
    for _ in 0..shape.outbox_rows {
        rows.push((4, vec![Int(id), Text(&p.outbox)]));
    }
    for _ in 0..shape.stock_moves {
        rows.push((5, vec![Int(product), Int(warehouse)]));
    }
    for _ in 0..shape.account_entries {
        rows.push((6, vec![Int(customer), Int(id)]));
    }
    rows
}

/// A single-row `INSERT INTO t (columns) VALUES (values)` taken apart, to
/// write the same row as COPY text or as one of many VALUES groups.
struct RowText {
    table: String,
    columns: String,
    /// Each value: `$n` (a bind) or a literal (`'text'` or a number).
    values: Vec<String>,
}

impl RowText {
    fn parse(sql: &str) -> Result<RowText, StoreError> {
        let bad = || StoreError::Other(format!("not a single-row INSERT: {sql}"));
        let rest = sql.strip_prefix("INSERT INTO ").ok_or_else(bad)?;
        let (head, values) = rest.split_once(" VALUES (").ok_or_else(bad)?;
        let (table, columns) = head.split_once(" (").ok_or_else(bad)?;
        let columns = columns.strip_suffix(')').ok_or_else(bad)?;
        let values = values.strip_suffix(')').ok_or_else(bad)?;
        Ok(RowText {
            table: table.to_string(),
            columns: columns.to_string(),
            values: values.split(", ").map(str::to_string).collect(),
        })
    }

    fn binds(&self) -> usize {
        self.values.iter().filter(|v| v.starts_with('$')).count()
    }

    /// `INSERT ... VALUES (...), (...)` for `rows` rows, binds renumbered.
    fn multi_row(&self, rows: usize) -> String {
        let per_row = self.binds();
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.table, self.columns);
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (i, v) in self.values.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                match v.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) => sql.push_str(&format!("${}", r * per_row + n)),
                    None => sql.push_str(v),
                }
            }
            sql.push(')');
        }
        sql
    }

    fn copy_statement(&self) -> String {
        format!("COPY {} ({}) FROM STDIN", self.table, self.columns)
    }

    /// One line of COPY text format for a row with binds `cells`.
    fn copy_line(&self, cells: &[Cell<'_>], out: &mut String) {
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            let bind = v
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| cells.get(n.saturating_sub(1)));
            match bind {
                Some(Cell::Int(n)) => out.push_str(&n.to_string()),
                Some(Cell::Text(t)) => copy_escape(t, out),
                None => copy_escape(v.trim_matches('\''), out),
            }
        }
        out.push('\n');
    }
}

/// COPY's text format: backslash, tab and line ends escaped.
fn copy_escape(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn rusqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// A connection of the plain SQLite baseline with Kaidan's durability
/// (WAL, `synchronous=FULL`, foreign keys on) and page cache.
fn open_plain(path: &Path, cache_mib: u32) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open(path).map_err(rusqlite_error)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(rusqlite_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Other(format!(
            "{} refused WAL (journal mode {mode})",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(rusqlite_error)?;
    // 2 is FULL: the baseline must not be faster by being less durable.
    let synchronous: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .map_err(rusqlite_error)?;
    if synchronous != 2 {
        return Err(StoreError::Other(format!(
            "{} refused synchronous=FULL ({synchronous})",
            path.display()
        )));
    }
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(rusqlite_error)?;
    conn.pragma_update(None, "cache_size", -i64::from(cache_mib.max(1)) * 1024)
        .map_err(rusqlite_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(rusqlite_error)?;
    // What setup left in the WAL is not the baseline's work: without this,
    // its first commit would pay for checkpointing the generated data.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(rusqlite_error)?;
    Ok(conn)
}

/// The plain SQLite intake: every row its own cached prepared INSERT,
/// `per_tx` orders a transaction, on this (blocking) thread.
fn sqlite_intake(
    path: &Path,
    orders: usize,
    shape: &RawShape,
    per_tx: usize,
    refs: (i64, i64, i64),
) -> Result<Duration, StoreError> {
    let mut conn = open_plain(path, crate::DbOptions::default().sqlite_cache_mib)?;
    let p = Payloads::of(shape);
    let start = Instant::now();
    let mut done = 0;
    while done < orders {
        let n = per_tx.max(1).min(orders - done);
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(rusqlite_error)?;
        for _ in 0..n {
            tx.prepare_cached(ORDER)
                .and_then(|mut s| s.execute(rusqlite::params![refs.0, p.document]))
                .map_err(rusqlite_error)?;
            let id = tx.last_insert_rowid();
            for (kind, cells) in child_rows(shape, &p, id, refs) {
                tx.prepare_cached(KINDS[kind])
                    .and_then(|mut s| s.execute(rusqlite::params_from_iter(cells)))
                    .map_err(rusqlite_error)?;
            }
        }
        tx.commit().map_err(rusqlite_error)?;
        done += n;
    }
    Ok(start.elapsed())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgMethod {
    Copy,
    MultiRow,
}

/// The plain PostgreSQL intake on one connection: `per_tx` orders a
/// transaction, their headers in one multi-row INSERT (for the ids), the
/// rows below them per table in one COPY or in multi-row INSERTs.
async fn pg_intake(
    conn: &mut sqlx::PgConnection,
    method: PgMethod,
    orders: usize,
    shape: &RawShape,
    per_tx: usize,
    refs: (i64, i64, i64),
) -> Result<Duration, StoreError> {
    let header = RowText::parse(ORDER)?;
    let kinds = KINDS
        .iter()
        .map(|k| RowText::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    let p = Payloads::of(shape);
    let start = Instant::now();
    let mut done = 0;
    while done < orders {
        let n = per_tx.max(1).min(orders - done);
        let mut tx = conn.begin().await.map_err(map)?;
        let sql = format!("{} RETURNING id", header.multi_row(n));
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for _ in 0..n {
            q = q.bind(refs.0).bind(p.document.as_str());
        }
        let ids = q.fetch_all(&mut *tx).await.map_err(map)?;
        let mut per_kind: Vec<Vec<Vec<Cell<'_>>>> = vec![Vec::new(); KINDS.len()];
        for id in ids {
            for (kind, cells) in child_rows(shape, &p, id, refs) {
                per_kind[kind].push(cells);
            }
        }
        for (kind, rows) in kinds.iter().zip(&per_kind) {
            if rows.is_empty() {
                continue;
            }
            match method {
                PgMethod::Copy => {
                    let mut text = String::new();
                    for cells in rows {
                        kind.copy_line(cells, &mut text);
                    }
                    let mut copy = tx.copy_in_raw(&kind.copy_statement()).await.map_err(map)?;
                    copy.send(text.into_bytes()).await.map_err(map)?;
                    copy.finish().await.map_err(map)?;
                }
                PgMethod::MultiRow => {
                    let per_statement = PG_MAX_BINDS / kind.binds().max(1);
                    for chunk in rows.chunks(per_statement) {
                        let sql = kind.multi_row(chunk.len());
                        let mut q = sqlx::query(&sql);
                        for cell in chunk.iter().flatten() {
                            q = match *cell {
                                Cell::Int(i) => q.bind(i),
                                Cell::Text(t) => q.bind(t),
                            };
                        }
                        q.execute(&mut *tx).await.map_err(map)?;
                    }
                }
            }
        }
        tx.commit().await.map_err(map)?;
        done += n;
    }
    Ok(start.elapsed())
}

/// A scratch PostgreSQL database for a bench's baselines, created next to
/// the one a URL names and dropped by [`ScratchPg::drop_database`].
#[derive(Debug)]
pub struct ScratchPg {
    admin: String,
    name: String,
    /// The URL of the scratch database.
    pub url: String,
}

impl ScratchPg {
    /// Creates an empty database `{name}` on the server of `url`.
    pub async fn create(url: &str, name: &str) -> Result<ScratchPg, ConnectError> {
        let open = |e: &dyn std::fmt::Display| ConnectError::Open(e.to_string());
        // The name is ours (a fixed word and a process id), never input.
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(ConnectError::Open(format!(
                "bad scratch database name {name}"
            )));
        }
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .map_err(|e| open(&e))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| open(&e))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| open(&e))?;
        conn.close().await.map_err(|e| open(&e))?;
        let mut scratch = url::Url::parse(url).map_err(|e| open(&e))?;
        scratch.set_path(name);
        Ok(ScratchPg {
            admin: url.to_string(),
            name: name.to_string(),
            url: scratch.to_string(),
        })
    }

    /// Drops the scratch database. FORCE: a closed pool's server
    /// processes may still be ending, and nobody else uses this database.
    pub async fn drop_database(self) -> Result<(), ConnectError> {
        let open = |e: &dyn std::fmt::Display| ConnectError::Open(e.to_string());
        let mut conn = sqlx::PgConnection::connect(&self.admin)
            .await
            .map_err(|e| open(&e))?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| open(&e))?;
        conn.close().await.map_err(|e| open(&e))
    }
}

impl Db {
    /// The plain intake baseline: `orders` orders of `shape`, `per_tx`
    /// orders a transaction, for `refs` = (customer, product, warehouse),
    /// into this fresh, migrated database, which nothing else writes to
    /// meanwhile. SQLite: one figure (rusqlite). PostgreSQL: two figures,
    /// COPY and multi-row INSERT, each writing its own `orders` orders.
    pub async fn plain_order_inserts(
        &self,
        orders: usize,
        shape: &RawShape,
        per_tx: usize,
        refs: (i64, i64, i64),
    ) -> Result<Vec<PlainFigure>, StoreError> {
        if let Some(path) = self.sqlite_path() {
            let shape = shape.clone();
            let took = tokio::task::spawn_blocking(move || {
                sqlite_intake(&path, orders, &shape, per_tx, refs)
            })
            .await
            .map_err(|e| StoreError::Other(format!("plain SQLite baseline: {e}")))??;
            return Ok(vec![PlainFigure {
                method: "rusqlite",
                took,
            }]);
        }
        let pool = self
            .pg_pool()
            .ok_or_else(|| StoreError::Other("neither SQLite nor PostgreSQL".into()))?;
        let mut conn = pool.acquire().await.map_err(map)?;
        let mut figures = Vec::new();
        for (method, name) in [
            (PgMethod::Copy, "COPY"),
            (PgMethod::MultiRow, "multi-row INSERT"),
        ] {
            let took = pg_intake(&mut conn, method, orders, shape, per_tx, refs).await?;
            figures.push(PlainFigure { method: name, took });
        }
        Ok(figures)
    }

    /// The plain allocation baseline: the reads, sort and greedy walk of
    /// `allocate_baseline`, then one result row per allocated or locked
    /// line into a scratch table, in one write transaction. SQLite:
    /// rusqlite on a blocking thread, one cached prepared INSERT a row.
    /// PostgreSQL: one connection, the rows in one `COPY … FROM STDIN`.
    pub async fn plain_allocate_baseline(
        &self,
        cache_mib: u32,
    ) -> Result<crate::BaselineFigures, StoreError> {
        if let Some(path) = self.sqlite_path() {
            return tokio::task::spawn_blocking(move || sqlite_allocate(&path, cache_mib))
                .await
                .map_err(|e| StoreError::Other(format!("plain allocation baseline: {e}")))?;
        }
        let pool = self
            .pg_pool()
            .ok_or_else(|| StoreError::Other("neither SQLite nor PostgreSQL".into()))?;
        let mut conn = pool.acquire().await.map_err(map)?;
        pg_allocate(&mut conn).await
    }
}

async fn pg_allocate(conn: &mut sqlx::PgConnection) -> Result<crate::BaselineFigures, StoreError> {
    let start = Instant::now();
    let mut tx = conn.begin().await.map_err(map)?;
    let supply: Vec<(i64, i64)> = sqlx::query_as(BASELINE_SUPPLY)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
    let funds: Vec<(i64, i64)> = sqlx::query_as(BASELINE_FUNDS)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
    let lines: Vec<LineTuple> = sqlx::query_as(BASELINE_LINES)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    let read = lines.len();
    let result: Vec<ResultRow> = greedy_walk(lines, supply, funds);
    let mut text = String::with_capacity(result.len() * 32);
    for (order, line, product, quantity, locked) in &result {
        let locked = if *locked { 't' } else { 'f' };
        let _ = writeln!(text, "{order}\t{line}\t{product}\t{quantity}\t{locked}");
    }
    let mut tx = conn.begin().await.map_err(map)?;
    sqlx::query(PLAIN_RESULT_TABLE)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    let mut copy = tx
        .copy_in_raw(
            "COPY bench_plain_allocation_result (order_id, line_no, product_id, quantity, locked) FROM STDIN",
        )
        .await
        .map_err(map)?;
    copy.send(text.into_bytes()).await.map_err(map)?;
    copy.finish().await.map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(crate::BaselineFigures {
        read,
        written: result.len(),
        took: start.elapsed(),
    })
}

fn sqlite_allocate(path: &Path, cache_mib: u32) -> Result<crate::BaselineFigures, StoreError> {
    let mut conn = open_plain(path, cache_mib)?;
    let start = Instant::now();
    let tx = conn.transaction().map_err(rusqlite_error)?;
    let read_all = |sql: &str| -> rusqlite::Result<Vec<(i64, i64)>> {
        let mut s = tx.prepare(sql)?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    let supply = read_all(BASELINE_SUPPLY).map_err(rusqlite_error)?;
    let funds = read_all(BASELINE_FUNDS).map_err(rusqlite_error)?;
    let lines: Vec<LineTuple> = {
        let mut s = tx.prepare(BASELINE_LINES).map_err(rusqlite_error)?;
        let rows = s
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .map_err(rusqlite_error)?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(rusqlite_error)?
    };
    tx.commit().map_err(rusqlite_error)?;
    let read = lines.len();
    let result: Vec<ResultRow> = greedy_walk(lines, supply, funds);
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(rusqlite_error)?;
    tx.execute(PLAIN_RESULT_TABLE, []).map_err(rusqlite_error)?;
    {
        let mut insert = tx
            .prepare_cached(PLAIN_RESULT_ROW)
            .map_err(rusqlite_error)?;
        for (order, line, product, quantity, locked) in &result {
            insert
                .execute(rusqlite::params![order, line, product, quantity, locked])
                .map_err(rusqlite_error)?;
        }
    }
    tx.commit().map_err(rusqlite_error)?;
    Ok(crate::BaselineFigures {
        read,
        written: result.len(),
        took: start.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_text_renders_as_multi_row_insert_and_copy_line() {
        let row = RowText::parse(AUDIT).expect("parses");
        assert_eq!(row.table, "audit_log");
        assert_eq!(row.binds(), 2);
        let sql = row.multi_row(2);
        assert!(
            sql.ends_with(
                "VALUES (0, 0, 'bench', 'order', $1, 'update', $2), (0, 0, 'bench', 'order', $3, 'update', $4)"
            ),
            "{sql}"
        );
        let mut line = String::new();
        row.copy_line(&[Cell::Int(7), Cell::Text("a\tb")], &mut line);
        assert_eq!(line, "0\t0\tbench\torder\t7\tupdate\ta\\tb\n");
    }

    #[test]
    fn every_order_row_text_parses() {
        for k in KINDS.iter().chain([&ORDER]) {
            let row = RowText::parse(k).expect("parses");
            assert_eq!(row.columns.split(", ").count(), row.values.len(), "{k}");
        }
    }
}
