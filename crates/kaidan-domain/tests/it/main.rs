//! The integration tests of kaidan-domain, one module a former test file,
//! built as one test binary (one link step instead of one per file): the
//! allocation engine's rules, examples, schema and properties, and the order
//! rules (intake, pricing, review, change, shortage answers, deadlines,
//! numbering, accounts).

mod allocation_examples;
mod allocation_properties;
mod allocation_rules;
mod allocation_schema;
mod allocation_support;
mod allocation_validation;
mod hardening_bounds;
mod order_account;
mod order_change;
mod order_deadline;
mod order_intake;
mod order_numbering;
mod order_pricing;
mod order_review;
mod order_shortage;
mod order_support;
