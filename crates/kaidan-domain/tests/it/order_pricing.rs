//! ORD-2, ORD-4: pricing, VAT-inclusive amounts, deviations and approvals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::order_support;

use jiff::Timestamp;
use kaidan_domain::orders::{
    PriceApproval, PriceApprovalError, PriceSource, line_amounts, price_order,
};
use kaidan_domain::{Money, Quantity, Role, TaxRate, UserId};
use order_support::*;
use proptest::prelude::*;

fn approval(role: Role, price: &str) -> PriceApproval {
    PriceApproval {
        approved_price: m(price),
        by: UserId(5),
        role,
        at: "2026-11-20T03:00:00Z".parse::<Timestamp>().unwrap(),
    }
}

#[test]
fn ord_2_hand_computed_vat_inclusive_order() {
    let o = priced();
    let l1 = &o.lines[0];
    // 10 × 89.00 = 890.00; tax 890 × 0.13 / 1.13 = 102.389… → 102.39.
    assert_eq!(l1.unit_price, m("89"));
    assert_eq!(l1.price_source, PriceSource::PriceList);
    assert_eq!(l1.reference_price, m("89"));
    assert!(!l1.deviates);
    assert_eq!(
        (l1.amount, l1.tax, l1.net),
        (m("890"), m("102.39"), m("787.61"))
    );
    // 3 × 280.00 = 840.00; tax 840 × 0.13 / 1.13 = 96.637… → 96.64.
    let l2 = &o.lines[1];
    assert_eq!(l2.price_source, PriceSource::Given);
    assert_eq!(l2.reference_price, m("299"));
    assert_eq!(l2.reference_source, PriceSource::ListPrice);
    assert!(l2.deviates);
    assert_eq!(
        (l2.amount, l2.tax, l2.net),
        (m("840"), m("96.64"), m("743.36"))
    );
    assert_eq!(o.totals.amount, m("1730"));
    assert_eq!(o.totals.tax, m("199.03"));
    assert_eq!(o.totals.net, m("1530.97"));
    assert_eq!(o.totals.quantity.get(), 13);
    assert_eq!(o.totals.lines, 2);
    assert_eq!(o.totals.amount.to_string(), "1730.00");
}

#[test]
fn ord_2_missing_terms_contact_and_address_come_from_the_customer() {
    let o = priced();
    let d = defaults();
    assert_eq!(o.payment_terms, d.payment_terms);
    assert_eq!(o.payment_method, d.payment_method);
    assert_eq!(o.contact_name, d.contact_name);
    assert_eq!(Some(o.delivery_address.clone()), d.address);

    let mut no_address = defaults();
    no_address.address = None;
    let err = price_order(&input().validate(TODAY).unwrap(), &book(), &no_address).unwrap_err();
    assert_eq!(err.errors[0].field, "delivery_address");
}

/// FIN-2 (ADR 0028): net-days terms take their number of days from the
/// customer, so an order may choose them only for a net-days customer.
#[test]
fn fin_2_an_order_chooses_net_days_only_for_a_net_days_customer() {
    use kaidan_domain::master::PaymentTerms;
    let mut i = input();
    i.payment_terms = Some(PaymentTerms::NetDays);
    let valid = i.validate(TODAY).unwrap();
    let err = price_order(&valid, &book(), &defaults()).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err:?}");
    assert_eq!(err.errors[0].field, "payment_terms");
    let mut net = defaults();
    net.payment_terms = PaymentTerms::NetDays;
    let o = price_order(&valid, &book(), &net).unwrap();
    assert_eq!(o.payment_terms, PaymentTerms::NetDays);
    // A net-days customer may still be asked for prepayment on one order.
    let mut i = input();
    i.payment_terms = Some(PaymentTerms::Prepayment);
    let o = price_order(&i.validate(TODAY).unwrap(), &book(), &net).unwrap();
    assert_eq!(o.payment_terms, PaymentTerms::Prepayment);
}

#[test]
fn ord_2_amounts_round_half_up_to_fen() {
    let all_tax = TaxRate::new(rust_decimal::Decimal::ONE).unwrap();
    // 0.05 at 100% VAT: tax 0.025 → 0.03, net 0.02.
    let a = line_amounts(m("0.05"), Quantity::new(1).unwrap(), all_tax).unwrap();
    assert_eq!((a.amount, a.tax, a.net), (m("0.05"), m("0.03"), m("0.02")));
    // 2 × 0.0125 = 0.025 → 0.03.
    let b = line_amounts(m("0.0125"), Quantity::new(2).unwrap(), vat13()).unwrap();
    assert_eq!(b.amount, m("0.03"));
    let zero = line_amounts(
        m("100"),
        Quantity::new(3).unwrap(),
        TaxRate::from_basis_points(0),
    )
    .unwrap();
    assert_eq!((zero.tax, zero.net), (Money::ZERO, m("300")));
}

