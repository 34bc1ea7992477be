//! Complaints and feedback (投诉与反馈, AFS-2): the list with each
//! complaint's 24-hour clock (overdue ones first to the eye), recording
//! one, and one complaint with its course and the step forms.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use kaidan_app::after_sales::{ComplaintStepInput, ComplaintView};
use kaidan_app::ports::ComplaintFilter;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::after_sales::{
    AckState, ComplaintChannel, ComplaintDepartment, ComplaintInput, ComplaintStatus, ComplaintStep,
};
use kaidan_domain::{CustomerId, OrderId, Permission, UserId, ValidationErrors};

use super::finance::customer_names;
use super::format::local_time;
use super::history::{HistoryRow, history};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageForm, PageId, PageResult, after_post, after_step, render,
    status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list_page).post(record))
        .route("/complaints/{id}", get(complaint_page))
        .route("/complaints/{id}/step", post(step))
}

fn status_label(lang: Lang, s: ComplaintStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            ComplaintStatus::Open => "To acknowledge",
            ComplaintStatus::Acknowledged => "Being handled",
            ComplaintStatus::Resolved => "Awaiting the customer",
            ComplaintStatus::Closed => "Closed",
        },
    }
}

fn clock_label(lang: Lang, s: AckState) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            AckState::Running => "Running",
            AckState::DueSoon => "Due soon",
            AckState::Overdue => "Overdue",
            AckState::Met => "Answered in time",
            AckState::Late => "Answered late",
        },
    }
}

fn department_label(lang: Lang, d: ComplaintDepartment) -> &'static str {
    match lang {
        Lang::Zh => d.label_zh(),
        Lang::En => match d {
            ComplaintDepartment::Sales => "Sales",
            ComplaintDepartment::Warehouse => "Warehouse",
            ComplaintDepartment::Logistics => "Logistics",
            ComplaintDepartment::Quality => "Quality",
            ComplaintDepartment::Finance => "Finance",
        },
    }
}

fn channel_label(lang: Lang, c: ComplaintChannel) -> &'static str {
    match lang {
        Lang::Zh => c.label_zh(),
        Lang::En => match c {
            ComplaintChannel::Phone => "Phone",
            ComplaintChannel::Portal => "Portal",
            ComplaintChannel::Email => "Email",
            ComplaintChannel::Visit => "Visit",
            ComplaintChannel::Other => "Other",
        },
    }
}

/// The clock as the page shows it: its label, its state for the style,
/// and the due time or the time left.
struct Clock {
    label: &'static str,
    state: &'static str,
    due: String,
    left: String,
}

fn clock(lang: Lang, v: &ComplaintView) -> Clock {
    let left = match v.clock.minutes_left {
        Some(m) if m >= 0 => format!("{}{}h{:02}m", lang.pick("剩余 ", ""), m / 60, m % 60),
        Some(m) => format!(
            "{}{}h{:02}m",
            lang.pick("超时 ", "late by "),
            -m / 60,
            -m % 60
        ),
        None => String::new(),
    };
    Clock {
        label: clock_label(lang, v.clock.state),
        state: v.clock.state.as_str(),
        due: local_time(v.clock.due_at),
        left,
    }
}

struct Item {
    v: ComplaintView,
    status: &'static str,
    department: &'static str,
    channel: &'static str,
    clock: Clock,
    received: String,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    items: Vec<Item>,
    statuses: Vec<(&'static str, &'static str)>,
    departments: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    customers: Vec<(i64, String)>,
    status: String,
    department: String,
    mine: bool,
    can_record: bool,
    form: HashMap<String, String>,
    error: Option<String>,
}

impl ListPage {
    fn field(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }
}

