//! The sales targets' pages (SAL-1): the plans by year; a year's plan with
//! its approval, its completion over a year, quarter, month or week drawn
//! against the time gone, its months with the misses marked and their
//! follow-ups; the plan's form (a grid of annual and monthly amounts);
//! Excel of the same numbers.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::ports::{FollowUp, TargetPlan, TargetPlanSummary};
use kaidan_app::targets::{TargetMiss, TargetMonths, TargetProgress};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::figures::percent;
use kaidan_domain::targets::{
    FollowUpInput, FollowUpKind, Pace, TargetBasis, TargetLineInput, TargetPlanInput, TargetSpan,
    TargetStatus, TargetSubject, quantity_completion_bp,
};
use kaidan_domain::{Money, Permission, ValidationErrors};

use super::finance::xlsx;
use super::format::local_time;
use super::target_quantities::{QuantityFormRow, quantity_form_rows, read_quantities};
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::api::targets::progress_params;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(list).post(open_year))
        .route("/targets/{year}", get(year_page))
        .route("/targets/{year}/edit", get(edit_page).post(save))
        .route("/targets/{year}/step", post(step))
        .route("/targets/{year}/follow-ups", post(follow_up))
}

fn parse_year(lang: Lang, raw: &str) -> Result<i16, PageError> {
    raw.trim().parse::<i16>().map_err(|_| {
        PageError::new(
            lang,
            AppError::invalid("year", "invalid", format!("'{raw}' is not a year")),
        )
    })
}

pub(crate) fn basis_name(lang: Lang, b: TargetBasis) -> &'static str {
    match b {
        TargetBasis::Ordered => lang.pick("按订单金额", "Ordered"),
        TargetBasis::Shipped => lang.pick("按发货金额", "Shipped"),
        TargetBasis::Invoiced => lang.pick("按开票金额", "Invoiced"),
        TargetBasis::Collected => lang.pick("按回款金额", "Collected"),
    }
}

fn status_name(lang: Lang, s: TargetStatus) -> &'static str {
    match s {
        TargetStatus::Draft => lang.pick("草稿", "Draft"),
        TargetStatus::Submitted => lang.pick("待总经理批准", "Submitted"),
        TargetStatus::Approved => lang.pick("已批准", "Approved"),
        TargetStatus::Returned => lang.pick("已退回", "Returned"),
    }
}

pub(crate) fn pace_name(lang: Lang, p: Pace) -> &'static str {
    match p {
        Pace::OnPace => lang.pick("进度正常", "On pace"),
        Pace::Behind => lang.pick("落后于时间进度", "Behind"),
        Pace::Met => lang.pick("已完成", "Met"),
        Pace::Missed => lang.pick("未完成", "Missed"),
        Pace::NoTarget => lang.pick("无目标", "No target"),
    }
}

fn span_name(lang: Lang, s: TargetSpan) -> &'static str {
    match s {
        TargetSpan::Year => lang.pick("全年", "Year"),
        TargetSpan::Quarter => lang.pick("本季", "Quarter"),
        TargetSpan::Month => lang.pick("本月", "Month"),
        TargetSpan::Week => lang.pick("本周", "Week"),
    }
}

fn kind_name(lang: Lang, k: FollowUpKind) -> &'static str {
    match k {
        FollowUpKind::Interview => lang.pick("约谈", "Interview"),
        FollowUpKind::ImprovementPlan => lang.pick("改进计划", "Improvement plan"),
        FollowUpKind::Warning => lang.pick("警告", "Warning"),
        FollowUpKind::PostChange => lang.pick("调整岗位", "Change of post"),
    }
}

/// The subject as a reader sees it: the company in his language, else the
/// name the app found (or the kind and id of one since removed).
pub(crate) fn subject_label(lang: Lang, s: TargetSubject, label: &str) -> String {
    let kind = match s {
        TargetSubject::Company => return lang.pick("全公司", "Company").into(),
        TargetSubject::Team { .. } => lang.pick("团队", "Team"),
        TargetSubject::Rep { .. } => lang.pick("业务员", "Rep"),
        TargetSubject::Region { .. } => lang.pick("区域", "Region"),
    };
    if label.is_empty() {
        format!("{kind} {}", s.id())
    } else {
        format!("{kind} · {label}")
    }
}

