//! Ordering from the portal (INT-2, ORD-1..3): the customer's catalogue
//! with its prices and availability levels, a quantity per product, and
//! the order placed through the same intake and review as any other; its
//! orders, and one order's lines, shipments, tracking and timeline.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::portal::{CatalogueItem, CatalogueQuery};
use kaidan_app::ports::{OrderQuery, OrderRow};
use kaidan_app::{AppError, Created};
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput};
use kaidan_domain::{OrderId, ProductId, ValidationErrors};

use super::{PortalAuth, title};
use crate::pages::format::local_time;
use crate::pages::orders::{status_label, step_label};
use crate::pages::{
    Chrome, CsrfField, Lang, OrPage, PageError, PageId, PageResult, render, status_of,
};
use crate::state::AppState;

/// An order as the portal's lists show it.
pub struct OrderLine {
    pub id: OrderId,
    pub number: String,
    pub placed: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub amount: String,
}

pub(super) fn order_lines(lang: Lang, rows: &[OrderRow]) -> Vec<OrderLine> {
    rows.iter()
        .map(|o| OrderLine {
            id: o.id,
            number: o
                .number
                .clone()
                .unwrap_or_else(|| format!("{} #{}", lang.pick("待审核", "in review"), o.id)),
            placed: local_time(o.received_at),
            status: o.status.as_str(),
            status_label: status_label(lang, o.status),
            amount: o.document.totals.amount.to_string(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal_orders.html")]
struct OrdersPage {
    chrome: Chrome,
    title: String,
    orders: Vec<OrderLine>,
    next: Option<i64>,
}

/// GET /portal/orders?after=ID
pub async fn list(
    State(s): State<AppState>,
    PortalAuth(auth): PortalAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let after = match q.get("after").map(|v| v.parse::<i64>()) {
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            let e = ValidationErrors::single("after", "invalid", "is not a cursor of this list");
            return Err(PageError::new(lang, e.into()));
        }
        None => None,
    };
    let limit = 50;
    let mut rows = s
        .app
        .orders(
            &auth.ctx,
            OrderQuery {
                after: after.map(|id| kaidan_app::ports::OrderCursor { key: 0, id }),
                limit: limit + 1,
                ..OrderQuery::default()
            },
        )
        .await
        .or_page(lang)?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|o| o.id.get())
    } else {
        None
    };
    Ok(render(
        StatusCode::OK,
        &OrdersPage {
            title: title(lang, "我的订单", "My orders"),
            orders: order_lines(lang, &rows),
            chrome: auth.chrome,
            next,
        },
    ))
}

/// A step of an order's timeline as its customer reads it.
pub struct Step {
    pub at: String,
    pub label: String,
    pub note: String,
}

/// The timeline's steps a customer is told of; the internal ones (who
/// reviewed, joint review, pick lists) stay with the staff.
const CUSTOMER_STEPS: &[&str] = &[
    "created",
    "credit_hold",
    "approved",
    "rejected",
    "cancelled",
    "picked",
    "shipped",
    "tracking",
    "delivered",
    "backorder_filled",
    "shortage_cancelled",
    "change_requested",
    "change_decision",
    "lock_expired",
    "lock_paid",
];

#[derive(Template)]
#[template(path = "portal_order_detail.html")]
struct DetailPage {
    chrome: Chrome,
    title: String,
    view: kaidan_app::orders::OrderView,
    status_label: &'static str,
    steps: Vec<Step>,
    flash_placed: bool,
}

/// GET /portal/orders/{id}
pub async fn detail(
    State(s): State<AppState>,
    PortalAuth(auth): PortalAuth,
    PageId(id): PageId,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let view = s.app.order(&auth.ctx, OrderId(id)).await.or_page(lang)?;
    let steps = view
        .timeline
        .iter()
        .filter(|e| CUSTOMER_STEPS.contains(&e.kind.as_str()))
        .map(|e| Step {
            at: local_time(e.at),
            label: step_label(lang, &e.kind),
            note: if matches!(e.kind.as_str(), "rejected" | "cancelled") {
                e.note.clone()
            } else {
                String::new()
            },
        })
        .collect();
    let number = view.number.clone().unwrap_or_else(|| format!("#{id}"));
    Ok(render(
        StatusCode::OK,
        &DetailPage {
            title: format!("{} {number}", lang.pick("订单", "Order")),
            status_label: status_label(lang, view.status),
            chrome: auth.chrome,
            view,
            steps,
            flash_placed: q.contains_key("placed"),
        },
    ))
}

/// A catalogue entry with the quantity entered for it.
struct Row {
    item: CatalogueItem,
    qty: String,
}

#[derive(Template)]
#[template(path = "portal_order.html")]
struct OrderPage {
    chrome: Chrome,
    title: String,
    search: String,
    items: Vec<Row>,
    /// Quantities entered for products not on this page: kept in the form.
    kept: Vec<(i64, String)>,
    next: Option<String>,
    reference: String,
    address: String,
    notes: String,
    error: Option<String>,
}

/// The quantities of a posted order form, `qty_<product id>` = whole
/// number; empty and zero ones are no line. Each unreadable one is named.
fn quantities(form: &[(String, String)]) -> (Vec<(ProductId, i64)>, ValidationErrors) {
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (k, v) in form {
        let Some(id) = k.strip_prefix("qty_") else {
            continue;
        };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match (id.parse::<i64>(), v.parse::<i64>()) {
            (Ok(p), Ok(n)) if p > 0 && n > 0 => out.push((ProductId(p), n)),
            (Ok(p), Ok(0)) if p > 0 => {}
            _ => e.add(
                k.clone(),
                "invalid",
                format!("'{v}' is not a quantity (a whole number above 0)"),
            ),
        }
    }
    (out, e)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn order_page(
    s: &AppState,
    auth: PortalAuth,
    form: &[(String, String)],
    error: Option<String>,
) -> PageResult {
    let PortalAuth(auth) = auth;
    let lang = auth.chrome.lang;
    let (wanted, _) = quantities(form);
    let search = field(form, "q").trim().to_string();
    let cursor = Some(field(form, "cursor").to_string()).filter(|c| !c.is_empty());
    let page = s
        .app
        .portal_catalogue(
            &auth.ctx,
            &CatalogueQuery {
                search: Some(search.clone()).filter(|q| !q.is_empty()),
                cursor,
                limit: Some(100),
                wanted: wanted.iter().copied().collect(),
            },
        )
        .await
        .or_page(lang)?;
    // The customer's address on file, until the user writes another.
    let address = match form.iter().any(|(k, _)| k == "delivery_address") {
        true => field(form, "delivery_address").to_string(),
        false => match auth.ctx.actor.customer_id {
            Some(c) => s
                .app
                .get::<CustomerData>(&auth.ctx, c.get())
                .await
                .or_page(lang)?
                .data
                .address
                .unwrap_or_default(),
            None => String::new(),
        },
    };
    let entered: HashMap<i64, String> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("qty_")?.parse().ok()?, v.clone())))
        .collect();
    let mut kept: Vec<(i64, String)> = entered
        .iter()
        .filter(|(id, q)| {
            !q.trim().is_empty() && !page.items.iter().any(|i| i.product_id.get() == **id)
        })
        .map(|(id, q)| (*id, q.clone()))
        .collect();
    kept.sort();
    let items = page
        .items
        .into_iter()
        .map(|item| Row {
            qty: entered
                .get(&item.product_id.get())
                .cloned()
                .unwrap_or_default(),
            item,
        })
        .collect();
    Ok(render(
        status_of(&error),
        &OrderPage {
            title: title(lang, "下单", "Place an order"),
            chrome: auth.chrome,
            search,
            items,
            kept,
            next: page.next_cursor,
            reference: field(form, "customer_reference").to_string(),
            address,
            notes: field(form, "notes").to_string(),
            error,
        },
    ))
}

