//! Kaidan's pure domain: the rules of the business, with no IO, no async, no
//! database and no web. Everything here is deterministic and unit-testable.
//! A CI check (`.ci/check-domain-purity`) fails if this crate ever depends on
//! a database, web or async crate.

pub mod allocation;
pub mod ids;
pub mod money;
pub mod quantity;

pub use ids::*;
pub use money::{Money, MoneyError, TaxRate};
pub use quantity::{Quantity, QuantityError};
