//! Stock count pages (INV-3): a blind count form per warehouse, and the
//! count with its differences, causes and the button that posts it.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use kaidan_app::ports::{StockBalance, StockCountRow};
use kaidan_app::stock_counts::{NewStockCount, PostStockCount};
use kaidan_app::{AppError, Ctx, ListRequest};
use kaidan_domain::stock_counts::{CountLineInput, CountStatus, DiscrepancyCause};
use kaidan_domain::{Permission, ProductId, WarehouseId};

use super::format::local_time;
use super::history::{HistoryRow, history};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageForm, PageId, PageResult, after_post, render, status_of,
};
use crate::state::AppState;

fn cause_label(lang: Lang, c: DiscrepancyCause) -> &'static str {
    match c {
        DiscrepancyCause::Damage => lang.pick("损坏", "Damage"),
        DiscrepancyCause::Loss => lang.pick("丢失", "Loss"),
        DiscrepancyCause::ReceivingError => lang.pick("收货差错", "Receiving error"),
        DiscrepancyCause::ShippingError => lang.pick("发货差错", "Shipping error"),
        DiscrepancyCause::RecordingError => lang.pick("记账差错", "Recording error"),
        DiscrepancyCause::Other => lang.pick("其他", "Other"),
    }
}

/// Every stock row (counts are per warehouse, products are picked from the
/// rows that exist).
async fn stock_rows(s: &AppState, ctx: &Ctx) -> Result<Vec<StockBalance>, AppError> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let page = s
            .app
            .stock_list(
                ctx,
                &ListRequest {
                    search: None,
                    cursor,
                    limit: Some(s.app.config().max_page),
                    filters: Vec::new(),
                },
            )
            .await?;
        rows.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(rows),
        }
    }
}

#[derive(Template)]
#[template(path = "stock_count_new.html")]
struct NewPage {
    chrome: Chrome,
    title: String,
    warehouses: Vec<(i64, String)>,
    warehouse: i64,
    /// (product id, sku, name, entered value)
    products: Vec<(i64, String, String, String)>,
    note: String,
    error: Option<String>,
}

async fn new_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    warehouse: Option<i64>,
    form: &HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let rows = stock_rows(s, ctx).await.or_page(lang)?;
    let mut warehouses: Vec<(i64, String)> = rows
        .iter()
        .map(|r| (r.warehouse_id.get(), r.warehouse_code.clone()))
        .collect();
    warehouses.sort();
    warehouses.dedup();
    let warehouse = warehouse
        .filter(|w| warehouses.iter().any(|x| x.0 == *w))
        .or(warehouses.first().map(|w| w.0))
        .unwrap_or(0);
    let products = rows
        .iter()
        .filter(|r| r.warehouse_id.get() == warehouse)
        .map(|r| {
            let id = r.product_id.get();
            let entered = form
                .get(&format!("counted_{id}"))
                .cloned()
                .unwrap_or_default();
            (id, r.sku.clone(), r.product_name.clone(), entered)
        })
        .collect();
    let status = status_of(&error);
    Ok(render(
        status,
        &NewPage {
            title: lang.pick("盘点录入", "Enter a stock count").into(),
            warehouses,
            warehouse,
            products,
            note: form.get("note").cloned().unwrap_or_default(),
            error,
            chrome,
        },
    ))
}

/// GET /stock-counts/new?warehouse=ID
pub async fn new_count(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    ctx.require(Permission::StockCount).or_page(chrome.lang)?;
    let warehouse = p.get("warehouse").and_then(|w| w.parse().ok());
    new_page(&s, &ctx, chrome, warehouse, &HashMap::new(), None).await
}

