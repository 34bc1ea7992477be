//! Transfers (调拨单) to stores and regions (ALC-8, ALC-9): the list, one
//! transfer with its steps (pick, ship, receive, cancel), and a region's
//! replenishment plan (备货) as a form.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::AppError;
use kaidan_app::ports::{TransferQuery, TransferRow};
use kaidan_domain::master::{ProductData, RegionData};
use kaidan_domain::transfers::{RegionNeed, TransferKind, TransferStatus};
use kaidan_domain::{Permission, ProductId, RegionId, StoreId};

use super::format::{local_time, product_labels};
use super::fulfilment::{PickSteps, pick_form, ship_form};
use super::history::{HistoryRow, history};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_step, render,
    status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/transfers", get(list_page))
        .route("/transfers/{id}", get(transfer_page))
        .route("/transfers/{id}/pick", post(pick))
        .route("/transfers/{id}/ship", post(ship))
        .route("/transfers/{id}/receive", post(receive))
        .route("/transfers/{id}/cancel", post(cancel))
        .route(
            "/regions/{id}/replenishment",
            get(plan_page).post(plan_post),
        )
}

fn status_label(lang: Lang, s: TransferStatus) -> &'static str {
    match s {
        TransferStatus::Open => lang.pick("待拣货", "To pick"),
        TransferStatus::Picked => lang.pick("已拣货待发运", "Picked, to ship"),
        TransferStatus::Shipped => lang.pick("在途", "In transit"),
        TransferStatus::Received => lang.pick("已收货", "Received"),
        TransferStatus::Cancelled => lang.pick("已取消", "Cancelled"),
    }
}

fn kind_label(lang: Lang, k: TransferKind) -> &'static str {
    match k {
        TransferKind::Store => lang.pick("店铺安全库存", "Store safety stock"),
        TransferKind::Region => lang.pick("区域备货", "Region replenishment"),
    }
}

/// One row of the list.
struct Item {
    t: TransferRow,
    status: &'static str,
    kind: &'static str,
    /// Units reserved, or picked once the pick is confirmed.
    units: i64,
    created: String,
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    items: Vec<Item>,
    /// (value, label) of the status filter.
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    store_id: String,
    run_id: String,
    /// Set when the list stopped at the page size: older ones are left off.
    capped: Option<usize>,
    error: Option<String>,
}

/// GET /transfers?status=&store_id=&run_id=
async fn list_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let raw = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (status, store_id, run_id) = (raw("status"), raw("store_id"), raw("run_id"));
    let mut bad = Vec::new();
    let mut parsed = |name: &str, v: &str| -> Option<i64> {
        if v.is_empty() {
            return None;
        }
        let id = PageId::parse(v);
        if id.is_none() {
            bad.push(format!("{name}: '{v}' is not an id"));
        }
        id
    };
    let query = TransferQuery {
        status: status.parse().ok(),
        store: parsed("store_id", &store_id).map(StoreId),
        run: parsed("run_id", &run_id),
        limit: 0,
    };
    if !status.is_empty() && query.status.is_none() {
        bad.push(format!("status: '{status}' is not a transfer status"));
    }
    let rows = if bad.is_empty() {
        s.app.transfers(&ctx, query).await.or_page(lang)?
    } else {
        Vec::new()
    };
    let error = (!bad.is_empty()).then(|| bad.join("; "));
    let page_size = usize::try_from(s.app.config().max_page).unwrap_or(usize::MAX);
    let capped = (rows.len() >= page_size).then_some(page_size);
    Ok(render(
        status_of(&error),
        &ListPage {
            capped,
            title: lang.pick("调拨单", "Transfers").into(),
            items: rows
                .into_iter()
                .map(|t| Item {
                    status: status_label(lang, t.status),
                    kind: kind_label(lang, t.kind),
                    units: t.lines.iter().map(|l| l.picked.unwrap_or(l.quantity)).sum(),
                    created: local_time(t.created_at),
                    t,
                })
                .collect(),
            statuses: TransferStatus::ALL
                .iter()
                .map(|st| (st.as_str(), status_label(lang, *st)))
                .collect(),
            status,
            store_id,
            run_id,
            error,
            chrome,
        },
    ))
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    title: String,
    chrome: Chrome,
    t: TransferRow,
    status: &'static str,
    kind: &'static str,
    /// (label, time) of each step taken.
    taken: Vec<(&'static str, String)>,
    steps: PickSteps,
    open: bool,
    picked: bool,
    shipped: bool,
    can_write: bool,
    history: Option<Vec<HistoryRow>>,
    error: Option<String>,
}

