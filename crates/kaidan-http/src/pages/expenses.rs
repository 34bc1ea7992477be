//! The expenses' pages (SAL-3): the month's budgets per team and rep with
//! the claims (and the general manager's budget form), a claim form, and a
//! claim's page with its receipts, its checks against the plan and the
//! budgets, and the steps of whoever may take them.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use jiff::civil::Date;
use kaidan_app::expenses::{ClaimDecision, ClaimView, ExpenseMonth};
use kaidan_app::ports::ExpenseClaim;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::expenses::{
    BudgetLine, BudgetSubject, ExpenseCategory, ExpenseClaimInput, ExpenseLineInput, ExpenseStatus,
    MAX_CLAIM_LINES,
};
use kaidan_domain::master::CustomerData;
use kaidan_domain::visits::month_start;
use kaidan_domain::{CustomerId, Money, Permission, ValidationErrors};

use super::finance::{csrf_refused, files_form};
use super::visits::{count_rows, parse_id};
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

/// Rows of an empty claim form.
const CLAIM_ROWS: usize = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/expenses", get(month_page).post(budgets_post))
        .route("/expenses/claims/new", get(new_form).post(save_new))
        .route("/expenses/claims/{id}", get(claim_page).post(claim_step))
        .route("/expenses/claims/{id}/edit", get(edit_form).post(save_edit))
        .route(
            "/expenses/claims/{id}/receipts",
            axum::routing::post(receipt_post),
        )
        .route("/expenses/claims/{id}/receipts/{no}", get(receipt_file))
}

pub(crate) fn category_name(lang: Lang, c: ExpenseCategory) -> &'static str {
    match c {
        ExpenseCategory::Travel => lang.pick("差旅", "Travel"),
        ExpenseCategory::Entertainment => lang.pick("招待", "Entertainment"),
        ExpenseCategory::Gifts => lang.pick("礼品", "Gifts"),
        ExpenseCategory::Samples => lang.pick("样品", "Samples"),
    }
}

fn status_name(lang: Lang, s: ExpenseStatus) -> &'static str {
    match s {
        ExpenseStatus::Draft => lang.pick("草稿", "Draft"),
        ExpenseStatus::Submitted => lang.pick("待经理审核", "With the manager"),
        ExpenseStatus::ManagerApproved => lang.pick("待财务审核", "With finance"),
        ExpenseStatus::Approved => lang.pick("待报销", "To be paid"),
        ExpenseStatus::Returned => lang.pick("已退回", "Returned"),
        ExpenseStatus::Reimbursed => lang.pick("已报销", "Reimbursed"),
    }
}

fn fen(m: Money) -> String {
    m.round_to_fen().to_string()
}

fn opt_fen(m: Option<Money>, lang: Lang) -> String {
    m.map_or_else(|| lang.pick("未设预算", "no budget").to_string(), fen)
}

fn this_month(s: &AppState) -> String {
    let d = s.app.today_date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A row of the month as the page shows it.
struct MonthRow {
    kind: &'static str,
    label: String,
    budget: String,
    spent: String,
    pending: String,
    remaining: String,
    over: bool,
    claims: i64,
    /// The form field of its budget (`team3`, `rep7`).
    field: String,
    value: String,
}

#[derive(Template)]
#[template(path = "expenses.html")]
struct MonthPage {
    chrome: Chrome,
    title: String,
    month: String,
    rows: Vec<MonthRow>,
    claims: Vec<(ExpenseClaim, &'static str)>,
    can_write: bool,
    can_budget: bool,
    error: Option<String>,
}

async fn month_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    month: &str,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let m: ExpenseMonth = s.app.expense_month(ctx, month).await.or_page(lang)?;
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let (kind, field) = match r.subject {
                BudgetSubject::Team { id } => (lang.pick("小组", "Team"), format!("team{id}")),
                BudgetSubject::Rep { id } => {
                    (lang.pick("业务员", "Rep"), format!("rep{}", id.get()))
                }
            };
            MonthRow {
                kind,
                label: r.label.clone(),
                budget: opt_fen(r.budget.budget, lang),
                spent: fen(r.budget.spent),
                pending: fen(r.budget.pending),
                remaining: r.budget.remaining.map(fen).unwrap_or_default(),
                over: r.budget.remaining.is_some_and(|x| x.is_negative()),
                claims: r.claims,
                field,
                value: r.budget.budget.map(fen).unwrap_or_default(),
            }
        })
        .collect();
    Ok(render(
        super::status_of(&error),
        &MonthPage {
            title: format!("{} {}", lang.t("expenses"), m.month),
            month: m.month.clone(),
            rows,
            claims: m
                .claims
                .into_iter()
                .map(|c| {
                    let st = status_name(lang, c.status);
                    (c, st)
                })
                .collect(),
            can_write: ctx.actor.can(Permission::ExpensesWrite),
            can_budget: ctx.actor.can(Permission::ExpensesBudget),
            error,
            chrome,
        },
    ))
}

