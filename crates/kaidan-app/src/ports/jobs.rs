//! Ports of the scheduled jobs (notices, overdue flags, lock expiry): one
//! shared schedule row per job, claimed by one node at a time.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::Serialize;

use super::StoreError;

/// A scheduled job and its last run.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRow {
    pub name: String,
    pub interval_seconds: i64,
    /// No node runs it on schedule while paused; "run now" still does.
    pub paused: bool,
    /// A "run now" waits for a node that runs jobs (due now, once, paused
    /// or not).
    pub run_requested: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub next_run_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_run_at: Option<Timestamp>,
    pub last_node: Option<String>,
    pub last_outcome: Option<String>,
    pub runs: i64,
}

/// The jobs table.
#[async_trait]
pub trait JobsTx: Send {
    /// Creates the job row when missing (due at once, with this interval);
    /// an existing row's schedule is left as it is (it is data, issue 24).
    async fn job_ensure(
        &mut self,
        name: &str,
        interval_seconds: i64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// Sets a claimed job's interval, pause and next run.
    async fn job_set_schedule(
        &mut self,
        name: &str,
        interval_seconds: i64,
        paused: bool,
        next_run_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Makes a claimed job due at `now` for one run, paused or not.
    async fn job_request_run(&mut self, name: &str, now: Timestamp) -> Result<(), StoreError>;
    /// Claims one job due at `now` and not paused (or asked to run) for
    /// this transaction, skipping rows other transactions hold (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite's
    /// single writer makes the read exclusive).
    async fn job_claim_due(&mut self, now: Timestamp) -> Result<Option<JobRow>, StoreError>;
    /// Claims the named job, due or not, waiting for a node that holds it.
    async fn job_claim(&mut self, name: &str) -> Result<Option<JobRow>, StoreError>;
    /// Records a run of a claimed job and when it is next due; a request
    /// to run it is met.
    async fn job_finish(
        &mut self,
        name: &str,
        at: Timestamp,
        next_run_at: Timestamp,
        node: &str,
        outcome: &str,
    ) -> Result<(), StoreError>;
    async fn job_list(&mut self) -> Result<Vec<JobRow>, StoreError>;
}