async fn transfer_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let t = s.app.transfer(&ctx, id).await.or_page(lang)?;
    let ids: Vec<ProductId> = t.lines.iter().map(|l| l.product_id).collect();
    let labels = product_labels(s, &ctx, &ids).await.or_page(lang)?;
    let can_write = ctx.actor.can(Permission::ShipmentWrite);
    let history = history(s, &ctx, "transfer", id).await.or_page(lang)?;
    let closed = match t.status {
        TransferStatus::Cancelled => lang.pick("取消", "Cancelled"),
        _ => lang.pick("收货", "Received"),
    };
    let taken = [
        (lang.pick("创建", "Created"), Some(t.created_at)),
        (lang.pick("拣货", "Picked"), t.picked_at),
        (lang.pick("发运", "Shipped"), t.shipped_at),
        (closed, t.closed_at),
    ]
    .into_iter()
    .filter_map(|(label, at)| at.map(|at| (label, local_time(at))))
    .collect();
    Ok(render(
        status_of(&error),
        &TransferPage {
            title: format!("{} {}", lang.pick("调拨单", "Transfer"), t.number),
            status: status_label(lang, t.status),
            kind: kind_label(lang, t.kind),
            taken,
            steps: PickSteps {
                action: format!("/transfers/{}", t.id),
                lines: t.lines.clone(),
                names: t
                    .lines
                    .iter()
                    .map(|l| {
                        let label = labels.get(&l.product_id).cloned().unwrap_or_default();
                        (l.line_no, label)
                    })
                    .collect(),
                open: t.status == TransferStatus::Open,
                picked: t.status == TransferStatus::Picked,
                can_write,
                today: s.app.today_date().to_string(),
                short_hint: lang.pick(
                    "未找到的数量立即释放回总仓可用库存;区域备货计划收回该数量。",
                    "What is not found is released to the central warehouse's free stock at once; a region's plan gets the quantity back.",
                ),
                ship_label: lang.pick("发运出库", "Ship"),
            },
            open: t.status == TransferStatus::Open,
            picked: t.status == TransferStatus::Picked,
            shipped: t.status == TransferStatus::Shipped,
            can_write,
            history,
            t,
            error,
            chrome,
        },
    ))
}

/// GET /transfers/{id}
async fn transfer_page(
    State(s): State<AppState>,
    auth: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    transfer_view(&s, auth, id, None).await
}

/// What a step's use case gave back: to the transfer page, or the page
/// again with the refusal.
async fn after_transfer_step(
    s: &AppState,
    auth: PageAuth,
    id: i64,
    outcome: Result<TransferRow, AppError>,
) -> PageResult {
    let next = |_| format!("/transfers/{id}");
    after_step(s, auth, id, outcome, next, transfer_view).await
}

