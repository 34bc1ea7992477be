//! Purchase orders, receipts, arrival notices and jobs (PUR-1..3, INV-2):
//! thin handlers over the purchasing use cases.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kaidan_app::Created;
use kaidan_app::jobs::JobRun;
use kaidan_app::ports::{ArrivalNoticeRow, JobRow, PurchaseOrderRow, ReplenishmentView};
use kaidan_app::purchasing::{
    ConfirmPurchase, PurchaseFromRequests, PurchaseReceipt, ReceiptResult,
};
use kaidan_domain::purchasing::{NewPurchaseOrder, PurchaseStatus, ReplenishmentStatus};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::ApiAuth;
use crate::json::{JsonBody, JsonOrDefault, KeyedJson, created, json_with_etag};
use crate::path::{PathId, PurchaseOrder};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(from_replenishments))
        .routes(routes!(by_number))
        .routes(routes!(read))
        .routes(routes!(confirm))
        .routes(routes!(receive))
        .routes(routes!(cancel))
        .routes(routes!(replenishments))
        .routes(routes!(notices))
        .routes(routes!(jobs))
        .routes(routes!(run_job))
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
pub async fn create(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    body: KeyedJson<NewPurchaseOrder>,
) -> ApiResult<Response> {
    let (input, idem) = body.split("/api/v1/purchase-orders")?;
    Ok(created_response(
        s.app
            .create_purchase_order(&ctx, input, idem.as_ref())
            .await?,
    ))
}

/// Raise a purchase order from selected open replenishment requests
/// (INV-2): one line per product, quantities summed.
#[utoipa::path(post, path = "/api/v1/purchase-orders/from-replenishments", tag = "purchasing",
    request_body = PurchaseFromRequests, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PurchaseOrderRow), (status = 422, body = Problem)))]
pub async fn from_replenishments(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    body: KeyedJson<PurchaseFromRequests>,
) -> ApiResult<Response> {
    let (input, idem) = body.split("/api/v1/purchase-orders/from-replenishments")?;
    Ok(created_response(
        s.app
            .purchase_from_requests(&ctx, input, idem.as_ref())
            .await?,
    ))
}

/// Purchase orders, newest first, each with `overdue` (unconfirmed past its
/// due time). Filter `status`; `cursor` is the last id seen.
#[utoipa::path(get, path = "/api/v1/purchase-orders", tag = "purchasing", operation_id = "list_purchase_orders",
    params(("status" = Option<PurchaseStatus>, Query), ("cursor" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<PurchaseOrderRow>), (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<PurchaseOrderRow>>> {
    let (mut status, mut cursor, mut limit) = (None, None, None);
    for (k, v) in &p {
        match k.as_str() {
            "status" => {
                status = Some(
                    v.parse::<PurchaseStatus>()
                        .map_err(|e| ApiError::field("status", "invalid", e.to_string()))?,
                )
            }
            "cursor" => {
                cursor = Some(v.parse::<i64>().map_err(|_| {
                    ApiError::field("cursor", "invalid", "is not a cursor returned by this list")
                })?)
            }
            "limit" => {
                limit =
                    Some(v.parse::<u32>().map_err(|_| {
                        ApiError::field("limit", "invalid", "must be a whole number")
                    })?)
            }
            other => {
                return Err(ApiError::field(
                    other,
                    "unknown_filter",
                    "allowed: status, cursor, limit",
                ));
            }
        }
    }
    Ok(Json(
        s.app.purchase_orders(&ctx, status, cursor, limit).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/purchase-orders/{id}", tag = "purchasing", operation_id = "read_purchase_order",
    params(("id" = i64, Path)),
    responses((status = 200, body = PurchaseOrderRow), (status = 404, body = Problem)))]
pub async fn read(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<PurchaseOrder>,
) -> ApiResult<Response> {
    let po = s.app.purchase_order(&ctx, id).await?;
    Ok(view(&po, StatusCode::OK))
}

#[utoipa::path(get, path = "/api/v1/purchase-orders/by-number/{number}", tag = "purchasing", operation_id = "purchase_order_by_number",
    params(("number" = String, Path)),
    responses((status = 200, body = PurchaseOrderRow), (status = 404, body = Problem)))]
pub async fn by_number(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    let po = s.app.purchase_order_by_number(&ctx, &number).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Record the supplier's confirmation, possibly with a new arrival date.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/confirm", tag = "purchasing",
    params(("id" = i64, Path)), request_body = ConfirmPurchase,
    responses((status = 200, body = PurchaseOrderRow), (status = 422, body = Problem)))]
