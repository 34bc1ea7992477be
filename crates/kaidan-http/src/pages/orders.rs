//! Order pages for staff and the customer portal (INT-2, ORD-1..8): the
//! list, order entry, the detail page with its review actions, and the
//! deadline watch list.

mod detail;
pub(super) use detail::{action_error, step_label};
mod entry;
mod history;
mod list_actions;
mod shortages;

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaidan_app::orders::deadlines::{DeadlineFacts, DeadlineWatch};
use kaidan_app::orders::list::{FILTER_PARAMS, OrderFilter, sort_name};
use kaidan_app::ports::{OrderRow, OrderSort, OrderSortKey};
use kaidan_app::saved_filters::SavedList;
use kaidan_app::{AppError, Ctx, ListRequest};
use kaidan_domain::CustomerId;
use kaidan_domain::Permission;
use kaidan_domain::master::ProductData;
use kaidan_domain::orders::{Channel, DeadlineState, OrderStage, OrderStatus};

use super::format::{Status, local_time, shown};
use super::list_filters::{self, SavedLink, SortHeader, form_values, invalid_text, saved_links};
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageResult, render};
use crate::state::AppState;
use kaidan_domain::field_rules::{Field, Visibility};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/new", get(entry::new_form).post(entry::create))
        .route("/orders/deadlines", get(deadlines))
        .route("/orders/bulk", post(list_actions::bulk))
        .route("/orders/print", get(list_actions::print_many))
        .route("/orders/filters", post(list_actions::save_filter))
        .route(
            "/orders/filters/{id}/delete",
            post(list_actions::delete_filter),
        )
        .route("/orders/{id}", get(detail::show))
        .route("/orders/{id}/history", get(history::show))
        .route("/orders/{id}/{action}", post(detail::act))
        .route("/orders/{id}/shortages/{shortage}", post(shortages::choose))
        .route("/static/order-entry.js", get(script))
        .route("/static/order-list.js", get(list_script))
}

async fn script() -> Response {
    super::script_response(include_str!("../../static/order-entry.js"))
}

async fn list_script() -> Response {
    super::script_response(include_str!("../../static/order-list.js"))
}

/// The status in the page's language.
pub(super) fn status_label(lang: Lang, s: OrderStatus) -> &'static str {
    lang.pick(s.label_zh(), s.as_str())
}

/// The stage in the page's language (ORD-7).
fn stage_label(lang: Lang, s: OrderStage) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

/// A deadline as the pages show it: when, its state as the templates name
/// it ("" when it does not apply) and the state in words.
pub struct Due {
    pub at: String,
    pub state: &'static str,
    pub label: &'static str,
}

impl Due {
    pub(super) fn new(lang: Lang, at: String, state: Option<DeadlineState>) -> Due {
        let state = state.map_or("", DeadlineState::as_str);
        Due {
            at,
            state,
            label: state_label(lang, state),
        }
    }
}

pub(super) fn facts_of(row: &OrderRow) -> DeadlineFacts {
    DeadlineFacts::of(row)
}

fn state_label(lang: Lang, state: &str) -> &'static str {
    match state {
        "pending" => lang.pick("未到期", "Pending"),
        "due_soon" => lang.pick("即将到期", "Due soon"),
        "overdue" => lang.pick("已超时", "Overdue"),
        "met" => lang.pick("按时完成", "Met"),
        "missed" => lang.pick("超时完成", "Missed"),
        _ => "",
    }
}

/// "code name" of these customers, by id; empty without the
/// permission to read customers (the list then shows ids).
async fn customer_names(
    s: &AppState,
    ctx: &Ctx,
    ids: &[CustomerId],
) -> Result<HashMap<i64, String>, AppError> {
    if !ctx.actor.can(Permission::CustomerRead) || ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(s.app
        .customer_labels(ctx, ids)
        .await?
        .into_iter()
        .map(|(id, label)| (id.get(), label))
        .collect())
}

fn customers_of(rows: &[OrderRow]) -> Vec<CustomerId> {
    rows.iter().map(|r| r.customer_id).collect()
}