async fn list_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    form: HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let raw = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (status, department, mine) = (raw("status"), raw("department"), raw("mine") == "1");
    let mut bad = Vec::new();
    let st = super::optional::<ComplaintStatus>(&status).unwrap_or_else(|e| {
        bad.push(format!("status: {e}"));
        None
    });
    let dept = super::optional::<ComplaintDepartment>(&department).unwrap_or_else(|e| {
        bad.push(format!("department: {e}"));
        None
    });
    let rows = if bad.is_empty() {
        let f = ComplaintFilter {
            status: st,
            department: dept,
            owner: mine.then_some(ctx.actor.user_id),
            // Without a status asked for: the ones still open.
            open_only: status.is_empty(),
            limit: 200,
            ..ComplaintFilter::default()
        };
        s.app.complaints(ctx, f).await.or_page(lang)?
    } else {
        Vec::new()
    };
    let error = error.or((!bad.is_empty()).then(|| bad.join("; ")));
    let can_record = ctx.actor.can(Permission::ComplaintCreate) && ctx.actor.customer_id.is_none();
    let mut customers: Vec<(i64, String)> = if can_record {
        customer_names(s, ctx).await.into_iter().collect()
    } else {
        Vec::new()
    };
    customers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(render(
        status_of(&error),
        &ListPage {
            title: lang.pick("投诉与反馈", "Complaints and feedback").into(),
            items: rows
                .into_iter()
                .map(|v| Item {
                    status: status_label(lang, v.complaint.status),
                    department: department_label(lang, v.complaint.department),
                    channel: channel_label(lang, v.complaint.channel),
                    clock: clock(lang, &v),
                    received: local_time(v.complaint.received_at),
                    v,
                })
                .collect(),
            statuses: ComplaintStatus::ALL
                .iter()
                .map(|x| (x.as_str(), status_label(lang, *x)))
                .collect(),
            departments: ComplaintDepartment::ALL
                .iter()
                .map(|x| (x.as_str(), department_label(lang, *x)))
                .collect(),
            channels: ComplaintChannel::ALL
                .iter()
                .filter(|c| **c != ComplaintChannel::Portal)
                .map(|x| (x.as_str(), channel_label(lang, *x)))
                .collect(),
            customers,
            status,
            department,
            mine,
            can_record,
            form,
            error,
            chrome,
        },
    ))
}

/// GET /complaints?status=&department=&mine=1 (default: those not closed)
async fn list_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    list_view(&s, &ctx, chrome, &q, HashMap::new(), None).await
}

/// The record form's fields, each refused by name when unreadable.
fn complaint_input(form: &HashMap<String, String>) -> Result<ComplaintInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let customer = get("customer_id").parse::<i64>();
    if customer.is_err() {
        e.add("customer_id", "required", "choose the customer");
    }
    let channel = get("channel").parse::<ComplaintChannel>();
    if let Err(x) = &channel {
        e.add("channel", "invalid", x.to_string());
    }
    let department = get("department").parse::<ComplaintDepartment>();
    if let Err(x) = &department {
        e.add("department", "invalid", x.to_string());
    }
    let mut id = |k: &str| -> Option<i64> {
        let v = get(k);
        if v.is_empty() {
            return None;
        }
        let parsed = PageId::parse(&v);
        if parsed.is_none() {
            e.add(k, "invalid", format!("'{v}' is not an id"));
        }
        parsed
    };
    let (order_id, shipment_id) = (id("order_id"), id("shipment_id"));
    match (customer, channel, department) {
        (Ok(c), Ok(channel), Ok(department)) if e.is_empty() => Ok(ComplaintInput {
            customer_id: CustomerId(c),
            channel,
            department,
            subject: get("subject"),
            detail: get("detail"),
            order_id: order_id.map(OrderId),
            shipment_id,
            return_id: None,
            owner_id: None,
            received_at: None,
        }),
        _ => Err(e),
    }
}

