//! The order clerks' monthly assessment (KPI-6): a month's clerks with the
//! computed part and the assessment written, writing and confirming one,
//! and the year from its months.

use axum::Json;
use axum::extract::Path;
use kaidan_app::assessments::{AssessmentMonth, AssessmentYear};
use kaidan_app::ports::ClerkAssessment;
use kaidan_domain::assessments::AssessmentInput;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{ClerkAssessmentId, PathId, TargetYear, User};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(assessment_month; write_assessment; clerk_assessment; confirm_assessment;
        assessment_year)
}

/// Every order clerk's month (`YYYY-MM`): what the records say (KPI-1,
/// KPI-2, complaints caused), the assessment written, its score and grade,
/// and whether it is the second failing month in a row.
#[utoipa::path(get, path = "/api/v1/clerk-assessments/months/{month}", tag = "assessments",
    params(("month" = String, Path, example = "2026-11")),
    responses((status = 200, body = AssessmentMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn assessment_month(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<Json<AssessmentMonth>> {
    Ok(Json(app.assessment_month(&ctx, &month).await?))
}

/// The supervisor scores a clerk's ended month (a draft until confirmed):
/// four items of 0–10, a remark, the rectification plan.
#[utoipa::path(put, path = "/api/v1/clerk-assessments/months/{month}/clerks/{id}", tag = "assessments",
    request_body = AssessmentInput, params(("month" = String, Path, example = "2026-11"), ("id" = i64, Path)),
    responses((status = 200, body = ClerkAssessment), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn write_assessment(
    Api(app, ctx): Api,
    Path(path): Path<(String, String)>,
    PathId(clerk): PathId<User>,
    JsonBody(input): JsonBody<AssessmentInput>,
) -> ApiResult<Json<ClerkAssessment>> {
    Ok(Json(
        app.write_assessment(&ctx, &path.0, clerk, input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/clerk-assessments/{id}", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = ClerkAssessment), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn clerk_assessment(
    Api(app, ctx): Api,
    PathId(id): PathId<ClerkAssessmentId>,
) -> ApiResult<Json<ClerkAssessment>> {
    Ok(Json(app.clerk_assessment(&ctx, id).await?))
}

/// Confirms a draft; a failing month (60 or less) needs its plan.
#[utoipa::path(post, path = "/api/v1/clerk-assessments/{id}/confirm", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = ClerkAssessment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_assessment(
    Api(app, ctx): Api,
    PathId(id): PathId<ClerkAssessmentId>,
) -> ApiResult<Json<ClerkAssessment>> {
    Ok(Json(app.confirm_assessment(&ctx, id).await?))
}

/// The yearly assessment from the confirmed months: the mean, the
/// excellent and failing months, two failing in a row.
#[utoipa::path(get, path = "/api/v1/clerk-assessments/years/{year}", tag = "assessments",
    params(("year" = i16, Path)),
    responses((status = 200, body = AssessmentYear), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn assessment_year(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<AssessmentYear>> {
    Ok(Json(app.assessment_year(&ctx, year).await?))
}
