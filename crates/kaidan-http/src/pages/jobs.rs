//! The job schedule: each job's interval, next and last run, node and
//! outcome; changing the interval, pausing, and running one now
//! (administrators). The schedule is the same for every node (issue 24).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::ports::JobRow;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::Permission;
use kaidan_domain::schedule::ScheduleChange;

use super::format::local_time;
use super::{Chrome, Lang, OrPage, PageAuth, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(jobs))
        .route("/jobs/{name}/run", post(run_job))
        .route("/jobs/{name}/schedule", post(set_schedule))
}

pub struct JobView {
    pub name: String,
    pub label: &'static str,
    pub interval: i64,
    pub paused: bool,
    /// A "run now" waits for a node that runs jobs.
    pub queued: bool,
    pub next_run: String,
    pub last_run: String,
    pub node: String,
    pub outcome: String,
    pub runs: i64,
}

#[derive(Template)]
#[template(path = "purchasing_jobs.html")]
struct JobsPage {
    chrome: Chrome,
    title: String,
    jobs: Vec<JobView>,
    can_run: bool,
    error: Option<String>,
}

fn label(lang: Lang, name: &str) -> &'static str {
    use kaidan_app::jobs as j;
    match name {
        j::ARRIVAL_NOTICES => lang.pick("到货通知", "Arrival notices"),
        j::PO_CONFIRMATION_OVERDUE => lang.pick("采购确认逾期", "Confirmation overdue"),
        j::ALLOCATION_LOCK_EXPIRY => lang.pick("分货锁定到期释放", "Allocation lock expiry"),
        j::DUNNING => lang.pick("月末催款", "Month-end dunning"),
        j::EVENTS_PRUNE => lang.pick("清理已送达事件", "Prune delivered events"),
        j::COMPLAINT_OVERDUE => lang.pick("投诉受理逾期", "Complaints overdue"),
        j::SURVEY_SEND => lang.pick("发送满意度调查", "Send surveys"),
        j::SALES_DAILY_REPORT => lang.pick("销售日报", "Daily sales report"),
        _ => "",
    }
}

fn job_view(lang: Lang, j: &JobRow) -> JobView {
    JobView {
        label: label(lang, &j.name),
        name: j.name.clone(),
        interval: j.interval_seconds,
        paused: j.paused,
        queued: j.run_requested,
        next_run: local_time(j.next_run_at),
        last_run: j.last_run_at.map(local_time).unwrap_or_default(),
        node: j.last_node.clone().unwrap_or_default(),
        outcome: j.last_outcome.clone().unwrap_or_default(),
        runs: j.runs,
    }
}

async fn jobs_page(s: &AppState, ctx: &Ctx, chrome: Chrome, error: Option<String>) -> PageResult {
    let lang = chrome.lang;
    let rows = s.app.jobs(ctx).await.or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &JobsPage {
            title: lang.t("jobs").into(),
            jobs: rows.iter().map(|j| job_view(lang, j)).collect(),
            can_run: ctx.actor.can(Permission::JobsRun),
            error,
            chrome,
        },
    ))
}

/// GET /jobs
async fn jobs(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    jobs_page(&s, &ctx, chrome, None).await
}

/// POST /jobs/{name}/run (administrators): run here, or queued for a node
/// that runs jobs when this one does not.
async fn run_job(
    State(s): State<AppState>,
    Path(name): Path<String>,
    PageForm(PageAuth { ctx, mut chrome }, _): PageForm,
) -> PageResult {
    let run = s
        .app
        .request_job_run(&ctx, &name)
        .await
        .or_page(chrome.lang)?;
    if run.queued {
        chrome.flash = Some(
            chrome
                .lang
                .pick(
                    "本节点不运行定时任务：该任务已设为立即到期，由运行任务的节点在下一次检查时执行。",
                    "This node runs no jobs: the job is due now and a node that runs jobs runs it at its next tick.",
                )
                .to_string(),
        );
        return jobs_page(&s, &ctx, chrome, None).await;
    }
    Ok(Redirect::to("/jobs").into_response())
}

/// POST /jobs/{name}/schedule (administrators): the interval and the pause,
/// for every node.
async fn set_schedule(
    State(s): State<AppState>,
    Path(name): Path<String>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let interval = match form
        .get("interval_seconds")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::parse::<i64>)
    {
        None => None,
        Some(Ok(i)) => Some(i),
        Some(Err(_)) => {
            let msg = format!(
                "{name}: {}",
                lang.pick(
                    "间隔须为整数秒",
                    "interval_seconds: give a whole number of seconds"
                )
            );
            return jobs_page(&s, &ctx, chrome, Some(msg)).await;
        }
    };
    let change = ScheduleChange {
        interval_seconds: interval,
        paused: Some(form.contains_key("paused")),
    };
    match s.app.set_job_schedule(&ctx, &name, change).await {
        Ok(_) => Ok(Redirect::to("/jobs").into_response()),
        Err(AppError::Invalid(v)) => {
            jobs_page(&s, &ctx, chrome, Some(format!("{name}: {v}"))).await
        }
        Err(e) => Err(e).or_page(lang),
    }
}
