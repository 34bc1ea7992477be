//! Several `kaidan` processes on one database (issue 24), on both engines:
//! many processes starting at once on an empty database; three serving
//! nodes that share the orders and one job schedule while one of them is
//! killed; and the log line of every request and job run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{self, BIN, Server, kaidan, stderr, stdout};

/// Item 1: a first start of many processes at once on an empty database
/// (the migrations and the permission set-up after them raced before).
#[tokio::test]
async fn ops_1_many_processes_set_up_an_empty_database_at_once() {
    for (db, _dir) in support::databases().await {
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(BIN)
                    .arg("migrate")
                    .env("KAIDAN_DATABASE_URL", &db)
                    .env("KAIDAN_LOG", "warn")
                    .env_remove("KAIDAN_CONFIG")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start kaidan migrate")
            })
            .collect();
        for child in children {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{db}: {}", stderr(&o));
            assert!(stdout(&o).contains("is up to date"), "{}", stdout(&o));
        }
        // The roles got their permissions once: an administrator can do
        // what administrators do.
        support::admin_token(&db);
        let o = kaidan(&db, &["jobs", "list"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("dunning"), "{}", stdout(&o));
    }
}

fn node_config(dir: &Path, name: &str, runs_jobs: bool) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!("[jobs]\nenabled = {runs_jobs}\ntick_seconds = 1\nnode = \"{name}\"\n"),
    )
    .unwrap();
    path
}