fn pct(p: &Option<String>) -> String {
    p.as_ref().map_or("—".into(), |p| format!("{p}%"))
}

/// A percent as the width of a bar, within 0–100.
pub(crate) fn bar_width(p: Option<&str>) -> String {
    let v = p
        .and_then(|p| p.split('.').next())
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(0);
    v.clamp(0, 100).to_string()
}

#[derive(Template)]
#[template(path = "targets.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    plans: Vec<(TargetPlanSummary, &'static str, &'static str)>,
    can_write: bool,
    next_year: i16,
}

/// GET /targets: every year's plan.
async fn list(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let plans = s.app.target_plans(&ctx).await.or_page(lang)?;
    let this_year = s.app.today_date().year();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            title: lang.t("targets").into(),
            plans: plans
                .into_iter()
                .map(|p| {
                    let (b, st) = (basis_name(lang, p.basis), status_name(lang, p.status));
                    (p, b, st)
                })
                .collect(),
            can_write: ctx.actor.can(Permission::TargetsWrite),
            next_year: this_year,
            chrome,
        },
    ))
}

/// POST /targets: opens the form of a year's plan.
async fn open_year(PageForm(auth, form): PageForm) -> PageResult {
    let year = parse_year(
        auth.chrome.lang,
        form.get("year").map_or("", String::as_str),
    )?;
    Ok(Redirect::to(&format!("/targets/{year}/edit")).into_response())
}

struct ProgressLine {
    subject: String,
    target: String,
    due: String,
    mark: String,
    actual: String,
    percent: String,
    width: String,
    pace: &'static str,
    behind: bool,
}

