//! Returns and exchanges (退换货, AFS-1): the list, a request raised from a
//! delivered shipment (with photos), and one return with the step each
//! role takes: the sales manager decides, the warehouse receives and
//! inspects, finance refunds, the sales manager sends the replacement,
//! the warehouse finishes a repair.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kaidan_app::after_sales::{CompleteReturnInput, ReturnableView};
use kaidan_app::ports::{ReturnFilter, ReturnRow};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::after_sales::{
    Inspection, ReceiveInput, Remedy, ReturnInput, ReturnLineInput, ReturnReason, ReturnStatus,
};
use kaidan_domain::{Money, Permission, ValidationErrors, WarehouseId};

use super::finance::{csrf_refused, files_form};
use super::format::local_time;
use super::history::{HistoryRow, history};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageForm, PageId, PageResult, after_post, after_step, render,
    status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/returns", get(list_page).post(request_post))
        .route("/returns/new", get(new_page))
        .route("/returns/{id}", get(return_page))
        .route("/returns/{id}/decide", post(decide))
        .route("/returns/{id}/cancel", post(cancel))
        .route("/returns/{id}/receive", post(receive))
        .route("/returns/{id}/complete", post(complete))
        .route("/returns/{id}/photos/{photo_id}", get(photo))
}

fn status_label(lang: Lang, s: ReturnStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            ReturnStatus::Requested => "To decide",
            ReturnStatus::Approved => "Approved, goods expected",
            ReturnStatus::Rejected => "Rejected",
            ReturnStatus::Cancelled => "Withdrawn",
            ReturnStatus::Received => "Received",
            ReturnStatus::Closed => "Closed",
        },
    }
}

fn reason_label(lang: Lang, r: ReturnReason) -> &'static str {
    match lang {
        Lang::Zh => r.label_zh(),
        Lang::En => match r {
            ReturnReason::Quality => "Quality",
            ReturnReason::WrongGoods => "Wrong goods",
            ReturnReason::TransitDamage => "Damaged in transit",
            ReturnReason::ChangedMind => "Changed mind",
            ReturnReason::Other => "Other",
        },
    }
}

fn remedy_label(lang: Lang, r: Remedy) -> &'static str {
    match lang {
        Lang::Zh => r.label_zh(),
        Lang::En => match r {
            Remedy::Refund => "Refund",
            Remedy::Exchange => "Exchange",
            Remedy::Repair => "Repair",
        },
    }
}

/// A return as a row of the list.
struct Item {
    r: ReturnRow,
    status: &'static str,
    reason: &'static str,
    remedy: &'static str,
    units: i64,
    value: Money,
    requested: String,
}

fn item(lang: Lang, r: ReturnRow) -> Item {
    Item {
        status: status_label(lang, r.status),
        reason: reason_label(lang, r.reason),
        remedy: remedy_label(lang, r.remedy),
        units: r.lines.iter().map(|l| l.quantity).sum(),
        value: r.value(),
        requested: local_time(r.requested_at),
        r,
    }
}

#[derive(Template)]
#[template(path = "returns.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    items: Vec<Item>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    error: Option<String>,
}

/// GET /returns?status=
async fn list_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let status = q
        .get("status")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let parsed = super::optional::<ReturnStatus>(&status);
    let error = parsed.as_ref().err().map(|e| format!("status: {e}"));
    let rows = match parsed {
        Ok(status) => s
            .app
            .returns(
                &ctx,
                ReturnFilter {
                    status,
                    limit: 200,
                    ..ReturnFilter::default()
                },
            )
            .await
            .or_page(lang)?,
        Err(_) => Vec::new(),
    };
    Ok(render(
        status_of(&error),
        &ListPage {
            title: lang.pick("退换货", "Returns and exchanges").into(),
            items: rows.into_iter().map(|r| item(lang, r)).collect(),
            statuses: ReturnStatus::ALL
                .iter()
                .map(|st| (st.as_str(), status_label(lang, *st)))
                .collect(),
            status,
            error,
            chrome,
        },
    ))
}

#[derive(Template)]
#[template(path = "return_new.html")]
struct NewPage {
    title: String,
    chrome: Chrome,
    v: ReturnableView,
    reasons: Vec<(&'static str, &'static str)>,
    remedies: Vec<(&'static str, &'static str)>,
    form: HashMap<String, String>,
    error: Option<String>,
}

impl NewPage {
    fn field(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }

    fn qty(&self, line: &u32) -> &str {
        self.form
            .get(&format!("qty_{line}"))
            .map(String::as_str)
            .unwrap_or_default()
    }
}

async fn new_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    shipment: i64,
    form: HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let v = s.app.returnable(ctx, shipment).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &NewPage {
            title: format!(
                "{} · {}",
                lang.pick("申请退换货", "Request a return"),
                v.shipment_number
            ),
            v,
            reasons: ReturnReason::ALL
                .iter()
                .map(|r| (r.as_str(), reason_label(lang, *r)))
                .collect(),
            remedies: Remedy::ALL
                .iter()
                .map(|r| (r.as_str(), remedy_label(lang, *r)))
                .collect(),
            form,
            error,
            chrome,
        },
    ))
}

