//! CHG-1..3: change requests, impact, versions and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::order_support;

use jiff::Timestamp;
use jiff::civil::date;
use kaidan_domain::orders::changes::Change;
use kaidan_domain::orders::{
    ChangeKind, ChangeOutcome, ChangeRequest, Department, ImpactInput, LineProgress, OrderVersion,
    PricedOrder, StockFact, apply_change, assess_impact, describe, diff_versions,
};
use kaidan_domain::{Money, ProductId, Quantity, UserId, ValidationErrors};
use order_support::*;

fn q(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

fn request(changes: Vec<Change>) -> ChangeRequest {
    ChangeRequest {
        cause: Default::default(),
        reason: "客户门店调整".into(),
        changes,
    }
}

fn progress(line_no: u32, shipped: i64, invoiced: i64) -> LineProgress {
    LineProgress {
        line_no,
        shipped: q(shipped),
        invoiced: q(invoiced),
    }
}

fn set_quantity(line_no: u32, quantity: i64) -> Change {
    Change::Quantity { line_no, quantity }
}

fn set_product(line_no: u32, product: i64) -> Change {
    Change::Product {
        line_no,
        product_id: ProductId(product),
    }
}

fn set_date(requested_delivery_date: Option<jiff::civil::Date>) -> Change {
    Change::Date {
        requested_delivery_date,
    }
}

fn set_address(delivery_address: &str) -> Change {
    Change::Address {
        delivery_address: delivery_address.into(),
    }
}

fn cancel_line(line_no: u32) -> Change {
    Change::Cancellation {
        line_no: Some(line_no),
    }
}

/// Applies a request of `changes` (with the usual reason) to `o`.
fn apply(
    o: &PricedOrder,
    changes: Vec<Change>,
    p: &[LineProgress],
) -> Result<PricedOrder, ValidationErrors> {
    match apply_change(o, &request(changes), p, &book(), TODAY)? {
        ChangeOutcome::NewVersion { order } => Ok(*order),
        ChangeOutcome::CancelOrder => panic!("unexpected cancellation"),
    }
}

fn codes(err: &ValidationErrors) -> Vec<(&str, &str)> {
    err.errors
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect()
}

#[test]
fn chg_1_request_needs_reason_and_content() {
    let r = ChangeRequest {
        cause: Default::default(),
        reason: "  ".into(),
        changes: vec![],
    };
    assert_eq!(
        codes(&r.validate().unwrap_err()),
        [("reason", "required"), ("changes", "required")]
    );
    let r = request(vec![
        Change::Cancellation { line_no: None },
        set_quantity(1, 0),
        set_address(""),
    ]);
    assert_eq!(
        codes(&r.validate().unwrap_err()),
        [
            ("changes", "conflict"),
            ("changes[1].quantity", "not_positive"),
            ("changes[2].delivery_address", "required")
        ]
    );
    assert_eq!(
        r.kinds(),
        [
            ChangeKind::Quantity,
            ChangeKind::Address,
            ChangeKind::Cancellation
        ]
    );
}

#[test]
fn chg_1_request_reads_from_json() {
    let json = r#"{"reason":"门店装修延期","changes":[
        {"kind":"quantity","line_no":1,"quantity":8},
        {"kind":"date","requested_delivery_date":"2026-12-01"},
        {"kind":"cancellation"}]}"#;
    let r: ChangeRequest = serde_json::from_str(json).unwrap();
    assert_eq!(r.changes[0], set_quantity(1, 8));
    assert!(r.cancels_order());
    assert!(
        serde_json::from_str::<ChangeRequest>(&json.replace("\"line_no\":1", "\"line\":1"))
            .is_err()
    );
}

#[test]
fn chg_2_quantity_change_makes_a_new_version_with_a_line_level_diff() {
    let v1 = OrderVersion::first(priced(), UserId(2), Timestamp::UNIX_EPOCH);
    let after = apply(&v1.snapshot, vec![set_quantity(1, 8)], &[]).unwrap();
    // 8 × 89 = 712.00, tax 712 × 13/113 = 81.91; total 712 + 840 = 1552.00.
    assert_eq!(after.lines[0].amount, m("712"));
    assert_eq!(after.lines[0].tax, m("81.91"));
    assert_eq!(after.totals.amount, m("1552"));
    let v2 = v1.next(
        after,
        "客户门店调整".into(),
        UserId(2),
        Timestamp::UNIX_EPOCH,
    );
    assert_eq!(v2.version, 2);
    assert_eq!(v2.reason.as_deref(), Some("客户门店调整"));
    let d = diff_versions(&v1.snapshot, &v2.snapshot);
    let text: Vec<String> = d.iter().map(describe).collect();
    assert!(
        text.contains(&"lines[product_id=1].quantity: 10 → 8".to_string()),
        "{text:#?}"
    );
    assert!(
        text.contains(&"lines[product_id=1].amount: 890 → 712".to_string()),
        "{text:#?}"
    );
    assert!(
        text.contains(&"totals.amount: 1730 → 1552".to_string()),
        "{text:#?}"
    );
    assert!(
        d.iter()
            .all(|c| !c.field.starts_with("lines[product_id=2]"))
    );
}

