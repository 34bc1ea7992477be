//! The history tab of an order (SEC-2): every audited change, newest
//! first, with each line's changes shown against the line they are on.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use kaidan_app::orders::OrderView;
use kaidan_domain::OrderId;

use super::super::history::{HistoryTab, Tab, product_line, request, rows};
use super::super::{Lang, OrPage, PageAuth, PageId, PageResult, render};
use crate::state::AppState;

/// The tabs of an order: the order, its history and, for who may read it,
/// the customer's account.
pub fn order_tabs(lang: Lang, view: &OrderView, can_account: bool, history: bool) -> Vec<Tab> {
    let id = view.id.get();
    let mut tabs = vec![
        Tab {
            href: format!("/orders/{id}"),
            label: lang.pick("订单", "Order"),
            active: !history,
            id: "order",
        },
        Tab {
            href: format!("/orders/{id}/history"),
            label: lang.t("history_tab"),
            active: history,
            id: "history",
        },
    ];
    if can_account {
        tabs.push(Tab {
            href: format!("/customers/{}/account", view.customer_id),
            label: lang.t("account"),
            active: false,
            id: "account",
        });
    }
    tabs
}

/// Whether the actor may open the account of the order's customer: the
/// app's rule, asked, not restated.
pub fn may_see_account(ctx: &kaidan_app::Ctx, view: &OrderView) -> bool {
    kaidan_app::App::may_read_account(ctx, view.customer_id).is_ok()
}

/// GET /orders/{id}/history
pub async fn show(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let view = s.app.order(&ctx, OrderId(id)).await.or_page(lang)?;
    let req = request(&p);
    let page = s
        .app
        .order_history(&ctx, view.id, req)
        .await
        .or_page(lang)?;
    // Lines are keyed by product in the audit (a product is on an order
    // once); the page names them by line number and SKU as the order
    // shows them now.
    let lines: HashMap<i64, String> = view
        .content
        .lines
        .iter()
        .map(|l| (l.product_id.get(), format!("{} · {}", l.line_no, l.sku)))
        .collect();
    let line_of = |field: &str| {
        // Updates diff the whole order (`document.lines…`), the creation
        // row the document itself (`lines…`).
        let (product, rest) =
            product_line(field, "document.lines").or_else(|| product_line(field, "lines"))?;
        let line = lines
            .get(&product)
            .cloned()
            .unwrap_or_else(|| format!("#{product}"));
        Some((line, rest))
    };
    let number = view
        .number
        .clone()
        .unwrap_or_else(|| lang.pick("待编号", "(no number yet)").to_string());
    let tabs = order_tabs(lang, &view, may_see_account(&ctx, &view), true);
    Ok(render(
        StatusCode::OK,
        &HistoryTab::new(
            chrome,
            format!(
                "{} {number} · {}",
                lang.pick("订单", "Order"),
                lang.t("history_tab")
            ),
            tabs,
            rows(page.items, line_of),
            page.next_cursor,
            req.cursor.is_none(),
        ),
    ))
}
