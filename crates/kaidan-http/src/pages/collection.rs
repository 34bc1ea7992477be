//! Dunning and collection pages (FIN-4): the month's dunning notices
//! (`/finance/dunning`; a sales rep sees his own, finance all and may run
//! a period), a customer's collection actions with the form
//! (`/customers/{id}/collection`, broken promises highlighted), its
//! statement of account with the confirm/dispute form
//! (`/customers/{id}/statements/{YYYY-MM}`), and finance's collection report
//! with its Excel export (`/finance/collection`).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::finance::{
    CollectionInput, CollectionKind, CollectionReport, CollectionRow, ConfirmationInput,
    ConfirmationStatus, DunningLevel, Period, PromiseState, StatementEntryKind, period_due,
};
use kaidan_domain::{CustomerId, Money, Permission, ValidationErrors};

use super::finance::{FinTab, fin_tabs};
use super::format::local_time;
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_post, render,
    status_of,
};
use crate::api::collection::{notice_filter, period, report_range};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance/dunning", get(dunning))
        .route("/finance/dunning/run", post(dunning_run))
        .route("/finance/collection", get(report))
        .route("/customers/{id}/collection", get(actions).post(action_post))
        .route("/customers/{id}/statements/{period}", get(statement))
        .route(
            "/customers/{id}/statements/{period}/confirmation",
            post(confirm_post),
        )
}

/// A refusal of the query, as the page says it.
fn refused(lang: Lang, e: crate::problem::ApiError) -> PageError {
    PageError::new(
        lang,
        AppError::Invalid(ValidationErrors {
            errors: e.errors.clone(),
        }),
    )
}

fn level_label(lang: Lang, l: DunningLevel) -> &'static str {
    match l {
        DunningLevel::Reminder => lang.pick("提醒", "Reminder"),
        DunningLevel::Manager => lang.pick("主管催收", "Sales manager"),
        DunningLevel::Legal => lang.pick("法务", "Legal"),
    }
}

// ------------------------------------------------------------------ dunning

fn role_label(lang: Lang, r: kaidan_domain::Role) -> &'static str {
    match r {
        kaidan_domain::Role::SalesManager => lang.pick("销售主管", "Sales manager"),
        kaidan_domain::Role::Legal => lang.pick("法务", "Legal"),
        _ => lang.pick("销售代表", "Sales rep"),
    }
}

pub struct NoticeRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub level: &'static str,
    pub level_label: &'static str,
    pub rep: String,
    pub escalated: String,
    pub overdue: String,
    pub oldest_days: i64,
    pub invoices: String,
}

#[derive(Template)]
#[template(path = "collection_dunning.html")]
struct DunningPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    period: String,
    rows: Vec<NoticeRow>,
    total: String,
    can_run: bool,
    error: Option<String>,
}

