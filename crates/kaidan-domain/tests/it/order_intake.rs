//! ORD-1, ORD-2, ORD-3: intake channels, validation and duplicates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::order_support;

use jiff::civil::date;
use kaidan_domain::OrderId;
use kaidan_domain::orders::{Channel, DuplicateReason, find_duplicates};
use order_support::*;

fn fields(err: &kaidan_domain::ValidationErrors) -> Vec<(&str, &str)> {
    err.errors
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect()
}

#[test]
fn ord_1_every_channel_round_trips() {
    for c in Channel::ALL {
        assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        assert!(!c.label_zh().is_empty());
    }
    assert_eq!(Channel::ALL.len(), 7);
    assert_eq!(
        serde_json::to_string(&Channel::ECommerce).unwrap(),
        "\"e_commerce\""
    );
    assert!("telex".parse::<Channel>().is_err());
}

#[test]
fn ord_2_valid_input_is_trimmed_and_numbered() {
    let mut i = input();
    i.notes = Some("  请周五前送到  ".into());
    i.contact_name = Some("   ".into());
    let v = i.validate(TODAY).unwrap();
    assert_eq!(v.notes.as_deref(), Some("请周五前送到"));
    assert_eq!(v.contact_name, None);
    assert_eq!(
        v.lines.iter().map(|l| l.line_no).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(v.lines[0].quantity.get(), 10);
}

#[test]
fn ord_3_every_bad_field_is_reported_at_once() {
    let mut i = input();
    i.order_date = date(2026, 11, 21); // tomorrow
    i.requested_delivery_date = Some(date(2026, 11, 1));
    i.contact_phone = Some("call me".into());
    i.lines = vec![line(1, 0, None), line(2, -5, Some("-1")), line(1, 3, None)];
    let err = i.validate(TODAY).unwrap_err();
    assert_eq!(
        fields(&err),
        [
            ("contact_phone", "invalid"),
            ("order_date", "in_future"),
            ("requested_delivery_date", "before_order_date"),
            ("lines[0].quantity", "not_positive"),
            ("lines[1].quantity", "not_positive"),
            ("lines[1].unit_price", "negative"),
            ("lines[2].product_id", "duplicate"),
        ]
    );
    assert!(err.errors[6].message.contains("lines[0]"), "{err}");
}

#[test]
fn ord_3_order_without_lines_is_rejected() {
    let mut i = input();
    i.lines.clear();
    let err = i.validate(TODAY).unwrap_err();
    assert_eq!(fields(&err), [("lines", "required")]);
}

#[test]
fn ord_3_duplicate_product_on_two_lines_is_an_error_not_merged() {
    let mut i = input();
    i.lines.push(line(2, 1, None));
    let err = i.validate(TODAY).unwrap_err();
    assert_eq!(fields(&err), [("lines[2].product_id", "duplicate")]);
}

#[test]
fn ord_3_delivery_date_in_the_past_or_before_order() {
    let mut i = input();
    i.order_date = date(2026, 11, 10);
    i.requested_delivery_date = Some(date(2026, 11, 15)); // after the order, before today
    assert_eq!(
        fields(&i.validate(TODAY).unwrap_err()),
        [("requested_delivery_date", "in_past")]
    );
    i.requested_delivery_date = Some(TODAY);
    assert!(i.validate(TODAY).is_ok());
}

#[test]
fn ord_3_too_long_texts_and_too_large_quantities() {
    let mut i = input();
    i.customer_reference = Some("x".repeat(65));
    i.delivery_address = Some("路".repeat(501));
    i.notes = Some("备".repeat(2001));
    i.lines[0].note = Some("n".repeat(501));
    i.lines[1].quantity = 1_000_000_001;
    assert_eq!(
        fields(&i.validate(TODAY).unwrap_err()),
        [
            ("customer_reference", "too_long"),
            ("delivery_address", "too_long"),
            ("notes", "too_long"),
            ("lines[0].note", "too_long"),
            ("lines[1].quantity", "too_large"),
        ]
    );
}

#[test]
fn ord_3_unknown_fields_and_missing_fields_are_refused_by_serde() {
    let ok = r#"{"customer_id":7,"channel":"web","order_date":"2026-11-20",
                 "lines":[{"product_id":1,"quantity":2}]}"#;
    let parsed: kaidan_domain::orders::OrderInput = serde_json::from_str(ok).unwrap();
    assert_eq!(parsed.channel, Channel::Web);
    assert!(parsed.validate(TODAY).is_ok());

    let typo = ok.replace("\"quantity\"", "\"qty\"");
    assert!(serde_json::from_str::<kaidan_domain::orders::OrderInput>(&typo).is_err());
    let extra = ok.replace("\"channel\"", "\"discount\":5,\"channel\"");
    let err = serde_json::from_str::<kaidan_domain::orders::OrderInput>(&extra).unwrap_err();
    assert!(err.to_string().contains("discount"), "{err}");
}

#[test]
fn ord_3_duplicates_by_reference_or_content() {
    let v = input().validate(TODAY).unwrap();
    let same_ref = v.fingerprint(OrderId(100));
    let mut other = input();
    other.customer_reference = Some("po-2026-118 ".into()); // case and spaces differ
    other.lines.reverse(); // same content in another order
    let other = other.validate(TODAY).unwrap();
    let mut same_content = other.fingerprint(OrderId(101));
    same_content.customer_reference = None;
    let mut other_customer = v.fingerprint(OrderId(102));
    other_customer.customer_id = kaidan_domain::CustomerId(8);
    let mut other_day = same_content.clone();
    other_day.order_id = OrderId(103);
    other_day.order_date = date(2026, 11, 19);

    let found = find_duplicates(&other, &[same_ref, same_content, other_customer, other_day]);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].order_id, OrderId(100));
    assert_eq!(found[0].reason, DuplicateReason::SameCustomerReference);
    assert_eq!(found[1].order_id, OrderId(101));
    assert_eq!(found[1].reason, DuplicateReason::SameContent);
    assert_eq!(
        kaidan_domain::orders::duplicate::content_key(&other),
        "1x10,2x3"
    );
}
