//! Shipping plan, pick lists, shipments, tracking, proof of delivery and
//! lookup by number (SHP-1..3, DOC-2). Tracking events also come in as a
//! CSV or Excel file through `POST /api/v1/import/tracking`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kaidan_app::AppError;
use kaidan_app::fulfilment::shipment_list::{SHIPMENT_FILTER_PARAMS, ShipmentFilter};
use kaidan_app::fulfilment::{DocumentRef, TrackingInput};
use kaidan_app::ports::{PickListRow, PlanLine, ShipmentRow};
use kaidan_domain::OrderId;
use kaidan_domain::fulfilment::{DeliveryInput, PickListStatus, PickedInput, ShipInput};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{filter, list_paging};
use crate::auth::{Api, ApiAuth};
use crate::json::JsonBody;
use crate::print::Pdf;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        plan; pick_lists, create_pick_lists; pick_list; confirm_pick; ship; shipments;
        shipment; shipment_pdf; add_tracking; deliver; lookup
    )
}

/// SHP-1: order lines with reserved goods to pick and what is still
/// backordered, earliest promised date first.
#[utoipa::path(get, path = "/api/v1/shipping-plan", tag = "fulfilment",
    responses((status = 200, body = Vec<PlanLine>)))]
pub async fn plan(Api(app, ctx): Api) -> ApiResult<Json<Vec<PlanLine>>> {
    Ok(Json(app.shipping_plan(&ctx).await?))
}

#[utoipa::path(get, path = "/api/v1/pick-lists", tag = "fulfilment",
    params(("status" = Option<String>, Query, description = "open, picked, shipped or cancelled")),
    responses((status = 200, body = Vec<PickListRow>)))]
pub async fn pick_lists(
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<PickListRow>>> {
    let status: Option<PickListStatus> = filter(&params, "status")?;
    Ok(Json(app.pick_lists(&ctx, status).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPickLists {
    /// One pick list per order, for what it has reserved and no list holds.
    #[schema(value_type = Vec<i64>)]
    pub order_ids: Vec<OrderId>,
}

/// SHP-1, DOC-2: numbered pick lists (PK-YYYYMMDD-NNNN) for orders.
#[utoipa::path(post, path = "/api/v1/pick-lists", tag = "fulfilment", request_body = NewPickLists,
    responses((status = 201, body = Vec<PickListRow>), (status = 422, body = Problem)))]
pub async fn create_pick_lists(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<NewPickLists>,
) -> ApiResult<(StatusCode, Json<Vec<PickListRow>>)> {
    let lists = app.create_pick_lists(&ctx, &input.order_ids).await?;
    Ok((StatusCode::CREATED, Json(lists)))
}

#[utoipa::path(get, path = "/api/v1/pick-lists/{id}", tag = "fulfilment", params(("id" = i64, Path)),
    responses((status = 200, body = PickListRow), (status = 404, body = Problem)))]
pub async fn pick_list(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<PickListRow>> {
    Ok(Json(app.pick_list(&ctx, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickConfirmation {
    /// Every line of the list with the quantity found.
    pub lines: Vec<PickedInput>,
    /// Packages packed (at least 1 when anything was picked).
    pub packages: i64,
}

/// SHP-1: confirm what was picked and packed. What was not found is
/// released from the reservation and becomes a backorder.
#[utoipa::path(post, path = "/api/v1/pick-lists/{id}/pick", tag = "fulfilment", params(("id" = i64, Path)),
    request_body = PickConfirmation,
    responses((status = 200, body = PickListRow), (status = 422, body = Problem)))]
pub async fn confirm_pick(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PickConfirmation>,
) -> ApiResult<Json<PickListRow>> {
    Ok(Json(
        app.confirm_pick(&ctx, id, &input.lines, input.packages)
            .await?,
    ))
}

/// SHP-2: hand the picked goods to a carrier: a numbered delivery note
/// (DN-YYYYMMDD-NNNN), stock leaves the ledger, the account is charged.
#[utoipa::path(post, path = "/api/v1/pick-lists/{id}/ship", tag = "fulfilment", params(("id" = i64, Path)),
    request_body = ShipInput,
    responses((status = 201, body = ShipmentRow), (status = 422, body = Problem)))]
pub async fn ship(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ShipInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let row = app.ship(&ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(ctx.shown(&row))))
}

