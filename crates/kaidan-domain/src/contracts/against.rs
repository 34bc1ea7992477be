//! Orders placed against a contract (CON-2): an order names only the
//! contract's products, at the contract's prices, and never more than
//! remains of each; the contract shows what was ordered, shipped,
//! invoiced and paid against it and what remains.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ContractTerms;
use crate::validation::ValidationErrors;
use crate::{Money, ProductId};

/// One line of an order, as the contract check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderedLine {
    pub product_id: ProductId,
    pub quantity: i64,
    /// The price typed on the order line, if one was.
    pub given_price: Option<Money>,
}

/// Why `order` may not be placed against a contract of `terms` and
/// `number`, of which `ordered` units of each product are already on
/// other orders: each error on its line (`lines[i].…`).
pub fn check_against(
    number: &str,
    terms: &ContractTerms,
    ordered: &BTreeMap<ProductId, i64>,
    order: &[OrderedLine],
) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    for (i, l) in order.iter().enumerate() {
        let Some(c) = terms.lines.iter().find(|c| c.product_id == l.product_id) else {
            e.add(
                format!("lines[{i}].product_id"),
                "not_in_contract",
                format!("contract {number} does not name product {}", l.product_id),
            );
            continue;
        };
        if let Some(p) = l.given_price
            && p != c.unit_price
        {
            e.add(
                format!("lines[{i}].unit_price"),
                "not_contract_price",
                format!("contract {number} sets the price at {}", c.unit_price),
            );
        }
        let before = ordered.get(&l.product_id).copied().unwrap_or(0);
        let remaining = (c.quantity - before).max(0);
        if l.quantity > remaining {
            e.add(
                format!("lines[{i}].quantity"),
                "above_contract",
                format!(
                    "contract {number} has {remaining} of {} left ({} agreed, {before} ordered); this order asks {}",
                    l.product_id, c.quantity, l.quantity
                ),
            );
        }
    }
    e
}

/// A contract line with what was ordered and shipped against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressLine {
    pub product_id: ProductId,
    pub quantity: i64,
    pub unit_price: Money,
    pub ordered: i64,
    pub shipped: i64,
    /// Agreed less ordered, never below zero.
    pub remaining: i64,
}

/// What was ordered, shipped, invoiced and paid against a contract, and
/// what remains of it (CON-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractProgress {
    pub lines: Vec<ProgressLine>,
    pub ordered: Money,
    pub shipped: Money,
    /// Invoiced less credit notes.
    pub invoiced: Money,
    pub paid: Money,
    /// The contract's amount less what was ordered, never below zero.
    pub remaining: Money,
}

impl ContractProgress {
    /// From the units ordered and shipped of each product and the sums of
    /// the orders' amounts, shipped goods, invoices and payments.
    pub fn new(
        terms: &ContractTerms,
        units: &BTreeMap<ProductId, (i64, i64)>,
        ordered: Money,
        shipped: Money,
        invoiced: Money,
        paid: Money,
    ) -> Self {
        let lines = terms
            .lines
            .iter()
            .map(|c| {
                let (o, s) = units.get(&c.product_id).copied().unwrap_or((0, 0));
                ProgressLine {
                    product_id: c.product_id,
                    quantity: c.quantity,
                    unit_price: c.unit_price,
                    ordered: o,
                    shipped: s,
                    remaining: (c.quantity - o).max(0),
                }
            })
            .collect();
        // Both within ±MAX_AMOUNT_YUAN: the difference fits a decimal.
        let left = (terms.amount() - ordered).max(Money::ZERO);
        ContractProgress {
            lines,
            ordered,
            shipped,
            invoiced,
            paid,
            remaining: left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::terms;
    use super::*;

    #[test]
    fn con_2_an_order_above_what_remains_is_refused_on_its_line() {
        let t = terms().check().unwrap();
        let p = ProductId(1);
        let ordered = BTreeMap::from([(p, 70)]);
        let ok = [OrderedLine {
            product_id: p,
            quantity: 30,
            given_price: None,
        }];
        assert!(check_against("HT-1", &t, &ordered, &ok).is_empty());
        let too_many = [
            OrderedLine {
                product_id: p,
                quantity: 31,
                given_price: Some(Money::yuan(79)),
            },
            OrderedLine {
                product_id: ProductId(2),
                quantity: 1,
                given_price: None,
            },
        ];
        let e = check_against("HT-1", &t, &ordered, &too_many);
        let got: Vec<(&str, &str)> = e
            .errors
            .iter()
            .map(|x| (x.field.as_str(), x.code))
            .collect();
        assert_eq!(
            got,
            [
                ("lines[0].unit_price", "not_contract_price"),
                ("lines[0].quantity", "above_contract"),
                ("lines[1].product_id", "not_in_contract"),
            ]
        );
        assert!(e.errors[1].message.contains("30 of 1 left"));
    }

    #[test]
    fn con_2_progress_shows_what_remains() {
        let t = terms().check().unwrap();
        let units = BTreeMap::from([(ProductId(1), (40, 25))]);
        let p = ContractProgress::new(
            &t,
            &units,
            Money::yuan(3200),
            Money::yuan(2000),
            Money::yuan(2000),
            Money::yuan(500),
        );
        assert_eq!(p.lines[0].remaining, 60);
        assert_eq!(p.remaining, Money::yuan(4800));
    }
}
