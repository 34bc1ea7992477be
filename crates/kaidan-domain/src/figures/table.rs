//! A figure's counts folded into its total, its breakdown and its trend.
//! The total is the sum of the breakdown's groups (each counted record is
//! in exactly one group), so the two can never disagree.

use serde::{Deserialize, Serialize};

use super::{Breakdown, Bucket, Figure, FigurePeriod};
use crate::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FigureError {
    /// A sum left the bound of an amount (ADR 0024).
    #[error("the {what} of this figure is beyond {max} yuan; read a shorter period", max = crate::MAX_AMOUNT_YUAN)]
    OutOfRange { what: &'static str },
}

/// What a figure counted in one group, one bucket or the whole period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// The records the figure counts (its denominator; orders, or
    /// customers for satisfaction).
    pub counted: i64,
    /// Of those, the ones that meet it (its numerator).
    pub hits: i64,
    /// Sales only: what the orders are worth, VAT included.
    pub amount: Money,
    /// Sales only: their cost at the products' cost prices, VAT included.
    pub cost: Money,
}

impl Tally {
    pub fn checked_add(self, other: Tally) -> Result<Tally, FigureError> {
        Ok(Tally {
            counted: self.counted.saturating_add(other.counted),
            hits: self.hits.saturating_add(other.hits),
            amount: self
                .amount
                .checked_add(other.amount)
                .ok_or(FigureError::OutOfRange { what: "amount" })?,
            cost: self
                .cost
                .checked_add(other.cost)
                .ok_or(FigureError::OutOfRange { what: "cost" })?,
        })
    }

    /// hits / counted in basis points (9,750 = 97.50 %), rounded half up;
    /// None when nothing was counted (a rate of nothing is not 0 %).
    pub fn rate_bp(&self) -> Option<i64> {
        ratio_bp(i128::from(self.hits), i128::from(self.counted))
    }

    /// amount − cost.
    pub fn margin(&self) -> Money {
        // Both lie within ±MAX_AMOUNT_YUAN, so the difference fits a Decimal.
        self.amount - self.cost
    }

    /// (amount − cost) / amount in basis points; None without sales.
    pub fn margin_bp(&self) -> Option<i64> {
        ratio_bp(
            i128::from(self.margin().units()),
            i128::from(self.amount.units()),
        )
    }

    /// The share of `self` against `base` (growth on last year, in basis
    /// points: 1,250 = +12.50 %); None when the base sold nothing.
    pub fn growth_bp(&self, base: &Tally) -> Option<i64> {
        ratio_bp(
            i128::from(self.amount.units()) - i128::from(base.amount.units()),
            i128::from(base.amount.units()),
        )
    }
}

/// `num / den` in basis points, rounded half away from zero.
pub(crate) fn ratio_bp(num: i128, den: i128) -> Option<i64> {
    if den <= 0 {
        return None;
    }
    let scaled = num * 10_000;
    let q = (scaled.abs() * 2 + den) / (2 * den);
    i64::try_from(if scaled < 0 { -q } else { q }).ok()
}

/// Writes basis points as a percent with two decimals: 9750 → "97.50".
pub fn percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// One group of the breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupLine {
    /// What the records page filters on: a user, region or customer id,
    /// or a customer kind; empty for records without one (no rep, say).
    pub key: String,
    pub label: String,
    pub tally: Tally,
}

/// The tally of each bucket that has one, by the bucket's index.
pub type Trend = Vec<(usize, Tally)>;

/// Splits the cells of one reading — a group's tally in one bucket — into
/// the breakdown (each group over the period, first seen first) and the
/// trend (each bucket over the groups), so both come from the same rows.
pub fn split_cells(cells: Vec<(usize, GroupLine)>) -> Result<(Vec<GroupLine>, Trend), FigureError> {
    let mut groups: Vec<GroupLine> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut buckets: std::collections::BTreeMap<usize, Tally> = std::collections::BTreeMap::new();
    for (bucket, line) in cells {
        let b = buckets.entry(bucket).or_default();
        *b = b.checked_add(line.tally)?;
        match at.get(&line.key) {
            Some(i) => {
                if let Some(g) = groups.get_mut(*i) {
                    g.tally = g.tally.checked_add(line.tally)?;
                }
            }
            None => {
                at.insert(line.key.clone(), groups.len());
                groups.push(line);
            }
        }
    }
    Ok((groups, buckets.into_iter().collect()))
}

