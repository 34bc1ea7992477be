//! The figures' pages (KPI-1..5, ADR 0038): each figure with its formula
//! written out, a period picker, its trend drawn on the server, its
//! breakdown with a click-through to the records it counted, and the same
//! numbers as Excel.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use kaidan_app::AppError;
use kaidan_app::figures::FigureReport;
use kaidan_app::ports::{FigureNote, FigureRecord};
use kaidan_domain::figures::{
    Breakdown, Figure, FigurePeriod, GroupLine, Tally, TrendPoint, percent,
};

use super::chart::{Chart, bars_and_line};
use super::fields::CUSTOMER_KINDS;
use super::finance::xlsx;
use super::format::local_time;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageResult, render};
use crate::api::figures::{FigureParams, figure_params, parse_figure};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/figures", get(overview))
        .route("/figures/{figure}", get(figure_page))
        .route("/figures/{figure}/records", get(records_page))
        .route("/daily-reports", get(daily_page))
        .route("/daily-reports/{day}", get(daily_page))
}

pub(crate) fn figure_name(lang: Lang, f: Figure) -> &'static str {
    match f {
        Figure::Accuracy => lang.pick("订单处理准确率", "Order processing accuracy"),
        Figure::OnTime => lang.pick("订单处理及时率", "On-time rate"),
        Figure::Satisfaction => lang.pick("客户满意度", "Customer satisfaction"),
        Figure::StockCheck => lang.pick("库存管理准确率", "Inventory accuracy"),
        Figure::Sales => lang.pick("销售额与毛利", "Sales and margin"),
    }
}

/// The formula as the page writes it, with what counts (ADR 0038).
fn formula(lang: Lang, f: Figure) -> &'static str {
    match f {
        Figure::Accuracy => lang.pick(
            "订单处理准确率 = 无处理差错的订单数 / 期间收到的订单数 × 100%。处理差错:审核退回、因录入错误提出的变更申请、价格更正红字发票、因发错货的退货。",
            "Accuracy = orders without a processing error / orders received in the period × 100%. A processing error: the review rejected the order, a change request caused by an entry error, a credit note correcting a price, a return because the wrong goods were sent.",
        ),
        Figure::OnTime => lang.pick(
            "订单处理及时率 = 4小时内审核且3个工作日内发货的订单数 / 期限已有结果的订单数 × 100%。未审核或未发货而期限已过的订单计为超时;批准后取消的订单只看审核期限;被退回的订单未获批准,不计入(计入准确率);期限未到的订单暂不计入。",
            "On-time rate = orders reviewed within 4 hours and shipped within 3 working days / orders whose deadlines are decided × 100%. An order not reviewed or not shipped after its deadline counts as late; one cancelled after approval is judged by its review alone; a rejected order was never approved and is not counted here (KPI-1 counts it); one whose deadlines are still ahead is not counted yet.",
        ),
        Figure::Satisfaction => lang.pick(
            "客户满意度 = 满意客户数 / 被调查客户数 × 100%。客户在期间内回答的问卷平均分达到满意分即为满意。",
            "Satisfaction = satisfied customers / surveyed customers × 100%. A customer is satisfied when the mean score of its answers in the period reaches the mark.",
        ),
        Figure::StockCheck => lang.pick(
            "库存管理准确率 = 库存核对准确的订单数 / 期间首次拣货的订单数 × 100%。准确:该订单的拣货行没有一行拣不足(预留的货都拣到了)。",
            "Inventory accuracy = orders whose stock check was right / orders first picked in the period × 100%. Right: no pick line of the order came back short (what was reserved could be picked).",
        ),
        Figure::Sales => lang.pick(
            "销售额 = 期间收到且已批准(未退回、未取消)订单的含税金额;毛利 = 销售额 − 数量 × 成本价;毛利率 = 毛利 / 销售额;同比增长 = (本期 − 去年同期) / 去年同期;存货周转率 = 期间发货成本 / ((期初库存成本 + 期末库存成本) / 2)。无成本价的产品按售价计成本(不计毛利)。",
            "Sales = amount (VAT included) of the orders received in the period and approved (not rejected or cancelled); margin = sales − quantity × cost price; margin rate = margin / sales; growth = (this period − same days last year) / same days last year; inventory turnover = cost of goods shipped / ((stock at cost at the start + at the end) / 2). A product without a cost price is costed at its selling price (no margin claimed).",
        ),
    }
}

