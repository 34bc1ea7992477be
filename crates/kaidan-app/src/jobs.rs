//! Scheduled work inside `kaidan serve` (notices, overdue flags), run exactly
//! once across nodes.
//!
//! Each job is a row of the `jobs` table. A runner claims one due row in a
//! write transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so another node
//! skips it; SQLite has one writer, so the claim is exclusive), does the
//! job's work in the same transaction, moves `next_run_at` on and commits.
//! After the commit the row is no longer due, so no other node runs it
//! again; if the work fails, it is rolled back and the failure recorded.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::schedule::{ScheduleChange, next_run_after_change};
use kaidan_domain::{Permission, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{JobRow, Tx};

/// Flags unconfirmed purchase orders past their due time (PUR-1).
pub const PO_CONFIRMATION_OVERDUE: &str = "po_confirmation_overdue";
/// Raises the arrival notices that are due (PUR-2).
pub const ARRIVAL_NOTICES: &str = "arrival_notices";
/// Releases allocation locks past their period back to supply (ALC-5).
pub const ALLOCATION_LOCK_EXPIRY: &str = "allocation_lock_expiry";
/// Raises last month's dunning notices once the month has ended (FIN-4).
pub const DUNNING: &str = "dunning";
/// Deletes delivered events past `[events] keep` (INT-5, issue 18).
pub const EVENTS_PRUNE: &str = "events_prune";
/// Flags complaints not acknowledged within 24 hours (AFS-2).
pub const COMPLAINT_OVERDUE: &str = "complaint_overdue";
/// Sends the satisfaction survey of each order delivered some days ago
/// (AFS-3).
pub const SURVEY_SEND: &str = "survey_send";
/// Writes the daily sales report of each working day once it is over
/// (销售日报, KPI-5).
pub const SALES_DAILY_REPORT: &str = "sales_daily_report";
/// Every job, in name order.
pub const JOBS: [&str; 8] = [
    ALLOCATION_LOCK_EXPIRY,
    ARRIVAL_NOTICES,
    COMPLAINT_OVERDUE,
    DUNNING,
    EVENTS_PRUNE,
    PO_CONFIRMATION_OVERDUE,
    SALES_DAILY_REPORT,
    SURVEY_SEND,
];

/// A job's number in the audit trail, whose rows name their record by a
/// number. Append only: a new job goes at the end.
const AUDIT_NUMBERS: [&str; 8] = [
    PO_CONFIRMATION_OVERDUE,
    ARRIVAL_NOTICES,
    ALLOCATION_LOCK_EXPIRY,
    DUNNING,
    EVENTS_PRUNE,
    COMPLAINT_OVERDUE,
    SURVEY_SEND,
    SALES_DAILY_REPORT,
];

pub fn audit_number(name: &str) -> i64 {
    AUDIT_NUMBERS
        .iter()
        .position(|n| *n == name)
        .map_or(0, |i| i as i64 + 1)
}

/// This process in the job schedule (`[jobs]` of its configuration).
#[derive(Debug, Clone)]
pub struct JobsNode {
    /// Its name in the schedule's "last node".
    pub name: String,
    /// Whether it runs jobs (`[jobs] enabled`). One that does not runs no
    /// job on schedule, and a "run now" sent to it is queued for a node
    /// that does (issue 24).
    pub runs_jobs: bool,
}

impl Default for JobsNode {
    fn default() -> Self {
        JobsNode {
            name: default_node(),
            runs_jobs: true,
        }
    }
}

/// One run of a job.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRun {
    pub name: String,
    pub node: String,
    /// `ok: ...` or `error: ...`; `queued: ...` when the node asked runs no
    /// jobs and the job was made due for one that does.
    pub outcome: String,
    /// True when not run here but made due now (see `outcome`).
    pub queued: bool,
}

/// How a run came about, for the log.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    Schedule,
    RunNow,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::RunNow => "run now",
        }
    }
}

