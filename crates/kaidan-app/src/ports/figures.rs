//! Port of the figures (KPI-1..5, ADR 0038): the store decides over the
//! records which are counted and which meet the figure, grouped by a
//! breakdown or by the trend's buckets; the domain folds the counts.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::figures::{Breakdown, Figure, GroupLine, Tally};
use kaidan_domain::{Money, OrderId, UserId};
use serde::Serialize;

use super::*;

/// What to count: a figure over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureQuery {
    pub figure: Figure,
    pub from: Timestamp,
    pub to: Timestamp,
    /// When an open deadline counts as missed (KPI-2).
    pub now: Timestamp,
    pub by: Breakdown,
    /// Only the orders these users entered or whose customer they serve
    /// (a rep or a clerk reading his own figures, a manager his team's).
    pub own: Option<Vec<UserId>>,
    /// KPI-3: a customer is satisfied from this mean score (× 100).
    pub satisfied_from: i64,
    /// The closed months `[from, to)` read from their kept sums (ADR
    /// 0046): sorted, apart, inside the period, each kept by
    /// [`FiguresTx::figure_month_keep`]; the rest is read from the records.
    pub kept: Vec<(Timestamp, Timestamp)>,
}

/// Why a record counts as it does (the records page writes it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FigureNote {
    /// KPI-1: the review rejected the order.
    Rejected,
    /// KPI-1: a change request caused by an entry error.
    EntryError,
    /// KPI-1: a credit note correcting a price.
    PriceCorrection,
    /// KPI-1: a return because the wrong goods were sent.
    WrongGoods,
    /// KPI-2: reviewed after its deadline.
    ReviewLate,
    /// KPI-2: shipped after its deadline.
    ShipLate,
    /// KPI-2: not reviewed and its deadline has passed.
    ReviewOverdue,
    /// KPI-2: not shipped and its deadline has passed.
    ShipOverdue,
    /// KPI-2: its deadlines are not decided yet (not counted).
    Pending,
    /// KPI-4: a pick line came back short.
    ShortPick,
    /// KPI-3: the customer's mean score is below the mark.
    Unsatisfied,
    /// KPI-5: a product of the order has no cost price; its lines are
    /// costed at their amount (no margin claimed).
    NoCostPrice,
}

/// One record a figure counted, for the click-through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureRecord {
    /// None for a customer's surveys (KPI-3).
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    pub customer_id: i64,
    pub customer: String,
    /// Who entered the order.
    pub clerk: Option<String>,
    /// When it came in (KPI-4: first picked; KPI-3: first answered).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub counted: bool,
    pub hit: bool,
    pub amount: Money,
    pub cost: Money,
    pub notes: Vec<FigureNote>,
}

/// The inventory turnover of a period (KPI-5), at the products' cost
/// prices: what left the warehouses for customers, against the mean of the
/// stock at the start and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockTurnover {
    /// Cost of the goods shipped in the period.
    pub shipped_cost: Money,
    pub opening_stock: Money,
    pub closing_stock: Money,
}

#[async_trait]
pub trait FiguresTx: Send {
    /// One line per group of `q.by`.
    async fn figure_groups(&mut self, q: &FigureQuery) -> Result<Vec<GroupLine>, StoreError>;
    /// The tally of each bucket: bucket i runs from `starts[i]` to
    /// `starts[i + 1]` (the last to `q.to`); empty buckets may be missing.
    async fn figure_trend(
        &mut self,
        q: &FigureQuery,
        starts: &[Timestamp],
    ) -> Result<Vec<(usize, Tally)>, StoreError>;
    /// The groups of `q.by` in each bucket, from one reading of the
    /// records (buckets as in [`FiguresTx::figure_trend`]); the groups and
    /// the trend are their sums. Not for satisfaction, whose customer
    /// counts once over the period but once in each bucket.
    async fn figure_cells(
        &mut self,
        q: &FigureQuery,
        starts: &[Timestamp],
    ) -> Result<Vec<(usize, GroupLine)>, StoreError>;
    /// The records of one group (`key` as in `GroupLine::key`), or of all,
    /// newest first, at most `limit`.
    async fn figure_records(
        &mut self,
        q: &FigureQuery,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FigureRecord>, StoreError>;
    /// The months of `[q.from, q.to)` whose sums are kept for `q`'s figure
    /// (and breakdown, where it changes the rows), oldest first; none for
    /// satisfaction.
    async fn figure_months_kept(
        &mut self,
        q: &FigureQuery,
    ) -> Result<Vec<(Timestamp, Timestamp)>, StoreError>;
    /// Keeps the sums of the closed month `[from, to)` for `q`'s figure; false
    /// (nothing kept) when the figure is not kept or the month can still
    /// change without a record changing (an on-time deadline not yet due).
    async fn figure_month_keep(
        &mut self,
        q: &FigureQuery,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<bool, StoreError>;
    /// The first moments of the months of stock moves kept from `from` on
    /// (ADR 0046).
    async fn stock_months_kept(&mut self, from: Timestamp) -> Result<Vec<Timestamp>, StoreError>;
    /// Keeps the stock moves of the closed month `[from, to)`; false when
    /// it is not over at `now`.
    async fn stock_month_keep(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// KPI-5's inventory turnover over `[from, to)`.
    async fn stock_turnover(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<StockTurnover, StoreError>;
}

/// The daily sales reports as written (销售日报).
#[async_trait]
pub trait DailyReportsTx: Send {
    /// Writes a day's report; false (nothing written) when the day has one.
    async fn daily_report_insert(
        &mut self,
        day: jiff::civil::Date,
        at: Timestamp,
        document: &str,
    ) -> Result<bool, StoreError>;
    /// A day's report (its JSON), if written.
    async fn daily_report(&mut self, day: jiff::civil::Date) -> Result<Option<String>, StoreError>;
    /// The days reported, newest first.
    async fn daily_report_days(&mut self, limit: u32)
    -> Result<Vec<jiff::civil::Date>, StoreError>;
}
