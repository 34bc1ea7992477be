//! A rep's monthly commission statement: what he earned on each day of the
//! month under the policy in force that day, per product category, scaled
//! by the tier his target completion reaches (ADR 0043).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::policy::CommissionPolicyDraft;
use crate::access::string_enum;
use crate::points::in_force;
use crate::{Money, ValidationErrors};

string_enum!(
    /// Where a statement is: computed (and computed again while it stays
    /// so), reviewed by the sales manager, confirmed by finance.
    StatementStatus {
        Computed = "computed",
        Reviewed = "reviewed",
        Confirmed = "confirmed",
    }
);

/// What one product category earned a rep on one day, on the policy's
/// basis (negative when credit notes or undone matches outweigh it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionBase {
    pub day: Date,
    pub category: String,
    pub amount: Money,
}

/// One line of a statement: a category under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionLine {
    /// The day the policy began; none for days before any policy.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub policy_from: Option<Date>,
    /// The product category; empty for products without one.
    pub category: String,
    pub base: Money,
    /// Hundredths of a percent: 350 is 3.5%.
    pub rate_bp: i64,
    pub factor_bp: i64,
    pub commission: Money,
}

/// A computed statement's lines and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionSum {
    pub lines: Vec<CommissionLine>,
    pub base: Money,
    pub commission: Money,
}

const UNITS_PER_FEN: i128 = 100;

fn too_large() -> ValidationErrors {
    ValidationErrors::single(
        "month",
        "out_of_range",
        "the month's commission lies beyond the largest amount",
    )
}

/// `base × rate × factor`, rounded half away from zero to the fen.
pub fn commission_of(base: Money, rate_bp: i64, factor_bp: i64) -> Option<Money> {
    let num = i128::from(base.units()) * i128::from(rate_bp) * i128::from(factor_bp);
    // bp × bp = 10^8; the result in units, then in fen.
    let den: i128 = 100_000_000 * UNITS_PER_FEN;
    let half = den / 2;
    let fen = if num >= 0 {
        (num + half) / den
    } else {
        (num - half) / den
    };
    let units = i64::try_from(fen * UNITS_PER_FEN).ok()?;
    Money::new(Money::from_units(units).decimal()).ok()
}

/// `amount × part / whole`, rounded half away from zero to the storage
/// unit: the share of a payment a part of its invoice carries; zero of a
/// whole that is not positive.
pub fn share(amount: Money, part: Money, whole: Money) -> Money {
    if !whole.is_positive() {
        return Money::ZERO;
    }
    let num = i128::from(amount.units()) * i128::from(part.units());
    let den = i128::from(whole.units());
    let q = if num >= 0 {
        (num + den / 2) / den
    } else {
        (num - den / 2) / den
    };
    Money::from_units(i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX }))
}

/// The completion of a target in bp (rounded down), none without a
/// positive target.
pub fn completion_bp(actual: Money, target: Money) -> Option<i64> {
    if !target.is_positive() {
        return None;
    }
    let c = i128::from(actual.units()) * 10_000 / i128::from(target.units());
    Some(i64::try_from(c.clamp(-1_000_000_000, 1_000_000_000)).unwrap_or(0))
}