async fn send(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn jobs_by_name(http: &reqwest::Client, token: &str, base: &str) -> Vec<Value> {
    let (status, jobs) = send(
        http,
        token,
        reqwest::Method::GET,
        format!("{base}/api/v1/jobs"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{jobs}");
    jobs.as_array().unwrap().clone()
}

fn runs_of(jobs: &[Value], name: &str) -> i64 {
    jobs.iter().find(|j| j["name"] == name).unwrap()["runs"]
        .as_i64()
        .unwrap()
}

/// Items 2, 3 and 5: three nodes started together on an empty database;
/// orders spread over them while one is killed with SIGKILL (each order
/// retried on another node under its idempotency key): every acknowledged
/// order is there once. One schedule for all: set through the node that
/// runs no jobs, run by the others, each due run once; a paused job is not
/// run on schedule, and "run now" on the node without jobs is queued for
/// the others. Every request and job run has its log line.
#[tokio::test]
async fn ops_5_three_nodes_share_the_orders_and_one_job_schedule() {
    for (db, _dir) in support::databases().await {
        let dir = tempfile::tempdir().unwrap();
        let nodes = [("node-a", true), ("node-b", true), ("node-c", false)];
        let starting: Vec<_> = nodes
            .iter()
            .map(|(name, runs)| {
                let config = node_config(dir.path(), name, *runs);
                let log = dir.path().join(format!("{name}.log"));
                let db = db.clone();
                std::thread::spawn(move || {
                    let config = config.to_string_lossy().to_string();
                    Server::start_logged(&db, "serve", &[("KAIDAN_CONFIG", &config)], Some(&log))
                })
            })
            .collect();
        let servers: Vec<Server> = starting.into_iter().map(|t| t.join().unwrap()).collect();
        let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
        let node_b_pid = servers[1].child.id();

        // The company, from the command line while the nodes run.
        let token = support::admin_token(&db);
        let import = |dataset: &str, text: &str| {
            let file = dir.path().join(format!("{dataset}.csv"));
            std::fs::write(&file, text).unwrap();
            let o = kaidan(&db, &["import", dataset, file.to_str().unwrap()]);
            assert!(o.status.success(), "{}", stderr(&o));
        };
        import(
            "products",
            "sku,name,unit,season,list_price,tax_rate\nN-1,衬衫,件,none,99,13%\nN-2,裤子,条,none,159,13%\n",
        );
        import(
            "customers",
            "code,name,kind,payment_terms,payment_method,address\nNC-1,华南加盟商,franchisee,monthly_settlement,bank_transfer,广州\n",
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let get = |path: &str| {
            send(
                &http,
                &token,
                reqwest::Method::GET,
                format!("{}{path}", urls[0]),
                None,
            )
        };
        let (_, customers) = get("/api/v1/customers?limit=10").await;
        let customer = customers["items"][0]["id"].as_i64().unwrap();
        let (_, products) = get("/api/v1/products?limit=10").await;
        let products: Vec<i64> = products["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();

        // One schedule, set through node-c (which runs no jobs): every job
        // every 2 s, events_prune paused.
        for job in jobs_by_name(&http, &token, &urls[2]).await {
            let name = job["name"].as_str().unwrap();
            let (status, row) = send(
                &http,
                &token,
                reqwest::Method::PATCH,
                format!("{}/api/v1/jobs/{name}", urls[2]),
                Some(json!({"interval_seconds": 2})),
            )
            .await;
            assert_eq!(
                (status, row["interval_seconds"].as_i64()),
                (200, Some(2)),
                "{row}"
            );
        }
        let (status, paused) = send(
            &http,
            &token,
            reqwest::Method::PATCH,
            format!("{}/api/v1/jobs/events_prune", urls[2]),
            Some(json!({"paused": true})),
        )
        .await;
        assert_eq!(
            (status, paused["paused"].as_bool()),
            (200, Some(true)),
            "{paused}"
        );
        let (status, bad) = send(
            &http,
            &token,
            reqwest::Method::PATCH,
            format!("{}/api/v1/jobs/dunning", urls[2]),
            Some(json!({"interval_seconds": 0})),
        )
        .await;
        assert_eq!(status, 422, "{bad}");
        assert!(bad.to_string().contains("interval_seconds"), "{bad}");
        let since = Instant::now();
        let before = jobs_by_name(&http, &token, &urls[0]).await;

        // 60 orders from three clients, each order to node (i mod 3); node-b
        // is killed once 20 are acknowledged, and an order whose node does
        // not answer goes to the next node under the same key.
        const ORDERS: usize = 60;
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let mut clients = Vec::new();
        for t in 0..3 {
            let (http, token, urls, products) =
                (http.clone(), token.clone(), urls.clone(), products.clone());
            let acknowledged = Arc::clone(&acknowledged);
            clients.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in (t..ORDERS).step_by(3) {
                    let order = json!({
                        "customer_id": customer, "channel": "api",
                        "order_date": jiff::Zoned::now().date().to_string(),
                        "customer_reference": format!("NODES-{i}"), "delivery_address": "广州",
                        "lines": [{"product_id": products[i % products.len()], "quantity": 1 + i}]});
                    let mut answered = None;
                    for attempt in 0..3 {
                        let url = &urls[(i + attempt) % 3];
                        let r = http
                            .post(format!("{url}/api/v1/orders?confirm_duplicate=true"))
                            .bearer_auth(&token)
                            .header("Idempotency-Key", format!("nodes-{i}"))
                            .json(&order)
                            .send()
                            .await;
                        if let Ok(r) = r {
                            let status = r.status().as_u16();
                            if let Ok(body) = r.json::<Value>().await {
                                answered = Some((status, body));
                                break;
                            }
                        }
                    }
                    let (status, body) = answered.expect("some node answers");
                    assert!(status == 201 || status == 200, "order {i}: {status} {body}");
                    ids.push((i, body["id"].as_i64().unwrap()));
                    if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == 20 {
                        let _ = Command::new("kill")
                            .args(["-KILL", &node_b_pid.to_string()])
                            .status();
                    }
                }
                ids
            }));
        }
        let mut ids = Vec::new();
        for c in clients {
            ids.extend(c.await.unwrap());
        }
        assert_eq!(ids.len(), ORDERS);

        // Every acknowledged order once, as read from a node that lives.
        let (status, listed) = get("/api/v1/orders?limit=500").await;
        assert_eq!(status, 200, "{listed}");
        // The database is new: every order in it is one of these.
        let listed_ids: BTreeSet<i64> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        let acknowledged_ids: BTreeSet<i64> = ids.iter().map(|(_, id)| *id).collect();
        assert_eq!(
            acknowledged_ids.len(),
            ORDERS,
            "{db}: an order acknowledged twice"
        );
        assert_eq!(listed_ids, acknowledged_ids, "{db}");
        // A retry of an acknowledged order, to the node without jobs: the
        // same order, not a new one.
        let (i, id) = ids[0];
        let r = http
            .post(format!("{}/api/v1/orders?confirm_duplicate=true", urls[2]))
            .bearer_auth(&token)
            .header("Idempotency-Key", format!("nodes-{i}"))
            .json(&json!({
                "customer_id": customer, "channel": "api",
                "order_date": jiff::Zoned::now().date().to_string(),
                "customer_reference": format!("NODES-{i}"), "delivery_address": "广州",
                "lines": [{"product_id": products[i % products.len()], "quantity": 1 + i}]}))
            .send()
            .await
            .unwrap();
        let again: Value = r.json().await.unwrap();
        assert_eq!(again["id"].as_i64(), Some(id), "{again}");

        // At least 10 s of the schedule: each due run once, by a node that
        // runs jobs (two such nodes, each looking every second: were a run
        // made by both, a job would run about twice as often).
        if since.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_secs(10) - since.elapsed()).await;
        }
        let after = jobs_by_name(&http, &token, &urls[0]).await;
        let elapsed = since.elapsed().as_secs_f64();
        for job in &after {
            let name = job["name"].as_str().unwrap();
            let ran = runs_of(&after, name) - runs_of(&before, name);
            if name == "events_prune" {
                assert_eq!(ran, 0, "a paused job is not run on schedule: {job}");
                continue;
            }
            let most = (elapsed / 2.0).floor() as i64 + 2;
            assert!(
                (1..=most).contains(&ran),
                "{name} ran {ran} times in {elapsed:.1} s every 2 s (at most {most}): {job}"
            );
            let node = job["last_node"].as_str().unwrap();
            assert!(node == "node-a" || node == "node-b", "{job}");
        }

        // "Run now" on node-c, which runs no jobs: queued, then run once by
        // node-a (node-b is gone), the job staying paused.
        let (status, queued) = send(
            &http,
            &token,
            reqwest::Method::POST,
            format!("{}/api/v1/jobs/events_prune/run", urls[2]),
            None,
        )
        .await;
        assert_eq!(
            (status, queued["queued"].as_bool()),
            (202, Some(true)),
            "{queued}"
        );
        let runs = runs_of(&after, "events_prune");
        let deadline = Instant::now() + Duration::from_secs(20);
        let ran = loop {
            let jobs = jobs_by_name(&http, &token, &urls[0]).await;
            let job = jobs
                .iter()
                .find(|j| j["name"] == "events_prune")
                .unwrap()
                .clone();
            if job["runs"].as_i64().unwrap() > runs || Instant::now() > deadline {
                break job;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        assert_eq!(ran["runs"].as_i64(), Some(runs + 1), "{ran}");
        assert_eq!(ran["last_node"], "node-a", "{ran}");
        assert_eq!(
            (ran["paused"].as_bool(), ran["run_requested"].as_bool()),
            (Some(true), Some(false)),
            "{ran}"
        );

        // A second node on a port in use stops at once and says why.
        let taken = urls[0].trim_start_matches("http://").to_string();
        let o = Command::new(BIN)
            .args(["serve", "--listen", &taken])
            .env("KAIDAN_DATABASE_URL", &db)
            .env("KAIDAN_LOG", "warn")
            .env_remove("KAIDAN_CONFIG")
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains(&format!("cannot listen on {taken}")),
            "{}",
            stderr(&o)
        );

        drop(servers);
        // One line per request at the default level, with its route, status,
        // request id and user; every job run, and the queued one, logged.
        let log =
            |name: &str| std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap();
        let (a, b, c) = (log("node-a"), log("node-b"), log("node-c"));
        let order_lines: Vec<&str> = [a.as_str(), b.as_str(), c.as_str()]
            .iter()
            .flat_map(|l| l.lines())
            .filter(|l| l.contains("route=/api/v1/orders ") && l.contains("status=201"))
            .collect();
        assert!(
            order_lines.len() >= ORDERS - 3,
            "{} order lines in the logs; node-a's starts:\n{}",
            order_lines.len(),
            a.lines().take(30).collect::<Vec<_>>().join("\n")
        );
        let line = order_lines[0];
        for part in ["method=POST", "request_id=", "user=ops", "duration_ms="] {
            assert!(line.contains(part), "{part} missing: {line}");
        }
        assert!(
            a.lines()
                .chain(b.lines())
                .any(|l| l.contains("job ran") && l.contains("trigger=schedule")),
            "{a}"
        );
        assert!(c.contains("job queued"), "{c}");
        assert!(!c.contains("job ran"), "node-c runs no jobs: {c}");
    }
}
