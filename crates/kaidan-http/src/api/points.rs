//! Sales points (SAL-4): the scheme, the catalogue, extra points and their
//! approval, the monthly posting of basic points, redemption, balances, a
//! rep's statement and the champions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use jiff::civil::Date;
use kaidan_app::points::{PointsBalance, PointsChampions, Redemption, RepStatement};
use kaidan_app::ports::{PointsAward, PointsItem, PointsMonth, PointsScheme};
use kaidan_domain::ValidationErrors;
use kaidan_domain::points::{
    AwardStatus, PointsAwardInput, PointsItemInput, PointsSchemeInput, RedemptionInput,
};
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::optional_day;
use crate::api::targets::ReturnReason;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, PointsAwardId, PointsItemId, TargetYear, User};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(points_schemes, put_points_scheme; points_items, create_points_item; update_points_item;
        points_awards, propose_points_award; points_award; approve_points_award; reject_points_award;
        points_months; post_basic_points; redeem_points; points_balances; points_statement;
        points_champions)
}

/// Only the named parameters; `at` a day when given.
fn at_param(q: &BTreeMap<String, String>) -> Result<Option<Date>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    for k in q.keys() {
        if !matches!(k.as_str(), "at" | "lang") {
            e.add(k, "unknown", "not a parameter here: at");
        }
    }
    let at = optional_day(&mut e, q, "at");
    e.into_result(at)
}

/// Every scheme, the oldest first: each in force from its month.
#[utoipa::path(get, path = "/api/v1/points/schemes", tag = "points",
    responses((status = 200, body = Vec<PointsScheme>), (status = 403, body = Problem)))]
pub async fn points_schemes(Api(app, ctx): Api) -> ApiResult<Json<Vec<PointsScheme>>> {
    Ok(Json(app.points_schemes(&ctx).await?))
}

/// The general manager sets the ratio and basis from a month on (a month
/// after the last one posted).
#[utoipa::path(put, path = "/api/v1/points/schemes", tag = "points", request_body = PointsSchemeInput,
    responses((status = 200, body = PointsScheme), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_points_scheme(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<PointsSchemeInput>,
) -> ApiResult<Json<PointsScheme>> {
    Ok(Json(app.put_points_scheme(&ctx, input).await?))
}

/// The catalogue (the withdrawn items only for who manages it).
#[utoipa::path(get, path = "/api/v1/points/items", tag = "points",
    responses((status = 200, body = Vec<PointsItem>), (status = 403, body = Problem)))]
pub async fn points_items(Api(app, ctx): Api) -> ApiResult<Json<Vec<PointsItem>>> {
    Ok(Json(app.points_items(&ctx).await?))
}

/// Adds an item: a gift, a coupon or a training, with its cost in points.
#[utoipa::path(post, path = "/api/v1/points/items", tag = "points", request_body = PointsItemInput,
    responses((status = 201, body = PointsItem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_points_item(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<PointsItemInput>,
) -> ApiResult<(StatusCode, Json<PointsItem>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_points_item(&ctx, input).await?),
    ))
}

/// Changes an item, or withdraws it (`active: false`).
#[utoipa::path(put, path = "/api/v1/points/items/{id}", tag = "points", request_body = PointsItemInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = PointsItem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_points_item(
    Api(app, ctx): Api,
    PathId(id): PathId<PointsItemId>,
    JsonBody(input): JsonBody<PointsItemInput>,
) -> ApiResult<Json<PointsItem>> {
    Ok(Json(app.update_points_item(&ctx, id, input).await?))
}

/// Extra points within reach, the newest first; `status` narrows them.
#[utoipa::path(get, path = "/api/v1/points/awards", tag = "points",
    params(("status" = Option<String>, Query, description = "proposed, approved or rejected")),
    responses((status = 200, body = Vec<PointsAward>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn points_awards(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<PointsAward>>> {
    let mut e = ValidationErrors::new();
    for k in q.keys() {
        if !matches!(k.as_str(), "status" | "lang") {
            e.add(k, "unknown", "not a parameter here: status");
        }
    }
    let status = match q.get("status").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => v
            .parse::<AwardStatus>()
            .map_err(|err| e.add("status", "invalid", err.to_string()))
            .ok(),
    };
    e.into_result(()).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.points_awards(&ctx, status).await?))
}

