//! Exact money. Amounts are `rust_decimal::Decimal` in the domain and a scaled
//! integer (1/10,000 yuan) in storage, so SQLite and PostgreSQL store and sum
//! them identically. No float ever touches money. Every amount lies within
//! ±[`MAX_AMOUNT_YUAN`] (docs/adr/0024-numeric-bounds.md).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Number of decimal places kept for money (1/10,000 yuan).
pub const MONEY_SCALE: u32 = 4;
const UNITS_PER_YUAN: i64 = 10_000;

/// The largest amount, in whole yuan, that any price, line, document,
/// limit or balance may carry (and the most negative is its negation):
/// one trillion yuan, 10^16 storage units. About 900 such amounts still
/// add up inside an `i64`, so a sum of stored amounts is far more likely
/// to meet a checked limit than an integer overflow (ADR 0024).
pub const MAX_AMOUNT_YUAN: i64 = 1_000_000_000_000;
const MAX_UNITS: i64 = MAX_AMOUNT_YUAN * UNITS_PER_YUAN;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount")]
    NotANumber,
    #[error("more than {MONEY_SCALE} decimal places")]
    TooPrecise,
    #[error("amount out of range (at most {MAX_AMOUNT_YUAN} yuan either way)")]
    OutOfRange,
    #[error("amount must not be negative")]
    Negative,
}

/// An exact amount of money in yuan (CNY), at most four decimal places.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// The largest amount: [`MAX_AMOUNT_YUAN`].
    pub const MAX: Money = Money(Decimal::from_parts(
        // 10^12 = 232 · 2^32 + 3_567_587_328
        3_567_587_328,
        232,
        0,
        false,
        0,
    ));

    /// Builds an amount, refusing values with more than four decimal places
    /// (rounding money silently would hide an input mistake) and values
    /// beyond ±[`MAX_AMOUNT_YUAN`].
    pub fn new(value: Decimal) -> Result<Self, MoneyError> {
        let normalized = value.normalize();
        if normalized.scale() > MONEY_SCALE {
            return Err(MoneyError::TooPrecise);
        }
        let units = Self::to_units_checked(normalized)?;
        if units.unsigned_abs() > MAX_UNITS.unsigned_abs() {
            return Err(MoneyError::OutOfRange);
        }
        Ok(Money(normalized))
    }

    /// A non-negative amount (prices, limits).
    pub fn non_negative(value: Decimal) -> Result<Self, MoneyError> {
        let m = Self::new(value)?;
        if m.is_negative() {
            return Err(MoneyError::Negative);
        }
        Ok(m)
    }

    pub fn yuan(whole: i64) -> Self {
        Money(Decimal::from(whole))
    }

    /// From the storage unit (1/10,000 yuan).
    pub fn from_units(units: i64) -> Self {
        Money(Decimal::new(units, MONEY_SCALE).normalize())
    }

    /// To the storage unit (1/10,000 yuan). Exact: a `Money` never holds more
    /// than four decimal places, and its range was checked when it was built.
    pub fn units(self) -> i64 {
        Self::to_units_checked(self.0).unwrap_or(if self.0.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    fn to_units_checked(value: Decimal) -> Result<i64, MoneyError> {
        let scaled = value
            .checked_mul(Decimal::from(UNITS_PER_YUAN))
            .ok_or(MoneyError::OutOfRange)?;
        i64::try_from(scaled.trunc()).map_err(|_| MoneyError::OutOfRange)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        !self.0.is_zero() && self.0.is_sign_positive()
    }

    /// Price × quantity, exact.
    pub fn times(self, qty: i64) -> Money {
        Money(self.0 * Decimal::from(qty))
    }

    /// `self + other`, or `None` beyond ±[`MAX_AMOUNT_YUAN`]: for a sum that
    /// will be stored or compared against a limit.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).and_then(|d| Money::new(d).ok())
    }

    /// Price × quantity, or `None` beyond ±[`MAX_AMOUNT_YUAN`].
    pub fn checked_times(self, qty: i64) -> Option<Money> {
        self.0
            .checked_mul(Decimal::from(qty))
            .and_then(|d| Money::new(d).ok())
    }

    /// The sum of `amounts`, or `None` when it or any partial sum lies
    /// beyond ±[`MAX_AMOUNT_YUAN`].
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, Money::checked_add)
    }

    /// Rounds half-away-from-zero to fen (0.01), as an invoice shows it.
    pub fn round_to_fen(self) -> Money {
        Money(
            self.0
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        )
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }
}

checked_conversions!(Money.0: Decimal, MoneyError, Money::new);

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim().trim_start_matches('¥').replace(',', "");
        let d = Decimal::from_str(&trimmed).map_err(|_| MoneyError::NotANumber)?;
        Money::new(d)
    }
}

impl fmt::Display for Money {
    /// Shows at least two decimals (yuan and fen), more only when present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        if d.scale() < 2 {
            d.rescale(2);
        }
        write!(f, "{d}")
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        // Normalised, so a sum reads as the same amount written by hand
        // ("0", not "0.0").
        Money((self.0 + rhs.0).normalize())
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money((self.0 - rhs.0).normalize())
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// A tax rate such as 13% (stored as basis points: 1300).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct TaxRate(Decimal);

impl TaxRate {
    /// A rate given as a fraction (0.13 for 13%), between 0 and 1, at most 4 places.
    pub fn new(fraction: Decimal) -> Result<Self, MoneyError> {
        let n = fraction.normalize();
        if n.is_sign_negative() && !n.is_zero() {
            return Err(MoneyError::Negative);
        }
        if n > Decimal::ONE {
            return Err(MoneyError::OutOfRange);
        }
        if n.scale() > 4 {
            return Err(MoneyError::TooPrecise);
        }
        Ok(TaxRate(n))
    }