/// The groups of a breakdown left out of its head, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rest {
    pub groups: usize,
    pub tally: Tally,
}

/// One point of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    pub bucket: Bucket,
    pub tally: Tally,
}

/// A figure over a period: total, breakdown, trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureTable {
    pub figure: Figure,
    pub period: FigurePeriod,
    pub breakdown: Breakdown,
    pub total: Tally,
    /// Largest first (by count, or by amount for sales).
    pub groups: Vec<GroupLine>,
    pub trend: Vec<TrendPoint>,
}

impl FigureTable {
    /// Folds what the store counted: `groups` one line per group (order
    /// free), `buckets` the tally of bucket i of `period.buckets()` (a
    /// bucket without records may be missing).
    pub fn fold(
        figure: Figure,
        period: FigurePeriod,
        breakdown: Breakdown,
        mut groups: Vec<GroupLine>,
        buckets: Vec<(usize, Tally)>,
    ) -> Result<FigureTable, FigureError> {
        let mut total = Tally::default();
        for g in &groups {
            total = total.checked_add(g.tally)?;
        }
        if figure == Figure::Sales {
            groups.sort_by(|a, b| {
                b.tally
                    .amount
                    .cmp(&a.tally.amount)
                    .then_with(|| a.label.cmp(&b.label))
            });
        } else {
            groups.sort_by(|a, b| {
                b.tally
                    .counted
                    .cmp(&a.tally.counted)
                    .then_with(|| a.label.cmp(&b.label))
            });
        }
        let mut trend: Vec<TrendPoint> = period
            .buckets()
            .into_iter()
            .map(|bucket| TrendPoint {
                bucket,
                tally: Tally::default(),
            })
            .collect();
        for (i, t) in buckets {
            if let Some(p) = trend.get_mut(i) {
                p.tally = p.tally.checked_add(t)?;
            }
        }
        Ok(FigureTable {
            figure,
            period,
            breakdown,
            total,
            groups,
            trend,
        })
    }