fn breakdown_name(lang: Lang, b: Breakdown) -> &'static str {
    match b {
        Breakdown::Clerk => lang.pick("按开单员", "By clerk"),
        Breakdown::Rep => lang.pick("按销售代表", "By sales rep"),
        Breakdown::Team => lang.pick("按销售团队", "By sales team"),
        Breakdown::Region => lang.pick("按区域", "By region"),
        Breakdown::CustomerKind => lang.pick("按客户类型", "By customer kind"),
        Breakdown::Customer => lang.pick("按客户", "By customer"),
        Breakdown::Channel => lang.pick("按下单渠道", "By channel"),
        Breakdown::Category => lang.pick("按产品品类", "By product category"),
    }
}

/// A group's label as shown: a customer kind in words, none as a dash.
fn group_label(lang: Lang, by: Breakdown, g: &GroupLine) -> String {
    if by == Breakdown::CustomerKind
        && let Some((_, zh, en)) = CUSTOMER_KINDS.iter().find(|(k, _, _)| *k == g.key)
    {
        return lang.pick(zh, en).to_string();
    }
    if by == Breakdown::Channel
        && let Ok(c) = g.key.parse::<kaidan_domain::orders::channel::Channel>()
    {
        return lang.pick(c.label_zh(), c.as_str()).to_string();
    }
    if g.label.trim().is_empty() {
        lang.pick("(未指定)", "(none)").to_string()
    } else {
        g.label.clone()
    }
}

/// What a reader's figures count, when not the whole company: his team's
/// (a sales manager) or his own.
pub(crate) fn scope_words(
    lang: Lang,
    ctx: &kaidan_app::Ctx,
    own_only: bool,
) -> Option<&'static str> {
    if !own_only {
        None
    } else if ctx.actor.can(kaidan_domain::Permission::FiguresReadTeam) {
        Some(lang.pick(
            "只统计您团队成员录入的订单和他们负责的客户,以及您自己的。",
            "Only the orders your teams' members entered and their customers count, and yours.",
        ))
    } else {
        Some(lang.pick(
            "只统计您录入的订单和您负责的客户。",
            "Only the orders you entered and your customers count.",
        ))
    }
}

fn note_text(lang: Lang, n: FigureNote) -> &'static str {
    match n {
        FigureNote::Rejected => lang.pick("审核退回", "review rejected"),
        FigureNote::EntryError => lang.pick("录入错误变更", "entry-error change"),
        FigureNote::PriceCorrection => lang.pick("价格更正红字", "price correction"),
        FigureNote::WrongGoods => lang.pick("发错货退货", "wrong goods returned"),
        FigureNote::ReviewLate => lang.pick("审核超时", "reviewed late"),
        FigureNote::ShipLate => lang.pick("发货超时", "shipped late"),
        FigureNote::ReviewOverdue => lang.pick("审核已逾期", "review overdue"),
        FigureNote::ShipOverdue => lang.pick("发货已逾期", "shipping overdue"),
        FigureNote::Pending => lang.pick("期限未到,暂不计入", "deadline ahead, not counted yet"),
        FigureNote::ShortPick => lang.pick("拣货不足", "short pick"),
        FigureNote::Unsatisfied => lang.pick("未达满意分", "below the mark"),
        FigureNote::NoCostPrice => lang.pick("有产品无成本价", "a product without cost price"),
    }
}

/// The headline of a tally: a rate, or the sales amount.
fn headline(f: Figure, t: &Tally) -> String {
    if f.is_rate() {
        t.rate_bp()
            .map_or("—".into(), |bp| format!("{}%", percent(bp)))
    } else {
        t.amount.round_to_fen().to_string()
    }
}

