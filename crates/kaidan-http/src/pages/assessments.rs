//! The order clerks' assessment pages (KPI-6): a month's clerks with the
//! computed part and the supervisor's form; one assessment as the printed
//! 月度考核表; the year from its months.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use kaidan_app::assessments::{AssessmentMonth, AssessmentYear};
use kaidan_app::ports::ClerkAssessment;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::assessments::{AssessmentInput, AssessmentStatus, Grade, score};
use kaidan_domain::commissions::percent_text;
use kaidan_domain::{Permission, UserId, ValidationErrors};

use super::finance::{wants_xlsx, xlsx};
use super::format::local_time;
use super::visits::parse_id;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(month_page).post(month_step))
        .route("/assessments/years/{year}", get(year_page))
        .route("/assessments/{id}", get(one_page))
}

pub(crate) fn grade_name(lang: Lang, g: Grade) -> &'static str {
    match g {
        Grade::Excellent => lang.pick("优秀", "Excellent"),
        Grade::Pass => lang.pick("合格", "Pass"),
        Grade::Failing => lang.pick("不合格", "Failing"),
    }
}

/// Tenths of a point as "87.5".
pub(crate) fn points(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, (tenths % 10).abs())
}

fn rate(hits: i64, of: i64) -> String {
    if of <= 0 {
        "—".into()
    } else {
        // Hundredths of a percent, rounded half up.
        let bp = (i128::from(hits) * 20_000 + i128::from(of)) / (i128::from(of) * 2);
        percent_text(i64::try_from(bp).unwrap_or(0))
    }
}

/// A row as the page shows it.
struct Row {
    clerk_id: UserId,
    clerk: String,
    accuracy: String,
    on_time: String,
    orders: i64,
    timed: i64,
    complaints: i64,
    total: String,
    grade: &'static str,
    failing: bool,
    second_failing: bool,
    items: AssessmentInput,
    id: Option<i64>,
    confirmed: bool,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct MonthPage {
    chrome: Chrome,
    title: String,
    month: String,
    due_on: String,
    ended: bool,
    year: i16,
    rows: Vec<Row>,
    can_write: bool,
    export: String,
    error: Option<String>,
}

fn rows(lang: Lang, m: &AssessmentMonth) -> Vec<Row> {
    m.rows
        .iter()
        .map(|r| {
            let c = r.assessment.as_ref().map_or(r.computed, |a| a.computed);
            Row {
                clerk_id: r.clerk_id,
                clerk: r.clerk.clone(),
                accuracy: rate(c.accurate, c.orders),
                on_time: rate(c.on_time, c.timed),
                orders: c.orders,
                timed: c.timed,
                complaints: c.complaints,
                total: points(r.score.total_tenths),
                grade: if r.assessment.is_some() {
                    grade_name(lang, r.score.grade)
                } else {
                    lang.pick("未评分", "not scored")
                },
                failing: r.score.grade == Grade::Failing,
                second_failing: r.second_failing,
                items: r
                    .assessment
                    .as_ref()
                    .map_or_else(AssessmentInput::unscored, |a| a.items.clone()),
                id: r.assessment.as_ref().map(|a| a.id),
                confirmed: r
                    .assessment
                    .as_ref()
                    .is_some_and(|a| a.status == AssessmentStatus::Confirmed),
            }
        })
        .collect()
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
    let m = s.app.assessment_month(ctx, &month).await.or_page(lang)?;
    let rows = rows(lang, &m);
    if excel {
        return month_xlsx(lang, &m.month, &rows);
    }
    Ok(render(
        super::status_of(&error),
        &MonthPage {
            title: lang.t("assessments").into(),
            export: format!("/assessments?month={}&format=xlsx", m.month),
            year: m.due_on.year(),
            due_on: m.due_on.to_string(),
            ended: m.ended,
            month: m.month,
            rows,
            can_write: ctx.actor.can(Permission::AssessmentsWrite),
            error,
            chrome,
        },
    ))
}

fn month_xlsx(lang: Lang, month: &str, rows: &[Row]) -> PageResult {
    let header = vec![
        lang.pick("开单员", "Clerk").to_string(),
        lang.pick("订单数", "Orders").into(),
        lang.pick("订单处理准确率", "Accuracy (KPI-1)").into(),
        lang.pick("有时限的订单", "Orders timed").into(),
        lang.pick("订单处理及时率", "On time (KPI-2)").into(),
        lang.pick("引起的投诉", "Complaints caused").into(),
        lang.pick("工作纪律", "Discipline").into(),
        lang.pick("沟通协作", "Cooperation").into(),
        lang.pick("单据与数据管理", "Documents").into(),
        lang.pick("客户服务", "Service").into(),
        lang.pick("总分", "Total").into(),
        lang.pick("等级", "Grade").into(),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.clerk.clone(),
                r.orders.to_string(),
                r.accuracy.clone(),
                r.timed.to_string(),
                r.on_time.clone(),
                r.complaints.to_string(),
                r.items.discipline.to_string(),
                r.items.cooperation.to_string(),
                r.items.documents.to_string(),
                r.items.service.to_string(),
                r.total.clone(),
                r.grade.into(),
            ]
        })
        .collect();
    xlsx(lang, &format!("assessments-{month}.xlsx"), header, rows)
}

