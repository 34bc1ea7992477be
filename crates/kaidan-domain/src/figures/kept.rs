//! The closed months of a period whose sums are kept (ADR 0046): a figure
//! over a year reads them from their sums and only the rest from the
//! records. A month can be kept once it is over; what is left of the
//! period is read as it is.

use jiff::ToSpan;
use jiff::civil::Date;

use super::FigurePeriod;

/// The first days of the whole calendar months inside `period` that ended
/// before `today`, oldest first.
pub fn closed_months(period: FigurePeriod, today: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut first = period.from.first_of_month();
    if first < period.from {
        first = match first.checked_add(1.month()) {
            Ok(d) => d,
            Err(_) => return out,
        };
    }
    while first.last_of_month() <= period.to && first.last_of_month() < today {
        out.push(first);
        first = match first.checked_add(1.month()) {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    out
}

/// The first days of the calendar months that lie whole inside one of the
/// buckets `[bounds[i], bounds[i + 1])` and ended before `today`, oldest
/// first: the months a reading by these buckets can take from kept sums.
pub fn closed_months_within(bounds: &[Date], today: Date) -> Vec<Date> {
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let (from, end) = (w[0], w[1]);
        let Ok(last) = end.yesterday() else { continue };
        if last < from {
            continue;
        }
        if let Ok(p) = FigurePeriod::new(from, last) {
            out.extend(closed_months(p, today));
        }
    }
    out
}

/// What of `[from, to)` the kept spans (sorted, apart, inside it) leave to
/// read from the records, in order.
pub fn gaps<T: Ord + Copy>(from: T, to: T, kept: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::new();
    let mut at = from;
    for &(a, b) in kept {
        if at < a {
            out.push((at, a));
        }
        if b > at {
            at = b;
        }
    }
    if at < to {
        out.push((at, to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn a_year_to_date_keeps_its_whole_months_that_are_over() {
        let p = FigurePeriod::new(date(2026, 1, 1), date(2026, 12, 7)).unwrap();
        let m = closed_months(p, date(2026, 12, 7));
        assert_eq!(m.len(), 11);
        assert_eq!(m[0], date(2026, 1, 1));
        assert_eq!(m[10], date(2026, 11, 1));
        // A period from the 15th keeps from the next month; a month still
        // running is read from the records.
        let p = FigurePeriod::new(date(2026, 1, 15), date(2026, 11, 30)).unwrap();
        assert_eq!(closed_months(p, date(2026, 11, 30)).len(), 9);
        assert_eq!(closed_months(p, date(2026, 12, 1)).len(), 10);
    }

    #[test]
    fn months_within_buckets_lie_whole_in_one() {
        let b = [
            date(2026, 1, 1),
            date(2026, 4, 1),
            date(2026, 4, 15),
            date(2026, 12, 8),
        ];
        let m = closed_months_within(&b, date(2026, 12, 8));
        // January to March in the first bucket, none in the fortnight,
        // May to November in the last.
        assert_eq!(m.len(), 3 + 7, "{m:?}");
        assert_eq!((m[2], m[3]), (date(2026, 3, 1), date(2026, 5, 1)));
        assert!(closed_months_within(&b[..1], date(2026, 12, 8)).is_empty());
    }

    #[test]
    fn gaps_are_what_the_kept_months_leave() {
        assert_eq!(gaps(0, 10, &[]), vec![(0, 10)]);
        assert_eq!(gaps(0, 10, &[(0, 3), (5, 8)]), vec![(3, 5), (8, 10)]);
        assert_eq!(gaps(0, 10, &[(0, 10)]), Vec::<(i32, i32)>::new());
    }

    proptest! {
        /// The kept months and the gaps tile the period once.
        #[test]
        fn kept_and_gaps_cover_the_period_once(start in 0i32..3000, len in 0i32..800, today in 0i32..4000) {
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(len.days()).unwrap();
            let today = date(2020, 1, 1).checked_add(today.days()).unwrap();
            let p = FigurePeriod::new(from, to).unwrap();
            let end = to.tomorrow().unwrap();
            let kept: Vec<(Date, Date)> = closed_months(p, today)
                .into_iter()
                .map(|m| (m, m.checked_add(1.month()).unwrap()))
                .collect();
            for (a, b) in &kept {
                prop_assert!(*a >= from && *b <= end && *b <= today);
            }
            let mut all = kept.clone();
            all.extend(gaps(from, end, &kept));
            all.sort();
            prop_assert_eq!(all[0].0, from);
            prop_assert_eq!(all[all.len() - 1].1, end);
            for w in all.windows(2) {
                prop_assert_eq!(w[0].1, w[1].0);
            }
        }
    }
}
