//! Short reads on SQLite (ADR 0033): read-only rusqlite connections whose
//! statements run on the calling task, for reads known to be small (one
//! order as it is answered after a write). sqlx's SQLite readers run each
//! statement on a worker thread of their own and hand rows back over a
//! channel: two thread switches a statement, a third of the intake's CPU
//! in the kernel. Reports, lists and exports stay on those readers, where a
//! long query cannot hold an async thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kaidan_app::ports::StoreError;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::lite::{batch, map};

/// How long a short read waits for a free connection.
const READER_WAIT: Duration = Duration::from_secs(60);

/// Up to `size` read-only connections to one SQLite file, opened when
/// first needed and kept.
#[derive(Debug)]
pub(crate) struct ShortReaders {
    path: PathBuf,
    cache_mib: u32,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// A read transaction on one of the short-read connections: one snapshot
/// from its first statement to its end. Dropped, it ends the transaction
/// and gives the connection back.
#[derive(Debug)]
pub(crate) struct ShortRead {
    conn: Option<Connection>,
    readers: Arc<ShortReaders>,
    _permit: OwnedSemaphorePermit,
}

fn closed() -> StoreError {
    StoreError::Unavailable("the database is closed".into())
}

pub(crate) fn open(path: &Path, cache_mib: u32) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(map)?;
    // A WAL reader waits only while another connection recovers the WAL
    // after a crash: rare and short.
    conn.busy_timeout(Duration::from_secs(10)).map_err(map)?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA cache_size = -{};",
        u64::from(cache_mib.max(1)) * 1024
    ))
    .map_err(map)?;
    Ok(conn)
}

impl ShortReaders {
    pub(crate) fn new(path: &Path, size: u32, cache_mib: u32) -> Arc<Self> {
        Arc::new(ShortReaders {
            path: path.to_path_buf(),
            cache_mib,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1))),
        })
    }

    /// A read transaction; waits while every connection is in use.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<ShortRead, StoreError> {
        let permit = tokio::time::timeout(READER_WAIT, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| StoreError::Unavailable("every reader stayed busy for 60 s".into()))?
            .map_err(|_| closed())?;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => open(&self.path, self.cache_mib)?,
        };
        batch(&conn, "BEGIN")?;
        Ok(ShortRead {
            conn: Some(conn),
            readers: Arc::clone(self),
            _permit: permit,
        })
    }

    /// Closes the idle connections; later reads get "closed".
    pub(crate) fn close(&self) {
        self.permits.close();
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

impl ShortRead {
    pub(crate) fn lite(&self) -> Result<&Connection, StoreError> {
        self.conn.as_ref().ok_or_else(closed)
    }

    /// Ends the read transaction.
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        let conn = self.conn.take().ok_or_else(closed)?;
        let ended = batch(&conn, "COMMIT");
        self.give_back(conn);
        ended
    }

    fn give_back(&self, conn: Connection) {
        // One still inside a transaction (a failed COMMIT) is closed
        // instead: the next BEGIN on it would fail.
        if self.readers.permits.is_closed() || !conn.is_autocommit() {
            return;
        }
        if let Ok(mut idle) = self.readers.idle.lock() {
            idle.push(conn);
        }
    }
}

impl Drop for ShortRead {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // A read transaction left open would pin its snapshot and keep
            // the checkpointer from reusing the WAL.
            if !conn.is_autocommit() {
                let _ = batch(&conn, "ROLLBACK");
            }
            self.give_back(conn);
        }
    }
}
