//! Borrowing a contract's paper original (seed 001: 借阅签字制): the
//! borrower signs for it with his own login, says why and until when; the
//! keeper records its return. One loan of a contract is open at a time.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::MAX_TITLE;
use crate::validation::ValidationErrors;

/// The longest loan of an original: a quarter.
pub const MAX_LOAN_DAYS: i64 = 90;

/// A loan as the borrower signs for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoanInput {
    pub purpose: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_back: Date,
}

impl LoanInput {
    /// The purpose required; back within [`MAX_LOAN_DAYS`] of `today`,
    /// not before it.
    pub fn check(&self, today: Date) -> Result<LoanInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let purpose = e.text("purpose", &self.purpose, MAX_TITLE);
        let days = (self.due_back - today).get_days();
        if self.due_back < today || i64::from(days) > MAX_LOAN_DAYS {
            e.add(
                "due_back",
                "out_of_range",
                format!("from today ({today}) to {MAX_LOAN_DAYS} days later"),
            );
        }
        e.into_result(LoanInput {
            purpose,
            due_back: self.due_back,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn con_2_a_loan_says_why_and_comes_back_within_a_quarter() {
        let today = date(2026, 12, 6);
        let ok = LoanInput {
            purpose: " 诉讼取证 ".into(),
            due_back: date(2026, 12, 20),
        };
        assert_eq!(ok.check(today).unwrap().purpose, "诉讼取证");
        let late = LoanInput {
            purpose: String::new(),
            due_back: date(2027, 6, 1),
        };
        assert_eq!(late.check(today).unwrap_err().errors.len(), 2);
        let past = LoanInput {
            due_back: date(2026, 12, 5),
            ..ok
        };
        assert!(past.check(today).is_err());
    }
}