struct MonthLine {
    subject: String,
    cells: Vec<(String, &'static str)>,
    total: String,
}

struct MissLine {
    subject: TargetSubject,
    label: String,
    month: i8,
    target: String,
    actual: String,
    in_a_row: u8,
    asks: &'static str,
    done: Vec<String>,
}

#[derive(Template)]
#[template(path = "target_year.html")]
struct YearPage {
    chrome: Chrome,
    title: String,
    year: i16,
    plan: TargetPlan,
    basis: &'static str,
    status: &'static str,
    decided_at: String,
    spans: Vec<(&'static str, &'static str, bool)>,
    at: String,
    period: String,
    elapsed: String,
    progress: Vec<ProgressLine>,
    /// The quantity targets: the line and its category.
    quantities: Vec<(ProgressLine, String)>,
    months: Vec<MonthLine>,
    misses: Vec<MissLine>,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    can_submit: bool,
    can_decide: bool,
    can_reopen: bool,
    can_follow_up: bool,
    export: String,
    error: Option<String>,
}

fn progress_lines(lang: Lang, p: &TargetProgress) -> Vec<ProgressLine> {
    p.rows
        .iter()
        .map(|r| ProgressLine {
            subject: subject_label(lang, r.subject, &r.label),
            target: r.target.round_to_fen().to_string(),
            due: r.due.round_to_fen().to_string(),
            mark: bar_width(r.due_percent.as_deref()),
            actual: r.actual.round_to_fen().to_string(),
            percent: pct(&r.completion_percent),
            width: bar_width(r.completion_percent.as_deref()),
            pace: pace_name(lang, r.pace),
            behind: matches!(r.pace, Pace::Behind | Pace::Missed),
        })
        .collect()
}

fn quantity_lines(lang: Lang, p: &TargetProgress) -> Vec<(ProgressLine, String)> {
    p.quantities
        .iter()
        .map(|r| {
            let due_percent = quantity_completion_bp(r.due, r.target).map(percent);
            (
                ProgressLine {
                    subject: subject_label(lang, r.subject, &r.label),
                    target: r.target.to_string(),
                    due: r.due.to_string(),
                    mark: bar_width(due_percent.as_deref()),
                    actual: r.actual.to_string(),
                    percent: pct(&r.completion_percent),
                    width: bar_width(r.completion_percent.as_deref()),
                    pace: pace_name(lang, r.pace),
                    behind: matches!(r.pace, Pace::Behind | Pace::Missed),
                },
                r.category.clone(),
            )
        })
        .collect()
}

fn month_lines(lang: Lang, m: &TargetMonths) -> Vec<MonthLine> {
    m.rows
        .iter()
        .map(|r| MonthLine {
            subject: subject_label(lang, r.subject, &r.label),
            cells: r
                .months
                .iter()
                .map(|c| {
                    let class = match c.missed_in_a_row {
                        0 => "",
                        1 => "missed",
                        _ => "missed2",
                    };
                    (
                        format!("{} / {}", c.actual.round_to_fen(), c.target.round_to_fen()),
                        class,
                    )
                })
                .collect(),
            total: format!(
                "{} / {} ({})",
                r.actual.round_to_fen(),
                r.target.round_to_fen(),
                pct(&r.completion_percent)
            ),
        })
        .collect()
}

fn miss_lines(lang: Lang, misses: Vec<TargetMiss>) -> Vec<MissLine> {
    misses
        .into_iter()
        .map(|m| MissLine {
            label: subject_label(lang, m.subject, &m.label),
            subject: m.subject,
            month: m.month,
            target: m.target.round_to_fen().to_string(),
            actual: m.actual.round_to_fen().to_string(),
            in_a_row: m.missed_in_a_row,
            asks: if m.missed_in_a_row >= 2 {
                lang.pick(
                    "连续两个月未完成:绩效考核,警告或调整岗位",
                    "Two months in a row: assessment, a warning or a change of post",
                )
            } else {
                lang.pick(
                    "未完成:约谈并制定改进计划",
                    "Missed: an interview and an improvement plan",
                )
            },
            done: m
                .follow_ups
                .iter()
                .map(|f| follow_up_text(lang, f))
                .collect(),
        })
        .collect()
}

fn follow_up_text(lang: Lang, f: &FollowUp) -> String {
    format!(
        "{} · {} · {} ({})",
        local_time(f.recorded_at),
        kind_name(lang, f.kind),
        f.note,
        f.recorded_by
    )
}

async fn year_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    year: i16,
    q: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let (span, at) = progress_params(q).map_err(|e| PageError::new(lang, AppError::Invalid(e)))?;
    let plan = s.app.target_plan(ctx, year).await.or_page(lang)?;
    // One reading of the year's records for the progress, the months and
    // the misses.
    let (progress, months, misses) = s.app.target_year(ctx, year, span, at).await.or_page(lang)?;
    if q.get("format").is_some_and(|v| v == "xlsx") {
        return year_xlsx(lang, &progress, &months);
    }
    let a = &ctx.actor;
    Ok(render(
        StatusCode::OK,
        &YearPage {
            title: format!("{} {year}", lang.t("targets")),
            year,
            basis: basis_name(lang, plan.basis),
            status: status_name(lang, plan.status),
            decided_at: plan.decided_at.map(local_time).unwrap_or_default(),
            spans: TargetSpan::ALL
                .iter()
                .map(|x| (x.as_str(), span_name(lang, *x), *x == span))
                .collect(),
            at: at.map(|d| d.to_string()).unwrap_or_default(),
            period: format!("{} – {}", progress.period.from, progress.period.to),
            elapsed: format!("{}%", progress.elapsed_percent),
            progress: progress_lines(lang, &progress),
            quantities: quantity_lines(lang, &progress),
            months: month_lines(lang, &months),
            misses: miss_lines(lang, misses),
            kinds: FollowUpKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_name(lang, *k)))
                .collect(),
            can_edit: a.can(Permission::TargetsWrite) && plan.status.is_editable(),
            can_submit: a.can(Permission::TargetsWrite) && plan.status.is_editable(),
            can_decide: a.can(Permission::TargetsApprove) && plan.status == TargetStatus::Submitted,
            can_reopen: a.can(Permission::TargetsApprove) && plan.status == TargetStatus::Approved,
            can_follow_up: a.can(Permission::TargetsWrite),
            export: format!(
                "/targets/{year}?span={}{}&format=xlsx",
                span.as_str(),
                at.map(|d| format!("&at={d}")).unwrap_or_default()
            ),
            error,
            plan,
            chrome,
        },
    ))
}

