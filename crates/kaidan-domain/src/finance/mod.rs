//! Order to cash (FIN-1..4, ORD-7, DOC-1): invoices and credit notes from
//! shipped quantities, receipts with their vouchers, matching money to
//! invoices, due dates from payment terms and the receivables' ageing.
//!
//! How the money documents relate to the funds and credit ledger of FIN-5
//! (ADR 0021): a shipment charges the ledger; an invoice is the document of
//! what was shipped and changes no balance; a verified receipt is the
//! ledger's deposit; a credit note is a positive adjustment (except for
//! refused goods, which the delivery record credited already); matching
//! says which invoice the money paid and changes no balance either. So for
//! every customer: open invoices + shipped value not yet invoiced − money
//! received and not matched = what the ledger says the customer owes.

pub mod ageing;
pub mod bank;
pub mod billing;
pub mod collection;
pub mod dunning;
pub mod invoice;
pub mod matching;
pub mod receipt;
pub mod statement;
pub mod terms;

pub use ageing::*;
pub use bank::*;
pub use billing::*;
pub use collection::*;
pub use dunning::*;
pub use invoice::*;
pub use matching::*;
pub use receipt::*;
pub use statement::*;
pub use terms::*;

use crate::Money;

/// The largest amount one invoice, credit note or receipt may carry:
/// ten billion yuan. Every sum of a document's lines is checked against it
/// in the domain, so no total that storage cannot hold is ever written.
pub const MAX_DOCUMENT_YUAN: i64 = 10_000_000_000;

/// [`MAX_DOCUMENT_YUAN`] as money.
pub fn max_document_amount() -> Money {
    Money::yuan(MAX_DOCUMENT_YUAN)
}
