//! The order state machine (ORD-4, ORD-7). A state changes only through
//! `OrderStatus::apply`; an event that does not fit the current state is an
//! error that names both.
//!
//! ```text
//! draft ──submit──► submitted ──review──► in_review ──pass──► finance_review ──pass──► approved
//!                                            │  ▲                  │    ▲
//!                                            │  └─price_approved   │    └─credit_released── credit_hold
//!                                            │                     ├─needs_joint──► joint_review ──all_approved──► approved
//!                                            └─credit_exceeded─────┴──────────────► credit_hold
//! any state before approved ──reject──► rejected ──revise──► draft
//! any state before shipped  ──cancel──► cancelled
//! approved ──ship_part──► partly_shipped ──ship_rest──► shipped ──deliver──► delivered
//! approved ──ship_rest──► shipped
//! shipped, delivered ──close──► closed   (invoiced and paid in full; a
//!                                         delivery recorded later keeps it closed)
//! ```
//! Picking does not change the order's state: an order may sit on several
//! pick lists, and what is picked shows in its line progress.

use serde::{Deserialize, Serialize};

use crate::access::string_enum;

string_enum!(
    /// Where an order is.
    OrderStatus {
        Draft = "draft",
        Submitted = "submitted",
        /// Sales review: completeness, price, payment terms.
        InReview = "in_review",
        /// Waiting for a credit decision: over the limit or overdue debt.
        CreditHold = "credit_hold",
        FinanceReview = "finance_review",
        /// Sales, finance, warehouse and logistics must each approve.
        JointReview = "joint_review",
        Approved = "approved",
        /// Some goods left the warehouse; the rest waits (backorder).
        PartlyShipped = "partly_shipped",
        /// Every line shipped in full.
        Shipped = "shipped",
        /// Every shipment has its proof of delivery (SHP-3).
        Delivered = "delivered",
        /// Shipped in full, invoiced and paid in full (ORD-7, FIN-3).
        Closed = "closed",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
);

/// Something that happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    Submit,
    StartReview,
    /// Sales review found the order complete and priced right.
    SalesPassed,
    /// The credit check failed: the order waits, it is not refused.
    CreditExceeded,
    /// Finance released the hold (paid, limit raised, or override).
    CreditReleased,
    FinancePassed,
    /// Above the joint-review amount or flagged special.
    NeedsJointReview,
    JointApproved,
    Reject,
    /// A rejected order is corrected by the clerk.
    Revise,
    Cancel,
    /// A shipment was posted and something is still to ship.
    ShipPart,
    /// A shipment was posted and nothing is left to ship.
    ShipRest,
    /// The last proof of delivery was recorded.
    Deliver,
    /// Everything shipped is invoiced and paid (ORD-7).
    Close,
    /// A closed order is no longer paid in full: a verified receipt was
    /// reversed or a match undone. It goes back to shipped (and on to
    /// delivered when its proofs of delivery are all in).
    PaymentUndone,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} an order that is {from}")]
pub struct TransitionError {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

impl OrderStatus {
    /// Approved orders that still wait for goods: their lines may hold
    /// reservations to pick and backorders that arriving goods fill
    /// (INV-2, SHP-1, ALC-1). The store writes this set into its SQL.
    /// Orders whose review is still open (ORD-4, ORD-6): their review
    /// deadline runs.
    pub const IN_REVIEW: [OrderStatus; 5] = [
        OrderStatus::Submitted,
        OrderStatus::InReview,
        OrderStatus::CreditHold,
        OrderStatus::FinanceReview,
        OrderStatus::JointReview,
    ];

    pub const AWAITING_GOODS: &'static [OrderStatus] =
        &[OrderStatus::Approved, OrderStatus::PartlyShipped];

    /// Orders that count as ordered for a franchisee's cumulative ordered
    /// quantity (ALC-3): approved, and not cancelled or rejected since.
    /// Orders still in review may yet be refused, so they do not count.
    pub const ORDERED: &'static [OrderStatus] = &[
        OrderStatus::Approved,
        OrderStatus::PartlyShipped,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Closed,
    ];

    pub fn awaiting_goods(self) -> bool {
        OrderStatus::AWAITING_GOODS.contains(&self)
    }

    /// The state after `event`, or an error naming the current state.
    pub fn apply(self, event: OrderEvent) -> Result<OrderStatus, TransitionError> {
        use OrderEvent as E;
        use OrderStatus as S;
        let next = match (self, event) {
            (S::Draft, E::Submit) => S::Submitted,
            (S::Submitted, E::StartReview) => S::InReview,
            (S::InReview, E::SalesPassed) => S::FinanceReview,
            (S::InReview | S::FinanceReview, E::CreditExceeded) => S::CreditHold,
            (S::CreditHold, E::CreditReleased) => S::FinanceReview,
            (S::FinanceReview, E::FinancePassed) => S::Approved,
            (S::FinanceReview, E::NeedsJointReview) => S::JointReview,
            (S::JointReview, E::JointApproved) => S::Approved,
            (
                S::Submitted | S::InReview | S::CreditHold | S::FinanceReview | S::JointReview,
                E::Reject,
            ) => S::Rejected,
            (S::Rejected, E::Revise) => S::Draft,
            (S::Approved | S::PartlyShipped, E::ShipPart) => S::PartlyShipped,
            (S::Approved | S::PartlyShipped, E::ShipRest) => S::Shipped,
            (S::Shipped, E::Deliver) => S::Delivered,
            (S::Shipped | S::Delivered, E::Close) => S::Closed,
            (S::Closed, E::Deliver) => S::Closed,
            (S::Closed, E::PaymentUndone) => S::Shipped,
            (
                S::Draft
                | S::Submitted
                | S::InReview
                | S::CreditHold
                | S::FinanceReview
                | S::JointReview
                | S::Rejected
                | S::Approved,
                E::Cancel,
            ) => S::Cancelled,
            (from, event) => return Err(TransitionError { from, event }),
        };
        Ok(next)
    }

