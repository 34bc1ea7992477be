//! Orders over the API (ORD-1..8, FIN-5, FIN-6): thin handlers over the
//! order use cases.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kaidan_app::AppError;
use kaidan_app::audit::HistoryPage;
use kaidan_app::orders::list::{FILTER_PARAMS, OrderFilter};
use kaidan_app::orders::{FinanceDecision, OrderView, ShortageAnswer};
use kaidan_app::ports::OrderRow;
use kaidan_app::{Confidential, Ctx};
use kaidan_domain::field_rules::{Field, Record};
use kaidan_domain::orders::{
    AccountBalance, AccountEntry, Department, OrderInput, OrderStage, OrderStatus,
};
use kaidan_domain::{CustomerId, Money, OrderId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{history_request, list_paging};
use crate::auth::{Api, ApiAuth};
use crate::json::{JsonBody, KeyedJson, created, json_with_etag};
use crate::path::{ChangeRequest, Customer, LineNo, Order, PathId, Shortage};
use crate::print::{Pdf, order_pdf};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list, place; by_number; read; pdf; review; approve_price; finance_review;
        joint_review; reject; cancel; changes, request_change; decide_change;
        shortage_choice; account; post_entry; history; account_history
    )
}

/// The order as its reader may see it (SEC-4): prices and amounts null
/// without `price.read`.
fn view(ctx: &Ctx, v: OrderView, status: StatusCode) -> Response {
    json_with_etag(status, v.version, &ctx.shown(&v))
}

/// Place an order (ORD-1..3). A likely duplicate answers 409 unless
/// `?confirm_duplicate=true`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    params(("confirm_duplicate" = Option<bool>, Query), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn place(
    Api(app, ctx): Api,
    uri: axum::http::Uri,
    Query(q): Query<BTreeMap<String, String>>,
    body: KeyedJson<OrderInput>,
) -> ApiResult<Response> {
    let confirm = q
        .get("confirm_duplicate")
        .is_some_and(|v| v == "true" || v == "1");
    // The query counts: confirming a duplicate is another request.
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/api/v1/orders");
    let (input, idem) = body.split(path)?;
    let out = app.place_order(&ctx, input, confirm, idem.as_ref()).await?;
    Ok(created(out, |v| {
        let location = format!("/api/v1/orders/{}", v.id);
        (view(&ctx, v, StatusCode::CREATED), location)
    }))
}

/// One line of the order list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderSummary {
    pub id: OrderId,
    pub number: Option<String>,
    pub status: OrderStatus,
    /// Allocated or picking while the order waits for goods (ORD-7).
    pub stage: Option<OrderStage>,
    pub customer_id: CustomerId,
    /// The order's total; null without `price.read` (SEC-4).
    pub amount: Option<Money>,
    pub priority: bool,
    pub received_at: String,
    pub review_due_at: String,
    pub ship_due_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    pub next_cursor: Option<String>,
    /// How many orders match the filter; given with `count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl OrderSummary {
    pub fn of(vis: &kaidan_domain::field_rules::Visibility, r: OrderRow) -> OrderSummary {
        OrderSummary {
            stage: r.stage(),
            id: r.id,
            number: r.number,
            status: r.status,
            customer_id: r.customer_id,
            amount: vis.cell(Field::OrderTotalAmount, r.document.totals.amount),
            priority: r.document.priority,
            received_at: r.received_at.to_string(),
            review_due_at: r.review_due_at.to_string(),
            ship_due_at: r.ship_due_at.to_string(),
        }
    }
}

/// Orders (ORD-7, issue 21), newest first unless `sort` says otherwise.
/// Filters: `status` (a status or a stage), `stage`, `customer` (code),
/// `customer_id`, `rep_id`, `region_id`, `channel`, `from` and `to`
/// (received, YYYY-MM-DD, company time), `amount_min`, `amount_max`,
/// `deadline` (pending, due_soon, overdue, met, missed). `sort`: newest,
/// oldest, received, amount, ship_due, `-` before a column for descending.
/// `count=true` adds the number of matches.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", operation_id = "list_orders",
    params(("status" = Option<String>, Query), ("stage" = Option<OrderStage>, Query),
           ("customer" = Option<String>, Query), ("customer_id" = Option<i64>, Query),
           ("rep_id" = Option<i64>, Query), ("region_id" = Option<i64>, Query),
           ("channel" = Option<String>, Query), ("from" = Option<String>, Query, format = Date),
           ("to" = Option<String>, Query, format = Date), ("amount_min" = Option<String>, Query),
           ("amount_max" = Option<String>, Query), ("deadline" = Option<String>, Query),
           ("sort" = Option<String>, Query), ("count" = Option<bool>, Query),
           ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = OrderPage), (status = 422, body = Problem)))]
