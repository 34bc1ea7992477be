//! Bulk actions on the orders chosen in a list (issue 21): review, approve
//! or cancel with one reason. Each order is its own step in its own
//! transaction, so one order that cannot move stops nothing else; every
//! order's outcome is reported.

use kaidan_domain::orders::{OrderEvent, OrderStatus};
use kaidan_domain::{OrderId, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::orders::{FinanceDecision, conflict};

/// The most orders one bulk action takes: a day's orders of a busy clerk,
/// and what one request does within a few seconds.
pub const MAX_BULK_ORDERS: usize = 500;

/// What a bulk action does to each order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOrderAction {
    /// The sales review (ORD-4), as the order page's "审核".
    Review,
    /// Every review step the user may take until the order is approved:
    /// the sales review, then the finance pass. An order that needs a
    /// decision (a price to approve, a credit hold, the joint review)
    /// stops there and says so.
    Approve,
    /// Cancel, with the reason given for all.
    Cancel,
}

impl std::str::FromStr for BulkOrderAction {
    type Err = ValidationErrors;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "review" => Ok(BulkOrderAction::Review),
            "approve" => Ok(BulkOrderAction::Approve),
            "cancel" => Ok(BulkOrderAction::Cancel),
            _ => Err(ValidationErrors::single(
                "action",
                "unknown",
                format!("'{s}' is not one of review, approve, cancel"),
            )),
        }
    }
}

/// What became of one order.
#[derive(Debug)]
pub struct BulkOutcome {
    pub id: OrderId,
    /// Its status after the action, or why it did not move.
    pub result: Result<OrderStatus, AppError>,
}

impl BulkOutcome {
    /// Whether the action did what it was asked: an approve that stopped
    /// before approval did not.
    pub fn done(&self, action: BulkOrderAction) -> bool {
        match (&self.result, action) {
            (Ok(s), BulkOrderAction::Approve) => OrderStatus::ORDERED.contains(s),
            (Ok(_), _) => true,
            (Err(_), _) => false,
        }
    }
}

impl App {
    /// Applies `action` to each order in turn. The input is checked first
    /// (ids, their number, the reason of a cancel): a bad request changes
    /// nothing.
    pub async fn bulk_order_action(
        &self,
        ctx: &Ctx,
        action: BulkOrderAction,
        ids: &[OrderId],
        reason: &str,
    ) -> AppResult<Vec<BulkOutcome>> {
        let mut e = ValidationErrors::new();
        if ids.is_empty() {
            e.add("ids", "required", "choose at least one order");
        }
        if ids.len() > MAX_BULK_ORDERS {
            e.add(
                "ids",
                "too_many",
                format!(
                    "at most {MAX_BULK_ORDERS} orders at once, not {}",
                    ids.len()
                ),
            );
        }
        let reason = if action == BulkOrderAction::Cancel {
            match ValidationErrors::reason(reason) {
                Ok(r) => r,
                Err(r) => {
                    e.merge(r);
                    String::new()
                }
            }
        } else {
            String::new()
        };
        e.into_result(())?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids.iter().filter(|id| seen.insert(**id)) {
            let result = match action {
                BulkOrderAction::Review => self.review_order(ctx, id).await.map(|v| v.status),
                BulkOrderAction::Approve => self.approve_as_far_as_allowed(ctx, id).await,
                BulkOrderAction::Cancel => {
                    self.cancel_order(ctx, id, &reason).await.map(|v| v.status)
                }
            };
            out.push(BulkOutcome { id, result });
        }
        Ok(out)
    }

    /// Sales review then finance pass, while the order is at one of them.
    async fn approve_as_far_as_allowed(&self, ctx: &Ctx, id: OrderId) -> AppResult<OrderStatus> {
        let first = {
            let mut tx = self.store.read().await?;
            self.load_order(&mut tx, ctx, id).await?.status
        };
        let mut status = first;
        // At most the two steps; each either moves the order on or fails.
        for _ in 0..2 {
            status = match status {
                OrderStatus::Submitted | OrderStatus::InReview => {
                    self.review_order(ctx, id).await?.status
                }
                OrderStatus::FinanceReview => {
                    self.finance_review(ctx, id, FinanceDecision::Pass)
                        .await?
                        .status
                }
                _ => break,
            };
        }
        if status == first && !OrderStatus::ORDERED.contains(&status) {
            // Not at a step this action takes (a draft, a credit hold, the
            // joint review, refused): the transition error names where it is.
            return Err(conflict(status, OrderEvent::SalesPassed));
        }
        Ok(status)
    }
}