fn refused(lang: Lang, e: kaidan_domain::ValidationErrors) -> PageError {
    PageError::new(lang, AppError::Invalid(e))
}

/// The query of a figure page for a period and breakdown.
fn query(p: &FigurePeriod, by: Breakdown) -> String {
    format!("from={}&to={}&by={by}", p.from, p.to)
}

/// How many groups of a breakdown the page lists one by one.
const PAGE_GROUPS: usize = 100;

struct GroupRow {
    label: String,
    counted: i64,
    hits: i64,
    value: String,
    margin: String,
    /// The records it counted; none for the line of the other groups.
    href: Option<String>,
}

struct Pick {
    label: &'static str,
    href: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "figure.html")]
struct FigurePage {
    chrome: Chrome,
    title: String,
    requirement: &'static str,
    formula: &'static str,
    from: String,
    to: String,
    by: &'static str,
    breakdowns: Vec<Pick>,
    periods: Vec<Pick>,
    figures: Vec<Pick>,
    is_rate: bool,
    headline: String,
    counted: i64,
    hits: i64,
    extra: Vec<(&'static str, String)>,
    chart: Chart,
    rows: Vec<GroupRow>,
    export: String,
    records: String,
    scope: Option<&'static str>,
}

fn periods(
    lang: Lang,
    today: jiff::civil::Date,
    current: &FigurePeriod,
    f: Figure,
    by: Breakdown,
) -> Vec<Pick> {
    let month = FigurePeriod::month_to_date(today);
    let last = FigurePeriod::previous_month(today);
    let year = FigurePeriod {
        from: today.first_of_year(),
        to: today,
    };
    let twelve = FigurePeriod {
        from: today
            .first_of_month()
            .checked_sub(jiff::ToSpan::months(11))
            .unwrap_or(today),
        to: today,
    };
    [
        (lang.pick("本月", "This month"), month),
        (lang.pick("上月", "Last month"), last),
        (lang.pick("今年", "This year"), year),
        (lang.pick("近12个月", "Last 12 months"), twelve),
    ]
    .into_iter()
    .map(|(label, p)| Pick {
        label,
        href: format!("/figures/{f}?{}", query(&p, by)),
        active: p == *current,
    })
    .collect()
}

/// The sales of each point of a trend as bars (the home page's chart and
/// the sales figure's).
pub(crate) fn sales_chart(id: &'static str, caption: String, trend: &[TrendPoint]) -> Chart {
    let labels: Vec<String> = trend.iter().map(|p| p.bucket.label.clone()).collect();
    let values: Vec<(i64, String)> = trend
        .iter()
        .map(|p| {
            (
                p.tally.amount.units(),
                p.tally.amount.round_to_fen().to_string(),
            )
        })
        .collect();
    bars_and_line(id, caption, &labels, &values, None)
}

/// GET /figures/{figure}?from=&to=&by=&format=xlsx
async fn figure_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(figure): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let f = parse_figure(&figure).map_err(|e| refused(lang, e))?;
    let FigureParams { period, by, .. } =
        figure_params(&s.app, &q).map_err(|e| refused(lang, e))?;
    let r = s.app.figure(&ctx, f, period, by).await.or_page(lang)?;
    let by = r.table.breakdown;
    if q.get("format").is_some_and(|v| v == "xlsx") {
        return figure_xlsx(lang, &r);
    }
    let labels: Vec<String> = r
        .table
        .trend
        .iter()
        .map(|p| p.bucket.label.clone())
        .collect();
    let chart = if f.is_rate() {
        let values: Vec<(i64, String)> = r
            .table
            .trend
            .iter()
            .map(|p| {
                let rate = p
                    .tally
                    .rate_bp()
                    .map_or("—".into(), |bp| format!("{}%", percent(bp)));
                (
                    p.tally.counted,
                    format!("{} / {} = {rate}", p.tally.hits, p.tally.counted),
                )
            })
            .collect();
        let rates: Vec<Option<i64>> = r.table.trend.iter().map(|p| p.tally.rate_bp()).collect();
        bars_and_line(
            "figure-chart",
            lang.pick(
                "柱:计入数;线:比率(0–100%)",
                "Bars: counted; line: rate (0–100%)",
            )
            .into(),
            &labels,
            &values,
            Some(&rates),
        )
    } else {
        sales_chart(
            "figure-chart",
            lang.pick("销售额(含税)", "Sales (VAT included)").into(),
            &r.table.trend,
        )
    };
    let mut extra = Vec::new();
    if f == Figure::Sales {
        extra.push((
            lang.pick("订单数", "Orders"),
            r.table.total.counted.to_string(),
        ));
        extra.push((
            lang.pick("毛利", "Margin"),
            r.table.total.margin().round_to_fen().to_string(),
        ));
        extra.push((
            lang.pick("毛利率", "Margin rate"),
            r.margin_percent
                .clone()
                .map_or("—".into(), |p| format!("{p}%")),
        ));
        if let Some(ly) = &r.last_year {
            extra.push((
                lang.pick("去年同期", "Same days last year"),
                ly.amount.round_to_fen().to_string(),
            ));
        }
        extra.push((
            lang.pick("同比增长", "Growth on last year"),
            r.growth_percent
                .clone()
                .map_or("—".into(), |p| format!("{p}%")),
        ));
        if let Some(t) = &r.turnover {
            extra.push((
                lang.pick("存货周转率", "Inventory turnover"),
                t.turns_x100
                    .map_or("—".into(), |x| format!("{}.{:02}", x / 100, x % 100)),
            ));
            extra.push((
                lang.pick("存货周转天数", "Days of stock"),
                t.days_of_stock.map_or("—".into(), |d| d.to_string()),
            ));
        }
    }
    if let Some(mark) = r.satisfied_from {
        extra.push((lang.pick("满意分", "Satisfied from"), format!("{mark} / 5")));
    }
    // The biggest groups one by one, the rest in one line, so a
    // breakdown by 5,000 customers stays a page; the Excel export holds
    // every group.
    let (shown, rest) = r.table.head(PAGE_GROUPS).map_err(|e| {
        refused(
            lang,
            kaidan_domain::ValidationErrors::single("by", "out_of_range", e.to_string()),
        )
    })?;
    let row = |label: String, t: &Tally, href: Option<String>| GroupRow {
        label,
        counted: t.counted,
        hits: t.hits,
        value: headline(f, t),
        margin: t
            .margin_bp()
            .map_or("—".into(), |bp| format!("{}%", percent(bp))),
        href,
    };
    let mut rows: Vec<GroupRow> = shown
        .iter()
        .map(|g| {
            row(
                group_label(lang, by, g),
                &g.tally,
                Some(format!(
                    "/figures/{f}/records?{}&key={}",
                    query(&period, by),
                    super::url_encode(&g.key)
                )),
            )
        })
        .collect();
    if let Some(rest) = rest {
        rows.push(row(
            format!(
                "{} {} {}",
                lang.pick("其余", "The other"),
                rest.groups,
                lang.pick("个分组(明细见 Excel)", "groups (each in the Excel export)")
            ),
            &rest.tally,
            None,
        ));
    }
    let today = s.app.today_date();
    Ok(render(
        StatusCode::OK,
        &FigurePage {
            title: format!("{} · {}", lang.t("figures"), figure_name(lang, f)),
            requirement: r.requirement,
            formula: formula(lang, f),
            from: period.from.to_string(),
            to: period.to.to_string(),
            by: by.as_str(),
            breakdowns: f
                .breakdowns()
                .iter()
                .map(|b| Pick {
                    label: breakdown_name(lang, *b),
                    href: format!("/figures/{f}?{}", query(&period, *b)),
                    active: *b == by,
                })
                .collect(),
            periods: periods(lang, today, &period, f, by),
            figures: Figure::ALL
                .iter()
                .map(|x| Pick {
                    label: figure_name(lang, *x),
                    href: format!("/figures/{x}?from={}&to={}", period.from, period.to),
                    active: *x == f,
                })
                .collect(),
            is_rate: f.is_rate(),
            headline: headline(f, &r.table.total),
            counted: r.table.total.counted,
            hits: r.table.total.hits,
            extra,
            chart,
            rows,
            export: format!("/figures/{f}?{}&format=xlsx", query(&period, by)),
            records: format!("/figures/{f}/records?{}", query(&period, by)),
            scope: scope_words(lang, &ctx, r.own_only),
            chrome,
        },
    ))
}

