//! Inventory turnover (KPI-5, 存货周转率): the cost of the goods shipped
//! in a period against the mean of the stock's cost at its start and end,
//! and the days of stock that makes.

use serde::Serialize;

use crate::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Turnover {
    pub shipped_cost: Money,
    pub opening_stock: Money,
    pub closing_stock: Money,
    /// (opening + closing) / 2.
    pub average_stock: Money,
    /// Turns in the period × 100 (235 = 2.35 times); None without stock.
    pub turns_x100: Option<i64>,
    /// The days the average stock lasts at the period's pace (存货周转
    /// 天数); None when nothing shipped.
    pub days_of_stock: Option<i64>,
}

impl Turnover {
    pub fn of(shipped_cost: Money, opening: Money, closing: Money, days: i32) -> Turnover {
        let sum = i128::from(opening.units()) + i128::from(closing.units());
        let avg = sum / 2;
        let shipped = i128::from(shipped_cost.units());
        let div = |n: i128, d: i128| {
            (d > 0)
                .then(|| (n * 2 + d) / (2 * d))
                .and_then(|q| i64::try_from(q).ok())
        };
        Turnover {
            shipped_cost,
            opening_stock: opening,
            closing_stock: closing,
            // The mean of two bounded amounts is bounded.
            average_stock: Money::from_units(i64::try_from(avg).unwrap_or(i64::MAX)),
            turns_x100: div(shipped * 100, avg),
            days_of_stock: div(avg * i128::from(days), shipped),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_and_days_of_stock_by_hand() {
        // 30 days, 60,000 shipped at cost, stock 100,000 then 140,000:
        // average 120,000, 0.5 turns, 60 days of stock.
        let t = Turnover::of(
            Money::yuan(60_000),
            Money::yuan(100_000),
            Money::yuan(140_000),
            30,
        );
        assert_eq!(t.average_stock, Money::yuan(120_000));
        assert_eq!(t.turns_x100, Some(50));
        assert_eq!(t.days_of_stock, Some(60));
        let none = Turnover::of(Money::ZERO, Money::ZERO, Money::ZERO, 30);
        assert_eq!((none.turns_x100, none.days_of_stock), (None, None));
    }
}