/// GET /targets/{year}?span=&at=&format=xlsx
async fn year_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(year): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let year = parse_year(chrome.lang, &year)?;
    year_view(&s, &ctx, chrome, year, &q, None).await
}

/// The progress and the months as Excel, the same numbers as the page.
fn year_xlsx(lang: Lang, p: &TargetProgress, m: &TargetMonths) -> PageResult {
    let mut header = vec![
        lang.pick("对象", "Subject").to_string(),
        lang.pick("期间目标", "Period target").into(),
        lang.pick("期间完成", "Period done").into(),
        lang.pick("完成率(%)", "Completion (%)").into(),
        lang.pick("进度", "Pace").into(),
        lang.pick("全年目标", "Year target").into(),
        lang.pick("全年完成", "Year done").into(),
    ];
    for month in 1..=12 {
        header.push(format!("{month}{}", lang.pick("月目标", " target")));
        header.push(format!("{month}{}", lang.pick("月完成", " done")));
    }
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                subject_label(lang, r.subject, &r.label),
                r.target.to_string(),
                r.actual.to_string(),
                r.completion_percent.clone().unwrap_or_default(),
                pace_name(lang, r.pace).into(),
            ];
            if let Some(y) = m.rows.iter().find(|y| y.subject == r.subject) {
                cells.push(y.target.to_string());
                cells.push(y.actual.to_string());
                for c in &y.months {
                    cells.push(c.target.to_string());
                    cells.push(c.actual.to_string());
                }
            }
            cells
        })
        .chain(p.quantities.iter().map(|q| {
            vec![
                format!(
                    "{} · {} ({})",
                    subject_label(lang, q.subject, &q.label),
                    q.category,
                    lang.pick("件", "units")
                ),
                q.target.to_string(),
                q.actual.to_string(),
                q.completion_percent.clone().unwrap_or_default(),
                pace_name(lang, q.pace).into(),
            ]
        }))
        .collect();
    xlsx(
        lang,
        &format!("targets-{}-{}-{}.xlsx", p.year, p.period.from, p.period.to),
        header,
        rows,
    )
}

