//! The commissions' pages (SAL-5): a month's statements within reach with
//! their review, the policies and the general manager's form; one
//! statement line by line, printable.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use kaidan_app::commissions::StatementStep;
use kaidan_app::ports::{CommissionPolicy, CommissionStatementRow, StatementLineRow};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::commissions::{
    CommissionBasis, CommissionPolicyInput, RateInput, StatementStatus, TierInput, percent_text,
};
use kaidan_domain::{Permission, ValidationErrors};
use rust_decimal::Decimal;

use super::finance::{wants_xlsx, xlsx};
use super::format::local_time;
use super::visits::parse_id;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/commissions", get(month_page).post(month_step))
        .route("/commissions/statements/{id}", get(statement_page))
}

pub(crate) fn basis_name(lang: Lang, b: CommissionBasis) -> &'static str {
    match b {
        CommissionBasis::Invoiced => lang.pick("按开票金额(不含税)", "Invoiced (net of tax)"),
        CommissionBasis::Collected => lang.pick("按回款金额(不含税)", "Collected (net of tax)"),
    }
}

pub(crate) fn status_name(lang: Lang, s: StatementStatus) -> &'static str {
    match s {
        StatementStatus::Computed => lang.pick("待销售经理审核", "Computed, to review"),
        StatementStatus::Reviewed => lang.pick("待财务确认", "Reviewed, to confirm"),
        StatementStatus::Confirmed => lang.pick("已确认", "Confirmed"),
    }
}

fn category_name(lang: Lang, c: &str) -> String {
    if c.is_empty() {
        lang.pick("未分类", "No category").into()
    } else {
        c.into()
    }
}

fn completion_text(bp: Option<i64>) -> String {
    bp.map(percent_text).unwrap_or_else(|| "—".into())
}

/// A policy as the page shows it.
struct PolicyView {
    p: CommissionPolicy,
    basis: &'static str,
    default_rate: String,
    rates: String,
    tiers: String,
}

fn policy_view(lang: Lang, p: CommissionPolicy) -> PolicyView {
    let rates = p
        .rates
        .iter()
        .map(|r| format!("{} {}", r.category, percent_text(r.rate_bp)))
        .collect::<Vec<_>>()
        .join(", ");
    let tiers = p
        .tiers
        .iter()
        .map(|t| {
            format!(
                "≥{} ×{}",
                percent_text(t.from_bp),
                percent_text(t.factor_bp)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    PolicyView {
        basis: basis_name(lang, p.basis),
        default_rate: percent_text(p.default_rate_bp),
        rates,
        tiers,
        p,
    }
}

/// A statement row with what the reader may do with it.
struct Row {
    s: CommissionStatementRow,
    status: &'static str,
    completion: String,
    can_review: bool,
    can_finance: bool,
}

#[derive(Template)]
#[template(path = "commissions.html")]
struct MonthPage {
    chrome: Chrome,
    title: String,
    month: String,
    rows: Vec<Row>,
    base: String,
    commission: String,
    policies: Vec<PolicyView>,
    bases: Vec<(&'static str, &'static str)>,
    can_compute: bool,
    can_policy: bool,
    export: String,
    error: Option<String>,
}

async fn month_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let (excel, q) = wants_xlsx(q);
    let month = super::format::month_or_last(&q, s.app.today_date());
    let m = s.app.commission_month(ctx, &month).await.or_page(lang)?;
    if excel {
        return month_xlsx(lang, &m.month, &m.statements);
    }
    let policies = s.app.commission_policies(ctx).await.or_page(lang)?;
    // The statements read are those within the reader's reach: a sales
    // manager's team, so he may review each one not his own.
    let me = ctx.actor.user_id;
    let a = &ctx.actor;
    let rows = m
        .statements
        .into_iter()
        .map(|st| Row {
            status: status_name(lang, st.status),
            completion: completion_text(st.completion_bp),
            can_review: st.status == StatementStatus::Computed
                && a.can(Permission::CommissionsWrite)
                && st.rep_id != me,
            can_finance: st.status == StatementStatus::Reviewed
                && a.can(Permission::CommissionsFinance)
                && st.rep_id != me,
            s: st,
        })
        .collect();
    Ok(render(
        super::status_of(&error),
        &MonthPage {
            title: lang.t("commissions").into(),
            export: format!("/commissions?month={}&format=xlsx", m.month),
            month: m.month,
            rows,
            base: m.base.round_to_fen().to_string(),
            commission: m.commission.round_to_fen().to_string(),
            policies: policies
                .into_iter()
                .rev()
                .map(|p| policy_view(lang, p))
                .collect(),
            bases: CommissionBasis::ALL
                .iter()
                .map(|b| (b.as_str(), basis_name(lang, *b)))
                .collect(),
            can_compute: a.can(Permission::CommissionsWrite),
            can_policy: a.can(Permission::CommissionsPolicy),
            error,
            chrome,
        },
    ))
}

/// The month as Excel, the same numbers as the page.
fn month_xlsx(lang: Lang, month: &str, rows: &[CommissionStatementRow]) -> PageResult {
    let header = vec![
        lang.pick("业务员", "Rep").to_string(),
        lang.pick("月目标", "Target").into(),
        lang.pick("完成额", "Reached").into(),
        lang.pick("完成率", "Completion").into(),
        lang.pick("提成基数", "Base").into(),
        lang.pick("提成", "Commission").into(),
        lang.pick("状态", "Status").into(),
    ];
    let rows = rows
        .iter()
        .map(|s| {
            vec![
                s.rep.clone(),
                s.target.map(|t| t.to_string()).unwrap_or_default(),
                s.actual.map(|t| t.to_string()).unwrap_or_default(),
                completion_text(s.completion_bp),
                s.base.to_string(),
                s.commission.to_string(),
                status_name(lang, s.status).into(),
            ]
        })
        .collect();
    xlsx(lang, &format!("commissions-{month}.xlsx"), header, rows)
}

/// GET /commissions?month=YYYY-MM[&format=xlsx]
async fn month_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    month_view(&s, &ctx, chrome, &q, None).await
}

fn percent(e: &mut ValidationErrors, field: &str, raw: &str) -> Decimal {
    raw.trim()
        .trim_end_matches('%')
        .trim()
        .parse()
        .unwrap_or_else(|_| {
            e.add(field, "invalid", format!("'{raw}' is not a percent"));
            Decimal::ZERO
        })
}

/// The policy form: rates as `category=percent` and tiers as
/// `from%:factor%`, one a line.
fn policy_input(
    e: &mut ValidationErrors,
    g: &dyn Fn(&str) -> String,
    note: Option<String>,
) -> CommissionPolicyInput {
    let from = g("from").trim().parse().unwrap_or_else(|_| {
        e.add(
            "from",
            "invalid",
            format!("'{}' is not a day (YYYY-MM-DD)", g("from")),
        );
        jiff::civil::date(2000, 1, 1)
    });
    let basis = g("basis").parse::<CommissionBasis>().unwrap_or_else(|err| {
        e.add("basis", "invalid", err.to_string());
        CommissionBasis::Invoiced
    });
    let default_rate = percent(e, "default_rate", &g("default_rate"));
    let mut rates = Vec::new();
    for (i, line) in g("rates")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        match line.split_once(['=', '＝']) {
            Some((c, r)) => rates.push(RateInput {
                category: c.trim().into(),
                rate: percent(e, &format!("rates[{i}].rate"), r),
            }),
            None => e.add(
                format!("rates[{i}]"),
                "invalid",
                format!("'{line}' is not category=percent"),
            ),
        }
    }
    let mut tiers = Vec::new();
    for (i, line) in g("tiers")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        match line.split_once([':', '：']) {
            Some((f, x)) => tiers.push(TierInput {
                from_completion: percent(e, &format!("tiers[{i}].from_completion"), f),
                factor: percent(e, &format!("tiers[{i}].factor"), x),
            }),
            None => e.add(
                format!("tiers[{i}]"),
                "invalid",
                format!("'{line}' is not completion%:factor%"),
            ),
        }
    }
    CommissionPolicyInput {
        from,
        basis,
        default_rate,
        rates,
        tiers,
        note,
    }
}

