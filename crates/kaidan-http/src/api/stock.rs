//! Stock on hand per product and warehouse, and receipts that add to it
//! (INV-1).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use kaidan_app::audit::HistoryPage;
use kaidan_app::ports::StockBalance;
use kaidan_domain::{ProductId, WarehouseId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::api::master::list_request;
use crate::api::query::history_request;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, StockProduct, StockWarehouse};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(stock; receive; history)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockPage {
    pub items: Vec<StockBalance>,
    pub next_cursor: Option<String>,
}

/// On hand, reserved and available per product and warehouse (INV-1).
#[utoipa::path(get, path = "/api/v1/stock", tag = "stock",
    params(("q" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = StockPage)))]
pub async fn stock(
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<StockPage>> {
    let page = app.stock_list(&ctx, &list_request(params)?).await?;
    Ok(Json(StockPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockReceipt {
    pub product_id: ProductId,
    pub warehouse_id: WarehouseId,
    pub quantity: i64,
    /// The document behind it, e.g. a purchase order number.
    pub source: String,
}

#[utoipa::path(post, path = "/api/v1/stock/receipts", tag = "stock", operation_id = "receive_stock", request_body = StockReceipt,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn receive(
    Api(app, ctx): Api,
    JsonBody(r): JsonBody<StockReceipt>,
) -> ApiResult<StatusCode> {
    app.receive_stock(&ctx, r.product_id, r.warehouse_id, r.quantity, &r.source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The history of a product's stock in one warehouse (SEC-2, INV-3),
/// newest first: receipts and stock-count adjustments with the figure
/// before and after (`stock[warehouse_id=…].on_hand`). Whoever may read
/// stock may read it.
#[utoipa::path(get, path = "/api/v1/stock/{product_id}/{warehouse_id}/history", tag = "stock", operation_id = "stock_history",
    params(("product_id" = i64, Path), ("warehouse_id" = i64, Path), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = HistoryPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn history(
    Api(app, ctx): Api,
    PathId(product): PathId<StockProduct>,
    PathId(warehouse): PathId<StockWarehouse>,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<HistoryPage>> {
    let page = history_request(&params)?;
    Ok(Json(
        app.stock_history(&ctx, product, warehouse, page).await?,
    ))
}
