//! `kaidan bench intake` and `kaidan bench allocate`: the order intake path
//! measured end to end over HTTP, and the allocation run, each against a
//! plain baseline measured in the same run (the same storage work without
//! Kaidan's stack, ADR 0029). Figures and how to read them:
//! docs/PERFORMANCE.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kaidan_app::clock::SystemClock;
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, AppConfig, Created, Ctx};
use kaidan_domain::master::{
    CustomerData, CustomerKind, PaymentMethod, PaymentTerms, ProductData, Season, WarehouseData,
};
use kaidan_domain::{Money, ProductId, Role, TaxRate, WarehouseId};
use kaidan_store::{Db, DbOptions};

pub(crate) const PRODUCTS: usize = 20;
pub(crate) const CUSTOMERS: usize = 50;
pub(crate) const LINES: usize = 5;

fn created<T>(c: Created<T>) -> anyhow::Result<T> {
    match c {
        Created::New(v) => Ok(v),
        Created::Replayed { .. } => bail!("unexpected replay"),
    }
}

pub(crate) struct Company {
    pub(crate) warehouse: i64,
    pub(crate) products: Vec<i64>,
    pub(crate) customers: Vec<i64>,
    pub(crate) clerk: String,
    pub(crate) finance: String,
    pub(crate) warehouse_token: String,
}

async fn company(app: &App, tag: &str) -> anyhow::Result<Company> {
    company_on(app, tag, PaymentTerms::Prepayment, Money::ZERO).await
}

/// The bench company: 20 products with plenty of stock, 50 franchisees on
/// `terms` with `credit`, and an order clerk, finance and warehouse user.
pub(crate) async fn company_on(
    app: &App,
    tag: &str,
    terms: PaymentTerms,
    credit: Money,
) -> anyhow::Result<Company> {
    let sys = Ctx::system();
    let w = created(
        app.create(
            &sys,
            WarehouseData {
                code: format!("BW-{tag}"),
                name: "总仓".into(),
                address: None,
                is_central: true,
                active: true,
            },
            None,
        )
        .await?,
    )?;
    let mut products = Vec::new();
    for i in 0..PRODUCTS {
        let p = ProductData {
            sku: format!("B-{tag}-{i}"),
            name: format!("压测商品{i}"),
            spec: String::new(),
            barcode: String::new(),
            category: String::new(),
            unit: "件".into(),
            season: Season::None,
            launch_priority: 1,
            list_price: Money::yuan(10),
            cost_price: None,
            tax_rate: TaxRate::from_basis_points(1300),
            active: true,
        };
        let id = created(app.create(&sys, p, None).await?)?.id;
        app.receive_stock(
            &sys,
            ProductId(id),
            WarehouseId(w.id),
            1_000_000_000,
            "bench",
        )
        .await?;
        products.push(id);
    }
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        let c = CustomerData {
            code: format!("BC-{tag}-{i}"),
            name: format!("压测客户{i}"),
            kind: CustomerKind::Franchisee,
            contact_name: None,
            contact_phone: None,
            contact_email: None,
            address: Some("深圳".into()),
            region_id: None,
            tier: None,
            priority: 1,
            importance: None,
            payment_terms: terms,
            net_days: None,
            payment_method: PaymentMethod::BankTransfer,
            tax_number: Some(format!("91440300BENCH{i:05}")),
            bank_account: None,
            credit_limit: credit,
            price_list_id: None,
            sales_rep_id: None,
            active: true,
        };
        customers.push(created(app.create(&sys, c, None).await?)?.id);
    }
    let mut tokens = Vec::new();
    for (name, role) in [
        ("clerk", Role::OrderClerk),
        ("finance", Role::Finance),
        ("warehouse", Role::Warehouse),
    ] {
        let u = app
            .create_user(
                &sys,
                NewUserInput {
                    username: format!("bench-{name}-{tag}"),
                    display_name: String::new(),
                    password: "bench-password".into(),
                    roles: vec![role],
                    customer_id: None,
                },
            )
            .await?;
        tokens.push(app.add_token(&sys, u.id, "bench").await?.token);
    }
    let warehouse_token = tokens.pop().unwrap_or_default();
    let finance = tokens.pop().unwrap_or_default();
    let clerk = tokens.pop().unwrap_or_default();
    Ok(Company {
        warehouse: w.id,
        products,
        customers,
        clerk,
        finance,
        warehouse_token,
    })
}

