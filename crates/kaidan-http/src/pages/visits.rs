//! The customer visits' pages (SAL-2): the month per rep (plans, visits,
//! late reports, inquiries, open follow-ups; KPI-5), a rep's plan form and
//! its page with the manager's approval, the report form and a report's
//! page with the review and the things promised.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::ports::{VisitPlan, VisitReport};
use kaidan_app::visits::VisitMonth;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::master::CustomerData;
use kaidan_domain::visits::{
    ActionInput, PlannedVisitInput, VisitPlanInput, VisitPlanStatus, VisitPurpose,
    VisitReportInput, month_start,
};
use kaidan_domain::{CustomerId, Money, Permission, ValidationErrors};

use super::format::local_time;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

/// Rows of an empty plan form.
const PLAN_ROWS: usize = 12;
/// Follow-up rows of the report form.
const ACTION_ROWS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visits", get(month_page))
        .route("/visits/plan/{month}", get(plan_form).post(save_plan))
        .route("/visits/plans/{id}", get(plan_page))
        .route("/visits/plans/{id}/step", post(plan_step))
        .route("/visits/reports/new", get(report_form).post(save_report))
        .route("/visits/reports/{id}", get(report_page).post(report_step))
}

pub(crate) fn purpose_name(lang: Lang, p: VisitPurpose) -> &'static str {
    match p {
        VisitPurpose::MarketResearch => lang.pick("市场调查", "Market research"),
        VisitPurpose::Competitors => lang.pick("了解竞争对手", "Competitors"),
        VisitPurpose::CustomerCare => lang.pick("客户保养", "Customer care"),
        VisitPurpose::Collection => lang.pick("结清货款", "Collection"),
        VisitPurpose::NewCustomer => lang.pick("开发新客户", "New customer"),
        VisitPurpose::NewProduct => lang.pick("新产品推广", "New product"),
    }
}

fn status_name(lang: Lang, s: VisitPlanStatus) -> &'static str {
    match s {
        VisitPlanStatus::Draft => lang.pick("草稿", "Draft"),
        VisitPlanStatus::Submitted => lang.pick("待经理审核", "Submitted"),
        VisitPlanStatus::Approved => lang.pick("已批准", "Approved"),
        VisitPlanStatus::Returned => lang.pick("已退回", "Returned"),
    }
}

fn refused(lang: Lang, e: ValidationErrors) -> PageError {
    PageError::new(lang, AppError::Invalid(e))
}

fn this_month(s: &AppState) -> String {
    let d = s.app.today_date();
    format!("{:04}-{:02}", d.year(), d.month())
}

fn next_month(s: &AppState) -> String {
    let d = s
        .app
        .today_date()
        .last_of_month()
        .tomorrow()
        .unwrap_or(s.app.today_date());
    format!("{:04}-{:02}", d.year(), d.month())
}

fn whom(r: &VisitReport) -> String {
    r.customer
        .clone()
        .or_else(|| r.prospect.clone())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "visits.html")]
struct MonthPage {
    chrome: Chrome,
    title: String,
    month: String,
    summary: VisitMonth,
    /// Each row's plan state in the reader's language.
    states: Vec<&'static str>,
    plans: Vec<(VisitPlan, &'static str)>,
    reports: Vec<VisitReport>,
    can_write: bool,
    next_month: String,
}

/// GET /visits?month=YYYY-MM
async fn month_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let month = q
        .get("month")
        .cloned()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| this_month(&s));
    let summary = s.app.visit_month(&ctx, &month).await.or_page(lang)?;
    let plans = s
        .app
        .visit_plans(&ctx, &summary.month)
        .await
        .or_page(lang)?;
    let reports = s
        .app
        .visit_reports(&ctx, &summary.month)
        .await
        .or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &MonthPage {
            title: lang.t("visits").into(),
            month: summary.month.clone(),
            states: summary
                .rows
                .iter()
                .map(|r| r.plan_status.map_or("", |st| status_name(lang, st)))
                .collect(),
            plans: plans
                .into_iter()
                .map(|p| {
                    let st = status_name(lang, p.status);
                    (p, st)
                })
                .collect(),
            summary,
            reports,
            can_write: ctx.actor.can(Permission::VisitsWrite),
            next_month: next_month(&s),
            chrome,
        },
    ))
}

