//! Purchase orders, receipts and arrival notices (PUR-1..3, INV-2):
//! thin handlers over the purchasing use cases.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use kaidan_app::Created;
use kaidan_app::ports::{ArrivalNoticeRow, PurchaseOrderRow, ReplenishmentView};
use kaidan_app::purchasing::{
    ConfirmPurchase, PurchaseFromRequests, PurchaseReceipt, ReceiptResult,
};
use kaidan_domain::purchasing::{NewPurchaseOrder, PurchaseStatus, ReplenishmentStatus};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{cursor, named, unknown, whole};
use crate::auth::Api;
use crate::json::{JsonBody, JsonOrDefault, KeyedJson, created, json_with_etag};
use crate::path::{PathId, PurchaseOrder};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list, create; from_replenishments; by_number; read; confirm; receive; cancel;
        replenishments; notices
    )
}

fn view(po: &PurchaseOrderRow, status: StatusCode) -> Response {
    json_with_etag(status, po.version, po)
}

fn created_response(c: Created<PurchaseOrderRow>) -> Response {
    created(c, |po| {
        let location = format!("/api/v1/purchase-orders/{}", po.id);
        (view(&po, StatusCode::CREATED), location)
    })
}

/// Send a purchase order to a supplier (PUR-1): numbered `PO-YYYYMMDD-NNNN`,
/// confirmation due in 14 days; lines may cover open replenishment requests.
#[utoipa::path(post, path = "/api/v1/purchase-orders", tag = "purchasing", operation_id = "create_purchase_order", request_body = NewPurchaseOrder,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PurchaseOrderRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(Api(app, ctx): Api, body: KeyedJson<NewPurchaseOrder>) -> ApiResult<Response> {
    let (input, idem) = body.split("/api/v1/purchase-orders")?;
    Ok(created_response(
        app.create_purchase_order(&ctx, input, idem.as_ref())
            .await?,
    ))
}

/// Raise a purchase order from selected open replenishment requests
/// (INV-2): one line per product, quantities summed.
#[utoipa::path(post, path = "/api/v1/purchase-orders/from-replenishments", tag = "purchasing",
    request_body = PurchaseFromRequests, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PurchaseOrderRow), (status = 422, body = Problem)))]
pub async fn from_replenishments(
    Api(app, ctx): Api,
    body: KeyedJson<PurchaseFromRequests>,
) -> ApiResult<Response> {
    let (input, idem) = body.split("/api/v1/purchase-orders/from-replenishments")?;
    Ok(created_response(
        app.purchase_from_requests(&ctx, input, idem.as_ref())
            .await?,
    ))
}

/// Purchase orders, newest first, each with `overdue` (unconfirmed past its
/// due time). Filter `status`; `cursor` is the last id seen.
#[utoipa::path(get, path = "/api/v1/purchase-orders", tag = "purchasing", operation_id = "list_purchase_orders",
    params(("status" = Option<PurchaseStatus>, Query), ("cursor" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<PurchaseOrderRow>), (status = 422, body = Problem)))]
pub async fn list(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<PurchaseOrderRow>>> {
    let (mut status, mut after, mut limit) = (None, None, None);
    for (k, v) in &p {
        match k.as_str() {
            "status" => status = Some(named::<PurchaseStatus>(k, v)?),
            "cursor" => after = Some(cursor::<i64>(v)?),
            "limit" => limit = Some(whole::<u32>(k, v)?),
            other => return Err(unknown(other, "status, cursor, limit")),
        }
    }
    Ok(Json(app.purchase_orders(&ctx, status, after, limit).await?))
}

#[utoipa::path(get, path = "/api/v1/purchase-orders/{id}", tag = "purchasing", operation_id = "read_purchase_order",
    params(("id" = i64, Path)),
    responses((status = 200, body = PurchaseOrderRow), (status = 404, body = Problem)))]
pub async fn read(Api(app, ctx): Api, PathId(id): PathId<PurchaseOrder>) -> ApiResult<Response> {
    let po = app.purchase_order(&ctx, id).await?;
    Ok(view(&po, StatusCode::OK))
}