/// POST /transfers/{id}/pick: `picked_<line>` per line and `packages`.
async fn pick(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let t = s
        .app
        .transfer(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let (lines, packages) = match pick_form(&t.lines, &form) {
        Ok(v) => v,
        Err(bad) => return transfer_view(&s, auth, id, Some(bad)).await,
    };
    let outcome = s.app.pick_transfer(&auth.ctx, id, &lines, packages).await;
    after_transfer_step(&s, auth, id, outcome).await
}

/// POST /transfers/{id}/ship: carrier, tracking_no, eta.
async fn ship(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let input = match ship_form(&form) {
        Ok(i) => i,
        Err(bad) => return transfer_view(&s, auth, id, Some(bad)).await,
    };
    let outcome = s.app.ship_transfer(&auth.ctx, id, &input).await;
    after_transfer_step(&s, auth, id, outcome).await
}

/// POST /transfers/{id}/receive: note (optional).
async fn receive(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let note = form.get("note").map(|n| n.trim()).filter(|n| !n.is_empty());
    let outcome = s.app.receive_transfer(&auth.ctx, id, note).await;
    after_transfer_step(&s, auth, id, outcome).await
}

/// POST /transfers/{id}/cancel: reason.
async fn cancel(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let reason = form.get("reason").cloned().unwrap_or_default();
    let outcome = s.app.cancel_transfer(&auth.ctx, id, &reason).await;
    after_transfer_step(&s, auth, id, outcome).await
}

/// A plan as text, `product:quantity` in product order.
fn plan_fingerprint(needs: &[RegionNeed]) -> String {
    needs
        .iter()
        .map(|n| format!("{}:{}", n.product_id, n.quantity))
        .collect::<Vec<_>>()
        .join(",")
}

/// The plan a form showed, read back from its fingerprint; None when it
/// is not one.
fn parse_fingerprint(text: &str) -> Option<Vec<RegionNeed>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',')
        .map(|pair| {
            let (product, quantity) = pair.split_once(':')?;
            Some(RegionNeed {
                product_id: ProductId(product.parse().ok()?),
                quantity: quantity.parse().ok()?,
            })
        })
        .collect()
}

/// Empty rows the plan form offers for products not yet in the plan.
const NEW_ROWS: usize = 5;

/// One line of the plan form.
struct PlanRow {
    product_id: ProductId,
    sku: String,
    name: String,
    quantity: String,
}

#[derive(Template)]
#[template(path = "region_plan.html")]
struct PlanPage {
    title: String,
    chrome: Chrome,
    region_id: i64,
    rows: Vec<PlanRow>,
    /// (SKU, quantity) typed into the empty rows.
    new_rows: Vec<(String, String)>,
    /// The plan as the form shows it, sent back to tell whether someone
    /// changed it meanwhile.
    seen: String,
    can_write: bool,
    error: Option<String>,
}

/// The plan form, with what was typed (`typed`) when a post is refused.
async fn plan_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let region = s.app.get::<RegionData>(&ctx, id).await.or_page(lang)?;
    let needs = s.app.region_needs(&ctx, RegionId(id)).await.or_page(lang)?;
    let ids: Vec<ProductId> = needs.iter().map(|n| n.product_id).collect();
    let labels = product_labels(s, &ctx, &ids).await.or_page(lang)?;
    let kept = |k: String, default: String| match typed {
        Some(f) => f.get(&k).cloned().unwrap_or_default(),
        None => default,
    };
    let rows = needs
        .iter()
        .map(|n| {
            let (sku, name) = labels.get(&n.product_id).cloned().unwrap_or_default();
            PlanRow {
                product_id: n.product_id,
                sku,
                name,
                quantity: kept(format!("qty_{}", n.product_id), n.quantity.to_string()),
            }
        })
        .collect();
    let seen = typed
        .and_then(|f| f.get("seen").cloned())
        .unwrap_or_else(|| plan_fingerprint(&needs));
    let new_rows = (0..NEW_ROWS)
        .map(|i| {
            (
                kept(format!("sku_{i}"), String::new()),
                kept(format!("new_qty_{i}"), String::new()),
            )
        })
        .collect();
    let name = match lang {
        Lang::Zh => region.data.name_zh.clone(),
        Lang::En => region.data.name.clone(),
    };
    Ok(render(
        status_of(&error),
        &PlanPage {
            title: format!(
                "{} · {} {}",
                lang.pick("备货计划", "Replenishment plan"),
                region.data.code,
                name
            ),
            region_id: id,
            rows,
            new_rows,
            seen,
            can_write: ctx.actor.can(Permission::RegionWrite),
            error,
            chrome,
        },
    ))
}

