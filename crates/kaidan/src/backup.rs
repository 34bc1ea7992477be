//! `kaidan backup` and `kaidan restore` (SEC-3; issue 16, item 4; ADR
//! 0025): a backup carries a marker, and a restore replaces a database only
//! with a file that is a Kaidan backup, works on a copy of it, and waits
//! for no one: a database in use is refused.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kaidan_store::backup::{BackupMarker, lock_exclusive, prepare_restore};

use crate::{Setup, open};

/// What a PostgreSQL custom-format dump (pg_dump --format=custom) starts with.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// SEC-3: a backup that can be restored.
pub async fn backup(setup: &Setup, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!("{} exists; choose a new file name", file.display());
    }
    let (db, _) = open(setup).await?;
    eprintln!("backing up {} ...", setup.database_url);
    let marker = BackupMarker {
        kaidan_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: jiff::Timestamp::now().to_string(),
    };
    let done = db.sqlite_backup(file, &marker).await;
    db.close().await;
    if !done? {
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--file"])
            .arg(file)
            .arg(&setup.database_url)
            .status()
            .context("running pg_dump (install the PostgreSQL client tools)")?;
        if !status.success() {
            bail!("pg_dump failed ({status})");
        }
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({size} bytes)", file.display());
    Ok(())
}

pub async fn restore(setup: &Setup, file: &Path, force: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} does not exist or is not a file", file.display());
    }
    match kaidan_store::sqlite_file(&setup.database_url) {
        Some(target) => restore_sqlite(file, &target, force).await,
        None => restore_postgres(setup, file),
    }
}

/// Checks and prepares a copy of `file` in a folder beside the target, then
/// moves it into place in one rename. The input is only ever read.
async fn restore_sqlite(file: &Path, target: &Path, force: bool) -> anyhow::Result<()> {
    let dir = match target.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if same_file(file, target) {
        bail!(
            "{} is the database itself; restore from a backup file",
            file.display()
        );
    }
    // Held until the new file is in place: no server or command opens the
    // target meanwhile, and none may be using it now.
    let _lock = lock_exclusive(target)?;
    let work = tempfile::Builder::new()
        .prefix(".kaidan-restore-")
        .tempdir_in(&dir)
        .with_context(|| format!("creating a work folder in {}", dir.display()))?;
    let copy = work.path().join("restore.db");
    std::fs::copy(file, &copy).with_context(|| format!("copying {}", file.display()))?;
    if is_pg_dump(&copy)? {
        bail!(
            "{} is a PostgreSQL backup (pg_dump); restore it with database_url set to a \
             PostgreSQL database",
            file.display()
        );
    }
    let facts = prepare_restore(&copy, &work.path().join("fresh.db"), file).await?;
    if target.exists() && !force {
        bail!(
            "{} exists; stop Kaidan and pass --force to replace it",
            target.display()
        );
    }
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("writing {}", copy.display()))?;
    // The old write-ahead log belongs to the old file: SQLite would apply
    // it to the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::rename(&copy, target).with_context(|| format!("replacing {}", target.display()))?;
    // The rename itself is durable once the folder is.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    println!(
        "restored {} from {} (a backup by Kaidan {} of {}, schema version {})",
        target.display(),
        file.display(),
        facts.marker.kaidan_version,
        facts.marker.created_at,
        facts.schema_version
    );
    Ok(())
}

/// Whether `file` starts as a pg_dump custom-format file does.
fn is_pg_dump(file: &Path) -> anyhow::Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(PG_DUMP_MAGIC.len());
    std::fs::File::open(file)
        .and_then(|f| f.take(PG_DUMP_MAGIC.len() as u64).read_to_end(&mut head))
        .with_context(|| format!("reading {}", file.display()))?;
    Ok(head == PG_DUMP_MAGIC)
}

/// Whether two paths name one file (either may not exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// PostgreSQL: `pg_restore` of a pg_dump custom-format file that holds
/// Kaidan's migration history. Whether servers are connected is not
/// checked here (no file lock reaches them): stop them first.
fn restore_postgres(setup: &Setup, file: &Path) -> anyhow::Result<()> {
    if !is_pg_dump(file)? {
        bail!(
            "{} is not a Kaidan backup of PostgreSQL (a pg_dump custom-format file, as \
             `kaidan backup` writes); an SQLite backup is restored with database_url set to \
             an sqlite: file",
            file.display()
        );
    }
    let list = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(file)
        .output()
        .context("running pg_restore (install the PostgreSQL client tools)")?;
    let contents = String::from_utf8_lossy(&list.stdout);
    if !list.status.success() || !contents.contains(" TABLE DATA public _sqlx_migrations ") {
        bail!(
            "{} is not a Kaidan backup: it holds no Kaidan migration history",
            file.display()
        );
    }
    let status = std::process::Command::new("pg_restore")
        .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
        .arg(&setup.database_url)
        .arg(file)
        .status()
        .context("running pg_restore (install the PostgreSQL client tools)")?;
    if !status.success() {
        bail!("pg_restore failed ({status})");
    }
    println!("restored {} from {}", setup.database_url, file.display());
    Ok(())
}