pub async fn confirm(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<PurchaseOrder>,
    JsonOrDefault(input): JsonOrDefault<ConfirmPurchase>,
) -> ApiResult<Response> {
    let po = s.app.confirm_purchase_order(&ctx, id, input).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Receive goods per line (PUR-3): partial receipts allowed, over-receipt
/// refused naming the line. Posts stock and fills backorders by promise
/// date; the answer lists the fills.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/receipts", tag = "purchasing", operation_id = "receive_purchase_order",
    params(("id" = i64, Path)), request_body = PurchaseReceipt,
    responses((status = 200, body = ReceiptResult), (status = 422, body = Problem)))]
pub async fn receive(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<PurchaseOrder>,
    JsonBody(input): JsonBody<PurchaseReceipt>,
) -> ApiResult<Json<ReceiptResult>> {
    Ok(Json(s.app.receive_purchase_order(&ctx, id, input).await?))
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
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<PurchaseOrder>,
    JsonBody(input): JsonBody<CancelPurchase>,
) -> ApiResult<Response> {
    let po = s.app.cancel_purchase_order(&ctx, id, &input.reason).await?;
    Ok(view(&po, StatusCode::OK))
}

/// Replenishment requests (INV-2): `status` open, ordered or closed.
#[utoipa::path(get, path = "/api/v1/replenishments", tag = "purchasing",
    params(("status" = Option<ReplenishmentStatus>, Query)),
    responses((status = 200, body = Vec<ReplenishmentView>), (status = 422, body = Problem)))]
pub async fn replenishments(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<ReplenishmentView>>> {
    let mut status = None;
    for (k, v) in &p {
        match k.as_str() {
            "status" => {
                status = Some(
                    v.parse::<ReplenishmentStatus>()
                        .map_err(|e| ApiError::field("status", "invalid", e.to_string()))?,
                )
            }
            other => return Err(ApiError::field(other, "unknown_filter", "allowed: status")),
        }
    }
    Ok(Json(s.app.replenishment_requests(&ctx, status).await?))
}

/// Arrival notices (PUR-2), newest first: funds task lists for channel
/// business (15 days before arrival) and receiving notices for the warehouse
/// (7 days before). Filter `purchase_order_id`.
#[utoipa::path(get, path = "/api/v1/arrival-notices", tag = "purchasing",
    params(("purchase_order_id" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<ArrivalNoticeRow>), (status = 422, body = Problem)))]
pub async fn notices(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<ArrivalNoticeRow>>> {
    let (mut po, mut limit) = (None, None);
    for (k, v) in &p {
        match k.as_str() {
            "purchase_order_id" => {
                po = Some(v.parse::<i64>().map_err(|_| {
                    ApiError::field("purchase_order_id", "invalid", "must be a whole number")
                })?)
            }
            "limit" => {
                limit =
                    Some(v.parse::<u32>().map_err(|_| {
                        ApiError::field("limit", "invalid", "must be a whole number")
                    })?)
            }
            other => {
                return Err(ApiError::field(
                    other,
                    "unknown_filter",
                    "allowed: purchase_order_id, limit",
                ));
            }
        }
    }
    Ok(Json(s.app.arrival_notices(&ctx, po, limit).await?))
}

/// The schedule: each job's interval, next run, last run, node and outcome.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    responses((status = 200, body = Vec<JobRow>), (status = 403, body = Problem)))]
pub async fn jobs(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
) -> ApiResult<Json<Vec<JobRow>>> {
    Ok(Json(s.app.jobs(&ctx).await?))
}

/// Run a job now, out of its schedule (needs `jobs.run`; administrators).
#[utoipa::path(post, path = "/api/v1/jobs/{name}/run", tag = "jobs",
    params(("name" = String, Path)),
    responses((status = 200, body = JobRun), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn run_job(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(name): Path<String>,
) -> ApiResult<Json<JobRun>> {
    let node = kaidan_app::jobs::default_node();
    Ok(Json(s.app.run_job_now(&ctx, &name, &node).await?))
}