/// POST /stock-counts/new: the filled-in quantities become a count.
pub async fn create(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let warehouse = form.get("warehouse").and_then(|w| w.parse::<i64>().ok());
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with("counted_")).collect();
    keys.sort();
    for key in keys {
        let raw = form[key].trim();
        if raw.is_empty() {
            continue;
        }
        let Some(product) = key["counted_".len()..].parse::<i64>().ok() else {
            continue;
        };
        match raw.parse::<i64>() {
            Ok(counted) => lines.push(CountLineInput {
                product_id: ProductId(product),
                counted,
                cause: None,
                note: None,
            }),
            Err(_) => bad.push(format!("'{raw}'")),
        }
    }
    if !bad.is_empty() {
        let msg = format!(
            "{}: {}",
            lang.pick("不是整数", "not whole numbers"),
            bad.join(", ")
        );
        return new_page(&s, &ctx, chrome, warehouse, &form, Some(msg)).await;
    }
    let input = NewStockCount {
        warehouse_id: WarehouseId(warehouse.unwrap_or(0)),
        note: form
            .get("note")
            .map(|n| n.trim().to_string())
            .unwrap_or_default(),
        lines,
    };
    let outcome = s.app.create_stock_count(&ctx, input).await;
    let next = |c: StockCountRow| format!("/stock-counts/{}", c.id);
    after_post(lang, outcome, next, |e| {
        new_page(&s, &ctx, chrome, warehouse, &form, Some(e))
    })
    .await
}

pub struct LineView {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub system: i64,
    pub counted: i64,
    pub difference: i64,
    pub cause: &'static str,
    pub cause_label: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "stock_count.html")]
struct CountPage {
    chrome: Chrome,
    title: String,
    id: i64,
    status: &'static str,
    open: bool,
    can_post: bool,
    warehouse: String,
    counted_at: String,
    note: String,
    lines: Vec<LineView>,
    causes: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    /// Expected → counted per line at entry and at posting (SEC-2).
    history: Option<Vec<HistoryRow>>,
}

async fn count_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let count = s.app.stock_count(ctx, id).await.or_page(lang)?;
    let rows = stock_rows(s, ctx).await.or_page(lang)?;
    let names: HashMap<i64, (String, String)> = rows
        .iter()
        .map(|r| (r.product_id.get(), (r.sku.clone(), r.product_name.clone())))
        .collect();
    let warehouse = rows
        .iter()
        .find(|r| r.warehouse_id == count.warehouse_id)
        .map_or_else(
            || count.warehouse_id.to_string(),
            |r| r.warehouse_code.clone(),
        );
    let lines = count
        .lines
        .iter()
        .map(|l| {
            let (sku, name) = names
                .get(&l.product_id.get())
                .cloned()
                .unwrap_or_else(|| (l.product_id.to_string(), String::new()));
            LineView {
                product_id: l.product_id.get(),
                sku,
                name,
                system: l.system,
                counted: l.counted,
                difference: l.difference(),
                cause: l.cause.map_or("", DiscrepancyCause::as_str),
                cause_label: l.cause.map_or("", |c| cause_label(lang, c)),
                note: l.note.clone().unwrap_or_default(),
            }
        })
        .collect();
    let open = count.status == CountStatus::Open;
    let status = status_of(&error);
    let history = history(s, ctx, "stock_count", id).await.or_page(lang)?;
    Ok(render(
        status,
        &CountPage {
            title: format!("{} #{id}", lang.pick("盘点单", "Stock count")),
            id,
            status: if open {
                lang.pick("待过账", "Open")
            } else {
                lang.pick("已过账", "Posted")
            },
            open,
            can_post: ctx.actor.can(Permission::StockCount),
            warehouse,
            counted_at: local_time(count.counted_at),
            note: count.note,
            lines,
            causes: DiscrepancyCause::ALL
                .iter()
                .map(|c| (c.as_str(), cause_label(lang, *c)))
                .collect(),
            error,
            history,
            chrome,
        },
    ))
}

/// GET /stock-counts/{id}
pub async fn read(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    count_page(&s, &ctx, chrome, id, None).await
}

/// POST /stock-counts/{id}/post: the chosen causes, then posting.
pub async fn post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let count = s.app.stock_count(&ctx, id).await.or_page(chrome.lang)?;
    let causes = count
        .lines
        .iter()
        .map(|l| {
            let pid = l.product_id.get();
            let note = form
                .get(&format!("note_{pid}"))
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty());
            CountLineInput {
                product_id: l.product_id,
                counted: l.counted,
                cause: form
                    .get(&format!("cause_{pid}"))
                    .and_then(|c| c.parse().ok()),
                note,
            }
        })
        .collect();
    let outcome = s
        .app
        .post_stock_count(&ctx, id, PostStockCount { causes })
        .await;
    let next = |_| format!("/stock-counts/{id}");
    after_post(chrome.lang, outcome, next, |e| {
        count_page(&s, &ctx, chrome, id, Some(e))
    })
    .await
}