/// The statement of `bases` under `policies` at a month's completion.
pub fn compute(
    policies: &[CommissionPolicyDraft],
    bases: &[CommissionBase],
    completion: Option<i64>,
) -> Result<CommissionSum, ValidationErrors> {
    let mut sums: BTreeMap<(Option<Date>, &str), Money> = BTreeMap::new();
    for b in bases {
        let from = in_force(policies, |p| p.from, b.day).map(|p| p.from);
        let s = sums
            .entry((from, b.category.as_str()))
            .or_insert(Money::ZERO);
        *s = s.checked_add(b.amount).ok_or_else(too_large)?;
    }
    let mut lines = Vec::with_capacity(sums.len());
    for ((from, category), base) in sums {
        let policy = from.and_then(|f| policies.iter().find(|p| p.from == f));
        let (rate_bp, factor_bp) =
            policy.map_or((0, 0), |p| (p.rate_of(category), p.factor_at(completion)));
        lines.push(CommissionLine {
            policy_from: from,
            category: category.to_string(),
            base: Money::from_units(base.units()),
            rate_bp,
            factor_bp,
            commission: commission_of(base, rate_bp, factor_bp).ok_or_else(too_large)?,
        });
    }
    // Sums as stored: exact, with no trailing zeros.
    let base = Money::checked_sum(lines.iter().map(|l| l.base)).ok_or_else(too_large)?;
    let commission =
        Money::checked_sum(lines.iter().map(|l| l.commission)).ok_or_else(too_large)?;
    let (base, commission) = (
        Money::from_units(base.units()),
        Money::from_units(commission.units()),
    );
    Ok(CommissionSum {
        lines,
        base,
        commission,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commissions::{CommissionBasis, CommissionPolicyInput, RateInput, TierInput};
    use jiff::civil::date;
    use proptest::prelude::*;

    fn policy(
        from: Date,
        default: &str,
        rates: &[(&str, &str)],
        tiers: &[(&str, &str)],
    ) -> CommissionPolicyDraft {
        CommissionPolicyInput {
            from,
            basis: CommissionBasis::Invoiced,
            default_rate: default.parse().unwrap(),
            rates: rates
                .iter()
                .map(|(c, r)| RateInput {
                    category: (*c).into(),
                    rate: r.parse().unwrap(),
                })
                .collect(),
            tiers: tiers
                .iter()
                .map(|(f, x)| TierInput {
                    from_completion: f.parse().unwrap(),
                    factor: x.parse().unwrap(),
                })
                .collect(),
            note: None,
        }
        .validate()
        .unwrap()
    }

    fn base(day: Date, category: &str, yuan: &str) -> CommissionBase {
        CommissionBase {
            day,
            category: category.into(),
            amount: Money::new(yuan.parse().unwrap()).unwrap(),
        }
    }

    #[test]
    fn sal_5_commission_rounds_half_away_from_zero_to_the_fen() {
        let m = |s: &str| Money::new(s.parse().unwrap()).unwrap();
        // 1234.5678 × 3.5% = 43.209873 -> 43.21
        assert_eq!(commission_of(m("1234.5678"), 350, 10_000), Some(m("43.21")));
        // 0.5 fen rounds away from zero both ways: 0.25 × 2% = 0.005
        assert_eq!(commission_of(m("0.25"), 200, 10_000), Some(m("0.01")));
        assert_eq!(commission_of(m("-0.25"), 200, 10_000), Some(m("-0.01")));
        assert_eq!(commission_of(Money::MAX, 5_000, 50_000), None);
        assert_eq!(completion_bp(m("85"), m("100")), Some(8_500));
        assert_eq!(completion_bp(m("85"), Money::ZERO), None);
        assert_eq!(completion_bp(m("1"), m("3")), Some(3_333));
        // A payment of 113 on an invoice of 226 (200 net) carries 100 net.
        assert_eq!(share(m("113"), m("200"), m("226")), m("100"));
        assert_eq!(share(m("-1"), m("1"), m("3")).units(), -3_333);
        assert_eq!(share(m("1"), m("1"), Money::ZERO), Money::ZERO);
    }

    /// A policy change mid-month: days before the 16th under the first,
    /// from it under the second; each with its own rates and tiers at the
    /// month's one completion. Hand-computed in ADR 0043.
    #[test]
    fn sal_5_a_mid_month_change_splits_the_month_by_day() {
        let a = policy(
            date(2026, 1, 1),
            "2",
            &[("羽绒服", "3")],
            &[("0", "50"), ("80", "100")],
        );
        let b = policy(
            date(2026, 3, 16),
            "2.5",
            &[],
            &[("0", "100"), ("100", "120")],
        );
        let bases = [
            base(date(2026, 3, 2), "羽绒服", "10000"),
            base(date(2026, 3, 15), "T恤", "4000"),
            base(date(2026, 3, 16), "羽绒服", "6000"),
            base(date(2026, 3, 20), "羽绒服", "-1000"),
        ];
        // Completion 90%: policy a's tier 80% -> 100%; policy b's 0% -> 100%.
        let s = compute(&[a.clone(), b.clone()], &bases, Some(9_000)).unwrap();
        type Row<'a> = (Option<Date>, &'a str, String, i64, i64, String);
        let got: Vec<Row> = s
            .lines
            .iter()
            .map(|l| {
                (
                    l.policy_from,
                    l.category.as_str(),
                    l.base.to_string(),
                    l.rate_bp,
                    l.factor_bp,
                    l.commission.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some(a.from),
                    "T恤",
                    "4000.00".into(),
                    200,
                    10_000,
                    "80.00".into()
                ),
                (
                    Some(a.from),
                    "羽绒服",
                    "10000.00".into(),
                    300,
                    10_000,
                    "300.00".into()
                ),
                (
                    Some(b.from),
                    "羽绒服",
                    "5000.00".into(),
                    250,
                    10_000,
                    "125.00".into()
                ),
            ]
        );
        assert_eq!(
            (s.base.to_string(), s.commission.to_string()),
            ("19000.00".into(), "505.00".into())
        );
        // Completion 120%: a stays at 100%, b pays 120%: 125 -> 150.
        let s = compute(&[a.clone(), b.clone()], &bases, Some(12_000)).unwrap();
        assert_eq!(s.commission.to_string(), "530.00");
        // 50%: a pays half (190), b 100% (125).
        let s = compute(&[a, b], &bases, Some(5_000)).unwrap();
        assert_eq!(s.commission.to_string(), "315.00");
    }

    #[test]
    fn sal_5_days_before_any_policy_earn_nothing_but_are_shown() {
        let p = policy(date(2026, 3, 10), "2", &[], &[]);
        let s = compute(
            &[p],
            &[
                base(date(2026, 3, 9), "", "100"),
                base(date(2026, 3, 10), "", "100"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.lines[0].policy_from, None);
        assert_eq!(s.lines[0].commission, Money::ZERO);
        assert_eq!(s.commission.to_string(), "2.00");
    }

    proptest! {
        /// The statement's base is every base counted once, its commission
        /// the sum of its lines, and no line pays more than the rate and
        /// factor allow.
        #[test]
        fn sal_5_lines_add_up(
            days in prop::collection::vec((1i8..=28, 0usize..3, -50_000i64..500_000), 0..40),
            completion in prop::option::of(0i64..20_000),
        ) {
            let policies = [
                policy(date(2026, 5, 1), "2", &[("a", "4")], &[("0", "50"), ("100", "150")]),
                policy(date(2026, 5, 15), "1", &[("b", "5.25")], &[]),
            ];
            let bases: Vec<CommissionBase> = days
                .iter()
                .map(|(d, c, y)| CommissionBase {
                    day: date(2026, 5, *d),
                    category: ["a", "b", ""][*c].into(),
                    amount: Money::from_units(*y * 100),
                })
                .collect();
            let s = compute(&policies, &bases, completion).unwrap();
            let total: i64 = bases.iter().map(|b| b.amount.units()).sum();
            prop_assert_eq!(s.base.units(), total);
            let lines: i64 = s.lines.iter().map(|l| l.commission.units()).sum();
            prop_assert_eq!(s.commission.units(), lines);
            for l in &s.lines {
                let cap = i128::from(l.base.units().abs()) * 5_250 * 15_000 / 100_000_000 + 100;
                prop_assert!(i128::from(l.commission.units().abs()) <= cap);
                prop_assert_eq!(l.commission.units() % 100, 0);
            }
        }
    }
}
