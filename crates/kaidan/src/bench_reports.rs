//! `kaidan bench reports` (issue 20, KPI-1..5): every figure, its page,
//! its records and the home page timed over HTTP against the real server
//! on a generated year of trade (`Db::generate_reports_data`), against the
//! goal of 300 ms at the 90th percentile, and, in the same run, a plain
//! baseline of the heaviest reports' reads (ADR 0029). Figures and how to
//! read them: docs/PERFORMANCE.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::clock::SystemClock;
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, AppConfig, Ctx};
use kaidan_domain::figures::Figure;
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{Role, UserId};
use kaidan_store::{Db, DbOptions, ReportsShape, generated_user_name};

use crate::bench::{BenchServer, bar, engine_words, percentile, spinner};

/// Which pages a run times, and against which goal at p90.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// The figures and reports (issue 20): 300 ms.
    Reports,
    /// The daily screens (issue 21): 200 ms.
    Pages,
}

impl Suite {
    fn goal_ms(self) -> f64 {
        match self {
            Suite::Reports => 300.0,
            Suite::Pages => 200.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Suite::Reports => "reports",
            Suite::Pages => "pages",
        }
    }
}
/// Untimed requests before each report's timed ones.
const WARMUPS: usize = 2;
const MANAGER: &str = "bench-gm";
const PASSWORD: &str = "bench-password";

/// Who asks: the general manager through the API (a token) or the pages
/// (a session cookie); a generated sales rep or order clerk (his own
/// figures) likewise.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Manager,
    ManagerPage,
    Rep,
    RepPage,
    ClerkPage,
}

/// The bench users' API tokens and page session cookies.
struct Auth {
    manager_token: String,
    rep_token: String,
    manager_cookie: String,
    rep_cookie: String,
    clerk_cookie: String,
}

pub(crate) struct Report {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) who: Who,
}

struct Timed {
    name: String,
    times: Vec<Duration>,
}

impl Timed {
    fn p(&self, q: f64) -> f64 {
        let mut sorted = self.times.clone();
        sorted.sort();
        percentile(&sorted, q)
    }
}

/// The first moment of `day` in the company's time zone, in microseconds
/// (as the figures bound their periods).
fn start_micros(day: Date) -> anyhow::Result<i64> {
    Ok(day
        .to_zoned(company_time_zone())?
        .timestamp()
        .as_microsecond())
}

