//! Customer visits (SAL-2): a rep's monthly visit plan, its approval by his
//! manager, the reports of visits with the things promised, and the
//! month's count per rep (KPI-5 visits and inquiries).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use kaidan_app::ports::{VisitPlan, VisitReport};
use kaidan_app::visits::VisitMonth;
use kaidan_domain::ValidationErrors;
use kaidan_domain::visits::{VisitPlanInput, VisitReportInput};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, VisitPlanId, VisitReportId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(visit_plans; put_visit_plan; visit_plan; submit_visit_plan; approve_visit_plan;
        return_visit_plan; visit_reports, record_visit_report; visit_report; review_visit_report;
        close_visit_action; visit_month)
}

/// The `month` parameter (`YYYY-MM`), required; anything else is refused.
fn month_param(q: &BTreeMap<String, String>) -> Result<String, ValidationErrors> {
    let mut e = ValidationErrors::new();
    for k in q.keys() {
        if !matches!(k.as_str(), "month" | "lang") {
            e.add(k, "unknown", "not a parameter here: month");
        }
    }
    let month = q.get("month").cloned().unwrap_or_default();
    if month.trim().is_empty() {
        e.add("month", "required", "the month, YYYY-MM");
    }
    e.into_result(month)
}

/// The visit plans of a month: one's own, one's teams', or all.
#[utoipa::path(get, path = "/api/v1/visit-plans", tag = "visits",
    params(("month" = String, Query, example = "2026-12")),
    responses((status = 200, body = Vec<VisitPlan>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn visit_plans(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<VisitPlan>>> {
    let month = month_param(&q).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.visit_plans(&ctx, &month).await?))
}

/// Writes one's own plan of `month` (`YYYY-MM`) as a draft: the customers
/// or prospects to visit, the day, the planned hours, why, the expected
/// expense and the gifts asked for.
#[utoipa::path(put, path = "/api/v1/visit-plans/month/{month}", tag = "visits", request_body = VisitPlanInput,
    params(("month" = String, Path, example = "2027-01")),
    responses((status = 200, body = VisitPlan), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_visit_plan(
    Api(app, ctx): Api,
    Path(month): Path<String>,
    JsonBody(input): JsonBody<VisitPlanInput>,
) -> ApiResult<Json<VisitPlan>> {
    Ok(Json(app.put_visit_plan(&ctx, &month, input).await?))
}

#[utoipa::path(get, path = "/api/v1/visit-plans/{id}", tag = "visits", params(("id" = i64, Path)),
    responses((status = 200, body = VisitPlan), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn visit_plan(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitPlanId>,
) -> ApiResult<Json<VisitPlan>> {
    Ok(Json(app.visit_plan(&ctx, id).await?))
}

/// The rep submits his plan; `in_time` records whether it came before the
/// month began.
#[utoipa::path(post, path = "/api/v1/visit-plans/{id}/submit", tag = "visits", params(("id" = i64, Path)),
    responses((status = 200, body = VisitPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_visit_plan(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitPlanId>,
) -> ApiResult<Json<VisitPlan>> {
    Ok(Json(app.submit_visit_plan(&ctx, id).await?))
}

/// The rep's manager approves the submitted plan.
#[utoipa::path(post, path = "/api/v1/visit-plans/{id}/approve", tag = "visits", params(("id" = i64, Path)),
    responses((status = 200, body = VisitPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_visit_plan(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitPlanId>,
) -> ApiResult<Json<VisitPlan>> {
    Ok(Json(app.approve_visit_plan(&ctx, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitReason {
    pub reason: String,
}

/// The rep's manager returns the submitted plan with a reason.
#[utoipa::path(post, path = "/api/v1/visit-plans/{id}/return", tag = "visits", params(("id" = i64, Path)), request_body = VisitReason,
    responses((status = 200, body = VisitPlan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn return_visit_plan(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitPlanId>,
    JsonBody(r): JsonBody<VisitReason>,
) -> ApiResult<Json<VisitPlan>> {
    Ok(Json(app.return_visit_plan(&ctx, id, r.reason).await?))
}

/// The reports of the visits of a month, newest first.
#[utoipa::path(get, path = "/api/v1/visit-reports", tag = "visits", params(("month" = String, Query)),
    responses((status = 200, body = Vec<VisitReport>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn visit_reports(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<VisitReport>>> {
    let month = month_param(&q).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.visit_reports(&ctx, &month).await?))
}

/// Records one's report of a visit made (of a planned visit or not); one
/// written after the second day is marked late.
#[utoipa::path(post, path = "/api/v1/visit-reports", tag = "visits", request_body = VisitReportInput,
    responses((status = 201, body = VisitReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_visit_report(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<VisitReportInput>,
) -> ApiResult<(StatusCode, Json<VisitReport>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.record_visit_report(&ctx, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/visit-reports/{id}", tag = "visits", params(("id" = i64, Path)),
    responses((status = 200, body = VisitReport), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn visit_report(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitReportId>,
) -> ApiResult<Json<VisitReport>> {
    Ok(Json(app.visit_report(&ctx, id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitNote {
    #[serde(default)]
    pub note: Option<String>,
}

/// The rep's manager reviews the report.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/review", tag = "visits", params(("id" = i64, Path)), request_body = VisitNote,
    responses((status = 200, body = VisitReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn review_visit_report(
    Api(app, ctx): Api,
    PathId(id): PathId<VisitReportId>,
    JsonBody(n): JsonBody<VisitNote>,
) -> ApiResult<Json<VisitReport>> {
    Ok(Json(app.review_visit_report(&ctx, id, n.note).await?))
}

/// A thing promised at the visit is done.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/actions/{action_no}/done", tag = "visits",
    params(("id" = i64, Path), ("action_no" = i64, Path)), request_body = VisitNote,
    responses((status = 200, body = VisitReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn close_visit_action(
    Api(app, ctx): Api,
    Path((id, action_no)): Path<(String, String)>,
    JsonBody(n): JsonBody<VisitNote>,
) -> ApiResult<Json<VisitReport>> {
    let id = id.parse::<i64>().map_err(|_| {
        crate::problem::ApiError::field("id", "invalid", format!("'{id}' is not a visit report id"))
    })?;
    let no = action_no.parse::<i64>().map_err(|_| {
        crate::problem::ApiError::field(
            "action_no",
            "invalid",
            format!("'{action_no}' is not a follow-up number"),
        )
    })?;
    Ok(Json(app.close_visit_action(&ctx, id, no, n.note).await?))
}

/// KPI-5, SAL-2: a month's visits per rep: the plan's state and whether it
/// came in time, visits planned and reported, reports late, inquiries,
/// promised things open and overdue, reports not yet reviewed.
#[utoipa::path(get, path = "/api/v1/visits/{month}", tag = "visits", params(("month" = String, Path, example = "2026-12")),
    responses((status = 200, body = VisitMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn visit_month(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<Json<VisitMonth>> {
    Ok(Json(app.visit_month(&ctx, &month).await?))
}