/// GET /returns/new?shipment_id=
async fn new_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let Some(shipment) = q.get("shipment_id").and_then(|v| PageId::parse(v.trim())) else {
        return Err(super::PageError::new(
            lang,
            ValidationErrors::single(
                "shipment_id",
                "required",
                "open this form from a delivered shipment",
            )
            .into(),
        ));
    };
    let mut form = HashMap::new();
    if let Some(c) = q
        .get("complaint_id")
        .filter(|c| PageId::parse(c.trim()).is_some())
    {
        form.insert("complaint_id".to_string(), c.trim().to_string());
    }
    new_view(&s, &ctx, chrome, shipment, form, None).await
}

/// The request form's fields: `shipment_id`, `reason`, `remedy`,
/// `description`, `qty_<line>` (empty or 0: not returned).
fn request_input(
    form: &HashMap<String, String>,
    shipment: i64,
) -> Result<ReturnInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let reason = get("reason").parse::<ReturnReason>();
    if let Err(x) = &reason {
        e.add("reason", "invalid", x.to_string());
    }
    let remedy = get("remedy").parse::<Remedy>();
    if let Err(x) = &remedy {
        e.add("remedy", "invalid", x.to_string());
    }
    let mut lines = Vec::new();
    let mut keys: Vec<(&String, &String)> =
        form.iter().filter(|(k, _)| k.starts_with("qty_")).collect();
    keys.sort();
    for (k, v) in keys {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match (k["qty_".len()..].parse::<u32>(), v.parse::<i64>()) {
            (Ok(_), Ok(0)) => {}
            (Ok(line_no), Ok(quantity)) => lines.push(ReturnLineInput { line_no, quantity }),
            _ => e.add(
                k.as_str(),
                "invalid",
                format!("'{v}' is not a whole number"),
            ),
        }
    }
    match (reason, remedy) {
        (Ok(reason), Ok(remedy)) if e.is_empty() => Ok(ReturnInput {
            shipment_id: shipment,
            reason,
            remedy,
            description: get("description"),
            lines,
        }),
        _ => Err(e),
    }
}

/// POST /returns: the request with its photos (multipart form).
async fn request_post(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    mut multipart: Multipart,
) -> PageResult {
    let lang = chrome.lang;
    let (form, photos) = match files_form(lang, &mut multipart, "photos").await {
        Ok(v) => v,
        Err((form, msg)) => {
            let shipment = form
                .get("shipment_id")
                .and_then(|v| PageId::parse(v))
                .unwrap_or(0);
            return new_view(&s, &ctx, chrome, shipment, form, Some(msg)).await;
        }
    };
    if form.get("_csrf").map(String::as_str) != Some(chrome.csrf.as_str()) {
        return Ok(csrf_refused());
    }
    let shipment = form
        .get("shipment_id")
        .and_then(|v| PageId::parse(v.trim()))
        .unwrap_or(0);
    // Raised from a complaint (AFS-2): linked to it in the same step.
    let complaint = form
        .get("complaint_id")
        .and_then(|v| PageId::parse(v.trim()));
    let outcome = match (request_input(&form, shipment), complaint) {
        (Ok(input), None) => s
            .app
            .request_return(&ctx, &input, &photos)
            .await
            .map(|r| r.id),
        (Ok(input), Some(c)) => s
            .app
            .complaint_to_return(&ctx, c, &input, &photos)
            .await
            .map(|v| v.complaint.return_id.unwrap_or_default()),
        (Err(e), _) => Err(AppError::Invalid(e)),
    };
    after_post(
        lang,
        outcome,
        |id: i64| format!("/returns/{id}"),
        |e| new_view(&s, &ctx, chrome, shipment, form.clone(), Some(e)),
    )
    .await
}

/// One line of a return as its page shows it.
struct LineView {
    line_no: u32,
    product: String,
    quantity: i64,
    unit_price: Money,
    value: Money,
    inspection: Option<Inspection>,
}

