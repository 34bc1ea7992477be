//! Transfers (调拨单) from the central warehouse to stores and regions, the
//! stores' stock positions and the regions' replenishment plans (ALC-8,
//! ALC-9). An allocation run makes the transfers; here the warehouse picks,
//! ships and cancels them and the destination receives them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use kaidan_app::ports::{TransferQuery, TransferRow};
use kaidan_app::transfers::StorePosition;
use kaidan_domain::StoreId;
use kaidan_domain::fulfilment::ShipInput;
use kaidan_domain::transfers::{RegionNeed, TransferStatus};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::api::fulfilment::PickConfirmation;
use crate::api::query::filter;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, Region, Transfer, TransferStore};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(list; read; pick; ship; receive; cancel; position; plan, set_plan)
}

/// ALC-9: transfers, newest first, with their lines.
#[utoipa::path(get, path = "/api/v1/transfers", tag = "allocation", operation_id = "list_transfers",
    params(
        ("status" = Option<String>, Query, description = "open, picked, shipped, received or cancelled"),
        ("store_id" = Option<i64>, Query, description = "only those to this store"),
        ("run_id" = Option<i64>, Query, description = "only those made by this allocation run"),
        ("limit" = Option<u32>, Query, description = "at most this many (default and cap: the page size)"),
    ),
    responses((status = 200, body = Vec<TransferRow>), (status = 422, body = Problem)))]
pub async fn list(
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<TransferRow>>> {
    let q = TransferQuery {
        status: filter::<TransferStatus>(&params, "status")?,
        store: filter::<i64>(&params, "store_id")?.map(StoreId),
        run: filter::<i64>(&params, "run_id")?,
        limit: filter::<u32>(&params, "limit")?.unwrap_or(0),
    };
    Ok(Json(app.transfers(&ctx, q).await?))
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "allocation", operation_id = "read_transfer", params(("id" = i64, Path)),
    responses((status = 200, body = TransferRow), (status = 404, body = Problem)))]
pub async fn read(
    Api(app, ctx): Api,
    PathId(id): PathId<Transfer>,
) -> ApiResult<Json<TransferRow>> {
    Ok(Json(app.transfer(&ctx, id).await?))
}

/// ALC-9: the central warehouse confirms what it found for each line and
/// how many packages it packed. What was not found is released at once (a
/// region's plan gets it back); a pick that found nothing cancels the
/// transfer.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/pick", tag = "allocation", operation_id = "pick_transfer", params(("id" = i64, Path)),
    request_body = PickConfirmation,
    responses((status = 200, body = TransferRow), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn pick(
    Api(app, ctx): Api,
    PathId(id): PathId<Transfer>,
    JsonBody(input): JsonBody<PickConfirmation>,
) -> ApiResult<Json<TransferRow>> {
    Ok(Json(
        app.pick_transfer(&ctx, id, &input.lines, input.packages)
            .await?,
    ))
}

/// ALC-9: the picked goods leave the central warehouse with a carrier.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/ship", tag = "allocation", operation_id = "ship_transfer", params(("id" = i64, Path)),
    request_body = ShipInput,
    responses((status = 200, body = TransferRow), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ship(
    Api(app, ctx): Api,
    PathId(id): PathId<Transfer>,
    JsonBody(input): JsonBody<ShipInput>,
) -> ApiResult<Json<TransferRow>> {
    Ok(Json(app.ship_transfer(&ctx, id, &input).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
/// What the receiver of a transfer says; named apart from a stock
/// receipt (`Receipt`), whose schema it would otherwise share.
pub struct TransferReceipt {
    /// What the receiver noted (damage, a count that differs), up to 500
    /// characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// The store or region received the goods: they enter its own stock.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/receive", tag = "allocation", operation_id = "receive_transfer", params(("id" = i64, Path)),
    request_body = TransferReceipt,
    responses((status = 200, body = TransferRow), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(
    Api(app, ctx): Api,
    PathId(id): PathId<Transfer>,
    JsonBody(input): JsonBody<TransferReceipt>,
) -> ApiResult<Json<TransferRow>> {
    Ok(Json(
        app.receive_transfer(&ctx, id, input.note.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    /// Why the transfer is called off (required, up to 500 characters).
    pub reason: String,
}

/// Calls an open or picked transfer off: its goods are free again in the
/// central warehouse; a region's plan gets the quantity back.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/cancel", tag = "allocation", operation_id = "cancel_transfer", params(("id" = i64, Path)),
    request_body = Cancellation,
    responses((status = 200, body = TransferRow), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    Api(app, ctx): Api,
    PathId(id): PathId<Transfer>,
    JsonBody(input): JsonBody<Cancellation>,
) -> ApiResult<Json<TransferRow>> {
    Ok(Json(app.cancel_transfer(&ctx, id, &input.reason).await?))
}

/// ALC-8: a store's safety stock against what it holds and what is on its
/// way, per product, with what the next allocation run would send.
#[utoipa::path(get, path = "/api/v1/stores/{id}/stock-position", tag = "allocation", operation_id = "store_stock_position", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StorePosition>), (status = 404, body = Problem)))]
pub async fn position(
    Api(app, ctx): Api,
    PathId(store): PathId<TransferStore>,
) -> ApiResult<Json<Vec<StorePosition>>> {
    Ok(Json(app.store_positions(&ctx, store).await?))
}

/// ALC-8: a region's replenishment plan (备货): what it still wants of each
/// product. Allocation runs take from it.
#[utoipa::path(get, path = "/api/v1/regions/{id}/replenishment", tag = "allocation", operation_id = "region_replenishment", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RegionNeed>), (status = 404, body = Problem)))]
pub async fn plan(
    Api(app, ctx): Api,
    PathId(region): PathId<Region>,
) -> ApiResult<Json<Vec<RegionNeed>>> {
    Ok(Json(app.region_needs(&ctx, region).await?))
}

/// ALC-8: replaces a region's replenishment plan (brand product). Each
/// product once; a quantity of 0 drops it. Audited line by line.
#[utoipa::path(put, path = "/api/v1/regions/{id}/replenishment", tag = "allocation", operation_id = "set_region_replenishment", params(("id" = i64, Path)),
    request_body = Vec<RegionNeed>,
    responses((status = 200, body = Vec<RegionNeed>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_plan(
    Api(app, ctx): Api,
    PathId(region): PathId<Region>,
    JsonBody(needs): JsonBody<Vec<RegionNeed>>,
) -> ApiResult<Json<Vec<RegionNeed>>> {
    Ok(Json(app.set_region_needs(&ctx, region, needs).await?))
}
