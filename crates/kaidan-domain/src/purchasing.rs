//! Purchasing (采购, seed 003 §6.1–6.4; PUR-1..3, INV-2): purchase orders to
//! suppliers and their states, the supplier's two weeks to confirm, the
//! arrival plan (a funds notice 15 days and a receiving notice 7 days before
//! arrival), receipts against the ordered quantities, and the funds a
//! franchisee is asked to prepare. Pure rules: the use cases call them.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, OrderId, ProductId};

/// The supplier confirms a purchase order within two weeks (PUR-1).
pub const CONFIRM_DAYS: i64 = 14;
/// Channel business is told 15 days before arrival (PUR-2).
pub const FUNDS_NOTICE_DAYS: i64 = 15;
/// The central warehouse is told 7 days before arrival (PUR-2).
pub const RECEIVING_NOTICE_DAYS: i64 = 7;

string_enum!(
    /// Where a purchase order stands: sent → confirmed → partly_received →
    /// received; cancelled before any receipt.
    PurchaseStatus {
        Sent = "sent",
        Confirmed = "confirmed",
        PartlyReceived = "partly_received",
        Received = "received",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// What can be done to a purchase order.
    PurchaseAction {
        Confirm = "confirm",
        Receive = "receive",
        Cancel = "cancel",
    }
);

string_enum!(
    /// Where a replenishment request stands (INV-2): raised open at
    /// approval, ordered when a purchase order line covers it, closed when a
    /// receipt fills its backorder.
    ReplenishmentStatus {
        Open = "open",
        Ordered = "ordered",
        Closed = "closed",
    }
);

impl ReplenishmentStatus {
    /// Requests whose backorder is not filled yet: open, or ordered from a
    /// supplier. A receipt that fills the backorder closes them.
    pub const UNFILLED: &'static [ReplenishmentStatus] =
        &[ReplenishmentStatus::Open, ReplenishmentStatus::Ordered];
}

string_enum!(
    /// What the customer wants done about a shortage (INV-2, ADR 0019). It
    /// is one answer per order line: every unfilled request of the line
    /// carries it.
    ShortageChoice {
        /// Wait: the line stays backordered and ships complete. Nothing of
        /// it is picked while a request of it is unfilled.
        Backorder = "backorder",
        /// Ship what is there now; the rest stays backordered and follows.
        /// The company's way until the customer answers.
        Partial = "partial",
        /// Another product for the short quantity, proposed as a change
        /// request (CHG-1/2) priced from the price list.
        Substitution = "substitution",
        /// The short quantity is not wanted: the line is reduced, its
        /// commitment released and the requests closed.
        Cancel = "cancel",
    }
);

impl ShortageChoice {
    /// Until the customer answers, what is there ships (ADR 0019).
    pub const DEFAULT: ShortageChoice = ShortageChoice::Partial;
    /// Choices that hold a line back from picking until nothing of it is
    /// short: the store spells this set in SQL.
    pub const WAIT_COMPLETE: &'static [ShortageChoice] = &[ShortageChoice::Backorder];

    /// Whether a line with an unfilled request of this choice waits.
    pub fn waits_complete(self) -> bool {
        Self::WAIT_COMPLETE.contains(&self)
    }
}

string_enum!(
    /// The two notices of the arrival plan (PUR-2).
    NoticeKind {
        /// To channel business: which franchisees to ask for funds.
        Funds = "funds",
        /// To the central warehouse: prepare receiving.
        Receiving = "receiving",
    }
);

/// An action that the purchase order's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a purchase order that is {from} cannot {action}")]
pub struct PurchaseTransitionError {
    pub from: PurchaseStatus,
    pub action: PurchaseAction,
}

impl PurchaseStatus {
    /// Purchase orders whose goods are still expected (PUR-2): the arrival
    /// plan and its notices look at these.
    pub const AWAITING_ARRIVAL: &'static [PurchaseStatus] = &[
        PurchaseStatus::Sent,
        PurchaseStatus::Confirmed,
        PurchaseStatus::PartlyReceived,
    ];

    /// The state after `action`; receiving needs to know whether every line
    /// is now complete.
    pub fn apply(
        self,
        action: PurchaseAction,
        complete: bool,
    ) -> Result<PurchaseStatus, PurchaseTransitionError> {
        use PurchaseStatus::*;
        let refused = PurchaseTransitionError { from: self, action };
        match (self, action) {
            (Sent, PurchaseAction::Confirm) => Ok(Confirmed),
            (Sent | Confirmed, PurchaseAction::Cancel) => Ok(Cancelled),
            (Sent | Confirmed | PartlyReceived, PurchaseAction::Receive) => {
                Ok(if complete { Received } else { PartlyReceived })
            }
            _ => Err(refused),
        }
    }

    /// Goods are still expected: notices are raised for these.
    pub fn expects_goods(self) -> bool {
        PurchaseStatus::AWAITING_ARRIVAL.contains(&self)
    }
}

