//! Stock on hand per product and warehouse (INV-1).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;

use super::table::{Section, TablePage, search};
use super::{OrPage, PageAuth, PageResult, render};
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
    Ok(render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("stock").into(),
            sections: vec![Section {
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
            }],
            show_search: true,
            q,
            next_cursor: page.next_cursor,
            chrome,
        },
    ))
}
