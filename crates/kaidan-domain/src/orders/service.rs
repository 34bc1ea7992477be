//! The order of service outside the allocation run (ORD-8, INV-2, PUR-3):
//! which order gets arriving goods first, and whose work comes first.
//! Inside the allocation run ALLOCATION.md decides (docs/adr/0016).
//!
//! Two keys, because two different things are decided:
//!
//! - **Reserving scarce goods** (backorders filled when goods arrive): the
//!   commitment to the customer decides, so the *promised date* comes
//!   first, then important orders (ORD-8), then the earlier receipt, then
//!   the order id. [`FillKey`]; the store spells the same key in SQL.
//! - **Handling work** whose goods are already held (the shipping plan and
//!   pick lists) and the deadline watch list: important orders are handled
//!   first (ORD-8), then the earlier deadline, then the earlier receipt,
//!   then the order id. [`WorkKey`].

use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::OrderId;

/// The date an order is promised for: the delivery date the customer asked
/// for when there is one, otherwise the local date of its ship deadline.
pub fn promised_date(requested: Option<Date>, ship_due_at: Timestamp, tz: &TimeZone) -> Date {
    requested.unwrap_or_else(|| ship_due_at.to_zoned(tz.clone()).date())
}

/// Who is served first when arriving goods fill backorders: the smaller
/// key. Promised date, then important before normal, then received
/// earlier, then the smaller order id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillKey {
    pub promised: Date,
    pub important: bool,
    pub received_at: Timestamp,
    pub order: OrderId,
}

impl Ord for FillKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.promised
            .cmp(&other.promised)
            .then(other.important.cmp(&self.important))
            .then(self.received_at.cmp(&other.received_at))
            .then(self.order.cmp(&other.order))
    }
}

impl PartialOrd for FillKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whose work comes first (picking, the watch list): the smaller key.
/// Important before normal, then the earlier deadline, then received
/// earlier, then the smaller order id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkKey {
    pub important: bool,
    pub due_at: Timestamp,
    pub received_at: Timestamp,
    pub order: OrderId,
}

impl Ord for WorkKey {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .important
            .cmp(&self.important)
            .then(self.due_at.cmp(&other.due_at))
            .then(self.received_at.cmp(&other.received_at))
            .then(self.order.cmp(&other.order))
    }
}

impl PartialOrd for WorkKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ord_8_inv_2_fill_key_is_promise_then_priority_then_receipt_then_id() {
        let base = FillKey {
            promised: date(2026, 12, 10),
            important: false,
            received_at: at("2026-12-01T02:00:00Z"),
            order: OrderId(5),
        };
        let earlier_promise = FillKey {
            promised: date(2026, 12, 9),
            received_at: at("2026-12-02T02:00:00Z"),
            order: OrderId(9),
            ..base
        };
        let important = FillKey {
            important: true,
            received_at: at("2026-12-02T02:00:00Z"),
            order: OrderId(9),
            ..base
        };
        let received_earlier = FillKey {
            received_at: at("2026-11-30T02:00:00Z"),
            order: OrderId(9),
            ..base
        };
        let smaller_id = FillKey {
            order: OrderId(4),
            ..base
        };
        let mut keys = vec![
            base,
            smaller_id,
            received_earlier,
            important,
            earlier_promise,
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                earlier_promise,
                important,
                received_earlier,
                smaller_id,
                base
            ]
        );
    }

    #[test]
    fn ord_8_work_key_puts_important_orders_first_then_the_deadline() {
        let normal_due_first = WorkKey {
            important: false,
            due_at: at("2026-12-03T15:59:59Z"),
            received_at: at("2026-11-30T02:00:00Z"),
            order: OrderId(1),
        };
        let important_due_later = WorkKey {
            important: true,
            due_at: at("2026-12-05T15:59:59Z"),
            received_at: at("2026-12-02T02:00:00Z"),
            order: OrderId(2),
        };
        let normal_due_later = WorkKey {
            important: false,
            ..important_due_later
        };
        let mut keys = vec![normal_due_later, normal_due_first, important_due_later];
        keys.sort();
        assert_eq!(
            keys,
            vec![important_due_later, normal_due_first, normal_due_later]
        );
    }

    #[test]
    fn inv_2_promised_date_is_the_requested_date_else_the_ship_deadline_date() {
        let tz = TimeZone::fixed(jiff::tz::offset(8));
        // 23:59:59 on 2026-12-04 in UTC+8.
        let ship_due = at("2026-12-04T15:59:59Z");
        assert_eq!(promised_date(None, ship_due, &tz), date(2026, 12, 4));
        assert_eq!(
            promised_date(Some(date(2026, 12, 20)), ship_due, &tz),
            date(2026, 12, 20)
        );
    }
}