async fn dunning_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let mut f = notice_filter(q, ctx.actor.user_id).map_err(|e| refused(lang, e))?;
    let p = f.period.unwrap_or_else(|| period_due(s.app.today_date()));
    f.period = Some(p);
    let list = s.app.dunning_notices(ctx, f).await.or_page(lang)?;
    let total: Money = list.iter().map(|n| n.overdue).sum();
    let rows = list
        .iter()
        .map(|n| NoticeRow {
            id: n.id,
            customer_id: n.customer_id.get(),
            customer: n.customer.clone(),
            level: n.level.as_str(),
            level_label: level_label(lang, n.level),
            rep: n.sales_rep.clone().unwrap_or_default(),
            escalated: n
                .escalated_to
                .iter()
                .map(|r| role_label(lang, *r).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            overdue: n.overdue.to_string(),
            oldest_days: n.oldest_days,
            invoices: n
                .invoices
                .iter()
                .map(|i| i.number.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    Ok(render(
        status_of(&error),
        &DunningPage {
            title: lang
                .pick("财务 · 催款通知", "Finance · Dunning notices")
                .into(),
            tabs: fin_tabs(lang, "/finance/dunning"),
            period: p.to_string(),
            rows,
            total: total.to_string(),
            can_run: ctx.actor.can(Permission::InvoiceWrite),
            error,
            chrome,
        },
    ))
}

/// GET /finance/dunning?period=YYYY-MM (default: last month)
pub async fn dunning(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    dunning_page(&s, &ctx, chrome, &q, None).await
}

/// POST /finance/dunning/run: finance raises a period's notices now.
pub async fn dunning_run(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let raw = form.get("period").cloned().unwrap_or_default();
    let outcome = match Period::parse("period", &raw) {
        Ok(p) => s.app.run_dunning(&auth.ctx, p).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    let PageAuth { ctx, chrome } = auth;
    let q: BTreeMap<String, String> = [("period".to_string(), raw)]
        .into_iter()
        .filter(|(_, v)| Period::parse("period", v).is_ok())
        .collect();
    after_post(
        lang,
        outcome,
        |r| format!("/finance/dunning?period={}", r.period),
        |e| async move { dunning_page(&s, &ctx, chrome, &q, Some(e)).await },
    )
    .await
}

// -------------------------------------------------------- collection actions

pub struct ActionRow {
    pub happened_on: String,
    pub kind: &'static str,
    pub outcome: String,
    pub promise: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub by: String,
}

#[derive(Template)]
#[template(path = "collection_actions.html")]
struct ActionsPage {
    chrome: Chrome,
    title: String,
    customer_id: i64,
    rows: Vec<ActionRow>,
    broken: usize,
    kinds: Vec<(&'static str, &'static str)>,
    selected_kind: String,
    form: HashMap<String, String>,
    today: String,
    last_month: String,
    can_record: bool,
    error: Option<String>,
}

fn kind_label(lang: Lang, k: CollectionKind) -> &'static str {
    match k {
        CollectionKind::Call => lang.pick("电话", "Call"),
        CollectionKind::Visit => lang.pick("拜访", "Visit"),
        CollectionKind::Letter => lang.pick("函件", "Letter"),
        CollectionKind::Promise => lang.pick("承诺付款", "Promise to pay"),
        CollectionKind::Other => lang.pick("其他", "Other"),
    }
}

fn state_label(lang: Lang, s: PromiseState) -> &'static str {
    match s {
        PromiseState::Open => lang.pick("待兑现", "Open"),
        PromiseState::Kept => lang.pick("已兑现", "Kept"),
        PromiseState::Broken => lang.pick("已违约", "Broken"),
    }
}

async fn actions_page(
    s: &AppState,
    auth: PageAuth,
    id: i64,
    form: HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let list = s
        .app
        .collection_actions(&ctx, CustomerId(id))
        .await
        .or_page(lang)?;
    let broken = list
        .iter()
        .filter(|a| a.promise_state == Some(PromiseState::Broken))
        .count();
    let rows = list
        .iter()
        .map(|a| ActionRow {
            happened_on: a.happened_on.to_string(),
            kind: kind_label(lang, a.kind),
            outcome: a.outcome.clone(),
            promise: match (a.promise_date, a.promise_amount) {
                (Some(d), Some(m)) => format!(
                    "{m} @ {d} ({} {})",
                    lang.pick("已收", "received"),
                    a.received_since
                ),
                _ => String::new(),
            },
            state: a.promise_state.map_or("", |s| s.as_str()),
            state_label: a.promise_state.map_or("", |s| state_label(lang, s)),
            by: format!("{} {}", a.recorded_by_name, local_time(a.recorded_at)),
        })
        .collect();
    let today = s.app.today_date();
    Ok(render(
        status_of(&error),
        &ActionsPage {
            title: lang.pick("催收记录", "Collection actions").into(),
            customer_id: id,
            rows,
            broken,
            kinds: CollectionKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_label(lang, *k)))
                .collect(),
            selected_kind: form.get("kind").cloned().unwrap_or_default(),
            form,
            today: today.to_string(),
            last_month: period_due(today).to_string(),
            can_record: ctx.actor.can(Permission::ReceiptRegister),
            error,
            chrome,
        },
    ))
}

/// GET /customers/{id}/collection
pub async fn actions(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    actions_page(&s, auth, id, HashMap::new(), None).await
}

/// The action form's fields, each refused by name when unreadable.
fn action_input(form: &HashMap<String, String>) -> Result<CollectionInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind = get("kind").parse::<CollectionKind>();
    if kind.is_err() {
        e.add("kind", "invalid", "call, visit, letter, promise or other");
    }
    let day = |e: &mut ValidationErrors, k: &str| -> Option<Date> {
        let v = get(k);
        if v.is_empty() {
            return None;
        }
        v.parse::<Date>()
            .map_err(|_| e.add(k, "invalid", "a day, e.g. 2026-12-01"))
            .ok()
    };
    let happened_on = day(&mut e, "happened_on");
    let promise_date = day(&mut e, "promise_date");
    let amount = get("promise_amount");
    let promise_amount = if amount.is_empty() {
        None
    } else {
        amount
            .parse::<Money>()
            .map_err(|_| {
                e.add(
                    "promise_amount",
                    "invalid",
                    "an amount in yuan, e.g. 1200.50",
                )
            })
            .ok()
    };
    match kind {
        Ok(kind) if e.is_empty() => Ok(CollectionInput {
            kind,
            happened_on,
            outcome: get("outcome"),
            promise_date,
            promise_amount,
        }),
        _ => Err(e),
    }
}

