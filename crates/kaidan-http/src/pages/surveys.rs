//! Satisfaction surveys (AFS-3, KPI-3): the page a customer opens from its
//! link (no login), the portal's surveys to answer, and the staff's
//! figures (satisfied / surveyed customers by customer, rep, region or
//! month) with the form that sends a period's survey to a region.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::after_sales::{SatisfactionReport, SentSurvey, SurveyGroup};
use kaidan_app::ports::SurveyRow;
use kaidan_app::{AppError, ListRequest};
use kaidan_domain::after_sales::{QuestionKind, SurveyAnswersInput};
use kaidan_domain::master::RegionData;
use kaidan_domain::{Permission, RegionId};

use super::format::local_time;
use super::portal::PortalAuth;
use super::{
    Chrome, CsrfField, Lang, OrPage, PageAuth, PageForm, PageId, PageResult, bare_chrome, render,
    status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/survey/{secret}", get(link_page).post(link_answer))
        .route("/surveys", get(report_page))
        .route("/surveys/period", post(send_period))
        .route("/portal/surveys", get(portal_page))
        .route("/portal/surveys/{id}", post(portal_answer))
}

/// One question on the form, with what was entered.
#[derive(Clone)]
struct Question {
    key: String,
    text: String,
    score: bool,
    value: String,
}

fn questions(s: &SurveyRow, form: &HashMap<String, String>) -> Vec<Question> {
    s.questions
        .iter()
        .map(|q| Question {
            key: q.key.clone(),
            text: q.text.clone(),
            score: q.kind == QuestionKind::Score,
            value: form.get(&q.key).cloned().unwrap_or_default(),
        })
        .collect()
}

/// What the survey asks about, in words.
fn about(lang: Lang, s: &SurveyRow) -> String {
    match (&s.order_number, &s.period) {
        (Some(n), _) => format!("{} {n}", lang.pick("订单", "Order")),
        (None, Some(p)) => format!("{} {p}", lang.pick("期间", "Period")),
        _ => String::new(),
    }
}

fn answers_of(form: &HashMap<String, String>) -> SurveyAnswersInput {
    SurveyAnswersInput {
        answers: form
            .iter()
            .filter(|(k, _)| k.as_str() != "_csrf")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "survey.html")]
struct LinkPage {
    chrome: Chrome,
    title: String,
    customer: String,
    about: String,
    action: String,
    questions: Vec<Question>,
    /// Set once answered, or when the link cannot be answered.
    message: Option<String>,
    error: Option<String>,
}

/// Why a link cannot be answered, in words for its customer, who may not
/// have chosen a language: Chinese with the English beside it.
fn refusal(lang: Lang, e: &AppError) -> String {
    let code = match e {
        AppError::Invalid(v) => v.errors.first().map(|x| x.code),
        _ => None,
    };
    match (e, code) {
        (AppError::NotFound { .. }, _) => {
            lang.pick("此链接无效。", "This link is not valid.").into()
        }
        (_, Some("answered")) => {
            "此调查已经填写过,感谢您的评价。(This survey was answered already; thank you.)".into()
        }
        (_, Some("expired")) => format!("此调查链接已过期。({e})"),
        _ => e.to_string(),
    }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_headers(headers)
}

fn link_view(
    lang: Lang,
    secret: &str,
    found: Result<SurveyRow, AppError>,
    form: &HashMap<String, String>,
    error: Option<String>,
) -> axum::response::Response {
    let title = lang
        .pick("客户满意度调查", "Customer satisfaction survey")
        .to_string();
    let (status, page) = match found {
        Ok(s) => (
            status_of(&error),
            LinkPage {
                chrome: bare_chrome(lang),
                title,
                customer: s.customer_name.clone(),
                about: about(lang, &s),
                action: format!("/survey/{secret}"),
                questions: questions(&s, form),
                message: None,
                error,
            },
        ),
        Err(e) => (
            match e {
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                _ => StatusCode::GONE,
            },
            LinkPage {
                chrome: bare_chrome(lang),
                title,
                customer: String::new(),
                about: String::new(),
                action: String::new(),
                questions: Vec::new(),
                message: Some(refusal(lang, &e)),
                error: None,
            },
        ),
    };
    render(status, &page)
}