    /// The first `n` groups (the largest) one by one and the others
    /// summed — how many and their tally — so a breakdown by thousands of
    /// customers can be shown as a page whose lines still add up to the
    /// total.
    pub fn head(&self, n: usize) -> Result<(&[GroupLine], Option<Rest>), FigureError> {
        let (shown, rest) = self.groups.split_at(self.groups.len().min(n));
        if rest.is_empty() {
            return Ok((shown, None));
        }
        let mut tally = Tally::default();
        for g in rest {
            tally = tally.checked_add(g.tally)?;
        }
        Ok((
            shown,
            Some(Rest {
                groups: rest.len(),
                tally,
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn t(counted: i64, hits: i64) -> Tally {
        Tally {
            counted,
            hits,
            ..Tally::default()
        }
    }

    #[test]
    fn rates_round_half_up_and_nothing_counted_has_no_rate() {
        assert_eq!(t(3, 2).rate_bp(), Some(6667));
        assert_eq!(t(8, 7).rate_bp(), Some(8750));
        assert_eq!(t(0, 0).rate_bp(), None);
        assert_eq!(percent(6667), "66.67");
        assert_eq!(percent(-125), "-1.25");
        let s = Tally {
            amount: Money::yuan(1000),
            cost: Money::yuan(700),
            ..Tally::default()
        };
        assert_eq!(s.margin(), Money::yuan(300));
        assert_eq!(s.margin_bp(), Some(3000));
        let base = Tally {
            amount: Money::yuan(800),
            ..Tally::default()
        };
        assert_eq!(s.growth_bp(&base), Some(2500));
        assert_eq!(base.growth_bp(&s), Some(-2000));
        assert_eq!(s.growth_bp(&Tally::default()), None);
    }

    #[test]
    fn a_sum_beyond_the_bound_is_an_error_not_a_wrap() {
        let big = Tally {
            amount: Money::MAX,
            ..Tally::default()
        };
        assert!(big.checked_add(big).is_err());
    }

    proptest! {
        /// The total is the breakdown's sum, whatever the groups; the
        /// trend lands in its buckets.
        #[test]
        fn the_breakdown_sums_to_the_total(
            cells in proptest::collection::vec((0i64..1000, 0i64..1000, 0i64..1_000_000, 0usize..30), 0..40)
        ) {
            let period = FigurePeriod::new(date(2026, 11, 1), date(2026, 11, 30)).unwrap();
            let groups: Vec<GroupLine> = cells.iter().enumerate().map(|(i, (c, h, a, _))| GroupLine {
                key: i.to_string(),
                label: format!("g{i}"),
                tally: Tally { counted: *c, hits: (*h).min(*c), amount: Money::from_units(*a), cost: Money::ZERO },
            }).collect();
            let buckets: Vec<(usize, Tally)> = cells.iter().zip(&groups).map(|((_, _, _, b), g)| (*b, g.tally)).collect();
            let table = FigureTable::fold(Figure::Accuracy, period, Breakdown::Clerk, groups, buckets).unwrap();
            let counted: i64 = table.groups.iter().map(|g| g.tally.counted).sum();
            let hits: i64 = table.groups.iter().map(|g| g.tally.hits).sum();
            prop_assert_eq!(table.total.counted, counted);
            prop_assert_eq!(table.total.hits, hits);
            let trend: i64 = table.trend.iter().map(|p| p.tally.counted).sum();
            prop_assert_eq!(trend, counted);
            prop_assert_eq!(table.trend.len(), 30);
            if let Some(bp) = table.total.rate_bp() {
                prop_assert!((0..=10_000).contains(&bp));
            }
        }

        /// The groups shown one by one and the others summed add up to
        /// the total, and the largest are the ones shown.
        #[test]
        fn the_head_and_the_rest_add_up_to_the_total(
            amounts in proptest::collection::vec(0i64..1_000_000, 0..40),
            n in 0usize..45,
        ) {
            let period = FigurePeriod::new(date(2026, 11, 1), date(2026, 11, 30)).unwrap();
            let groups: Vec<GroupLine> = amounts.iter().enumerate().map(|(i, a)| GroupLine {
                key: i.to_string(),
                label: format!("g{i:02}"),
                tally: Tally { counted: 1, hits: 0, amount: Money::from_units(*a), cost: Money::ZERO },
            }).collect();
            let table = FigureTable::fold(Figure::Sales, period, Breakdown::Customer, groups, Vec::new()).unwrap();
            let (shown, rest) = table.head(n).unwrap();
            prop_assert_eq!(shown.len(), n.min(amounts.len()));
            let Rest { groups: others, tally: rest_tally } = rest.unwrap_or(Rest { groups: 0, tally: Tally::default() });
            prop_assert_eq!(shown.len() + others, amounts.len());
            let sum: i64 = shown.iter().map(|g| g.tally.amount.units()).sum::<i64>() + rest_tally.amount.units();
            prop_assert_eq!(sum, table.total.amount.units());
            prop_assert_eq!(shown.len() as i64 + rest_tally.counted, table.total.counted);
            let least_shown = shown.iter().map(|g| g.tally.amount).min();
            let most_left = table.groups.iter().skip(shown.len()).map(|g| g.tally.amount).max();
            if let (Some(l), Some(m)) = (least_shown, most_left) {
                prop_assert!(l >= m);
            }
        }

        /// Cells split into a breakdown and a trend that both add up to
        /// every cell, each group once.
        #[test]
        fn cells_split_into_groups_and_buckets_that_add_up(
            cells in proptest::collection::vec((0usize..5, 0i64..1000, 0i64..1_000_000, 0usize..12), 0..60)
        ) {
            let lines: Vec<(usize, GroupLine)> = cells.iter().map(|(k, c, a, b)| (*b, GroupLine {
                key: k.to_string(),
                label: format!("g{k}"),
                tally: Tally { counted: *c, hits: 0, amount: Money::from_units(*a), cost: Money::ZERO },
            })).collect();
            let (groups, buckets) = split_cells(lines).unwrap();
            let all: i64 = cells.iter().map(|(_, c, _, _)| *c).sum();
            let amount: i64 = cells.iter().map(|(_, _, a, _)| *a).sum();
            prop_assert_eq!(groups.iter().map(|g| g.tally.counted).sum::<i64>(), all);
            prop_assert_eq!(buckets.iter().map(|(_, t)| t.counted).sum::<i64>(), all);
            prop_assert_eq!(groups.iter().map(|g| g.tally.amount.units()).sum::<i64>(), amount);
            let mut keys: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), groups.len());
            for (k, _, _, b) in &cells {
                let in_bucket: i64 = cells.iter().filter(|x| x.3 == *b).map(|x| x.1).sum();
                prop_assert_eq!(buckets.iter().find(|x| x.0 == *b).map(|x| x.1.counted), Some(in_bucket));
                prop_assert!(groups.iter().any(|g| g.key == k.to_string()));
            }
        }
    }
}
