//! A commission policy (SAL-5; seed 001: 根据销售业绩提供提成): what it is
//! paid on, a rate per product category with a default for the rest, and
//! tiers that scale the month's commission by the rep's target completion.
//! Rates, factors and completions are percents with two decimals, kept as
//! hundredths of a percent ("bp" below: 3.5% = 350).

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::access::string_enum;
use crate::validation::MAX_REASON;

/// The highest rate: 50% of the amount.
pub const MAX_RATE_BP: i64 = 5_000;
/// The highest factor a tier applies: 500%.
pub const MAX_FACTOR_BP: i64 = 50_000;
/// The highest completion a tier may start at: 1000%.
pub const MAX_TIER_FROM_BP: i64 = 100_000;
/// Category rates and tiers a policy may carry.
pub const MAX_POLICY_RATES: usize = 100;
pub const MAX_POLICY_TIERS: usize = 10;
/// As long as a product's category may be.
const MAX_CATEGORY: usize = 64;

string_enum!(
    /// What a commission is paid on.
    CommissionBasis {
        /// The net (tax-free) amount invoiced in the month, less the credit
        /// notes written in it.
        Invoiced = "invoiced",
        /// The net part of what was matched against invoices in the month,
        /// less matches undone in it (回款提成).
        Collected = "collected",
    }
);

/// A category's own rate, as written: a percent such as "3.5".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RateInput {
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "3.5"))]
    pub rate: Decimal,
}

/// A tier as written: from a completion (percent) on, the commission is
/// multiplied by `factor` (percent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "80"))]
    pub from_completion: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "100"))]
    pub factor: Decimal,
}