impl NoticeKind {
    pub fn days_before(self) -> i64 {
        match self {
            NoticeKind::Funds => FUNDS_NOTICE_DAYS,
            NoticeKind::Receiving => RECEIVING_NOTICE_DAYS,
        }
    }
}

/// When the supplier's confirmation is due: two weeks after sending.
pub fn confirm_due(sent_at: Timestamp) -> Timestamp {
    sent_at + Span::new().hours(CONFIRM_DAYS * 24)
}

/// An unconfirmed purchase order past its due time is overdue.
pub fn confirmation_overdue(
    status: PurchaseStatus,
    confirm_due_at: Timestamp,
    now: Timestamp,
) -> bool {
    status == PurchaseStatus::Sent && now > confirm_due_at
}

/// The day a notice of `kind` is due for an arrival on `arrival`.
pub fn notice_date(kind: NoticeKind, arrival: Date) -> Date {
    arrival
        .checked_sub(Span::new().days(kind.days_before()))
        .unwrap_or(arrival)
}

/// The latest arrival date whose notice of `kind` is due on `today`: every
/// purchase order arriving on or before it gets its notice now (one created
/// late is not skipped).
pub fn notice_horizon(kind: NoticeKind, today: Date) -> Date {
    today
        .checked_add(Span::new().days(kind.days_before()))
        .unwrap_or(today)
}

/// Whether the notice of `kind` is due on `today`.
pub fn notice_due(kind: NoticeKind, arrival: Date, today: Date) -> bool {
    notice_date(kind, arrival) <= today
}

/// What a franchisee should be asked to prepare: what is needed beyond what
/// it has available (funds and credit), never negative.
pub fn funds_shortfall(needed: Money, available: Money) -> Money {
    (needed - available).max(Money::ZERO)
}

/// One line of a new purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PurchaseLineInput {
    pub product_id: ProductId,
    pub quantity: i64,
    /// Open replenishment requests this line covers (INV-2).
    #[serde(default)]
    pub replenishment_ids: Vec<i64>,
}

/// A purchase order as procurement enters it (PUR-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPurchaseOrder {
    pub supplier: String,
    /// Default: the central warehouse.
    #[serde(default)]
    pub warehouse_id: Option<crate::WarehouseId>,
    /// YYYY-MM-DD.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expected_arrival: Date,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<PurchaseLineInput>,
}

impl NewPurchaseOrder {
    /// Checks the fields that need no lookup; each error names its field.
    pub fn validate(&self, today: Date) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        e.text("supplier", &self.supplier, 200);
        e.max_chars("note", &self.note, 1000);
        if self.expected_arrival < today {
            e.add(
                "expected_arrival",
                "in_the_past",
                format!("{} is before today ({today})", self.expected_arrival),
            );
        }
        if self.lines.is_empty() {
            e.add("lines", "required", "at least one line");
        }
        let mut seen: Vec<i64> = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            if l.quantity <= 0 {
                e.add(
                    format!("lines[{i}].quantity"),
                    "not_positive",
                    format!("must be at least 1, got {}", l.quantity),
                );
            } else {
                e.quantity_too_large(format!("lines[{i}].quantity"), l.quantity);
            }
            for r in &l.replenishment_ids {
                if seen.contains(r) {
                    e.duplicate(
                        format!("lines[{i}].replenishment_ids"),
                        format!("replenishment request {r} is named twice"),
                    );
                }
                seen.push(*r);
            }
        }
        e.into_result(())
    }
}