/// The machine's load (1, 5, 15 minutes) where the system tells it: a
/// shared machine's other work shows in the figures.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// The reports timed: each figure's API over this month (its default
/// breakdown) and over 12 months, its page this month, the sales page by
/// customer over 12 months, the accuracy records this month, the figures
/// overview, the home page of the general manager, of a rep and of a
/// clerk (their own figures; a clerk's also his work queue; the general
/// manager's and the rep's also their targets), a rep's own sales this
/// month, and the targets' progress this month and year, their months and
/// the targets page (SAL-1), the points and expenses (SAL-3, SAL-4), the
/// sales by product category, last month's commissions (SAL-5) and clerk
/// assessments (KPI-6), and the customer files (SAL-2).
fn report_list(month: &str, year: &str, plan_year: i16, last_month: &str) -> Vec<Report> {
    let mut out = Vec::new();
    let mut add = |name: String, path: String, who: Who| out.push(Report { name, path, who });
    for f in Figure::ALL {
        add(
            format!("api {f}, this month"),
            format!("/api/v1/figures/{f}?{month}"),
            Who::Manager,
        );
    }
    for f in Figure::ALL {
        add(
            format!("api {f}, 12 months"),
            format!("/api/v1/figures/{f}?{year}"),
            Who::Manager,
        );
    }
    for f in Figure::ALL {
        add(
            format!("page /figures/{f}, this month"),
            format!("/figures/{f}?{month}"),
            Who::ManagerPage,
        );
    }
    add(
        "page /figures/sales by customer, 12 months".into(),
        format!("/figures/sales?by=customer&{year}"),
        Who::ManagerPage,
    );
    add(
        "api accuracy records, this month".into(),
        format!("/api/v1/figures/accuracy/records?{month}"),
        Who::Manager,
    );
    add(
        "page /figures (overview)".into(),
        "/figures".into(),
        Who::ManagerPage,
    );
    add(
        "page / (home), general manager".into(),
        "/".into(),
        Who::ManagerPage,
    );
    add(
        "page / (home), a sales rep".into(),
        "/".into(),
        Who::RepPage,
    );
    add(
        "page / (home), an order clerk".into(),
        "/".into(),
        Who::ClerkPage,
    );
    add(
        "api sales, this month, a rep's own".into(),
        format!("/api/v1/figures/sales?{month}"),
        Who::Rep,
    );
    for span in ["month", "year"] {
        add(
            format!("api target progress, this {span}"),
            format!("/api/v1/sales-targets/{plan_year}/progress?span={span}"),
            Who::Manager,
        );
    }
    add(
        "api target months".into(),
        format!("/api/v1/sales-targets/{plan_year}/months"),
        Who::Manager,
    );
    add(
        "page /targets/{year}".into(),
        format!("/targets/{plan_year}"),
        Who::ManagerPage,
    );
    add(
        "api points champions, this year".into(),
        format!("/api/v1/points/champions/{plan_year}"),
        Who::Manager,
    );
    add(
        "api points balances".into(),
        "/api/v1/points/balances".into(),
        Who::Manager,
    );
    add("page /points".into(), "/points".into(), Who::ManagerPage);
    add(
        "page /expenses, this month".into(),
        "/expenses".into(),
        Who::ManagerPage,
    );
    add(
        "page /figures/sales by category, 12 months".into(),
        format!("/figures/sales?by=category&{year}"),
        Who::ManagerPage,
    );
    add(
        "api commissions, last month".into(),
        format!("/api/v1/commissions/months/{last_month}"),
        Who::Manager,
    );
    add(
        "page /commissions, last month".into(),
        "/commissions".into(),
        Who::ManagerPage,
    );
    add(
        "api clerk assessments, last month".into(),
        format!("/api/v1/clerk-assessments/months/{last_month}"),
        Who::Manager,
    );
    add(
        "page /assessments, last month".into(),
        "/assessments".into(),
        Who::ManagerPage,
    );
    add(
        "api customer files".into(),
        "/api/v1/customer-files".into(),
        Who::Manager,
    );
    out
}

