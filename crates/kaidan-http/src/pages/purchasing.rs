//! Procurement pages (PUR-1, PUR-3, INV-2): the list of purchase orders
//! (overdue ones marked) with the open replenishment requests and a form to
//! raise a purchase order from them, a new purchase order, and one purchase
//! order with its confirm, receive and cancel forms.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::ports::{PurchaseOrderRow, ReplenishmentView};
use kaidan_app::purchasing::{ConfirmPurchase, PurchaseFromRequests, PurchaseReceipt};
use kaidan_app::{AppError, Created, Ctx};
use kaidan_domain::master::ProductData;
use kaidan_domain::purchasing::{
    NewPurchaseOrder, PurchaseLineInput, PurchaseStatus, ReceiptLineInput, ReplenishmentStatus,
};
use kaidan_domain::{Permission, ProductId};

use super::arrival_notices::{NoticeView, notice_view};
use super::format::{Status, local_time};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_post, optional,
    render, status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/purchase-orders", get(list))
        .route(
            "/purchase-orders/from-replenishments",
            post(from_replenishments),
        )
        .route("/purchase-orders/new", get(new_form).post(create))
        .route("/purchase-orders/{id}", get(read))
        .route("/purchase-orders/{id}/confirm", post(confirm))
        .route("/purchase-orders/{id}/receive", post(receive))
        .route("/purchase-orders/{id}/cancel", post(cancel))
}

pub fn status_label(lang: Lang, s: PurchaseStatus) -> &'static str {
    match s {
        PurchaseStatus::Sent => lang.pick("已发出", "Sent"),
        PurchaseStatus::Confirmed => lang.pick("已确认", "Confirmed"),
        PurchaseStatus::PartlyReceived => lang.pick("部分到货", "Partly received"),
        PurchaseStatus::Received => lang.pick("已到货", "Received"),
        PurchaseStatus::Cancelled => lang.pick("已取消", "Cancelled"),
    }
}

fn day(d: Date) -> String {
    d.to_string()
}

pub struct PoRow {
    pub id: i64,
    pub number: String,
    pub supplier: String,
    pub status: Status,
    pub expected_arrival: String,
    pub confirm_due: String,
    pub overdue: bool,
    pub lines: String,
}

fn po_row(lang: Lang, p: &PurchaseOrderRow) -> PoRow {
    PoRow {
        id: p.id,
        number: p.number.clone(),
        supplier: p.supplier.clone(),
        status: Status::new(p.status.as_str(), status_label(lang, p.status)),
        expected_arrival: day(p.expected_arrival),
        confirm_due: local_time(p.confirm_due_at),
        overdue: p.overdue,
        lines: p
            .lines
            .iter()
            .map(|l| format!("{} × {}", l.sku, l.quantity))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[derive(Template)]
#[template(path = "purchasing_list.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    orders: Vec<PoRow>,
    requests: Vec<ReplenishmentView>,
    can_write: bool,
    supplier: String,
    expected_arrival: String,
    error: Option<String>,
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    form: &HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let orders = s
        .app
        .purchase_orders(ctx, None, None, Some(200))
        .await
        .or_page(lang)?;
    let requests = s
        .app
        .replenishment_requests(ctx, Some(ReplenishmentStatus::Open))
        .await
        .or_page(lang)?;
    let status = status_of(&error);
    Ok(render(
        status,
        &ListPage {
            title: lang.t("purchase_orders").into(),
            orders: orders.iter().map(|p| po_row(lang, p)).collect(),
            requests,
            can_write: ctx.actor.can(Permission::PurchaseWrite),
            supplier: form.get("supplier").cloned().unwrap_or_default(),
            expected_arrival: form.get("expected_arrival").cloned().unwrap_or_default(),
            error,
            chrome,
        },
    ))
}

/// GET /purchase-orders
async fn list(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    list_page(&s, &ctx, chrome, &HashMap::new(), None).await
}

fn parse_date(lang: Lang, raw: Option<&String>, errors: &mut Vec<String>) -> Option<Date> {
    let raw = raw.map(|r| r.trim()).unwrap_or("");
    match raw.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!(
                "expected_arrival: {} '{raw}'",
                lang.pick("不是日期 (YYYY-MM-DD)", "is not a date (YYYY-MM-DD)")
            ));
            None
        }
    }
}

