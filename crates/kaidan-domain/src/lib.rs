//! Kaidan's pure domain: the rules of the business, with no IO, no async, no
//! database and no web. Everything here is deterministic and unit-testable.
//! A CI check (`.ci/check-domain-purity`) fails if this crate ever depends on
//! a database, web or async crate.

#[macro_use]
mod macros;

pub mod access;
pub mod after_sales;
pub mod allocation;
pub mod assessments;
pub mod audit;
pub mod calendar;
pub mod commissions;
pub mod contracts;
pub mod customer_hold;
pub mod events;
pub mod expenses;
pub mod field_rules;
pub mod figures;
pub mod finance;
pub mod fulfilment;
pub mod ids;
pub mod master;
pub mod money;
pub mod orders;
pub mod points;
pub mod portal;
pub mod purchasing;
pub mod quantity;
pub mod schedule;
pub mod stock_counts;
pub mod targets;
pub mod teams;
pub mod transfers;
pub mod validation;
pub mod visits;

pub use access::{Actor, Permission, Role};
pub use ids::*;
pub use money::{MAX_AMOUNT_YUAN, Money, MoneyError, TaxRate};
pub use quantity::{Quantity, QuantityError};
pub use validation::{
    FieldError, MAX_ANY_TEXT, ValidationErrors, is_forbidden_control, text_problem,
};

/// A text that is not one of the allowed values of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}'; allowed: {}", .allowed.join(", "))]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}