async fn products(
    s: &AppState,
    ctx: &Ctx,
) -> Result<Vec<kaidan_app::ports::Record<ProductData>>, AppError> {
    let req = ListRequest {
        limit: Some(s.app.config().max_page),
        ..ListRequest::default()
    };
    match s.app.list::<ProductData>(ctx, &req).await {
        Ok(page) => Ok(page.items),
        Err(AppError::Forbidden(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn customer_label(names: &HashMap<i64, String>, id: CustomerId) -> String {
    names
        .get(&id.get())
        .cloned()
        .unwrap_or_else(|| format!("#{id}"))
}

/// One order in a list.
pub struct OrderItem {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub status: Status,
    /// Allocated or picking (ORD-7).
    pub stage: Option<Status>,
    pub amount: String,
    pub priority: bool,
    pub received: String,
    pub review: Due,
    pub ship: Due,
}

fn item(
    lang: Lang,
    vis: &Visibility,
    row: &OrderRow,
    names: &HashMap<i64, String>,
    watch: &DeadlineWatch,
) -> OrderItem {
    let states = watch.states(&facts_of(row));
    OrderItem {
        id: row.id.get(),
        number: row
            .number
            .clone()
            .unwrap_or_else(|| lang.pick("待编号", "(no number yet)").to_string()),
        customer: customer_label(names, row.customer_id),
        status: Status::new(row.status.as_str(), status_label(lang, row.status)),
        stage: row
            .stage()
            .map(|st| Status::new(st.as_str(), stage_label(lang, st))),
        amount: shown(vis, Field::OrderTotalAmount, row.document.totals.amount),
        priority: row.document.priority,
        received: local_time(row.received_at),
        review: Due::new(lang, local_time(row.review_due_at), states.review),
        ship: Due::new(lang, local_time(row.ship_due_at), states.ship),
    }
}

#[derive(Template)]
#[template(path = "order_list.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    items: Vec<OrderItem>,
    statuses: Vec<(&'static str, &'static str)>,
    /// The stages the list filters by, in the same select as the statuses
    /// (their words differ from every status's).
    stages: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    deadline_states: Vec<(&'static str, &'static str)>,
    reps: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    /// The filter form's values as the user typed them.
    form: BTreeMap<String, String>,
    /// Sortable column headers.
    sorts: Vec<SortHeader>,
    /// How many orders match; `None` when the filter could not be read.
    total: Option<u64>,
    /// The filter as a query string (no cursor): for the next page, the
    /// export and saving.
    query: String,
    saved: Vec<SavedLink>,
    q: String,
    error: Option<String>,
    can_create: bool,
    bulk: BulkButtons,
    next_cursor: Option<String>,
    first_page: bool,
}

impl ListPage {
    /// The filter form's value of `k` as the user typed it.
    fn v(&self, k: &str) -> &str {
        self.form.get(k).map_or("", String::as_str)
    }
}

/// The bulk actions the user may take.
pub struct BulkButtons {
    pub review: bool,
    pub approve: bool,
    pub cancel: bool,
    pub print: bool,
}

impl BulkButtons {
    pub fn any(&self) -> bool {
        self.review || self.approve || self.cancel || self.print
    }
}

const PAGE_SIZE: u32 = 50;

/// The most orders one Excel export writes.
pub(super) const MAX_EXPORT_ORDERS: u32 = 50_000;

/// The query string of `pairs` (values percent-encoded).
pub(super) fn query_string<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// GET /orders: the order list (issue 21). Filters as the API reads them
/// (`OrderFilter`), `sort` by column, cursor paging, the count of
/// matches; `q` jumps to an order by number; `format=xlsx` exports every
/// matching order.
async fn list(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let q = p.get("q").map(|v| v.trim().to_string()).unwrap_or_default();
    if !q.is_empty() {
        return match s.app.order_id_by_number(&ctx, &q).await {
            Ok(id) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
            Err(AppError::NotFound { .. }) => {
                let msg = format!("{}: {q}", lang.pick("没有这个订单号", "No order numbered"));
                list_page(&s, &ctx, chrome, &p, Some(msg)).await
            }
            Err(e) => Err(PageError::new(lang, e)),
        };
    }
    if p.get("format").is_some_and(|f| f == "xlsx") {
        return export(&s, &ctx, lang, &p).await;
    }
    list_page(&s, &ctx, chrome, &p, None).await
}

/// Every order the filter matches as an Excel sheet.
async fn export(s: &AppState, ctx: &Ctx, lang: Lang, p: &BTreeMap<String, String>) -> PageResult {
    let filter = OrderFilter::parse(p).map_err(|e| PageError::new(lang, AppError::Invalid(e)))?;
    let rows = s
        .app
        .order_list_all(ctx, &filter, MAX_EXPORT_ORDERS)
        .await
        .or_page(lang)?;
    let names = customer_names(s, ctx, &customers_of(&rows))
        .await
        .or_page(lang)?;
    let watch = s.app.deadline_watch().await.or_page(lang)?;
    let vis = ctx.visibility();
    let header = [
        lang.pick("订单号", "Number"),
        lang.pick("客户", "Customer"),
        lang.pick("状态", "Status"),
        lang.pick("金额(元)", "Amount (CNY)"),
        lang.pick("接收时间", "Received"),
        lang.pick("审核时限", "Review due"),
        lang.pick("发货时限", "Ship due"),
        lang.pick("重要", "Important"),
    ]
    .map(String::from)
    .to_vec();
    let rows = rows
        .iter()
        .map(|r| {
            let o = item(lang, &vis, r, &names, &watch);
            vec![
                o.number,
                o.customer,
                o.stage.map_or(o.status.label.to_string(), |st| {
                    format!("{} · {}", o.status.label, st.label)
                }),
                o.amount,
                o.received,
                format!("{} {}", o.review.at, o.review.label)
                    .trim()
                    .to_string(),
                format!("{} {}", o.ship.at, o.ship.label).trim().to_string(),
                if o.priority {
                    "★".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    super::finance::xlsx(lang, "orders.xlsx", header, rows)
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    p: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let form = form_values(p, FILTER_PARAMS);
    let cursor = list_filters::cursor(p);
    let (filter, page, mut error) = match OrderFilter::parse(p) {
        Ok(f) => match s.app.order_list(ctx, &f, cursor, PAGE_SIZE, true).await {
            Ok(page) => (f, Some(page), error),
            Err(AppError::Invalid(e)) => (f, None, Some(invalid_text(lang, &e))),
            Err(e) => return Err(PageError::new(lang, e)),
        },
        Err(e) => (OrderFilter::default(), None, Some(invalid_text(lang, &e))),
    };
    let (rows, next_cursor, total) = match page {
        Some(p) => (p.rows, p.next_cursor, p.total),
        None => (Vec::new(), None, None),
    };
    let names = customer_names(s, ctx, &customers_of(&rows))
        .await
        .or_page(lang)?;
    let watch = s.app.deadline_watch().await.or_page(lang)?;
    let vis = ctx.visibility();
    let items = rows
        .iter()
        .map(|r| item(lang, &vis, r, &names, &watch))
        .collect();
    let choices = s.app.order_filter_choices(ctx).await.or_page(lang)?;
    let saved = saved_links(s, ctx, SavedList::Orders, "/orders", &mut error).await;
    let params = filter.to_params();
    let query = query_string(&params);
    let status_code = list_filters::status(&error, total);
    let a = &ctx.actor;
    Ok(render(
        status_code,
        &ListPage {
            title: lang.t("orders").into(),
            items,
            statuses: OrderStatus::ALL
                .iter()
                .map(|s| (s.as_str(), status_label(lang, *s)))
                .collect(),
            stages: OrderStage::ALL
                .iter()
                .map(|s| (s.as_str(), stage_label(lang, *s)))
                .collect(),
            channels: Channel::ALL
                .iter()
                .map(|c| (c.as_str(), lang.pick(c.label_zh(), c.as_str())))
                .collect(),
            deadline_states: ["due_soon", "overdue", "pending", "missed", "met"]
                .into_iter()
                .map(|st| (st, state_label(lang, st)))
                .collect(),
            reps: choices
                .reps
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
            regions: choices
                .regions
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
            form,
            sorts: sort_headers(lang, &params, filter.sort),
            total,
            query,
            saved,
            q: p.get("q").cloned().unwrap_or_default(),
            error,
            can_create: a.can(Permission::OrderCreate),
            bulk: BulkButtons {
                review: a.can(Permission::OrderReview),
                approve: a.can(Permission::OrderReview) || a.can(Permission::OrderFinanceReview),
                cancel: a.can(Permission::OrderCancel),
                print: crate::print::may_print_order(&vis),
            },
            next_cursor,
            first_page: cursor.is_none(),
            chrome,
        },
    ))
}

/// The headers of the columns the list sorts by: a click sorts by the
/// column, a second click turns the direction.
fn sort_headers(lang: Lang, params: &[(&'static str, String)], sort: OrderSort) -> Vec<SortHeader> {
    let rest: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| *k != "sort")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    [
        (OrderSortKey::Amount, lang.pick("金额(元)", "Amount (CNY)")),
        (OrderSortKey::Received, lang.pick("接收时间", "Received")),
        (OrderSortKey::ShipDue, lang.pick("发货时限", "Ship due")),
    ]
    .into_iter()
    .map(|(key, label)| {
        let current = sort.key == key;
        // Amounts are looked at largest first; times earliest first.
        let descending = if current {
            !sort.descending
        } else {
            key == OrderSortKey::Amount
        };
        let mut pairs = rest.clone();
        let name = sort_name(OrderSort { key, descending });
        pairs.push(("sort", name));
        SortHeader {
            label,
            href: format!("/orders?{}", query_string(&pairs)),
            arrow: match (current, sort.descending) {
                (false, _) => "",
                (true, true) => "▼",
                (true, false) => "▲",
            },
        }
    })
    .collect()
}

#[derive(Template)]
#[template(path = "order_deadlines.html")]
struct DeadlinesPage {
    chrome: Chrome,
    title: String,
    sections: Vec<DeadlineSection>,
    all: bool,
}

pub struct DeadlineSection {
    pub heading: &'static str,
    pub which: &'static str,
    pub items: Vec<OrderItem>,
}

/// GET /orders/deadlines: the ORD-6 watch list. Orders still in review
/// whose review deadline is near or past, and orders awaiting goods
/// (approved or partly shipped) whose ship deadline is; important orders
/// first (ORD-8), then by due time. `all=1` also lists open orders not yet
/// near their deadline. The use case chooses and orders them.
async fn deadlines(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let all = p.get("all").is_some_and(|v| v == "1" || v == "true");
    let list = s.app.deadline_watch_list(&ctx, all).await.or_page(lang)?;
    let ids: Vec<CustomerId> = list
        .review
        .iter()
        .chain(&list.ship)
        .map(|r| r.customer_id)
        .collect();
    let names = customer_names(&s, &ctx, &ids).await.or_page(lang)?;
    let vis = ctx.visibility();
    let items = |rows: &[OrderRow]| {
        rows.iter()
            .map(|r| item(lang, &vis, r, &names, &list.watch))
            .collect::<Vec<_>>()
    };
    let (review, ship) = (items(&list.review), items(&list.ship));
    Ok(render(
        StatusCode::OK,
        &DeadlinesPage {
            title: lang.t("deadlines").into(),
            sections: vec![
                DeadlineSection {
                    heading: lang.pick("待审核", "Waiting for review"),
                    which: "review",
                    items: review,
                },
                DeadlineSection {
                    heading: lang.pick("待发货", "Waiting for shipment"),
                    which: "ship",
                    items: ship,
                },
            ],
            all,
            chrome,
        },
    ))
}
