//! Kaidan's storage adapter: the ports of `kaidan-app` on SQLite (embedded,
//! the default) and PostgreSQL (production, several nodes). One query text
//! serves both engines; where the SQL really differs a backend switch says so
//! next to it. SQL lives only in this crate.

mod allocation;
mod allocation_writes;
mod assessments;
pub mod backup;
mod bank;
mod bench_data;
mod bench_reports;
mod bounds;
mod changes;
mod child_rows;
mod collection;
mod commissions;
mod complaints;
mod contracts;
mod customer_files;
mod db;
mod deadlines;
mod error;
mod events;
mod expenses;
mod figure_months;
mod figures;
mod finance;
mod finance_money;
mod finance_reads;
mod fulfilment;
mod group;
mod holds;
mod jobs;
mod lite;
mod literal;
mod master;
mod master_tables;
mod migrations;
mod orders;
mod pick_lines;
mod plain_baseline;
mod points;
mod portal;
mod purchasing;
mod raw;
pub mod record;
mod records;
mod returns;
mod row;
mod saved_filters;
mod search;
mod setup_lock;
mod shipment_list;
mod short_read;
mod status_sets;
mod stock;
mod stock_counts;
mod stock_months;
mod surveys;
mod target_months;
mod targets;
mod teams;
pub mod testing;
mod transfers;
mod tx;
mod users;
mod visits;

pub use bench_data::{AllocGenerated, AllocShape, BaselineFigures};
pub use bench_reports::{
    CATEGORIES, FIRST_GENERATED_USER, PlainRead, ReportsGenerated, ReportsShape,
    generated_user_name,
};
pub use db::{Db, DbOptions, sqlite_file};
pub use error::ConnectError;
pub use group::WriterBusy;
pub use plain_baseline::{PlainFigure, ScratchPg};
pub use raw::RawShape;
