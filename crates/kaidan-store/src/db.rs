use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kaidan_app::ports::{PackedRecord, RecordPacking, Store, StoreError, Tx};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::backup::{BackupMarker, DatabaseLock, lock_shared, write_marker};
use crate::error::{ConnectError, map};
use crate::group::GroupCommit;
use crate::migrations::{self, Engine};
use crate::setup_lock::setup_lock;
use crate::short_read::ShortReaders;
use crate::tx::{DbTx, SqliteTx};
use sqlx::ConnectOptions;

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// PostgreSQL pool size per node.
    pub max_connections: u32,
    /// SQLite reader connections (the writer is always one connection).
    pub sqlite_readers: u32,
    /// SQLite page cache per connection, in MiB. SQLite's own default
    /// (2 MiB) makes a large transaction, such as an allocation run over a
    /// million lines, spill and re-read pages many times over.
    pub sqlite_cache_mib: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 16,
            sqlite_readers: 4,
            sqlite_cache_mib: 64,
        }
    }
}

/// The database: SQLite (one writer connection, so writes never fight for
/// the lock, plus read-only readers) or a PostgreSQL pool.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite {
        path: std::path::PathBuf,
        writer: GroupCommit,
        reader: SqlitePool,
        /// Read-only rusqlite connections for short reads (ADR 0033).
        short: Arc<ShortReaders>,
        /// Held while any clone of this database is alive, so that a
        /// restore cannot replace the file under it (ADR 0025).
        _lock: Option<Arc<DatabaseLock>>,
    },
    Postgres(PgPool),
}

/// The file of an `sqlite:PATH` (or `sqlite://PATH`) URL, without its
/// `?options`; `None` for any other URL.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

impl Db {
    /// Opens `sqlite:PATH` (the file and its folder are created if missing)
    /// or `postgres://...`.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, ConnectError> {
        if let Some(path) = sqlite_file(url) {
            Self::connect_sqlite(&path, options).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|e| ConnectError::Open(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(|e| ConnectError::Open(e.to_string()))?;
            Ok(Db {
                backend: Backend::Postgres(pool),
            })
        } else {
            Err(ConnectError::UnsupportedUrl(url.to_string()))
        }
    }

