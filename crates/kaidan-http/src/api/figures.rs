//! The figures (KPI-1..5, ADR 0038): one figure over a period with its
//! breakdown and trend, and the records it counted. The pages read the
//! same parameters through [`figure_params`].

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_app::figures::FigureReport;
use kaidan_app::ports::FigureRecord;
use kaidan_domain::ValidationErrors;
use kaidan_domain::figures::{Breakdown, DailySalesReport, Figure, FigurePeriod};
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::optional_day;
use crate::auth::Api;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(figure; figure_records; daily_reports; daily_report)
}

/// What a figure is asked for: its period (the month so far when neither
/// end is given), its breakdown and, for its records, one group's key.
#[derive(Debug, Clone)]
pub(crate) struct FigureParams {
    pub period: FigurePeriod,
    pub by: Option<Breakdown>,
    pub key: Option<String>,
}

/// Reads `from`, `to`, `by`, `key` (and `format`, `lang`, which the pages
/// use); any other parameter or a bad value is refused, naming it.
pub(crate) fn figure_params(
    app: &App,
    q: &BTreeMap<String, String>,
) -> Result<FigureParams, ValidationErrors> {
    let mut e = ValidationErrors::new();
    for k in q.keys() {
        if !matches!(k.as_str(), "from" | "to" | "by" | "key" | "format" | "lang") {
            e.add(
                k,
                "unknown",
                "not a parameter of a figure: from, to, by, key",
            );
        }
    }
    let (from, to) = (
        optional_day(&mut e, q, "from"),
        optional_day(&mut e, q, "to"),
    );
    let by = match q.get("by").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => match v.parse::<Breakdown>() {
            Ok(b) => Some(b),
            Err(err) => {
                e.add("by", "invalid", err.to_string());
                None
            }
        },
    };
    e.into_result(())?;
    let default = app.figure_default_period();
    let period = match (from, to) {
        (None, None) => default,
        (Some(f), None) => FigurePeriod::new(f, default.to.max(f))?,
        (None, Some(t)) => FigurePeriod::new(t.first_of_month(), t)?,
        (Some(f), Some(t)) => FigurePeriod::new(f, t)?,
    };
    Ok(FigureParams {
        period,
        by,
        key: q.get("key").cloned(),
    })
}

pub(crate) fn parse_figure(v: &str) -> Result<Figure, ValidationErrors> {
    v.parse::<Figure>()
        .map_err(|e| ValidationErrors::single("figure", "invalid", e.to_string()))
}

/// KPI-1..5: `accuracy` (KPI-1), `on_time` (KPI-2), `satisfaction`
/// (KPI-3), `stock_check` (KPI-4) or `sales` (KPI-5) over the days
/// `from`..=`to` (default: this month so far), its total, its breakdown
/// `by` clerk, rep, region, customer_kind or customer, and its trend by day
/// (up to 62 days) or month. Sales adds the same days a year earlier and,
/// for a reader of the whole company, the inventory turnover. With
/// `figures.read_own` only one's own orders and customers count.
#[utoipa::path(get, path = "/api/v1/figures/{figure}", tag = "figures",
    params(("figure" = String, Path, description = "accuracy, on_time, satisfaction, stock_check or sales"),
        ("from" = Option<String>, Query, format = Date), ("to" = Option<String>, Query, format = Date),
        ("by" = Option<String>, Query, description = "clerk, rep, region, customer_kind or customer")),
    responses((status = 200, body = FigureReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn figure(
    Api(app, ctx): Api,
    Path(figure): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<FigureReport>> {
    let f = parse_figure(&figure).map_err(|e| ApiError::from(kaidan_app::AppError::from(e)))?;
    let p = figure_params(&app, &q).map_err(|e| ApiError::from(kaidan_app::AppError::from(e)))?;
    Ok(Json(app.figure(&ctx, f, p.period, p.by).await?))
}

/// The records a figure counted (the click-through): of the group `key`
/// of the breakdown `by` (as the figure's `groups[].key`), or all; newest
/// first, at most 500, each with why it counts as it does.
#[utoipa::path(get, path = "/api/v1/figures/{figure}/records", tag = "figures",
    params(("figure" = String, Path), ("from" = Option<String>, Query, format = Date), ("to" = Option<String>, Query, format = Date),
        ("by" = Option<String>, Query), ("key" = Option<String>, Query)),
    responses((status = 200, body = Vec<FigureRecord>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn figure_records(
    Api(app, ctx): Api,
    Path(figure): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<FigureRecord>>> {
    let f = parse_figure(&figure).map_err(|e| ApiError::from(kaidan_app::AppError::from(e)))?;
    let p = figure_params(&app, &q).map_err(|e| ApiError::from(kaidan_app::AppError::from(e)))?;
    Ok(Json(
        app.figure_records(&ctx, f, p.period, p.by, p.key.as_deref())
            .await?,
    ))
}

/// KPI-5: the days with a daily sales report (销售日报), newest first. The
/// `sales_daily_report` job writes one per working day once it is over.
#[utoipa::path(get, path = "/api/v1/daily-sales-reports", tag = "figures",
    responses((status = 200, body = Vec<String>), (status = 403, body = Problem)))]
pub async fn daily_reports(Api(app, ctx): Api) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(
        app.daily_sales_report_days(&ctx)
            .await?
            .iter()
            .map(Date::to_string)
            .collect(),
    ))
}

/// KPI-5: one day's sales report as it was written: orders received, sales
/// and margin, the month so far, by region, by customer kind and the ten
/// customers who bought most.
#[utoipa::path(get, path = "/api/v1/daily-sales-reports/{day}", tag = "figures",
    params(("day" = String, Path, format = Date)),
    responses((status = 200, body = DailySalesReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn daily_report(
    Api(app, ctx): Api,
    Path(day): Path<String>,
) -> ApiResult<Json<DailySalesReport>> {
    let day: Date = day.parse().map_err(|_| {
        ApiError::field(
            "day",
            "invalid",
            format!("'{day}' is not a day (YYYY-MM-DD)"),
        )
    })?;
    Ok(Json(app.daily_sales_report(&ctx, day).await?))
}