/// POST /targets/{year}/step: submit, approve, return (with a reason).
async fn step(
    State(s): State<AppState>,
    Path(year): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let year = parse_year(lang, &year)?;
    let reason = form.get("reason").cloned().unwrap_or_default();
    let r = match form.get("step").map(String::as_str) {
        Some("submit") => s.app.submit_target_plan(&auth.ctx, year).await,
        Some("approve") => s.app.approve_target_plan(&auth.ctx, year).await,
        Some("return") => s.app.return_target_plan(&auth.ctx, year, reason).await,
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "submit, approve or return",
        )),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/targets/{year}")).into_response()),
        Err(AppError::Invalid(e)) => {
            year_view(
                &s,
                &auth.ctx,
                auth.chrome,
                year,
                &BTreeMap::new(),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /targets/{year}/follow-ups
async fn follow_up(
    State(s): State<AppState>,
    Path(year): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let year = parse_year(lang, &year)?;
    let text = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut e = ValidationErrors::new();
    // The miss is chosen as "kind:id|month".
    let miss = text("miss");
    let (who, month) = miss.split_once('|').unwrap_or_default();
    let subject = who
        .split_once(':')
        .and_then(|(k, id)| TargetSubject::from_parts(k, id.parse().ok()?));
    let month = month.parse::<i8>().ok();
    let kind = text("kind").parse::<FollowUpKind>().ok();
    let (Some(subject), Some(month), Some(kind)) = (subject, month, kind) else {
        e.add(
            "miss",
            "invalid",
            "choose the missed month and what was done",
        );
        return year_view(
            &s,
            &auth.ctx,
            auth.chrome,
            year,
            &BTreeMap::new(),
            Some(e.to_string()),
        )
        .await;
    };
    let input = FollowUpInput {
        subject,
        month,
        kind,
        note: text("note"),
    };
    match s.app.record_target_follow_up(&auth.ctx, year, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/targets/{year}")).into_response()),
        Err(AppError::Invalid(e)) => {
            year_view(
                &s,
                &auth.ctx,
                auth.chrome,
                year,
                &BTreeMap::new(),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// One row of the plan's form: a subject and its amounts as typed.
struct FormRow {
    key: String,
    label: String,
    annual: String,
    months: Vec<String>,
}

#[derive(Template)]
#[template(path = "target_form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    year: i16,
    bases: Vec<(&'static str, &'static str, bool)>,
    note: String,
    rows: Vec<FormRow>,
    quantities: Vec<QuantityFormRow>,
    error: Option<String>,
}

/// The subjects a plan may name: the company, each team, each sales rep
/// and manager, each region; with the amounts of `plan` or of the form.
async fn form_rows(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    plan: Option<&TargetPlan>,
    typed: Option<&HashMap<String, String>>,
) -> Result<Vec<(TargetSubject, FormRow)>, PageError> {
    let mut subjects = vec![(TargetSubject::Company, String::new())];
    for t in s.app.teams_for_targets(ctx).await.or_page(lang)? {
        subjects.push((
            TargetSubject::Team { id: t.id },
            format!("{} {}", t.code, t.name),
        ));
    }
    for u in s.app.sales_people(ctx).await.or_page(lang)? {
        subjects.push((TargetSubject::Rep { id: u.0 }, u.1));
    }
    for (id, name) in s.app.region_names(ctx).await.or_page(lang)? {
        subjects.push((TargetSubject::Region { id }, name));
    }
    Ok(subjects
        .into_iter()
        .map(|(subject, label)| {
            let key = format!("{}:{}", subject.kind(), subject.id());
            let line = plan.and_then(|p| p.lines.iter().find(|l| l.subject == subject));
            let (annual, months) = match (typed, line) {
                (Some(f), _) => (
                    f.get(&format!("annual.{key}")).cloned().unwrap_or_default(),
                    (1..=12)
                        .map(|m| f.get(&format!("m{m}.{key}")).cloned().unwrap_or_default())
                        .collect(),
                ),
                (None, Some(l)) => (
                    l.annual().round_to_fen().to_string(),
                    l.months
                        .iter()
                        .map(|m| m.round_to_fen().to_string())
                        .collect(),
                ),
                (None, None) => (String::new(), vec![String::new(); 12]),
            };
            (
                subject,
                FormRow {
                    label: subject_label(lang, subject, &label),
                    key,
                    annual,
                    months,
                },
            )
        })
        .collect())
}

async fn form_view(
    s: &AppState,
    auth: PageAuth,
    year: i16,
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let plan = match s.app.target_plan(&auth.ctx, year).await {
        Ok(p) => Some(p),
        Err(AppError::NotFound { .. }) => None,
        Err(e) => return Err(PageError::new(lang, e)),
    };
    let basis = typed
        .and_then(|f| f.get("basis"))
        .and_then(|b| b.parse::<TargetBasis>().ok())
        .or(plan.as_ref().map(|p| p.basis))
        .unwrap_or(TargetBasis::Ordered);
    let note = typed
        .and_then(|f| f.get("note").cloned())
        .or_else(|| plan.as_ref().and_then(|p| p.note.clone()))
        .unwrap_or_default();
    let rows = form_rows(s, &auth.ctx, lang, plan.as_ref(), typed).await?;
    let subjects: Vec<(TargetSubject, String)> =
        rows.iter().map(|(s, r)| (*s, r.label.clone())).collect();
    let quantities = quantity_form_rows(&subjects, plan.as_ref(), typed);
    Ok(render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &FormPage {
            title: format!("{} {year}", lang.t("targets")),
            year,
            bases: TargetBasis::ALL
                .iter()
                .map(|b| (b.as_str(), basis_name(lang, *b), *b == basis))
                .collect(),
            note,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            quantities,
            error,
            chrome: auth.chrome,
        },
    ))
}

/// GET /targets/{year}/edit
async fn edit_page(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(year): Path<String>,
) -> PageResult {
    let year = parse_year(auth.chrome.lang, &year)?;
    auth.ctx
        .require(Permission::TargetsWrite)
        .map_err(|e| PageError::new(auth.chrome.lang, e))?;
    form_view(&s, auth, year, None, None).await
}

/// Reads a number typed in a cell of the form (an amount, a quantity;
/// thousands separators allowed), naming the cell when it is not one;
/// None for an empty cell.
pub(super) fn cell<N>(e: &mut ValidationErrors, field: &str, raw: &str) -> Option<N>
where
    N: std::str::FromStr,
    N::Err: std::fmt::Display,
{
    let t = raw.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    match t.parse::<N>() {
        Ok(n) => Some(n),
        Err(err) => {
            e.add(field, "invalid", format!("'{raw}': {err}"));
            None
        }
    }
}

/// POST /targets/{year}/edit: writes the plan as a draft. A row without an
/// annual amount is left out; its months left empty split it evenly.
async fn save(
    State(s): State<AppState>,
    Path(year): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let year = parse_year(lang, &year)?;
    let rows = form_rows(&s, &auth.ctx, lang, None, Some(&form)).await?;
    let mut e = ValidationErrors::new();
    let subjects: Vec<(TargetSubject, String)> =
        rows.iter().map(|(s, r)| (*s, r.label.clone())).collect();
    let mut quantities = read_quantities(&mut e, &form, &subjects);
    let mut lines = Vec::new();
    for (subject, row) in &rows {
        let Some(annual) = cell::<Money>(&mut e, &format!("{} annual", row.label), &row.annual)
        else {
            continue;
        };
        let typed: Vec<Option<Money>> = row
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| cell::<Money>(&mut e, &format!("{} month {}", row.label, i + 1), m))
            .collect();
        let months = typed
            .iter()
            .any(Option::is_some)
            .then(|| typed.iter().map(|m| m.unwrap_or_default()).collect());
        let (own, rest): (Vec<_>, Vec<_>) = quantities.into_iter().partition(|(s, _)| s == subject);
        quantities = rest;
        lines.push(TargetLineInput {
            subject: *subject,
            annual,
            months,
            quantities: own.into_iter().map(|(_, q)| q).collect(),
        });
    }
    for (subject, q) in &quantities {
        let label = subjects
            .iter()
            .find(|(s, _)| s == subject)
            .map_or_else(String::new, |(_, l)| l.clone());
        e.add(
            format!("{label} {}", q.category),
            "required",
            "a quantity target is part of the subject's target: give its annual amount too",
        );
    }
    let basis = form
        .get("basis")
        .map(|b| b.parse::<TargetBasis>())
        .transpose()
        .unwrap_or_else(|err| {
            e.add("basis", "invalid", err.to_string());
            None
        })
        .unwrap_or(TargetBasis::Ordered);
    if !e.is_empty() {
        return form_view(&s, auth, year, Some(&form), Some(e.to_string())).await;
    }
    let input = TargetPlanInput {
        basis,
        note: form.get("note").cloned(),
        lines,
    };
    match s.app.put_target_plan(&auth.ctx, year, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/targets/{year}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let message = e.to_string();
            form_view(&s, auth, year, Some(&form), Some(message)).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}