/// POST /purchase-orders/from-replenishments: the ticked requests become
/// one purchase order.
async fn from_replenishments(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let map: HashMap<String, String> = form.iter().cloned().collect();
    let lang = chrome.lang;
    let ids: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "request")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut errors = Vec::new();
    let date = parse_date(lang, map.get("expected_arrival"), &mut errors);
    let Some(expected_arrival) = date else {
        return list_page(&s, &ctx, chrome, &map, Some(errors.join("; "))).await;
    };
    let input = PurchaseFromRequests {
        replenishment_ids: ids,
        supplier: map.get("supplier").cloned().unwrap_or_default(),
        warehouse_id: None,
        expected_arrival,
        note: String::new(),
    };
    let outcome = s.app.purchase_from_requests(&ctx, input, None).await;
    after_post(lang, outcome, created_page, |e| {
        list_page(&s, &ctx, chrome, &map, Some(e))
    })
    .await
}

/// Where a new purchase order is shown: its page, or the list when the
/// request was a repeat.
fn created_page(c: Created<PurchaseOrderRow>) -> String {
    match c {
        Created::New(po) => format!("/purchase-orders/{}", po.id),
        Created::Replayed { .. } => "/purchase-orders".into(),
    }
}

pub struct LineInput {
    pub i: usize,
    pub sku: String,
    pub quantity: String,
}

#[derive(Template)]
#[template(path = "purchasing_new.html")]
struct NewPage {
    chrome: Chrome,
    title: String,
    supplier: String,
    expected_arrival: String,
    note: String,
    lines: Vec<LineInput>,
    error: Option<String>,
}

const NEW_LINES: usize = 5;

fn new_page(chrome: Chrome, form: &HashMap<String, String>, error: Option<String>) -> PageResult {
    let lang = chrome.lang;
    let status = status_of(&error);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    Ok(render(
        status,
        &NewPage {
            title: lang.pick("新建采购订单", "New purchase order").into(),
            supplier: get("supplier"),
            expected_arrival: get("expected_arrival"),
            note: get("note"),
            lines: (0..NEW_LINES)
                .map(|i| LineInput {
                    i,
                    sku: get(&format!("lines[{i}].sku")),
                    quantity: get(&format!("lines[{i}].quantity")),
                })
                .collect(),
            error,
            chrome,
        },
    ))
}

/// GET /purchase-orders/new
async fn new_form(PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    ctx.require(Permission::PurchaseWrite)
        .or_page(chrome.lang)?;
    new_page(chrome, &HashMap::new(), None)
}

