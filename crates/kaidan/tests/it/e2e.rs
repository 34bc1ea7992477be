//! End-to-end tests of the `kaidan` binary: the commands a person types.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::{Server, kaidan, stderr, stdout};

#[test]
fn int_3_help_explains_every_command() {
    let o = kaidan("sqlite:unused.db", &["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for cmd in [
        "serve", "migrate", "demo", "import", "export", "allocate", "user", "jobs",
    ] {
        assert!(help.contains(cmd), "{cmd} missing from --help:\n{help}");
    }
    for sub in [
        vec!["serve", "--help"],
        vec!["user", "add", "--help"],
        vec!["import", "--help"],
        vec!["jobs", "set", "--help"],
    ] {
        let o = kaidan("sqlite:unused.db", &sub);
        assert!(o.status.success(), "{sub:?}");
    }
    let o = kaidan("mysql://nope", &["migrate"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("unsupported database URL"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn serve_api_with_cli_users_tokens_import_export_and_graceful_stop() {
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["migrate"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let add_admin = |name: &str, password: &str| {
            let args = [
                "user",
                "add",
                name,
                "--role",
                "admin",
                "--password",
                password,
            ];
            kaidan(&db, &args)
        };
        let o = add_admin("ops", "s3cret-pass");
        assert!(o.status.success(), "{}", stderr(&o));
        let o = add_admin("weak", "short");
        assert!(!o.status.success());
        assert!(stderr(&o).contains("password"), "{}", stderr(&o));
        let o = kaidan(&db, &["user", "add-token", "ops", "--name", "e2e"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let token = stdout(&o).trim().to_string();
        assert!(token.starts_with("kd_"));
        let o = kaidan(&db, &["user", "list"]);
        assert!(stdout(&o).contains("ops"));

        let dir = tempfile::tempdir().unwrap();
        let import = |name: &str, row: &str| {
            let file = dir.path().join(name);
            let text = format!("sku,name,unit,season,list_price,tax_rate\n{row}\n");
            std::fs::write(&file, text).unwrap();
            kaidan(&db, &["import", "products", file.to_str().unwrap()])
        };
        let o = import("products.csv", "A-1,衬衫,件,summer,9,13%");
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("products.csv: row 2, column season"),
            "{}",
            stderr(&o)
        );
        let o = import("good.csv", "A-1,衬衫,件,spring_summer,9,13%");
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("1 created"), "{}", stdout(&o));

        let server = Server::start(&db, "serve");
        let http = reqwest::Client::new();
        let health: serde_json::Value = http
            .get(format!("{}/api/v1/health", server.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        let r = http
            .post(format!("{}/api/v1/products", server.url))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"sku": "A-2", "name": "裤子", "unit": "条", "season": "none",
                                      "list_price": "120.00", "tax_rate": "0.13"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let page: serde_json::Value = http
            .get(format!("{}/api/v1/products?limit=1", server.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert!(page["next_cursor"].is_string());
        let status = server.stop();
        assert!(status.success(), "graceful shutdown exits 0: {status:?}");

        // Acknowledged writes survived the restart.
        let out = dir.path().join("export.xlsx");
        let o = kaidan(&db, &["export", "products", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = kaidan(&db, &["import", "products", out.to_str().unwrap()]);
        assert!(
            stdout(&o).contains("0 created, 0 updated, 2 unchanged"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn alc_10_allocate_scenario_output_is_byte_identical_to_the_expected_result() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/allocation");
    let mut checked = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let expected =
            std::fs::read_to_string(path.with_file_name(name.replace(".json", ".expected.json")))
                .unwrap();
        let o = kaidan(
            "sqlite:unused.db",
            &["allocate", "--scenario", path.to_str().unwrap()],
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 3, "examples found: {checked}");
}

#[tokio::test]
async fn sec_3_backup_and_restore_round_trip() {
    for (db, _dir) in support::databases().await {
        let dir = tempfile::tempdir().unwrap();
        let o = kaidan(
            &db,
            &[
                "user",
                "add",
                "keeper",
                "--role",
                "admin",
                "--password",
                "s3cret-pass",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let backup = dir.path().join("kaidan.backup");
        let o = kaidan(&db, &["backup", backup.to_str().unwrap()]);
        if !o.status.success() && stderr(&o).contains("pg_dump") && db.starts_with("postgres") {
            // The PostgreSQL client tools are not on this machine.
            eprintln!("skipping the PostgreSQL backup test: {}", stderr(&o));
            continue;
        }
        assert!(o.status.success(), "{}", stderr(&o));
        let o = kaidan(
            &db,
            &[
                "user",
                "add",
                "later",
                "--role",
                "admin",
                "--password",
                "s3cret-pass",
            ],
        );
        assert!(o.status.success());
        let o = kaidan(&db, &["restore", backup.to_str().unwrap(), "--force"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let users = stdout(&kaidan(&db, &["user", "list"]));
        assert!(users.contains("keeper"), "{users}");
        assert!(
            !users.contains("later"),
            "the restore brought back the state of the backup: {users}"
        );
        let o = kaidan(
            &db,
            &["restore", dir.path().join("missing").to_str().unwrap()],
        );
        assert!(!o.status.success());
    }
}

/// Runs `kaidan bench …` on `db` (on PostgreSQL a fresh empty database,
/// given as `--on`) and gives its last line on stdout and its stderr.
fn bench(db: &str, args: &[&str]) -> (String, String) {
    let mut args = args.to_vec();
    if !db.starts_with("sqlite:") {
        args.extend(["--on", db]);
    }
    let o = kaidan("sqlite:unused.db", &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = stdout(&o).lines().last().unwrap_or_default().to_string();
    (line, stderr(&o))
}

/// Issue 20: the reports bench generates, times every report and the
/// plain baseline, and prints its lines (a tiny load: that the bench
/// works, never how fast).
#[tokio::test]
async fn kpi_bench_reports_runs_and_prints_each_reports_line() {
    for (db, _dir) in support::databases().await {
        let args = [
            "bench",
            "reports",
            "--lines",
            "2000",
            "--products",
            "40",
            "--customers",
            "30",
            "--repeat",
            "2",
        ];
        let mut full = args.to_vec();
        if !db.starts_with("sqlite:") {
            full.extend(["--on", db.as_str()]);
        }
        let o = kaidan("sqlite:unused.db", &full);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        for report in [
            "api accuracy, this month",
            "api sales, 12 months",
            "page / (home), general manager",
            "plain baseline",
        ] {
            assert!(out.contains(report), "{report} missing: {out}");
        }
        assert!(out.contains("p90 <= 300 ms"), "{out}");
    }
}

/// Issue 18: with `--webhook` the relay runs beside the intake and the
/// last line says how late the events arrived (a tiny load: that the bench
/// works, never how fast).
#[tokio::test]
async fn int_5_bench_intake_with_a_webhook_prints_the_delivery_lag() {
    for (db, _dir) in support::databases().await {
        let (line, err) = bench(
            &db,
            &[
                "bench",
                "intake",
                "--orders",
                "8",
                "--clients",
                "2",
                "--webhook",
            ],
        );
        assert!(
            line.starts_with("webhooks: ")
                && line.contains(" events delivered, lag p50 ")
                && line.contains(" ms, p99 "),
            "{line}\n{err}"
        );
        let delivered: u64 = line
            .trim_start_matches("webhooks: ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(delivered >= 8 * 6, "about six events an order: {line}");
    }
}

/// A tiny load: this checks that the benchmark works, never how fast. On
/// PostgreSQL the bench runs on a fresh empty database (`--on`) and its
/// plain baseline on a scratch database it creates and drops (ADR 0029).
#[tokio::test]
async fn bench_intake_runs_and_prints_its_line() {
    for (db, _dir) in support::databases().await {
        let (line, err) = bench(
            &db,
            &["bench", "intake", "--orders", "12", "--clients", "3"],
        );
        assert!(
            line.starts_with("intake: ")
                && line.contains(" orders/s, p50 ")
                && line.contains(", ratio "),
            "{line}"
        );
        // The plain baseline and, as a secondary line, the store's own.
        let plain = if db.starts_with("sqlite:") {
            ["plain baseline (rusqlite): "].as_slice()
        } else {
            [
                "plain baseline (COPY): ",
                "plain baseline (multi-row INSERT): ",
            ]
            .as_slice()
        };
        for p in plain {
            assert!(err.contains(p), "{p} missing: {err}");
        }
        assert!(err.contains("store baseline (Kaidan's store"), "{err}");
        // SQLite's single writer says how busy the orders kept it.
        assert_eq!(
            err.contains("writer: ") && err.contains(" COMMITs took "),
            db.starts_with("sqlite:"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn bench_allocate_runs_and_prints_its_line() {
    // A tiny load: this checks that the benchmark works, never how fast.
    for (db, _dir) in support::databases().await {
        let world = ["--lines", "300", "--products", "30", "--franchisees", "12"];
        let args = [&["bench", "allocate"], &world[..], &["--stores", "6"]].concat();
        let (line, err) = bench(&db, &args);
        assert!(
            line.starts_with("allocate: ")
                && line.contains(" s for 300 lines, baseline ")
                && line.contains(", ratio "),
            "{line}"
        );
        // Both baselines did the same work (ADR 0029): the same rows read
        // and the same result rows written.
        let work = |prefix: &str| {
            let l = err
                .lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} line in {err}"));
            let rest = l.split_once(": read ").expect("read").1;
            let read = rest.split(' ').next().expect("lines").to_string();
            let wrote = rest.split_once("wrote ").expect("wrote").1;
            (read, wrote.split(' ').next().expect("rows").to_string())
        };
        let plain = if db.starts_with("sqlite:") {
            work("plain baseline (rusqlite)")
        } else {
            work("plain baseline (sqlx PostgreSQL driver, COPY)")
        };
        assert_eq!(plain, work("store baseline (Kaidan's store)"));
        assert_ne!(plain.1, "0", "{err}");
    }
}

/// `bench allocate --on` a company's database (here the demo's) is
/// refused before anything is written: the file is not replaced and its
/// data is as it was.
#[tokio::test]
async fn bench_allocate_refuses_a_database_that_holds_data() {
    for (db, dir) in support::databases().await {
        let o = kaidan(&db, &["demo", "--no-serve"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let scratch = tempfile::tempdir().unwrap();
        let dir = dir.as_ref().map_or(scratch.path(), |d| d.path());
        let export = |name: &str| {
            let out = dir.join(name);
            let o = kaidan(&db, &["export", "products", out.to_str().unwrap()]);
            assert!(o.status.success(), "{}", stderr(&o));
            std::fs::read_to_string(&out).unwrap()
        };
        let before = export("before.csv");
        let o = kaidan(
            "sqlite:unused.db",
            &[
                "bench",
                "allocate",
                "--lines",
                "100",
                "--products",
                "30",
                "--on",
                db.as_str(),
            ],
        );
        assert!(!o.status.success(), "{}", stdout(&o));
        assert!(
            stderr(&o).contains("needs an EMPTY database"),
            "{}",
            stderr(&o)
        );
        assert_eq!(export("after.csv"), before);
        assert!(before.lines().count() > 1, "{before}");
    }
}

#[tokio::test]
async fn alc_10_allocate_preview_and_commit_on_the_demo_database() {
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["demo", "--no-serve"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = kaidan(&db, &["allocate", "--preview"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("previewing the allocation"),
            "{}",
            stderr(&o)
        );
        let preview: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        assert!(preview["run"].is_null(), "{preview}");
        assert_eq!(preview["committed"], false);
        assert!(preview["result"]["products"].is_array(), "{preview}");
        assert!(preview["result"]["franchisees"].is_array(), "{preview}");
        // The same inputs give the same output: nothing was written.
        let again = kaidan(&db, &["allocate", "--preview"]);
        assert_eq!(stdout(&again), stdout(&o));
        let o = kaidan(&db, &["allocate", "--commit"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let done: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        let number = done["run"].as_str().unwrap_or_default().to_string();
        assert!(number.starts_with("AR-"), "{done}");
        assert_eq!(done["committed"], true);
        assert_eq!(
            done["result"], preview["result"],
            "the commit did what the preview showed"
        );
        assert!(
            stderr(&o).contains(&format!("run {number}")),
            "{}",
            stderr(&o)
        );
        // Neither or both modes: refused.
        assert!(!kaidan(&db, &["allocate"]).status.success());
        assert!(
            !kaidan(&db, &["allocate", "--preview", "--commit"])
                .status
                .success()
        );
    }
}

/// Issue 16, item 3: the command line used to exit 101 with a backtrace on
/// this file; it is a clear error naming the file, and nothing is imported.
#[tokio::test]
async fn hardening_3_a_crafted_xlsx_import_is_a_clear_error_not_a_panic() {
    let crafted = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kaidan-io/tests/files/shared-string-out-of-range.xlsx"
    );
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["import", "products", crafted]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("error: shared-string-out-of-range.xlsx: not a readable .xlsx workbook"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        let out = tempfile::tempdir().unwrap();
        let csv = out.path().join("products.csv");
        let o = kaidan(&db, &["export", "products", csv.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text.lines().count(), 1, "the header only: {text}");
    }
}

/// Issue 16, item 6: a scenario's problems are all listed, each once (the
/// cause was printed twice by the error chain), money numbers among them.
#[test]
fn hardening_6_scenario_problems_are_listed_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{ "settings": { "run_date": "2024-04-02" },
             "products": [ { "id": 1, "launch_priority": "first" } ],
             "franchisees": [ { "id": 7, "priority_rank": 1, "funds_balance": 100 } ] }"#,
    )
    .unwrap();
    let o = kaidan(
        "sqlite:unused.db",
        &["allocate", "--scenario", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for problem in [
        "franchisees[0].funds_balance: must be a decimal amount written as a string",
        "products[0].launch_priority: must be a whole number",
    ] {
        assert_eq!(err.matches(problem).count(), 1, "{problem}: {err}");
    }
    assert_eq!(
        err.matches("not in the scenario format").count(),
        1,
        "{err}"
    );
    let o = kaidan("sqlite:unused.db", &["allocate", "--scenario", "/dev/null"]);
    let err = stderr(&o);
    assert_eq!(err.matches("EOF while parsing").count(), 1, "{err}");
}
