//! The home page: who is logged in, the figures of his role this month
//! (issue 20: the general manager the company's, a rep or clerk his own),
//! the month's sales drawn by day, overdue receivables for whoever reads
//! them, an order clerk's queue and deadlines, and a card per section he
//! may use.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::orders::deadlines::DeadlineFacts;
use kaidan_domain::Permission;
use kaidan_domain::figures::Figure;
use kaidan_domain::finance::AgeingGroup;
use kaidan_domain::orders::DeadlineState;

use super::chart::Chart;
use super::figures::{card, figure_cards, sales_chart, scope_words};
use super::targets::{bar_width, pace_name, subject_label};
use super::{Chrome, PageAuth, render};
use crate::state::AppState;

pub struct Card {
    pub href: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

pub struct FigureCard {
    pub href: String,
    pub name: &'static str,
    pub requirement: &'static str,
    pub value: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    title: String,
    display_name: String,
    roles: String,
    figures: Vec<FigureCard>,
    scope: Option<&'static str>,
    chart: Option<Chart>,
    overdue: Option<(String, u32)>,
    work: Vec<FigureCard>,
    targets: Vec<TargetLine>,
    cards: Vec<Card>,
}

/// A target on the home page (SAL-1): done against it, with the time gone.
pub struct TargetLine {
    pub href: String,
    pub name: String,
    pub value: String,
    pub detail: String,
    pub width: String,
    /// Where the bar's mark is: what was due by today.
    pub mark: String,
    pub behind: bool,
}

pub async fn home(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> Response {
    // A customer's users have their own pages (INT-2).
    if ctx.actor.customer_id.is_some() {
        return Redirect::to("/portal").into_response();
    }
    let lang = chrome.lang;
    let cards = chrome
        .nav
        .iter()
        .filter(|n| n.href != "/")
        .map(|n| Card {
            href: n.href,
            label: n.label,
            hint: n.href,
        })
        .collect();
    let roles = ctx
        .actor
        .roles
        .iter()
        .map(|r| lang.pick(r.label_zh(), r.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // The figures are a view: one that cannot be read leaves the page as
    // it was (the links), it never fails the home page. The cards are
    // read side by side (each on a reader of its own), so the page takes
    // about as long as its slowest card.
    let figures = async {
        let (mut figures, mut chart, mut scope) = (Vec::new(), None, None);
        if ctx.actor.can(Permission::FiguresRead)
            || ctx.actor.can(Permission::FiguresReadTeam)
            || ctx.actor.can(Permission::FiguresReadOwn)
        {
            match figure_cards(&s, &ctx).await {
                Ok(reports) => {
                    for (f, r) in &reports {
                        let (href, name, requirement, value, detail) = card(lang, *f, r);
                        figures.push(FigureCard {
                            href,
                            name,
                            requirement,
                            value,
                            detail,
                        });
                        scope = scope_words(lang, &ctx, r.own_only);
                        if *f == Figure::Sales {
                            chart = Some(sales_chart(
                                "home-sales-chart",
                                lang.pick(
                                    "本月每日销售额(含税)",
                                    "Sales by day this month (VAT included)",
                                )
                                .into(),
                                &r.table.trend,
                            ));
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "home figures"),
            }
        }
        (figures, chart, scope)
    };
    let overdue = async {
        if !(ctx.actor.can(Permission::InvoiceRead) && ctx.actor.can(Permission::AccountRead)) {
            return None;
        }
        match s.app.ageing(&ctx, None, AgeingGroup::CustomerKind).await {
            Ok(a) => {
                let past = a
                    .totals
                    .buckets
                    .iter()
                    .skip(1)
                    .copied()
                    .sum::<kaidan_domain::Money>();
                Some((past.round_to_fen().to_string(), a.totals.invoices))
            }
            Err(e) => {
                tracing::warn!(error = %e, "home ageing");
                None
            }
        }
    };
    let work = async {
        let mut work = if ctx.actor.can(Permission::OrderReview) {
            work_cards(&s, &ctx, lang).await
        } else {
            Vec::new()
        };
        if ctx.actor.can(Permission::VisitsWrite) || ctx.actor.can(Permission::VisitsApprove) {
            work.extend(visit_cards(&s, &ctx, lang).await);
        }
        work.extend(points_cards(&s, &ctx, lang).await);
        work.extend(expense_cards(&s, &ctx, lang).await);
        work.extend(commission_cards(&s, &ctx, lang).await);
        work.extend(assessment_cards(&s, &ctx, lang).await);
        work
    };
    let targets = async {
        match s.app.target_cards(&ctx).await {
            Ok(cards) => cards.into_iter().map(|c| target_line(lang, c)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "home targets");
                Vec::new()
            }
        }
    };
    let ((figures, chart, scope), overdue, work, targets) =
        tokio::join!(figures, overdue, work, targets);
    render(
        StatusCode::OK,
        &HomePage {
            work,
            targets,
            title: lang.t("home").into(),
            display_name: ctx.actor.username.clone(),
            roles,
            figures,
            scope,
            chart,
            overdue,
            cards,
            chrome,
        },
    )
}

/// An order clerk's work (seed 000: review within 4 hours, ship within 3
/// working days): orders waiting for review and to ship, and how many of
/// each are overdue or due soon, from the deadline watch (ORD-6).
async fn work_cards(s: &AppState, ctx: &kaidan_app::Ctx, lang: super::Lang) -> Vec<FigureCard> {
    let list = match s.app.deadline_watch_list(ctx, true).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "home deadlines");
            return Vec::new();
        }
    };
    let count = |rows: &[kaidan_app::ports::OrderRow], review: bool, want: DeadlineState| {
        rows.iter()
            .filter(|r| {
                let st = list.watch.states(&DeadlineFacts::of(r));
                (if review { st.review } else { st.ship }) == Some(want)
            })
            .count()
    };
    let mut out = Vec::new();
    for (review, rows, name, href) in [
        (
            true,
            &list.review,
            lang.pick("待审核订单", "Orders to review"),
            "/orders/deadlines",
        ),
        (
            false,
            &list.ship,
            lang.pick("待发货订单", "Orders to ship"),
            "/orders/deadlines",
        ),
    ] {
        out.push(FigureCard {
            href: href.to_string(),
            name,
            requirement: "ORD-6",
            value: rows.len().to_string(),
            detail: format!(
                "{} {} · {} {}",
                lang.pick("逾期", "overdue"),
                count(rows, review, DeadlineState::Overdue),
                lang.pick("临期", "due soon"),
                count(rows, review, DeadlineState::DueSoon),
            ),
        });
    }
    out
}

fn target_line(lang: super::Lang, c: kaidan_app::targets::TargetCard) -> TargetLine {
    use kaidan_domain::targets::{Pace, TargetSpan};
    let r = &c.row;
    let span = match c.span {
        TargetSpan::Year => lang.pick("本年", "This year"),
        TargetSpan::Quarter => lang.pick("本季", "This quarter"),
        TargetSpan::Month => lang.pick("本月", "This month"),
        TargetSpan::Week => lang.pick("本周", "This week"),
    };
    TargetLine {
        href: format!("/targets/{}?span={}", c.year, c.span.as_str()),
        name: format!("{span} · {}", subject_label(lang, r.subject, &r.label)),
        value: r
            .completion_percent
            .as_ref()
            .map_or("—".into(), |p| format!("{p}%")),
        detail: format!(
            "{} {} / {} {} · {} {} · {}",
            lang.pick("完成", "done"),
            r.actual.round_to_fen(),
            lang.pick("目标", "target"),
            r.target.round_to_fen(),
            lang.pick("应完成", "due"),
            r.due.round_to_fen(),
            pace_name(lang, r.pace)
        ),
        width: bar_width(r.completion_percent.as_deref()),
        mark: bar_width(r.due_percent.as_deref()),
        behind: matches!(r.pace, Pace::Behind | Pace::Missed),
    }
}

/// A rep's visits this month (SAL-2): done of planned, the things promised
/// still open and overdue; a manager's: his reps' reports to review and
/// plans waiting for him.
async fn visit_cards(s: &AppState, ctx: &kaidan_app::Ctx, lang: super::Lang) -> Vec<FigureCard> {
    let today = s.app.today_date();
    let month = format!("{:04}-{:02}", today.year(), today.month());
    let m = match s.app.visit_month(ctx, &month).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "home visits");
            return Vec::new();
        }
    };
    let me = ctx.actor.user_id;
    let mut out = Vec::new();
    if let Some(r) = m.rows.iter().find(|r| r.rep_id == Some(me)) {
        out.push(FigureCard {
            href: format!("/visits?month={month}"),
            name: lang.pick("本月拜访", "Visits this month"),
            requirement: "SAL-2",
            value: format!("{} / {}", r.planned_done, r.planned),
            detail: format!(
                "{} {} · {} {}",
                lang.pick("待跟进", "open follow-ups"),
                r.open_actions,
                lang.pick("逾期", "overdue"),
                r.overdue_actions
            ),
        });
    }
    if ctx.actor.can(Permission::VisitsApprove) {
        let others = m.rows.iter().filter(|r| r.rep_id != Some(me));
        let (unreviewed, waiting) = others.fold((0, 0), |(u, w), r| {
            (
                u + r.unreviewed,
                w + i64::from(
                    r.plan_status == Some(kaidan_domain::visits::VisitPlanStatus::Submitted),
                ),
            )
        });
        out.push(FigureCard {
            href: format!("/visits?month={month}"),
            name: lang.pick("待审核拜访报告", "Visit reports to review"),
            requirement: "SAL-2",
            value: unreviewed.to_string(),
            detail: format!(
                "{} {}",
                lang.pick("本月计划待批", "plans waiting this month"),
                waiting
            ),
        });
    }
    out
}