/// A policy as written: in force from `from` until the next policy's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommissionPolicyInput {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    pub basis: CommissionBasis,
    /// The rate of every category without its own, percent.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2"))]
    pub default_rate: Decimal,
    #[serde(default)]
    pub rates: Vec<RateInput>,
    /// No tiers: the commission is paid as the rates give it.
    #[serde(default)]
    pub tiers: Vec<TierInput>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionTier {
    pub from_bp: i64,
    pub factor_bp: i64,
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionPolicyDraft {
    pub from: Date,
    pub basis: CommissionBasis,
    pub default_rate_bp: i64,
    pub rates: BTreeMap<String, i64>,
    /// Ascending by `from_bp`, the first from 0.
    pub tiers: Vec<CommissionTier>,
    pub note: Option<String>,
}

/// A percent with at most two decimals within `0..=max_bp`, as bp.
fn checked_percent(
    e: &mut ValidationErrors,
    field: &str,
    value: Decimal,
    max_bp: i64,
) -> Option<i64> {
    let bp = value * Decimal::ONE_HUNDRED;
    if value.is_sign_negative() && !value.is_zero() || bp > Decimal::from(max_bp) {
        e.add(
            field,
            "out_of_range",
            format!("a percent from 0 to {}", percent_text(max_bp)),
        );
        return None;
    }
    if bp.normalize().scale() > 0 {
        e.add(
            field,
            "too_precise",
            "a percent has at most 2 decimal places",
        );
        return None;
    }
    bp.to_i64()
}

/// A percent from its bp.
pub fn percent_bp(bp: i64) -> Decimal {
    Decimal::new(bp, 2).normalize()
}

/// "3.5%".
pub fn percent_text(bp: i64) -> String {
    format!("{}%", percent_bp(bp))
}

impl CommissionPolicyInput {
    pub fn validate(self) -> Result<CommissionPolicyDraft, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !(2000..=2100).contains(&self.from.year()) {
            e.add(
                "from",
                "out_of_range",
                "a policy begins between 2000 and 2100",
            );
        }
        let default_rate_bp =
            checked_percent(&mut e, "default_rate", self.default_rate, MAX_RATE_BP).unwrap_or(0);
        if self.rates.len() > MAX_POLICY_RATES {
            e.add(
                "rates",
                "too_many",
                format!("at most {MAX_POLICY_RATES} category rates"),
            );
        }
        let mut rates = BTreeMap::new();
        for (i, r) in self.rates.iter().enumerate() {
            let field = format!("rates[{i}]");
            let category = e.text(&format!("{field}.category"), &r.category, MAX_CATEGORY);
            let rate = checked_percent(&mut e, &format!("{field}.rate"), r.rate, MAX_RATE_BP);
            if let Some(rate) = rate
                && !category.is_empty()
                && rates.insert(category.clone(), rate).is_some()
            {
                e.add(
                    format!("{field}.category"),
                    "duplicate",
                    format!("category '{category}' has a rate already"),
                );
            }
        }
        if self.tiers.len() > MAX_POLICY_TIERS {
            e.add(
                "tiers",
                "too_many",
                format!("at most {MAX_POLICY_TIERS} tiers"),
            );
        }
        let mut tiers: Vec<CommissionTier> = Vec::new();
        for (i, t) in self.tiers.iter().enumerate() {
            let field = format!("tiers[{i}]");
            let from = checked_percent(
                &mut e,
                &format!("{field}.from_completion"),
                t.from_completion,
                MAX_TIER_FROM_BP,
            );
            let factor =
                checked_percent(&mut e, &format!("{field}.factor"), t.factor, MAX_FACTOR_BP);
            let (Some(from_bp), Some(factor_bp)) = (from, factor) else {
                continue;
            };
            if i == 0 && from_bp != 0 {
                e.add(
                    format!("{field}.from_completion"),
                    "invalid",
                    "the first tier starts at 0%, so every completion has a tier",
                );
            }
            if let Some(prev) = tiers.last()
                && prev.from_bp >= from_bp
            {
                e.add(
                    format!("{field}.from_completion"),
                    "invalid",
                    format!(
                        "tiers go up: this one must start above {}",
                        percent_text(prev.from_bp)
                    ),
                );
            }
            tiers.push(CommissionTier { from_bp, factor_bp });
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        e.into_result(CommissionPolicyDraft {
            from: self.from,
            basis: self.basis,
            default_rate_bp,
            rates,
            tiers,
            note,
        })
    }
}

impl CommissionPolicyDraft {
    /// The rate of a product category: its own, else the default.
    pub fn rate_of(&self, category: &str) -> i64 {
        self.rates
            .get(category)
            .copied()
            .unwrap_or(self.default_rate_bp)
    }

    /// The factor at a completion: the highest tier begun; 100% without
    /// tiers or without a target to complete (ADR 0043).
    pub fn factor_at(&self, completion_bp: Option<i64>) -> i64 {
        let Some(c) = completion_bp else {
            return 10_000;
        };
        self.tiers
            .iter()
            .rev()
            .find(|t| t.from_bp <= c)
            .map_or(10_000, |t| t.factor_bp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn input() -> CommissionPolicyInput {
        CommissionPolicyInput {
            from: date(2026, 1, 1),
            basis: CommissionBasis::Collected,
            default_rate: d("2"),
            rates: vec![RateInput {
                category: " 羽绒服 ".into(),
                rate: d("3.50"),
            }],
            tiers: vec![
                TierInput {
                    from_completion: d("0"),
                    factor: d("50"),
                },
                TierInput {
                    from_completion: d("80"),
                    factor: d("100"),
                },
                TierInput {
                    from_completion: d("120"),
                    factor: d("150"),
                },
            ],
            note: None,
        }
    }

    #[test]
    fn sal_5_a_policy_reads_its_rates_and_tiers() {
        let p = input().validate().unwrap();
        assert_eq!(p.rate_of("羽绒服"), 350);
        assert_eq!(p.rate_of("T恤"), 200);
        assert_eq!(p.factor_at(None), 10_000);
        assert_eq!(p.factor_at(Some(7_999)), 5_000);
        assert_eq!(p.factor_at(Some(8_000)), 10_000);
        assert_eq!(p.factor_at(Some(12_000)), 15_000);
        assert_eq!(p.factor_at(Some(-300)), 10_000, "below every tier");
        assert_eq!(percent_text(350), "3.5%");
    }

    #[test]
    fn sal_5_a_bad_policy_says_where() {
        type Change = fn(&mut CommissionPolicyInput);
        let cases: Vec<(Change, &str)> = vec![
            (|p| p.default_rate = d("50.01"), "default_rate"),
            (|p| p.default_rate = d("-1"), "default_rate"),
            (|p| p.rates[0].rate = d("1.005"), "rates[0].rate"),
            (
                |p| p.rates[0].category = "x".repeat(65),
                "rates[0].category",
            ),
            (|p| p.rates.push(p.rates[0].clone()), "rates[1].category"),
            (
                |p| p.tiers[0].from_completion = d("10"),
                "tiers[0].from_completion",
            ),
            (
                |p| p.tiers[2].from_completion = d("80"),
                "tiers[2].from_completion",
            ),
            (|p| p.tiers[1].factor = d("500.01"), "tiers[1].factor"),
            (|p| p.from = date(1999, 12, 31), "from"),
        ];
        for (change, field) in cases {
            let mut p = input();
            change(&mut p);
            let e = p.validate().unwrap_err();
            assert_eq!(e.errors[0].field, field);
        }
    }
}
