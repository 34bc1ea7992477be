//! One process at a time sets an SQLite database up: switching a new file
//! to WAL and running the migrations. SQLite's own lock does not cover
//! either: two processes that both find migration N missing would both run
//! it, and the second fail on a table that exists by then (issue 24). The
//! lock is a file beside the database, held only while setting up, so
//! running nodes never wait for it.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::ConnectError;

/// `<database>.setup-lock`.
pub(crate) fn setup_lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".setup-lock");
    PathBuf::from(name)
}

/// Held until dropped.
#[derive(Debug)]
pub(crate) struct SetupLock {
    _file: File,
}

/// Waits until no other process is setting `database` up, then holds the
/// lock. An in-memory database (empty path or `:memory:`) has no file to
/// share, so it needs none.
pub(crate) async fn setup_lock(database: &Path) -> Result<Option<SetupLock>, ConnectError> {
    if database.as_os_str().is_empty() || database.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let path = setup_lock_path(database);
    let failed =
        |message: String| ConnectError::Open(format!("cannot lock {}: {message}", path.display()));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| failed(e.to_string()))?;
    // `lock` blocks its thread until the other process lets go.
    let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| failed(e.to_string()))?
        .map_err(|e| failed(e.to_string()))?;
    Ok(Some(SetupLock { _file: file }))
}
