//! The customer's signed contracts on the portal (CON-2): each with what
//! was ordered and shipped against it, what remains, and the day its money
//! is due.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use kaidan_app::portal::PortalContract;

use super::{PortalAuth, title};
use crate::pages::format::product_labels;
use crate::pages::{Chrome, OrPage, PageResult, render};
use crate::state::AppState;

/// A contract as the page shows it: status label and its lines as
/// (product, agreed, ordered, shipped, remaining).
struct Shown {
    c: PortalContract,
    status: &'static str,
    lines: Vec<(String, i64, i64, i64, i64)>,
}

#[derive(Template)]
#[template(path = "portal_contracts.html")]
struct ContractsPage {
    chrome: Chrome,
    title: String,
    contracts: Vec<Shown>,
}

/// GET /portal/contracts
pub async fn contracts(State(s): State<AppState>, PortalAuth(auth): PortalAuth) -> PageResult {
    let lang = auth.chrome.lang;
    let list = s.app.portal_contracts(&auth.ctx).await.or_page(lang)?;
    let ids: Vec<_> = list
        .iter()
        .flat_map(|c| c.contract.terms.lines.iter().map(|l| l.product_id))
        .collect();
    let names = product_labels(&s, &auth.ctx, &ids).await.or_page(lang)?;
    let contracts = list
        .into_iter()
        .map(|c| {
            let status = match lang {
                crate::pages::Lang::Zh => c.contract.status.label_zh(),
                crate::pages::Lang::En => c.contract.status.as_str(),
            };
            let lines = c
                .progress
                .lines
                .iter()
                .map(|l| {
                    let label = names
                        .get(&l.product_id)
                        .map(|(sku, name)| format!("{sku} {name}").trim().to_string())
                        .unwrap_or_else(|| format!("#{}", l.product_id));
                    (label, l.quantity, l.ordered, l.shipped, l.remaining)
                })
                .collect();
            Shown { c, status, lines }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ContractsPage {
            title: title(lang, "我的合同", "My contracts"),
            contracts,
            chrome: auth.chrome,
        },
    ))
}
