//! FIN-5: funds and credit accounts as a ledger.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_domain::orders::{AccountBalance, AccountEntry, AccountError, EntryKind};
use kaidan_domain::{Money, OrderId};
use proptest::prelude::*;

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn e(kind: EntryKind, amount: &str, order: Option<i64>) -> AccountEntry {
    AccountEntry::new(kind, m(amount), order.map(OrderId))
}

#[test]
fn alc_2_pur_2_money_for_waiting_lines_does_not_count_their_own_commitment() {
    // Limit 1,000, paid 300; an order of 800 (committed) of which 500 is
    // still backordered and 300 reserved.
    let b = AccountBalance::from_entries(&[
        e(EntryKind::CreditLimit, "1000", None),
        e(EntryKind::Deposit, "300", None),
        e(EntryKind::Commitment, "800", Some(1)),
    ]);
    // The reserved 300 take the funds; the waiting 500 still have the
    // credit: 0 funds + 1,000 credit.
    assert_eq!(b.committed_besides(m("500")), (m("300"), m("0")));
    assert_eq!(b.available_for_waiting(m("500")), m("1000"));
    // Everything waiting: the 300 paid are there for it, and the credit.
    assert_eq!(b.available_for_waiting(m("800")), m("1300"));
    // The account page's figure counts the commitment: 500 left.
    assert_eq!(b.total_available, m("500"));
}

#[test]
fn fin_5_hand_computed_ledger() {
    let entries = [
        e(EntryKind::CreditLimit, "5000", None),
        e(EntryKind::Deposit, "3000", None),
        // Reserve 4000 for order 1: 3000 from funds, 1000 from credit.
        e(EntryKind::Commitment, "4000", Some(1)),
    ];
    let b = AccountBalance::from_entries(&entries);
    assert_eq!(b.funds, m("3000"));
    assert_eq!(b.committed, m("4000"));
    assert_eq!(b.available_funds, Money::ZERO);
    assert_eq!(b.available_credit, m("4000")); // 5000 − 0 used − 1000 beyond funds
    assert_eq!(b.total_available, m("4000"));

    // Ship 3500 of order 1: funds pay 3000, credit 500; 500 stays committed.
    let mut b2 = b.clone();
    b2.apply(&e(EntryKind::Charge, "3500", Some(1)));
    assert_eq!(b2.funds, Money::ZERO);
    assert_eq!(b2.credit_used, m("500"));
    assert_eq!(b2.committed_for(Some(OrderId(1))), m("500"));
    assert_eq!(b2.available_credit, m("4000")); // 5000 − 500 − 500
    // A payment of 1000 repays the 500 of credit first.
    b2.apply(&e(EntryKind::Deposit, "1000", None));
    assert_eq!(b2.credit_used, Money::ZERO);
    assert_eq!(b2.funds, m("500"));
    assert_eq!(b2.available_funds, Money::ZERO);
    assert_eq!(b2.total_available, m("5000"));
    // Release the rest: the commitment disappears.
    b2.apply(&e(EntryKind::Release, "500", Some(1)));
    assert!(b2.commitments.is_empty());
    assert_eq!(b2.total_available, m("5500"));
}

#[test]
fn fin_5_post_refuses_what_the_account_cannot_carry() {
    let mut b = AccountBalance::default();
    b.post(&e(EntryKind::CreditLimit, "1000", None)).unwrap();
    b.post(&e(EntryKind::Deposit, "500", None)).unwrap();
    assert_eq!(
        b.post(&e(EntryKind::Commitment, "1500.01", Some(1))),
        Err(AccountError::InsufficientAvailable {
            needed: m("1500.01"),
            available: m("1500")
        })
    );
    b.post(&e(EntryKind::Commitment, "1500", Some(1))).unwrap();
    assert!(matches!(
        b.post(&e(EntryKind::Release, "10", Some(2))),
        Err(AccountError::ReleaseExceedsCommitment { .. })
    ));
    assert!(matches!(
        b.post(&e(EntryKind::Deposit, "-5", None)),
        Err(AccountError::Invalid(_))
    ));
    let no_reason = e(EntryKind::Adjustment, "-20", None);
    let err = no_reason.validate().unwrap_err();
    assert_eq!(err.errors[0].field, "note");
    let mut with_reason = no_reason;
    with_reason.note = Some("对账差异".into());
    b.post(&with_reason).unwrap();
    assert_eq!(b.funds, m("480"));
}

#[test]
fn fin_5_entries_serialize_flat() {
    let entry = e(EntryKind::Charge, "12.5", Some(9));
    let json = serde_json::to_string(&entry).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"charge","amount":"12.5","order_id":9,"note":null}"#
    );
    let back: AccountEntry = serde_json::from_str(&json).unwrap();
    assert_eq!(back, entry);
}

