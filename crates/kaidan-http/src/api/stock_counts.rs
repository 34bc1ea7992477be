//! Stock counts (INV-3) and inventory accuracy (KPI-4).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use jiff::civil::Date;
use kaidan_app::ports::StockCountRow;
use kaidan_app::stock_counts::{InventoryAccuracy, NewStockCount, PostStockCount};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::{JsonBody, JsonOrDefault};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(create; read; post_count; accuracy)
}

/// Enter a count: each line's system figure is recorded beside it.
#[utoipa::path(post, path = "/api/v1/stock-counts", tag = "stock", operation_id = "create_stock_count", request_body = NewStockCount,
    responses((status = 201, body = StockCountRow), (status = 422, body = Problem)))]
pub async fn create(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<NewStockCount>,
) -> ApiResult<(StatusCode, Json<StockCountRow>)> {
    let row = app.create_stock_count(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[utoipa::path(get, path = "/api/v1/stock-counts/{id}", tag = "stock", operation_id = "read_stock_count",
    params(("id" = i64, Path)),
    responses((status = 200, body = StockCountRow), (status = 404, body = Problem)))]
pub async fn read(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<StockCountRow>> {
    Ok(Json(app.stock_count(&ctx, id).await?))
}

/// Post a count: every difference needs a cause (on the count or in
/// `causes`); the differences go to the stock ledger as count adjustments.
#[utoipa::path(post, path = "/api/v1/stock-counts/{id}/post", tag = "stock",
    params(("id" = i64, Path)), request_body = PostStockCount,
    responses((status = 200, body = StockCountRow), (status = 422, body = Problem)))]
pub async fn post_count(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonOrDefault(post): JsonOrDefault<PostStockCount>,
) -> ApiResult<Json<StockCountRow>> {
    Ok(Json(app.post_stock_count(&ctx, id, post).await?))
}

fn date(params: &BTreeMap<String, String>, name: &'static str) -> ApiResult<Date> {
    let raw = params
        .get(name)
        .ok_or_else(|| ApiError::field(name, "required", "a date, YYYY-MM-DD"))?;
    raw.parse().map_err(|_| {
        ApiError::field(
            name,
            "invalid",
            format!("'{raw}' is not a date (YYYY-MM-DD)"),
        )
    })
}

/// Inventory accuracy (KPI-4): the share of counted lines whose system
/// figure was right, over counts posted from `from` to `to` (both included).
#[utoipa::path(get, path = "/api/v1/stock/accuracy", tag = "stock",
    params(("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = InventoryAccuracy), (status = 422, body = Problem)))]
pub async fn accuracy(
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<InventoryAccuracy>> {
    let (from, to) = (date(&params, "from")?, date(&params, "to")?);
    Ok(Json(app.inventory_accuracy(&ctx, from, to).await?))
}
