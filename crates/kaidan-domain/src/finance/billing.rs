//! How far an order is billed (ORD-7): invoiced, then paid; derived from
//! its invoice lines, never entered. An order is *closed* (its status) once
//! shipped in full and paid in full.

use serde::{Deserialize, Serialize};

use crate::Money;
use crate::access::string_enum;

string_enum!(
    /// An order's billing.
    OrderBilling {
        /// Nothing invoiced yet.
        Uninvoiced = "uninvoiced",
        /// Some shipped goods are invoiced, or not everything has shipped.
        PartlyInvoiced = "partly_invoiced",
        /// Everything shipped is invoiced; money is still open.
        Invoiced = "invoiced",
        /// Everything shipped is invoiced and every invoice is settled.
        Paid = "paid",
    }
);

/// What billing is derived from, as the store reads it for one order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingFacts {
    /// Every line shipped in full.
    pub shipped_in_full: bool,
    /// Units shipped less refused at delivery.
    pub billable: i64,
    /// Units invoiced (net of refusals credited).
    pub invoiced: i64,
    /// What the invoices covering the order still have open.
    pub open: Money,
}

impl OrderBilling {
    pub fn of(f: BillingFacts) -> OrderBilling {
        if f.invoiced <= 0 {
            OrderBilling::Uninvoiced
        } else if f.invoiced < f.billable || !f.shipped_in_full {
            OrderBilling::PartlyInvoiced
        } else if f.open.is_positive() {
            OrderBilling::Invoiced
        } else {
            OrderBilling::Paid
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrderBilling::Uninvoiced => "未开票",
            OrderBilling::PartlyInvoiced => "部分开票",
            OrderBilling::Invoiced => "已开票",
            OrderBilling::Paid => "已回款",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ord_7_billing_follows_invoices_and_money() {
        let f = |full, billable, invoiced, open: i64| BillingFacts {
            shipped_in_full: full,
            billable,
            invoiced,
            open: Money::yuan(open),
        };
        assert_eq!(OrderBilling::of(f(true, 5, 0, 0)), OrderBilling::Uninvoiced);
        assert_eq!(
            OrderBilling::of(f(false, 5, 5, 0)),
            OrderBilling::PartlyInvoiced
        );
        assert_eq!(
            OrderBilling::of(f(true, 5, 3, 10)),
            OrderBilling::PartlyInvoiced
        );
        assert_eq!(OrderBilling::of(f(true, 5, 5, 10)), OrderBilling::Invoiced);
        assert_eq!(OrderBilling::of(f(true, 5, 5, 0)), OrderBilling::Paid);
    }
}
