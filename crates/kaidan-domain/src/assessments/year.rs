//! The yearly assessment (年度考核于次年1月进行), from the year's confirmed
//! months: their mean, how many were excellent and failing, and how often
//! two failing months came in a row.

use serde::Serialize;

use super::score::Grade;

/// A clerk's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearSummary {
    pub months: i64,
    /// The mean of the months' totals, in tenths, rounded half up.
    pub mean_tenths: i64,
    pub excellent: i64,
    pub failing: i64,
    /// Months that were the second failing month in a row.
    pub repeated_failing: i64,
    pub grade: Option<Grade>,
}

/// The year of `months`: `(month number 1–12, total in tenths)`,
/// confirmed months only, any order.
pub fn year_summary(months: &[(i8, i64)]) -> YearSummary {
    let mut m: Vec<(i8, i64)> = months.to_vec();
    m.sort();
    let n = i64::try_from(m.len()).unwrap_or(0);
    let sum: i64 = m.iter().map(|(_, t)| *t).sum();
    let mean_tenths = if n == 0 { 0 } else { (sum * 2 + n) / (n * 2) };
    let failing = |t: i64| Grade::of(t) == Grade::Failing;
    let repeated_failing = m
        .windows(2)
        .filter(|w| w[1].0 == w[0].0 + 1 && failing(w[0].1) && failing(w[1].1))
        .count();
    YearSummary {
        months: n,
        mean_tenths,
        excellent: count(&m, |t| Grade::of(t) == Grade::Excellent),
        failing: count(&m, failing),
        repeated_failing: i64::try_from(repeated_failing).unwrap_or(0),
        grade: (n > 0).then(|| Grade::of(mean_tenths)),
    }
}

fn count(m: &[(i8, i64)], f: impl Fn(i64) -> bool) -> i64 {
    i64::try_from(m.iter().filter(|(_, t)| f(*t)).count()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_6_the_year_is_the_mean_of_its_months() {
        // Jan 92.0, Feb 55.0, Mar 58.5, May 60.0 (Apr not assessed).
        let y = year_summary(&[(5, 600), (1, 920), (3, 585), (2, 550)]);
        assert_eq!(
            (
                y.months,
                y.mean_tenths,
                y.excellent,
                y.failing,
                y.repeated_failing
            ),
            (4, 664, 1, 3, 1)
        );
        assert_eq!(y.grade, Some(Grade::Pass));
        assert_eq!(year_summary(&[]).grade, None);
    }
}
