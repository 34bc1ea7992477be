//! Warehouse and logistics pages: the shipping plan with its pick lists, a
//! pick list (confirm the pick, then ship), shipments with tracking and the
//! proof of delivery (SHP-1..3), and the lookup of any document by number
//! (DOC-2).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::AppError;
use kaidan_app::fulfilment::TrackingInput;
use kaidan_app::ports::{PickListRow, PlanLine, ShipmentRow};
use kaidan_domain::fulfilment::{
    DeliveredLineInput, DeliveryInput, Disposition, PickLine, PickListStatus, PickedInput,
    ShipInput, ShipmentStatus, TrackingStatus,
};
use kaidan_domain::{OrderId, Permission, WarehouseId};

use super::format::local_time;
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_post,
    after_step, render, status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shipping", get(plan_page))
        .route("/shipping/pick-lists", post(create_lists))
        .route("/pick-lists/{id}", get(list_page))
        .route("/pick-lists/{id}/pick", post(confirm))
        .route("/pick-lists/{id}/ship", post(ship))
        .route("/shipments/{id}", get(shipment_page))
        .route("/shipments/{id}/tracking", post(tracking))
        .route("/shipments/{id}/delivery", post(deliver))
        .route("/lookup", get(lookup))
}

fn pick_status(lang: Lang, s: PickListStatus) -> &'static str {
    match s {
        PickListStatus::Open => lang.pick("待拣货", "To pick"),
        PickListStatus::Picked => lang.pick("已拣货待发运", "Picked, to ship"),
        PickListStatus::Shipped => lang.pick("已发运", "Shipped"),
        PickListStatus::Cancelled => lang.pick("已取消", "Cancelled"),
    }
}

pub(super) fn shipment_status(lang: Lang, s: ShipmentStatus) -> &'static str {
    match s {
        ShipmentStatus::Shipped => lang.pick("在途", "In transit"),
        ShipmentStatus::Delivered => lang.pick("已签收", "Delivered"),
    }
}

fn tracking_label(lang: Lang, s: TrackingStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.as_str(),
    }
}

/// `(line, sku, name)` of an order's lines, for documents that list lines
/// by number.
async fn line_names(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
    order: OrderId,
) -> Result<Vec<(u32, String, String)>, AppError> {
    Ok(s.app
        .order(ctx, order)
        .await?
        .content
        .lines
        .iter()
        .map(|l| (l.line_no, l.sku.clone(), l.name.clone()))
        .collect())
}

#[derive(Template)]
#[template(path = "shipping_plan.html")]
struct PlanPage {
    title: String,
    chrome: Chrome,
    lines: Vec<PlanLine>,
    due: Vec<String>,
    lists: Vec<PickListRow>,
    list_status: Vec<&'static str>,
    units: Vec<i64>,
    can_write: bool,
    error: Option<String>,
    /// Lines of the plan beyond those shown.
    more: usize,
}

/// The plan lines the page shows: the head of the work queue, in its
/// order. A warehouse works from the top; thousands of lines in one page
/// (9,600 on the bench's data, 2.7 MB) help nobody and cost the page its
/// speed (issue 21). The API gives the whole plan.
const PLAN_PAGE_LINES: usize = 500;

async fn plan(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let mut lines = s.app.shipping_plan(&ctx).await.or_page(lang)?;
    let more = lines.len().saturating_sub(PLAN_PAGE_LINES);
    lines.truncate(PLAN_PAGE_LINES);
    let mut lists = Vec::new();
    for st in [PickListStatus::Open, PickListStatus::Picked] {
        lists.extend(s.app.pick_lists(&ctx, Some(st)).await.or_page(lang)?)
    }
    Ok(render(
        status_of(&error),
        &PlanPage {
            title: lang.pick("发货计划", "Shipping plan").into(),
            due: lines.iter().map(|l| local_time(l.ship_due_at)).collect(),
            list_status: lists.iter().map(|l| pick_status(lang, l.status)).collect(),
            units: lists
                .iter()
                .map(|l| l.lines.iter().map(|x| x.picked.unwrap_or(x.quantity)).sum())
                .collect(),
            can_write: ctx.actor.can(Permission::ShipmentWrite),
            lines,
            lists,
            error,
            more,
            chrome,
        },
    ))
}

/// GET /shipping
async fn plan_page(State(s): State<AppState>, auth: PageAuth) -> PageResult {
    plan(&s, auth, None).await
}

