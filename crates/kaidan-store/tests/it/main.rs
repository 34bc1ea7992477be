//! The integration tests of kaidan-store, one module a former test file,
//! built as one test binary (one link step instead of one per file): the use
//! cases against a real database, on SQLite always and on PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set.

mod allocation_ranking;
mod allocation_run;
mod allocation_write;
mod collection;
mod customer_hold;
mod deadlines;
mod figures;
mod finance;
mod finance_money;
mod fulfilment;
mod group_commit;
mod history;
mod orders;
mod purchasing;
mod short_reads;
mod shortages;
mod stock_counts;
mod stock_ledger;
mod store;
mod support;
mod terms;
mod transfers;
