//! The job schedule: each job's interval, next and last run, node and
//! outcome, and running one now (administrators).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::Ctx;
use kaidan_app::ports::JobRow;
use kaidan_domain::Permission;

use super::format::local_time;
use super::{Chrome, Lang, OrPage, PageAuth, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(jobs))
        .route("/jobs/{name}/run", post(run_job))
}

pub struct JobView {
    pub name: String,
    pub label: &'static str,
    pub interval: i64,
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

fn job_view(lang: Lang, j: &JobRow) -> JobView {
    JobView {
        label: match j.name.as_str() {
            kaidan_app::jobs::ARRIVAL_NOTICES => lang.pick("到货通知", "Arrival notices"),
            kaidan_app::jobs::PO_CONFIRMATION_OVERDUE => {
                lang.pick("采购确认逾期", "Confirmation overdue")
            }
            _ => "",
        },
        name: j.name.clone(),
        interval: j.interval_seconds,
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

/// POST /jobs/{name}/run (administrators)
async fn run_job(
    State(s): State<AppState>,
    Path(name): Path<String>,
    PageForm(PageAuth { ctx, chrome }, _): PageForm,
) -> PageResult {
    let node = kaidan_app::jobs::default_node();
    s.app
        .run_job_now(&ctx, &name, &node)
        .await
        .or_page(chrome.lang)?;
    Ok(Redirect::to("/jobs").into_response())
}
