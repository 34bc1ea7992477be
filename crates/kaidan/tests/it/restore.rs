//! Issue 16, item 4: `kaidan restore` restores Kaidan backups only, never
//! writes to its input, and refuses a database a server is using (ADR 0025).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use sqlx::Connection;

use crate::support::{self, Server, kaidan, stderr, stdout};

/// An SQLite database of someone else's: one table, one row.
async fn foreign_database(dir: &Path) -> PathBuf {
    let path = dir.join("notes.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO notes (text) VALUES ('keep me')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    path
}

fn add_user(db: &str, name: &str) {
    let args = [
        "user",
        "add",
        name,
        "--role",
        "admin",
        "--password",
        "s3cret-pass",
    ];
    let o = kaidan(db, &args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The bytes of the database file and everything beside it whose name
/// starts with it (`-wal`, `-shm`, `.lock`), and whether a restore left its
/// work folder behind.
fn snapshot(db: &str) -> Vec<(String, Vec<u8>)> {
    let Some(path) = db.strip_prefix("sqlite:") else {
        return Vec::new();
    };
    let path = Path::new(path);
    let dir = path.parent().unwrap();
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() || p.file_name().unwrap().to_string_lossy().contains("restore"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn hardening_4_a_foreign_sqlite_file_is_refused_and_left_untouched() {
    for (db, _dir) in support::databases().await {
        add_user(&db, "keeper");
        let dir = tempfile::tempdir().unwrap();
        let foreign = foreign_database(dir.path()).await;
        let before = std::fs::read(&foreign).unwrap();
        let target_before = snapshot(&db);
        for force in [false, true] {
            let mut args = vec!["restore", foreign.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let o = kaidan(&db, &args);
            assert!(!o.status.success(), "force {force}: {}", stdout(&o));
            assert_ne!(o.status.code(), Some(101), "no panic: {}", stderr(&o));
            assert!(
                stderr(&o).contains("is not a Kaidan backup"),
                "force {force}: {}",
                stderr(&o)
            );
            assert_eq!(
                std::fs::read(&foreign).unwrap(),
                before,
                "the input is never written"
            );
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                1,
                "nothing was created beside the input"
            );
            assert_eq!(snapshot(&db), target_before, "the target is unchanged");
        }
        let users = stdout(&kaidan(&db, &["user", "list"]));
        assert!(users.contains("keeper"), "{users}");
    }
}

#[tokio::test]
async fn hardening_4_a_kaidan_database_without_the_backup_marker_is_refused() {
    let (db, _dir) = kaidan_store::testing::fresh_url("sqlite").await.unwrap();
    add_user(&db, "keeper");
    let live = PathBuf::from(db.strip_prefix("sqlite:").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let copied = dir.path().join("copied.db");
    std::fs::copy(&live, &copied).unwrap();
    let before = std::fs::read(&copied).unwrap();
    let o = kaidan(&db, &["restore", copied.to_str().unwrap(), "--force"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no marker of `kaidan backup`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&copied).unwrap(), before);
    // Nor the database onto itself.
    let o = kaidan(&db, &["restore", live.to_str().unwrap(), "--force"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("the database itself"), "{}", stderr(&o));
}

/// A fresh SQLite database with the user "keeper", and a backup of it
/// made by `kaidan backup` in a folder of its own.
struct Backed {
    db: String,
    backup: PathBuf,
    dir: tempfile::TempDir,
    _db_dir: Option<tempfile::TempDir>,
}

async fn backed_up() -> Backed {
    let (db, db_dir) = kaidan_store::testing::fresh_url("sqlite").await.unwrap();
    add_user(&db, "keeper");
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("kaidan.backup");
    let o = kaidan(&db, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    Backed {
        db,
        backup,
        dir,
        _db_dir: db_dir,
    }
}

#[tokio::test]
async fn hardening_4_a_real_backup_restores_without_being_changed() {
    let Backed {
        db,
        backup,
        dir,
        _db_dir,
    } = backed_up().await;
    let before = std::fs::read(&backup).unwrap();
    add_user(&db, "later");
    // Into a new file, then over the live one.
    let elsewhere = dir.path().join("new").join("restored.db");
    let new_db = format!("sqlite:{}", elsewhere.display());
    for (target, force) in [(new_db.as_str(), false), (db.as_str(), true)] {
        let mut args = vec!["restore", backup.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let o = kaidan(target, &args);
        assert!(o.status.success(), "{target}: {}", stderr(&o));
        assert!(stdout(&o).contains("a backup by Kaidan"), "{}", stdout(&o));
        assert_eq!(
            std::fs::read(&backup).unwrap(),
            before,
            "the input is never written"
        );
        let users = stdout(&kaidan(target, &["user", "list"]));
        assert!(
            users.contains("keeper") && !users.contains("later"),
            "{users}"
        );
        // No work folder is left behind.
        let parent = Path::new(target.strip_prefix("sqlite:").unwrap())
            .parent()
            .unwrap();
        for e in std::fs::read_dir(parent).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".kaidan-restore-"), "{name}");
        }
    }
    // The restored database is not a backup itself: its marker is gone.
    let o = kaidan(&db, &["restore", elsewhere.to_str().unwrap(), "--force"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no marker"), "{}", stderr(&o));
}

#[tokio::test]
async fn hardening_4_restore_is_refused_while_a_server_uses_the_database() {
    let Backed {
        db,
        backup,
        dir: _dir,
        _db_dir,
    } = backed_up().await;
    let server = Server::start(&db, "serve");
    // Serving (and its SIGTERM handler in place, which the banner does not
    // yet guarantee): a request is answered.
    let health = reqwest::get(format!("{}/api/v1/health", server.url))
        .await
        .unwrap();
    assert!(health.status().is_success());
    // The running server writes on (its jobs, WAL checkpoints), so the
    // file's bytes may change; a restore would have renamed another file
    // into its place, so the file itself must still be the same one.
    use std::os::unix::fs::MetadataExt;
    let file = std::path::PathBuf::from(db.strip_prefix("sqlite:").unwrap());
    let inode_before = std::fs::metadata(&file).unwrap().ino();
    let o = kaidan(&db, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("a Kaidan server or command is using")
            && stderr(&o).contains("stop it first"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::metadata(&file).unwrap().ino(), inode_before);
    let health = reqwest::get(format!("{}/api/v1/health", server.url))
        .await
        .unwrap();
    assert!(health.status().is_success(), "the server still serves");
    let status = server.stop();
    assert!(status.success());
    let o = kaidan(&db, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "once stopped: {}", stderr(&o));
}