/// POST /complaints: a new complaint; on to its page.
async fn record(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let outcome = match complaint_input(&form) {
        Ok(input) => s.app.record_complaint(&ctx, &input).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    let none = BTreeMap::new();
    after_post(
        lang,
        outcome,
        |v: ComplaintView| format!("/complaints/{}", v.complaint.id),
        |e| list_view(&s, &ctx, chrome, &none, form.clone(), Some(e)),
    )
    .await
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    title: String,
    chrome: Chrome,
    v: ComplaintView,
    status: &'static str,
    department: &'static str,
    channel: &'static str,
    clock: Clock,
    received: String,
    /// (when, who, step, note)
    log: Vec<(String, String, String, String)>,
    departments: Vec<(&'static str, &'static str)>,
    /// The steps this actor may take now: (step, label).
    steps: Vec<(&'static str, &'static str)>,
    can_return: bool,
    history: Option<Vec<HistoryRow>>,
    error: Option<String>,
}

fn step_label(lang: Lang, s: &str) -> String {
    let (zh, en) = match s {
        "received" => ("收到投诉", "Received"),
        "acknowledge" => ("受理", "Acknowledged"),
        "assign" => ("转派", "Routed"),
        "resolve" => ("提出解决方案", "Resolved"),
        "confirm" => ("客户确认", "Customer confirmed"),
        "reopen" => ("客户不满意,重新处理", "Reopened"),
        "callback" => ("回访", "Callback"),
        "return" => ("发起退换货", "Return raised"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

async fn complaint_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let v = s.app.complaint(&ctx, id).await.or_page(lang)?;
    let handle = ctx.actor.can(Permission::ComplaintHandle);
    let steps: Vec<(&'static str, &'static str)> = [
        (ComplaintStep::Acknowledge, lang.pick("受理", "Acknowledge")),
        (ComplaintStep::Assign, lang.pick("转派", "Route")),
        (ComplaintStep::Resolve, lang.pick("提出解决方案", "Resolve")),
        (
            ComplaintStep::Confirm,
            lang.pick("客户确认解决", "Customer confirms"),
        ),
        (
            ComplaintStep::Reopen,
            lang.pick("客户不满意", "Customer not satisfied"),
        ),
        (
            ComplaintStep::Callback,
            lang.pick("记录回访", "Record the callback"),
        ),
    ]
    .into_iter()
    .filter(|(st, _)| handle && v.complaint.status.after(*st).is_some())
    .map(|(st, l)| (st.as_str(), l))
    .collect();
    let history = history(s, &ctx, "complaint", id).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &ComplaintPage {
            title: format!("{} {}", lang.pick("投诉", "Complaint"), v.complaint.number),
            status: status_label(lang, v.complaint.status),
            department: department_label(lang, v.complaint.department),
            channel: channel_label(lang, v.complaint.channel),
            clock: clock(lang, &v),
            received: local_time(v.complaint.received_at),
            log: v
                .complaint
                .log
                .iter()
                .map(|l| {
                    (
                        local_time(l.at),
                        l.by.clone(),
                        step_label(lang, &l.step),
                        l.note.clone(),
                    )
                })
                .collect(),
            departments: ComplaintDepartment::ALL
                .iter()
                .map(|x| (x.as_str(), department_label(lang, *x)))
                .collect(),
            can_return: handle
                && ctx.actor.can(Permission::ReturnRequest)
                && v.complaint.return_id.is_none()
                && v.complaint.shipment_id.is_some()
                && v.complaint.status != ComplaintStatus::Closed,
            steps,
            history,
            v,
            error,
            chrome,
        },
    ))
}

/// GET /complaints/{id}
async fn complaint_page(
    State(s): State<AppState>,
    auth: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    complaint_view(&s, auth, id, None).await
}

/// POST /complaints/{id}/step: `step`, `note`, `department`, `owner_id`.
async fn step(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let parsed = (
        get("step").parse::<ComplaintStep>(),
        super::optional::<ComplaintDepartment>(&get("department")),
        super::optional::<i64>(&get("owner_id")),
    );
    let outcome = match parsed {
        (Ok(step), Ok(department), Ok(owner)) => {
            let input = ComplaintStepInput {
                step,
                note: get("note"),
                department,
                owner_id: owner.map(UserId),
            };
            s.app.complaint_step(&auth.ctx, id, &input).await
        }
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            format!(
                "'{}' / '{}' / '{}' is not a step, a department and a user id",
                get("step"),
                get("department"),
                get("owner_id")
            ),
        )),
    };
    after_step(
        &s,
        auth,
        id,
        outcome,
        |_| format!("/complaints/{id}"),
        complaint_view,
    )
    .await
}