    pub fn from_basis_points(bp: i64) -> Self {
        TaxRate(Decimal::new(bp, 4).normalize())
    }

    pub fn basis_points(self) -> i64 {
        i64::try_from((self.0 * Decimal::from(10_000)).trunc()).unwrap_or(0)
    }

    pub fn fraction(self) -> Decimal {
        self.0
    }
}

checked_conversions!(TaxRate.0: Decimal, MoneyError, TaxRate::new);

impl FromStr for TaxRate {
    type Err = MoneyError;
    /// Accepts `0.13` or `13%`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            let d = Decimal::from_str(p.trim()).map_err(|_| MoneyError::NotANumber)?;
            TaxRate::new(d / Decimal::from(100))
        } else {
            TaxRate::new(Decimal::from_str(t).map_err(|_| MoneyError::NotANumber)?)
        }
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", (self.0 * Decimal::from(100)).normalize())
    }
}

string_schema!(
    Money,
    "Exact amount in yuan as a decimal string, at most 4 decimal places and at most 10^12 yuan either way",
    "1234.50"
);

string_schema!(
    TaxRate,
    "Tax rate as a fraction string (\"0.13\") or percent (\"13%\" on input)",
    "0.13"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_displays_yuan() {
        let m: Money = "1,234.5".parse().unwrap();
        assert_eq!(m.to_string(), "1234.50");
        assert_eq!(m.units(), 12_345_000);
        assert_eq!("¥0.0001".parse::<Money>().unwrap().units(), 1);
    }

    #[test]
    fn refuses_more_than_four_places() {
        assert_eq!("0.00001".parse::<Money>(), Err(MoneyError::TooPrecise));
        assert_eq!("abc".parse::<Money>(), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::non_negative(Decimal::from(-1)),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn hardening_1_max_is_a_trillion_yuan() {
        assert_eq!(Money::MAX, Money::yuan(MAX_AMOUNT_YUAN));
        assert_eq!(Money::MAX.units(), MAX_UNITS);
        assert_eq!("1000000000000".parse::<Money>(), Ok(Money::MAX));
        assert_eq!("-1000000000000".parse::<Money>(), Ok(-Money::MAX));
        assert_eq!(
            "1000000000000.0001".parse::<Money>(),
            Err(MoneyError::OutOfRange)
        );
        assert_eq!(
            "922337203685477.5807".parse::<Money>(),
            Err(MoneyError::OutOfRange)
        );
        assert_eq!(
            "99999999999999999999999999".parse::<Money>(),
            Err(MoneyError::OutOfRange)
        );
        let cent = Money::from_units(1);
        assert_eq!(Money::MAX.checked_add(cent), None);
        assert_eq!((-Money::MAX).checked_add(-cent), None);
        assert_eq!(Money::MAX.checked_add(-cent), Some(Money::MAX - cent));
        assert_eq!(
            Money::yuan(1_000).checked_times(1_000_000_000),
            Some(Money::MAX)
        );
        assert_eq!(Money::yuan(1_000).checked_times(1_000_000_001), None);
        assert_eq!(Money::checked_sum([Money::MAX, cent]), None);
        assert_eq!(Money::checked_sum([Money::MAX, cent, -cent]), None);
    }

    #[test]
    fn tax_rate_accepts_percent_and_fraction() {
        assert_eq!("13%".parse::<TaxRate>().unwrap().basis_points(), 1300);
        assert_eq!("0.09".parse::<TaxRate>().unwrap().basis_points(), 900);
        assert!("120%".parse::<TaxRate>().is_err());
    }

    proptest! {
        /// Storage round trip is exact for every storable amount.
        #[test]
        fn units_round_trip(units in -MAX_UNITS..=MAX_UNITS) {
            let m = Money::from_units(units);
            prop_assert_eq!(m.units(), units);
            prop_assert_eq!(Money::new(m.decimal()).unwrap(), m);
        }

        /// Hardening issue 16, item 1: units beyond the bound never build
        /// an amount, whichever way they come in.
        #[test]
        fn hardening_1_beyond_max_is_refused(
            units in prop_oneof![i64::MIN..-MAX_UNITS, (MAX_UNITS + 1)..=i64::MAX]
        ) {
            let d = Money::from_units(units).decimal();
            prop_assert_eq!(Money::new(d), Err(MoneyError::OutOfRange));
            prop_assert_eq!(d.to_string().parse::<Money>(), Err(MoneyError::OutOfRange));
            prop_assert!(serde_json::from_value::<Money>(serde_json::json!(d.to_string())).is_err());
        }

        /// A checked sum is exact within the bound and None beyond it.
        #[test]
        fn hardening_1_checked_add_is_exact_or_none(
            a in -MAX_UNITS..=MAX_UNITS,
            b in -MAX_UNITS..=MAX_UNITS,
        ) {
            let sum = Money::from_units(a).checked_add(Money::from_units(b));
            match sum {
                Some(s) => prop_assert_eq!(s.units(), a + b),
                None => prop_assert!((a + b).abs() > MAX_UNITS),
            }
        }

        /// Sums in storage units equal sums of decimals (what SQL SUM sees).
        #[test]
        fn sums_agree(xs in proptest::collection::vec(-1_000_000_000i64..1_000_000_000, 0..50)) {
            let total: Money = xs.iter().map(|u| Money::from_units(*u)).sum();
            prop_assert_eq!(total.units(), xs.iter().sum::<i64>());
        }
    }
}