/// GET /survey/{secret}: no login; the link is the key.
async fn link_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> axum::response::Response {
    let found = s.app.survey_by_link(&secret).await;
    link_view(lang_of(&headers), &secret, found, &HashMap::new(), None)
}

/// POST /survey/{secret}: the answers; a thank-you, or the form again with
/// what is missing.
async fn link_answer(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> axum::response::Response {
    let lang = lang_of(&headers);
    match s
        .app
        .answer_survey_by_link(&secret, &answers_of(&form))
        .await
    {
        Ok(_) => render(
            StatusCode::OK,
            &LinkPage {
                chrome: bare_chrome(lang),
                title: lang
                    .pick("客户满意度调查", "Customer satisfaction survey")
                    .into(),
                customer: String::new(),
                about: String::new(),
                action: String::new(),
                questions: Vec::new(),
                message: Some(
                    lang.pick("感谢您的评价!", "Thank you for your answers!")
                        .into(),
                ),
                error: None,
            },
        ),
        Err(AppError::Invalid(e)) if !e.errors.iter().any(|x| x.field == "survey") => {
            let found = s.app.survey_by_link(&secret).await;
            link_view(lang, &secret, found, &form, Some(e.to_string()))
        }
        Err(e) => link_view(lang, &secret, Err(e), &form, None),
    }
}

/// A survey still to answer in the portal.
struct Pending {
    id: i64,
    about: String,
    sent: String,
    questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "portal_surveys.html")]
struct PortalPage {
    chrome: Chrome,
    title: String,
    pending: Vec<Pending>,
    error: Option<String>,
}

async fn portal_view(s: &AppState, auth: PageAuth, error: Option<String>) -> PageResult {
    let lang = auth.chrome.lang;
    let rows = s.app.portal_surveys(&auth.ctx).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &PortalPage {
            title: lang.pick("满意度调查", "Surveys").into(),
            pending: rows
                .iter()
                .map(|r| Pending {
                    id: r.id,
                    about: about(lang, r),
                    sent: local_time(r.sent_at),
                    questions: questions(r, &HashMap::new()),
                })
                .collect(),
            error,
            chrome: auth.chrome,
        },
    ))
}

/// GET /portal/surveys
async fn portal_page(State(s): State<AppState>, PortalAuth(auth): PortalAuth) -> PageResult {
    portal_view(&s, auth, None).await
}

