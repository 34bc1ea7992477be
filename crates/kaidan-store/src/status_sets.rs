//! The domain's named status sets (awaiting goods, committed on a pick
//! list, in transit, ...) written into SQL text. The rule is named once, in
//! the domain; the store only spells it. The states go into the text as
//! literals rather than bound parameters because the planners need to see
//! them: a partial index (`WHERE status = 'open'`) is only used when the
//! query's predicate names the same literal.
//!
//! Only the `as_str` texts of the domain's enumerations are ever written
//! this way, and a test checks that each is a plain lowercase word.

use std::fmt::Write as _;
use std::sync::LazyLock;

use kaidan_domain::allocation::LockStatus;
use kaidan_domain::fulfilment::PickListStatus;
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::purchasing::{PurchaseStatus, ReplenishmentStatus, ShortageChoice};
use kaidan_domain::transfers::TransferStatus;

/// `'a', 'b'`: the texts of a set, for `IN (…)`.
fn texts<T: Copy>(set: &[T], text: fn(T) -> &'static str) -> String {
    let mut s = String::new();
    for (i, v) in set.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        // Writing into a String cannot fail.
        let _ = write!(s, "'{}'", text(*v));
    }
    s
}

/// `'a'`: one state's text.
pub(crate) fn text(s: &'static str) -> String {
    format!("'{s}'")
}

/// Approved orders that still wait for goods ([`OrderStatus::AWAITING_GOODS`]).
pub(crate) static ORDER_AWAITING_GOODS: LazyLock<String> =
    LazyLock::new(|| texts(OrderStatus::AWAITING_GOODS, OrderStatus::as_str));

/// Orders whose review is open ([`OrderStatus::IN_REVIEW`]).
pub(crate) static ORDER_IN_REVIEW: LazyLock<String> =
    LazyLock::new(|| texts(&OrderStatus::IN_REVIEW, OrderStatus::as_str));

/// Orders that count towards a franchisee's cumulative ordered quantity
/// ([`OrderStatus::ORDERED`], ALC-3).
pub(crate) static ORDER_ORDERED: LazyLock<String> =
    LazyLock::new(|| texts(OrderStatus::ORDERED, OrderStatus::as_str));

/// Pick lists holding goods of their lines ([`PickListStatus::COMMITTED`]).
pub(crate) static PICK_LIST_COMMITTED: LazyLock<String> =
    LazyLock::new(|| texts(PickListStatus::COMMITTED, PickListStatus::as_str));

/// The quantity a pick list `pl` holds of its line `pll`: listed while
/// open, found once picked.
pub(crate) static PICK_LIST_HELD_QUANTITY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "CASE WHEN pl.status = {} THEN pll.quantity ELSE pll.picked END",
        text(PickListStatus::LISTED.as_str())
    )
});

/// Transfers whose goods are on their way ([`TransferStatus::IN_TRANSIT`]).
pub(crate) static TRANSFER_IN_TRANSIT: LazyLock<String> =
    LazyLock::new(|| texts(TransferStatus::IN_TRANSIT, TransferStatus::as_str));

/// Replenishment requests not filled yet ([`ReplenishmentStatus::UNFILLED`]).
pub(crate) static REPLENISHMENT_UNFILLED: LazyLock<String> =
    LazyLock::new(|| texts(ReplenishmentStatus::UNFILLED, ReplenishmentStatus::as_str));

/// An order line `l` whose customer waits for it complete (INV-2,
/// [`ShortageChoice::WAIT_COMPLETE`]): an unfilled request of the line
/// carries such a choice. Nothing of the line is picked meanwhile.
/// A one-answer set is spelled `choice = '…'`, which SQLite matches to the
/// partial index `replenishment_waiting` (migration 0014, whose predicate
/// is that one answer); `IN (…)` would walk every request of the line.
pub(crate) static LINE_WAITS_COMPLETE: LazyLock<String> = LazyLock::new(|| {
    let choice = match ShortageChoice::WAIT_COMPLETE {
        [one] => format!("rw.choice = '{}'", one.as_str()),
        many => format!("rw.choice IN ({})", texts(many, ShortageChoice::as_str)),
    };
    format!(
        "EXISTS (SELECT 1 FROM replenishment_requests rw \
         WHERE rw.order_id = l.order_id AND rw.line_no = l.line_no \
           AND rw.status IN ({}) AND {choice})",
        *REPLENISHMENT_UNFILLED,
    )
});

/// Purchase orders whose goods are still expected
/// ([`PurchaseStatus::AWAITING_ARRIVAL`]).
pub(crate) static PURCHASE_AWAITING_ARRIVAL: LazyLock<String> =
    LazyLock::new(|| texts(PurchaseStatus::AWAITING_ARRIVAL, PurchaseStatus::as_str));

/// A lock that still holds goods.
pub(crate) static LOCK_ACTIVE: LazyLock<String> =
    LazyLock::new(|| text(LockStatus::Active.as_str()));

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    }

    #[test]
    fn every_state_written_into_sql_is_a_plain_word() {
        let all: Vec<&str> = OrderStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(PickListStatus::ALL.iter().map(|s| s.as_str()))
            .chain(TransferStatus::ALL.iter().map(|s| s.as_str()))
            .chain(ReplenishmentStatus::ALL.iter().map(|s| s.as_str()))
            .chain(PurchaseStatus::ALL.iter().map(|s| s.as_str()))
            .chain(LockStatus::ALL.iter().map(|s| s.as_str()))
            .chain(ShortageChoice::ALL.iter().map(|s| s.as_str()))
            .collect();
        for s in all {
            assert!(plain(s), "{s:?} would not be a safe SQL literal");
        }
    }

    #[test]
    fn sets_are_spelled_as_the_sql_had_them() {
        assert_eq!(*ORDER_AWAITING_GOODS, "'approved', 'partly_shipped'");
        assert_eq!(
            *ORDER_ORDERED,
            "'approved', 'partly_shipped', 'shipped', 'delivered', 'closed'"
        );
        assert_eq!(*PICK_LIST_COMMITTED, "'open', 'picked'");
        assert_eq!(*TRANSFER_IN_TRANSIT, "'open', 'picked', 'shipped'");
        assert_eq!(*REPLENISHMENT_UNFILLED, "'open', 'ordered'");
        assert_eq!(
            *PURCHASE_AWAITING_ARRIVAL,
            "'sent', 'confirmed', 'partly_received'"
        );
        assert_eq!(*LOCK_ACTIVE, "'active'");
        // Migration 0014's partial index is of this one answer.
        assert!(LINE_WAITS_COMPLETE.ends_with("AND rw.choice = 'backorder')"));
        assert_eq!(
            *PICK_LIST_HELD_QUANTITY,
            "CASE WHEN pl.status = 'open' THEN pll.quantity ELSE pll.picked END"
        );
    }
}
