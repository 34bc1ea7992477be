//! The jobs table: one schedule row per job, claimed by one node at a time
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{JobRow, JobsTx, StoreError};

use crate::row::{RowExt, from_micros, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_opt};

const JOB_COLUMNS: &str = "name, interval_seconds, paused, run_requested, next_run_at, last_run_at, last_node, last_outcome, runs";

fn job_from(r: &impl RowExt) -> Result<JobRow, StoreError> {
    Ok(JobRow {
        name: r.text("name")?,
        interval_seconds: r.i64("interval_seconds")?,
        paused: r.bool("paused")?,
        run_requested: r.bool("run_requested")?,
        next_run_at: r.ts("next_run_at")?,
        last_run_at: r.opt_i64("last_run_at")?.map(from_micros).transpose()?,
        last_node: r.opt_text("last_node")?,
        last_outcome: r.opt_text("last_outcome")?,
        runs: r.i64("runs")?,
    })
}

#[async_trait]
impl JobsTx for DbTx {
    async fn job_ensure(
        &mut self,
        name: &str,
        interval_seconds: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO jobs (name, interval_seconds, next_run_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
            [name, interval_seconds, micros(now)]
        );
        Ok(())
    }

    async fn job_set_schedule(
        &mut self,
        name: &str,
        interval_seconds: i64,
        paused: bool,
        next_run_at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE jobs SET interval_seconds = $1, paused = $2, next_run_at = $3 WHERE name = $4",
            [interval_seconds, paused, micros(next_run_at), name]
        );
        Ok(())
    }

    async fn job_request_run(&mut self, name: &str, now: Timestamp) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE jobs SET run_requested = TRUE, next_run_at = $1 WHERE name = $2",
            [micros(now), name]
        );
        Ok(())
    }

    async fn job_claim_due(&mut self, now: Timestamp) -> Result<Option<JobRow>, StoreError> {
        // SQLite: this runs in the single writer's transaction, so nobody
        // else reads it as due before the run is recorded.
        let lock = if matches!(self, DbTx::Pg(_)) {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE next_run_at <= $1 AND (NOT paused OR run_requested) ORDER BY next_run_at, name LIMIT 1{lock}"
        );
        Ok(fetch_opt!(self, &sql, [micros(now)], job_from))
    }

    async fn job_claim(&mut self, name: &str) -> Result<Option<JobRow>, StoreError> {
        let lock = if matches!(self, DbTx::Pg(_)) {
            " FOR UPDATE"
        } else {
            ""
        };
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE name = $1{lock}");
        Ok(fetch_opt!(self, &sql, [name], job_from))
    }

    async fn job_finish(
        &mut self,
        name: &str,
        at: Timestamp,
        next_run_at: Timestamp,
        node: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE jobs SET next_run_at = $1, last_run_at = $2, last_node = $3, last_outcome = $4, \
             runs = runs + 1, run_requested = FALSE WHERE name = $5",
            [micros(next_run_at), micros(at), node, outcome, name]
        );
        Ok(())
    }

    async fn job_list(&mut self) -> Result<Vec<JobRow>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY name");
        Ok(fetch_all!(self, &sql, [], job_from))
    }
}
