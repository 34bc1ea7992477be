//! Fresh, migrated databases for tests of this and the other crates: an
//! SQLite file in a temporary folder always, and a new PostgreSQL database
//! when `KAIDAN_TEST_DATABASE_URL` names a server (one database per test, so
//! tests run in parallel without seeing each other).
//!
//! [`on_each_backend`] is the one harness of "run this test on every
//! backend"; [`on_each_app`] layers a bootstrapped [`App`] on top of it, and
//! the test suites layer their own worlds (seed data, a router) on either.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kaidan_app::clock::{Clock, SystemClock};
use kaidan_app::{App, AppConfig};
use sqlx::Connection;

use crate::{Db, DbOptions};

/// The environment variable that turns PostgreSQL tests on.
pub const PG_ENV: &str = "KAIDAN_TEST_DATABASE_URL";

/// A migrated test database; the SQLite folder is removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The backends to run a test on: `sqlite` always, `postgres` when the
/// environment asks for it.
pub fn backends() -> Vec<&'static str> {
    let mut v = vec!["sqlite"];
    if std::env::var(PG_ENV).is_ok_and(|u| !u.is_empty()) {
        v.push("postgres");
    }
    v
}

/// A URL of a fresh, empty (not migrated) database of `backend`, and the
/// folder that must live as long as an SQLite one is used.
pub async fn fresh_url(backend: &str) -> Result<(String, Option<tempfile::TempDir>), String> {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let url = format!("sqlite:{}", dir.path().join("kaidan.db").display());
            Ok((url, Some(dir)))
        }
        "postgres" => {
            let admin = std::env::var(PG_ENV).map_err(|e| format!("{PG_ENV}: {e}"))?;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .map_err(|e| format!("cannot connect to {admin}: {e}"))?;
            drop_stale(&mut conn).await;
            let name = format!(
                "kaidan_t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                jiff::Timestamp::now().as_millisecond() % 100_000
            );
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("cannot create test database: {e}"))?;
            let mut url = url::Url::parse(&admin).map_err(|e| e.to_string())?;
            url.set_path(&name);
            Ok((url.to_string(), None))
        }
        other => Err(format!("unknown backend {other}")),
    }
}

/// Test databases of processes that have ended are dropped, so repeated
/// runs do not fill the server.
async fn drop_stale(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'kaidan_t_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut *conn)
                .await;
        }
    }
}

/// A fresh, migrated database of `backend`.
pub async fn fresh(backend: &str) -> Result<TestDb, String> {
    let (url, dir) = fresh_url(backend).await?;
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(TestDb { db, url, _dir: dir })
}

