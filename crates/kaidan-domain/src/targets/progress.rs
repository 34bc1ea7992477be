//! A target's period and its completion against the time gone (SAL-1):
//! quarters and the year are their months added up; a week, or a part of a
//! month, takes the month's target in proportion to its working days
//! (ADR 0039). Completion and time gone are both in basis points, so a page
//! can say "62 % done, 70 % of the time gone: behind".

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::plan::TargetLine;
use super::quantity::QuantityTarget;
use crate::access::string_enum;
use crate::figures::ratio_bp;
use crate::{Money, ValidationErrors};

string_enum!(
    /// Which span a target is read over.
    TargetSpan {
        Year = "year",
        Quarter = "quarter",
        Month = "month",
        /// Monday to Sunday.
        Week = "week",
    }
);

/// The days `from` to `to` (both included) of one plan year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetPeriod {
    pub span: TargetSpan,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
}

impl TargetPeriod {
    /// The `span` of `year` that holds `at`; a week is cut at the year's
    /// ends. `at` must lie in `year`.
    pub fn of(span: TargetSpan, year: i16, at: Date) -> Result<Self, ValidationErrors> {
        if at.year() != year {
            return Err(ValidationErrors::single(
                "at",
                "out_of_range",
                format!("{at} is not in the plan's year {year}"),
            ));
        }
        let first = at.first_of_year();
        let last = at.last_of_year();
        let (from, to) = match span {
            TargetSpan::Year => (first, last),
            TargetSpan::Month => (at.first_of_month(), at.last_of_month()),
            TargetSpan::Quarter => {
                let q0 = (at.month() - 1) / 3 * 3 + 1;
                let from = Date::new(year, q0, 1).map_err(date_error)?;
                let to = Date::new(year, q0 + 2, 1)
                    .map_err(date_error)?
                    .last_of_month();
                (from, to)
            }
            TargetSpan::Week => {
                let back = i64::from(at.weekday().to_monday_zero_offset());
                let monday = at.checked_sub(back.days()).map_err(date_error)?;
                let sunday = monday.checked_add(6.days()).map_err(date_error)?;
                (monday.max(first), sunday.min(last))
            }
        };
        Ok(TargetPeriod { span, from, to })
    }

    /// The last day of each month the period touches, with the first and
    /// last days of the period inside it.
    fn month_parts(&self) -> Vec<(usize, Date, Date)> {
        let mut out = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            let end = day.last_of_month().min(self.to);
            out.push((usize::from(day.month().unsigned_abs()) - 1, day, end));
            match end.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out
    }
}

fn date_error(e: jiff::Error) -> ValidationErrors {
    ValidationErrors::single("at", "out_of_range", e.to_string())
}

/// Working days from `from` to `to`, both included.
fn working_days(from: Date, to: Date, working: &dyn Fn(Date) -> bool) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d <= to {
        n += i64::from(working(d));
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    n
}

/// `units × num / den`, rounded half up to a whole `step` (100: the fen
/// of an amount; 1: a unit of goods).
fn share(units: i64, step: i64, num: i64, den: i64) -> i64 {
    if den <= 0 || num >= den {
        return units;
    }
    let whole = i128::from(units / step);
    let q = (whole * i128::from(num) * 2 + i128::from(den)) / (2 * i128::from(den));
    // A share is no larger than what it is taken from.
    i64::try_from(q * i128::from(step)).unwrap_or(units)
}

/// The months' `units` over `period`: whole months as they are, a part of
/// a month by its working days (by its days in a month without any),
/// rounded to a whole `step`.
fn period_units(
    months: &[i64; 12],
    step: i64,
    period: &TargetPeriod,
    working: &dyn Fn(Date) -> bool,
) -> i64 {
    let mut total = 0_i64;
    for (m, from, to) in period.month_parts() {
        let units = months[m];
        let (first, last) = (from.first_of_month(), from.last_of_month());
        let part = if from == first && to == last {
            units
        } else {
            let month_wd = working_days(first, last, working);
            if month_wd > 0 {
                share(units, step, working_days(from, to, working), month_wd)
            } else {
                share(
                    units,
                    step,
                    i64::from(to.day() - from.day() + 1),
                    i64::from(last.day()),
                )
            }
        };
        // Twelve months each within their bound add up inside an i64.
        total = total.saturating_add(part);
    }
    total
}

/// The line's target over `period`: whole months as they are, a part of a
/// month by its working days (by its days in a month without any).
pub fn period_target(
    line: &TargetLine,
    period: &TargetPeriod,
    working: &dyn Fn(Date) -> bool,
) -> Money {
    Money::from_units(period_units(
        &line.months.map(Money::units),
        100,
        period,
        working,
    ))
}