/// The figure as Excel: the breakdown, the total, then the trend, the
/// same numbers as the page.
fn figure_xlsx(lang: Lang, r: &FigureReport) -> PageResult {
    let f = r.table.figure;
    let header = vec![
        lang.pick("分组 / 日期", "Group / day").to_string(),
        lang.pick("计入数", "Counted").into(),
        lang.pick("达标数", "Met").into(),
        lang.pick("比率(%)", "Rate (%)").into(),
        lang.pick("销售额", "Sales").into(),
        lang.pick("成本", "Cost").into(),
        lang.pick("毛利率(%)", "Margin (%)").into(),
    ];
    let cells = |label: String, t: &Tally| {
        vec![
            label,
            t.counted.to_string(),
            if f.is_rate() {
                t.hits.to_string()
            } else {
                String::new()
            },
            t.rate_bp()
                .filter(|_| f.is_rate())
                .map(percent)
                .unwrap_or_default(),
            if f.is_rate() {
                String::new()
            } else {
                t.amount.to_string()
            },
            if f.is_rate() {
                String::new()
            } else {
                t.cost.to_string()
            },
            t.margin_bp()
                .filter(|_| !f.is_rate())
                .map(percent)
                .unwrap_or_default(),
        ]
    };
    let by = r.table.breakdown;
    let mut rows: Vec<Vec<String>> = r
        .table
        .groups
        .iter()
        .map(|g| cells(group_label(lang, by, g), &g.tally))
        .collect();
    rows.push(cells(lang.pick("合计", "Total").into(), &r.table.total));
    rows.extend(
        r.table
            .trend
            .iter()
            .map(|p| cells(p.bucket.label.clone(), &p.tally)),
    );
    let p = &r.table.period;
    xlsx(
        lang,
        &format!("{f}-{}-{}-{by}.xlsx", p.from, p.to),
        header,
        rows,
    )
}

