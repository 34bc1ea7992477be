//! Backups of an SQLite database (SEC-3; issue 16, item 4; ADR 0025): the
//! marker `kaidan backup` writes into its copy, the checks a file passes
//! before `kaidan restore` lets it replace a database, and the lock that
//! keeps a restore away from a database in use.
//!
//! A restore works on a copy of its input only (the caller makes it): the
//! input file is never opened by SQLite, so neither a check nor a migration
//! can change it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::migrations::{self, Engine};
use crate::{Db, DbOptions};

/// The version of the marker's layout; a restore refuses any other.
pub const BACKUP_FORMAT: i64 = 1;

/// What `kaidan backup` records about itself in the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupMarker {
    /// The version of the Kaidan that wrote the backup.
    pub kaidan_version: String,
    /// When, as an RFC 3339 timestamp.
    pub created_at: String,
}

/// What a restore found in a backup that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFacts {
    pub marker: BackupMarker,
    /// The last migration the backup's schema had.
    pub schema_version: i64,
}

/// Why a file may not be restored, or could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{file} is not an SQLite database ({message})")]
    NotSqlite { file: String, message: String },
    #[error("{file} is damaged: SQLite's check says {message}")]
    Damaged { file: String, message: String },
    #[error("{file} is not a Kaidan backup: {reason}")]
    NotABackup { file: String, reason: String },
    #[error(
        "{file} was made by a newer Kaidan (schema version {found}; this one knows up to \
         {known}): restore it with that version"
    )]
    Newer {
        file: String,
        found: i64,
        known: i64,
    },
    #[error("a Kaidan server or command is using {path}; stop it first")]
    InUse { path: String },
    #[error("{what}: {message}")]
    Io { what: String, message: String },
}

fn sqlite_error(file: &Path) -> impl Fn(sqlx::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        what: file.display().to_string(),
        message: e.to_string(),
    }
}

/// One plain connection to `file`, which must exist, in rollback-journal
/// mode: a backup is one self-contained file, without a `-wal` beside it
/// that a rename would leave behind.
async fn open(file: &Path) -> Result<SqliteConnection, BackupError> {
    SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete)
        .foreign_keys(false)
        .connect()
        .await
        .map_err(|e| BackupError::NotSqlite {
            file: file.display().to_string(),
            message: e.to_string(),
        })
}

/// Writes the marker into a fresh copy made by `VACUUM INTO` (never into
/// the live database): the table `kaidan_backup` with one row.
pub(crate) async fn write_marker(copy: &Path, marker: &BackupMarker) -> Result<(), BackupError> {
    let mut conn = open(copy).await?;
    let failed = sqlite_error(copy);
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(&failed)?;
    sqlx::query(
        "CREATE TABLE kaidan_backup (format INTEGER NOT NULL, kaidan_version TEXT NOT NULL, \
         created_at TEXT NOT NULL, schema_version INTEGER NOT NULL) STRICT",
    )
    .execute(&mut conn)
    .await
    .map_err(&failed)?;
    sqlx::query("INSERT INTO kaidan_backup VALUES ($1, $2, $3, $4)")
        .bind(BACKUP_FORMAT)
        .bind(&marker.kaidan_version)
        .bind(&marker.created_at)
        .bind(schema_version)
        .execute(&mut conn)
        .await
        .map_err(&failed)?;
    conn.close().await.map_err(&failed)?;
    Ok(())
}