/// A quantity target over `period`, by the same rule as an amount, to the
/// unit.
pub fn period_quantity(
    target: &QuantityTarget,
    period: &TargetPeriod,
    working: &dyn Fn(Date) -> bool,
) -> i64 {
    period_units(&target.units(), 1, period, working)
}

/// The time gone of `period` on `today` (today counted as gone), in basis
/// points of its working days.
pub fn elapsed_bp(period: &TargetPeriod, today: Date, working: &dyn Fn(Date) -> bool) -> i64 {
    if today < period.from {
        return 0;
    }
    if today >= period.to {
        return 10_000;
    }
    let all = working_days(period.from, period.to, working);
    if all == 0 {
        let days = i64::from((period.to - period.from).get_days()) + 1;
        let gone = i64::from((today - period.from).get_days()) + 1;
        return gone * 10_000 / days;
    }
    working_days(period.from, today, working) * 10_000 / all
}

/// actual / target in basis points, rounded half up; None without a
/// target.
pub fn completion_bp(actual: Money, target: Money) -> Option<i64> {
    ratio_bp(i128::from(actual.units()), i128::from(target.units()))
}

/// actual / target units in basis points, rounded half up; None without a
/// target.
pub fn quantity_completion_bp(actual: i64, target: i64) -> Option<i64> {
    ratio_bp(i128::from(actual), i128::from(target))
}

string_enum!(
    /// How a target stands.
    Pace {
        /// Done at least as much as the time gone.
        OnPace = "on_pace",
        /// Done less than the time gone.
        Behind = "behind",
        /// The period is over and the target reached.
        Met = "met",
        /// The period is over and the target not reached.
        Missed = "missed",
        /// No target for the period.
        NoTarget = "no_target",
    }
);

/// How `actual` stands against `target`, of which `due` was due by today
/// (the target of the period's days gone, by [`period_target`]); `over`
/// when the period has ended. Against what was due, not the share of days
/// gone, so a plan heavier in some months is read by its own shape.
pub fn pace(actual: Money, target: Money, due: Money, over: bool) -> Pace {
    pace_of(actual.units(), target.units(), due.units(), over)
}

/// [`pace`] of a quantity target, in units.
pub fn quantity_pace(actual: i64, target: i64, due: i64, over: bool) -> Pace {
    pace_of(actual, target, due, over)
}

fn pace_of(actual: i64, target: i64, due: i64, over: bool) -> Pace {
    if target <= 0 {
        return Pace::NoTarget;
    }
    match (over, actual >= target, actual >= due) {
        (true, true, _) => Pace::Met,
        (true, false, _) => Pace::Missed,
        (false, true, _) | (false, false, true) => Pace::OnPace,
        (false, false, false) => Pace::Behind,
    }
}

/// The part of `period` gone by `today` (today included), or None before
/// it starts.
pub fn gone_part(period: &TargetPeriod, today: Date) -> Option<TargetPeriod> {
    (today >= period.from).then_some(TargetPeriod {
        span: period.span,
        from: period.from,
        to: today.min(period.to),
    })
}

