//! The business calendar: holidays and make-up working days (ORD-6).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use jiff::civil::Date;
use kaidan_domain::calendar::CalendarDay;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(calendar; put_day, delete_day)
}

/// Holidays and make-up working days (ORD-6).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "master data", responses((status = 200, body = Vec<CalendarDay>)))]
pub async fn calendar(Api(app, ctx): Api) -> ApiResult<Json<Vec<CalendarDay>>> {
    Ok(Json(app.calendar_days(&ctx).await?))
}

fn date(raw: &str) -> ApiResult<Date> {
    raw.parse().map_err(|_| {
        ApiError::field(
            "date",
            "invalid",
            format!("'{raw}' is not a date (YYYY-MM-DD)"),
        )
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    pub kind: kaidan_domain::calendar::DayKind,
    #[serde(default)]
    pub name: String,
}

#[utoipa::path(put, path = "/api/v1/calendar/{date}", tag = "master data", request_body = DayInput,
    params(("date" = String, Path, description = "YYYY-MM-DD")), responses((status = 200, body = CalendarDay), (status = 422, body = Problem)))]
pub async fn put_day(
    Api(app, ctx): Api,
    Path(raw): Path<String>,
    JsonBody(input): JsonBody<DayInput>,
) -> ApiResult<Json<CalendarDay>> {
    let day = CalendarDay {
        date: date(&raw)?,
        kind: input.kind,
        name: input.name,
    };
    Ok(Json(app.put_calendar_day(&ctx, day).await?))
}

#[utoipa::path(delete, path = "/api/v1/calendar/{date}", tag = "master data",
    params(("date" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_day(Api(app, ctx): Api, Path(raw): Path<String>) -> ApiResult<StatusCode> {
    app.delete_calendar_day(&ctx, date(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
