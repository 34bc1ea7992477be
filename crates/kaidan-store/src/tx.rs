use async_trait::async_trait;
use kaidan_app::ports::{StoreError, Tx};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::map;

/// An open transaction on either engine. Dropped without `commit`, it rolls
/// back.
pub(crate) enum DbTx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// Runs the same code on whichever engine the transaction belongs to; `$c`
/// is the connection (`&mut SqliteConnection` or `&mut PgConnection`). The
/// body is compiled once per engine, so it must be valid SQL for both.
macro_rules! on {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::tx::DbTx::Sqlite(t) => {
                let $c = &mut **t;
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
            DbTx::Sqlite(t) => t.commit().await.map_err(map),
            DbTx::Pg(t) => t.commit().await.map_err(map),
        }
    }
}