#[test]
fn chg_2_product_change_is_priced_from_the_price_list() {
    let mut i = input();
    i.lines[1].unit_price = None;
    i.lines.truncate(1);
    let o = kaidan_domain::orders::price_order(&i.validate(TODAY).unwrap(), &book(), &defaults())
        .unwrap();
    let after = apply(&o, vec![set_product(1, 2)], &[]).unwrap();
    assert_eq!(after.lines[0].product_id, ProductId(2));
    assert_eq!(after.lines[0].unit_price, m("299"));
    assert_eq!(after.lines[0].quantity, q(10));
    assert_eq!(after.totals.amount, m("2990"));
    let d = diff_versions(&o, &after);
    assert!(
        d.iter()
            .any(|c| c.field == "lines[product_id=1].sku" && c.after.is_none())
    );
    assert!(
        d.iter()
            .any(|c| c.field == "lines[product_id=2].sku" && c.before.is_none())
    );
    // An inactive product cannot come in.
    let err = apply(&o, vec![set_product(1, 3)], &[]).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].product_id", "inactive")]);
}

#[test]
fn chg_2_date_address_and_line_cancellation() {
    let o = priced();
    let after = apply(
        &o,
        vec![
            set_date(Some(date(2026, 12, 4))),
            set_address(" 深圳市南山区科技园 "),
            cancel_line(2),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(after.requested_delivery_date, Some(date(2026, 12, 4)));
    assert_eq!(after.delivery_address, "深圳市南山区科技园");
    assert_eq!(after.lines.len(), 1);
    assert_eq!(after.totals.amount, m("890"));
    let err = apply(&o, vec![cancel_line(1), cancel_line(2)], &[]).unwrap_err();
    assert_eq!(codes(&err), [("changes", "no_lines_left")]);
    let err = apply(&o, vec![set_date(Some(date(2026, 11, 1)))], &[]).unwrap_err();
    assert_eq!(
        codes(&err),
        [("changes[0].requested_delivery_date", "before_order_date")]
    );
}

#[test]
fn chg_3_shipped_quantity_cannot_be_reduced() {
    let o = priced();
    let err = apply(&o, vec![set_quantity(1, 5)], &[progress(1, 6, 0)]).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].quantity", "already_shipped")]);
    assert!(err.errors[0].message.contains("6 already shipped"), "{err}");
    // Down to exactly the shipped quantity is fine, and so is an increase.
    assert!(apply(&o, vec![set_quantity(1, 6)], &[progress(1, 6, 0)]).is_ok());
    assert!(apply(&o, vec![set_quantity(1, 12)], &[progress(1, 6, 6)]).is_ok());
}

#[test]
fn chg_3_invoiced_quantity_cannot_be_reduced() {
    let err = apply(&priced(), vec![set_quantity(2, 1)], &[progress(2, 0, 2)]).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].quantity", "already_invoiced")]);
}

#[test]
fn chg_3_product_of_a_shipped_line_cannot_change() {
    let err = apply(&priced(), vec![set_product(1, 2)], &[progress(1, 1, 0)]).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].product_id", "already_shipped")]);
}

#[test]
fn chg_3_cancellation_of_shipped_work_is_refused_with_the_reason() {
    let o = priced();
    let all = request(vec![Change::Cancellation { line_no: None }]);
    assert_eq!(
        apply_change(&o, &all, &[], &book(), TODAY).unwrap(),
        ChangeOutcome::CancelOrder
    );
    let err = apply_change(&o, &all, &[progress(2, 0, 3)], &book(), TODAY).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].kind", "already_shipped")]);
    assert!(err.errors[0].message.contains("[2]"), "{err}");
    let err = apply(&o, vec![cancel_line(1)], &[progress(1, 4, 0)]).unwrap_err();
    assert_eq!(codes(&err), [("changes[0].line_no", "already_shipped")]);
    // Everything shipped: the address and date are history.
    let done = [progress(1, 10, 0), progress(2, 3, 0)];
    let err = apply(&o, vec![set_address("上海")], &done).unwrap_err();
    assert_eq!(
        codes(&err),
        [("changes[0].delivery_address", "already_shipped")]
    );
}

#[test]
fn chg_3_all_refusals_are_reported_together() {
    let err = apply(
        &priced(),
        vec![set_quantity(1, 1), set_quantity(9, 1), set_product(2, 1)],
        &[progress(1, 2, 0)],
    )
    .unwrap_err();
    assert_eq!(
        codes(&err),
        [
            ("changes[0].quantity", "already_shipped"),
            ("changes[1].line_no", "no_such_line"),
            ("changes[2].product_id", "duplicate"),
        ]
    );
}

#[test]
fn chg_2_impact_on_stock_credit_and_dates() {
    let before = priced();
    let after = apply(
        &before,
        vec![set_quantity(1, 25), set_date(Some(date(2026, 11, 23)))],
        &[],
    )
    .unwrap();
    let input = ImpactInput {
        stock: vec![StockFact {
            product_id: ProductId(1),
            available: q(9),
        }],
        credit_available: m("1000"),
        earliest_ship_date: date(2026, 11, 24),
    };
    let a = assess_impact(&before, &after, &input);
    // 15 more T恤 wanted, 9 available: 6 short. 15 × 89 = 1335 more > 1000.
    assert_eq!(a.stock.len(), 1);
    assert_eq!((a.stock[0].extra_needed, a.stock[0].short), (q(15), q(6)));
    assert!(!a.stock_ok);
    assert_eq!(a.amount_delta, m("1335"));
    assert!(!a.credit_ok);
    assert!(!a.date_ok);
    assert!(!a.feasible());
    assert_eq!(
        a.departments,
        [
            Department::Finance,
            Department::Warehouse,
            Department::Logistics
        ]
    );

    // An address change concerns only logistics and is feasible.
    let moved = apply(&before, vec![set_address("北京")], &[]).unwrap();
    let a = assess_impact(&before, &moved, &input);
    assert!(a.feasible());
    assert_eq!(a.amount_delta, Money::ZERO);
    assert_eq!(a.departments, [Department::Logistics]);
}
