//! Order pages for staff and the customer portal (INT-2, ORD-1..8): the
//! list, order entry, the detail page with its review actions, and the
//! deadline watch list.

mod detail;
pub(super) use detail::step_label;
mod entry;
mod history;
mod shortages;

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaidan_app::orders::deadlines::{DeadlineFacts, DeadlineWatch};
use kaidan_app::ports::{OrderQuery, OrderRow};
use kaidan_app::{AppError, Ctx, ListRequest};
use kaidan_domain::CustomerId;
use kaidan_domain::master::{CustomerData, ProductData};
use kaidan_domain::orders::{DeadlineState, OrderStage, OrderStatus};

use super::format::{Status, local_time, shown};
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageResult, render};
use crate::state::AppState;
use kaidan_domain::field_rules::{Field, Visibility};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/new", get(entry::new_form).post(entry::create))
        .route("/orders/deadlines", get(deadlines))
        .route("/orders/{id}", get(detail::show))
        .route("/orders/{id}/history", get(history::show))
        .route("/orders/{id}/{action}", post(detail::act))
        .route("/orders/{id}/shortages/{shortage}", post(shortages::choose))
        .route("/static/order-entry.js", get(script))
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/order-entry.js"),
    )
        .into_response()
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

/// Customers the actor may see, by id: "code name". Empty without the
/// permission to read customers.
async fn customer_names(s: &AppState, ctx: &Ctx) -> Result<HashMap<i64, String>, AppError> {
    let req = ListRequest {
        limit: Some(s.app.config().max_page),
        ..ListRequest::default()
    };
    match s.app.list::<CustomerData>(ctx, &req).await {
        Ok(page) => Ok(page
            .items
            .into_iter()
            .map(|r| (r.id, format!("{} {}", r.data.code, r.data.name)))
            .collect()),
        Err(AppError::Forbidden(_)) => Ok(HashMap::new()),
        Err(e) => Err(e),
    }
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
    status: String,
    q: String,
    error: Option<String>,
    can_create: bool,
    next_cursor: Option<String>,
    first_page: bool,
}

const PAGE_SIZE: u32 = 50;

/// GET /orders: newest first; `status` filters, `q` finds by number.
async fn list(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let q = p.get("q").map(|v| v.trim().to_string()).unwrap_or_default();
    let status_text = p.get("status").cloned().unwrap_or_default();
    if !q.is_empty() {
        return match s.app.order_id_by_number(&ctx, &q).await {
            Ok(id) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
            Err(AppError::NotFound { .. }) => {
                let msg = format!("{}: {q}", lang.pick("没有这个订单号", "No order numbered"));
                list_page(&s, &ctx, chrome, &status_text, q, None, Some(msg)).await
            }
            Err(e) => Err(PageError::new(lang, e)),
        };
    }
    let cursor = p
        .get("cursor")
        .and_then(|c| c.parse::<i64>().ok())
        .filter(|c| *c > 0);
    list_page(&s, &ctx, chrome, &status_text, q, cursor, None).await
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    status_text: &str,
    q: String,
    cursor: Option<i64>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let status = status_text.parse::<OrderStatus>().ok();
    let stage = status_text.parse::<OrderStage>().ok();
    let rows = s
        .app
        .orders(
            ctx,
            OrderQuery {
                status,
                stage,
                customer_id: None,
                after: cursor,
                limit: PAGE_SIZE + 1,
            },
        )
        .await
        .or_page(lang)?;
    let names = customer_names(s, ctx).await.or_page(lang)?;
    let mut rows = rows;
    let next_cursor = if rows.len() > PAGE_SIZE as usize {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let watch = s.app.deadline_watch().await.or_page(lang)?;
    let vis = ctx.visibility();
    let items = rows
        .iter()
        .map(|r| item(lang, &vis, r, &names, &watch))
        .collect();
    let status_code = if error.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
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
            status: status
                .map(|s| s.as_str())
                .or(stage.map(|s| s.as_str()))
                .unwrap_or_default()
                .to_string(),
            q,
            error,
            can_create: ctx.actor.can(kaidan_domain::Permission::OrderCreate),
            next_cursor,
            first_page: cursor.is_none(),
            chrome,
        },
    ))
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
    let names = customer_names(&s, &ctx).await.or_page(lang)?;
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
