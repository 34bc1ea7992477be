//! Sales targets (SAL-1): the year's plan, drafted by the sales department
//! and approved by the general manager; its completion over a period, its
//! months and the follow-ups of months missed.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use jiff::civil::Date;
use kaidan_app::ports::{FollowUp, TargetPlan, TargetPlanSummary};
use kaidan_app::targets::{TargetMiss, TargetMonths, TargetProgress};
use kaidan_domain::ValidationErrors;
use kaidan_domain::targets::{FollowUpInput, TargetPlanInput, TargetSpan};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::optional_day;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, TargetYear};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(target_plans; target_plan, put_target_plan; submit_target_plan; approve_target_plan; return_target_plan; target_progress; target_months; target_misses; record_target_follow_up)
}

/// `span` (year, quarter, month, week; default month) and `at` (a day of
/// the plan's year; default today), refusing anything else.
pub(crate) fn progress_params(
    q: &BTreeMap<String, String>,
) -> Result<(TargetSpan, Option<Date>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    for k in q.keys() {
        if !matches!(k.as_str(), "span" | "at" | "format" | "lang") {
            e.add(k, "unknown", "not a parameter of target progress: span, at");
        }
    }
    let span = match q.get("span").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => TargetSpan::Month,
        Some(v) => v
            .parse()
            .unwrap_or_else(|err: kaidan_domain::UnknownValue| {
                e.add("span", "invalid", err.to_string());
                TargetSpan::Month
            }),
    };
    let at = optional_day(&mut e, q, "at");
    e.into_result((span, at))
}

/// Every year's target plan, the newest first.
#[utoipa::path(get, path = "/api/v1/sales-targets", tag = "targets",
    responses((status = 200, body = Vec<TargetPlanSummary>), (status = 403, body = Problem)))]
pub async fn target_plans(Api(app, ctx): Api) -> ApiResult<Json<Vec<TargetPlanSummary>>> {
    Ok(Json(app.target_plans(&ctx).await?))
}

/// A year's plan: its basis, status and each subject's twelve months (a
/// rep or a team manager without `targets.write` sees his own lines).
#[utoipa::path(get, path = "/api/v1/sales-targets/{year}", tag = "targets",
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn target_plan(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<TargetPlan>> {
    Ok(Json(app.target_plan(&ctx, year).await?))
}

/// Writes the year's plan as a draft (new, a draft or returned): the
/// company's line and its split to teams, reps and regions, each an annual
/// amount with twelve months or split evenly. The split must add up
/// (teams and regions to the company, a team's reps to the team).
#[utoipa::path(put, path = "/api/v1/sales-targets/{year}", tag = "targets", request_body = TargetPlanInput,
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetPlan), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_target_plan(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
    JsonBody(input): JsonBody<TargetPlanInput>,
) -> ApiResult<Json<TargetPlan>> {
    Ok(Json(app.put_target_plan(&ctx, year, input).await?))
}

/// The sales department submits the plan to the general manager.
#[utoipa::path(post, path = "/api/v1/sales-targets/{year}/submit", tag = "targets",
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_target_plan(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<TargetPlan>> {
    Ok(Json(app.submit_target_plan(&ctx, year).await?))
}

/// The general manager approves the submitted plan.
#[utoipa::path(post, path = "/api/v1/sales-targets/{year}/approve", tag = "targets",
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_target_plan(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<TargetPlan>> {
    Ok(Json(app.approve_target_plan(&ctx, year).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnReason {
    pub reason: String,
}

/// The general manager sends a submitted plan back, or reopens an approved
/// one for a revision, with a reason.
#[utoipa::path(post, path = "/api/v1/sales-targets/{year}/return", tag = "targets", request_body = ReturnReason,
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn return_target_plan(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
    JsonBody(r): JsonBody<ReturnReason>,
) -> ApiResult<Json<TargetPlan>> {
    Ok(Json(app.return_target_plan(&ctx, year, r.reason).await?))
}

/// Completion over the `span` (year, quarter, month, week) holding `at`:
/// per subject the target, what was done on the plan's basis, the percent
/// and the pace against the working days gone.
#[utoipa::path(get, path = "/api/v1/sales-targets/{year}/progress", tag = "targets",
    params(("year" = i16, Path), ("span" = Option<String>, Query, description = "year, quarter, month (default) or week"),
        ("at" = Option<String>, Query, format = Date)),
    responses((status = 200, body = TargetProgress), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn target_progress(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<TargetProgress>> {
    let (span, at) = progress_params(&q).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.target_progress(&ctx, year, span, at).await?))
}

/// The year month by month: target, done, and the months missed in a row.
#[utoipa::path(get, path = "/api/v1/sales-targets/{year}/months", tag = "targets",
    params(("year" = i16, Path)),
    responses((status = 200, body = TargetMonths), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn target_months(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<TargetMonths>> {
    Ok(Json(app.target_months(&ctx, year).await?))
}

/// The months a rep or team of the approved plan missed, newest first,
/// with what the seed asks (an interview and a plan; after two in a row a
/// warning or a change of post) and the follow-ups recorded.
#[utoipa::path(get, path = "/api/v1/sales-targets/{year}/misses", tag = "targets",
    params(("year" = i16, Path)),
    responses((status = 200, body = Vec<TargetMiss>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn target_misses(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<Vec<TargetMiss>>> {
    Ok(Json(app.target_misses(&ctx, year).await?))
}

/// Records what was done about a missed month.
#[utoipa::path(post, path = "/api/v1/sales-targets/{year}/follow-ups", tag = "targets", request_body = FollowUpInput,
    params(("year" = i16, Path)),
    responses((status = 201, body = FollowUp), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_target_follow_up(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
    JsonBody(input): JsonBody<FollowUpInput>,
) -> ApiResult<(StatusCode, Json<FollowUp>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.record_target_follow_up(&ctx, year, input).await?),
    ))
}
