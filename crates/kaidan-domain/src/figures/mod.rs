//! The figures (KPI-1..5, ADR 0038): which figure counts what, the period it
//! is read over and how the counts of each group and each day or month fold
//! into a total, a breakdown and a trend. What makes an order counted or a
//! hit is decided over the records in the store; nothing here is typed in.

mod daily;
mod kept;
mod kind;
mod period;
mod table;
mod turnover;

pub use daily::{CATCH_UP_DAYS, DailySalesReport, TOP_CUSTOMERS, days_to_report};
pub use kept::{closed_months, closed_months_within, gaps};
pub use kind::{Breakdown, Figure};
pub use period::{Bucket, FigurePeriod, Grain, MAX_PERIOD_DAYS};
pub(crate) use table::ratio_bp;
pub use table::{FigureError, FigureTable, GroupLine, Tally, TrendPoint, percent, split_cells};
pub use turnover::Turnover;