/// GET /portal/order?q=…&cursor=…
pub async fn new_order(
    State(s): State<AppState>,
    auth: PortalAuth,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    order_page(&s, auth, &q, None).await
}

/// POST /portal/order: `place` places the order; anything else (check,
/// search, more products) shows the catalogue again with the quantities
/// entered and their availability.
pub async fn place(
    State(s): State<AppState>,
    auth: PortalAuth,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let PortalAuth(page) = &auth;
    if form.csrf() != Some(page.chrome.csrf.as_str()) {
        return Ok(super::super::finance::csrf_refused());
    }
    let lang = page.chrome.lang;
    if field(&form, "action") != "place" {
        return order_page(&s, auth, &form, None).await;
    }
    let Some(customer_id) = page.ctx.actor.customer_id else {
        return Err(PageError::new(lang, AppError::Unauthenticated));
    };
    let (lines, e) = quantities(&form);
    if !e.is_empty() {
        return order_page(&s, auth, &form, Some(e.to_string())).await;
    }
    let opt = |k: &str| Some(field(&form, k).trim().to_string()).filter(|v| !v.is_empty());
    let input = OrderInput {
        customer_id,
        channel: Channel::Web,
        contact_name: None,
        contact_phone: None,
        customer_reference: opt("customer_reference"),
        order_date: s.app.today_date(),
        requested_delivery_date: None,
        delivery_address: opt("delivery_address"),
        payment_method: None,
        payment_terms: None,
        priority: false,
        special: false,
        notes: opt("notes"),
        contract_id: None,
        lines: lines
            .into_iter()
            .map(|(p, n)| OrderLineInput::new(p, n))
            .collect(),
    };
    let confirm = field(&form, "confirm_duplicate") == "1";
    match s.app.place_order(&page.ctx, input, confirm, None).await {
        Ok(Created::New(view)) => {
            Ok(Redirect::to(&format!("/portal/orders/{}?placed=1", view.id)).into_response())
        }
        // No idempotency key on a page post: never a replay, but were it
        // one, the orders list shows the order.
        Ok(Created::Replayed { .. }) => Ok(Redirect::to("/portal/orders").into_response()),
        Err(AppError::Invalid(v)) => order_page(&s, auth, &form, Some(v.to_string())).await,
        Err(AppError::PossibleDuplicate(m)) => {
            let msg = format!(
                "{} {}",
                lang.pick(
                    "与最近的订单相同,可能重复下单;确认无误请勾选“确认不是重复订单”后再提交。",
                    "This looks like a recent order of yours; tick “not a duplicate” and submit again if it is not."
                ),
                m.join("; ")
            );
            order_page(&s, auth, &form, Some(msg)).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}