/// POST /shipping/pick-lists: the ticked orders get one pick list each.
async fn create_lists(
    State(s): State<AppState>,
    PageForm(auth, form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let _map: HashMap<String, String> = form.iter().cloned().collect();
    let mut orders: Vec<OrderId> = form
        .iter()
        .filter(|(k, _)| k == "order")
        .filter_map(|(_, v)| v.parse::<i64>().ok().map(OrderId))
        .collect();
    orders.dedup();
    let outcome = s.app.create_pick_lists(&auth.ctx, &orders).await;
    let next = |lists: Vec<PickListRow>| match lists.as_slice() {
        [one] => format!("/pick-lists/{}", one.id),
        _ => "/shipping".into(),
    };
    after_post(auth.chrome.lang, outcome, next, |e| plan(&s, auth, Some(e))).await
}

/// What the shared pick and ship forms (`pick_steps.html`) show of a pick
/// list or a transfer.
pub(super) struct PickSteps {
    /// The document's page; the forms post to `{action}/pick` and `/ship`.
    pub action: String,
    pub lines: Vec<PickLine>,
    /// Line number → (SKU, name).
    pub names: HashMap<u32, (String, String)>,
    pub open: bool,
    pub picked: bool,
    pub can_write: bool,
    pub today: String,
    /// What becomes of what is not found.
    pub short_hint: &'static str,
    pub ship_label: &'static str,
}

/// The pick form of a pick list or a transfer: `picked_<line>` for each
/// line and `packages`; or what is not a number, field by field.
pub(super) fn pick_form(
    lines: &[PickLine],
    form: &HashMap<String, String>,
) -> Result<(Vec<PickedInput>, i64), String> {
    let mut bad = Vec::new();
    let picked = lines
        .iter()
        .map(|l| {
            let raw = form
                .get(&format!("picked_{}", l.line_no))
                .map(|v| v.trim())
                .unwrap_or("");
            let picked = raw.parse::<i64>().unwrap_or_else(|_| {
                bad.push(format!("line {}: '{raw}' is not a quantity", l.line_no));
                -1
            });
            PickedInput {
                line_no: l.line_no,
                picked,
            }
        })
        .collect();
    let raw = form.get("packages").map(|p| p.trim()).unwrap_or("");
    let packages = raw.parse::<i64>().unwrap_or_else(|_| {
        bad.push(format!("packages: '{raw}' is not a number"));
        0
    });
    if bad.is_empty() {
        Ok((picked, packages))
    } else {
        Err(bad.join("; "))
    }
}

/// The ship form of a pick list or a transfer: carrier, tracking_no, eta.
pub(super) fn ship_form(form: &HashMap<String, String>) -> Result<ShipInput, String> {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let eta = field("eta");
    let Ok(eta) = eta.trim().parse() else {
        return Err(format!("eta: '{eta}' is not a date (YYYY-MM-DD)"));
    };
    Ok(ShipInput {
        carrier: field("carrier"),
        tracking_no: field("tracking_no"),
        eta,
        packages: None,
    })
}

#[derive(Template)]
#[template(path = "pick_list.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    list: PickListRow,
    status: &'static str,
    steps: PickSteps,
    error: Option<String>,
}

async fn list_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let list = s.app.pick_list(&ctx, id).await.or_page(lang)?;
    let names = line_names(s, &ctx, list.order_id).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &ListPage {
            title: format!("{} {}", lang.pick("拣货单", "Pick list"), list.number),
            status: pick_status(lang, list.status),
            steps: PickSteps {
                action: format!("/pick-lists/{}", list.id),
                lines: list.lines.clone(),
                names: names
                    .into_iter()
                    .map(|(line, sku, name)| (line, (sku, name)))
                    .collect(),
                open: list.status == PickListStatus::Open,
                picked: list.status == PickListStatus::Picked,
                can_write: ctx.actor.can(Permission::ShipmentWrite),
                today: s.app.today_date().to_string(),
                short_hint: lang.pick(
                    "未找到的数量将释放预留并转为缺货待补。",
                    "What is not found is released and becomes a backorder.",
                ),
                ship_label: lang.pick("发运并生成发货单", "Ship and issue the delivery note"),
            },
            list,
            error,
            chrome,
        },
    ))
}

/// GET /pick-lists/{id}
async fn list_page(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    list_view(&s, auth, id, None).await
}