/// GET /regions/{id}/replenishment
async fn plan_page(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    plan_view(&s, auth, id, None, None).await
}

/// POST /regions/{id}/replenishment: `qty_<product>` for the products in
/// the plan (0 drops one), `sku_<i>` and `new_qty_<i>` for new ones. The
/// whole plan is replaced at once, or nothing changes.
async fn plan_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let mut bad = Vec::new();
    let mut needs = Vec::new();
    let quantity = |field: &str, raw: &str, bad: &mut Vec<String>| -> Option<i64> {
        let q = raw.trim().parse::<i64>().ok();
        if q.is_none() {
            bad.push(format!("{field}: '{raw}' is not a whole number"));
        }
        q
    };
    let mut kept: Vec<(&String, &String)> =
        form.iter().filter(|(k, _)| k.starts_with("qty_")).collect();
    kept.sort();
    let mut typed = Vec::new();
    for (key, value) in kept {
        let Some(product) = key.trim_start_matches("qty_").parse::<i64>().ok() else {
            continue;
        };
        if let Some(q) = quantity(key, value, &mut bad) {
            needs.push(RegionNeed {
                product_id: ProductId(product),
                quantity: q,
            });
        }
    }
    for i in 0..NEW_ROWS {
        let sku = form
            .get(&format!("sku_{i}"))
            .map(|v| v.trim())
            .unwrap_or("");
        let raw_q = form
            .get(&format!("new_qty_{i}"))
            .map(|v| v.trim())
            .unwrap_or("");
        if sku.is_empty() && raw_q.is_empty() {
            continue;
        }
        typed.push((i, sku.to_string(), raw_q.to_string()));
    }
    for (i, sku, raw_q) in typed {
        let row = i + 1;
        let Some(q) = quantity(&format!("new row {row}"), &raw_q, &mut bad) else {
            continue;
        };
        match s.app.id_by_code::<ProductData>(&auth.ctx, &sku).await {
            Ok(product) if needs.iter().any(|n| n.product_id.get() == product) => {
                bad.push(format!(
                    "new row {row}: SKU '{sku}' is in the plan already; change its quantity there"
                ))
            }
            Ok(product) => needs.push(RegionNeed {
                product_id: ProductId(product),
                quantity: q,
            }),
            Err(AppError::NotFound { .. }) => {
                bad.push(format!("new row {row}: no product with SKU '{sku}'"))
            }
            Err(e) => return Err(PageError::new(auth.chrome.lang, e)),
        }
    }
    if !bad.is_empty() {
        return plan_view(&s, auth, id, Some(&form), Some(bad.join("; "))).await;
    }
    // The form replaces the whole plan: the use case refuses it if the
    // plan is no longer the one the form showed.
    let Some(expected) = form.get("seen").and_then(|f| parse_fingerprint(f)) else {
        let msg = "the form is incomplete; reload the page";
        return plan_view(&s, auth, id, None, Some(msg.into())).await;
    };
    let outcome = s
        .app
        .set_region_needs_if_unchanged(&auth.ctx, RegionId(id), needs, &expected)
        .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/m/regions/{id}")).into_response()),
        // Shown as the plan is now, for the change to be entered again.
        Err(AppError::Invalid(v)) if v.errors.iter().any(|e| e.code == "changed") => {
            plan_view(&s, auth, id, None, Some(v.to_string())).await
        }
        Err(AppError::Invalid(v)) => {
            plan_view(&s, auth, id, Some(&form), Some(v.to_string())).await
        }
        Err(e) => Err(PageError::new(auth.chrome.lang, e)),
    }
}