/// A rep's points (SAL-4): his balance and what expires within 30 days;
/// the general manager's: the extra points waiting for his approval.
async fn points_cards(s: &AppState, ctx: &kaidan_app::Ctx, lang: super::Lang) -> Vec<FigureCard> {
    let card = match s.app.points_card(ctx).await {
        Ok(Some(c)) => c,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "home points");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    if let Some(b) = card.balance {
        out.push(FigureCard {
            href: format!("/points/reps/{}", b.rep_id),
            name: lang.pick("我的积分", "My points"),
            requirement: "SAL-4",
            value: b.balance.to_string(),
            detail: format!(
                "{} {} · {} {}",
                lang.pick("30天内到期", "expiring within 30 days"),
                b.expiring_soon,
                lang.pick("已兑换", "redeemed"),
                b.redeemed
            ),
        });
    }
    if ctx.actor.can(Permission::PointsApprove) {
        out.push(FigureCard {
            href: "/points".into(),
            name: lang.pick("待批准的额外积分", "Extra points to approve"),
            requirement: "SAL-4",
            value: card.waiting_awards.to_string(),
            detail: lang
                .pick("销售经理提出,总经理批准", "proposed by the sales manager")
                .into(),
        });
    }
    out
}

/// Expenses (SAL-3): a rep's budget left this month; the manager's claims
/// to approve; finance's to approve and to pay.
async fn expense_cards(s: &AppState, ctx: &kaidan_app::Ctx, lang: super::Lang) -> Vec<FigureCard> {
    let a = &ctx.actor;
    if ![
        Permission::ExpensesWrite,
        Permission::ExpensesApprove,
        Permission::ExpensesFinance,
    ]
    .iter()
    .any(|p| a.can(*p))
    {
        return Vec::new();
    }
    let card = match s.app.expense_card(ctx).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "home expenses");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    if let Some(b) = card.mine {
        out.push(FigureCard {
            href: "/expenses".into(),
            name: lang.pick("本月费用预算剩余", "Expense budget left this month"),
            requirement: "SAL-3",
            value: b.remaining.map_or_else(
                || lang.pick("未设预算", "no budget").to_string(),
                |m| m.round_to_fen().to_string(),
            ),
            detail: format!(
                "{} {} · {} {}",
                lang.pick("已用", "spent"),
                b.spent.round_to_fen(),
                lang.pick("审核中", "in review"),
                b.pending.round_to_fen()
            ),
        });
    }
    if let Some((n, total)) = card.waiting {
        out.push(FigureCard {
            href: "/expenses".into(),
            name: lang.pick("待审核的报销单", "Expense claims to approve"),
            requirement: "SAL-3",
            value: n.to_string(),
            detail: format!("{} {}", lang.pick("合计", "total"), total.round_to_fen()),
        });
    }
    if let Some((n, total)) = card.to_pay {
        out.push(FigureCard {
            href: "/expenses".into(),
            name: lang.pick("待支付的报销", "Expenses to pay"),
            requirement: "SAL-3",
            value: n.to_string(),
            detail: format!("{} {}", lang.pick("合计", "total"), total.round_to_fen()),
        });
    }
    out
}

