//! Quantities of goods, in whole units of the product's unit of measure.
//! See docs/adr/0003-whole-unit-quantities.md for why they are integers and
//! docs/adr/0024-numeric-bounds.md for why they stop at [`Quantity::MAX`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("not a whole number")]
    NotAWholeNumber,
    #[error("must not be negative")]
    Negative,
    #[error("must be greater than zero")]
    NotPositive,
    #[error("must be at most {}", Quantity::MAX.0)]
    TooLarge,
}

/// A count of units, never negative and never above [`Quantity::MAX`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    /// The largest quantity anything may hold: 10^12 units, a balance, a
    /// line or a sum alike. About 9.2 million such values still add up
    /// inside an `i64` (and a SQLite integer), so no sum of stored
    /// quantities can overflow into a floating-point number (ADR 0024).
    pub const MAX: Quantity = Quantity(1_000_000_000_000);

    pub fn new(value: i64) -> Result<Self, QuantityError> {
        if value < 0 {
            return Err(QuantityError::Negative);
        }
        Self::at_most_max(value)
    }

    /// A quantity that must be more than zero (an order line, a receipt).
    pub fn positive(value: i64) -> Result<Self, QuantityError> {
        if value <= 0 {
            return Err(QuantityError::NotPositive);
        }
        Self::at_most_max(value)
    }

    fn at_most_max(value: i64) -> Result<Self, QuantityError> {
        if value > Self::MAX.0 {
            return Err(QuantityError::TooLarge);
        }
        Ok(Quantity(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self − other`, or `None` when that would go below zero.
    pub fn checked_sub(self, other: Quantity) -> Option<Quantity> {
        self.0
            .checked_sub(other.0)
            .filter(|v| *v >= 0)
            .map(Quantity)
    }

    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity((self.0 - other.0).max(0))
    }

    /// `self + other`, or `None` above [`Quantity::MAX`].
    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.0
            .checked_add(other.0)
            .filter(|v| *v <= Self::MAX.0)
            .map(Quantity)
    }

    /// The sum of `quantities`, or `None` above [`Quantity::MAX`].
    pub fn checked_sum(quantities: impl IntoIterator<Item = Quantity>) -> Option<Quantity> {
        quantities
            .into_iter()
            .try_fold(Quantity::ZERO, Quantity::checked_add)
    }

    pub fn min(self, other: Quantity) -> Quantity {
        Quantity(self.0.min(other.0))
    }
}

checked_conversions!(Quantity.0: i64, QuantityError, Quantity::new);

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let v: i64 = s
            .trim()
            .replace(',', "")
            .parse()
            .map_err(|e: std::num::ParseIntError| {
                // A whole number too long for an i64 is still a whole number:
                // say what is wrong with it.
                match e.kind() {
                    std::num::IntErrorKind::PosOverflow => QuantityError::TooLarge,
                    std::num::IntErrorKind::NegOverflow => QuantityError::Negative,
                    _ => QuantityError::NotAWholeNumber,
                }
            })?;
        Quantity::new(v)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(0))
            .maximum(Some(Quantity::MAX.0))
            .description(Some("Whole units, never negative, at most 10^12"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Quantity {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_negative_and_fractions() {
        assert_eq!(Quantity::new(-1), Err(QuantityError::Negative));
        assert_eq!(
            "1.5".parse::<Quantity>(),
            Err(QuantityError::NotAWholeNumber)
        );
        assert_eq!(Quantity::positive(0), Err(QuantityError::NotPositive));
        assert_eq!("1,200".parse::<Quantity>().unwrap().get(), 1200);
    }

    #[test]
    fn subtraction_never_goes_negative() {
        let a = Quantity::new(3).unwrap();
        let b = Quantity::new(5).unwrap();
        assert_eq!(a.checked_sub(b), None);
        assert_eq!(a.saturating_sub(b), Quantity::ZERO);
    }

    /// Hardening issue 16, item 1: every way in stops at MAX.
    #[test]
    fn hardening_1_every_constructor_stops_at_max() {
        let max = Quantity::MAX.get();
        assert_eq!(Quantity::new(max).map(Quantity::get), Ok(max));
        assert_eq!(Quantity::positive(max).map(Quantity::get), Ok(max));
        assert_eq!(Quantity::new(max + 1), Err(QuantityError::TooLarge));
        assert_eq!(Quantity::positive(max + 1), Err(QuantityError::TooLarge));
        assert_eq!(Quantity::try_from(i64::MAX), Err(QuantityError::TooLarge));
        assert_eq!(
            "9223372036854775807".parse::<Quantity>(),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(
            "99999999999999999999999".parse::<Quantity>(),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(
            "-99999999999999999999999".parse::<Quantity>(),
            Err(QuantityError::Negative)
        );
        assert_eq!(
            "1,000,000,000,001".parse::<Quantity>(),
            Err(QuantityError::TooLarge)
        );
        assert!(serde_json::from_str::<Quantity>("1000000000001").is_err());
        assert!(serde_json::from_str::<Quantity>("4611686018427387904").is_err());
        assert_eq!(
            serde_json::from_str::<Quantity>("1000000000000")
                .map(Quantity::get)
                .ok(),
            Some(max)
        );
    }

    #[test]
    fn hardening_1_sums_stop_at_max() {
        let one = Quantity::new(1).unwrap();
        assert_eq!(Quantity::MAX.checked_add(one), None);
        assert_eq!(
            Quantity::MAX.checked_add(Quantity::ZERO),
            Some(Quantity::MAX)
        );
        assert_eq!(Quantity::checked_sum([Quantity::MAX, one]), None);
        assert_eq!(Quantity::checked_sum([]), Some(Quantity::ZERO));
    }

    proptest::proptest! {
        /// Whatever is added, a sum is either exact and within MAX or None.
        #[test]
        fn hardening_1_checked_add_is_exact_or_none(
            a in 0..=Quantity::MAX.get(),
            b in 0..=Quantity::MAX.get(),
        ) {
            let (qa, qb) = (Quantity::new(a).unwrap(), Quantity::new(b).unwrap());
            match qa.checked_add(qb) {
                Some(s) => proptest::prop_assert_eq!(s.get(), a + b),
                None => proptest::prop_assert!(a + b > Quantity::MAX.get()),
            }
        }

        /// Any i64 either builds a quantity within 0..=MAX or is refused.
        #[test]
        fn hardening_1_new_never_holds_more_than_max(v in proptest::num::i64::ANY) {
            match Quantity::new(v) {
                Ok(q) => proptest::prop_assert!((0..=Quantity::MAX.get()).contains(&q.get())),
                Err(_) => proptest::prop_assert!(!(0..=Quantity::MAX.get()).contains(&v)),
            }
        }
    }
}
