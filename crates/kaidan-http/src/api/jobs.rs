//! The job schedule (issue 24): one schedule for every node, read, changed
//! and run from here.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaidan_app::jobs::JobRun;
use kaidan_app::ports::JobRow;
use kaidan_domain::schedule::ScheduleChange;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(jobs; set_job_schedule; run_job)
}

/// The schedule: each job's interval, whether paused, next run, last run,
/// node and outcome.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    responses((status = 200, body = Vec<JobRow>), (status = 403, body = Problem)))]
pub async fn jobs(Api(app, ctx): Api) -> ApiResult<Json<Vec<JobRow>>> {
    Ok(Json(app.jobs(&ctx).await?))
}

/// Change a job's interval, or pause and resume it, for every node (needs
/// `jobs.run`; audited). A changed interval counts from the last run.
#[utoipa::path(patch, path = "/api/v1/jobs/{name}", tag = "jobs",
    params(("name" = String, Path)), request_body = ScheduleChange,
    responses((status = 200, body = JobRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_job_schedule(
    Api(app, ctx): Api,
    Path(name): Path<String>,
    JsonBody(change): JsonBody<ScheduleChange>,
) -> ApiResult<Json<JobRow>> {
    Ok(Json(app.set_job_schedule(&ctx, &name, change).await?))
}

/// Run a job now, out of its schedule (needs `jobs.run`; administrators).
/// A node configured with `[jobs] enabled = false` does not run it itself:
/// it makes the job due now and answers 202 with `queued: true`; a node
/// that runs jobs runs it within its tick.
#[utoipa::path(post, path = "/api/v1/jobs/{name}/run", tag = "jobs",
    params(("name" = String, Path)),
    responses((status = 200, body = JobRun), (status = 202, body = JobRun), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn run_job(Api(app, ctx): Api, Path(name): Path<String>) -> ApiResult<Response> {
    let run = app.request_job_run(&ctx, &name).await?;
    let status = if run.queued {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(run)).into_response())
}