/// A fresh, migrated database of `backend` that lives as long as the test
/// process, to be filled once (the demo company, say) and copied for each
/// test with [`copy_of`]; close its [`Db`] before copying. An SQLite one
/// lies in a folder named after the process (folders of ended processes
/// are removed); a PostgreSQL one is dropped as [`fresh`]'s are.
pub async fn template(backend: &str) -> Result<(Db, String), String> {
    let url = match backend {
        "sqlite" => {
            let tmp = std::env::temp_dir();
            remove_stale_templates(&tmp);
            let dir = tmp.join(format!(
                "kaidan-template-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            format!("sqlite:{}", dir.join("kaidan.db").display())
        }
        _ => fresh_url(backend).await?.0,
    };
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok((db, url))
}

/// Template folders of processes that have ended.
fn remove_stale_templates(tmp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("kaidan-template-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh database holding what the template at `url` holds (see
/// [`template`]): SQLite's `VACUUM INTO` a new file, PostgreSQL's
/// `CREATE DATABASE … TEMPLATE`.
pub async fn copy_of(url: &str) -> Result<TestDb, String> {
    let (copy, dir) = if let Some(path) = url.strip_prefix("sqlite:") {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join("kaidan.db");
        let mut conn = sqlx::SqliteConnection::connect(url)
            .await
            .map_err(|e| format!("cannot open {path}: {e}"))?;
        sqlx::query("VACUUM INTO ?")
            .bind(file.display().to_string())
            .execute(&mut conn)
            .await
            .map_err(|e| format!("cannot copy {path}: {e}"))?;
        let _ = conn.close().await;
        (format!("sqlite:{}", file.display()), Some(dir))
    } else {
        let (fresh, _) = fresh_url("postgres").await?;
        let name = |u: &str| {
            url::Url::parse(u)
                .map(|u| u.path().trim_start_matches('/').to_owned())
                .map_err(|e| e.to_string())
        };
        let (copy_name, template_name) = (name(&fresh)?, name(url)?);
        let admin = std::env::var(PG_ENV).map_err(|e| format!("{PG_ENV}: {e}"))?;
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .map_err(|e| format!("cannot connect to {admin}: {e}"))?;
        // fresh_url made an empty database of that name: the copy takes it.
        sqlx::query(&format!("DROP DATABASE {copy_name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        // Two copies begun at once may find the template busy: try again.
        let mut tries = 0;
        loop {
            match sqlx::query(&format!(
                "CREATE DATABASE {copy_name} TEMPLATE {template_name}"
            ))
            .execute(&mut conn)
            .await
            {
                Ok(_) => break,
                Err(e) if tries < 40 && e.to_string().contains("being accessed") => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                Err(e) => return Err(format!("cannot copy {template_name}: {e}")),
            }
        }
        let _ = conn.close().await;
        (fresh, None)
    };
    let db = Db::connect(&copy, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok(TestDb {
        db,
        url: copy,
        _dir: dir,
    })
}

/// One backend's fresh, migrated database, as a test run on it sees it.
#[derive(Debug, Clone)]
pub struct Backend {
    /// `sqlite` or `postgres`, for assertion messages.
    pub name: &'static str,
    pub db: Db,
    /// The database's URL, for a second connection pool (a second node).
    pub url: String,
}

impl Backend {
    /// An [`App`] over this database with `clock` and the default
    /// configuration (with an events key of its own), bootstrapped
    /// (permissions and built-in roles).
    ///
    /// # Panics
    ///
    /// When bootstrapping fails: the test cannot run.
    pub async fn app(&self, clock: Arc<dyn Clock>) -> App {
        let mut config = AppConfig::default();
        // The binary reads its events key from a file or the environment;
        // a test's database lives as long as the test, so does its key.
        config.events.key =
            kaidan_app::events::SealKey::from_hex(&kaidan_app::events::SealKey::generate_hex())
                .ok();
        let app = App::new(Arc::new(self.db.clone()), clock, config);
        if let Err(e) = app.bootstrap().await {
            panic!("cannot bootstrap the app on {}: {e}", self.name);
        }
        app
    }
}

/// Runs `test` once per backend (SQLite always, PostgreSQL when [`PG_ENV`]
/// is set), each time on a fresh, migrated database that is closed (and, for
/// SQLite, removed) afterwards.
///
/// # Panics
///
/// When a fresh database cannot be had: the test cannot run.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    for name in backends() {
        let t = match fresh(name).await {
            Ok(t) => t,
            Err(e) => panic!("cannot open a fresh {name} test database: {e}"),
        };
        test(Backend {
            name,
            db: t.db.clone(),
            url: t.url.clone(),
        })
        .await;
        t.db.close().await;
    }
}

/// [`on_each_backend`] with a bootstrapped [`App`] on the system clock:
/// `test` gets the app and the backend's name.
pub async fn on_each_app<F, Fut>(test: F)
where
    F: Fn(App, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let test = &test;
    on_each_backend(|b| async move { test(b.app(Arc::new(SystemClock)).await, b.name).await })
        .await;
}

/// The movable clock of the tests (and of the demo), where it lives.
pub use kaidan_app::clock::MovableClock;
