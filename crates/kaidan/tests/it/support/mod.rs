//! Running the real `kaidan` binary in tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_kaidan");

/// Runs `kaidan ARGS` against `db` and waits for it.
pub fn kaidan(db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("KAIDAN_DATABASE_URL", db)
        .env("KAIDAN_LOG", "warn")
        .env_remove("KAIDAN_CONFIG")
        .output()
        .expect("run kaidan")
}

/// Adds the administrator `ops` from the command line; an API token of it.
pub fn admin_token(db: &str) -> String {
    let o = kaidan(
        db,
        &[
            "user",
            "add",
            "ops",
            "--role",
            "admin",
            "--password",
            "s3cret-pass",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kaidan(db, &["user", "add-token", "ops", "--name", "e2e"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A `kaidan serve` (or `demo`) process on a free port; stopped with
/// SIGTERM when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub banner: Vec<String>,
}

impl Server {
    pub fn start(db: &str, command: &str) -> Server {
        Server::start_with(db, command, &[])
    }

    /// [`Server::start`] with more environment variables.
    pub fn start_with(db: &str, command: &str, env: &[(&str, &str)]) -> Server {
        Server::start_logged(db, command, env, None)
    }

    /// [`Server::start_with`]; with `log`, at the default log level (no
    /// `KAIDAN_LOG`) and its standard error written to that file.
    pub fn start_logged(
        db: &str,
        command: &str,
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args([command, "--listen", "127.0.0.1:0"])
            .env("KAIDAN_DATABASE_URL", db)
            .env("KAIDAN_LOG", "warn")
            .env_remove("KAIDAN_CONFIG")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(path) = log {
            cmd.env_remove("KAIDAN_LOG")
                .stderr(std::fs::File::create(path).expect("log file"));
        }
        let mut child = cmd.spawn().expect("start kaidan");
        let Some(out) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no stdout from kaidan");
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            let line = match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => line,
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("kaidan did not print its URL within two minutes: {e}");
                }
            };
            if let Some(rest) = line.strip_prefix("Kaidan is running at ") {
                let url = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string();
                return Server { child, url, banner };
            }
            banner.push(line);
        }
    }

    /// Asks the server to stop (SIGTERM) and returns its exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("wait for kaidan");
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Database URLs to run the binary against: a fresh SQLite file always,
/// a fresh PostgreSQL database when KAIDAN_TEST_DATABASE_URL is set.
pub async fn databases() -> Vec<(String, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    for b in kaidan_store::testing::backends() {
        out.push(
            kaidan_store::testing::fresh_url(b)
                .await
                .expect("fresh database"),
        );
    }
    out
}
