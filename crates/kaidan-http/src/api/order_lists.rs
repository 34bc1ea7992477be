//! The order list's bulk actions and each user's saved filters over the
//! API (issue 21): thin handlers over `orders::bulk` and `saved_filters`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use kaidan_app::AppError;
use kaidan_app::orders::bulk::{BulkOrderAction, BulkOutcome};
use kaidan_app::saved_filters::{SavedFilter, SavedList};
use kaidan_domain::OrderId;
use kaidan_domain::orders::OrderStatus;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, SavedFilterId};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(bulk; saved, save; delete_saved)
}

/// A bulk action on chosen orders.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    /// review, approve or cancel.
    pub action: String,
    /// At most 500 order ids.
    pub ids: Vec<i64>,
    /// Why, for cancel (at most 500 characters).
    #[serde(default)]
    pub reason: String,
}

/// What became of one order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub id: OrderId,
    /// Whether the action did what was asked (approve: the order is
    /// approved).
    pub done: bool,
    /// The order's status after the action; null when it was refused.
    pub status: Option<OrderStatus>,
    /// Why it was refused, as the single action's answer would say.
    pub problem: Option<Problem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkAnswer {
    pub done: usize,
    pub failed: usize,
    pub results: Vec<BulkResult>,
}

pub(crate) fn bulk_result(action: BulkOrderAction, o: BulkOutcome) -> BulkResult {
    let done = o.done(action);
    match o.result {
        Ok(status) => BulkResult {
            id: o.id,
            done,
            status: Some(status),
            problem: None,
        },
        Err(e) => BulkResult {
            id: o.id,
            done,
            status: None,
            problem: Some(ApiError::from(e).problem()),
        },
    }
}

/// Review, approve or cancel several orders at once (issue 21). Each order
/// is its own step: one that cannot move stops no other, and each order's
/// outcome is in `results`. A bad request (no ids, more than 500, cancel
/// without reason) changes nothing.
#[utoipa::path(post, path = "/api/v1/orders/bulk", tag = "orders", operation_id = "bulk_orders",
    request_body = BulkInput,
    responses((status = 200, body = BulkAnswer), (status = 422, body = Problem)))]
pub async fn bulk(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<BulkInput>,
) -> ApiResult<Json<BulkAnswer>> {
    let action: BulkOrderAction = input.action.parse().map_err(AppError::Invalid)?;
    let ids: Vec<OrderId> = input.ids.iter().map(|i| OrderId(*i)).collect();
    let outcomes = app
        .bulk_order_action(&ctx, action, &ids, &input.reason)
        .await?;
    let results: Vec<BulkResult> = outcomes
        .into_iter()
        .map(|o| bulk_result(action, o))
        .collect();
    let done = results.iter().filter(|r| r.done).count();
    Ok(Json(BulkAnswer {
        done,
        failed: results.len() - done,
        results,
    }))
}

fn list_of(p: &BTreeMap<String, String>) -> ApiResult<SavedList> {
    Ok(p.get("list")
        .map_or("orders", String::as_str)
        .parse::<SavedList>()
        .map_err(AppError::Invalid)?)
}

/// The caller's saved filters of a list (`list=orders`, the default, or
/// `list=shipments`).
#[utoipa::path(get, path = "/api/v1/saved-filters", tag = "orders", operation_id = "saved_filters",
    params(("list" = Option<String>, Query)),
    responses((status = 200, body = Vec<SavedFilter>)))]
pub async fn saved(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<SavedFilter>>> {
    Ok(Json(app.saved_filters(&ctx, list_of(&p)?).await?))
}

/// A filter to save: its name and the list's parameters.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveFilterInput {
    /// orders (the default) or shipments.
    #[serde(default)]
    pub list: Option<String>,
    /// At most 60 characters; a filter of the same name is replaced.
    pub name: String,
    /// The list's filter parameters, as `GET /api/v1/orders` (or
    /// `GET /api/v1/shipments`) takes them.
    pub params: BTreeMap<String, String>,
}

/// Save a filter under a name for the caller (at most 50 per list).
#[utoipa::path(post, path = "/api/v1/saved-filters", tag = "orders", operation_id = "save_filter",
    request_body = SaveFilterInput,
    responses((status = 201, body = SavedFilter), (status = 422, body = Problem)))]
pub async fn save(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<SaveFilterInput>,
) -> ApiResult<(StatusCode, Json<SavedFilter>)> {
    let list = input
        .list
        .as_deref()
        .unwrap_or("orders")
        .parse::<SavedList>()
        .map_err(AppError::Invalid)?;
    let saved = app
        .save_filter(&ctx, list, &input.name, &input.params)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Delete one of the caller's saved filters.
#[utoipa::path(delete, path = "/api/v1/saved-filters/{id}", tag = "orders", operation_id = "delete_saved_filter",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_saved(
    Api(app, ctx): Api,
    PathId(id): PathId<SavedFilterId>,
) -> ApiResult<StatusCode> {
    app.delete_saved_filter(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
