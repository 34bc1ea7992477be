use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Kaidan (开单): sales order management and fulfillment.
///
/// With no configuration at all, Kaidan keeps its data in an SQLite file in
/// ./kaidan-data/. `kaidan demo` loads a demo company and serves it.
#[derive(Debug, Parser)]
#[command(name = "kaidan", version, about, long_about)]
pub struct Cli {
    /// Config file (default: ./kaidan.toml when present).
    #[arg(long, global = true, env = "KAIDAN_CONFIG")]
    pub config: Option<PathBuf>,

    /// Database: sqlite:PATH or postgres://user@host/db
    /// [default: sqlite:kaidan-data/kaidan.db]
    #[arg(long, global = true, env = "KAIDAN_DATABASE_URL")]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and the API (migrates the database first).
    Serve(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Load the demo company (once), print the demo logins and serve.
    Demo(DemoArgs),
    /// Import a CSV or Excel file: all rows or, if any row is bad, none.
    Import(ImportArgs),
    /// Export a dataset as CSV or Excel (by the file name's extension).
    Export(ExportArgs),
    /// Run the allocation (分货) on the database: --preview shows what it
    /// would do, --commit records it; --scenario runs a self-contained file.
    Allocate(AllocateArgs),
    /// Back up the database to a file (SQLite: a consistent copy while
    /// Kaidan runs; PostgreSQL: pg_dump's custom format).
    Backup {
        /// Where to write the backup.
        file: PathBuf,
    },
    /// Restore a backup made by `kaidan backup`. Stop `kaidan serve` first.
    Restore {
        file: PathBuf,
        /// Replace an existing SQLite database file.
        #[arg(long)]
        force: bool,
    },
    /// Benchmarks for the speed goals (docs/PERFORMANCE.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Manage users and API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// The job schedule, the same for every node: list, change, run.
    #[command(subcommand)]
    Jobs(JobsCommand),
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Every job with its interval, pause, next and last run.
    List,
    /// Change a job's interval or pause it, for every node (audited).
    Set {
        /// The job, e.g. dunning or arrival_notices (see `kaidan jobs list`).
        name: String,
        /// Seconds between runs (1 to 31622400).
        #[arg(long)]
        interval: Option<i64>,
        /// No node runs it on schedule until --resume.
        #[arg(long, conflicts_with = "resume")]
        pause: bool,
        /// Runs on schedule again.
        #[arg(long)]
        resume: bool,
    },
    /// Run a job now in this process, whether due or not.
    Run { name: String },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KAIDAN_LISTEN")]
    pub listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KAIDAN_LISTEN")]
    pub listen: Option<String>,
    /// Load the demo data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// products, customers, warehouses, regions, stores or stock.
    pub dataset: String,
    /// A .csv or .xlsx file whose first row names the columns.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// products, customers, warehouses, regions, stores or stock.
    pub dataset: String,
    /// Where to write: a .csv or .xlsx file name.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["scenario", "preview", "commit"])))]
pub struct AllocateArgs {
    /// Run a self-contained scenario file and print the result as JSON
    /// (the format is described in docs/allocation.md); no database.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Run the allocation on the configured database and print the result
    /// as JSON without writing anything.
    #[arg(long)]
    pub preview: bool,
    /// Run the allocation on the configured database and record it:
    /// reservations, locks for unfunded franchisees and pick lists. Prints
    /// the run number and the result as JSON.
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input (one line) unless --password is given.
    Add {
        username: String,
        /// A role; repeat for several (admin, order_clerk, sales_rep, ...).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// For a customer-portal user: the code of its customer.
        #[arg(long)]
        customer: Option<String>,
        #[arg(long, env = "KAIDAN_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users with their roles.
    List,
    /// Set a user's password (read from standard input unless --password).
    SetPassword {
        username: String,
        #[arg(long, env = "KAIDAN_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Issue an API token for a user; the token is printed once.
    AddToken {
        username: String,
        /// What the token is for, e.g. "ERP sync".
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Many concurrent clients place and approve orders of 5 lines over HTTP
    /// against the real server on a fresh database, and, in the same run,
    /// a plain baseline: the same rows on the same engine without Kaidan's
    /// stack (SQLite: rusqlite, prepared statements; PostgreSQL: COPY or
    /// multi-row INSERTs, the faster), 100 orders a transaction.
    Intake {
        /// Orders to place and approve.
        #[arg(long, default_value_t = 2000)]
        orders: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// An EMPTY database to run on (e.g. a scratch PostgreSQL database);
        /// default: a fresh SQLite file in a temporary folder. The global
        /// --database-url / KAIDAN_DATABASE_URL is deliberately ignored, so
        /// a benchmark never writes into the company's database.
        #[arg(long = "on")]
        on: Option<String>,
        /// Also run the outbox relay with a local webhook receiver
        /// subscribed to every event, and print the delivery lag (issue 18).
        #[arg(long)]
        webhook: bool,
    },
    /// Generates open franchisee order lines, central stock, stores and
    /// accounts in a fresh SQLite database (not timed), times the real
    /// allocation run (load, engine, write) and, in the same process on a
    /// second identical database, a plain baseline through rusqlite (read
    /// the same rows, sort, greedy walk, write one row per result).
    Allocate(BenchAllocateArgs),
    /// Orders of 5 lines through the whole chain over HTTP on a fresh
    /// SQLite database: place, review, approve, pick, ship, batch
    /// invoicing, receipts verified and matched; every order must end
    /// closed.
    OrderToCash {
        #[arg(long, default_value_t = 2000)]
        orders: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// An EMPTY database to run on; default: a fresh SQLite file.
        #[arg(long = "on")]
        on: Option<String>,
    },
    /// Generates 400 days of orders (default 1,000,000 lines) with all the
    /// figures read (not timed), then times every figure, its page, its
    /// records and the home page over HTTP against the real server: p50
    /// and p90 of --repeat sequential requests after 2 warm-ups, against
    /// the goal of 300 ms at p90 (issue 20). In the same run, a plain
    /// baseline of the heaviest reports' reads (SQLite: rusqlite;
    /// PostgreSQL: one sqlx connection; prepared statements).
    Reports(BenchReportsArgs),
    /// The daily screens (issue 21) on the same generated data as
    /// `reports` (default 1,000,000 order lines): the order list filtered,
    /// sorted, counted and paged, an order, order entry, the deadline
    /// list, the search box, product search, the customer beside the
    /// form, and the other work lists, each timed over HTTP against the
    /// goal of 200 ms at p90. In the same run, a plain baseline of the
    /// order list's reads (a page of 51 orders and the count).
    Pages(BenchReportsArgs),
}

/// The sizes of `kaidan bench reports`.
#[derive(Debug, Args)]
pub struct BenchReportsArgs {
    /// Order lines (5 per order) over the last 400 days.
    #[arg(long, default_value_t = 1_000_000)]
    pub lines: usize,
    #[arg(long, default_value_t = 2_000)]
    pub products: usize,
    #[arg(long, default_value_t = 5_000)]
    pub customers: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 20_260_101)]
    pub seed: u64,
    /// Timed requests per report (after 2 warm-ups), one at a time.
    #[arg(long, default_value_t = 20)]
    pub repeat: usize,
    /// Folder for the SQLite database, kept afterwards; default: a
    /// temporary folder, removed afterwards.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// SQLite page cache per connection, in MiB (as `sqlite_cache_mib` in
    /// kaidan.toml), for Kaidan's readers and the baseline's connection.
    #[arg(long, default_value_t = 64)]
    pub sqlite_cache_mib: u32,
    /// An EMPTY PostgreSQL database to generate into and read (kept);
    /// default: a fresh SQLite file. The global --database-url is
    /// deliberately ignored.
    #[arg(long = "on")]
    pub on: Option<String>,
}

/// The sizes of `kaidan bench allocate`.
#[derive(Debug, Args)]
pub struct BenchAllocateArgs {
    /// Open franchisee order lines (20 per order).
    #[arg(long, default_value_t = 1_000_000)]
    pub lines: usize,
    #[arg(long, default_value_t = 10_000)]
    pub products: usize,
    #[arg(long, default_value_t = 5_000)]
    pub franchisees: usize,
    #[arg(long, default_value_t = 2_000)]
    pub stores: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 20_260_101)]
    pub seed: u64,
    /// Folder for the two databases, kept afterwards; default: a
    /// temporary folder, removed afterwards.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// SQLite page cache per connection, in MiB, for both databases
    /// (as `sqlite_cache_mib` in kaidan.toml).
    #[arg(long, default_value_t = 64)]
    pub sqlite_cache_mib: u32,
    /// An EMPTY PostgreSQL database for the real run; the baselines run
    /// in a scratch database created beside it and dropped afterwards.
    /// Default: two fresh SQLite files.
    #[arg(long = "on")]
    pub on: Option<String>,
}