    async fn connect_sqlite(path: &Path, options: &DbOptions) -> Result<Db, ConnectError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ConnectError::DataDir {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        }
        // Before SQLite opens the file: a restore holding the lock is
        // replacing it (ADR 0025). An in-memory database has no file.
        let lock = if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
            None
        } else {
            Some(Arc::new(
                lock_shared(path).map_err(|e| ConnectError::Open(e.to_string()))?,
            ))
        };
        // The options of sqlx's connections: maintenance (migrations,
        // backups), checkpointer and readers. synchronous=FULL: a commit
        // made on them is on disk when it returns, and a checkpoint flushes
        // the WAL before it copies it (DESIGN: nothing acknowledged is
        // lost, even on power failure). The writer is rusqlite's and
        // flushes its own commits (lite.rs, group.rs, ADR 0032).
        let base = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Negative: a size in KiB rather than in pages.
            .pragma(
                "cache_size",
                format!("-{}", u64::from(options.sqlite_cache_mib.max(1)) * 1024),
            );
        // None of these connections writes in savepoints, so temp_store
        // stays SQLite's default here; the writer's is MEMORY (ADR 0031:
        // measured on its savepoint sub-journals; bulk runs are solo units
        // without a savepoint, ADR 0011).
        // One writer connection for the whole process: writes never fight
        // for SQLite's lock, and requests share commits (group.rs). It is
        // rusqlite's, on the calling task (lite.rs, ADR 0030); it creates
        // the file and sets WAL before any other connection opens.
        // Checkpoints run in the background (group.rs, Checkpointer).
        // Switching a new file to WAL takes SQLite's exclusive lock, and the
        // writer does not wait for it (no busy timeout): another process
        // opening the same new file must not be doing it at the same time.
        let setting_up = setup_lock(path).await?;
        let writer = crate::lite::open_writer(path, options.sqlite_cache_mib)
            .map_err(|e| ConnectError::Open(e.to_string()))?;
        let maint = base
            .clone()
            .connect()
            .await
            .map_err(|e| ConnectError::Open(e.to_string()))?;
        let checkpoint = base
            .clone()
            .connect()
            .await
            .map_err(|e| ConnectError::Open(e.to_string()))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.sqlite_readers.max(1))
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base.read_only(true))
            .await
            .map_err(|e| ConnectError::Open(e.to_string()))?;
        drop(setting_up);
        Ok(Db {
            backend: Backend::Sqlite {
                path: path.to_path_buf(),
                writer: GroupCommit::new(writer, maint, checkpoint),
                reader,
                short: ShortReaders::new(path, options.sqlite_readers, options.sqlite_cache_mib),
                _lock: lock,
            },
        })
    }

    /// Brings the schema up to date. Safe to run on every start and from
    /// several processes at once: on PostgreSQL the migrator takes an
    /// advisory lock; on SQLite a lock file beside the database (setup_lock.rs).
    /// The migrations come from one source folder rendered for the engine
    /// (migrations.rs, docs/adr/0015-one-migration-source.md).
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        let engine = match &self.backend {
            Backend::Sqlite { .. } => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        };
        let migrator = migrations::migrator(engine)
            .await
            .map_err(|e| ConnectError::Migrate(e.to_string()))?;
        let r = match &self.backend {
            Backend::Sqlite { writer, path, .. } => {
                let _setting_up = setup_lock(path).await?;
                let mut w = writer
                    .exclusive()
                    .await
                    .map_err(|e| ConnectError::Migrate(e.to_string()))?;
                let conn = w
                    .maint()
                    .map_err(|e| ConnectError::Migrate(e.to_string()))?;
                migrator.run(conn).await
            }
            Backend::Postgres(pool) => migrator.run(pool).await,
        };
        r.map_err(|e| ConnectError::Migrate(e.to_string()))
    }

    /// How busy the SQLite writer has been since it opened (`None` for
    /// PostgreSQL, which has no single writer).
    pub fn writer_busy(&self) -> Option<crate::group::WriterBusy> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => Some(writer.busy()),
            Backend::Postgres(_) => None,
        }
    }

    /// The SQLite file behind this database, if it is one.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.backend {
            Backend::Sqlite { path, .. } => Some(path.clone()),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool behind this database, if it is one (the plain
    /// bench baseline takes one connection of it).
    pub(crate) fn pg_pool(&self) -> Option<&PgPool> {
        match &self.backend {
            Backend::Postgres(pool) => Some(pool),
            Backend::Sqlite { .. } => None,
        }
    }

    /// A consistent copy of an SQLite database while it is in use
    /// (`VACUUM INTO`: one transaction, WAL included), with the marker of
    /// a Kaidan backup written into the copy (ADR 0025). `Ok(false)` for
    /// PostgreSQL, whose backups are made with pg_dump.
    pub async fn sqlite_backup(
        &self,
        to: &Path,
        marker: &BackupMarker,
    ) -> Result<bool, ConnectError> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                let failed = |e: &dyn std::fmt::Display| {
                    ConnectError::Open(format!("backup to {} failed: {e}", to.display()))
                };
                let mut w = writer.exclusive().await.map_err(|e| failed(&e))?;
                sqlx::query("VACUUM INTO $1")
                    .bind(to.to_string_lossy().to_string())
                    .execute(w.maint().map_err(|e| failed(&e))?)
                    .await
                    .map_err(|e| failed(&e))?;
                drop(w);
                if let Err(e) = write_marker(to, marker).await {
                    // A copy without its marker would be refused by every
                    // restore: better no file than a file that looks done.
                    let _ = std::fs::remove_file(to);
                    return Err(failed(&e));
                }
                Ok(true)
            }
            Backend::Postgres(_) => Ok(false),
        }
    }

    /// A read-write transaction of this crate's own type.
    pub(crate) async fn begin_tx(&self) -> Result<DbTx, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite { writer, .. } => DbTx::Sqlite(SqliteTx::Write(writer.begin().await?)),
            Backend::Postgres(pool) => DbTx::Pg(pool.begin().await.map_err(map)?),
        })
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite {
                writer,
                reader,
                short,
                ..
            } => {
                short.close();
                reader.close().await;
                writer.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

#[async_trait]
impl Store for Db {
    async fn write(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(self.begin_tx().await?))
    }

    async fn write_bulk(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(match &self.backend {
            Backend::Sqlite { writer, .. } => {
                DbTx::Sqlite(SqliteTx::Write(writer.begin_solo().await?))
            }
            Backend::Postgres(pool) => DbTx::Pg(pool.begin().await.map_err(map)?),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(match &self.backend {
            Backend::Sqlite { reader, .. } => {
                DbTx::Sqlite(SqliteTx::Read(reader.begin().await.map_err(map)?))
            }
            Backend::Postgres(pool) => DbTx::Pg(pool.begin().await.map_err(map)?),
        }))
    }

    async fn read_short(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(match &self.backend {
            Backend::Sqlite { short, .. } => DbTx::Sqlite(SqliteTx::Short(short.begin().await?)),
            Backend::Postgres(pool) => DbTx::Pg(pool.begin().await.map_err(map)?),
        }))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { reader, .. } => {
                sqlx::query("SELECT 1").execute(reader).await.map_err(map)?;
            }
            Backend::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await.map_err(map)?;
            }
        }
        Ok(())
    }

    fn pack_record(&self, input: &[u8], result: &[u8]) -> PackedRecord {
        crate::record::pack(input, result)
    }

    fn unpack_record(&self, packing: RecordPacking, bytes: &[u8]) -> Result<String, StoreError> {
        crate::record::unpack(packing, bytes)
    }

    fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}
