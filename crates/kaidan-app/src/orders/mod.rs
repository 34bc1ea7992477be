//! Order use cases (ORD-1..8, FIN-5, FIN-6, INV-1/2 reservations): intake,
//! review through approval, numbering, reservation, rejection, cancellation,
//! the timeline. Every step writes its timeline event, audit row and outbox
//! event in the transaction that changes the order.

mod account;
mod approval;
pub mod bulk;
mod cancel;
mod changes;
pub mod deadlines;
mod intake;
pub mod list;
mod record;
mod review;
mod shortages;
mod view;

use kaidan_domain::orders::{DeadlineRecord, OrderEvent, OrderStage, OrderStatus, PricedOrder};
use kaidan_domain::{CustomerId, OrderId, ValidationErrors};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::ports::{JointDecisionRow, LineProgressRow, OrderEventRow, ReplenishmentRow};

/// An order as staff and the customer portal see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: OrderId,
    pub number: Option<String>,
    pub status: OrderStatus,
    pub status_zh: &'static str,
    /// Allocated or picking while the order waits for goods; null
    /// otherwise (ORD-7).
    pub stage: Option<OrderStage>,
    /// How far it is invoiced and paid (ORD-7).
    pub billing: kaidan_domain::finance::OrderBilling,
    pub customer_id: CustomerId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub review_due_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ship_due_at: String,
    pub review_met: Option<bool>,
    /// The deadlines decided so far, met or missed (ORD-6, KPI-2): review
    /// once approved, ship once the last line shipped.
    pub deadlines: Vec<DeadlineRecord>,
    pub order_version: i64,
    /// Also the ETag.
    pub version: i64,
    #[serde(flatten)]
    pub content: PricedOrder,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub progress: Vec<LineProgressRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub timeline: Vec<OrderEventRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub joint_decisions: Vec<JointDecisionRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub shortages: Vec<ReplenishmentRow>,
    /// Delivery notes with carrier, tracking number, ETA and tracking
    /// events (SHP-2), also for the customer portal.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub shipments: Vec<crate::ports::ShipmentRow>,
}

pub use kaidan_domain::purchasing::ShortageChoice;
pub use shortages::ShortageAnswer;

/// A finance decision on an order in finance review or credit hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FinanceDecision {
    /// Credit checked: go on (to joint review or approval).
    Pass,
    /// Release a credit hold (paid, limit raised, or accepted risk).
    Release,
}

pub(crate) fn not_found(id: OrderId) -> AppError {
    AppError::NotFound {
        what: "order",
        id: id.to_string(),
    }
}

/// The status `event` moves `status` to, or the conflict that names both.
pub(crate) fn advance(status: OrderStatus, event: OrderEvent) -> AppResult<OrderStatus> {
    status.apply(event).map_err(|e| conflict(e.from, e.event))
}

pub(crate) fn conflict(from: OrderStatus, event: OrderEvent) -> AppError {
    let err = kaidan_domain::orders::TransitionError { from, event };
    AppError::Invalid(ValidationErrors::single(
        "status",
        "illegal_transition",
        err.to_string(),
    ))
}
