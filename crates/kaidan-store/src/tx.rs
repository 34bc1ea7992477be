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