#[derive(Template)]
#[template(path = "return.html")]
struct ReturnPage {
    title: String,
    chrome: Chrome,
    r: ReturnRow,
    status: &'static str,
    reason: &'static str,
    remedy: &'static str,
    lines: Vec<LineView>,
    value: Money,
    /// (label, when, who-or-note) of the steps taken.
    steps: Vec<(&'static str, String, String)>,
    can_decide: bool,
    can_cancel: bool,
    can_receive: bool,
    can_complete: bool,
    /// (id, code) of warehouses for quarantined goods.
    warehouses: Vec<(i64, String)>,
    history: Option<Vec<HistoryRow>>,
    error: Option<String>,
}

async fn return_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let r = s.app.return_request(&ctx, id).await.or_page(lang)?;
    let can = |p| ctx.actor.can(p);
    let st = r.status;
    let can_receive = st == ReturnStatus::Approved && can(Permission::ReturnReceive);
    let warehouses = if can_receive && r.remedy != Remedy::Repair {
        s.app.warehouse_choices(&ctx).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut steps = vec![(
        lang.pick("申请", "Requested"),
        local_time(r.requested_at),
        r.requested_by_name.clone(),
    )];
    if let Some(at) = r.decided_at {
        let label = if st == ReturnStatus::Rejected {
            lang.pick("驳回", "Rejected")
        } else {
            lang.pick("批准", "Approved")
        };
        steps.push((
            label,
            local_time(at),
            r.decision_note.clone().unwrap_or_default(),
        ));
    }
    if let Some(at) = r.received_at {
        steps.push((
            lang.pick("收货检验", "Received"),
            local_time(at),
            r.receive_note.clone().unwrap_or_default(),
        ));
    }
    if let Some(at) = r.completed_at {
        steps.push((
            lang.pick("完结", "Closed"),
            local_time(at),
            r.outcome.clone().unwrap_or_default(),
        ));
    }
    let history = history(s, &ctx, "return", id).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &ReturnPage {
            title: format!(
                "{} {}",
                lang.pick("退换货", "Return"),
                r.rma.as_deref().unwrap_or(&r.number)
            ),
            status: status_label(lang, st),
            reason: reason_label(lang, r.reason),
            remedy: remedy_label(lang, r.remedy),
            lines: r
                .lines
                .iter()
                .map(|l| LineView {
                    line_no: l.line_no,
                    product: l.product_name.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    value: l.value(),
                    inspection: l.inspection,
                })
                .collect(),
            value: r.value(),
            steps,
            can_decide: st == ReturnStatus::Requested && can(Permission::ReturnApprove),
            can_cancel: st == ReturnStatus::Requested
                && can(Permission::ReturnRequest)
                && (r.requested_by == ctx.actor.user_id || can(Permission::ReturnApprove)),
            can_receive,
            can_complete: st == ReturnStatus::Received
                && can(match r.remedy {
                    Remedy::Refund => Permission::InvoiceWrite,
                    Remedy::Exchange => Permission::ReturnApprove,
                    Remedy::Repair => Permission::ReturnReceive,
                }),
            warehouses,
            history,
            r,
            error,
            chrome,
        },
    ))
}

/// GET /returns/{id}
async fn return_page(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    return_view(&s, auth, id, None).await
}

fn back(id: i64) -> impl FnOnce(ReturnRow) -> String {
    move |_| format!("/returns/{id}")
}

/// POST /returns/{id}/decide: `decision` = approve | reject, `note`.
async fn decide(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let approve = form.get("decision").map(String::as_str) == Some("approve");
    let note = form.get("note").cloned().unwrap_or_default();
    let outcome = s.app.decide_return(&auth.ctx, id, approve, &note).await;
    after_step(&s, auth, id, outcome, back(id), return_view).await
}

/// POST /returns/{id}/cancel
async fn cancel(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _form): PageForm,
) -> PageResult {
    let outcome = s.app.cancel_return(&auth.ctx, id).await;
    after_step(&s, auth, id, outcome, back(id), return_view).await
}

/// POST /returns/{id}/receive: `restock_<line>`, `quarantine_<line>`,
/// `scrap_<line>` (empty: 0), `quarantine_warehouse_id`, `note`.
async fn receive(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let r = s
        .app
        .return_request(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let mut e = ValidationErrors::new();
    let mut num = |k: String| -> i64 {
        match form.get(&k).map(|v| v.trim()).unwrap_or_default() {
            "" => 0,
            v => v.parse().unwrap_or_else(|_| {
                e.add(k.clone(), "invalid", format!("'{v}' is not a whole number"));
                0
            }),
        }
    };
    let mut lines = BTreeMap::new();
    if r.remedy != Remedy::Repair {
        for l in &r.lines {
            let n = l.line_no;
            lines.insert(
                n,
                Inspection {
                    restock: num(format!("restock_{n}")),
                    quarantine: num(format!("quarantine_{n}")),
                    scrap: num(format!("scrap_{n}")),
                },
            );
        }
    }
    let warehouse = form
        .get("quarantine_warehouse_id")
        .and_then(|v| PageId::parse(v.trim()))
        .map(WarehouseId);
    let input = ReceiveInput {
        lines,
        quarantine_warehouse_id: warehouse,
        note: form.get("note").cloned().unwrap_or_default(),
    };
    let outcome = match e.into_result(()) {
        Ok(()) => s.app.receive_return(&auth.ctx, id, &input).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_step(&s, auth, id, outcome, back(id), return_view).await
}

/// POST /returns/{id}/complete: `note`.
async fn complete(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let input = CompleteReturnInput {
        note: form.get("note").cloned().unwrap_or_default(),
    };
    let outcome = s.app.complete_return(&auth.ctx, id, &input).await;
    after_step(&s, auth, id, outcome, back(id), return_view).await
}

/// GET /returns/{id}/photos/{photo_id}
async fn photo(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    axum::extract::Path((id, photo)): axum::extract::Path<(String, String)>,
) -> PageResult<Response> {
    let (Some(id), Some(photo)) = (PageId::parse(&id), PageId::parse(&photo)) else {
        return Ok(super::not_found_page());
    };
    let file = s
        .app
        .return_photo(&ctx, id, photo)
        .await
        .or_page(chrome.lang)?;
    Ok(crate::api::finance::file_response(file))
}
