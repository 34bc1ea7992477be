//! The `kaidan` command: wires the store, the use cases and the HTTP layer.

mod backup;
mod bench;
mod bench_cash;
mod bench_pages;
mod bench_reports;
mod bench_webhook;
mod cli;
mod config;
mod demo;
mod events_config;

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use kaidan_app::clock::SystemClock;
use kaidan_app::import_export::Dataset;
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, Ctx};
use kaidan_domain::{Actor, CustomerId, Role};
use kaidan_http::HttpConfig;
use kaidan_store::{Db, DbOptions};

use crate::cli::{Cli, Command, UserCommand};
use crate::config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN, FileConfig};

// mimalloc instead of glibc's malloc: a request allocates and frees many
// small values (JSON, rows) on two threads, where glibc's arenas spent a
// fifth of intake's CPU (PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Setup {
    file: FileConfig,
    database_url: String,
}

/// `default` applies when `KAIDAN_LOG` is not set.
fn init_logging(format: Option<&str>, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KAIDAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only for a person at a terminal, not in log files.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if format == Some("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(setup: &Setup) -> anyhow::Result<(Db, App)> {
    let options = DbOptions {
        max_connections: setup.file.max_connections.unwrap_or(16),
        sqlite_cache_mib: setup.file.sqlite_cache_mib.unwrap_or(64),
        ..DbOptions::default()
    };
    let db = Db::connect(&setup.database_url, &options)
        .await
        .with_context(|| format!("opening {}", setup.database_url))?;
    db.migrate().await?;
    let mut config = setup.file.app_config();
    let events = setup.file.events.clone().unwrap_or_default();
    let key = events.key(&setup.database_url, |k| std::env::var(k).ok())?;
    config.events = events.app_settings(key)?;
    let app = App::new(Arc::new(db.clone()), Arc::new(SystemClock), config);
    app.bootstrap().await?;
    Ok((db, app))
}

/// The command line acts with full rights: whoever runs it can open the
/// database anyway. Its audit rows say "cli".
fn cli_ctx() -> Ctx {
    Ctx::new(Actor {
        username: "cli".into(),
        ..Actor::system()
    })
}

fn read_password(given: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = given {
        return Ok(p);
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(
    setup: &Setup,
    db: Db,
    app: App,
    listen: Option<String>,
    banner: Option<String>,
) -> anyhow::Result<()> {
    let listen = listen
        .or_else(|| setup.file.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    if let Some(b) = banner {
        println!("{b}");
    }
    println!(
        "Kaidan is running at {url}  (API: {url}api/v1/health, OpenAPI: {url}api/openapi.json)"
    );
    tracing::info!(%addr, database = app.backend(), "listening");
    let print = setup.file.print_settings(|k| std::env::var(k).ok())?;
    // DOC-1: the font is read once, now; without one the server runs and
    // the print routes answer 503 with this message.
    match kaidan_print::load_font(&print.font) {
        Ok(f) => tracing::info!(font = %f.source, "printing font"),
        Err(e) => tracing::warn!(error = %e, "printed documents are unavailable"),
    }
    let http = HttpConfig {
        secure_cookies: setup.file.secure_cookies.unwrap_or(false),
        print,
    };
    // Scheduled jobs (PUR-1, PUR-2): every node may run the loop; a due job
    // is claimed by one node at a time (see kaidan_app::jobs), and every run
    // is logged there.
    let jobs = setup.file.jobs.clone().unwrap_or_default();
    let node = app.config().node.clone();
    if jobs.interval_seconds.is_some() {
        tracing::info!(
            "[jobs] interval_seconds only sets the interval of a job the schedule has no row for yet; \
             change the schedule with `kaidan jobs set`, the jobs page or the API"
        );
    }
    let job_loop = node.runs_jobs.then(|| {
        let app = app.clone();
        let mut tick = tokio::time::interval(jobs.tick());
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(node = %node.name, "scheduled jobs enabled");
        let name = node.name.clone();
        tokio::spawn(async move {
            loop {
                tick.tick().await;
                if let Err(e) = app.run_due_jobs(&name).await {
                    tracing::warn!(error = %e, "scheduled jobs could not run");
                }
            }
        })
    });
    if !node.runs_jobs {
        tracing::info!(node = %node.name, "scheduled jobs disabled on this node ([jobs] enabled = false)");
    }
    // The outbox relay (INT-5): every node may run it; a delivery is sent
    // by one node at a time (see kaidan_app::events).
    let events = setup.file.events.clone().unwrap_or_default();
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    // [events.nats]: the JetStream subscription follows the configuration.
    if let Err(e) = events.ensure_nats(&app, |k| std::env::var(k).ok()).await {
        tracing::warn!(error = %format!("{e:#}"), "events are not published to NATS JetStream");
    }
    let relay = if events.enabled() {
        let relay =
            kaidan_events::Relay::new(app.clone(), events.relay_settings(node.name.clone()))?;
        tracing::info!("outbox relay enabled");
        Some(tokio::spawn(relay.run(async move {
            let _ = relay_stopped.await;
        })))
    } else {
        None
    };
    kaidan_http::serve(listener, app, http, shutdown_signal()).await?;
    if let Some(handle) = job_loop {
        handle.abort();
    }
    // The relay finishes its pass (its attempts are recorded), then stops.
    let _ = stop_relay.send(());
    if let Some(handle) = relay {
        let _ = handle.await;
    }
    db.close().await;
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (file, _path) = FileConfig::load(cli.config.as_deref())?;
    // A bench's server answers many thousand requests: their lines would
    // bury the figures it prints and cost what no bench measured before
    // (issue 24 made them INFO). KAIDAN_LOG=info shows them.
    let default = if matches!(cli.command, Command::Bench(_)) {
        "warn"
    } else {
        "info,sqlx=error"
    };
    init_logging(file.log_format.as_deref(), default);
    let database_url = cli
        .database_url
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
    let setup = Setup { file, database_url };
    match cli.command {
        Command::Migrate => {
            let (db, _) = open(&setup).await?;
            println!("database {} is up to date", setup.database_url);
            db.close().await;
        }
        Command::Serve(args) => {
            let (db, app) = open(&setup).await?;
            serve(&setup, db, app, args.listen, None).await?;
        }
        Command::Demo(args) => {
            let (db, app) = open(&setup).await?;
            let summary = demo::load(&app).await?;
            let mut banner = format!(
                "Demo company loaded in {}: {} products, {} franchisees, {} stores, {} regions.\nDemo logins (password: {}):\n",
                setup.database_url,
                summary.products,
                summary.franchisees,
                summary.stores,
                summary.regions,
                demo::DEMO_PASSWORD
            );
            for (user, role, _) in &summary.logins {
                banner.push_str(&format!("  {user:<18} {role}\n"));
            }
            if !args.no_serve {
                // Issue 18: events leave Kaidan, signed, to a receiver of
                // the demo's own; its page lists what arrived.
                let page = demo::webhook::start(&app).await?;
                banner.push_str(&format!(
                    "Webhook demo receiver (the company's order, shipment and invoice events): {page}\n"
                ));
            }
            if args.no_serve {
                println!("{banner}");
                db.close().await;
            } else {
                serve(&setup, db, app, args.listen, Some(banner)).await?;
            }
        }
        Command::Import(args) => {
            let dataset: Dataset = args.dataset.parse().map_err(anyhow::Error::msg)?;
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let name = args
                .file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let (db, app) = open(&setup).await?;
            eprintln!("importing {} rows of {} ...", name, dataset.as_str());
            let table = kaidan_io::read_table(&name, &bytes).map_err(kaidan_app::AppError::from);
            match app.import(&cli_ctx(), dataset, table).await {
                Ok(r) => println!(
                    "{}: {} rows — {} created, {} updated, {} unchanged",
                    r.file, r.rows, r.created, r.updated, r.unchanged
                ),
                Err(kaidan_app::AppError::ImportRejected(rows)) => {
                    for e in &rows {
                        eprintln!("{e}");
                    }
                    db.close().await;
                    bail!("{} problem(s); nothing was imported", rows.len());
                }
                Err(e) => return Err(e.into()),
            }
            db.close().await;
        }
        Command::Export(args) => {
            let dataset: Dataset = args.dataset.parse().map_err(anyhow::Error::msg)?;
            let name = args.file.to_string_lossy().to_string();
            let format = kaidan_io::Format::from_name(&name)
                .with_context(|| format!("{name}: use a .csv or .xlsx file name"))?;
            let (db, app) = open(&setup).await?;
            let table = app.export(&cli_ctx(), dataset).await?;
            let bytes = kaidan_io::write_table(&table, format)?;
            std::fs::write(&args.file, &bytes).with_context(|| format!("cannot write {name}"))?;
            println!("wrote {name} ({} bytes)", bytes.len());
            db.close().await;
        }
        Command::Allocate(args) => match &args.scenario {
            Some(scenario) => {
                let text = std::fs::read_to_string(scenario)
                    .with_context(|| format!("cannot read {}", scenario.display()))?;
                let out = kaidan_domain::allocation::run_scenario_json(&text)
                    .with_context(|| format!("{}", scenario.display()))?;
                print!("{out}");
            }
            None => {
                let (db, app) = open(&setup).await?;
                let r = allocate(&app, args.commit).await;
                db.close().await;
                print!("{}", r?);
            }
        },
        Command::Bench(cli::BenchCommand::Intake {
            orders,
            clients,
            on,
            webhook,
        }) => bench::intake(on, orders, clients, webhook).await?,
        Command::Bench(cli::BenchCommand::Allocate(args)) => bench::allocate(args).await?,
        Command::Bench(cli::BenchCommand::Reports(args)) => {
            bench_reports::reports(args, bench_reports::Suite::Reports).await?
        }
        Command::Bench(cli::BenchCommand::Pages(args)) => {
            bench_reports::reports(args, bench_reports::Suite::Pages).await?
        }
        Command::Bench(cli::BenchCommand::OrderToCash {
            orders,
            clients,
            on,
        }) => bench_cash::order_to_cash(on, orders, clients).await?,
        Command::Backup { file } => backup::backup(&setup, &file).await?,
        Command::Restore { file, force } => backup::restore(&setup, &file, force).await?,
        Command::User(cmd) => {
            let (db, app) = open(&setup).await?;
            let r = user_command(&app, cmd).await;
            db.close().await;
            r?;
        }
        Command::Jobs(cmd) => {
            let (db, app) = open(&setup).await?;
            let r = jobs_command(&app, cmd).await;
            db.close().await;
            r?;
        }
    }
    Ok(())
}

/// The job schedule from the command line (issue 24).
async fn jobs_command(app: &App, cmd: cli::JobsCommand) -> anyhow::Result<()> {
    let ctx = cli_ctx();
    let print = |rows: &[kaidan_app::ports::JobRow]| {
        println!(
            "{:<26} {:>10} {:<7} {:<7} {:<28} {:<28} {:>6}  outcome",
            "job", "interval", "paused", "queued", "next run", "last run", "runs"
        );
        for j in rows {
            println!(
                "{:<26} {:>10} {:<7} {:<7} {:<28} {:<28} {:>6}  {}",
                j.name,
                j.interval_seconds,
                if j.paused { "yes" } else { "no" },
                if j.run_requested { "yes" } else { "no" },
                j.next_run_at.to_string(),
                j.last_run_at.map(|t| t.to_string()).unwrap_or_default(),
                j.runs,
                j.last_outcome.as_deref().unwrap_or("")
            );
        }
    };
    match cmd {
        cli::JobsCommand::List => print(&app.jobs(&ctx).await?),
        cli::JobsCommand::Set {
            name,
            interval,
            pause,
            resume,
        } => {
            let change = kaidan_domain::schedule::ScheduleChange {
                interval_seconds: interval,
                paused: (pause || resume).then_some(pause),
            };
            let row = app.set_job_schedule(&ctx, &name, change).await?;
            print(&[row]);
        }
        cli::JobsCommand::Run { name } => {
            let node = app.config().node.name.clone();
            let run = app.run_job_now(&ctx, &name, &node).await?;
            println!("{} on {}: {}", run.name, run.node, run.outcome);
            if run.outcome.starts_with("error") {
                bail!("{} failed", run.name);
            }
        }
    }
    Ok(())
}

/// ALC-1..10 from the command line: a preview or a committed run on the
/// database. The output is one JSON object: the run number (null for a
/// preview), whether it was committed, the pick lists made and the
/// engine's result (the same layout as `--scenario` prints).
async fn allocate(app: &App, commit: bool) -> anyhow::Result<String> {
    eprintln!(
        "{} the allocation on {} ...",
        if commit { "running" } else { "previewing" },
        app.backend()
    );
    let o = app.run_allocation(&cli_ctx(), commit, "cli").await?;
    let result = serde_json::to_value(&o.result)?;
    let out = serde_json::json!({
        "run": o.run.as_ref().map(|r| r.number.clone()),
        "committed": o.committed,
        "pick_lists": o.pick_lists,
        "result": result,
    });
    if let Some(run) = &o.run {
        eprintln!(
            "run {}: {} allocated, {} locked, {} pick list(s)",
            run.number,
            run.allocated,
            run.locked,
            o.pick_lists.len()
        );
    }
    Ok(format!("{}\n", serde_json::to_string_pretty(&out)?))
}

async fn user_command(app: &App, cmd: UserCommand) -> anyhow::Result<()> {
    let ctx = cli_ctx();
    match cmd {
        UserCommand::Add {
            username,
            roles,
            display_name,
            customer,
            password,
        } => {
            let roles = roles
                .iter()
                .map(|r| r.parse::<Role>())
                .collect::<Result<Vec<_>, _>>()?;
            let customer_id = match customer {
                Some(code) => Some(CustomerId(
                    app.id_by_code::<kaidan_domain::master::CustomerData>(&ctx, &code)
                        .await?,
                )),
                None => None,
            };
            let password = read_password(password)?;
            let u = app
                .create_user(
                    &ctx,
                    NewUserInput {
                        username,
                        display_name: display_name.unwrap_or_default(),
                        password,
                        roles,
                        customer_id,
                    },
                )
                .await?;
            println!("added user {} (id {})", u.username, u.id);
        }
        UserCommand::List => {
            for u in app.list_users(&ctx).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "{:>4}  {:<20} {:<16} {}{}",
                    u.id,
                    u.username,
                    u.display_name,
                    roles.join(","),
                    if u.active { "" } else { "  (inactive)" }
                );
            }
        }
        UserCommand::SetPassword { username, password } => {
            let u = app.user_by_name(&ctx, &username).await?;
            let password = read_password(password)?;
            app.set_password(&ctx, u.id, &password).await?;
            println!("password of {username} changed");
        }
        UserCommand::AddToken { username, name } => {
            let u = app.user_by_name(&ctx, &username).await?;
            let t = app.add_token(&ctx, u.id, &name).await?;
            eprintln!(
                "API token '{}' for {username} (shown once; send as 'Authorization: Bearer <token>'):",
                t.name
            );
            println!("{}", t.token);
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
