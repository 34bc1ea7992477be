//! Matching money to invoices (核销, FIN-3): verified money is applied to
//! the customer's open invoices, oldest due first (then the oldest
//! invoice), the oldest money first. What covers no invoice stays the
//! customer's funds. Finance may also match by hand, one receipt to one
//! invoice, for any amount both still have open.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Money;
use crate::validation::ValidationErrors;

/// An invoice with something still to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenInvoice {
    pub id: i64,
    pub due_date: Date,
    pub open: Money,
}

/// A verified receipt with money not yet matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenMoney {
    pub receipt_id: i64,
    pub received_on: Date,
    pub unapplied: Money,
}

/// Money of one receipt applied to one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    pub receipt_id: i64,
    pub invoice_id: i64,
    pub amount: Money,
}

/// The matches that apply `money` to `invoices`, oldest due first. Never
/// more than an invoice has open or a receipt has unapplied.
pub fn plan_matches(invoices: &[OpenInvoice], money: &[OpenMoney]) -> Vec<Match> {
    let mut inv: Vec<OpenInvoice> = invoices
        .iter()
        .filter(|i| i.open.is_positive())
        .copied()
        .collect();
    inv.sort_by_key(|i| (i.due_date, i.id));
    let mut cash: Vec<OpenMoney> = money
        .iter()
        .filter(|m| m.unapplied.is_positive())
        .copied()
        .collect();
    cash.sort_by_key(|m| (m.received_on, m.receipt_id));
    let mut out = Vec::new();
    let mut c = 0;
    for i in &mut inv {
        while i.open.is_positive() && c < cash.len() {
            let m = &mut cash[c];
            let amount = i.open.min(m.unapplied);
            out.push(Match {
                receipt_id: m.receipt_id,
                invoice_id: i.id,
                amount,
            });
            i.open -= amount;
            m.unapplied -= amount;
            if !m.unapplied.is_positive() {
                c += 1;
            }
        }
    }
    out
}

/// What finance enters to match by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    pub receipt_id: i64,
    pub invoice_id: i64,
    /// Default: as much as both have open.
    #[serde(default)]
    pub amount: Option<Money>,
}

impl MatchInput {
    /// The amount to match given what the receipt has unapplied and the
    /// invoice open; refused when it is not positive or more than either.
    pub fn amount(&self, unapplied: Money, open: Money) -> Result<Money, ValidationErrors> {
        let most = unapplied.min(open);
        let amount = self.amount.unwrap_or(most);
        if !most.is_positive() {
            return Err(ValidationErrors::single(
                if unapplied.is_positive() {
                    "invoice_id"
                } else {
                    "receipt_id"
                },
                "nothing_open",
                if unapplied.is_positive() {
                    "the invoice has nothing left to pay".to_string()
                } else {
                    "the receipt has no verified money left to apply".to_string()
                },
            ));
        }
        if !amount.is_positive() || amount > most {
            return Err(ValidationErrors::single(
                "amount",
                "out_of_range",
                format!("from 0.01 to {most} (what the receipt has left and the invoice has open)"),
            ));
        }
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn fin_3_oldest_due_invoice_is_paid_first() {
        let inv = [
            OpenInvoice {
                id: 1,
                due_date: date(2026, 3, 1),
                open: Money::yuan(100),
            },
            OpenInvoice {
                id: 2,
                due_date: date(2026, 1, 1),
                open: Money::yuan(50),
            },
        ];
        let money = [OpenMoney {
            receipt_id: 9,
            received_on: date(2026, 2, 1),
            unapplied: Money::yuan(120),
        }];
        let m = plan_matches(&inv, &money);
        assert_eq!(
            m,
            [
                Match {
                    receipt_id: 9,
                    invoice_id: 2,
                    amount: Money::yuan(50)
                },
                Match {
                    receipt_id: 9,
                    invoice_id: 1,
                    amount: Money::yuan(70)
                },
            ]
        );
    }

    proptest! {
        #[test]
        fn fin_3_matches_never_exceed_either_side(
            inv in proptest::collection::vec((0i64..400, 1i64..5_000), 0..8),
            money in proptest::collection::vec((0i64..400, 1i64..5_000), 0..8),
        ) {
            let base = date(2026, 1, 1);
            let invoices: Vec<OpenInvoice> = inv.iter().enumerate().map(|(i, (d, a))| OpenInvoice {
                id: i as i64, due_date: base.checked_add(jiff::Span::new().days(*d)).unwrap(), open: Money::yuan(*a) }).collect();
            let cash: Vec<OpenMoney> = money.iter().enumerate().map(|(i, (d, a))| OpenMoney {
                receipt_id: i as i64, received_on: base.checked_add(jiff::Span::new().days(*d)).unwrap(), unapplied: Money::yuan(*a) }).collect();
            let m = plan_matches(&invoices, &cash);
            let total: Money = m.iter().map(|x| x.amount).sum();
            let open: Money = invoices.iter().map(|i| i.open).sum();
            let have: Money = cash.iter().map(|c| c.unapplied).sum();
            prop_assert_eq!(total, open.min(have));
            for i in &invoices {
                let paid: Money = m.iter().filter(|x| x.invoice_id == i.id).map(|x| x.amount).sum();
                prop_assert!(paid <= i.open);
            }
            for c in &cash {
                let used: Money = m.iter().filter(|x| x.receipt_id == c.receipt_id).map(|x| x.amount).sum();
                prop_assert!(used <= c.unapplied);
            }
            prop_assert!(m.iter().all(|x| x.amount.is_positive()));
        }
    }
}
