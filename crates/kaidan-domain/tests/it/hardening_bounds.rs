//! Issue 16 ("Hardening"), item 1: the quantities that reach the domain as
//! plain numbers (purchase order lines and receipts, stock counts, region
//! needs, proofs of delivery) are refused above `Quantity::MAX` with the
//! field named, and their sums neither overflow nor panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_domain::fulfilment::{DeliveryInput, ShippedLine, check_delivery};
use kaidan_domain::purchasing::{NewPurchaseOrder, OpenLine, ReceiptLineInput, check_receipt};
use kaidan_domain::stock_counts::{CountLineInput, validate_input};
use kaidan_domain::transfers::{RegionNeed, check_region_needs};
use kaidan_domain::{Money, ProductId, Quantity, ValidationErrors};
use serde_json::json;

fn above() -> i64 {
    Quantity::MAX.get() + 1
}

/// The (field, code) pairs of a refusal.
fn fields(e: ValidationErrors) -> Vec<(String, &'static str)> {
    e.errors.into_iter().map(|f| (f.field, f.code)).collect()
}

#[test]
fn hardening_1_a_purchase_order_line_above_max_is_refused() {
    let po: NewPurchaseOrder = serde_json::from_value(json!({
        "supplier": "厂家", "expected_arrival": "2030-01-01",
        "lines": [{"product_id": 1, "quantity": Quantity::MAX.get()}, {"product_id": 2, "quantity": above()}]
    }))
    .unwrap();
    let e = po.validate("2026-01-01".parse().unwrap()).unwrap_err();
    assert_eq!(fields(e), [("lines[1].quantity".to_string(), "too_large")]);
}

#[test]
fn hardening_1_a_purchase_receipt_neither_overflows_nor_passes_max() {
    let lines = [OpenLine {
        line_no: 1,
        ordered: Quantity::MAX.get(),
        received: 0,
    }];
    // Two halves of i64::MAX on one line: the sum would overflow.
    let half = i64::MAX / 2 + 1;
    let receipt = [
        ReceiptLineInput {
            line_no: 1,
            quantity: half,
        },
        ReceiptLineInput {
            line_no: 1,
            quantity: half,
        },
    ];
    let e = check_receipt(&lines, &receipt).unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("lines[0].quantity".to_string(), "too_large"),
            ("lines[1].quantity".to_string(), "too_large")
        ]
    );
    let receipt = [
        ReceiptLineInput {
            line_no: 1,
            quantity: Quantity::MAX.get(),
        },
        ReceiptLineInput {
            line_no: 1,
            quantity: Quantity::MAX.get(),
        },
    ];
    let e = check_receipt(&lines, &receipt).unwrap_err();
    assert_eq!(
        fields(e),
        [("lines[1].quantity".to_string(), "over_receipt")]
    );
}

#[test]
fn hardening_1_a_count_and_a_region_need_above_max_are_refused() {
    let count = [CountLineInput {
        product_id: ProductId(1),
        counted: above(),
        cause: None,
        note: None,
    }];
    let e = validate_input(&count).unwrap_err();
    assert_eq!(fields(e), [("lines[0].counted".to_string(), "too_large")]);
    let needs = [
        RegionNeed {
            product_id: ProductId(1),
            quantity: Quantity::MAX.get(),
        },
        RegionNeed {
            product_id: ProductId(2),
            quantity: i64::MAX,
        },
    ];
    let e = check_region_needs(&needs).unwrap_err();
    assert_eq!(fields(e), [("[1].quantity".to_string(), "too_large")]);
}

#[test]
fn hardening_1_accepted_plus_refused_cannot_overflow() {
    let shipped = [ShippedLine {
        line_no: 1,
        product_id: ProductId(1),
        quantity: 2,
        unit_price: Money::yuan(1),
    }];
    let input: DeliveryInput = serde_json::from_value(json!({
        "signed_by": "王",
        "lines": [{"line_no": 1, "accepted": i64::MAX, "refused": i64::MAX, "reason": "x", "disposition": "restock"}]
    }))
    .unwrap();
    let e = check_delivery(&shipped, &input).unwrap_err();
    assert!(
        e.errors.iter().any(|f| f.code == "does_not_add_up"),
        "{e:?}"
    );
}