pub(crate) async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let r = http
        .post(&url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = r.status();
    let v: serde_json::Value = r.json().await?;
    if !status.is_success() {
        bail!("{url}: {status} {v}");
    }
    Ok(v)
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// A fresh, migrated and bootstrapped bench database with the use cases
/// over it.
pub(crate) async fn fresh_app(url: &str) -> anyhow::Result<(Db, App)> {
    let db = Db::connect(url, &DbOptions::default())
        .await
        .context("opening the bench database")?;
    db.migrate().await?;
    let mut config = AppConfig::default();
    // A scratch database's webhook secrets need a key as short-lived.
    config.events.key = Some(kaidan_app::events::SealKey::from_hex(
        &kaidan_app::events::SealKey::generate_hex(),
    )?);
    let app = App::new(Arc::new(db.clone()), Arc::new(SystemClock), config);
    app.bootstrap().await?;
    Ok((db, app))
}

/// The real server on a free local port, for the bench's HTTP clients.
pub(crate) struct BenchServer {
    pub(crate) base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl BenchServer {
    pub(crate) async fn start(app: &App) -> anyhow::Result<BenchServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = app.clone();
        let task = tokio::spawn(async move {
            let served =
                kaidan_http::serve(listener, app, kaidan_http::HttpConfig::default(), async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                eprintln!("bench server: {e}");
            }
        });
        Ok(BenchServer { base, stop, task })
    }

    /// Stops the server and waits for it.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

pub async fn intake(
    database_url: Option<String>,
    orders: usize,
    clients: usize,
    webhook: bool,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kaidan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite:{}", dir.join("intake.db").display()));
    let tag = jiff::Timestamp::now().as_millisecond().to_string();
    let (db, app) = fresh_app(&url).await?;
    eprintln!("bench intake: {orders} orders of {LINES} lines, {clients} clients, database {url}");
    let co = Arc::new(company(&app, &tag).await?);

    let server = BenchServer::start(&app).await?;
    let base = server.base.clone();
    let relay = if webhook {
        Some(crate::bench_webhook::BenchRelay::start(&app).await?)
    } else {
        None
    };

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, co, base) = (
            http.clone(),
            Arc::clone(&next),
            Arc::clone(&co),
            base.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t0 = Instant::now();
                let lines: Vec<_> = (0..LINES)
                    .map(|k| serde_json::json!({ "product_id": co.products[(i + k) % PRODUCTS], "quantity": 1 + k }))
                    .collect();
                let order = serde_json::json!({
                    "customer_id": co.customers[i % CUSTOMERS], "channel": "api", "order_date": jiff::Zoned::now().date().to_string(),
                    "customer_reference": format!("BENCH-{i}"), "delivery_address": "深圳", "lines": lines });
                let placed = post(&http, format!("{base}/api/v1/orders?confirm_duplicate=true"), &co.clerk, order).await?;
                let id = placed["id"].as_i64().unwrap_or_default();
                post(&http, format!("{base}/api/v1/orders/{id}/review"), &co.clerk, serde_json::json!({})).await?;
                let done = post(&http, format!("{base}/api/v1/orders/{id}/finance-review"), &co.finance, serde_json::json!({"decision": "pass"})).await?;
                if done["status"] != "approved" {
                    bail!("order {id} ended {}", done["status"]);
                }
                latencies.push(t0.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    let wall = started.elapsed();
    let lag = match relay {
        Some(r) => Some(r.finish(&app).await?),
        None => None,
    };
    server.stop().await;
    // Read before the shape's queries: what the orders cost the writer.
    let busy = db.writer_busy();
    let shape = db.intake_shape(orders).await?;
    db.close().await;
    latencies.sort();
    let rate = orders as f64 / wall.as_secs_f64();

    // The old baseline, through Kaidan's own store (one INSERT a
    // row): a secondary figure on stderr.
    let raw_url = if url.starts_with("sqlite:") {
        format!("sqlite:{}", dir.join("raw.db").display())
    } else {
        url.clone()
    };
    let raw = Db::open_for_bench(&raw_url).await?;
    let raw_app = App::new(
        Arc::new(raw.clone()),
        Arc::new(SystemClock),
        AppConfig::default(),
    );
    let raw_co = company(&raw_app, &format!("{tag}r")).await?;
    let rows_of = (raw_co.customers[0], raw_co.products[0], raw_co.warehouse);
    let store_took = raw.raw_order_inserts(orders, &shape, 100, rows_of).await?;
    raw.close().await;
    let store_rate = orders as f64 / store_took.as_secs_f64();

    // The plain baseline (ADR 0029): the same rows on the same engine
    // without Kaidan's stack, on a fresh database of its own.
    let plain = plain_intake(&url, &dir, orders, &shape, &format!("{tag}p")).await?;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "per order {} rows (1 header of {} bytes, {} lines, {} versions, {} timeline rows, {} audit rows, {} outbox events, {} stock moves, {} account entries), transactions of 100 orders",
        shape.rows(),
        shape.document_bytes,
        shape.lines,
        shape.versions,
        shape.events,
        shape.audit_rows,
        shape.outbox_rows,
        shape.stock_moves,
        shape.account_entries
    );
    let mut raw_rate = 0.0f64;
    for f in &plain {
        let r = orders as f64 / f.took.as_secs_f64().max(1e-9);
        eprintln!("plain baseline ({}): {r:.0} orders/s", f.method);
        raw_rate = raw_rate.max(r);
    }
    if let Some(b) = busy {
        // Setup (company, users) is in these counts too: a few dozen units.
        eprintln!(
            "writer: {} units held it {:.0} ms ({:.3} ms a unit), {} COMMITs took {:.0} ms ({:.2} ms each), busy {:.0} % of the intake's {:.1} s; {} WAL flushes off the writer took {:.0} ms ({:.2} ms each)",
            b.units,
            b.held.as_secs_f64() * 1e3,
            b.held.as_secs_f64() * 1e3 / b.units.max(1) as f64,
            b.commits,
            b.commit.as_secs_f64() * 1e3,
            b.commit.as_secs_f64() * 1e3 / b.commits.max(1) as f64,
            (b.held + b.commit).as_secs_f64() * 100.0 / wall.as_secs_f64(),
            wall.as_secs_f64(),
            b.flushes,
            b.flush.as_secs_f64() * 1e3,
            b.flush.as_secs_f64() * 1e3 / b.flushes.max(1) as f64,
        );
    }
    eprintln!(
        "store baseline (Kaidan's store, one INSERT a row): {store_rate:.0} orders/s, ratio {:.3}",
        rate / store_rate
    );
    println!(
        "intake: {rate:.0} orders/s, p50 {:.1} ms, p99 {:.1} ms, raw {raw_rate:.0} orders/s, ratio {:.3}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        rate / raw_rate.max(1e-9)
    );
    if let Some(lag) = lag {
        println!("{lag}");
    }
    Ok(())
}

/// The plain intake baseline on a fresh database: an SQLite file in `dir`,
/// or a scratch database beside a PostgreSQL `url`, dropped afterwards.
async fn plain_intake(
    url: &str,
    dir: &std::path::Path,
    orders: usize,
    shape: &kaidan_store::RawShape,
    tag: &str,
) -> anyhow::Result<Vec<kaidan_store::PlainFigure>> {
    let scratch = if url.starts_with("sqlite:") {
        None
    } else {
        let name = format!("kaidan_bench_plain_{}", std::process::id());
        Some(
            kaidan_store::ScratchPg::create(url, &name)
                .await
                .context("creating the plain baseline's scratch database")?,
        )
    };
    let plain_url = match &scratch {
        Some(s) => s.url.clone(),
        None => format!("sqlite:{}", dir.join("plain.db").display()),
    };
    let db = Db::open_for_bench(&plain_url).await?;
    let app = App::new(
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        AppConfig::default(),
    );
    let co = company(&app, tag).await?;
    let rows_of = (co.customers[0], co.products[0], co.warehouse);
    let figures = db.plain_order_inserts(orders, shape, 100, rows_of).await;
    db.close().await;
    // The figures stand without the clean-up; a left-over scratch
    // database is named in the warning and replaced by the next run.
    if let Some(s) = scratch
        && let Err(e) = s.drop_database().await
    {
        eprintln!("warning: the plain baseline's scratch database was not dropped: {e}");
    }
    Ok(figures?)
}

/// The engine a bench runs on, as its first line says it.
pub(crate) fn engine_words(on_pg: bool, cache_mib: u32, dir: &std::path::Path) -> String {
    if on_pg {
        "PostgreSQL".to_string()
    } else {
        format!("SQLite cache {cache_mib} MiB, in {}", dir.display())
    }
}

pub(crate) fn bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {prefix:>12} [{bar:40}] {pos}/{len} {elapsed_precise} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b.set_prefix(what.to_string());
    b
}

pub(crate) fn spinner(what: &str) -> indicatif::ProgressBar {
    let s = indicatif::ProgressBar::new_spinner();
    s.set_message(what.to_string());
    s.enable_steady_tick(Duration::from_millis(200));
    s
}

/// The generated data set in a fresh database: the bench's own SQLite
/// file (`replace`: a left-over of an earlier run is removed first), or a
/// database given with `--on`, which must be empty (never removed).
async fn allocate_db(
    url: &str,
    replace: bool,
    shape: kaidan_store::AllocShape,
    sqlite_cache_mib: u32,
) -> anyhow::Result<(Db, kaidan_store::AllocGenerated)> {
    if replace && let Some(path) = url.strip_prefix("sqlite:") {
        let _ = std::fs::remove_file(path);
    }
    let options = DbOptions {
        sqlite_cache_mib,
        ..DbOptions::default()
    };
    let db = Db::connect(url, &options)
        .await
        .with_context(|| format!("opening {url}"))?;
    db.migrate().await?;
    let now = jiff::Timestamp::now().as_microsecond();
    let total = u64::try_from(shape.lines).unwrap_or(0);
    let progress = bar(total, "generating");
    let report = |phase: &str, done: u64, all: u64| {
        if phase == "orders" {
            progress.set_position(done.min(all));
        } else {
            progress.set_message(phase.to_string());
        }
    };
    let generated = db.generate_allocation_data(shape, now, &report).await?;
    progress.finish_and_clear();
    Ok((db, generated))
}

pub async fn allocate(args: crate::cli::BenchAllocateArgs) -> anyhow::Result<()> {
    let shape = kaidan_store::AllocShape {
        lines: args.lines,
        products: args.products,
        franchisees: args.franchisees,
        stores: args.stores,
        seed: args.seed,
    };
    let (dir, keep) = match args.dir {
        Some(d) => (d, true),
        None => (
            std::env::temp_dir().join(format!("kaidan-bench-allocate-{}", std::process::id())),
            false,
        ),
    };
    std::fs::create_dir_all(&dir)?;
    // `--on`: the real run on the given (empty) database; on PostgreSQL
    // the baselines then run on a scratch database beside it.
    let real_url = args
        .on
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", dir.join("real.db").display()));
    let on_pg = !real_url.starts_with("sqlite:");
    eprintln!(
        "bench allocate: {} lines over {} products, {} franchisees, {} stores (seed {}), {}",
        shape.lines,
        shape.products,
        shape.franchisees,
        shape.stores,
        shape.seed,
        engine_words(on_pg, args.sqlite_cache_mib, &dir)
    );

    // The real run: load, engine, write, on its own fresh database.
    let t = Instant::now();
    let (db, generated) =
        allocate_db(&real_url, args.on.is_none(), shape, args.sqlite_cache_mib).await?;
    eprintln!(
        "generated {} orders, {} lines, demand {} units, central supply {} units ({:.1} s, not timed)",
        generated.orders,
        generated.lines,
        generated.demand,
        generated.supply,
        t.elapsed().as_secs_f64()
    );
    let app = App::new(
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        AppConfig::default(),
    );
    app.bootstrap().await?;
    let s = spinner("real run: load, engine, write");
    let started = Instant::now();
    let outcome = app.run_allocation(&Ctx::system(), true, "bench").await?;
    let real = started.elapsed();
    s.finish_and_clear();
    let (mut allocations, mut locks) = (0usize, 0usize);
    for a in &outcome.result.allocations {
        match a {
            kaidan_domain::allocation::Allocation::FranchiseeAllocation(_) => allocations += 1,
            kaidan_domain::allocation::Allocation::FranchiseeLock(_) => locks += 1,
            _ => {}
        }
    }
    let run = outcome
        .run
        .as_ref()
        .map(|r| r.number.clone())
        .unwrap_or_default();
    eprintln!(
        "real run {run}: {:.3} s; {} franchisee allocations ({} units), {} locks ({} units), {} pick lists, {} result items in all",
        real.as_secs_f64(),
        allocations,
        outcome.run.as_ref().map_or(0, |r| r.allocated),
        locks,
        outcome.run.as_ref().map_or(0, |r| r.locked),
        outcome.pick_lists.len(),
        outcome.result.allocations.len()
    );
    drop(outcome);
    db.close().await;

    // Created only now, so that a refused `--on` leaves nothing behind;
    // dropped at the end.
    let scratch = if on_pg {
        let name = format!("kaidan_bench_allocate_{}", std::process::id());
        Some(
            kaidan_store::ScratchPg::create(&real_url, &name)
                .await
                .context("creating the baselines' scratch database")?,
        )
    } else {
        None
    };
    let base_url = match &scratch {
        Some(s) => s.url.clone(),
        None => format!("sqlite:{}", dir.join("baseline.db").display()),
    };
    // The baselines, same process, on a second identical fresh database:
    // first the plain one (ADR 0029, no Kaidan stack: rusqlite on SQLite,
    // one connection and a COPY on PostgreSQL), then the old one through
    // Kaidan's store, each writing its own table.
    let (base, _) = allocate_db(&base_url, true, shape, args.sqlite_cache_mib).await?;
    let s = spinner("plain baseline: read, sort, greedy walk, write");
    let plain = base.plain_allocate_baseline(args.sqlite_cache_mib).await?;
    s.finish_and_clear();
    let s = spinner("store baseline: read, sort, greedy walk, write");
    let figures = base.allocate_baseline().await?;
    s.finish_and_clear();
    base.close().await;
    eprintln!(
        "plain baseline ({}): read {} lines, wrote {} result rows (the real run: {} franchisee results) in {:.3} s",
        if on_pg {
            "sqlx PostgreSQL driver, COPY"
        } else {
            "rusqlite"
        },
        plain.read,
        plain.written,
        allocations + locks,
        plain.took.as_secs_f64()
    );
    eprintln!(
        "store baseline (Kaidan's store): read {} lines, wrote {} result rows in {:.3} s, ratio {:.2}",
        figures.read,
        figures.written,
        figures.took.as_secs_f64(),
        real.as_secs_f64() / figures.took.as_secs_f64().max(1e-9)
    );
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let Some(s) = scratch
        && let Err(e) = s.drop_database().await
    {
        eprintln!("warning: the baselines' scratch database was not dropped: {e}");
    }
    let baseline = plain.took.as_secs_f64();
    println!(
        "allocate: {:.3} s for {} lines, baseline {:.3} s, ratio {:.2}",
        real.as_secs_f64(),
        generated.lines,
        baseline,
        real.as_secs_f64() / baseline.max(1e-9)
    );
    Ok(())
}