/// POST /purchase-orders/new
async fn create(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let mut errors = Vec::new();
    let expected_arrival = parse_date(lang, form.get("expected_arrival"), &mut errors);
    let mut lines = Vec::new();
    for i in 0..NEW_LINES {
        let sku = form
            .get(&format!("lines[{i}].sku"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        let qty = form
            .get(&format!("lines[{i}].quantity"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        if sku.is_empty() && qty.is_empty() {
            continue;
        }
        let product = match s.app.id_by_code::<ProductData>(&ctx, &sku).await {
            Ok(id) => Some(ProductId(id)),
            Err(AppError::NotFound { .. }) => {
                errors.push(format!(
                    "lines[{i}].sku: {} '{sku}'",
                    lang.pick("没有此货号", "no product with SKU")
                ));
                None
            }
            Err(e) => return Err(PageError::new(lang, e)),
        };
        let quantity = match qty.parse::<i64>() {
            Ok(q) => Some(q),
            Err(_) => {
                errors.push(format!(
                    "lines[{i}].quantity: {} '{qty}'",
                    lang.pick("不是整数", "not a whole number")
                ));
                None
            }
        };
        if let (Some(product_id), Some(quantity)) = (product, quantity) {
            lines.push(PurchaseLineInput {
                product_id,
                quantity,
                replenishment_ids: Vec::new(),
            });
        }
    }
    let (Some(expected_arrival), true) = (expected_arrival, errors.is_empty()) else {
        return new_page(chrome, &form, Some(errors.join("; ")));
    };
    let input = NewPurchaseOrder {
        supplier: form.get("supplier").cloned().unwrap_or_default(),
        warehouse_id: None,
        expected_arrival,
        note: form.get("note").cloned().unwrap_or_default(),
        lines,
    };
    let outcome = s.app.create_purchase_order(&ctx, input, None).await;
    after_post(lang, outcome, created_page, |e| async {
        new_page(chrome, &form, Some(e))
    })
    .await
}

pub struct DetailLine {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub received: i64,
    pub open: i64,
    pub requests: String,
}

#[derive(Template)]
#[template(path = "purchasing_detail.html")]
struct DetailPage {
    chrome: Chrome,
    title: String,
    po: PoRow,
    note: String,
    sent_at: String,
    confirmed_at: String,
    lines: Vec<DetailLine>,
    can_confirm: bool,
    can_receive: bool,
    can_cancel: bool,
    notices: Vec<NoticeView>,
    error: Option<String>,
}

async fn detail_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let po = s.app.purchase_order(ctx, id).await.or_page(lang)?;
    let notices = s
        .app
        .arrival_notices(ctx, Some(id), None)
        .await
        .or_page(lang)?;
    let write = ctx.actor.can(Permission::PurchaseWrite);
    let status = status_of(&error);
    Ok(render(
        status,
        &DetailPage {
            title: format!("{} {}", lang.pick("采购订单", "Purchase order"), po.number),
            po: po_row(lang, &po),
            note: po.note.clone(),
            sent_at: local_time(po.sent_at),
            confirmed_at: po.confirmed_at.map(local_time).unwrap_or_default(),
            lines: po
                .lines
                .iter()
                .map(|l| DetailLine {
                    line_no: l.line_no,
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    received: l.received,
                    open: l.quantity - l.received,
                    requests: l
                        .replenishment_ids
                        .iter()
                        .map(|r| format!("#{r}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                })
                .collect(),
            can_confirm: write && po.status == PurchaseStatus::Sent,
            can_receive: write && po.status.expects_goods(),
            can_cancel: write
                && matches!(po.status, PurchaseStatus::Sent | PurchaseStatus::Confirmed),
            notices: notices
                .iter()
                .map(|n| notice_view(lang, &ctx.visibility(), n))
                .collect(),
            error,
            chrome,
        },
    ))
}

/// GET /purchase-orders/{id}
async fn read(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    detail_page(&s, &ctx, chrome, id, None).await
}

/// The answer to a form on the detail page: back to it, or it again with
/// the error.
async fn after<T>(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    result: Result<T, AppError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/purchase-orders/{id}")).into_response()),
        Err(AppError::Invalid(v)) => detail_page(s, ctx, chrome, id, Some(v.to_string())).await,
        Err(AppError::VersionConflict { .. }) => {
            let msg = chrome.lang.pick(
                "采购订单已被他人修改，请重试",
                "Changed by someone else; try again",
            );
            detail_page(s, ctx, chrome, id, Some(msg.into())).await
        }
        Err(e) => Err(PageError::new(chrome.lang, e)),
    }
}

/// POST /purchase-orders/{id}/confirm
async fn confirm(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let raw_date = form
        .get("expected_arrival")
        .map(|d| d.trim().to_string())
        .unwrap_or_default();
    let Ok(expected_arrival) = optional::<Date>(&raw_date) else {
        let msg = format!(
            "expected_arrival: {} '{raw_date}'",
            chrome
                .lang
                .pick("不是日期 (YYYY-MM-DD)", "is not a date (YYYY-MM-DD)")
        );
        return detail_page(&s, &ctx, chrome, id, Some(msg)).await;
    };
    let input = ConfirmPurchase {
        expected_arrival,
        note: form.get("note").cloned().unwrap_or_default(),
    };
    let result = s.app.confirm_purchase_order(&ctx, id, input).await;
    after(&s, &ctx, chrome, id, result).await
}

/// POST /purchase-orders/{id}/receive: a quantity per line (`qty_N`).
async fn receive(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let mut keys: Vec<(u32, &String)> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("qty_")
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| (n, v))
        })
        .collect();
    keys.sort();
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for (line_no, raw) in keys {
        let raw = raw.trim();
        if raw.is_empty() || raw == "0" {
            continue;
        }
        match raw.parse::<i64>() {
            Ok(quantity) => lines.push(ReceiptLineInput { line_no, quantity }),
            Err(_) => bad.push(format!("qty_{line_no}: '{raw}'")),
        }
    }
    if !bad.is_empty() {
        let msg = format!(
            "{}: {}",
            chrome.lang.pick("不是整数", "not whole numbers"),
            bad.join(", ")
        );
        return detail_page(&s, &ctx, chrome, id, Some(msg)).await;
    }
    let result = s
        .app
        .receive_purchase_order(&ctx, id, PurchaseReceipt { lines })
        .await;
    after(&s, &ctx, chrome, id, result).await
}

/// POST /purchase-orders/{id}/cancel
async fn cancel(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let reason = form.get("reason").cloned().unwrap_or_default();
    let result = s.app.cancel_purchase_order(&ctx, id, &reason).await;
    after(&s, &ctx, chrome, id, result).await
}
