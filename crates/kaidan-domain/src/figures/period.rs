//! The days a figure is read over and the buckets of its trend: a day each
//! for a span of up to two months, a calendar month each beyond.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::ValidationErrors;

/// The longest span a figure is read over: three years (and a day), so a
/// trend has at most 37 points and a year-on-year read stays bounded.
pub const MAX_PERIOD_DAYS: i32 = 1097;

/// Up to this many days the trend is drawn by day.
const DAILY_UP_TO_DAYS: i32 = 62;

/// How the trend is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Grain {
    Day,
    Month,
}

/// One point of a trend: the days from `start` to `end` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    /// `2026-11-05` by day, `2026-11` by month.
    pub label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: Date,
}

/// The days `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigurePeriod {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
}

impl FigurePeriod {
    /// Refuses a span that ends before it starts or is longer than
    /// [`MAX_PERIOD_DAYS`], naming the field.
    pub fn new(from: Date, to: Date) -> Result<Self, ValidationErrors> {
        if to < from {
            return Err(ValidationErrors::single(
                "to",
                "out_of_range",
                format!("{to} is before {from}"),
            ));
        }
        let p = FigurePeriod { from, to };
        if p.days() > MAX_PERIOD_DAYS {
            return Err(ValidationErrors::single(
                "to",
                "out_of_range",
                format!(
                    "{from} to {to} is {} days; a figure is read over at most {MAX_PERIOD_DAYS} days",
                    p.days()
                ),
            ));
        }
        Ok(p)
    }

    /// The month `today` falls in, up to `today`: what a figure opens on.
    pub fn month_to_date(today: Date) -> Self {
        FigurePeriod {
            from: today.first_of_month(),
            to: today,
        }
    }

    /// The calendar month before the one `today` falls in.
    pub fn previous_month(today: Date) -> Self {
        let last = today
            .first_of_month()
            .yesterday()
            .unwrap_or(today.first_of_month());
        FigurePeriod {
            from: last.first_of_month(),
            to: last,
        }
    }

    /// Days in the span, both ends included.
    pub fn days(&self) -> i32 {
        // Within jiff's range two dates are at most ~3.6 million days apart.
        self.to
            .since(self.from)
            .map(|s| s.get_days())
            .unwrap_or(0)
            .saturating_add(1)
    }

    /// The day after the span: its exclusive end.
    pub fn end_exclusive(&self) -> Date {
        self.to.tomorrow().unwrap_or(self.to)
    }

    pub fn grain(&self) -> Grain {
        if self.days() <= DAILY_UP_TO_DAYS {
            Grain::Day
        } else {
            Grain::Month
        }
    }

    /// The same days a year earlier (29 February falls back to the 28th),
    /// for the growth against the same period last year.
    pub fn a_year_earlier(&self) -> Option<FigurePeriod> {
        let from = self.from.checked_sub(1.year()).ok()?;
        let to = self.to.checked_sub(1.year()).ok()?;
        Some(FigurePeriod { from, to })
    }

    /// The trend's buckets, in order, covering the span exactly once.
    pub fn buckets(&self) -> Vec<Bucket> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let (end, label) = match self.grain() {
                Grain::Day => (start, start.to_string()),
                Grain::Month => (
                    start.last_of_month().min(self.to),
                    start.strftime("%Y-%m").to_string(),
                ),
            };
            out.push(Bucket { label, start, end });
            match end.tomorrow() {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn a_month_is_drawn_by_day_and_a_year_by_month() {
        let m = FigurePeriod::new(date(2026, 11, 1), date(2026, 11, 30)).unwrap();
        assert_eq!(m.grain(), Grain::Day);
        assert_eq!(m.buckets().len(), 30);
        let y = FigurePeriod::new(date(2026, 1, 15), date(2026, 12, 3)).unwrap();
        let b = y.buckets();
        assert_eq!(b.len(), 12);
        assert_eq!(b[0].label, "2026-01");
        assert_eq!(
            (b[0].start, b[0].end),
            (date(2026, 1, 15), date(2026, 1, 31))
        );
        assert_eq!(
            (b[11].start, b[11].end),
            (date(2026, 12, 1), date(2026, 12, 3))
        );
    }

    #[test]
    fn a_span_backwards_or_too_long_is_refused_on_to() {
        let e = FigurePeriod::new(date(2026, 2, 1), date(2026, 1, 1)).unwrap_err();
        assert_eq!(e.errors[0].field, "to");
        assert!(FigurePeriod::new(date(2020, 1, 1), date(2026, 1, 1)).is_err());
        assert!(FigurePeriod::new(date(2023, 1, 1), date(2025, 12, 31)).is_ok());
    }

    #[test]
    fn the_previous_month_and_a_year_earlier() {
        let p = FigurePeriod::previous_month(date(2026, 3, 4));
        assert_eq!((p.from, p.to), (date(2026, 2, 1), date(2026, 2, 28)));
        let leap = FigurePeriod::new(date(2028, 2, 1), date(2028, 2, 29)).unwrap();
        let ago = leap.a_year_earlier().unwrap();
        assert_eq!((ago.from, ago.to), (date(2027, 2, 1), date(2027, 2, 28)));
    }

    proptest! {
        /// The buckets cover every day of the span once, in order.
        #[test]
        fn buckets_cover_the_span_once(start in 0i32..3000, len in 0i32..1097) {
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(len.days()).unwrap();
            let p = FigurePeriod::new(from, to).unwrap();
            let b = p.buckets();
            prop_assert_eq!(b[0].start, from);
            prop_assert_eq!(b[b.len() - 1].end, to);
            for w in b.windows(2) {
                prop_assert_eq!(w[0].end.tomorrow().unwrap(), w[1].start);
            }
            let days: i32 = b.iter().map(|x| FigurePeriod { from: x.start, to: x.end }.days()).sum();
            prop_assert_eq!(days, p.days());
        }
    }
}
