//! ORD-5: order numbers from a configurable pattern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::date;
use kaidan_domain::orders::{NumberingError, OrderNumberPattern, PatternError};
use proptest::prelude::*;

#[test]
fn ord_5_default_pattern_formats_and_parses_back() {
    let p = OrderNumberPattern::default();
    assert_eq!(p.as_str(), "SO-{YYYYMMDD}-{SEQ:6}");
    let n = p.format(date(2026, 11, 22), 123).unwrap();
    assert_eq!(n.to_string(), "SO-20261122-000123");
    let back = p.parse("SO-20261122-000123").unwrap();
    assert_eq!(back.date, Some(date(2026, 11, 22)));
    assert_eq!(back.seq, 123);
    assert_eq!(p.counter_key(date(2026, 11, 22)), "SO-20261122-");
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"SO-20261122-000123\"");
}

#[test]
fn ord_5_numbers_that_do_not_fit_are_not_parsed() {
    let p = OrderNumberPattern::default();
    for bad in [
        "SO-20261122-00012",
        "SO-20261122-0001234",
        "PO-20261122-000123",
        "SO-20261322-000123",
        "SO-20261122-000000",
        "SO-2026112x-000123",
        "",
    ] {
        assert_eq!(p.parse(bad), None, "{bad}");
    }
}

#[test]
fn ord_5_sequence_overflow_is_an_error_never_a_reused_number() {
    let p: OrderNumberPattern = "D{YYMMDD}{SEQ:3}".parse().unwrap();
    assert_eq!(p.format(date(2026, 1, 5), 999).unwrap().0, "D260105999");
    assert_eq!(
        p.format(date(2026, 1, 5), 1000),
        Err(NumberingError::SeqOverflow {
            seq: 1000,
            digits: 3
        })
    );
    assert_eq!(p.format(date(2026, 1, 5), 0), Err(NumberingError::SeqZero));
    let back = p.parse("D260105999").unwrap();
    assert_eq!(back.date, Some(date(2026, 1, 5)));
}

#[test]
fn ord_5_other_patterns() {
    let p: OrderNumberPattern = "KD/{YYYY}/{MM}/{SEQ:8}".parse().unwrap();
    let n = p.format(date(2026, 3, 9), 42).unwrap();
    assert_eq!(n.0, "KD/2026/03/00000042");
    let back = p.parse(&n.0).unwrap();
    assert_eq!((back.date, back.seq), (None, 42)); // no day in the pattern
    assert_eq!(p.counter_key(date(2026, 3, 31)), "KD/2026/03/");
    let plain: OrderNumberPattern = "SO{SEQ:10}".parse().unwrap();
    assert_eq!(plain.counter_key(date(2026, 3, 9)), "SO");
}

#[test]
fn ord_5_bad_patterns_are_refused_with_the_reason() {
    let cases: &[(&str, PatternError)] = &[
        ("", PatternError::Empty),
        ("SO-{YYYYMMDD}", PatternError::SeqCount),
        ("{SEQ:3}-{SEQ:4}", PatternError::SeqCount),
        ("SO-{YYYY", PatternError::Unclosed(3)),
        ("SO-{HH}-{SEQ:4}", PatternError::UnknownToken("HH".into())),
        ("SO-{SEQ:0}", PatternError::BadSeqWidth),
        ("SO-{SEQ:13}", PatternError::BadSeqWidth),
        ("SO-{SEQ:x}", PatternError::BadSeqWidth),
        ("SO {SEQ:4}", PatternError::BadChar(' ')),
        ("订单{SEQ:4}", PatternError::BadChar('订')),
    ];
    for (text, expected) in cases {
        assert_eq!(
            text.parse::<OrderNumberPattern>().as_ref(),
            Err(expected),
            "{text}"
        );
    }
    let long = format!("{}{{SEQ:12}}", "X".repeat(60));
    assert_eq!(
        long.parse::<OrderNumberPattern>(),
        Err(PatternError::TooLong)
    );
    // Serde refuses a bad pattern in settings.
    assert!(serde_json::from_str::<OrderNumberPattern>("\"SO-{SEQ:4\"").is_err());
    let ok: OrderNumberPattern = serde_json::from_str("\"SO-{YYMMDD}-{SEQ:4}\"").unwrap();
    assert_eq!(
        serde_json::to_string(&ok).unwrap(),
        "\"SO-{YYMMDD}-{SEQ:4}\""
    );
}

proptest! {
    /// Every counter value on every date formats to a number that parses
    /// back to the same date and counter; different counters never collide.
    #[test]
    fn ord_5_format_parse_round_trip(days in 0i32..20_000, seq in 1u64..1_000_000, other in 1u64..1_000_000) {
        let p = OrderNumberPattern::default();
        let d = date(2000, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
        let n = p.format(d, seq).unwrap();
        let back = p.parse(&n.0).unwrap();
        prop_assert_eq!(back.date, Some(d));
        prop_assert_eq!(back.seq, seq);
        if other != seq {
            prop_assert_ne!(p.format(d, other).unwrap(), n);
        }
    }
}