/// Checks that `copy` (a copy of the file to restore, in a folder of its
/// own) is a Kaidan backup, then makes it a database this Kaidan can serve:
/// the marker removed, migrations newer than the backup applied, the
/// journal folded into the one file. `fresh` is a path in the same folder
/// for a freshly migrated database to compare the schema with.
///
/// The checks, in order: SQLite can open it and `quick_check` finds it
/// sound; the marker of `kaidan backup` is there, of a known format; every
/// migration it records is one of this Kaidan's, with the same checksum,
/// numbered 1, 2, 3... without gaps and agreeing with the marker; and,
/// once migrated, its tables, indexes and triggers are exactly those of a
/// fresh database.
pub async fn prepare_restore(
    copy: &Path,
    fresh: &Path,
    shown_as: &Path,
) -> Result<BackupFacts, BackupError> {
    let file = shown_as.display().to_string();
    let not_a_backup = |reason: String| BackupError::NotABackup {
        file: file.clone(),
        reason,
    };
    let mut conn = open(copy).await.map_err(|e| match e {
        BackupError::NotSqlite { message, .. } => BackupError::NotSqlite {
            file: file.clone(),
            message,
        },
        other => other,
    })?;
    let check: Result<Vec<String>, _> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await;
    match check {
        Ok(lines) if lines == ["ok"] => {}
        Ok(lines) => {
            return Err(BackupError::Damaged {
                file,
                message: lines.join("; "),
            });
        }
        Err(e) => {
            return Err(BackupError::NotSqlite {
                file,
                message: e.to_string(),
            });
        }
    }
    let markers: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT format, kaidan_version, created_at, schema_version FROM kaidan_backup",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|_| {
        not_a_backup("it has no marker of `kaidan backup` (table kaidan_backup)".into())
    })?;
    let [(format, kaidan_version, created_at, marked_version)] = markers.as_slice() else {
        return Err(not_a_backup(format!(
            "its marker has {} rows instead of one",
            markers.len()
        )));
    };
    if *format != BACKUP_FORMAT {
        return Err(not_a_backup(format!(
            "its marker is of format {format}; this Kaidan reads format {BACKUP_FORMAT}"
        )));
    }
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .map_err(|_| not_a_backup("it has no migration history (_sqlx_migrations)".into()))?;
    let known = migrations::migrations(Engine::Sqlite).map_err(|e| BackupError::Io {
        what: "the migrations of this Kaidan".into(),
        message: e.to_string(),
    })?;
    let known_last = known.last().map_or(0, |m| m.version);
    for (i, (version, checksum, success)) in applied.iter().enumerate() {
        if *version != i as i64 + 1 {
            return Err(not_a_backup(format!(
                "its migration history jumps to version {version} after {i}"
            )));
        }
        let Some(ours) = known.iter().find(|m| m.version == *version) else {
            return Err(BackupError::Newer {
                file,
                found: applied.last().map_or(*version, |a| a.0),
                known: known_last,
            });
        };
        if !success || ours.checksum.as_ref() != checksum.as_slice() {
            return Err(not_a_backup(format!(
                "its migration {version} is not Kaidan's migration {version} ({})",
                ours.description
            )));
        }
    }
    let last = applied.last().map_or(0, |a| a.0);
    if last == 0 || last != *marked_version {
        return Err(not_a_backup(format!(
            "its marker names schema version {marked_version}, its history ends at {last}"
        )));
    }
    let facts = BackupFacts {
        marker: BackupMarker {
            kaidan_version: kaidan_version.clone(),
            created_at: created_at.clone(),
        },
        schema_version: last,
    };
    let failed = sqlite_error(shown_as);
    sqlx::query("DROP TABLE kaidan_backup")
        .execute(&mut conn)
        .await
        .map_err(&failed)?;
    conn.close().await.map_err(&failed)?;
    // Newer migrations, as a start of `kaidan serve` would apply them, but
    // on the copy, before it replaces anything.
    for path in [copy, fresh] {
        let db = Db::connect(&format!("sqlite:{}", path.display()), &DbOptions::default())
            .await
            .map_err(|e| BackupError::Io {
                what: file.clone(),
                message: e.to_string(),
            })?;
        let migrated = db.migrate().await;
        db.close().await;
        migrated.map_err(|e| not_a_backup(format!("its schema does not migrate: {e}")))?;
    }
    let ours = schema(fresh).await?;
    let theirs = schema(copy).await?;
    if let Some(odd) = theirs.iter().find(|o| !ours.contains(o)) {
        return Err(not_a_backup(format!(
            "it holds {} {} that Kaidan's schema does not have (or has otherwise)",
            odd.0, odd.1
        )));
    }
    if let Some(missing) = ours.iter().find(|o| !theirs.contains(o)) {
        return Err(not_a_backup(format!(
            "it lacks Kaidan's {} {}",
            missing.0, missing.1
        )));
    }
    Ok(facts)
}

/// The schema objects of a database (type, name, SQL), journal folded in:
/// opening in rollback-journal mode checkpoints and removes a `-wal`.
async fn schema(file: &Path) -> Result<Vec<(String, String, Option<String>)>, BackupError> {
    let mut conn = open(file).await?;
    let failed = sqlite_error(file);
    let objects = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' \
         ORDER BY type, name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(&failed)?;
    conn.close().await.map_err(&failed)?;
    Ok(objects)
}

/// The lock file of an SQLite database: `<file>.lock` beside it. It is
/// never removed (removing a lock file another process has open would let
/// two processes believe they hold it).
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// A lock on an SQLite database, held as long as this value lives.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

fn lock_file(database: &Path) -> Result<File, BackupError> {
    let path = lock_path(database);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| BackupError::Io {
            what: path.display().to_string(),
            message: e.to_string(),
        })
}

/// Every process that opens the database holds this shared lock while it
/// does: servers and commands alike, any number at once.
pub(crate) fn lock_shared(database: &Path) -> Result<DatabaseLock, BackupError> {
    let file = lock_file(database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DatabaseLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(BackupError::Io {
            what: database.display().to_string(),
            message: "a restore is replacing this database; try again when it is done".into(),
        }),
        Err(TryLockError::Error(e)) => Err(BackupError::Io {
            what: lock_path(database).display().to_string(),
            message: e.to_string(),
        }),
    }
}

/// A restore's exclusive lock: refused while any process holds the shared
/// one, and keeps every process out until the restore is done.
pub fn lock_exclusive(database: &Path) -> Result<DatabaseLock, BackupError> {
    let file = lock_file(database)?;
    match file.try_lock() {
        Ok(()) => Ok(DatabaseLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(BackupError::InUse {
            path: database.display().to_string(),
        }),
        Err(TryLockError::Error(e)) => Err(BackupError::Io {
            what: lock_path(database).display().to_string(),
            message: e.to_string(),
        }),
    }
}