pub async fn list(
    Api(app, ctx): Api,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<OrderPage>> {
    let (limit, count) = list_paging(&p, FILTER_PARAMS, app.config().max_page)?;
    let filter = OrderFilter::parse(&p).map_err(AppError::Invalid)?;
    let page = app
        .order_list(
            &ctx,
            &filter,
            p.get("cursor").map(String::as_str),
            limit,
            count,
        )
        .await?;
    let vis = ctx.visibility();
    let items = page
        .rows
        .into_iter()
        .map(|r| OrderSummary::of(&vis, r))
        .collect();
    Ok(Json(OrderPage {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

/// An order with lines, progress, timeline and joint decisions (ORD-7).
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", operation_id = "read_order", params(("id" = i64, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
pub async fn read(Api(app, ctx): Api, PathId(id): PathId<Order>) -> ApiResult<Response> {
    Ok(view(&ctx, app.order(&ctx, id).await?, StatusCode::OK))
}

/// DOC-1: the order confirmation (订单确认书) as a PDF, for whoever may
/// read the order; 503 when the server has no CJK font.
#[utoipa::path(get, path = "/api/v1/orders/{id}/pdf", tag = "orders", operation_id = "order_pdf", params(("id" = i64, Path)),
    responses((status = 200, description = "订单确认书 (PDF)", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn pdf(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<Order>,
) -> ApiResult<Pdf> {
    Ok(order_pdf(&s, &ctx, id).await?)
}

/// Find an order by its number (e.g. SO-20261123-000001).
#[utoipa::path(get, path = "/api/v1/orders/by-number/{number}", tag = "orders", operation_id = "order_by_number", params(("number" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
pub async fn by_number(Api(app, ctx): Api, Path(number): Path<String>) -> ApiResult<Response> {
    let id = app.order_id_by_number(&ctx, &number).await?;
    Ok(view(&ctx, app.order(&ctx, id).await?, StatusCode::OK))
}

/// Sales review: completeness, prices, terms and credit decide the route.
#[utoipa::path(post, path = "/api/v1/orders/{id}/review", tag = "orders", params(("id" = i64, Path)),
    responses((status = 200, body = OrderView), (status = 422, body = Problem)))]
pub async fn review(Api(app, ctx): Api, PathId(id): PathId<Order>) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.review_order(&ctx, id).await?,
        StatusCode::OK,
    ))
}

/// A sales manager approves a line's deviating price.
#[utoipa::path(post, path = "/api/v1/orders/{id}/lines/{line_no}/approve-price", tag = "orders",
    params(("id" = i64, Path), ("line_no" = u32, Path)), responses((status = 200, body = OrderView), (status = 403, body = Problem)))]
pub async fn approve_price(
    Api(app, ctx): Api,
    PathId(line): PathId<LineNo>,
    PathId(id): PathId<Order>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.approve_price(&ctx, id, line).await?,
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinanceReviewRequest {
    pub decision: FinanceDecision,
}

/// Finance review: `pass`, or `release` a credit hold.
#[utoipa::path(post, path = "/api/v1/orders/{id}/finance-review", tag = "orders", params(("id" = i64, Path)),
    request_body = FinanceReviewRequest, responses((status = 200, body = OrderView), (status = 422, body = Problem)))]
pub async fn finance_review(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    JsonBody(r): JsonBody<FinanceReviewRequest>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.finance_review(&ctx, id, r.decision).await?,
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JointDecisionRequest {
    pub department: Department,
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// One department's joint-review decision.
#[utoipa::path(post, path = "/api/v1/orders/{id}/joint-review", tag = "orders", params(("id" = i64, Path)),
    request_body = JointDecisionRequest, responses((status = 200, body = OrderView), (status = 422, body = Problem)))]
pub async fn joint_review(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    JsonBody(r): JsonBody<JointDecisionRequest>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.joint_decide(&ctx, id, r.department, r.approve, &r.note)
            .await?,
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

/// Send the order back to the clerk with the reason.
#[utoipa::path(post, path = "/api/v1/orders/{id}/reject", tag = "orders", params(("id" = i64, Path)),
    request_body = Reason, responses((status = 200, body = OrderView), (status = 422, body = Problem)))]
pub async fn reject(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    JsonBody(r): JsonBody<Reason>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.reject_order(&ctx, id, &r.reason).await?,
        StatusCode::OK,
    ))
}

/// Cancel the order; reservations and credit commitments are released.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", operation_id = "cancel_order", params(("id" = i64, Path)),
    request_body = Reason, responses((status = 200, body = OrderView), (status = 422, body = Problem)))]
pub async fn cancel(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    JsonBody(r): JsonBody<Reason>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.cancel_order(&ctx, id, &r.reason).await?,
        StatusCode::OK,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub balance: AccountBalance,
    pub entries: Vec<AccountEntry>,
}