struct PlanRow {
    customer: String,
    prospect: String,
    day: String,
    hours: String,
    purpose: String,
    expense: String,
    gifts: String,
}

#[derive(Template)]
#[template(path = "visit_plan_form.html")]
struct PlanForm {
    chrome: Chrome,
    title: String,
    month: String,
    note: String,
    rows: Vec<PlanRow>,
    purposes: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn plan_form_view(
    s: &AppState,
    auth: PageAuth,
    month: String,
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let first = month_start(&month).map_err(|e| refused(lang, e))?;
    let key = format!("{:04}-{:02}", first.year(), first.month());
    let mine = s
        .app
        .visit_plans(&auth.ctx, &key)
        .await
        .or_page(lang)?
        .into_iter()
        .find(|p| p.rep_id == auth.ctx.actor.user_id);
    let mut rows: Vec<PlanRow> = match (typed, &mine) {
        (Some(f), _) => (0..PLAN_ROWS.max(count_rows(f, kaidan_domain::visits::MAX_PLAN_VISITS)))
            .map(|i| {
                let g = |k: &str| f.get(&format!("{k}{i}")).cloned().unwrap_or_default();
                PlanRow {
                    customer: g("customer"),
                    prospect: g("prospect"),
                    day: g("day"),
                    hours: g("hours"),
                    purpose: g("purpose"),
                    expense: g("expense"),
                    gifts: g("gifts"),
                }
            })
            .collect(),
        (None, Some(p)) => p
            .visits
            .iter()
            .map(|v| PlanRow {
                customer: v
                    .customer
                    .as_deref()
                    .and_then(|c| c.split_whitespace().next())
                    .unwrap_or_default()
                    .to_string(),
                prospect: v.visit.prospect.clone().unwrap_or_default(),
                day: v.visit.day.to_string(),
                hours: format!(
                    "{}",
                    rust_decimal::Decimal::new(v.visit.minutes * 10 / 60, 1).normalize()
                ),
                purpose: v.visit.purpose.as_str().to_string(),
                expense: v.visit.expense.round_to_fen().to_string(),
                gifts: v.visit.gifts.clone().unwrap_or_default(),
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    while rows.len() < PLAN_ROWS {
        rows.push(PlanRow {
            customer: String::new(),
            prospect: String::new(),
            day: String::new(),
            hours: String::new(),
            purpose: String::new(),
            expense: String::new(),
            gifts: String::new(),
        });
    }
    let note = typed
        .and_then(|f| f.get("note").cloned())
        .or_else(|| mine.and_then(|p| p.note))
        .unwrap_or_default();
    Ok(render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PlanForm {
            title: format!("{} {key}", lang.pick("拜访计划", "Visit plan")),
            month: key,
            note,
            rows,
            purposes: VisitPurpose::ALL
                .iter()
                .map(|p| (p.as_str(), purpose_name(lang, *p)))
                .collect(),
            error,
            chrome: auth.chrome,
        },
    ))
}

/// How many rows a posted grid form has (its highest `dayN` + 1), at most
/// `max`.
pub(super) fn count_rows(f: &HashMap<String, String>, max: usize) -> usize {
    f.keys()
        .filter_map(|k| k.strip_prefix("day").and_then(|n| n.parse::<usize>().ok()))
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
        .min(max)
}

/// GET /visits/plan/{month}: one's own plan of the month as a form.
async fn plan_form(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(month): Path<String>,
) -> PageResult {
    auth.ctx
        .require(Permission::VisitsWrite)
        .map_err(|e| PageError::new(auth.chrome.lang, e))?;
    plan_form_view(&s, auth, month, None, None).await
}

fn amount(e: &mut ValidationErrors, field: &str, raw: &str) -> Money {
    let t = raw.trim().replace(',', "");
    if t.is_empty() {
        return Money::ZERO;
    }
    t.parse::<Money>().unwrap_or_else(|err| {
        e.add(field, "invalid", format!("'{raw}': {err}"));
        Money::ZERO
    })
}

/// POST /visits/plan/{month}: writes one's plan; a row without a day is
/// left out; a customer is named by its code.
async fn save_plan(
    State(s): State<AppState>,
    Path(month): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let mut e = ValidationErrors::new();
    let mut visits = Vec::new();
    for i in 0..count_rows(&form, kaidan_domain::visits::MAX_PLAN_VISITS) {
        let g = |k: &str| {
            form.get(&format!("{k}{i}"))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        if g("day").is_empty() {
            continue;
        }
        let row = i + 1;
        let customer_id = if g("customer").is_empty() {
            None
        } else {
            match s
                .app
                .id_by_code::<CustomerData>(&auth.ctx, &g("customer"))
                .await
            {
                Ok(id) => Some(CustomerId(id)),
                Err(_) => {
                    e.add(
                        format!("row {row} customer"),
                        "unknown_reference",
                        format!("no customer with the code '{}'", g("customer")),
                    );
                    None
                }
            }
        };
        let day = g("day").parse::<Date>().unwrap_or_else(|_| {
            e.add(
                format!("row {row} day"),
                "invalid",
                format!("'{}' is not a day (YYYY-MM-DD)", g("day")),
            );
            Date::MIN
        });
        let hours = g("hours").parse().unwrap_or_else(|_| {
            e.add(
                format!("row {row} hours"),
                "invalid",
                format!("'{}' is not a number of hours", g("hours")),
            );
            rust_decimal::Decimal::ONE
        });
        let purpose = g("purpose").parse::<VisitPurpose>().unwrap_or_else(|err| {
            e.add(format!("row {row} purpose"), "invalid", err.to_string());
            VisitPurpose::CustomerCare
        });
        let expense = amount(&mut e, &format!("row {row} expense"), &g("expense"));
        visits.push(PlannedVisitInput {
            customer_id,
            prospect: Some(g("prospect")).filter(|p| !p.is_empty()),
            day,
            hours,
            purpose,
            expense,
            gifts: Some(g("gifts")).filter(|p| !p.is_empty()),
        });
    }
    if !e.is_empty() {
        return plan_form_view(&s, auth, month, Some(&form), Some(e.to_string())).await;
    }
    let input = VisitPlanInput {
        note: form.get("note").cloned(),
        visits,
    };
    match s.app.put_visit_plan(&auth.ctx, &month, input).await {
        Ok(p) => Ok(Redirect::to(&format!("/visits/plans/{}", p.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            plan_form_view(&s, auth, month, Some(&form), Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// A planned visit as the plan's page shows it.
struct VisitLine {
    no: i64,
    whom: String,
    day: String,
    hours: String,
    purpose: &'static str,
    expense: String,
    gifts: String,
    reported: bool,
}

#[derive(Template)]
#[template(path = "visit_plan.html")]
struct PlanPage {
    chrome: Chrome,
    title: String,
    plan: VisitPlan,
    status: &'static str,
    visits: Vec<VisitLine>,
    can_edit: bool,
    can_decide: bool,
    can_report: bool,
    error: Option<String>,
}

async fn plan_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let plan = s.app.visit_plan(ctx, id).await.or_page(lang)?;
    let mine = plan.rep_id == ctx.actor.user_id;
    let visits = plan
        .visits
        .iter()
        .map(|v| VisitLine {
            no: v.visit_no,
            whom: v
                .customer
                .clone()
                .or_else(|| v.visit.prospect.clone())
                .unwrap_or_default(),
            day: v.visit.day.to_string(),
            hours: format!(
                "{}",
                rust_decimal::Decimal::new(v.visit.minutes * 10 / 60, 1).normalize()
            ),
            purpose: purpose_name(lang, v.visit.purpose),
            expense: v.visit.expense.round_to_fen().to_string(),
            gifts: v.visit.gifts.clone().unwrap_or_default(),
            reported: v.reported,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &PlanPage {
            title: format!(
                "{} {} · {}",
                lang.pick("拜访计划", "Visit plan"),
                plan.month,
                plan.rep
            ),
            status: status_name(lang, plan.status),
            visits,
            can_edit: mine && plan.status.is_editable() && ctx.actor.can(Permission::VisitsWrite),
            can_decide: !mine
                && plan.status == VisitPlanStatus::Submitted
                && ctx.actor.can(Permission::VisitsApprove),
            can_report: mine && plan.status == VisitPlanStatus::Approved,
            error,
            plan,
            chrome,
        },
    ))
}

/// GET /visits/plans/{id}
async fn plan_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(chrome.lang, &id)?;
    plan_view(&s, &ctx, chrome, id, None).await
}

/// A record's id from its path: a whole number above 0.
pub(super) fn parse_id(lang: Lang, raw: &str) -> Result<i64, PageError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            PageError::new(
                lang,
                AppError::invalid("id", "invalid", format!("'{raw}' is not an id")),
            )
        })
}

/// POST /visits/plans/{id}/step: submit, approve, return.
async fn plan_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let id = parse_id(lang, &id)?;
    let r = match form.get("step").map(String::as_str) {
        Some("submit") => s.app.submit_visit_plan(&auth.ctx, id).await,
        Some("approve") => s.app.approve_visit_plan(&auth.ctx, id).await,
        Some("return") => {
            s.app
                .return_visit_plan(
                    &auth.ctx,
                    id,
                    form.get("reason").cloned().unwrap_or_default(),
                )
                .await
        }
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "submit, approve or return",
        )),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/visits/plans/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            plan_view(&s, &auth.ctx, auth.chrome, id, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "visit_report_form.html")]
struct ReportForm {
    chrome: Chrome,
    title: String,
    fields: HashMap<String, String>,
    purposes: Vec<(&'static str, &'static str)>,
    actions: Vec<usize>,
    error: Option<String>,
}

impl ReportForm {
    fn v(&self, k: &str) -> String {
        self.fields.get(k).cloned().unwrap_or_default()
    }
}

async fn report_form_view(
    s: &AppState,
    auth: PageAuth,
    mut fields: HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    // From a planned visit: its customer or prospect, its day, its purpose.
    if error.is_none()
        && let (Some(plan), Some(no)) = (
            fields.get("plan_id").and_then(|p| p.parse::<i64>().ok()),
            fields.get("visit_no").and_then(|p| p.parse::<i64>().ok()),
        )
    {
        let p = s.app.visit_plan(&auth.ctx, plan).await.or_page(lang)?;
        if let Some(v) = p.visits.iter().find(|v| v.visit_no == no) {
            let code = v
                .customer
                .as_deref()
                .and_then(|c| c.split_whitespace().next())
                .unwrap_or_default();
            fields.insert("customer".into(), code.to_string());
            fields.insert(
                "prospect".into(),
                v.visit.prospect.clone().unwrap_or_default(),
            );
            fields.insert("visited_on".into(), v.visit.day.to_string());
            fields.insert("purpose".into(), v.visit.purpose.as_str().into());
        }
    }
    fields
        .entry("visited_on".into())
        .or_insert_with(|| s.app.today_date().to_string());
    Ok(render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ReportForm {
            title: lang.pick("拜访报告", "Visit report").into(),
            fields,
            purposes: VisitPurpose::ALL
                .iter()
                .map(|p| (p.as_str(), purpose_name(lang, *p)))
                .collect(),
            actions: (0..ACTION_ROWS).collect(),
            error,
            chrome: auth.chrome,
        },
    ))
}

/// GET /visits/reports/new[?plan_id=&visit_no=]
async fn report_form(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    auth.ctx
        .require(Permission::VisitsWrite)
        .map_err(|e| PageError::new(auth.chrome.lang, e))?;
    report_form_view(&s, auth, q, None).await
}

/// POST /visits/reports/new
async fn save_report(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let g = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut e = ValidationErrors::new();
    let customer_id = if g("customer").is_empty() {
        None
    } else {
        match s
            .app
            .id_by_code::<CustomerData>(&auth.ctx, &g("customer"))
            .await
        {
            Ok(id) => Some(CustomerId(id)),
            Err(_) => {
                e.add(
                    "customer",
                    "unknown_reference",
                    format!("no customer with the code '{}'", g("customer")),
                );
                None
            }
        }
    };
    let day = |k: &str, e: &mut ValidationErrors| {
        g(k).parse::<Date>().unwrap_or_else(|_| {
            e.add(
                k,
                "invalid",
                format!("'{}' is not a day (YYYY-MM-DD)", g(k)),
            );
            Date::MIN
        })
    };
    let visited_on = day("visited_on", &mut e);
    let purpose = g("purpose").parse::<VisitPurpose>().unwrap_or_else(|err| {
        e.add("purpose", "invalid", err.to_string());
        VisitPurpose::CustomerCare
    });
    let inquiries = if g("inquiries").is_empty() {
        0
    } else {
        g("inquiries").parse::<i64>().unwrap_or_else(|_| {
            e.add("inquiries", "invalid", "a whole number");
            0
        })
    };
    let mut actions = Vec::new();
    for i in 0..ACTION_ROWS {
        let what = g(&format!("action{i}"));
        if what.is_empty() {
            continue;
        }
        actions.push(ActionInput {
            what,
            due: day(&format!("due{i}"), &mut e),
        });
    }
    if !e.is_empty() {
        return report_form_view(&s, auth, form, Some(e.to_string())).await;
    }
    let input = VisitReportInput {
        plan_id: g("plan_id").parse().ok(),
        visit_no: g("visit_no").parse().ok(),
        customer_id,
        prospect: Some(g("prospect")).filter(|p| !p.is_empty()),
        visited_on,
        purpose,
        summary: g("summary"),
        inquiries,
        actions,
    };
    match s.app.record_visit_report(&auth.ctx, input).await {
        Ok(r) => Ok(Redirect::to(&format!("/visits/reports/{}", r.id)).into_response()),
        Err(AppError::Invalid(e)) => report_form_view(&s, auth, form, Some(e.to_string())).await,
        Err(e) => Err(PageError::new(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "visit_report.html")]
struct ReportPage {
    chrome: Chrome,
    title: String,
    r: VisitReport,
    whom: String,
    purpose: &'static str,
    written: String,
    reviewed: String,
    actions: Vec<(i64, String, String, String, bool)>,
    can_review: bool,
    can_close: bool,
    error: Option<String>,
}

async fn report_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let r = s.app.visit_report(ctx, id).await.or_page(lang)?;
    let mine = r.rep_id == ctx.actor.user_id;
    let today = s.app.today_date();
    Ok(render(
        StatusCode::OK,
        &ReportPage {
            title: format!(
                "{} · {} · {}",
                lang.pick("拜访报告", "Visit report"),
                r.rep,
                r.visited_on
            ),
            whom: whom(&r),
            purpose: purpose_name(lang, r.purpose),
            written: local_time(r.written_at),
            reviewed: r.reviewed_at.map(local_time).unwrap_or_default(),
            actions: r
                .actions
                .iter()
                .map(|a| {
                    (
                        a.action_no,
                        a.what.clone(),
                        a.due.to_string(),
                        a.done_at
                            .map(|at| match &a.done_note {
                                Some(n) => format!("{} · {n}", local_time(at)),
                                None => local_time(at),
                            })
                            .unwrap_or_default(),
                        a.done_at.is_none() && a.due < today,
                    )
                })
                .collect(),
            can_review: !mine
                && r.reviewed_at.is_none()
                && ctx.actor.can(Permission::VisitsApprove),
            can_close: (mine && ctx.actor.can(Permission::VisitsWrite))
                || (!mine && ctx.actor.can(Permission::VisitsApprove)),
            error,
            r,
            chrome,
        },
    ))
}

/// GET /visits/reports/{id}
async fn report_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(chrome.lang, &id)?;
    report_view(&s, &ctx, chrome, id, None).await
}

/// POST /visits/reports/{id}: the review, or a promised thing done.
async fn report_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let id = parse_id(lang, &id)?;
    let note = form.get("note").cloned().filter(|n| !n.trim().is_empty());
    let r = match form.get("step").map(String::as_str) {
        Some("review") => s.app.review_visit_report(&auth.ctx, id, note).await,
        Some("done") => {
            let no = form
                .get("action_no")
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0);
            s.app.close_visit_action(&auth.ctx, id, no, note).await
        }
        _ => Err(AppError::invalid("step", "invalid", "review or done")),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/visits/reports/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            report_view(&s, &auth.ctx, auth.chrome, id, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}