/// GET /expenses?month=YYYY-MM
async fn month_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let month = q
        .get("month")
        .cloned()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| this_month(&s));
    month_view(&s, &ctx, chrome, &month, None).await
}

/// POST /expenses: the general manager's budgets of the month; an empty
/// field is left as it was.
async fn budgets_post(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let month = form.get("month").cloned().unwrap_or_default();
    let mut e = ValidationErrors::new();
    let mut lines = Vec::new();
    let mut keys: Vec<&String> = form.keys().collect();
    keys.sort();
    for k in keys {
        let v = form.get(k).map(|v| v.trim()).unwrap_or_default();
        if v.is_empty() {
            continue;
        }
        let subject = if let Some(id) = k.strip_prefix("team").and_then(|n| n.parse().ok()) {
            BudgetSubject::Team { id }
        } else if let Some(id) = k.strip_prefix("rep").and_then(|n| n.parse().ok()) {
            BudgetSubject::Rep {
                id: kaidan_domain::UserId(id),
            }
        } else {
            continue;
        };
        match v.replace(',', "").parse::<Money>() {
            Ok(amount) => lines.push(BudgetLine { subject, amount }),
            Err(err) => e.add(k, "invalid", format!("'{v}': {err}")),
        }
    }
    let r = match e.into_result(()) {
        Err(e) => Err(AppError::Invalid(e)),
        Ok(()) => s
            .app
            .put_expense_budgets(&auth.ctx, &month, lines)
            .await
            .map(drop),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/expenses?month={month}")).into_response()),
        Err(AppError::Invalid(e)) => {
            month_view(&s, &auth.ctx, auth.chrome, &month, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

struct FormRow {
    day: String,
    category: String,
    amount: String,
    customer: String,
    visit: String,
    description: String,
}

#[derive(Template)]
#[template(path = "expense_form.html")]
struct ClaimForm {
    chrome: Chrome,
    title: String,
    action: String,
    month: String,
    plan_id: String,
    note: String,
    rows: Vec<FormRow>,
    categories: Vec<(&'static str, &'static str)>,
    /// The rep's approved plan of the month: its id and visits to pick.
    plan: Option<(i64, Vec<(i64, String)>)>,
    error: Option<String>,
}

fn empty_row() -> FormRow {
    FormRow {
        day: String::new(),
        category: String::new(),
        amount: String::new(),
        customer: String::new(),
        visit: String::new(),
        description: String::new(),
    }
}

async fn form_view(
    s: &AppState,
    auth: PageAuth,
    id: Option<i64>,
    month: String,
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let first = month_start(&month).map_err(|e| PageError::new(lang, AppError::Invalid(e)))?;
    let key = format!("{:04}-{:02}", first.year(), first.month());
    let existing = match id {
        Some(id) => Some(
            s.app
                .expense_claim(&auth.ctx, id)
                .await
                .or_page(lang)?
                .claim,
        ),
        None => None,
    };
    // The rep's approved plan of the month, to name its visits.
    let plan = s
        .app
        .visit_plans(&auth.ctx, &key)
        .await
        .or_page(lang)?
        .into_iter()
        .find(|p| {
            p.rep_id == auth.ctx.actor.user_id
                && p.status == kaidan_domain::visits::VisitPlanStatus::Approved
        })
        .map(|p| {
            let visits = p
                .visits
                .iter()
                .map(|v| {
                    (
                        v.visit_no,
                        format!(
                            "{} {} {}",
                            v.visit.day,
                            v.customer
                                .clone()
                                .or_else(|| v.visit.prospect.clone())
                                .unwrap_or_default(),
                            fen(v.visit.expense)
                        ),
                    )
                })
                .collect();
            (p.id, visits)
        });
    let mut rows: Vec<FormRow> = match (typed, &existing) {
        (Some(f), _) => (0..count_rows(f, MAX_CLAIM_LINES))
            .map(|i| {
                let g = |k: &str| f.get(&format!("{k}{i}")).cloned().unwrap_or_default();
                FormRow {
                    day: g("day"),
                    category: g("category"),
                    amount: g("amount"),
                    customer: g("customer"),
                    visit: g("visit"),
                    description: g("description"),
                }
            })
            .collect(),
        (None, Some(c)) => c
            .lines
            .iter()
            .map(|l| FormRow {
                day: l.line.spent_on.to_string(),
                category: l.line.category.as_str().into(),
                amount: fen(l.line.amount),
                customer: l
                    .customer
                    .as_deref()
                    .and_then(|c| c.split_whitespace().next())
                    .unwrap_or_default()
                    .to_string(),
                visit: l.line.visit_no.map(|v| v.to_string()).unwrap_or_default(),
                description: l.line.description.clone(),
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    while rows.len() < CLAIM_ROWS {
        rows.push(empty_row());
    }
    let note = typed
        .and_then(|f| f.get("note").cloned())
        .or_else(|| existing.as_ref().and_then(|c| c.note.clone()))
        .unwrap_or_default();
    Ok(render(
        super::status_of(&error),
        &ClaimForm {
            title: format!("{} {key}", lang.pick("费用报销单", "Expense claim")),
            action: id.map_or("/expenses/claims/new".into(), |id| {
                format!("/expenses/claims/{id}/edit")
            }),
            month: key,
            plan_id: plan.as_ref().map(|p| p.0.to_string()).unwrap_or_default(),
            note,
            rows,
            categories: ExpenseCategory::ALL
                .iter()
                .map(|c| (c.as_str(), category_name(lang, *c)))
                .collect(),
            plan,
            error,
            chrome: auth.chrome,
        },
    ))
}

/// GET /expenses/claims/new?month=YYYY-MM
async fn new_form(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    auth.ctx
        .require(Permission::ExpensesWrite)
        .map_err(|e| PageError::new(auth.chrome.lang, e))?;
    let month = q.get("month").cloned().unwrap_or_else(|| this_month(&s));
    form_view(&s, auth, None, month, None, None).await
}

/// GET /expenses/claims/{id}/edit
async fn edit_form(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let id = parse_id(lang, &id)?;
    let c = s.app.expense_claim(&auth.ctx, id).await.or_page(lang)?;
    form_view(&s, auth, Some(id), c.claim.month, None, None).await
}

/// The form's claim; a row without a day is left out, a customer is named
/// by its code.
async fn claim_input(
    s: &AppState,
    ctx: &Ctx,
    form: &HashMap<String, String>,
) -> Result<ExpenseClaimInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut lines = Vec::new();
    for i in 0..count_rows(form, MAX_CLAIM_LINES) {
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
            match s.app.id_by_code::<CustomerData>(ctx, &g("customer")).await {
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
        let spent_on = g("day").parse::<Date>().unwrap_or_else(|_| {
            e.add(
                format!("row {row} day"),
                "invalid",
                format!("'{}' is not a day (YYYY-MM-DD)", g("day")),
            );
            Date::MIN
        });
        let category = g("category")
            .parse::<ExpenseCategory>()
            .unwrap_or_else(|err| {
                e.add(format!("row {row} category"), "invalid", err.to_string());
                ExpenseCategory::Travel
            });
        let amount = g("amount")
            .replace(',', "")
            .parse::<Money>()
            .unwrap_or_else(|err| {
                e.add(
                    format!("row {row} amount"),
                    "invalid",
                    format!("'{}': {err}", g("amount")),
                );
                Money::ZERO
            });
        let visit_no = if g("visit").is_empty() {
            None
        } else {
            g("visit").parse().ok().or_else(|| {
                e.add(
                    format!("row {row} visit"),
                    "invalid",
                    format!("'{}' is not a visit number", g("visit")),
                );
                None
            })
        };
        lines.push(ExpenseLineInput {
            spent_on,
            category,
            amount,
            customer_id,
            visit_no,
            description: g("description"),
        });
    }
    let plan_id = form
        .get("plan_id")
        .and_then(|p| p.trim().parse().ok())
        .filter(|_| lines.iter().any(|l| l.visit_no.is_some()));
    e.into_result(ExpenseClaimInput {
        month: form.get("month").cloned().unwrap_or_default(),
        plan_id,
        note: form.get("note").cloned(),
        lines,
    })
}

async fn save(
    s: AppState,
    auth: PageAuth,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let month = form.get("month").cloned().unwrap_or_default();
    let input = match claim_input(&s, &auth.ctx, &form).await {
        Ok(i) => i,
        Err(e) => return form_view(&s, auth, id, month, Some(&form), Some(e.to_string())).await,
    };
    match s.app.write_expense_claim(&auth.ctx, id, input).await {
        Ok(v) => Ok(Redirect::to(&format!("/expenses/claims/{}", v.claim.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            form_view(&s, auth, id, month, Some(&form), Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /expenses/claims/new
async fn save_new(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    save(s, auth, None, form).await
}

/// POST /expenses/claims/{id}/edit
async fn save_edit(
    State(s): State<AppState>,
    Path(id): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let id = parse_id(auth.chrome.lang, &id)?;
    save(s, auth, Some(id), form).await
}

struct LineRow {
    no: i64,
    day: String,
    category: &'static str,
    amount: String,
    customer: String,
    visit: String,
    description: String,
}

#[derive(Template)]
#[template(path = "expense_claim.html")]
struct ClaimPage {
    chrome: Chrome,
    title: String,
    v: ClaimView,
    status: &'static str,
    lines: Vec<LineRow>,
    total: String,
    unplanned: String,
    rep_budget: (String, String, String, String),
    team_budget: Option<(String, String, String, String, String)>,
    can_edit: bool,
    can_manager: bool,
    can_finance: bool,
    can_pay: bool,
    today: String,
    error: Option<String>,
}

fn budget_cells(
    u: &kaidan_domain::expenses::BudgetUse,
    lang: Lang,
) -> (String, String, String, String) {
    (
        opt_fen(u.budget, lang),
        fen(u.spent),
        fen(u.pending),
        u.remaining.map(fen).unwrap_or_default(),
    )
}

async fn claim_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let v = s.app.expense_claim(ctx, id).await.or_page(lang)?;
    let me = ctx.actor.user_id;
    let mine = v.claim.rep_id == me;
    let st = v.claim.status;
    let lines = v
        .claim
        .lines
        .iter()
        .map(|l| LineRow {
            no: l.line_no,
            day: l.line.spent_on.to_string(),
            category: category_name(lang, l.line.category),
            amount: fen(l.line.amount),
            customer: l.customer.clone().unwrap_or_default(),
            visit: l.line.visit_no.map(|n| format!("#{n}")).unwrap_or_default(),
            description: l.line.description.clone(),
        })
        .collect();
    Ok(render(
        super::status_of(&error),
        &ClaimPage {
            title: format!(
                "{} #{} · {} · {}",
                lang.pick("费用报销单", "Expense claim"),
                v.claim.id,
                v.claim.rep,
                v.claim.month
            ),
            status: status_name(lang, st),
            lines,
            total: fen(v.claim.total),
            unplanned: fen(v.unplanned),
            rep_budget: budget_cells(&v.rep_budget, lang),
            team_budget: v.team.as_ref().map(|t| {
                let (a, b, c, d) = budget_cells(&t.budget, lang);
                (t.name.clone(), a, b, c, d)
            }),
            can_edit: mine && st.is_editable() && ctx.actor.can(Permission::ExpensesWrite),
            can_manager: !mine
                && st == ExpenseStatus::Submitted
                && ctx.actor.can(Permission::ExpensesApprove),
            can_finance: !mine
                && st == ExpenseStatus::ManagerApproved
                && ctx.actor.can(Permission::ExpensesFinance),
            can_pay: st == ExpenseStatus::Approved && ctx.actor.can(Permission::ExpensesFinance),
            today: s.app.today_date().to_string(),
            error,
            v,
            chrome,
        },
    ))
}

/// GET /expenses/claims/{id}
async fn claim_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(chrome.lang, &id)?;
    claim_view(&s, &ctx, chrome, id, None).await
}

/// POST /expenses/claims/{id}: submit, approve, return, reimburse.
async fn claim_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let id = parse_id(lang, &id)?;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let ctx = &auth.ctx;
    let r = match g("step").as_str() {
        "submit" => {
            s.app
                .submit_expense_claim(ctx, id, form.get("over_budget_reason").cloned())
                .await
        }
        "approve" => s.app.approve_expense_claim(ctx, id).await,
        "return" => {
            s.app
                .decide_expense_claim(ctx, id, ClaimDecision::Return(g("reason")))
                .await
        }
        "reimburse" => match g("paid_on").trim().parse::<Date>() {
            Ok(d) => s.app.pay_expense_claim(ctx, id, d, g("reference")).await,
            Err(_) => Err(AppError::invalid(
                "paid_on",
                "invalid",
                format!("'{}' is not a day (YYYY-MM-DD)", g("paid_on")),
            )),
        },
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "submit, approve, return or reimburse",
        )),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/expenses/claims/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            claim_view(&s, &auth.ctx, auth.chrome, id, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /expenses/claims/{id}/receipts: receipts as a multipart form.
async fn receipt_post(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let lang = chrome.lang;
    let id = parse_id(lang, &id)?;
    let (form, files) = match files_form(lang, &mut multipart, "receipt").await {
        Ok(v) => v,
        Err((_, msg)) => return claim_view(&s, &ctx, chrome, id, Some(msg)).await,
    };
    if form.get("_csrf").map(String::as_str) != Some(chrome.csrf.as_str()) {
        return Ok(csrf_refused());
    }
    if files.is_empty() {
        let msg = lang
            .pick("请选择要上传的发票或小票", "choose the receipt to upload")
            .to_string();
        return claim_view(&s, &ctx, chrome, id, Some(msg)).await;
    }
    for f in files {
        match s.app.attach_expense_receipt(&ctx, id, f).await {
            Ok(_) => {}
            Err(AppError::Invalid(e)) => {
                return claim_view(&s, &ctx, chrome, id, Some(e.to_string())).await;
            }
            Err(e) => return Err(PageError::new(lang, e)),
        }
    }
    Ok(Redirect::to(&format!("/expenses/claims/{id}")).into_response())
}

/// GET /expenses/claims/{id}/receipts/{no}
async fn receipt_file(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path((id, no)): Path<(String, String)>,
) -> PageResult {
    let lang = chrome.lang;
    let (id, no) = (parse_id(lang, &id)?, parse_id(lang, &no)?);
    let f = s.app.expense_receipt(&ctx, id, no).await.or_page(lang)?;
    Ok(crate::api::finance::file_response(f))
}
