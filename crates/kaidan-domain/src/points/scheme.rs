//! The points scheme (SAL-4; seed 001 第五条: 基本积分 = 销售额 × 基本积分比例,
//! 比例由公司根据市场情况和业务需求制定): the ratio and the basis the sales
//! are counted on, as data with the month it takes effect (ADR 0041).

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::ledger::MAX_ENTRY_POINTS;
use crate::targets::TargetBasis;
use crate::validation::MAX_REASON;
use crate::visits::month_start;
use crate::{Money, ValidationErrors};

/// The highest ratio: points per yuan sold.
pub const MAX_POINTS_RATIO: Decimal = Decimal::from_parts(100, 0, 0, false, 0);
/// The most decimal places of a ratio (0.0001 point per yuan).
pub const POINTS_RATIO_SCALE: u32 = 4;

/// A scheme as written: in effect from the first day of `month`
/// (`YYYY-MM`) until the next scheme's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsSchemeInput {
    pub month: String,
    pub basis: TargetBasis,
    /// Basic points per yuan sold, e.g. "0.01" for one point per 100 yuan.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.01"))]
    pub ratio: Decimal,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsSchemeDraft {
    pub from: Date,
    pub basis: TargetBasis,
    pub ratio: Decimal,
    pub note: Option<String>,
}

impl PointsSchemeInput {
    pub fn validate(self) -> Result<PointsSchemeDraft, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let from = match month_start(&self.month) {
            Ok(d) => Some(d),
            Err(err) => {
                e.merge(err);
                None
            }
        };
        if self.ratio <= Decimal::ZERO || self.ratio > MAX_POINTS_RATIO {
            e.add(
                "ratio",
                "out_of_range",
                format!("a ratio is more than 0 and at most {MAX_POINTS_RATIO} points per yuan"),
            );
        } else if self.ratio.normalize().scale() > POINTS_RATIO_SCALE {
            e.add(
                "ratio",
                "too_precise",
                format!("a ratio has at most {POINTS_RATIO_SCALE} decimal places"),
            );
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        match from {
            Some(from) => e.into_result(PointsSchemeDraft {
                from,
                basis: self.basis,
                ratio: self.ratio.normalize(),
                note,
            }),
            None => Err(e),
        }
    }
}

/// Basic points of `sales`: whole points, rounded down; nothing for a month
/// whose credit notes outweigh its sales; at most [`MAX_ENTRY_POINTS`].
pub fn basic_points(sales: Money, ratio: Decimal) -> i64 {
    if !sales.is_positive() {
        return 0;
    }
    (sales.decimal() * ratio)
        .floor()
        .to_i64()
        .map_or(MAX_ENTRY_POINTS, |p| p.min(MAX_ENTRY_POINTS))
}

/// The scheme in force on `day`: the one of the latest month not after it.
pub fn in_force<T>(schemes: &[T], from: impl Fn(&T) -> Date, day: Date) -> Option<&T> {
    schemes
        .iter()
        .filter(|s| from(s) <= day)
        .max_by_key(|s| from(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input(ratio: &str) -> PointsSchemeInput {
        PointsSchemeInput {
            month: "2026-03".into(),
            basis: TargetBasis::Collected,
            ratio: ratio.parse().unwrap(),
            note: Some("  ".into()),
        }
    }

    #[test]
    fn sal_4_basic_points_are_sales_times_the_ratio_rounded_down() {
        let d = input("0.0100").validate().unwrap();
        assert_eq!(
            (d.from, d.ratio.to_string(), d.note),
            (date(2026, 3, 1), "0.01".into(), None)
        );
        assert_eq!(basic_points(Money::yuan(12_399), d.ratio), 123);
        assert_eq!(basic_points(Money::yuan(-500), d.ratio), 0);
        assert_eq!(
            basic_points(Money::MAX, MAX_POINTS_RATIO),
            MAX_ENTRY_POINTS.min(100_000_000_000_000)
        );
        for bad in ["0", "-1", "100.5", "0.00001"] {
            let e = input(bad).validate().unwrap_err();
            assert_eq!(e.errors[0].field, "ratio", "{bad}");
        }
        let mut m = input("1");
        m.month = "2026-13".into();
        assert_eq!(m.validate().unwrap_err().errors[0].field, "month");
    }

    #[test]
    fn sal_4_the_scheme_in_force_is_the_latest_begun() {
        let s = [date(2026, 1, 1), date(2026, 7, 1)];
        assert_eq!(in_force(&s, |d| *d, date(2025, 12, 31)), None);
        assert_eq!(in_force(&s, |d| *d, date(2026, 6, 30)), Some(&s[0]));
        assert_eq!(in_force(&s, |d| *d, date(2026, 7, 1)), Some(&s[1]));
    }
}