struct RecordRow {
    at: String,
    order: Option<(i64, String)>,
    customer: String,
    clerk: String,
    counted: bool,
    hit: bool,
    amount: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "figure_records.html")]
struct RecordsPage {
    chrome: Chrome,
    title: String,
    export: String,
    back: String,
    is_sales: bool,
    rows: Vec<RecordRow>,
    full: bool,
}

/// GET /figures/{figure}/records?from=&to=&by=&key=
async fn records_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(figure): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let f = parse_figure(&figure).map_err(|e| refused(lang, e))?;
    let p = figure_params(&s.app, &q).map_err(|e| refused(lang, e))?;
    let records: Vec<FigureRecord> = s
        .app
        .figure_records(&ctx, f, p.period, p.by, p.key.as_deref())
        .await
        .or_page(lang)?;
    let by = p.by.unwrap_or(f.default_breakdown());
    let full = records.len() >= kaidan_app::figures::MAX_FIGURE_RECORDS as usize;
    let rows = records
        .iter()
        .map(|r| RecordRow {
            at: local_time(r.at),
            order: r.order_id.map(|id| {
                (
                    id.get(),
                    r.order_number.clone().unwrap_or_else(|| format!("#{id}")),
                )
            }),
            customer: r.customer.clone(),
            clerk: r.clerk.clone().unwrap_or_default(),
            counted: r.counted,
            hit: r.hit,
            amount: r.amount.round_to_fen().to_string(),
            notes: r
                .notes
                .iter()
                .map(|n| note_text(lang, *n))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect::<Vec<RecordRow>>();
    let export = format!(
        "/figures/{f}/records?{}{}&format=xlsx",
        query(&p.period, by),
        p.key
            .as_deref()
            .map(|k| format!("&key={}", super::url_encode(k)))
            .unwrap_or_default()
    );
    if q.get("format").is_some_and(|v| v == "xlsx") {
        let header = vec![
            lang.pick("时间", "When").to_string(),
            lang.pick("订单", "Order").into(),
            lang.pick("客户", "Customer").into(),
            lang.pick("开单员", "Clerk").into(),
            lang.pick("计入", "Counted").into(),
            lang.pick("达标", "Met").into(),
            lang.pick("金额", "Amount").into(),
            lang.pick("说明", "Why").into(),
        ];
        let yes = |b: bool| {
            lang.pick(if b { "是" } else { "否" }, if b { "yes" } else { "no" })
                .to_string()
        };
        let cells = rows
            .iter()
            .map(|r| {
                vec![
                    r.at.clone(),
                    r.order.as_ref().map(|(_, n)| n.clone()).unwrap_or_default(),
                    r.customer.clone(),
                    r.clerk.clone(),
                    yes(r.counted),
                    yes(r.hit),
                    r.amount.clone(),
                    r.notes.clone(),
                ]
            })
            .collect();
        return xlsx(
            lang,
            &format!("{f}-records-{}-{}.xlsx", p.period.from, p.period.to),
            header,
            cells,
        );
    }
    Ok(render(
        StatusCode::OK,
        &RecordsPage {
            export,
            title: format!(
                "{} · {} · {} {} – {}",
                lang.t("figures"),
                figure_name(lang, f),
                lang.pick("明细", "records"),
                p.period.from,
                p.period.to
            ),
            back: format!("/figures/{f}?{}", query(&p.period, by)),
            is_sales: f == Figure::Sales,
            rows,
            full,
            chrome,
        },
    ))
}

struct Card {
    href: String,
    name: &'static str,
    requirement: &'static str,
    value: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "figures.html")]