/// The sales manager proposes extra points for a rep he leads, with the
/// reason (a target met, a survey, praise, training, a suggestion).
#[utoipa::path(post, path = "/api/v1/points/awards", tag = "points", request_body = PointsAwardInput,
    responses((status = 201, body = PointsAward), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_points_award(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<PointsAwardInput>,
) -> ApiResult<(StatusCode, Json<PointsAward>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.propose_points_award(&ctx, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/points/awards/{id}", tag = "points", params(("id" = i64, Path)),
    responses((status = 200, body = PointsAward), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn points_award(
    Api(app, ctx): Api,
    PathId(id): PathId<PointsAwardId>,
) -> ApiResult<Json<PointsAward>> {
    Ok(Json(app.points_award(&ctx, id).await?))
}

/// The general manager approves: the points are credited today and last
/// six months.
#[utoipa::path(post, path = "/api/v1/points/awards/{id}/approve", tag = "points", params(("id" = i64, Path)),
    responses((status = 200, body = PointsAward), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_points_award(
    Api(app, ctx): Api,
    PathId(id): PathId<PointsAwardId>,
) -> ApiResult<Json<PointsAward>> {
    Ok(Json(app.approve_points_award(&ctx, id).await?))
}

/// The general manager rejects, with the reason.
#[utoipa::path(post, path = "/api/v1/points/awards/{id}/reject", tag = "points", request_body = ReturnReason,
    params(("id" = i64, Path)),
    responses((status = 200, body = PointsAward), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_points_award(
    Api(app, ctx): Api,
    PathId(id): PathId<PointsAwardId>,
    JsonBody(r): JsonBody<ReturnReason>,
) -> ApiResult<Json<PointsAward>> {
    Ok(Json(app.reject_points_award(&ctx, id, r.reason).await?))
}

/// The months whose basic points were posted, with the ratio and basis
/// they were read with.
#[utoipa::path(get, path = "/api/v1/points/months", tag = "points",
    responses((status = 200, body = Vec<PointsMonth>), (status = 403, body = Problem)))]
pub async fn points_months(Api(app, ctx): Api) -> ApiResult<Json<Vec<PointsMonth>>> {
    Ok(Json(app.points_months(&ctx).await?))
}

/// Posts an ended month's basic points (`YYYY-MM`): each rep's sales on
/// the scheme's basis × its ratio, credited on the month's last day. Once.
#[utoipa::path(post, path = "/api/v1/points/months/{month}", tag = "points",
    params(("month" = String, Path, example = "2026-11")),
    responses((status = 201, body = PointsMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn post_basic_points(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<(StatusCode, Json<PointsMonth>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.post_basic_points(&ctx, &month).await?),
    ))
}

/// Redeems some of an item from one's own points, the oldest first.
#[utoipa::path(post, path = "/api/v1/points/redemptions", tag = "points", request_body = RedemptionInput,
    responses((status = 201, body = Redemption), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn redeem_points(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<RedemptionInput>,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.redeem_points(&ctx, input).await?),
    ))
}

/// Every rep within reach at `at` (default today): balance, earned,
/// redeemed, expired, and what expires within 30 days.
#[utoipa::path(get, path = "/api/v1/points/balances", tag = "points",
    params(("at" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Vec<PointsBalance>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn points_balances(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<PointsBalance>>> {
    let at = at_param(&q).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.points_balances(&ctx, at).await?))
}

/// A rep's balance at `at`, explained entry by entry: each credit, each
/// expiry and each redemption with the lots it consumed.
#[utoipa::path(get, path = "/api/v1/points/reps/{id}/statement", tag = "points",
    params(("id" = i64, Path), ("at" = Option<String>, Query, format = Date)),
    responses((status = 200, body = RepStatement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn points_statement(
    Api(app, ctx): Api,
    PathId(rep): PathId<User>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<RepStatement>> {
    let at = at_param(&q).map_err(kaidan_app::AppError::from)?;
    Ok(Json(app.points_statement(&ctx, rep, at).await?))
}

/// The sales champions of each month, quarter and the year.
#[utoipa::path(get, path = "/api/v1/points/champions/{year}", tag = "points",
    params(("year" = i16, Path)),
    responses((status = 200, body = PointsChampions), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn points_champions(
    Api(app, ctx): Api,
    PathId(year): PathId<TargetYear>,
) -> ApiResult<Json<PointsChampions>> {
    Ok(Json(app.points_champions(&ctx, year).await?))
}