impl Confidential for Account {
    const PARTS: &'static [(Record, &'static str)] = &[
        (Record::AccountBalance, "balance"),
        (Record::AccountEntry, "entries"),
    ];
}

/// A customer's funds and credit account: balance and ledger (FIN-5).
#[utoipa::path(get, path = "/api/v1/customers/{id}/account", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem)))]
pub async fn account(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
) -> ApiResult<Json<serde_json::Value>> {
    let (balance, entries) = app.account(&ctx, id).await?;
    Ok(Json(ctx.shown(&Account { balance, entries })))
}

/// The history of an order (SEC-2), newest first: who changed what, with
/// each line's changes (`document.lines[product_id=…].quantity`, before →
/// after). Whoever may see the order may see it.
#[utoipa::path(get, path = "/api/v1/orders/{id}/history", tag = "orders", operation_id = "order_history",
    params(("id" = i64, Path), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = HistoryPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn history(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<HistoryPage>> {
    let page = history_request(&p)?;
    Ok(Json(app.order_history(&ctx, id, page).await?))
}

/// The history of a customer's funds and credit account (SEC-2, FIN-5),
/// newest first: every entry posted, by whom. Whoever may see the account
/// may see it.
#[utoipa::path(get, path = "/api/v1/customers/{id}/account/history", tag = "accounts", operation_id = "account_history",
    params(("id" = i64, Path), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = HistoryPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn account_history(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
    Query(p): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<HistoryPage>> {
    let page = history_request(&p)?;
    Ok(Json(app.account_history(&ctx, id, page).await?))
}

/// Post a deposit or an adjustment (finance).
#[utoipa::path(post, path = "/api/v1/customers/{id}/account/entries", tag = "accounts", params(("id" = i64, Path)),
    request_body = AccountEntry, responses((status = 201, body = AccountBalance), (status = 422, body = Problem)))]
pub async fn post_entry(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
    JsonBody(entry): JsonBody<AccountEntry>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let balance = app.post_account_entry(&ctx, id, entry).await?;
    Ok((StatusCode::CREATED, Json(ctx.shown(&balance))))
}

/// Ask for a change: content and reason (CHG-1). The answer carries the
/// impact (stock, credit, dates) and the departments that must approve.
/// A change to shipped or invoiced goods is refused with every reason.
#[utoipa::path(post, path = "/api/v1/orders/{id}/changes", tag = "orders", params(("id" = i64, Path)),
    request_body = kaidan_domain::orders::ChangeRequest,
    responses((status = 201, body = kaidan_app::ports::ChangeRow), (status = 422, body = Problem)))]
pub async fn request_change(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
    JsonBody(req): JsonBody<kaidan_domain::orders::ChangeRequest>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let row = app.request_change(&ctx, id, req).await?;
    Ok((StatusCode::CREATED, Json(ctx.shown(&row))))
}

/// The change requests of an order, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/changes", tag = "orders", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<kaidan_app::ports::ChangeRow>)))]
pub async fn changes(
    Api(app, ctx): Api,
    PathId(id): PathId<Order>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(ctx.shown(&app.changes_of(&ctx, id).await?)))
}

/// One department's decision on a change request (CHG-2).
#[utoipa::path(post, path = "/api/v1/changes/{id}/decision", tag = "orders", params(("id" = i64, Path)),
    request_body = JointDecisionRequest,
    responses((status = 200, body = kaidan_app::ports::ChangeRow), (status = 422, body = Problem)))]
pub async fn decide_change(
    Api(app, ctx): Api,
    PathId(id): PathId<ChangeRequest>,
    JsonBody(r): JsonBody<JointDecisionRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let row = app
        .decide_change(&ctx, id, r.department, r.approve, &r.note)
        .await?;
    Ok(Json(ctx.shown(&row)))
}

/// Record the customer's answer to a shortage and act on it (INV-2, ADR
/// 0019), for the whole order line: `backorder` waits and ships the line
/// complete, `partial` ships what is there, `substitution` proposes
/// `product_id` as a change request priced from the price list (its id is
/// on the shortage as `change_id`), `cancel` reduces the line by its short
/// quantity and releases its commitment.
#[utoipa::path(post, path = "/api/v1/orders/{id}/shortages/{shortage_id}/choice", tag = "orders",
    params(("id" = i64, Path), ("shortage_id" = i64, Path)), request_body = ShortageAnswer,
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn shortage_choice(
    Api(app, ctx): Api,
    PathId(shortage): PathId<Shortage>,
    PathId(id): PathId<Order>,
    JsonBody(answer): JsonBody<ShortageAnswer>,
) -> ApiResult<Response> {
    Ok(view(
        &ctx,
        app.choose_for_shortage(&ctx, id, shortage, &answer).await?,
        StatusCode::OK,
    ))
}