#[test]
fn ord_3_unknown_and_inactive_products_are_line_errors() {
    let mut i = input();
    i.lines = vec![line(1, 1, None), line(99, 1, None), line(3, 2, None)];
    let err = price_order(&i.validate(TODAY).unwrap(), &book(), &defaults()).unwrap_err();
    let got: Vec<_> = err
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        got,
        [
            ("lines[1].product_id", "unknown"),
            ("lines[2].product_id", "inactive")
        ]
    );
}

#[test]
fn ord_4_price_deviation_needs_sales_manager() {
    let mut o = priced();
    assert_eq!(o.unapproved_deviations(), [2]);
    assert_eq!(
        o.approve_price(2, approval(Role::SalesRep, "280")),
        Err(PriceApprovalError::NotAllowed(Role::SalesRep))
    );
    assert_eq!(
        o.approve_price(1, approval(Role::SalesManager, "89")),
        Err(PriceApprovalError::NoDeviation(1))
    );
    assert!(matches!(
        o.approve_price(2, approval(Role::SalesManager, "270")),
        Err(PriceApprovalError::PriceMismatch { .. })
    ));
    assert_eq!(
        o.approve_price(9, approval(Role::SalesManager, "280")),
        Err(PriceApprovalError::NoSuchLine(9))
    );
    o.approve_price(2, approval(Role::SalesManager, "280"))
        .unwrap();
    assert!(o.unapproved_deviations().is_empty());

    // The approval is for one price: a later price change needs a new one.
    o.lines[1].unit_price = m("250");
    assert_eq!(o.unapproved_deviations(), [2]);
}

#[test]
fn ord_4_a_price_equal_to_the_reference_is_no_deviation() {
    let mut i = input();
    i.lines[1].unit_price = Some(m("299.00"));
    let o = price_order(&i.validate(TODAY).unwrap(), &book(), &defaults()).unwrap();
    assert_eq!(o.lines[1].price_source, PriceSource::Given);
    assert!(!o.lines[1].deviates);
    // A price above the list price deviates too: reps may not change prices.
    i.lines[1].unit_price = Some(m("320"));
    let o = price_order(&i.validate(TODAY).unwrap(), &book(), &defaults()).unwrap();
    assert!(o.lines[1].deviates);
}

#[test]
fn ord_2_priced_order_serializes_money_as_strings_and_round_trips() {
    let o = priced();
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["totals"]["amount"], "1730");
    assert_eq!(json["lines"][1]["price_source"], "given");
    let back: kaidan_domain::orders::PricedOrder = serde_json::from_value(json).unwrap();
    assert_eq!(back, o);
    // The order back as input prices to the same figures.
    let again = price_order(&o.to_input().validate(TODAY).unwrap(), &book(), &defaults()).unwrap();
    assert_eq!(again.totals, o.totals);
}

proptest! {
    /// Sum of line amounts = order amount; tax + net = amount, per line and
    /// in total; tax never exceeds the amount.
    #[test]
    fn ord_2_totals_add_up(
        lines in proptest::collection::vec((1i64..100_000, 0i64..10_000_000, 0i64..=1_700), 1..30)
    ) {
        let products: Vec<_> = lines.iter().enumerate().map(|(i, (_, _, bp))| {
            let mut p = product(i as i64 + 1, &format!("P{i}"), "货品", "1", true);
            p.tax_rate = TaxRate::from_basis_points(*bp);
            p
        }).collect();
        let book = kaidan_domain::orders::PriceBook::new(products, []);
        let mut i = input();
        i.lines = lines.iter().enumerate().map(|(n, (q, units, _))| {
            let mut l = line(n as i64 + 1, *q, None);
            l.unit_price = Some(Money::from_units(*units));
            l
        }).collect();
        let o = price_order(&i.validate(TODAY).unwrap(), &book, &defaults()).unwrap();
        let sum: Money = o.lines.iter().map(|l| l.amount).sum();
        prop_assert_eq!(sum, o.totals.amount);
        prop_assert_eq!(o.totals.tax + o.totals.net, o.totals.amount);
        for l in &o.lines {
            prop_assert_eq!(l.tax + l.net, l.amount);
            prop_assert!(l.tax <= l.amount && !l.tax.is_negative());
            prop_assert_eq!(l.amount, l.amount.round_to_fen());
            prop_assert_eq!(l.tax, l.tax.round_to_fen());
        }
    }
}
