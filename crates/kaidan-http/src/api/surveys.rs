//! Satisfaction surveys (AFS-3, KPI-3): surveys sent and their answers,
//! a period's survey sent to a region, the satisfaction figures, and the
//! portal user's own surveys to answer. The customer's link
//! (`/survey/<secret>`) is a page that needs no login.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use jiff::civil::Date;
use kaidan_app::after_sales::{SatisfactionReport, SentSurvey, SurveyGroup};
use kaidan_app::ports::SurveyRow;
use kaidan_domain::after_sales::SurveyAnswersInput;
use kaidan_domain::{CustomerId, RegionId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use super::query::{unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, Survey};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list_surveys;
        send_period_survey;
        satisfaction;
        portal_surveys;
        answer_portal_survey
    )
}

/// AFS-3: surveys sent, newest first, with their answers.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "after-sales", params(("customer_id" = Option<i64>, Query)),
    responses((status = 200, body = Vec<SurveyRow>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_surveys(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<SurveyRow>>> {
    let mut customer = None;
    for (k, v) in &q {
        match k.as_str() {
            "customer_id" if !v.is_empty() => customer = Some(CustomerId(whole(k, v)?)),
            "customer_id" | "lang" => {}
            other => return Err(unknown(other, "customer_id")),
        }
    }
    Ok(Json(app.surveys(&ctx, customer).await?))
}

/// A period's survey for a region.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodSurveyInput {
    #[schema(value_type = i64)]
    pub region_id: RegionId,
    /// `2026-Q4` or `2026-11`.
    pub period: String,
}

/// AFS-3 (seed 001: quarterly per region): the survey of a period to
/// every active customer of a region, once per customer; the links are in
/// the answer this once and in the `survey.sent` events.
#[utoipa::path(post, path = "/api/v1/surveys/period", tag = "after-sales", request_body = PeriodSurveyInput,
    responses((status = 201, body = Vec<SentSurvey>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn send_period_survey(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<PeriodSurveyInput>,
) -> ApiResult<(StatusCode, Json<Vec<SentSurvey>>)> {
    let sent = app
        .send_period_survey(&ctx, input.region_id, &input.period)
        .await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// KPI-3: satisfied customers / surveyed customers over the days
/// `from`..=`to`, by `group` (customer, rep, region, month).
#[utoipa::path(get, path = "/api/v1/surveys/satisfaction", tag = "after-sales",
    params(("from" = String, Query, format = Date), ("to" = String, Query, format = Date),
        ("group" = Option<String>, Query, description = "customer, rep, region (default) or month")),
    responses((status = 200, body = SatisfactionReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn satisfaction(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<SatisfactionReport>> {
    let day = |k: &str| -> ApiResult<Date> {
        let v = q.get(k).map(String::as_str).unwrap_or_default();
        v.parse()
            .map_err(|_| ApiError::field(k, "invalid", format!("'{v}' is not a day (YYYY-MM-DD)")))
    };
    for k in q.keys() {
        if !matches!(k.as_str(), "from" | "to" | "group" | "lang") {
            return Err(unknown(k, "from, to, group"));
        }
    }
    let group = q
        .get("group")
        .map_or(Ok(SurveyGroup::Region), |g| g.parse::<SurveyGroup>())
        .map_err(|e| ApiError::field("group", "invalid", e))?;
    Ok(Json(
        app.satisfaction_report(&ctx, day("from")?, day("to")?, group)
            .await?,
    ))
}

/// AFS-3: the portal user's surveys still to answer.
#[utoipa::path(get, path = "/api/v1/portal/surveys", tag = "portal",
    responses((status = 200, body = Vec<SurveyRow>), (status = 403, body = Problem)))]
pub async fn portal_surveys(Api(app, ctx): Api) -> ApiResult<Json<Vec<SurveyRow>>> {
    Ok(Json(app.portal_surveys(&ctx).await?))
}

/// AFS-3: the portal user answers one of its surveys (question key →
/// `1`..`5`, or words); counted once.
#[utoipa::path(post, path = "/api/v1/portal/surveys/{id}/answers", tag = "portal", params(("id" = i64, Path)),
    request_body = SurveyAnswersInput,
    responses((status = 200, body = SurveyRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_portal_survey(
    Api(app, ctx): Api,
    PathId(id): PathId<Survey>,
    JsonBody(input): JsonBody<SurveyAnswersInput>,
) -> ApiResult<Json<SurveyRow>> {
    Ok(Json(app.answer_survey(&ctx, id, &input).await?))
}
