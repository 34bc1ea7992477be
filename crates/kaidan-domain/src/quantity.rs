//! Quantities of goods, in whole units of the product's unit of measure.
//! See docs/adr/0003-whole-unit-quantities.md for why they are integers.

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
}

/// A count of units, never negative.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    pub fn new(value: i64) -> Result<Self, QuantityError> {
        if value < 0 {
            return Err(QuantityError::Negative);
        }
        Ok(Quantity(value))
    }

    /// A quantity that must be more than zero (an order line, a receipt).
    pub fn positive(value: i64) -> Result<Self, QuantityError> {
        if value <= 0 {
            return Err(QuantityError::NotPositive);
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

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.0.checked_add(other.0).map(Quantity)
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
            .map_err(|_| QuantityError::NotAWholeNumber)?;
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
            .description(Some("Whole units, never negative"))
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
}
