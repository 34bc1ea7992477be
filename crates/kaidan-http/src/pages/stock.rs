//! Stock on hand per product and warehouse (INV-1) with inventory accuracy
//! (KPI-4) of the last 30 days beneath it, and the history tab of one
//! product's stock in one warehouse (SEC-2).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kaidan_domain::{ProductId, WarehouseId};

use kaidan_app::stock_counts::InventoryAccuracy;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::orders::company_time_zone;

use super::history::{HistoryTab, Tab, request, rows};
use super::table::{Section, search};
use super::{Chrome, Lang, OrPage, PageAuth, PageId, PageResult, not_found_page, render};
use crate::state::AppState;

pub struct StockRow {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    chrome: Chrome,
    title: String,
    rows: Vec<StockRow>,
    q: String,
    next_cursor: Option<String>,
    /// KPI-4 of the last 30 days, for whoever may read it.
    accuracy: Option<Section>,
}

pub async fn stock(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (q, req) = search(&p, 100);
    let page = s.app.stock_list(&ctx, &req).await.or_page(lang)?;
    let rows = page
        .items
        .into_iter()
        .map(|b| StockRow {
            product_id: b.product_id.get(),
            warehouse_id: b.warehouse_id.get(),
            sku: b.sku,
            name: b.product_name,
            warehouse: b.warehouse_code,
            on_hand: b.on_hand,
            reserved: b.reserved,
            available: b.available,
        })
        .collect();
    let accuracy = accuracy(&s, &ctx, lang).await.or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &StockPage {
            title: lang.t("stock").into(),
            rows,
            accuracy,
            q,
            next_cursor: page.next_cursor,
            chrome,
        },
    ))
}

fn tabs(lang: Lang, product: i64, warehouse: i64) -> Vec<Tab> {
    vec![
        Tab {
            href: "/stock".into(),
            label: lang.t("stock"),
            active: false,
            id: "stock",
        },
        Tab {
            href: format!("/stock/{product}/{warehouse}/history"),
            label: lang.t("history_tab"),
            active: true,
            id: "history",
        },
    ]
}

/// GET /stock/{product_id}/{warehouse_id}/history: receipts and count
/// adjustments of one product in one warehouse, before → after.
pub async fn history(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path((product, warehouse)): Path<(String, String)>,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (Some(product), Some(warehouse)) = (PageId::parse(&product), PageId::parse(&warehouse))
    else {
        return Ok(not_found_page());
    };
    let req = request(&p);
    let page = s
        .app
        .stock_history(&ctx, ProductId(product), WarehouseId(warehouse), req)
        .await
        .or_page(lang)?;
    let labels = super::format::product_labels(&s, &ctx, &[ProductId(product)])
        .await
        .or_page(lang)?;
    let sku = labels
        .get(&ProductId(product))
        .map_or_else(|| format!("#{product}"), |(sku, _)| sku.clone());
    Ok(render(
        StatusCode::OK,
        &HistoryTab::new(
            chrome,
            format!(
                "{} {sku} · {} #{warehouse} · {}",
                lang.t("stock"),
                lang.t("warehouses"),
                lang.t("history_tab")
            ),
            tabs(lang, product, warehouse),
            rows(page.items, |_| None),
            page.next_cursor,
            req.cursor.is_none(),
        ),
    ))
}

/// KPI-4 of the last 30 days (ADR 0008): per order — an order's stock check
/// was right when nothing of its pick lists came back short — and beside it
/// per counted line. None for a visitor who may not read it.
async fn accuracy(s: &AppState, ctx: &Ctx, lang: Lang) -> Result<Option<Section>, AppError> {
    let to = s.app.now().to_zoned(company_time_zone()).date();
    let from = to.saturating_sub(jiff::Span::new().days(29));
    let a: InventoryAccuracy = match s.app.inventory_accuracy(ctx, from, to).await {
        Ok(a) => a,
        Err(AppError::Forbidden(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let percent = |p: Option<String>| p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into());
    Ok(Some(Section {
        heading: format!(
            "{} {from} – {to}",
            lang.pick("库存准确率(KPI-4)", "Inventory accuracy (KPI-4)")
        ),
        headers: vec![
            lang.pick("口径", "Measured by"),
            lang.pick("正确", "Right"),
            lang.pick("总数", "Total"),
            lang.pick("准确率", "Accuracy"),
        ],
        rows: vec![
            vec![
                lang.pick(
                    "订单:占用的货能按占用拣出",
                    "Orders: reserved goods picked as reserved",
                )
                .into(),
                a.orders_right.to_string(),
                a.orders_checked.to_string(),
                percent(a.order_accuracy_percent),
            ],
            vec![
                lang.pick("盘点行:系统数正确", "Counted lines: system figure right")
                    .into(),
                a.lines_right.to_string(),
                a.lines_counted.to_string(),
                percent(a.accuracy_percent),
            ],
        ],
    }))
}
