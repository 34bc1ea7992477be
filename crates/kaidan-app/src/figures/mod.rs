//! The figures (KPI-1..5, ADR 0038): each figure over a period, broken
//! down and drawn as a trend, with the records it counted. A reader with
//! `figures.read` sees the company; with `figures.read_team` (a sales
//! manager) his teams' members' orders and customers and his own; with
//! `figures.read_own` only the orders he entered and his customers'.

mod daily;
mod kept;

use jiff::Timestamp;
use kaidan_domain::figures::{
    Breakdown, Figure, FigureError, FigurePeriod, FigureTable, Grain, Tally, Turnover, percent,
    split_cells,
};
use kaidan_domain::{Permission, UserId, ValidationErrors};
use serde::Serialize;

use crate::collection::start_of;
use crate::ports::{FigureQuery, FigureRecord};
use crate::{App, AppError, AppResult, Ctx};

/// The most records the click-through lists.
pub const MAX_FIGURE_RECORDS: u32 = 500;

/// A figure as a page, the API and an export show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureReport {
    pub requirement: &'static str,
    pub table: FigureTable,
    /// The total's rate as a percent with two decimals ("97.50"); null
    /// when nothing was counted (and for sales).
    pub rate_percent: Option<String>,
    /// Sales: the margin as a percent of the amount.
    pub margin_percent: Option<String>,
    /// Sales: the same days a year earlier, and the growth on them.
    pub last_year: Option<Tally>,
    pub growth_percent: Option<String>,
    /// Sales, for a reader of the whole company: the inventory turnover.
    pub turnover: Option<Turnover>,
    /// KPI-3: a customer is satisfied from this mean score (1–5).
    pub satisfied_from: Option<u8>,
    /// Only the reader's (or his teams') orders and customers are counted.
    pub own_only: bool,
    /// How many closed months were read from their kept sums rather than
    /// from the records (ADR 0046); the same numbers either way.
    pub kept_months: usize,
}

fn figure_error(e: FigureError) -> AppError {
    ValidationErrors::single("to", "out_of_range", e.to_string()).into()
}

impl App {
    /// Whose figures `ctx` may read: None for the whole company, else the
    /// users whose orders and customers count.
    pub(crate) async fn figure_scope(&self, ctx: &Ctx) -> AppResult<Option<Vec<UserId>>> {
        let me = ctx.actor.user_id;
        if ctx.actor.can(Permission::FiguresRead) {
            Ok(None)
        } else if ctx.actor.can(Permission::FiguresReadTeam) {
            Ok(Some(self.team_reach(me).await?))
        } else if ctx.actor.can(Permission::FiguresReadOwn) {
            Ok(Some(vec![me]))
        } else {
            Err(AppError::Forbidden(Permission::FiguresRead))
        }
    }

    /// The reach of one who works with a capability (`permissions`): his
    /// figures' scope, or at least himself when he reads no figures.
    pub(crate) async fn reach_with(
        &self,
        ctx: &Ctx,
        permissions: &[Permission],
    ) -> AppResult<Option<Vec<UserId>>> {
        let a = &ctx.actor;
        if permissions.iter().any(|p| a.can(*p)) {
            return match self.figure_scope(ctx).await {
                Ok(scope) => Ok(scope),
                Err(AppError::Forbidden(_)) => Ok(Some(vec![a.user_id])),
                Err(e) => Err(e),
            };
        }
        self.figure_scope(ctx).await
    }

    pub(crate) fn figure_query(
        &self,
        figure: Figure,
        period: FigurePeriod,
        by: Breakdown,
        own: Option<Vec<UserId>>,
    ) -> AppResult<FigureQuery> {
        if !figure.breakdowns().contains(&by) {
            let allowed: Vec<&str> = figure.breakdowns().iter().map(|b| b.as_str()).collect();
            return Err(ValidationErrors::single(
                "by",
                "invalid",
                format!(
                    "{figure} breaks down by {}, not by {by}",
                    allowed.join(", ")
                ),
            )
            .into());
        }
        Ok(FigureQuery {
            figure,
            from: start_of(period.from),
            to: start_of(period.end_exclusive()),
            now: self.now(),
            by,
            own,
            satisfied_from: i64::from(self.config.surveys.satisfied_from),
            kept: Vec::new(),
        })
    }

    /// The month so far: what a figure opens on.
    pub fn figure_default_period(&self) -> FigurePeriod {
        FigurePeriod::month_to_date(self.today())
    }

