//! The documents Kaidan prints, each one mapping function from the use
//! cases' views onto `PrintDocument` (DOC-1). A new document (invoice,
//! credit note, statement, dunning letter) is one more file here: gather
//! its view in the HTTP layer, map it, render.

mod contract;
mod delivery_note;
mod dunning;
mod invoice;
mod order_confirmation;
mod statement;

pub use contract::{ContractPrint, contract};
pub use delivery_note::{DeliveryNote, delivery_note};
pub use dunning::dunning_letter;
pub use invoice::{invoice, rmb_in_words};
pub use order_confirmation::{OrderConfirmation, order_confirmation};
pub use statement::statement;

use kaidan_domain::master::{CustomerData, PaymentMethod, PaymentTerms};

use crate::model::Party;

/// A time in the company's time zone, to the minute.
pub fn local_minute(t: jiff::Timestamp) -> String {
    t.to_zoned(kaidan_domain::orders::company_time_zone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Both languages, Chinese first.
pub(crate) fn both(zh: &str, en: &str) -> String {
    format!("{zh} {en}")
}

/// The terms as printed; `net_days` is the customer's number of days of
/// net-days terms (净30天 Net 30 days), unknown when the reader may not see
/// the customer's record.
pub(crate) fn terms_label(t: PaymentTerms, net_days: Option<u32>) -> String {
    match (t, net_days) {
        (PaymentTerms::Prepayment, _) => both("预付款", "Prepayment"),
        (PaymentTerms::CashOnDelivery, _) => both("货到付款", "Cash on delivery"),
        (PaymentTerms::MonthlySettlement, _) => both("月结", "Monthly settlement"),
        (PaymentTerms::NetDays, Some(n)) => both(&format!("净{n}天"), &format!("Net {n} days")),
        (PaymentTerms::NetDays, None) => both("按账期天数", "Net days"),
    }
}

pub(crate) fn method_label(m: PaymentMethod) -> String {
    match m {
        PaymentMethod::Cash => both("现金", "Cash"),
        PaymentMethod::BankTransfer => both("银行转账", "Bank transfer"),
        PaymentMethod::PosCard => both("POS 刷卡", "POS card"),
    }
}

/// The customer as the party of a document; without the record (a role
/// that may not read customers) the id and the order's address stand in.
pub(crate) fn party(
    label: &str,
    customer_id: i64,
    customer: Option<&CustomerData>,
    address: &str,
    contact: String,
) -> Party {
    let (name, fallback_address, fallback_contact) = match customer {
        Some(c) => (
            format!("{} {}", c.code, c.name),
            c.address.clone().unwrap_or_default(),
            [c.contact_name.as_deref(), c.contact_phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => (format!("#{customer_id}"), String::new(), String::new()),
    };
    Party {
        label: label.to_string(),
        name,
        address: if address.trim().is_empty() {
            fallback_address
        } else {
            address.to_string()
        },
        tax_number: String::new(),
        contact: if contact.trim().is_empty() {
            fallback_contact
        } else {
            contact
        },
    }
}
