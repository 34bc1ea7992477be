//! Returns and exchanges (退换货, AFS-1): raise a request against a
//! delivered shipment, the sales manager's decision, the warehouse's
//! receipt and inspection, and the refund, exchange or repair that closes
//! it. A portal user sees and raises its own customer's only.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use kaidan_app::after_sales::{CompleteReturnInput, ReturnableView};
use kaidan_app::finance::VoucherUpload;
use kaidan_app::ports::{ReturnFilter, ReturnRow};
use kaidan_domain::after_sales::{ReceiveInput, ReturnInput};
use kaidan_domain::{CustomerId, OrderId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, named, next_cursor, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, Return, ReturnPhoto, Shipment};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list_returns, request_return;
        get_return;
        approve_return;
        reject_return;
        cancel_return;
        receive_return;
        complete_return;
        add_return_photo;
        return_photo;
        returnable
    )
}

/// A page of returns, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReturnPage {
    pub items: Vec<ReturnRow>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// The list's query: `customer_id`, `order_id`, `status`, `cursor`, `limit`.
pub(crate) fn return_filter(q: &BTreeMap<String, String>) -> ApiResult<ReturnFilter> {
    let mut f = ReturnFilter {
        limit: 50,
        ..ReturnFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "customer_id" if !v.is_empty() => f.customer = Some(CustomerId(whole(k, v)?)),
            "order_id" if !v.is_empty() => f.order = Some(OrderId(whole(k, v)?)),
            "status" if !v.is_empty() => f.status = Some(named(k, v)?),
            "cursor" if !v.is_empty() => f.before = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "customer_id" | "order_id" | "status" | "cursor" | "lang" => {}
            other => {
                return Err(unknown(
                    other,
                    "customer_id, order_id, status, cursor, limit",
                ));
            }
        }
    }
    Ok(f)
}

/// AFS-1: return requests, newest first (a portal user: its own).
#[utoipa::path(get, path = "/api/v1/returns", tag = "after-sales",
    params(("customer_id" = Option<i64>, Query), ("order_id" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "requested, approved, rejected, cancelled, received, closed"),
        ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = ReturnPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_returns(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<ReturnPage>> {
    let f = return_filter(&q)?;
    let limit = f.limit as usize;
    let items = app.returns(&ctx, f).await?;
    let next_cursor = next_cursor(&items, limit, |r| r.id);
    Ok(Json(ReturnPage { items, next_cursor }))
}

/// AFS-1: a return or exchange request against a delivered shipment:
/// lines (shipment line and quantity), reason, remedy (`refund`,
/// `exchange`, `repair`) and what is wrong. Never more than was delivered
/// and not yet asked back; within the product category's return period,
/// or for a fault within its warranty (exchange or repair). Add photos
/// with `PUT /api/v1/returns/{id}/photos`.
#[utoipa::path(post, path = "/api/v1/returns", tag = "after-sales", request_body = ReturnInput,
    responses((status = 201, body = ReturnRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn request_return(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<ReturnInput>,
) -> ApiResult<(StatusCode, Json<ReturnRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.request_return(&ctx, &input, &[]).await?),
    ))
}

/// AFS-1: one return with its lines, steps and photos.
#[utoipa::path(get, path = "/api/v1/returns/{id}", tag = "after-sales", params(("id" = i64, Path)),
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(app.return_request(&ctx, id).await?))
}

/// The approver's words.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveReturn {
    #[serde(default)]
    pub note: String,
}

/// Why a request is rejected.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectReturn {
    pub reason: String,
}

/// AFS-1: the sales manager approves: the return gets its RMA number and
/// the warehouse expects the goods.
#[utoipa::path(post, path = "/api/v1/returns/{id}/approve", tag = "after-sales", params(("id" = i64, Path)),
    request_body = ApproveReturn,
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    JsonBody(input): JsonBody<ApproveReturn>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(app.decide_return(&ctx, id, true, &input.note).await?))
}

/// AFS-1: the sales manager rejects, with the reason; the units may be
/// asked back again.
#[utoipa::path(post, path = "/api/v1/returns/{id}/reject", tag = "after-sales", params(("id" = i64, Path)),
    request_body = RejectReturn,
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    JsonBody(input): JsonBody<RejectReturn>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(
        app.decide_return(&ctx, id, false, &input.reason).await?,
    ))
}

/// AFS-1: the requester withdraws a request not yet decided.
#[utoipa::path(post, path = "/api/v1/returns/{id}/cancel", tag = "after-sales", params(("id" = i64, Path)),
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(app.cancel_return(&ctx, id).await?))
}

/// AFS-1, INV-1: the warehouse receives the goods of an approved return:
/// per line (keyed by its shipment line number) how many are restocked,
/// quarantined (`quarantine_warehouse_id`) or scrapped, each a stock
/// ledger movement. A repair takes no lines: the goods stay the customer's.
#[utoipa::path(post, path = "/api/v1/returns/{id}/receive", tag = "after-sales", params(("id" = i64, Path)),
    request_body = ReceiveInput,
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn receive_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    JsonBody(input): JsonBody<ReceiveInput>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(app.receive_return(&ctx, id, &input).await?))
}

/// AFS-1, FIN-1: closes a received return by its remedy: a refund
/// (finance: credit notes on the original invoices, an account credit for
/// units never invoiced), an exchange (the sales manager: a free
/// replacement order) or a repair (the warehouse; `note` says what was
/// repaired).
#[utoipa::path(post, path = "/api/v1/returns/{id}/complete", tag = "after-sales", params(("id" = i64, Path)),
    request_body = CompleteReturnInput,
    responses((status = 200, body = ReturnRow), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn complete_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    JsonBody(input): JsonBody<CompleteReturnInput>,
) -> ApiResult<Json<ReturnRow>> {
    Ok(Json(app.complete_return(&ctx, id, &input).await?))
}

/// AFS-1: a photo of the goods (PNG, JPEG or PDF, at most 5 MiB, six per
/// return) as the raw body, its name in `?file=`.
#[utoipa::path(put, path = "/api/v1/returns/{id}/photos", tag = "after-sales",
    params(("id" = i64, Path), ("file" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ReturnRow), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn add_return_photo(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReturnRow>> {
    let upload = VoucherUpload {
        file_name: q.get("file").cloned().unwrap_or_default(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        bytes: body.to_vec(),
    };
    Ok(Json(app.add_return_photo(&ctx, id, &upload).await?))
}

/// A photo of a return as it was uploaded.
#[utoipa::path(get, path = "/api/v1/returns/{id}/photos/{photo_id}", tag = "after-sales",
    params(("id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn return_photo(
    Api(app, ctx): Api,
    PathId(id): PathId<Return>,
    PathId(photo): PathId<ReturnPhoto>,
) -> ApiResult<Response> {
    let file = app.return_photo(&ctx, id, photo).await?;
    Ok(super::finance::file_response(file))
}

/// AFS-1: what of a delivered shipment may still come back, and until
/// when (the return period and the warranty of each product's category).
#[utoipa::path(get, path = "/api/v1/shipments/{id}/returnable", tag = "after-sales", params(("id" = i64, Path)),
    responses((status = 200, body = ReturnableView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn returnable(
    Api(app, ctx): Api,
    PathId(id): PathId<Shipment>,
) -> ApiResult<Json<ReturnableView>> {
    Ok(Json(app.returnable(&ctx, id).await?))
}
