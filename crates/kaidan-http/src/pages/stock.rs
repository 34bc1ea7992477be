//! Stock on hand per product and warehouse (INV-1), with inventory
//! accuracy (KPI-4) of the last 30 days beneath it.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;

use kaidan_app::stock_counts::InventoryAccuracy;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::orders::company_time_zone;

use super::table::{Section, TablePage, search};
use super::{Lang, OrPage, PageAuth, PageResult, render};
use crate::state::AppState;

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
        .iter()
        .map(|b| {
            vec![
                b.sku.clone(),
                b.product_name.clone(),
                b.warehouse_code.clone(),
                b.on_hand.to_string(),
                b.reserved.to_string(),
                b.available.to_string(),
            ]
        })
        .collect();
    let mut sections = vec![Section {
        heading: String::new(),
        headers: vec![
            "SKU",
            lang.t("name"),
            lang.t("warehouses"),
            lang.t("on_hand"),
            lang.t("reserved"),
            lang.t("available"),
        ],
        rows,
    }];
    sections.extend(accuracy(&s, &ctx, lang).await.or_page(lang)?);
    Ok(render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("stock").into(),
            sections,
            show_search: true,
            q,
            next_cursor: page.next_cursor,
            chrome,
        },
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
