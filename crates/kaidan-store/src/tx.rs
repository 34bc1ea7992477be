use async_trait::async_trait;
use kaidan_app::ports::{StoreError, Tx};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::map;
use crate::group::Unit;
use crate::short_read::ShortRead;

/// An open transaction on either engine. Dropped without `commit`, it rolls
/// back.
pub(crate) enum DbTx {
    Sqlite(SqliteTx),
    Pg(Transaction<'static, Postgres>),
}

/// An SQLite transaction: a read on a reader connection (sqlx), a short
/// read on a rusqlite reader (`short_read`), or a write unit in the
/// writer's current batch (rusqlite, see `group` and `lite`).
pub(crate) enum SqliteTx {
    Read(Transaction<'static, Sqlite>),
    Short(ShortRead),
    Write(Unit),
}

impl DbTx {
    /// The SQLite writer, when this is a write unit on it: bulk inserts of
    /// bound text run one prepared statement per row there
    /// (`lite::exec_each`), and multi-row texts on PostgreSQL, where a
    /// statement costs a round trip.
    pub(crate) fn lite_writer(&self) -> Result<Option<&rusqlite::Connection>, StoreError> {
        match self {
            DbTx::Sqlite(SqliteTx::Write(u)) => u.lite().map(Some),
            _ => Ok(None),
        }
    }
}

/// Runs the same statement on whichever engine and connection the
/// transaction belongs to: `$c` is an sqlx connection (`&mut
/// SqliteConnection` of a reader, or `&mut PgConnection`), `$l` a
/// `&rusqlite::Connection`: the SQLite writer's, or a short reader's. Each body is compiled for its
/// connections, so the text must be valid SQL for both engines.
macro_rules! on {
    ($tx:expr, $c:ident => $body:expr, $l:ident => $lite:expr) => {
        match $tx {
            $crate::tx::DbTx::Sqlite($crate::tx::SqliteTx::Read(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::tx::DbTx::Sqlite($crate::tx::SqliteTx::Write(u)) => {
                let $l = u.lite()?;
                $lite
            }
            $crate::tx::DbTx::Sqlite($crate::tx::SqliteTx::Short(r)) => {
                let $l = r.lite()?;
                $lite
            }
            $crate::tx::DbTx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on;

/// Binds a query's values: `[a, b, …]` one by one, or a list of `Val`s
/// named by its variable, for lists built at run time.
macro_rules! bind {
    ($q:expr, [$($v:expr),* $(,)?]) => {
        $q $(.bind($v))*
    };
    ($q:expr, $vals:ident) => {{
        let mut q = $q;
        for v in $vals.iter() {
            q = match v {
                $crate::row::Val::I(x) => q.bind(*x),
                $crate::row::Val::OptI(x) => q.bind(*x),
                $crate::row::Val::T(x) => q.bind(x.as_str()),
                $crate::row::Val::OptT(x) => q.bind(x.as_deref()),
                $crate::row::Val::B(x) => q.bind(*x),
                $crate::row::Val::OptB(x) => q.bind(*x),
            };
        }
        q
    }};
}
pub(crate) use bind;

/// Runs one statement with its values (see `bind!`) on the transaction's
/// engine; the number of rows it touched.
macro_rules! exec {
    ($tx:expr, $sql:expr, $binds:tt) => {
        $crate::tx::exec!(@ $tx, true, $sql, $binds)
    };
    (@ $tx:expr, $keep:expr, $sql:expr, $binds:tt) => {
        $crate::tx::on!($tx,
            c => $crate::tx::bind!(sqlx::query($sql).persistent($keep), $binds)
                .execute(&mut *c)
                .await
                .map_err($crate::error::map)?
                .rows_affected(),
            l => $crate::tx::bind!($crate::lite::query($sql).persistent($keep), $binds)
                .execute(l)?)
    };
}
pub(crate) use exec;

/// `exec!` for a text built for this call (values written into it): not
/// kept among the prepared statements.
macro_rules! exec_once {
    ($tx:expr, $sql:expr, $binds:tt) => {
        $crate::tx::exec!(@ $tx, false, $sql, $binds)
    };
}
pub(crate) use exec_once;

/// `sqlx::query_scalar` (one column) or `query_as` (a tuple) with its
/// values, fetched by `fetch` (`fetch_one`, `fetch_optional`, `fetch_all`)
/// as the caller's type: both engines decode these types alike.
macro_rules! fetch_as {
    ($tx:expr, $kind:ident.$fetch:ident, $sql:expr, $binds:tt) => {
        $crate::tx::fetch_as!(@ $tx, true, $kind.$fetch, $sql, $binds)
    };
    (@ $tx:expr, $keep:expr, $kind:ident.$fetch:ident, $sql:expr, $binds:tt) => {
        $crate::tx::on!($tx,
            c => $crate::tx::bind!(sqlx::$kind($sql).persistent($keep), $binds)
                .$fetch(&mut *c)
                .await
                .map_err($crate::error::map)?,
            l => $crate::tx::bind!($crate::lite::$kind($sql).persistent($keep), $binds)
                .$fetch(l)?)
    };
}
pub(crate) use fetch_as;

/// `fetch_as!` for a text built for this call.
macro_rules! fetch_as_once {
    ($tx:expr, $kind:ident.$fetch:ident, $sql:expr, $binds:tt) => {
        $crate::tx::fetch_as!(@ $tx, false, $kind.$fetch, $sql, $binds)
    };
}
pub(crate) use fetch_as_once;

/// Every row a query with its values gives, each through `map` (a
/// function of `&impl RowExt`).
macro_rules! fetch_all {
    // A named function: through a closure, whose signature fits either
    // engine's rows.
    ($tx:expr, $sql:expr, $binds:tt, $map:ident) => {
        $crate::tx::fetch_all!(@ $tx, true, $sql, $binds, |r| $map(r))
    };
    ($tx:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::fetch_all!(@ $tx, true, $sql, $binds, $map)
    };
    (@ $tx:expr, $keep:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::on!($tx,
            c => $crate::tx::map_all(
                &$crate::tx::bind!(sqlx::query($sql).persistent($keep), $binds)
                    .fetch_all(&mut *c)
                    .await
                    .map_err($crate::error::map)?,
                $map,
            )?,
            l => $crate::tx::bind!($crate::lite::query($sql).persistent($keep), $binds)
                .fetch_map(l, $map)?)
    };
}
pub(crate) use fetch_all;

/// `fetch_all!` for a text built for this call.
macro_rules! fetch_all_once {
    ($tx:expr, $sql:expr, $binds:tt, $map:ident) => {
        $crate::tx::fetch_all!(@ $tx, false, $sql, $binds, |r| $map(r))
    };
    ($tx:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::fetch_all!(@ $tx, false, $sql, $binds, $map)
    };
}
pub(crate) use fetch_all_once;

/// The row a query with its values gives, if any, through `map`.
macro_rules! fetch_opt {
    ($tx:expr, $sql:expr, $binds:tt, $map:ident) => {
        $crate::tx::fetch_opt!($tx, $sql, $binds, |r| $map(r))
    };
    ($tx:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::on!($tx,
            c => $crate::tx::map_opt(
                $crate::tx::bind!(sqlx::query($sql), $binds)
                    .fetch_optional(&mut *c)
                    .await
                    .map_err($crate::error::map)?,
                $map,
            )?,
            l => $crate::tx::bind!($crate::lite::query($sql), $binds)
                .fetch_opt_map(l, $map)?)
    };
}
pub(crate) use fetch_opt;

/// Maps rows of either engine; the signature fixes the error type that a
/// mapping closure's `?` and `Ok(…)` would otherwise leave open.
pub(crate) fn map_all<R, T>(
    rows: &[R],
    map: impl FnMut(&R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(map).collect()
}

pub(crate) fn map_opt<R, T>(
    row: Option<R>,
    map: impl FnOnce(&R) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    row.as_ref().map(map).transpose()
}

#[async_trait]
impl Tx for DbTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        match *self {
            DbTx::Sqlite(SqliteTx::Read(t)) => t.commit().await.map_err(map),
            DbTx::Sqlite(SqliteTx::Write(u)) => u.commit().await,
            DbTx::Sqlite(SqliteTx::Short(r)) => r.commit(),
            DbTx::Pg(t) => t.commit().await.map_err(map),
        }
    }
}