struct Overview {
    chrome: Chrome,
    title: String,
    cards: Vec<Card>,
}

/// The five figures of this month, each opening its page.
pub(crate) async fn figure_cards(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
) -> Result<Vec<(Figure, FigureReport)>, AppError> {
    let period = s.app.figure_default_period();
    // Read side by side, each on a reader of its own: the cards take about
    // as long as the slowest figure.
    futures::future::try_join_all(
        Figure::ALL
            .iter()
            .map(|f| async move { Ok((*f, s.app.figure(ctx, *f, period, None).await?)) }),
    )
    .await
}

pub(crate) fn card(
    lang: Lang,
    f: Figure,
    r: &FigureReport,
) -> (String, &'static str, &'static str, String, String) {
    let t = &r.table.total;
    let detail = if f.is_rate() {
        format!("{} / {}", t.hits, t.counted)
    } else {
        format!(
            "{} {} · {} {}",
            t.counted,
            lang.pick("单", "orders"),
            lang.pick("毛利率", "margin"),
            r.margin_percent
                .clone()
                .map_or("—".into(), |p| format!("{p}%"))
        )
    };
    (
        format!("/figures/{f}"),
        figure_name(lang, f),
        r.requirement,
        headline(f, t),
        detail,
    )
}

/// GET /figures: this month's five figures.
async fn overview(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let cards = figure_cards(&s, &ctx)
        .await
        .or_page(lang)?
        .iter()
        .map(|(f, r)| {
            let (href, name, requirement, value, detail) = card(lang, *f, r);
            Card {
                href,
                name,
                requirement,
                value,
                detail,
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &Overview {
            title: lang.t("figures").into(),
            cards,
            chrome,
        },
    ))
}

struct DailyLine {
    label: String,
    orders: i64,
    amount: String,
    margin: String,
}

#[derive(Template)]
#[template(path = "daily_report.html")]
struct DailyPage {
    chrome: Chrome,
    title: String,
    days: Vec<Pick>,
    day: Option<String>,
    generated_at: String,
    headline: Vec<(&'static str, String)>,
    sections: Vec<(&'static str, Vec<DailyLine>)>,
    export: String,
}

fn daily_lines(lang: Lang, by: Breakdown, groups: &[GroupLine]) -> Vec<DailyLine> {
    groups
        .iter()
        .map(|g| DailyLine {
            label: group_label(lang, by, g),
            orders: g.tally.counted,
            amount: g.tally.amount.round_to_fen().to_string(),
            margin: g
                .tally
                .margin_bp()
                .map_or("—".into(), |bp| format!("{}%", percent(bp))),
        })
        .collect()
}

/// GET /daily-reports[/{day}][?format=xlsx]: the daily sales reports
/// (销售日报) as written, the newest when no day is named.
async fn daily_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    day: Option<Path<String>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let days = s.app.daily_sales_report_days(&ctx).await.or_page(lang)?;
    let wanted = match day {
        Some(Path(d)) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
            refused(
                lang,
                kaidan_domain::ValidationErrors::single(
                    "day",
                    "invalid",
                    format!("'{d}' is not a day (YYYY-MM-DD)"),
                ),
            )
        })?),
        None => days.first().copied(),
    };
    let report = match wanted {
        Some(d) => Some(s.app.daily_sales_report(&ctx, d).await.or_page(lang)?),
        None => None,
    };
    let mut headline = Vec::new();
    let mut sections = Vec::new();
    if let Some(r) = &report {
        let rate = |t: &Tally| {
            t.margin_bp()
                .map_or("—".into(), |bp| format!("{}%", percent(bp)))
        };
        headline = vec![
            (
                lang.pick("收到订单", "Orders received"),
                r.orders.counted.to_string(),
            ),
            (
                lang.pick("销售额", "Sales"),
                r.sales.amount.round_to_fen().to_string(),
            ),
            (
                lang.pick("成交订单", "Orders sold"),
                r.sales.counted.to_string(),
            ),
            (lang.pick("毛利率", "Margin"), rate(&r.sales)),
            (
                lang.pick("本月累计", "Month to date"),
                r.month_to_date.amount.round_to_fen().to_string(),
            ),
            (
                lang.pick("本月毛利率", "Month's margin"),
                rate(&r.month_to_date),
            ),
        ];
        sections = vec![
            (
                lang.pick("按区域", "By region"),
                daily_lines(lang, Breakdown::Region, &r.by_region),
            ),
            (
                lang.pick("按客户类型", "By customer kind"),
                daily_lines(lang, Breakdown::CustomerKind, &r.by_customer_kind),
            ),
            (
                lang.pick("客户前十", "Top customers"),
                daily_lines(lang, Breakdown::Customer, &r.top_customers),
            ),
        ];
        if q.get("format").is_some_and(|v| v == "xlsx") {
            let header = vec![
                lang.pick("项目", "Item").to_string(),
                lang.pick("订单数", "Orders").into(),
                lang.pick("销售额", "Sales").into(),
                lang.pick("毛利率", "Margin").into(),
            ];
            let mut rows: Vec<Vec<String>> = headline
                .iter()
                .map(|(k, v)| vec![k.to_string(), String::new(), v.clone(), String::new()])
                .collect();
            for (title, lines) in &sections {
                rows.extend(lines.iter().map(|l| {
                    vec![
                        format!("{title}: {}", l.label),
                        l.orders.to_string(),
                        l.amount.clone(),
                        l.margin.clone(),
                    ]
                }));
            }
            return xlsx(lang, &format!("daily-sales-{}.xlsx", r.day), header, rows);
        }
    }
    let current = report.as_ref().map(|r| r.day);
    Ok(render(
        StatusCode::OK,
        &DailyPage {
            title: format!(
                "{} · {}{}",
                lang.t("figures"),
                lang.pick("销售日报", "Daily sales report"),
                current.map(|d| format!(" {d}")).unwrap_or_default()
            ),
            days: days
                .iter()
                .take(31)
                .map(|d| Pick {
                    label: "",
                    href: d.to_string(),
                    active: Some(*d) == current,
                })
                .collect(),
            day: current.map(|d| d.to_string()),
            generated_at: report
                .as_ref()
                .map(|r| local_time(r.generated_at))
                .unwrap_or_default(),
            headline,
            sections,
            export: current
                .map(|d| format!("/daily-reports/{d}?format=xlsx"))
                .unwrap_or_default(),
            chrome,
        },
    ))
}