/// The months (1-based) of a year whose target was missed, each with the
/// number of months in a row it ends (2 = the second miss running), over
/// the months before `closed_before` (1-based; 13 when the year is over).
pub fn missed_months(
    targets: &[Money; 12],
    actuals: &[Money; 12],
    closed_before: i8,
) -> Vec<(i8, u8)> {
    let mut out = Vec::new();
    let mut run: u8 = 0;
    for m in 1..closed_before.clamp(1, 13) {
        let i = usize::from(m.unsigned_abs()) - 1;
        if targets[i].is_positive() && actuals[i] < targets[i] {
            run = run.saturating_add(1);
            out.push((m, run));
        } else {
            run = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::plan::TargetSubject;
    use jiff::civil::date;

    fn weekdays(d: Date) -> bool {
        d.weekday().to_monday_zero_offset() < 5
    }

    fn line(month: i64) -> TargetLine {
        TargetLine {
            subject: TargetSubject::Company,
            months: [Money::yuan(month); 12],
        }
    }

    #[test]
    fn sal_1_quarters_and_the_year_are_their_months() {
        let l = line(100);
        let q = TargetPeriod::of(TargetSpan::Quarter, 2027, date(2027, 5, 9)).unwrap();
        assert_eq!((q.from, q.to), (date(2027, 4, 1), date(2027, 6, 30)));
        assert_eq!(period_target(&l, &q, &weekdays), Money::yuan(300));
        let y = TargetPeriod::of(TargetSpan::Year, 2027, date(2027, 5, 9)).unwrap();
        assert_eq!(period_target(&l, &y, &weekdays), Money::yuan(1200));
        assert!(TargetPeriod::of(TargetSpan::Year, 2026, date(2027, 1, 1)).is_err());
    }

    #[test]
    fn sal_1_a_week_takes_its_working_days_share_of_its_months() {
        // 2027-03-29 (Mon) to 04-04: March has 23 weekdays, three of them
        // this week; April has 22, two of them (1st, 2nd).
        let l = line(230);
        let w = TargetPeriod::of(TargetSpan::Week, 2027, date(2027, 3, 31)).unwrap();
        assert_eq!((w.from, w.to), (date(2027, 3, 29), date(2027, 4, 4)));
        // 230 × 3/23 = 30; 230 × 2/22 = 20.909… → 20.91.
        assert_eq!(period_target(&l, &w, &weekdays), "50.91".parse().unwrap());
        // The first week of 2027 is cut at New Year (Fri 1st to Sun 3rd).
        let w = TargetPeriod::of(TargetSpan::Week, 2027, date(2027, 1, 2)).unwrap();
        assert_eq!((w.from, w.to), (date(2027, 1, 1), date(2027, 1, 3)));
    }

    #[test]
    fn sal_1_progress_against_the_time_gone() {
        let m = TargetPeriod::of(TargetSpan::Month, 2027, date(2027, 3, 10)).unwrap();
        // March 2027: 23 weekdays; by Wed 10th, 8 are gone.
        let gone = elapsed_bp(&m, date(2027, 3, 10), &weekdays);
        assert_eq!(gone, 8 * 10_000 / 23);
        assert_eq!(completion_bp(Money::yuan(1), Money::yuan(3)), Some(3333));
        assert_eq!(completion_bp(Money::yuan(2), Money::yuan(3)), Some(6667));
        assert_eq!(completion_bp(Money::yuan(2), Money::ZERO), None);
        // Due by the 10th: 100 × 8/23 = 34.78.
        let l = line(100);
        let part = gone_part(&m, date(2027, 3, 10)).unwrap();
        let due = period_target(&l, &part, &weekdays);
        assert_eq!(due, "34.78".parse().unwrap());
        let t = Money::yuan(100);
        assert_eq!(pace(Money::yuan(30), t, due, false), Pace::Behind);
        assert_eq!(pace(Money::yuan(40), t, due, false), Pace::OnPace);
        assert_eq!(pace(Money::yuan(100), t, t, true), Pace::Met);
        assert_eq!(pace(Money::yuan(99), t, t, true), Pace::Missed);
        assert_eq!(
            pace(Money::yuan(9), Money::ZERO, Money::ZERO, false),
            Pace::NoTarget
        );
        assert!(gone_part(&m, date(2027, 2, 28)).is_none());
        // A year whose targets start in November is not behind in June.
        let mut late = line(0);
        late.months[10] = Money::yuan(500);
        late.months[11] = Money::yuan(500);
        let y = TargetPeriod::of(TargetSpan::Year, 2027, date(2027, 6, 1)).unwrap();
        let due = period_target(&late, &gone_part(&y, date(2027, 6, 1)).unwrap(), &weekdays);
        assert_eq!(
            pace(Money::ZERO, Money::yuan(1000), due, false),
            Pace::OnPace
        );
        assert_eq!(elapsed_bp(&m, date(2027, 2, 1), &weekdays), 0);
        assert_eq!(elapsed_bp(&m, date(2027, 4, 1), &weekdays), 10_000);
    }

    #[test]
    fn sal_1_misses_in_a_row_are_counted_until_a_month_is_met() {
        let t = [Money::yuan(100); 12];
        let mut a = [Money::yuan(100); 12];
        a[1] = Money::yuan(99);
        a[2] = Money::yuan(50);
        a[4] = Money::yuan(10);
        a[5] = Money::yuan(10);
        // June is not closed yet: only January to May count.
        assert_eq!(missed_months(&t, &a, 6), [(2, 1), (3, 2), (5, 1)]);
        assert_eq!(missed_months(&t, &a, 13), [(2, 1), (3, 2), (5, 1), (6, 2)]);
        let mut none = t;
        none[1] = Money::ZERO;
        assert_eq!(missed_months(&none, &a, 3), []);
    }
}