impl App {
    /// Makes sure every job has its row; a new row gets the configured
    /// interval (`[jobs] interval_seconds`), an existing one keeps its
    /// schedule.
    async fn ensure_jobs(&self) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        for name in JOBS {
            tx.job_ensure(name, self.config.job_interval_seconds.max(1), self.now())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Does a job's work in `tx`; a short summary of what it did.
    async fn job_work(&self, tx: &mut Box<dyn Tx>, name: &str) -> AppResult<String> {
        let ctx = Ctx::system();
        match name {
            PO_CONFIRMATION_OVERDUE => {
                let n = self.flag_overdue_in(tx, &ctx).await?;
                Ok(format!("ok: {n} purchase order(s) flagged overdue"))
            }
            ARRIVAL_NOTICES => {
                let n = self.raise_notices_in(tx).await?;
                Ok(format!("ok: {n} notice(s) raised"))
            }
            ALLOCATION_LOCK_EXPIRY => {
                let n = self.expire_locks_in(tx, &ctx).await?;
                Ok(format!("ok: {n} lock(s) expired and released"))
            }
            SURVEY_SEND => {
                let n = self.send_order_surveys_in(tx).await?;
                Ok(format!("ok: {n} order survey(s) sent"))
            }
            SALES_DAILY_REPORT => {
                let n = self.write_daily_reports_in(tx).await?;
                Ok(format!("ok: {n} daily sales report(s) written"))
            }
            COMPLAINT_OVERDUE => {
                let n = self.flag_overdue_complaints_in(tx).await?;
                Ok(format!("ok: {n} complaint(s) flagged overdue"))
            }
            EVENTS_PRUNE => {
                let (deliveries, events) = self.prune_events_in(tx).await?;
                Ok(format!(
                    "ok: {deliveries} delivered webhook(s) and {events} event(s) pruned"
                ))
            }
            DUNNING => {
                let period = kaidan_domain::finance::period_due(self.today());
                let n = self.raise_dunning_in(tx, &ctx, period).await?;
                Ok(format!("ok: {n} dunning notice(s) raised for {period}"))
            }
            // A row this version does not know (left by a newer or an older
            // Kaidan) is a failure to see in the schedule, not a quiet "ok".
            other => Err(AppError::invalid(
                "name",
                "unknown_job",
                format!("unknown job '{other}': this version of Kaidan has no such job"),
            )),
        }
    }

    /// Runs a claimed job in `tx` and records the run; a failed run is
    /// rolled back and recorded in a transaction of its own.
    async fn run_claimed(
        &self,
        mut tx: Box<dyn Tx>,
        job: JobRow,
        node: &str,
        trigger: Trigger,
    ) -> AppResult<JobRun> {
        let now = self.now();
        let next = now + jiff::Span::new().seconds(job.interval_seconds.max(1));
        let outcome = match self.job_work(&mut tx, &job.name).await {
            Ok(outcome) => {
                tx.job_finish(&job.name, now, next, node, &outcome).await?;
                tx.commit().await?;
                tracing::info!(job = %job.name, %node, trigger = %trigger.as_str(), %outcome, "job ran");
                outcome
            }
            Err(e) => {
                drop(tx);
                let outcome: String = format!("error: {e}").chars().take(500).collect();
                tracing::warn!(job = %job.name, %node, trigger = %trigger.as_str(), error = %e, "job failed");
                let mut tx = self.store.write().await?;
                if tx.job_claim(&job.name).await?.is_some() {
                    tx.job_finish(&job.name, now, next, node, &outcome).await?;
                }
                tx.commit().await?;
                outcome
            }
        };
        Ok(JobRun {
            name: job.name,
            node: node.to_string(),
            outcome,
            queued: false,
        })
    }

    /// Runs every job that is due, each in its own transaction, claimed so
    /// that no other node runs it at the same time (see the module). Called
    /// by the loop of `kaidan serve`; `node` names this process in the
    /// schedule.
    pub async fn run_due_jobs(&self, node: &str) -> AppResult<Vec<JobRun>> {
        self.ensure_jobs().await?;
        let mut runs = Vec::new();
        // Each job at most once per call.
        for _ in 0..JOBS.len() {
            let mut tx = self.store.write().await?;
            let Some(job) = tx.job_claim_due(self.now()).await? else {
                break;
            };
            if runs.iter().any(|r: &JobRun| r.name == job.name) {
                break;
            }
            runs.push(self.run_claimed(tx, job, node, Trigger::Schedule).await?);
        }
        Ok(runs)
    }

    /// Runs the named job now, whether due or not (operations, tests), in
    /// this process, recorded as run by `node`.
    pub async fn run_job_now(&self, ctx: &Ctx, name: &str, node: &str) -> AppResult<JobRun> {
        ctx.require(Permission::JobsRun)?;
        let (tx, job) = self.claim_named(name).await?;
        self.run_claimed(tx, job, node, Trigger::RunNow).await
    }

    /// "Run now" asked of this node (API, jobs page): run here when this
    /// node runs jobs; otherwise made due now, so that a node that runs
    /// jobs runs it at its next tick (issue 24) — a paused job too, once.
    pub async fn request_job_run(&self, ctx: &Ctx, name: &str) -> AppResult<JobRun> {
        ctx.require(Permission::JobsRun)?;
        let node = self.config.node.name.clone();
        if self.config.node.runs_jobs {
            return self.run_job_now(ctx, name, &node).await;
        }
        let (mut tx, job) = self.claim_named(name).await?;
        let now = self.now();
        tx.job_request_run(&job.name, now).await?;
        let changes = vec![
            crate::users::change("job", job.name.clone()),
            crate::users::change("next_run_at", now.to_string()),
        ];
        self.audit(
            &mut tx,
            ctx,
            "job",
            audit_number(&job.name),
            "run_requested",
            changes,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(job = %job.name, %node, "job queued: this node runs no jobs; due now for one that does");
        Ok(JobRun {
            name: job.name,
            node,
            outcome: "queued: this node runs no jobs ([jobs] enabled = false); the job is due now and a node that runs jobs runs it within its tick".into(),
            queued: true,
        })
    }

    async fn claim_named(&self, name: &str) -> AppResult<(Box<dyn Tx>, JobRow)> {
        if !JOBS.contains(&name) {
            return Err(AppError::NotFound {
                what: "job",
                id: name.to_string(),
            });
        }
        self.ensure_jobs().await?;
        let mut tx = self.store.write().await?;
        let job = tx.job_claim(name).await?.ok_or_else(|| {
            AppError::Invalid(ValidationErrors::single("name", "unknown", "no such job"))
        })?;
        Ok((tx, job))
    }

    /// Changes a job's interval or pauses and resumes it, for every node
    /// (issue 24); audited. A changed interval counts from the last run.
    pub async fn set_job_schedule(
        &self,
        ctx: &Ctx,
        name: &str,
        change: ScheduleChange,
    ) -> AppResult<JobRow> {
        ctx.require(Permission::JobsRun)?;
        let change = change.check()?;
        let (mut tx, job) = self.claim_named(name).await?;
        let interval = change.interval_seconds.unwrap_or(job.interval_seconds);
        let paused = change.paused.unwrap_or(job.paused);
        let next = if interval == job.interval_seconds {
            job.next_run_at
        } else {
            next_run_after_change(job.last_run_at, job.next_run_at, interval)
        };
        let mut changes = Vec::new();
        if interval != job.interval_seconds {
            let (before, after) = (job.interval_seconds.to_string(), interval.to_string());
            changes.push(FieldChange::new(
                "interval_seconds",
                Some(before),
                Some(after),
            ));
        }
        if paused != job.paused {
            let (before, after) = (job.paused.to_string(), paused.to_string());
            changes.push(FieldChange::new("paused", Some(before), Some(after)));
        }
        if changes.is_empty() {
            return Ok(job);
        }
        changes.insert(0, crate::users::change("job", job.name.clone()));
        tx.job_set_schedule(&job.name, interval, paused, next)
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "job",
            audit_number(&job.name),
            "schedule",
            changes,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(job = %job.name, interval_seconds = interval, paused, by = %ctx.actor.username, "job schedule changed");
        Ok(JobRow {
            interval_seconds: interval,
            paused,
            next_run_at: next,
            ..job
        })
    }

    /// The same use cases over the same store as another node of the job
    /// schedule (several nodes in one process: tests).
    pub fn as_node(&self, node: JobsNode) -> App {
        let mut app = self.clone();
        app.config.node = node;
        app
    }

    /// The schedule: every job with its interval, next and last run.
    pub async fn jobs(&self, ctx: &Ctx) -> AppResult<Vec<JobRow>> {
        ctx.require(Permission::JobsRead)?;
        let mut tx = self.store.read().await?;
        let rows = tx.job_list().await?;
        drop(tx);
        if JOBS.iter().all(|n| rows.iter().any(|r| r.name == *n)) {
            return Ok(rows);
        }
        self.ensure_jobs().await?;
        let mut tx = self.store.read().await?;
        Ok(tx.job_list().await?)
    }
}

/// This process's name in the schedule when none is configured: the host
/// name, the process id and four random bytes, as containers of one image
/// may share both the host name and process id 1 (issue 24).
pub fn default_node() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_string());
    let mut b = [0u8; 4];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    format!("{host}-{}-{}", std::process::id(), hex::encode(b))
}
