//! Finance's hold on a customer (FIN-6): finance stops a customer's new
//! orders at review, for a reason it states, until it releases the hold.
//! Separate from `active` on the customer (an inactive customer cannot
//! order at all); set and released only through their own use cases, with
//! their own permission.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;
use crate::{CustomerId, UserId};

/// One hold: who set it, when and why; who released it and when (both
/// empty while it holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerHold {
    pub id: i64,
    pub customer_id: CustomerId,
    pub reason: String,
    pub held_by: UserId,
    pub held_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub held_at: Timestamp,
    #[serde(default)]
    pub released_by: Option<UserId>,
    #[serde(default)]
    pub released_by_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub released_at: Option<Timestamp>,
}

impl CustomerHold {
    /// Still holding: not released.
    pub fn is_open(&self) -> bool {
        self.released_at.is_none()
    }

    /// Why an order stops at review, for its timeline: by whom, since when
    /// and why.
    pub fn explain(&self) -> String {
        format!(
            "finance hold set by {} at {}: {}",
            self.held_by_name, self.held_at, self.reason
        )
    }
}

/// What finance enters to put a customer on hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// Why (required, at most 500 characters).
    pub reason: String,
}

impl HoldInput {
    /// The reason, trimmed; refused when empty or too long.
    pub fn validate(&self) -> Result<String, ValidationErrors> {
        ValidationErrors::reason(&self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fin_6_a_hold_needs_a_bounded_reason() {
        let ok = HoldInput {
            reason: "  逾期未回款  ".into(),
        };
        assert_eq!(ok.validate().ok().as_deref(), Some("逾期未回款"));
        for bad in [String::new(), "   ".into(), "x".repeat(501)] {
            let err = HoldInput { reason: bad }.validate();
            assert!(
                err.as_ref()
                    .is_err_and(|e| e.errors.iter().all(|f| f.field == "reason")),
                "{err:?}"
            );
        }
    }
}