    /// One figure over `period`, broken down `by` (its default if None).
    pub async fn figure(
        &self,
        ctx: &Ctx,
        figure: Figure,
        period: FigurePeriod,
        by: Option<Breakdown>,
    ) -> AppResult<FigureReport> {
        let own = self.figure_scope(ctx).await?;
        let by = by.unwrap_or(figure.default_breakdown());
        let mut q = self.figure_query(figure, period, by, own.clone())?;
        let starts: Vec<Timestamp> = period.buckets().iter().map(|b| start_of(b.start)).collect();
        // A kept month is one bucket of a trend drawn by month.
        if period.grain() == Grain::Month {
            q.kept = self.kept_months(&q, period).await;
        }
        let year_before = match period.a_year_earlier() {
            Some(ago) if figure == Figure::Sales => {
                // Only its total is wanted: by channel, the breakdown of
                // fewest groups that counts every order once.
                let mut q = self.figure_query(figure, ago, Breakdown::Channel, own.clone())?;
                q.kept = self.kept_months(&q, ago).await;
                Some(q)
            }
            _ => None,
        };
        // By customer, thousands of groups in each bucket are far more rows
        // than the trend needs; the trend is the same whatever the
        // breakdown, so it is read by channel (kept by channel: a few rows
        // a month).
        let trend_q =
            if by == Breakdown::Customer && figure.breakdowns().contains(&Breakdown::Channel) {
                let mut t = self.figure_query(figure, period, Breakdown::Channel, own.clone())?;
                if period.grain() == Grain::Month {
                    t.kept = self.kept_months(&t, period).await;
                }
                Some(t)
            } else {
                None
            };
        if figure == Figure::Sales && own.is_none() {
            self.keep_stock_months(period).await;
        }
        let mut tx = self.store.read().await?;
        // One reading for the breakdown and the trend, except where a
        // customer counts once over the period but once in each bucket.
        let (groups, trend) = match &trend_q {
            Some(t) => (
                tx.figure_groups(&q).await?,
                tx.figure_trend(t, &starts).await?,
            ),
            None if figure == Figure::Satisfaction => (
                tx.figure_groups(&q).await?,
                tx.figure_trend(&q, &starts).await?,
            ),
            None => split_cells(tx.figure_cells(&q, &starts).await?).map_err(figure_error)?,
        };
        let table = FigureTable::fold(figure, period, by, groups, trend).map_err(figure_error)?;
        let (mut last_year, mut turnover) = (None, None);
        if figure == Figure::Sales {
            if let Some(q) = year_before {
                let mut t = Tally::default();
                for g in tx.figure_groups(&q).await? {
                    t = t.checked_add(g.tally).map_err(figure_error)?;
                }
                last_year = Some(t);
            }
            if own.is_none() {
                let s = tx.stock_turnover(q.from, q.to).await?;
                turnover = Some(Turnover::of(
                    s.shipped_cost,
                    s.opening_stock,
                    s.closing_stock,
                    period.days(),
                ));
            }
        }
        let total = table.total;
        Ok(FigureReport {
            requirement: figure.requirement(),
            rate_percent: figure
                .is_rate()
                .then(|| total.rate_bp())
                .flatten()
                .map(percent),
            margin_percent: (figure == Figure::Sales)
                .then(|| total.margin_bp())
                .flatten()
                .map(percent),
            growth_percent: last_year
                .as_ref()
                .and_then(|ly| total.growth_bp(ly))
                .map(percent),
            last_year,
            turnover,
            satisfied_from: (figure == Figure::Satisfaction)
                .then_some(self.config.surveys.satisfied_from),
            own_only: own.is_some(),
            kept_months: q.kept.len(),
            table,
        })
    }

    /// The records a figure counted: of one group of `by` (`key` as in
    /// the breakdown), or all; newest first, at most 500.
    pub async fn figure_records(
        &self,
        ctx: &Ctx,
        figure: Figure,
        period: FigurePeriod,
        by: Option<Breakdown>,
        key: Option<&str>,
    ) -> AppResult<Vec<FigureRecord>> {
        let own = self.figure_scope(ctx).await?;
        let by = by.unwrap_or(figure.default_breakdown());
        let q = self.figure_query(figure, period, by, own)?;
        if key.is_some_and(|k| k.chars().count() > 200) {
            return Err(ValidationErrors::single(
                "key",
                "too_long",
                "a group's key is at most 200 characters",
            )
            .into());
        }
        let mut tx = self.store.read().await?;
        Ok(tx.figure_records(&q, key, MAX_FIGURE_RECORDS).await?)
    }
}