fn entry() -> impl Strategy<Value = AccountEntry> {
    let amount = 1i64..50_000_000; // up to 5 000 yuan in 1/10,000
    let order = proptest::option::of(1i64..4);
    prop_oneof![
        amount.clone().prop_map(|a| AccountEntry::new(
            EntryKind::Deposit,
            Money::from_units(a),
            None
        )),
        (amount.clone(), order.clone()).prop_map(|(a, o)| AccountEntry::new(
            EntryKind::Commitment,
            Money::from_units(a),
            o.map(OrderId)
        )),
        (amount.clone(), order.clone()).prop_map(|(a, o)| AccountEntry::new(
            EntryKind::Release,
            Money::from_units(a),
            o.map(OrderId)
        )),
        (amount.clone(), order).prop_map(|(a, o)| AccountEntry::new(
            EntryKind::Charge,
            Money::from_units(a),
            o.map(OrderId)
        )),
        (-50_000_000i64..50_000_000)
            .prop_filter("non-zero", |a| *a != 0)
            .prop_map(|a| AccountEntry::new(EntryKind::Adjustment, Money::from_units(a), None)),
        (0i64..100_000_000).prop_map(|a| AccountEntry::new(
            EntryKind::CreditLimit,
            Money::from_units(a),
            None
        )),
    ]
}

proptest! {
    #[test]
    fn fin_5_balance_is_the_fold_of_its_entries(entries in proptest::collection::vec(entry(), 0..60), split in 0usize..60) {
        let all = AccountBalance::from_entries(&entries);
        // Folding a prefix and then the rest gives the same balance.
        let cut = split.min(entries.len());
        let mut b = AccountBalance::from_entries(&entries[..cut]);
        for e in &entries[cut..] {
            b.apply(e);
        }
        prop_assert_eq!(&b, &all);
        // Net position = money in − money out, whatever the order of entries.
        let mut net = Money::ZERO;
        for e in &entries {
            match e.kind {
                EntryKind::Deposit | EntryKind::Adjustment => net += e.amount,
                EntryKind::Charge => net -= e.amount,
                _ => {}
            }
        }
        prop_assert_eq!(all.funds - all.credit_used, net);
        // Committed is the sum of the open commitments.
        prop_assert_eq!(all.committed, all.commitments.iter().map(|c| c.amount).sum::<Money>());
        // The last credit limit entry is the limit.
        let limit = entries.iter().rev().find(|e| e.kind == EntryKind::CreditLimit).map_or(Money::ZERO, |e| e.amount);
        prop_assert_eq!(all.credit_limit, limit);
    }

    #[test]
    fn fin_5_charges_never_make_funds_negative(entries in proptest::collection::vec(entry(), 0..60)) {
        let mut b = AccountBalance::default();
        for e in &entries {
            let before = b.clone();
            b.apply(e);
            prop_assert!(!b.funds.is_negative());
            prop_assert!(!b.credit_used.is_negative());
            prop_assert!(!b.committed.is_negative());
            if e.kind == EntryKind::Charge {
                // Funds pay first; only the rest goes to credit.
                let from_funds = e.amount.min(before.funds);
                prop_assert_eq!(b.funds, before.funds - from_funds);
                prop_assert_eq!(b.credit_used, before.credit_used + (e.amount - from_funds));
            }
        }
    }

    #[test]
    fn fin_5_available_never_exceeds_funds_plus_credit(entries in proptest::collection::vec(entry(), 0..60)) {
        let mut b = AccountBalance::default();
        for e in &entries {
            b.apply(e);
            prop_assert!(b.available_funds <= b.funds);
            prop_assert!(b.available_credit <= (b.credit_limit - b.credit_used).max(Money::ZERO));
            prop_assert!(b.total_available <= b.funds + b.credit_limit);
            prop_assert_eq!(b.total_available, b.available_funds + b.available_credit);
            prop_assert!(!b.available_funds.is_negative() && !b.available_credit.is_negative());
        }
    }

    /// Posting (with checks) never lets a commitment take more than the
    /// funds and credit left: if commitments fit before, they fit after.
    #[test]
    fn fin_5_posted_commitments_stay_within_funds_and_credit(entries in proptest::collection::vec(entry(), 0..60)) {
        let fits = |b: &AccountBalance| {
            b.committed <= b.funds + (b.credit_limit - b.credit_used).max(Money::ZERO)
        };
        let mut b = AccountBalance::default();
        for mut e in entries {
            if e.kind == EntryKind::Adjustment {
                e.note = Some("test".into());
            }
            let fitted = fits(&b);
            let available = b.total_available;
            let posted = b.post(&e).is_ok();
            if e.kind == EntryKind::Commitment {
                prop_assert_eq!(posted, e.order_id.is_some() && e.amount <= available);
                if fitted {
                    prop_assert!(fits(&b));
                }
            }
        }
    }
}
