use async_trait::async_trait;
use kaidan_app::ports::{StoreError, Tx};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::map;
use crate::group::Unit;

/// An open transaction on either engine. Dropped without `commit`, it rolls
/// back.
pub(crate) enum DbTx {
    Sqlite(SqliteTx),
    Pg(Transaction<'static, Postgres>),
}

/// An SQLite transaction: a read on a reader connection, or a write unit in
/// the writer's current batch (see `group`).
pub(crate) enum SqliteTx {
    Read(Transaction<'static, Sqlite>),
    Write(Unit),
}

impl SqliteTx {
    pub(crate) fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        match self {
            SqliteTx::Read(t) => Ok(&mut **t),
            SqliteTx::Write(u) => u.conn(),
        }
    }
}

/// Runs the same code on whichever engine the transaction belongs to; `$c`
/// is the connection (`&mut SqliteConnection` or `&mut PgConnection`). The
/// body is compiled once per engine, so it must be valid SQL for both.
macro_rules! on {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::tx::DbTx::Sqlite(t) => {
                let $c = t.conn()?;
                $body
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
        $crate::tx::on!($tx, c => $crate::tx::bind!(sqlx::query($sql), $binds)
            .execute(&mut *c)
            .await
            .map_err($crate::error::map)?
            .rows_affected())
    };
}
pub(crate) use exec;

/// `sqlx::query_scalar` (one column) or `query_as` (a tuple) with its
/// values, fetched by `fetch` (`fetch_one`, `fetch_optional`, `fetch_all`)
/// as the caller's type: both engines decode these types alike.
macro_rules! fetch_as {
    ($tx:expr, $kind:ident.$fetch:ident, $sql:expr, $binds:tt) => {
        $crate::tx::on!($tx, c => $crate::tx::bind!(sqlx::$kind($sql), $binds)
            .$fetch(&mut *c)
            .await
            .map_err($crate::error::map)?)
    };
}
pub(crate) use fetch_as;

/// Every row a query with its values gives, each through `map` (a
/// function of `&impl RowExt`).
macro_rules! fetch_all {
    ($tx:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::on!($tx, c => $crate::tx::map_all(
            &$crate::tx::bind!(sqlx::query($sql), $binds)
                .fetch_all(&mut *c)
                .await
                .map_err($crate::error::map)?,
            $map,
        )?)
    };
}
pub(crate) use fetch_all;

/// The row a query with its values gives, if any, through `map`.
macro_rules! fetch_opt {
    ($tx:expr, $sql:expr, $binds:tt, $map:expr) => {
        $crate::tx::on!($tx, c => $crate::tx::map_opt(
            $crate::tx::bind!(sqlx::query($sql), $binds)
                .fetch_optional(&mut *c)
                .await
                .map_err($crate::error::map)?,
            $map,
        )?)
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
            DbTx::Pg(t) => t.commit().await.map_err(map),
        }
    }
}