/// A page of the shipment list (issue 21).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ShipmentPage {
    pub items: Vec<ShipmentRow>,
    pub next_cursor: Option<String>,
    /// How many shipments match the filter; given with `count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The shipment list, newest first: filtered by status, order, customer
/// (code or id), warehouse, carrier and shipped dates (`from`, `to`, both
/// days included); `sort` newest, oldest, shipped or -shipped; cursor
/// paging; `count=true` adds the number of matches.
#[utoipa::path(get, path = "/api/v1/shipments", tag = "fulfilment",
    params(("status" = Option<String>, Query, description = "shipped or delivered"),
           ("order_id" = Option<i64>, Query), ("customer" = Option<String>, Query),
           ("customer_id" = Option<i64>, Query), ("warehouse_id" = Option<i64>, Query),
           ("carrier" = Option<String>, Query), ("from" = Option<String>, Query, format = Date),
           ("to" = Option<String>, Query, format = Date), ("sort" = Option<String>, Query),
           ("count" = Option<bool>, Query), ("cursor" = Option<String>, Query),
           ("limit" = Option<u32>, Query)),
    responses((status = 200, body = ShipmentPage), (status = 422, body = Problem)))]
pub async fn shipments(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let (limit, count) = list_paging(&p, SHIPMENT_FILTER_PARAMS, app.config().max_page)?;
    let filter = ShipmentFilter::parse(&p).map_err(AppError::Invalid)?;
    let page = app
        .shipment_list(
            &ctx,
            &filter,
            p.get("cursor").map(String::as_str),
            limit,
            count,
        )
        .await?;
    // The rows redacted for the reader (SEC-4), in the shape of ShipmentPage.
    let mut body = serde_json::json!({
        "items": ctx.shown(&page.rows),
        "next_cursor": page.next_cursor,
    });
    if let Some(n) = page.total {
        body["total"] = n.into();
    }
    Ok(Json(body))
}

/// A delivery note with its lines, tracking events and proof of delivery;
/// portal customers see their own.
#[utoipa::path(get, path = "/api/v1/shipments/{id}", tag = "fulfilment", params(("id" = i64, Path)),
    responses((status = 200, body = ShipmentRow), (status = 404, body = Problem)))]
pub async fn shipment(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(ctx.shown(&app.shipment(&ctx, id).await?)))
}

/// DOC-1: the delivery note (发货单) as a PDF, for whoever may read the
/// shipment; 503 when the server has no CJK font.
#[utoipa::path(get, path = "/api/v1/shipments/{id}/pdf", tag = "fulfilment", params(("id" = i64, Path)),
    responses((status = 200, description = "发货单 (PDF)", content_type = "application/pdf"),
        (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn shipment_pdf(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<Pdf> {
    Ok(crate::print::shipment_pdf(&s, &ctx, id).await?)
}

/// SHP-2: a tracking event; the same event (time and status) twice is kept
/// once.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/tracking", tag = "fulfilment", params(("id" = i64, Path)),
    request_body = TrackingInput,
    responses((status = 200, body = ShipmentRow), (status = 422, body = Problem)))]
pub async fn add_tracking(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<TrackingInput>,
) -> ApiResult<Json<Value>> {
    let row = app.add_tracking(&ctx, id, &input, "api").await?;
    Ok(Json(ctx.shown(&row)))
}

/// SHP-3: proof of delivery: accepted and refused per line with reasons;
/// refused goods go back to stock or to a quarantine warehouse.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/delivery", tag = "fulfilment", params(("id" = i64, Path)),
    request_body = DeliveryInput,
    responses((status = 200, body = ShipmentRow), (status = 422, body = Problem)))]
pub async fn deliver(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<DeliveryInput>,
) -> ApiResult<Json<Value>> {
    let row = app.record_delivery(&ctx, id, &input).await?;
    Ok(Json(ctx.shown(&row)))
}

/// DOC-2: which documents carry this number (order, pick list, delivery
/// note, purchase order), with their page and API addresses.
#[utoipa::path(get, path = "/api/v1/documents/{number}", tag = "fulfilment", params(("number" = String, Path)),
    responses((status = 200, body = Vec<DocumentRef>), (status = 404, body = Problem)))]
pub async fn lookup(
    Api(app, ctx): Api,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<DocumentRef>>> {
    Ok(Json(app.lookup_document(&ctx, &number).await?))
}