/// The lines of a purchase order raised from open requests: one line per
/// product (in product order), the quantities summed, each covering its
/// requests. `requests` are `(request id, product, quantity)`.
pub fn lines_from_requests(requests: &[(i64, ProductId, i64)]) -> Vec<PurchaseLineInput> {
    let mut by_product: BTreeMap<ProductId, PurchaseLineInput> = BTreeMap::new();
    for (id, product, quantity) in requests {
        let line = by_product
            .entry(*product)
            .or_insert_with(|| PurchaseLineInput {
                product_id: *product,
                quantity: 0,
                replenishment_ids: Vec::new(),
            });
        line.quantity += quantity;
        line.replenishment_ids.push(*id);
    }
    by_product.into_values().collect()
}

/// One line of a receipt against a purchase order (PUR-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptLineInput {
    pub line_no: u32,
    pub quantity: i64,
}

/// A line of a purchase order as far as receiving is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenLine {
    pub line_no: u32,
    pub ordered: i64,
    pub received: i64,
}

/// Checks a receipt against the purchase order's lines: every line known,
/// quantities positive, never more than is still open (no over-receipt).
/// Returns the receipt summed per line, in line order.
pub fn check_receipt(
    lines: &[OpenLine],
    receipt: &[ReceiptLineInput],
) -> Result<Vec<(u32, i64)>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    if receipt.is_empty() {
        e.add("lines", "required", "at least one line to receive");
    }
    let mut sums: BTreeMap<u32, i64> = BTreeMap::new();
    for (i, r) in receipt.iter().enumerate() {
        let field = format!("lines[{i}].quantity");
        let Some(line) = lines.iter().find(|l| l.line_no == r.line_no) else {
            e.add(
                format!("lines[{i}].line_no"),
                "unknown_line",
                format!("the purchase order has no line {}", r.line_no),
            );
            continue;
        };
        if r.quantity <= 0 {
            e.add(
                field,
                "not_positive",
                format!("must be at least 1, got {}", r.quantity),
            );
            continue;
        }
        if e.quantity_too_large(&field, r.quantity) {
            continue;
        }
        // Saturating: the sum only has to be compared with what is open,
        // and a saturated sum is over it as surely as the true one.
        let sum = sums.entry(r.line_no).or_insert(0);
        *sum = sum.saturating_add(r.quantity);
        let open = line.ordered - line.received;
        if *sum > open {
            e.add(
                field,
                "over_receipt",
                format!(
                    "line {} has {open} still to receive ({} ordered, {} received); {} is too many",
                    line.line_no, line.ordered, line.received, *sum
                ),
            );
        }
    }
    e.into_result(sums.into_iter().collect())
}

/// Whether every line is fully received after `receipt`.
pub fn complete_after(lines: &[OpenLine], receipt: &[(u32, i64)]) -> bool {
    lines.iter().all(|l| {
        let add: i64 = receipt
            .iter()
            .filter(|r| r.0 == l.line_no)
            .map(|r| r.1)
            .sum();
        l.received + add >= l.ordered
    })
}

/// A franchisee to ask for funds before an arrival (PUR-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsTask {
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    /// Orders whose backordered lines the arrival is expected to fill.
    pub order_ids: Vec<OrderId>,
    /// Quantity × unit price of those lines.
    pub needed: Money,
    /// Available funds and credit now.
    pub available: Money,
    /// What to ask for (needed beyond available, at least 0).
    pub shortfall: Money,
}

/// A line to prepare for receiving (PUR-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivingLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    /// Still to arrive.
    pub quantity: i64,
}