/// POST /customers/{id}/collection
pub async fn action_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let outcome = match action_input(&form) {
        Ok(input) => {
            s.app
                .record_collection_action(&auth.ctx, CustomerId(id), &input)
                .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_post(
        lang,
        outcome,
        |_| format!("/customers/{id}/collection"),
        |e| async move { actions_page(&s, auth, id, form, Some(e)).await },
    )
    .await
}

// --------------------------------------------------------------- statement

pub struct EntryRow {
    pub date: String,
    pub kind: &'static str,
    pub number: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "collection_statement.html")]
struct StatementPage {
    chrome: Chrome,
    title: String,
    customer_id: i64,
    customer: String,
    period: String,
    previous: String,
    opening: String,
    closing: String,
    invoiced: String,
    credited: String,
    received: String,
    reversed: String,
    rows: Vec<EntryRow>,
    ageing_columns: Vec<String>,
    ageing_cells: Vec<String>,
    confirmation: Option<(String, String, String)>,
    can_confirm: bool,
    error: Option<String>,
}

fn entry_label(lang: Lang, k: StatementEntryKind) -> &'static str {
    match k {
        StatementEntryKind::Invoice => lang.pick("发票", "Invoice"),
        StatementEntryKind::CreditNote => lang.pick("红字发票", "Credit note"),
        StatementEntryKind::Receipt => lang.pick("收款", "Receipt"),
        StatementEntryKind::Reversal => lang.pick("收款冲销", "Receipt reversed"),
    }
}

async fn statement_page(
    s: &AppState,
    auth: PageAuth,
    id: i64,
    p: Period,
    error: Option<String>,
) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let st = s
        .app
        .statement(&ctx, CustomerId(id), p)
        .await
        .or_page(lang)?;
    let rows = st
        .entries
        .iter()
        .map(|e| {
            let (debit, credit) = if e.kind.sign() > 0 {
                (e.amount.to_string(), String::new())
            } else {
                (String::new(), e.amount.to_string())
            };
            EntryRow {
                date: e.date.to_string(),
                kind: entry_label(lang, e.kind),
                number: e.number.clone(),
                debit,
                credit,
                balance: e.balance.to_string(),
            }
        })
        .collect();
    let ageing_columns = st
        .ageing
        .columns
        .iter()
        .map(|c| {
            if c == "not_due" {
                lang.pick("未到期", "Not due").to_string()
            } else {
                format!("{c} {}", lang.pick("天", "days"))
            }
        })
        .collect();
    let confirmation = st.confirmation.as_ref().map(|c| {
        let status = match c.status {
            ConfirmationStatus::Confirmed => lang.pick("客户已确认", "Confirmed by the customer"),
            ConfirmationStatus::Disputed => lang.pick("客户有异议", "Disputed by the customer"),
        };
        (
            c.status.as_str().to_string(),
            format!(
                "{status} · {} · {} {}",
                c.closing,
                c.by_name,
                local_time(c.at)
            ),
            c.note.clone().unwrap_or_default(),
        )
    });
    Ok(render(
        status_of(&error),
        &StatementPage {
            title: lang.pick("对账单", "Statement of account").into(),
            customer_id: id,
            customer: st.customer.clone(),
            period: p.to_string(),
            previous: p.previous().to_string(),
            opening: st.opening.to_string(),
            closing: st.closing.to_string(),
            invoiced: st.movements.invoiced.to_string(),
            credited: st.movements.credited.to_string(),
            received: st.movements.received.to_string(),
            reversed: st.movements.reversed.to_string(),
            rows,
            ageing_columns,
            ageing_cells: st
                .ageing
                .totals
                .buckets
                .iter()
                .map(|m| m.to_string())
                .collect(),
            confirmation,
            can_confirm: ctx.actor.can(Permission::ReceiptRegister)
                && p.last_day() < s.app.today_date(),
            error,
            chrome,
        },
    ))
}

/// The customer id and month of a page's path.
fn page_path(lang: Lang, id: &str, month: &str) -> Result<(i64, Period), PageError> {
    let id = PageId::parse(id).ok_or_else(|| {
        PageError::new(
            lang,
            AppError::NotFound {
                what: "customer",
                id: id.to_string(),
            },
        )
    })?;
    let p = period("period", month).map_err(|e| refused(lang, e))?;
    Ok((id, p))
}