/// POST /pick-lists/{id}/pick: `picked_<line>` per line and `packages`.
async fn confirm(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let list = s
        .app
        .pick_list(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let (lines, packages) = match pick_form(&list.lines, &form) {
        Ok(v) => v,
        Err(bad) => return list_view(&s, auth, id, Some(bad)).await,
    };
    let outcome = s.app.confirm_pick(&auth.ctx, id, &lines, packages).await;
    let next = |_| format!("/pick-lists/{id}");
    after_step(&s, auth, id, outcome, next, list_view).await
}

/// POST /pick-lists/{id}/ship: carrier, tracking_no, eta.
async fn ship(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let input = match ship_form(&form) {
        Ok(i) => i,
        Err(bad) => return list_view(&s, auth, id, Some(bad)).await,
    };
    let outcome = s.app.ship(&auth.ctx, id, &input).await;
    let next = |sh: ShipmentRow| format!("/shipments/{}", sh.id);
    after_step(&s, auth, id, outcome, next, list_view).await
}

#[derive(Template)]
#[template(path = "shipment.html")]
struct ShipmentPage {
    title: String,
    chrome: Chrome,
    s: ShipmentRow,
    status: &'static str,
    shipped_at: String,
    delivered_at: String,
    /// (line, sku, name)
    names: Vec<(u32, String, String)>,
    /// (at, status label, location, note)
    events: Vec<(String, &'static str, String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    /// (id, code) of warehouses that can take quarantined goods.
    warehouses: Vec<(i64, String)>,
    open: bool,
    can_write: bool,
    /// May raise a return against it (AFS-1).
    can_return: bool,
    now: String,
    error: Option<String>,
}

async fn shipment_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let sh = s.app.shipment(&ctx, id).await.or_page(lang)?;
    let names = line_names(s, &ctx, sh.order_id).await.or_page(lang)?;
    let can_write = ctx.actor.can(Permission::ShipmentWrite);
    let warehouses = if can_write {
        s.app.warehouse_choices(&ctx).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let tz_now = local_time(s.app.now());
    Ok(render(
        status_of(&error),
        &ShipmentPage {
            title: format!("{} {}", lang.pick("发货单", "Delivery note"), sh.number),
            status: shipment_status(lang, sh.status),
            shipped_at: local_time(sh.shipped_at),
            delivered_at: sh.delivered_at.map(local_time).unwrap_or_default(),
            events: sh
                .tracking
                .iter()
                .map(|e| {
                    (
                        local_time(e.at),
                        tracking_label(lang, e.status),
                        e.location.clone(),
                        e.note.clone(),
                    )
                })
                .collect(),
            statuses: TrackingStatus::ALL
                .iter()
                .map(|t| (t.as_str(), tracking_label(lang, *t)))
                .collect(),
            open: sh.status == ShipmentStatus::Shipped,
            can_write,
            can_return: ctx.actor.can(Permission::ReturnRequest),
            now: tz_now.get(..16).unwrap_or(&tz_now).replace(' ', "T"),
            names,
            warehouses,
            s: sh,
            error,
            chrome,
        },
    ))
}

/// GET /shipments/{id}
async fn shipment_page(
    State(s): State<AppState>,
    auth: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    shipment_view(&s, auth, id, None).await
}

/// POST /shipments/{id}/tracking: at (local time), status, location, note.
async fn tracking(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let at = field("at")
        .replace('T', " ")
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.to_zoned(kaidan_domain::orders::company_time_zone()).ok())
        .map(|z| z.timestamp());
    let (Some(at), Ok(status)) = (at, field("status").parse::<TrackingStatus>()) else {
        return shipment_view(
            &s,
            auth,
            id,
            Some(format!(
                "at / status: '{}' '{}' is not a time and a status",
                field("at"),
                field("status")
            )),
        )
        .await;
    };
    let input = TrackingInput {
        at,
        status,
        location: field("location"),
        note: field("note"),
    };
    let outcome = s.app.add_tracking(&auth.ctx, id, &input, "page").await;
    let next = |_| format!("/shipments/{id}");
    after_step(&s, auth, id, outcome, next, shipment_view).await
}

/// POST /shipments/{id}/delivery: signed_by, note, `accepted_<line>`,
/// `refused_<line>`, `reason_<line>`, `disposition_<line>`, quarantine.
async fn deliver(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let sh = s
        .app
        .shipment(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let field = |k: String| {
        form.get(&k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let number = |k: String, default: i64| {
        let v = field(k);
        if v.is_empty() {
            Some(default)
        } else {
            v.parse::<i64>().ok()
        }
    };
    let mut lines = Vec::new();
    for l in &sh.lines {
        let (Some(accepted), Some(refused)) = (
            number(format!("accepted_{}", l.line_no), l.quantity),
            number(format!("refused_{}", l.line_no), 0),
        ) else {
            return shipment_view(
                &s,
                auth,
                id,
                Some(format!(
                    "line {}: accepted and refused must be whole numbers",
                    l.line_no
                )),
            )
            .await;
        };
        let reason = Some(field(format!("reason_{}", l.line_no))).filter(|r| !r.is_empty());
        let disposition = field(format!("disposition_{}", l.line_no))
            .parse::<Disposition>()
            .ok();
        lines.push(DeliveredLineInput {
            line_no: l.line_no,
            accepted,
            refused,
            reason,
            disposition,
        });
    }
    let input = DeliveryInput {
        signed_by: field("signed_by".into()),
        note: Some(field("note".into())).filter(|n| !n.is_empty()),
        lines,
        quarantine_warehouse_id: field("quarantine_warehouse_id".into())
            .parse::<i64>()
            .ok()
            .map(WarehouseId),
    };
    let outcome = s.app.record_delivery(&auth.ctx, id, &input).await;
    let next = |_| format!("/shipments/{id}");
    after_step(&s, auth, id, outcome, next, shipment_view).await
}

/// GET /lookup?number=…: straight to the document, or a list when several
/// kinds share the number.
async fn lookup(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let number = q.get("number").cloned().unwrap_or_default();
    let lang = auth.chrome.lang;
    let found = s
        .app
        .lookup_document(&auth.ctx, &number)
        .await
        .or_page(lang)?;
    if let [one] = found.as_slice() {
        return Ok(Redirect::to(&one.href).into_response());
    }
    let links: Vec<String> = found
        .iter()
        .map(|d| format!("{:?}: {}", d.kind, d.href))
        .collect();
    Err(PageError::new(
        lang,
        AppError::NotFound {
            what: "single document",
            id: format!("{number} ({})", links.join(", ")),
        },
    ))
}