/// A backordered order line that an arrival may fill, in promise order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backorder {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub product_id: ProductId,
    pub backordered: i64,
    pub unit_price: Money,
}

/// What each customer needs to pay for the backorders an arrival of
/// `arriving` (per product) will fill, taking the backorders in the order
/// given (promise order): `(customer, orders, amount)`, customers in first
/// appearance order.
pub fn funds_needed(
    arriving: &[(ProductId, i64)],
    backorders: &[Backorder],
) -> Vec<(CustomerId, Vec<OrderId>, Money)> {
    let mut left: BTreeMap<ProductId, i64> = BTreeMap::new();
    for (p, q) in arriving {
        *left.entry(*p).or_insert(0) += q;
    }
    let mut out: Vec<(CustomerId, Vec<OrderId>, Money)> = Vec::new();
    for b in backorders {
        let Some(l) = left.get_mut(&b.product_id) else {
            continue;
        };
        let take = b.backordered.min(*l);
        if take <= 0 {
            continue;
        }
        *l -= take;
        let amount = b.unit_price.times(take);
        match out.iter_mut().find(|o| o.0 == b.customer_id) {
            Some(o) => {
                if !o.1.contains(&b.order_id) {
                    o.1.push(b.order_id);
                }
                o.2 += amount;
            }
            None => out.push((b.customer_id, vec![b.order_id], amount)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn pur_1_confirmation_is_due_two_weeks_after_sending() {
        let sent: Timestamp = "2026-11-01T08:00:00Z".parse().unwrap();
        let due = confirm_due(sent);
        assert_eq!(due, "2026-11-15T08:00:00Z".parse::<Timestamp>().unwrap());
        assert!(!confirmation_overdue(PurchaseStatus::Sent, due, due));
        let later = due + Span::new().seconds(1);
        assert!(confirmation_overdue(PurchaseStatus::Sent, due, later));
        assert!(!confirmation_overdue(PurchaseStatus::Confirmed, due, later));
        assert!(!confirmation_overdue(PurchaseStatus::Cancelled, due, later));
    }

    #[test]
    fn pur_1_state_machine() {
        use PurchaseAction::*;
        use PurchaseStatus::*;
        assert_eq!(Sent.apply(Confirm, false), Ok(Confirmed));
        assert_eq!(Sent.apply(Receive, false), Ok(PartlyReceived));
        assert_eq!(Confirmed.apply(Receive, true), Ok(Received));
        assert_eq!(PartlyReceived.apply(Receive, true), Ok(Received));
        assert_eq!(Confirmed.apply(Cancel, false), Ok(Cancelled));
        let e = PartlyReceived.apply(Cancel, false).unwrap_err();
        assert_eq!(e.from, PartlyReceived);
        assert!(e.to_string().contains("partly_received"));
        assert!(Confirmed.apply(Confirm, false).is_err());
        assert!(Received.apply(Receive, true).is_err());
        assert!(Cancelled.apply(Receive, true).is_err());
        assert!(Sent.expects_goods() && PartlyReceived.expects_goods());
        assert!(!Received.expects_goods() && !Cancelled.expects_goods());
    }

    #[test]
    fn pur_2_notice_dates_and_horizon() {
        let arrival = d("2026-12-20");
        assert_eq!(notice_date(NoticeKind::Funds, arrival), d("2026-12-05"));
        assert_eq!(notice_date(NoticeKind::Receiving, arrival), d("2026-12-13"));
        assert!(!notice_due(NoticeKind::Funds, arrival, d("2026-12-04")));
        assert!(notice_due(NoticeKind::Funds, arrival, d("2026-12-05")));
        // Created late: still due (not skipped).
        assert!(notice_due(NoticeKind::Receiving, arrival, d("2026-12-19")));
        assert_eq!(notice_horizon(NoticeKind::Funds, d("2026-12-05")), arrival);
        // Horizon and due agree on every day around the edge.
        for kind in NoticeKind::ALL {
            for offset in 0..30 {
                let today = d("2026-11-25") + Span::new().days(offset);
                assert_eq!(
                    notice_due(*kind, arrival, today),
                    arrival <= notice_horizon(*kind, today)
                );
            }
        }
    }

    #[test]
    fn pur_2_funds_shortfall_is_never_negative() {
        assert_eq!(
            funds_shortfall(Money::yuan(500), Money::yuan(200)),
            Money::yuan(300)
        );
        assert_eq!(
            funds_shortfall(Money::yuan(100), Money::yuan(200)),
            Money::ZERO
        );
        assert_eq!(
            funds_shortfall(Money::yuan(100), -Money::yuan(50)),
            Money::yuan(150)
        );
    }

    #[test]
    fn pur_2_funds_needed_follows_promise_order_and_arrival() {
        let b = |o: i64, c: i64, p: i64, q: i64, price: i64| Backorder {
            order_id: OrderId(o),
            customer_id: CustomerId(c),
            product_id: ProductId(p),
            backordered: q,
            unit_price: Money::yuan(price),
        };
        let backorders = [b(2, 20, 1, 5, 10), b(1, 10, 1, 5, 10), b(3, 20, 2, 4, 3)];
        let got = funds_needed(&[(ProductId(1), 7), (ProductId(2), 10)], &backorders);
        assert_eq!(
            got,
            vec![
                (
                    CustomerId(20),
                    vec![OrderId(2), OrderId(3)],
                    Money::yuan(50 + 12)
                ),
                (CustomerId(10), vec![OrderId(1)], Money::yuan(20)),
            ]
        );
    }

    #[test]
    fn pur_3_receipt_refuses_over_receipt_and_unknown_lines() {
        let lines = [
            OpenLine {
                line_no: 1,
                ordered: 10,
                received: 4,
            },
            OpenLine {
                line_no: 2,
                ordered: 5,
                received: 0,
            },
        ];
        let r = |line_no, quantity| ReceiptLineInput { line_no, quantity };
        assert_eq!(
            check_receipt(&lines, &[r(1, 6), r(2, 1)]).unwrap(),
            vec![(1, 6), (2, 1)]
        );
        let e = check_receipt(&lines, &[r(1, 7)]).unwrap_err();
        assert_eq!(e.errors[0].field, "lines[0].quantity");
        assert_eq!(e.errors[0].code, "over_receipt");
        let e = check_receipt(&lines, &[r(2, 3), r(2, 3)]).unwrap_err();
        assert_eq!(e.errors[0].field, "lines[1].quantity");
        let e = check_receipt(&lines, &[r(3, 1), r(1, 0)]).unwrap_err();
        assert_eq!(e.errors[0].field, "lines[0].line_no");
        assert_eq!(e.errors[1].field, "lines[1].quantity");
        assert!(check_receipt(&lines, &[]).is_err());
        assert!(complete_after(&lines, &[(1, 6), (2, 5)]));
        assert!(!complete_after(&lines, &[(1, 6), (2, 4)]));
    }

    #[test]
    fn inv_2_lines_from_requests_sum_per_product() {
        let got = lines_from_requests(&[
            (7, ProductId(2), 3),
            (8, ProductId(1), 4),
            (9, ProductId(2), 5),
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].product_id, ProductId(1));
        assert_eq!(
            (got[0].quantity, got[0].replenishment_ids.clone()),
            (4, vec![8])
        );
        assert_eq!(
            (got[1].quantity, got[1].replenishment_ids.clone()),
            (8, vec![7, 9])
        );
    }

    #[test]
    fn pur_1_new_purchase_order_names_bad_fields() {
        let po = NewPurchaseOrder {
            supplier: " ".into(),
            warehouse_id: None,
            expected_arrival: d("2026-01-01"),
            note: String::new(),
            lines: vec![PurchaseLineInput {
                product_id: ProductId(1),
                quantity: 0,
                replenishment_ids: vec![1, 1],
            }],
        };
        let e = po.validate(d("2026-02-01")).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "supplier",
                "expected_arrival",
                "lines[0].quantity",
                "lines[0].replenishment_ids"
            ]
        );
    }
}