/// Commissions (SAL-5): a rep's latest statement; the statements waiting
/// for the sales manager's review or finance's confirmation.
async fn commission_cards(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
    lang: super::Lang,
) -> Vec<FigureCard> {
    let a = &ctx.actor;
    let waits = a.can(Permission::CommissionsWrite) || a.can(Permission::CommissionsFinance);
    if !waits && !a.can(Permission::FiguresReadOwn) {
        return Vec::new();
    }
    let card = match s.app.commission_card(ctx).await {
        Ok(Some(c)) => c,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "home commissions");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    if let Some(own) = card.own {
        out.push(FigureCard {
            href: format!("/commissions/statements/{}", own.id),
            name: lang.pick("我的提成", "My commission"),
            requirement: "SAL-5",
            value: own.commission.to_string(),
            detail: format!(
                "{} · {}",
                own.month,
                super::commissions::status_name(lang, own.status)
            ),
        });
    }
    if waits {
        out.push(FigureCard {
            href: "/commissions".into(),
            name: if a.can(Permission::CommissionsFinance) {
                lang.pick("待确认的提成结算单", "Commission statements to confirm")
            } else {
                lang.pick("待审核的提成结算单", "Commission statements to review")
            },
            requirement: "SAL-5",
            value: card.waiting.to_string(),
            detail: lang
                .pick(
                    "销售经理审核,财务确认",
                    "reviewed by the sales manager, confirmed by finance",
                )
                .into(),
        });
    }
    out
}

/// The clerks' assessment (KPI-6): the supervisor's clerks still to
/// confirm for last month and the day it is due; a clerk his latest.
async fn assessment_cards(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
    lang: super::Lang,
) -> Vec<FigureCard> {
    let card = match s.app.assessment_card(ctx).await {
        Ok(Some(c)) => c,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "home assessments");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    if ctx.actor.can(Permission::AssessmentsWrite) {
        out.push(FigureCard {
            href: format!("/assessments?month={}", card.month),
            name: lang.pick("待完成的开单员月度考核", "Clerk assessments to finish"),
            requirement: "KPI-6",
            value: card.open.to_string(),
            detail: format!(
                "{} · {} {}",
                card.month,
                lang.pick("截止", "due"),
                card.due_on
            ),
        });
    }
    if let Some(a) = card.own {
        out.push(FigureCard {
            href: format!("/assessments/{}", a.id),
            name: lang.pick("我的月度考核", "My monthly assessment"),
            requirement: "KPI-6",
            value: super::assessments::points(a.total_tenths),
            detail: format!(
                "{} · {}",
                a.month,
                super::assessments::grade_name(lang, a.grade)
            ),
        });
    }
    out
}