/// POST /commissions: compute a month, review, confirm, return, write a
/// policy.
async fn month_step(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let ctx = &auth.ctx;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut e = ValidationErrors::new();
    let month = g("month");
    let step = g("step");
    let r: Result<(), AppError> = match step.as_str() {
        "compute" => s.app.compute_commissions(ctx, &month).await.map(drop),
        "review" | "confirm" | "return" => {
            let id = parse_id(lang, &g("id"))?;
            let step = match step.as_str() {
                "review" => StatementStep::Review,
                "confirm" => StatementStep::Confirm,
                _ => StatementStep::Return,
            };
            s.app
                .move_commission_statement(ctx, id, step, form.get("reason").cloned())
                .await
                .map(drop)
        }
        "policy" => {
            let input = policy_input(&mut e, &g, form.get("note").cloned());
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s.app.put_commission_policy(ctx, input).await.map(drop),
            }
        }
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "compute, review, confirm, return or policy",
        )),
    };
    let mut q = BTreeMap::new();
    if !month.trim().is_empty() {
        q.insert("month".to_string(), month.trim().to_string());
    }
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/commissions?month={}",
            q.get("month").cloned().unwrap_or_default()
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            month_view(&s, &auth.ctx, auth.chrome, &q, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// A line as the page shows it.
struct LineView {
    policy: String,
    basis: &'static str,
    category: String,
    l: StatementLineRow,
    rate: String,
    factor: String,
}

#[derive(Template)]
#[template(path = "commission_statement.html")]
struct StatementPage {
    chrome: Chrome,
    title: String,
    s: CommissionStatementRow,
    status: &'static str,
    completion: String,
    computed_at: String,
    lines: Vec<LineView>,
}

/// GET /commissions/statements/{id}
async fn statement_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let lang = chrome.lang;
    let id = parse_id(lang, &id)?;
    let st = s.app.commission_statement(&ctx, id).await.or_page(lang)?;
    let lines = st
        .lines
        .into_iter()
        .map(|l| LineView {
            policy: l
                .line
                .policy_from
                .map(|d| d.to_string())
                .unwrap_or_else(|| lang.pick("无方案", "no policy").into()),
            basis: l.basis.map(|b| basis_name(lang, b)).unwrap_or(""),
            category: category_name(lang, &l.line.category),
            rate: percent_text(l.line.rate_bp),
            factor: percent_text(l.line.factor_bp),
            l,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &StatementPage {
            title: format!(
                "{} · {} · {}",
                lang.pick("提成结算单", "Commission statement"),
                st.head.rep,
                st.head.month
            ),
            status: status_name(lang, st.head.status),
            completion: completion_text(st.head.completion_bp),
            computed_at: local_time(st.head.computed_at),
            s: st.head,
            lines,
            chrome,
        },
    ))
}