/// GET /customers/{id}/statements/{YYYY-MM}
pub async fn statement(
    State(s): State<AppState>,
    auth: PageAuth,
    Path((id, month)): Path<(String, String)>,
) -> PageResult {
    let (id, p) = page_path(auth.chrome.lang, &id, &month)?;
    statement_page(&s, auth, id, p, None).await
}

/// POST /customers/{id}/statements/{YYYY-MM}/confirmation
pub async fn confirm_post(
    State(s): State<AppState>,
    Path((id, month)): Path<(String, String)>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let (id, p) = page_path(lang, &id, &month)?;
    let outcome = match form.get("status").map(|v| v.parse::<ConfirmationStatus>()) {
        Some(Ok(status)) => {
            let input = ConfirmationInput {
                status,
                note: form.get("note").cloned(),
            };
            s.app
                .confirm_statement(&auth.ctx, CustomerId(id), p, &input)
                .await
        }
        _ => Err(AppError::invalid(
            "status",
            "invalid",
            "confirmed or disputed",
        )),
    };
    after_post(
        lang,
        outcome,
        |_| format!("/customers/{id}/statements/{p}"),
        |e| async move { statement_page(&s, auth, id, p, Some(e)).await },
    )
    .await
}

// ------------------------------------------------------------------ report

pub struct ReportRow {
    pub customer_id: Option<i64>,
    pub customer: String,
    pub rep: String,
    pub overdue: String,
    pub collected: String,
    pub kept: u32,
    pub broken: u32,
    pub actions: u32,
}

fn report_row(r: &CollectionRow) -> ReportRow {
    ReportRow {
        customer_id: r.customer_id.map(|c| c.get()),
        customer: r.customer.clone(),
        rep: r.sales_rep.clone(),
        overdue: r.overdue_at_start.to_string(),
        collected: r.collected.to_string(),
        kept: r.promises_kept,
        broken: r.promises_broken,
        actions: r.actions,
    }
}

#[derive(Template)]
#[template(path = "collection_report.html")]
struct ReportPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    from: String,
    to: String,
    rows: Vec<ReportRow>,
    reps: Vec<ReportRow>,
    total: ReportRow,
    export: String,
}

/// GET /finance/collection?from=&to=&format=xlsx
pub async fn report(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (from, to) = report_range(&q).map_err(|e| refused(lang, e))?;
    let r = s
        .app
        .collection_report(&ctx, from, to)
        .await
        .or_page(lang)?;
    if q.get("format").is_some_and(|f| f == "xlsx") {
        return report_xlsx(lang, &r);
    }
    Ok(render(
        StatusCode::OK,
        &ReportPage {
            title: lang
                .pick("财务 · 回款分析", "Finance · Collection report")
                .into(),
            tabs: fin_tabs(lang, "/finance/dunning"),
            export: format!(
                "/finance/collection?from={}&to={}&format=xlsx",
                r.from, r.to
            ),
            from: r.from.to_string(),
            to: r.to.to_string(),
            rows: r.customers.iter().map(report_row).collect(),
            reps: r.sales_reps.iter().map(report_row).collect(),
            total: report_row(&r.total),
            chrome,
        },
    ))
}

/// The report as an Excel file, the amounts as numbers.
fn report_xlsx(lang: Lang, r: &CollectionReport) -> PageResult {
    let header = vec![
        lang.pick("客户", "Customer").to_string(),
        lang.pick("销售代表", "Sales rep").into(),
        lang.pick("期初逾期", "Overdue at start").into(),
        lang.pick("本期回款", "Collected").into(),
        lang.pick("兑现承诺", "Promises kept").into(),
        lang.pick("违约承诺", "Promises broken").into(),
        lang.pick("催收次数", "Actions").into(),
    ];
    let file = format!("collection-{}-{}.xlsx", r.from, r.to);
    let mut table = kaidan_io::Table::new(file.clone(), header);
    for (i, row) in r
        .customers
        .iter()
        .chain(std::iter::once(&r.total))
        .enumerate()
    {
        table.rows.push(kaidan_io::Row {
            line: i + 2,
            cells: vec![
                row.customer.clone(),
                row.sales_rep.clone(),
                row.overdue_at_start.to_string(),
                row.collected.to_string(),
                row.promises_kept.to_string(),
                row.promises_broken.to_string(),
                row.actions.to_string(),
            ],
        });
    }
    let bytes = kaidan_io::write_table(&table, kaidan_io::Format::Xlsx)
        .map_err(|e| PageError::new(lang, AppError::File(Box::new(e))))?;
    Ok(crate::api::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &file,
    ))
}