#[utoipa::path(get, path = "/api/v1/purchase-orders/by-number/{number}", tag = "purchasing", operation_id = "purchase_order_by_number",
    params(("number" = String, Path)),
    responses((status = 200, body = PurchaseOrderRow), (status = 404, body = Problem)))]
pub async fn by_number(Api(app, ctx): Api, Path(number): Path<String>) -> ApiResult<Response> {
    let po = app.purchase_order_by_number(&ctx, &number).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Record the supplier's confirmation, possibly with a new arrival date.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/confirm", tag = "purchasing",
    params(("id" = i64, Path)), request_body = ConfirmPurchase,
    responses((status = 200, body = PurchaseOrderRow), (status = 422, body = Problem)))]
pub async fn confirm(
    Api(app, ctx): Api,
    PathId(id): PathId<PurchaseOrder>,
    JsonOrDefault(input): JsonOrDefault<ConfirmPurchase>,
) -> ApiResult<Response> {
    let po = app.confirm_purchase_order(&ctx, id, input).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Receive goods per line (PUR-3): partial receipts allowed, over-receipt
/// refused naming the line. Posts stock and fills backorders by promise
/// date; the answer lists the fills.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/receipts", tag = "purchasing", operation_id = "receive_purchase_order",
    params(("id" = i64, Path)), request_body = PurchaseReceipt,
    responses((status = 200, body = ReceiptResult), (status = 422, body = Problem)))]
pub async fn receive(
    Api(app, ctx): Api,
    PathId(id): PathId<PurchaseOrder>,
    JsonBody(input): JsonBody<PurchaseReceipt>,
) -> ApiResult<Json<ReceiptResult>> {
    Ok(Json(app.receive_purchase_order(&ctx, id, input).await?))
}

/// Why a purchase order is cancelled.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelPurchase {
    pub reason: String,
}

/// Cancel a purchase order before any receipt; its requests are open again.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/cancel", tag = "purchasing", operation_id = "cancel_purchase_order",
    params(("id" = i64, Path)), request_body = CancelPurchase,
    responses((status = 200, body = PurchaseOrderRow), (status = 422, body = Problem)))]
pub async fn cancel(
    Api(app, ctx): Api,
    PathId(id): PathId<PurchaseOrder>,
    JsonBody(input): JsonBody<CancelPurchase>,
) -> ApiResult<Response> {
    let po = app.cancel_purchase_order(&ctx, id, &input.reason).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Replenishment requests (INV-2): `status` open, ordered or closed.
#[utoipa::path(get, path = "/api/v1/replenishments", tag = "purchasing",
    params(("status" = Option<ReplenishmentStatus>, Query)),
    responses((status = 200, body = Vec<ReplenishmentView>), (status = 422, body = Problem)))]
pub async fn replenishments(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<ReplenishmentView>>> {
    let mut status = None;
    for (k, v) in &p {
        match k.as_str() {
            "status" => status = Some(named::<ReplenishmentStatus>(k, v)?),
            other => return Err(unknown(other, "status")),
        }
    }
    Ok(Json(app.replenishment_requests(&ctx, status).await?))
}

/// Arrival notices (PUR-2), newest first: funds task lists for channel
/// business (15 days before arrival) and receiving notices for the warehouse
/// (7 days before). Filter `purchase_order_id`.
#[utoipa::path(get, path = "/api/v1/arrival-notices", tag = "purchasing",
    params(("purchase_order_id" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<ArrivalNoticeRow>), (status = 422, body = Problem)))]
pub async fn notices(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<serde_json::Value>> {
    let (mut po, mut limit) = (None, None);
    for (k, v) in &p {
        match k.as_str() {
            "purchase_order_id" => po = Some(whole::<i64>(k, v)?),
            "limit" => limit = Some(whole::<u32>(k, v)?),
            other => return Err(unknown(other, "purchase_order_id, limit")),
        }
    }
    let rows = app.arrival_notices(&ctx, po, limit).await?;
    Ok(Json(ctx.shown(&rows)))
}