/// GET /assessments?month=YYYY-MM[&format=xlsx]
async fn month_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    month_view(&s, &ctx, chrome, &q, None).await
}

fn item(e: &mut ValidationErrors, g: &dyn Fn(&str) -> String, field: &str) -> i64 {
    let raw = g(field);
    raw.trim().parse().unwrap_or_else(|_| {
        e.add(field, "invalid", format!("'{raw}' is not a whole number"));
        0
    })
}

/// POST /assessments: write a clerk's month, or confirm it.
async fn month_step(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let ctx = &auth.ctx;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let month = g("month").trim().to_string();
    let r: Result<(), AppError> = match g("step").as_str() {
        "write" => {
            let clerk = UserId(parse_id(lang, &g("clerk_id"))?);
            let mut e = ValidationErrors::new();
            let input = AssessmentInput {
                discipline: item(&mut e, &g, "discipline"),
                cooperation: item(&mut e, &g, "cooperation"),
                documents: item(&mut e, &g, "documents"),
                service: item(&mut e, &g, "service"),
                remark: form.get("remark").cloned(),
                plan: form.get("plan").cloned(),
            };
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s
                    .app
                    .write_assessment(ctx, &month, clerk, input)
                    .await
                    .map(drop),
            }
        }
        "confirm" => {
            let id = parse_id(lang, &g("id"))?;
            s.app.confirm_assessment(ctx, id).await.map(drop)
        }
        _ => Err(AppError::invalid("step", "invalid", "write or confirm")),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/assessments?month={month}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let q = BTreeMap::from([("month".to_string(), month)]);
            month_view(&s, &auth.ctx, auth.chrome, &q, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct OnePage {
    chrome: Chrome,
    title: String,
    a: ClerkAssessment,
    accuracy: String,
    on_time: String,
    accuracy_points: String,
    on_time_points: String,
    deduction: String,
    total: String,
    grade: &'static str,
    status: &'static str,
    written_at: String,
}

/// GET /assessments/{id}: the 月度考核表, printable.
async fn one_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let lang = chrome.lang;
    let id = parse_id(lang, &id)?;
    let a = s.app.clerk_assessment(&ctx, id).await.or_page(lang)?;
    let sc = score(&a.computed, &a.items);
    let c = a.computed;
    Ok(render(
        StatusCode::OK,
        &OnePage {
            title: format!(
                "{} · {} · {}",
                lang.pick("开单员月度考核表", "Order clerk's monthly assessment"),
                a.clerk,
                a.month
            ),
            accuracy: rate(c.accurate, c.orders),
            on_time: rate(c.on_time, c.timed),
            accuracy_points: points(sc.accuracy_tenths),
            on_time_points: points(sc.on_time_tenths),
            deduction: points(sc.deduction_tenths),
            total: points(a.total_tenths),
            grade: grade_name(lang, a.grade),
            status: match a.status {
                AssessmentStatus::Draft => lang.pick("草稿", "Draft"),
                AssessmentStatus::Confirmed => lang.pick("已确认", "Confirmed"),
            },
            written_at: local_time(a.written_at),
            a,
            chrome,
        },
    ))
}

#[derive(Template)]
#[template(path = "assessment_year.html")]
struct YearPage {
    chrome: Chrome,
    title: String,
    y: AssessmentYear,
    /// Per clerk: the twelve months' totals ("" when not assessed), the
    /// mean, the grade, the excellent / failing / repeated failing months.
    lines: Vec<(String, Vec<String>, String, &'static str, String)>,
}

/// GET /assessments/years/{year}
async fn year_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(year): Path<String>,
) -> PageResult {
    let lang = chrome.lang;
    let year: i16 = year.trim().parse().map_err(|_| {
        PageError::new(
            lang,
            AppError::invalid("year", "invalid", format!("'{year}' is not a year")),
        )
    })?;
    let y = s.app.assessment_year(&ctx, year).await.or_page(lang)?;
    let lines = y
        .rows
        .iter()
        .map(|r| {
            let months = (1..=12)
                .map(|m| {
                    let key = format!("{year:04}-{m:02}");
                    r.months
                        .iter()
                        .find(|m| m.month == key)
                        .map(|m| points(m.total_tenths))
                        .unwrap_or_default()
                })
                .collect();
            (
                r.clerk.clone(),
                months,
                points(r.summary.mean_tenths),
                r.summary.grade.map_or("", |g| grade_name(lang, g)),
                format!(
                    "{} / {} / {}",
                    r.summary.excellent, r.summary.failing, r.summary.repeated_failing
                ),
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &YearPage {
            title: format!(
                "{} · {year}",
                lang.pick("开单员年度考核", "Order clerks' yearly assessment")
            ),
            y,
            lines,
            chrome,
        },
    ))
}