/// This year's approved plan (SAL-1): the company's and the generated
/// rep's target, a month each, so the target reports and the home pages
/// have one to count against.
async fn bench_target_plan(app: &App, manager: &Ctx, rep: UserId, year: i16) -> anyhow::Result<()> {
    use kaidan_domain::targets::{TargetBasis, TargetLineInput, TargetPlanInput, TargetSubject};
    let sys = Ctx::system();
    let writer = app
        .create_user(
            &sys,
            NewUserInput {
                username: "bench-sm".into(),
                display_name: String::new(),
                password: PASSWORD.into(),
                roles: vec![Role::SalesManager],
                customer_id: None,
            },
        )
        .await?;
    let writer = Ctx::new(app.actor_by_id(writer.id).await?);
    let annual = kaidan_domain::Money::yuan(12_000_000);
    // The company also plans the units of two product categories (ADR
    // 0045), so the progress reads the year's lines of those categories.
    let line = |subject| TargetLineInput {
        subject,
        annual,
        months: None,
        quantities: if subject == TargetSubject::Company {
            kaidan_store::CATEGORIES[..2]
                .iter()
                .map(|c| kaidan_domain::targets::QuantityTargetInput {
                    category: (*c).to_string(),
                    annual: kaidan_domain::Quantity::new(120_000).unwrap_or_default(),
                    months: None,
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    let input = TargetPlanInput {
        basis: TargetBasis::Ordered,
        note: None,
        lines: vec![
            line(TargetSubject::Company),
            line(TargetSubject::Rep { id: rep }),
        ],
    };
    app.put_target_plan(&writer, year, input).await?;
    app.submit_target_plan(&writer, year).await?;
    app.approve_target_plan(manager, year).await?;
    // Points (SAL-4): a scheme from twelve months ago and the basic points
    // of each month since, posted as the sales manager does, so the
    // balances and statements read a ledger of a year.
    let first = app.today_date().first_of_month().checked_sub(12.months())?;
    app.put_points_scheme(
        manager,
        kaidan_domain::points::PointsSchemeInput {
            month: format!("{:04}-{:02}", first.year(), first.month()),
            basis: TargetBasis::Ordered,
            ratio: rust_decimal::Decimal::new(1, 2),
            note: None,
        },
    )
    .await?;
    let mut month = first;
    while month < app.today_date().first_of_month() {
        app.post_basic_points(
            &writer,
            &format!("{:04}-{:02}", month.year(), month.month()),
        )
        .await?;
        month = month.checked_add(1.months())?;
    }
    // Commissions (SAL-5): a policy on invoices from the same month, last
    // month computed as the sales manager does.
    app.put_commission_policy(
        manager,
        kaidan_domain::commissions::CommissionPolicyInput {
            from: first,
            basis: kaidan_domain::commissions::CommissionBasis::Invoiced,
            default_rate: rust_decimal::Decimal::new(2, 0),
            rates: Vec::new(),
            tiers: Vec::new(),
            note: None,
        },
    )
    .await?;
    let last = app.today_date().first_of_month().checked_sub(1.months())?;
    app.compute_commissions(&writer, &format!("{:04}-{:02}", last.year(), last.month()))
        .await?;
    Ok(())
}

/// The session cookie of a page login (`POST /login`).
async fn page_login(http: &reqwest::Client, base: &str, user: &str) -> anyhow::Result<String> {
    let r = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={PASSWORD}"))
        .send()
        .await?;
    let status = r.status();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    match cookie {
        Some(c) if status.is_redirection() => Ok(c),
        _ => bail!("page login of {user} answered {status} without a session cookie"),
    }
}

/// A report's body, failing on anything but success.
async fn get(http: &reqwest::Client, url: &str, who: Who, auth: &Auth) -> anyhow::Result<Vec<u8>> {
    let req = http.get(url);
    let req = match who {
        Who::Manager => req.bearer_auth(&auth.manager_token),
        Who::Rep => req.bearer_auth(&auth.rep_token),
        Who::ManagerPage => req.header("cookie", &auth.manager_cookie),
        Who::RepPage => req.header("cookie", &auth.rep_cookie),
        Who::ClerkPage => req.header("cookie", &auth.clerk_cookie),
    };
    let r = req.send().await?;
    let status = r.status();
    let body = r.bytes().await?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        bail!(
            "{url}: {status} {}",
            text.chars().take(300).collect::<String>()
        );
    }
    Ok(body.to_vec())
}

/// The orders a figure's API answer counted (`table.total.counted`).
fn counted(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["table"]["total"]["counted"].as_i64()
}

pub async fn reports(args: crate::cli::BenchReportsArgs, suite: Suite) -> anyhow::Result<()> {
    let goal_ms = suite.goal_ms();
    let shape = ReportsShape {
        lines: args.lines,
        products: args.products,
        customers: args.customers,
        seed: args.seed,
    };
    let repeat = args.repeat.max(1);
    let (dir, keep) = match args.dir.clone() {
        Some(d) => (d, true),
        None => (
            std::env::temp_dir().join(format!(
                "kaidan-bench-{}-{}",
                suite.name(),
                std::process::id()
            )),
            false,
        ),
    };
    std::fs::create_dir_all(&dir)?;
    let url = args
        .on
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", dir.join("reports.db").display()));
    let on_pg = !url.starts_with("sqlite:");
    if !on_pg && let Some(path) = url.strip_prefix("sqlite:") {
        // The bench's own file: a left-over of an earlier run goes.
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    let options = DbOptions {
        sqlite_cache_mib: args.sqlite_cache_mib,
        ..DbOptions::default()
    };
    eprintln!(
        "bench {}: {} lines over {} products and {} customers (seed {}), {} requests a page after {WARMUPS} warm-ups, {}",
        suite.name(),
        shape.lines,
        shape.products,
        shape.customers,
        shape.seed,
        repeat,
        engine_words(on_pg, args.sqlite_cache_mib, &dir)
    );

    // Generation, not timed.
    let t = Instant::now();
    let db = Db::connect(&url, &options)
        .await
        .with_context(|| format!("opening {url}"))?;
    db.migrate().await?;
    let now = jiff::Timestamp::now().as_microsecond();
    let progress = bar(u64::try_from(shape.lines).unwrap_or(0), "generating");
    let report = |phase: &str, done: u64, all: u64| {
        if phase == "orders" {
            progress.set_position(done.min(all));
        } else {
            progress.set_message(phase.to_string());
        }
    };
    let generated = db.generate_reports_data(shape, now, &report).await;
    progress.finish_and_clear();
    let generated = generated?;
    // Closed and opened again, as after a restart: SQLite checkpoints its
    // write-ahead log on the last close, so the reads do not wade through
    // a log of the whole data set.
    db.close().await;
    let db = Db::connect(&url, &options)
        .await
        .with_context(|| format!("opening {url}"))?;
    eprintln!(
        "generated {} orders, {} lines ({} rejected, {} cancelled, {} picked of which {} short, {} change requests of which {} entry errors, {} invoices of which {} open, {} price corrections, {} wrong-goods returns, {} surveys), {} rows in all ({:.1} s, not timed)",
        generated.orders,
        generated.lines,
        generated.rejected,
        generated.cancelled,
        generated.picked,
        generated.short_picks,
        generated.change_requests,
        generated.entry_errors,
        generated.invoices,
        generated.open_invoices,
        generated.price_corrections,
        generated.wrong_goods,
        generated.surveys,
        generated.rows,
        t.elapsed().as_secs_f64()
    );

    let app = App::new(
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        AppConfig::default(),
    );
    app.bootstrap().await?;
    let sys = Ctx::system();
    let manager = app
        .create_user(
            &sys,
            NewUserInput {
                username: MANAGER.into(),
                display_name: String::new(),
                password: PASSWORD.into(),
                roles: vec![Role::GeneralManager],
                customer_id: None,
            },
        )
        .await?;
    let manager_token = app.add_token(&sys, manager.id, "bench").await?.token;
    let rep = UserId(generated.rep);
    let plan_year = app.today_date().year();
    let gm = Ctx::new(app.actor_by_id(manager.id).await?);
    bench_target_plan(&app, &gm, rep, plan_year).await?;
    let rep_token = app.add_token(&sys, rep, "bench").await?.token;
    // A generated rep and clerk log in to the pages with a password.
    let clerk = UserId(generated.clerk);
    for u in [rep, clerk] {
        app.set_password(&sys, u, PASSWORD).await?;
    }

    let today = app.today_date();
    let month_from = today.first_of_month();
    let year_from = month_from.checked_sub(11.months())?;
    let month = format!("from={month_from}&to={today}");
    let year = format!("from={year_from}&to={today}");
    let last = month_from.checked_sub(1.months())?;
    let last_month = format!("{:04}-{:02}", last.year(), last.month());

    let server = BenchServer::start(&app).await?;
    let base = server.base.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let auth = Auth {
        manager_token,
        rep_token,
        manager_cookie: page_login(&http, &base, MANAGER).await?,
        rep_cookie: page_login(&http, &base, &generated_user_name(generated.rep)).await?,
        clerk_cookie: page_login(&http, &base, &generated_user_name(generated.clerk)).await?,
    };
    let list = match suite {
        Suite::Reports => report_list(&month, &year, plan_year, &last_month),
        Suite::Pages => {
            match crate::bench_pages::page_list(&http, &base, &auth.manager_token, &month).await {
                Ok(l) => l,
                Err(e) => {
                    server.stop().await;
                    db.close().await;
                    return Err(e);
                }
            }
        }
    };
    let per = WARMUPS + repeat;
    let load_before = load();
    let progress = bar(u64::try_from(list.len() * per).unwrap_or(0), "requests");
    let mut timed = Vec::with_capacity(list.len());
    let (mut kaidan_sales, mut kaidan_accuracy) = (None, None);
    for r in &list {
        progress.set_message(r.name.clone());
        let url = format!("{base}{}", r.path);
        let mut times = Vec::with_capacity(repeat);
        let mut last = None;
        for i in 0..per {
            let t0 = Instant::now();
            let body = get(&http, &url, r.who, &auth).await;
            let took = t0.elapsed();
            let body = match body {
                Ok(b) => b,
                Err(e) => {
                    progress.finish_and_clear();
                    server.stop().await;
                    db.close().await;
                    return Err(e.context(format!("report {}", r.name)));
                }
            };
            if i >= WARMUPS {
                times.push(took);
            }
            last = Some(body);
            progress.inc(1);
        }
        if r.who == Who::Manager && r.path.starts_with(&format!("/api/v1/figures/sales?{year}")) {
            kaidan_sales = last.as_deref().and_then(counted);
        }
        if r.who == Who::Manager
            && r.path
                .starts_with(&format!("/api/v1/figures/accuracy?{year}"))
        {
            kaidan_accuracy = last.as_deref().and_then(counted);
        }
        timed.push(Timed {
            name: r.name.clone(),
            times,
        });
    }
    progress.finish_and_clear();
    let load_after = load();
    server.stop().await;

    // The plain baseline, same run, same database, same 12 months.
    let s = spinner(match suite {
        Suite::Reports => "plain baseline: the heaviest reports' reads",
        Suite::Pages => "plain baseline: the order list's reads",
    });
    let plain = match suite {
        Suite::Reports => {
            db.plain_reports_baseline(
                start_micros(year_from)?,
                start_micros(today.tomorrow()?)?,
                WARMUPS,
                repeat,
                args.sqlite_cache_mib,
            )
            .await
        }
        Suite::Pages => {
            db.plain_order_list_baseline(WARMUPS, repeat, args.sqlite_cache_mib)
                .await
        }
    };
    s.finish_and_clear();
    db.close().await;
    if !keep && !on_pg {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let plain = plain?;

    println!(
        "{} over {} order lines ({} orders), {}; this month {month_from}..{today}, 12 months {year_from}..{today}; {repeat} requests each after {WARMUPS} warm-ups",
        suite.name(),
        generated.lines,
        generated.orders,
        if on_pg { "PostgreSQL" } else { "SQLite" },
    );
    println!(
        "{:<46} {:>9} {:>9}  p90 <= {goal_ms:.0} ms",
        "page", "p50 ms", "p90 ms"
    );
    let mut over = 0;
    for t in &timed {
        let (p50, p90) = (t.p(0.50), t.p(0.90));
        let ok = p90 <= goal_ms;
        if !ok {
            over += 1;
        }
        println!(
            "{:<46} {p50:>9.1} {p90:>9.1}  {}",
            t.name,
            if ok { "yes" } else { "NO" }
        );
    }
    let engine = if on_pg {
        "sqlx PgConnection"
    } else {
        "rusqlite"
    };
    for (read, against, kaidan_counted) in [
        ("sales_by_region", "api sales, 12 months", kaidan_sales),
        (
            "accuracy_by_clerk",
            "api accuracy, 12 months",
            kaidan_accuracy,
        ),
        (
            "order_list_first_page",
            crate::bench_pages::ORDER_LIST_PAGE,
            None,
        ),
    ] {
        let (Some(p), Some(k)) = (
            plain.iter().find(|p| p.name == read),
            timed.iter().find(|t| t.name == against),
        ) else {
            continue;
        };
        let mut sorted = p.times.clone();
        sorted.sort();
        let (b50, b90) = (percentile(&sorted, 0.50), percentile(&sorted, 0.90));
        if suite == Suite::Pages {
            println!(
                "plain baseline ({engine}) {read}: the newest {} orders as the list shows them and the count of all: p50 {b50:.1} ms, p90 {b90:.1} ms; {against}: p50 {:.1} ms, p90 {:.1} ms, ratio at p50 {:.1}",
                p.rows,
                k.p(0.50),
                k.p(0.90),
                k.p(0.50) / b50.max(1e-9)
            );
            continue;
        }
        println!(
            "plain baseline ({engine}) {read}, 12 months: p50 {b50:.1} ms, p90 {b90:.1} ms ({} groups, {} orders; Kaidan counted {}); {against}: p50 {:.1} ms, ratio {:.2}",
            p.rows,
            p.counted,
            kaidan_counted.map_or("?".into(), |c| c.to_string()),
            k.p(0.50),
            k.p(0.50) / b50.max(1e-9)
        );
    }
    println!(
        "{} of {} pages over {goal_ms:.0} ms at p90; load average before the requests {load_before}, after {load_after}",
        over,
        timed.len()
    );
    Ok(())
}