/// POST /portal/surveys/{id}
async fn portal_answer(
    State(s): State<AppState>,
    PageId(id): PageId,
    PortalAuth(auth): PortalAuth,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> PageResult {
    if form.csrf() != Some(auth.chrome.csrf.as_str()) {
        return Ok(super::finance::csrf_refused());
    }
    match s.app.answer_survey(&auth.ctx, id, &answers_of(&form)).await {
        Ok(_) => Ok(axum::response::Redirect::to("/portal/surveys").into_response()),
        Err(AppError::Invalid(e)) => portal_view(&s, auth, Some(e.to_string())).await,
        Err(e) => Err(super::PageError::new(auth.chrome.lang, e)),
    }
}

use axum::response::IntoResponse;

#[derive(Template)]
#[template(path = "surveys.html")]
struct ReportPage {
    chrome: Chrome,
    title: String,
    r: Option<SatisfactionReport>,
    from: String,
    to: String,
    group: String,
    /// (value, label)
    groups: Vec<(&'static str, &'static str)>,
    /// (survey, about, sent, answered, score)
    recent: Vec<(SurveyRow, String, String, String, String)>,
    can_send: bool,
    regions: Vec<(i64, String)>,
    sent: Vec<SentSurvey>,
    error: Option<String>,
}

fn pct(bp: &u32) -> String {
    format!("{}.{}%", bp / 100, (bp % 100) / 10)
}

fn score(x: &i64) -> String {
    format!("{}.{:02}", x / 100, x % 100)
}

async fn report_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    q: &BTreeMap<String, String>,
    sent: Vec<SentSurvey>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let today = s.app.today_date();
    let raw = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let from =
        raw("from").unwrap_or_else(|| today.saturating_sub(jiff::Span::new().days(90)).to_string());
    let to = raw("to").unwrap_or_else(|| today.to_string());
    let group = raw("group").unwrap_or_else(|| "region".into());
    let mut bad = Vec::new();
    let (f, t) = (from.parse::<Date>(), to.parse::<Date>());
    let g = group.parse::<SurveyGroup>();
    if f.is_err() {
        bad.push(format!("from: '{from}' is not a day"));
    }
    if t.is_err() {
        bad.push(format!("to: '{to}' is not a day"));
    }
    if let Err(e) = &g {
        bad.push(format!("group: {e}"));
    }
    let r = match (f, t, g) {
        (Ok(f), Ok(t), Ok(g)) => match s.app.satisfaction_report(&ctx, f, t, g).await {
            Ok(r) => Some(r),
            Err(AppError::Invalid(e)) => {
                bad.push(e.to_string());
                None
            }
            Err(e) => return Err(super::PageError::new(lang, e)),
        },
        _ => None,
    };
    let recent = s
        .app
        .surveys(&ctx, None)
        .await
        .or_page(lang)?
        .into_iter()
        .take(50)
        .map(|v| {
            let (a, sent, ans) = (
                about(lang, &v),
                local_time(v.sent_at),
                v.answered_at.map(local_time).unwrap_or_default(),
            );
            let sc = v.score.as_ref().map(score).unwrap_or_default();
            (v, a, sent, ans, sc)
        })
        .collect();
    let can_send = ctx.actor.can(Permission::SurveySend);
    let regions = if can_send {
        s.app
            .list::<RegionData>(&ctx, &ListRequest::default())
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|r| (r.id, format!("{} {}", r.data.code, r.data.name)))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let error = error.or((!bad.is_empty()).then(|| bad.join("; ")));
    Ok(render(
        status_of(&error),
        &ReportPage {
            title: lang.pick("客户满意度", "Customer satisfaction").into(),
            r,
            from,
            to,
            group,
            groups: vec![
                ("region", lang.pick("按区域", "By region")),
                ("rep", lang.pick("按销售代表", "By sales rep")),
                ("customer", lang.pick("按客户", "By customer")),
                ("month", lang.pick("按月", "By month")),
            ],
            recent,
            can_send,
            regions,
            sent,
            error,
            chrome,
        },
    ))
}

/// GET /surveys?from=&to=&group=region|rep|customer|month
async fn report_page(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    report_view(&s, auth, &q, Vec::new(), None).await
}

/// POST /surveys/period: `region_id`, `period`; the page again with the
/// links sent (shown this once).
async fn send_period(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let region = form
        .get("region_id")
        .and_then(|v| PageId::parse(v.trim()))
        .map(RegionId);
    let period = form.get("period").cloned().unwrap_or_default();
    let outcome = match region {
        Some(r) => s.app.send_period_survey(&auth.ctx, r, &period).await,
        None => Err(AppError::invalid(
            "region_id",
            "required",
            "choose the region",
        )),
    };
    let none = BTreeMap::new();
    match outcome {
        Ok(sent) => report_view(&s, auth, &none, sent, None).await,
        Err(AppError::Invalid(e)) => {
            report_view(&s, auth, &none, Vec::new(), Some(e.to_string())).await
        }
        Err(e) => Err(super::PageError::new(auth.chrome.lang, e)),
    }
}
