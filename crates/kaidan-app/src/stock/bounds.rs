//! A receipt that would take a balance past the largest quantity (issue 16,
//! item 1; ADR 0024) is refused as a problem of the quantity the caller
//! gave, not of a column the caller never sees.

use kaidan_domain::Quantity;

use crate::error::AppError;

/// `e`, with the store's "on hand would be out of range" said as a problem
/// of `field` (the receipt's quantity); any other error as it is.
pub(crate) fn on_hand_as_quantity(e: impl Into<AppError>, field: &str) -> AppError {
    match e.into() {
        AppError::Invalid(v) if v.errors.iter().any(|f| f.field == "on_hand") => AppError::invalid(
            field,
            "too_large",
            format!(
                "would take the stock on hand past the largest quantity, {}",
                Quantity::MAX
            ),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::StoreError;

    #[test]
    fn hardening_1_on_hand_is_said_as_the_quantity() {
        let e = on_hand_as_quantity(
            StoreError::OutOfBounds {
                table: "stock_balances".into(),
                column: "on_hand".into(),
                limit: "at most 1000000000000 units".into(),
            },
            "quantity",
        );
        let AppError::Invalid(v) = e else {
            panic!("not a refusal: {e:?}")
        };
        assert_eq!(v.errors.len(), 1);
        assert_eq!(v.errors[0].field, "quantity");
        assert_eq!(v.errors[0].code, "too_large");
        assert!(matches!(
            on_hand_as_quantity(StoreError::Conflict, "quantity"),
            AppError::Store(StoreError::Conflict)
        ));
    }
}
