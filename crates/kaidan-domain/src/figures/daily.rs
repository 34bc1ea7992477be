//! The daily sales report (销售日报, seed 001: the sales assistant's daily
//! work; KPI-5): one per working day, written once the day is over and
//! kept as it was written, so a later correction of an order shows in the
//! figures but never rewrites a report already sent round.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{GroupLine, Tally};

/// How many customers the report names.
pub const TOP_CUSTOMERS: usize = 10;

/// How many days back the first run writes (a new database, or a node
/// down for a while).
pub const CATCH_UP_DAYS: i32 = 31;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailySalesReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub generated_at: Timestamp,
    /// Orders received that day (counted) and those without a processing
    /// error so far (hits; KPI-1).
    pub orders: Tally,
    /// The day's sales: approved orders received that day, their amount
    /// and cost (KPI-5).
    pub sales: Tally,
    /// The month up to and including the day.
    pub month_to_date: Tally,
    /// The day's sales by region and by customer kind.
    pub by_region: Vec<GroupLine>,
    pub by_customer_kind: Vec<GroupLine>,
    /// The customers who bought most that day, at most ten.
    pub top_customers: Vec<GroupLine>,
}

/// The days still to report: the working days after `last` (or from
/// [`CATCH_UP_DAYS`] before `today` on the first run), up to yesterday —
/// a day is reported once it is over.
pub fn days_to_report(
    last: Option<Date>,
    today: Date,
    is_working_day: impl Fn(Date) -> bool,
) -> Vec<Date> {
    let floor = today
        .checked_sub(jiff::Span::new().days(CATCH_UP_DAYS))
        .unwrap_or(today);
    let mut day = match last {
        Some(d) => d.tomorrow().unwrap_or(d).max(floor),
        None => floor,
    };
    let mut out = Vec::new();
    while day < today {
        if is_working_day(day) {
            out.push(day);
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    fn weekdays(d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    #[test]
    fn working_days_after_the_last_report_up_to_yesterday() {
        // Friday 4 Dec reported; on Tuesday 8 Dec: Monday 7 Dec only.
        let days = days_to_report(Some(date(2026, 12, 4)), date(2026, 12, 8), weekdays);
        assert_eq!(days, vec![date(2026, 12, 7)]);
        assert!(days_to_report(Some(date(2026, 12, 7)), date(2026, 12, 8), weekdays).is_empty());
        // The first run goes back a month, not to the beginning of time.
        let first = days_to_report(None, date(2026, 12, 8), weekdays);
        assert_eq!(first.first(), Some(&date(2026, 11, 9)));
        assert_eq!(first.last(), Some(&date(2026, 12, 7)));
        let old = days_to_report(Some(date(2020, 1, 1)), date(2026, 12, 8), weekdays);
        assert_eq!(old, first);
    }
}