    /// Nothing more will happen to the order.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Cancelled | OrderStatus::Delivered | OrderStatus::Closed
        )
    }

    /// Approved and not yet shipped in full: its lines may hold
    /// reservations, be backordered, be picked and shipped.
    pub fn awaits_goods(self) -> bool {
        self.awaiting_goods()
    }

    /// The order's lines may still be edited directly (no change request).
    pub fn is_editable(self) -> bool {
        matches!(self, OrderStatus::Draft)
    }

    /// Counts against the customer's credit (open orders, ORD-4).
    pub fn holds_credit(self) -> bool {
        matches!(
            self,
            OrderStatus::Submitted
                | OrderStatus::InReview
                | OrderStatus::CreditHold
                | OrderStatus::FinanceReview
                | OrderStatus::JointReview
                | OrderStatus::Approved
                | OrderStatus::PartlyShipped
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrderStatus::Draft => "草稿",
            OrderStatus::Submitted => "已接收",
            OrderStatus::InReview => "审核中",
            OrderStatus::CreditHold => "信用冻结",
            OrderStatus::FinanceReview => "财务审核",
            OrderStatus::JointReview => "会审中",
            OrderStatus::Approved => "已批准",
            OrderStatus::PartlyShipped => "部分发货",
            OrderStatus::Shipped => "已发货",
            OrderStatus::Delivered => "已签收",
            OrderStatus::Closed => "已关闭",
            OrderStatus::Rejected => "已退回",
            OrderStatus::Cancelled => "已取消",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ord_4_happy_path_and_joint_review() {
        let s = OrderStatus::Draft
            .apply(OrderEvent::Submit)
            .and_then(|s| s.apply(OrderEvent::StartReview))
            .and_then(|s| s.apply(OrderEvent::SalesPassed))
            .unwrap();
        assert_eq!(s, OrderStatus::FinanceReview);
        assert_eq!(
            s.apply(OrderEvent::FinancePassed).unwrap(),
            OrderStatus::Approved
        );
        let j = s.apply(OrderEvent::NeedsJointReview).unwrap();
        assert_eq!(
            j.apply(OrderEvent::JointApproved).unwrap(),
            OrderStatus::Approved
        );
    }

    #[test]
    fn fin_6_credit_hold_is_a_state_not_an_error() {
        let held = OrderStatus::InReview
            .apply(OrderEvent::CreditExceeded)
            .unwrap();
        assert_eq!(held, OrderStatus::CreditHold);
        assert_eq!(
            held.apply(OrderEvent::CreditReleased).unwrap(),
            OrderStatus::FinanceReview
        );
    }

    #[test]
    fn illegal_transition_names_the_current_state() {
        let err = OrderStatus::Approved.apply(OrderEvent::Submit).unwrap_err();
        assert_eq!(err.from, OrderStatus::Approved);
        assert_eq!(err.to_string(), "cannot Submit an order that is approved");
        assert!(OrderStatus::Cancelled.apply(OrderEvent::Cancel).is_err());
    }

    fn event() -> impl Strategy<Value = OrderEvent> {
        prop::sample::select(vec![
            OrderEvent::Submit,
            OrderEvent::StartReview,
            OrderEvent::SalesPassed,
            OrderEvent::CreditExceeded,
            OrderEvent::CreditReleased,
            OrderEvent::FinancePassed,
            OrderEvent::NeedsJointReview,
            OrderEvent::JointApproved,
            OrderEvent::Reject,
            OrderEvent::Revise,
            OrderEvent::Cancel,
            OrderEvent::ShipPart,
            OrderEvent::ShipRest,
            OrderEvent::Deliver,
        ])
    }

    proptest! {
        /// From any reachable state, cancelled is final and approval is
        /// reached only through finance or joint review.
        #[test]
        fn ord_4_random_event_sequences_respect_the_machine(events in proptest::collection::vec(event(), 0..40)) {
            let mut s = OrderStatus::Draft;
            for e in events {
                match s.apply(e) {
                    Ok(next) => {
                        if next == OrderStatus::Approved && s != OrderStatus::Approved {
                            prop_assert!(matches!(s, OrderStatus::FinanceReview | OrderStatus::JointReview));
                        }
                        prop_assert!(!s.is_final());
                        s = next;
                    }
                    Err(err) => prop_assert_eq!(err.from, s),
                }
            }
        }
    }
}
