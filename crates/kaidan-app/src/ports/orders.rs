//! Ports of orders (ORD-1..8, FIN-5): orders with their lines, progress and
//! timeline, joint review decisions, customer accounts and replenishment
//! requests. Change requests have their own port (`changes.rs`).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::orders::{
    AccountEntry, Channel, DeadlineState, Department, OrderStage, OrderStatus, PricedOrder,
    StageFacts, company_time_zone, promised_date,
};
use kaidan_domain::purchasing::ShortageChoice;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, RegionId, UserId};
use serde::Serialize;

use super::*;

/// An order as stored: header, current priced content, row version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRow {
    pub id: OrderId,
    pub number: Option<String>,
    pub customer_id: CustomerId,
    pub status: OrderStatus,
    pub received_at: Timestamp,
    pub review_due_at: Timestamp,
    pub ship_due_at: Timestamp,
    pub reviewed_at: Option<Timestamp>,
    pub review_met: Option<bool>,
    /// Whether the ship deadline was met, once the last line shipped
    /// (ORD-6); read from the order's deadline record, never written here.
    pub ship_met: Option<bool>,
    pub document: PricedOrder,
    pub order_version: i64,
    pub version: i64,
    pub created_by: UserId,
    pub updated_at: Timestamp,
    /// What the order's stage is derived from, as read with it (ORD-7);
    /// not written by `order_insert`/`order_save`.
    pub stage_facts: StageFacts,
    /// How far it is invoiced and paid (ORD-7), as derived by the finance
    /// use cases (`FinanceTx::order_billing_set`); not written by
    /// `order_insert`/`order_save`.
    pub billing: kaidan_domain::finance::OrderBilling,
}

impl OrderRow {
    /// Allocated or picking, when the order waits for goods (ORD-7); the
    /// one definition is `OrderStage::of`.
    pub fn stage(&self) -> Option<OrderStage> {
        OrderStage::of(self.status, self.stage_facts)
    }
}

impl OrderRow {
    /// The date the order is promised for (INV-2): the requested delivery
    /// date, else the local date of the ship deadline.
    pub fn promised_date(&self) -> jiff::civil::Date {
        promised_date(
            self.document.requested_delivery_date,
            self.ship_due_at,
            &company_time_zone(),
        )
    }
}

/// Fulfilment progress of one order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineProgressRow {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub reserved: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub invoiced: i64,
}

/// One step of an order's timeline (ORD-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderEventRow {
    pub at: Timestamp,
    pub actor_id: UserId,
    pub actor_name: String,
    pub kind: String,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub note: String,
    pub data: serde_json::Value,
}

/// Which orders a list shows and in what order. Every filter narrows;
/// `None` does not filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    /// Only orders at this stage (ORD-7).
    pub stage: Option<OrderStage>,
    pub customer_id: Option<CustomerId>,
    /// Orders of the customers this user is the sales rep of.
    pub rep_id: Option<UserId>,
    /// Orders of the customers in this region.
    pub region_id: Option<RegionId>,
    pub channel: Option<Channel>,
    /// Received at or after.
    pub received_from: Option<Timestamp>,
    /// Received before.
    pub received_before: Option<Timestamp>,
    /// Order amount at least / at most.
    pub amount_min: Option<Money>,
    pub amount_max: Option<Money>,
    pub deadline: Option<DeadlineCut>,
    pub sort: OrderSort,
    /// Rows after this one in the sort order (cursor paging).
    pub after: Option<OrderCursor>,
    pub limit: u32,
}

/// Where a page ended: the last row's sort value and its id (ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderCursor {
    /// The sort column's value of the last row; unused for `Newest`.
    pub key: i64,
    pub id: i64,
}

/// The columns a list sorts by; each has an index ending in the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSortKey {
    /// By id: the order entered last first.
    #[default]
    Newest,
    Received,
    Amount,
    ShipDue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderSort {
    pub key: OrderSortKey,
    pub descending: bool,
}

impl Default for OrderSort {
    fn default() -> Self {
        OrderSort {
            key: OrderSortKey::Newest,
            descending: true,
        }
    }
}

/// A deadline state to filter by (ORD-6), with the instants it is judged
/// at: open deadlines past `now` are overdue; open ones due by the
/// `*_soon_until` instants are due soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineCut {
    pub state: DeadlineState,
    pub now: Timestamp,
    pub review_soon_until: Timestamp,
    pub ship_soon_until: Timestamp,
}

/// The values the order list offers in its choosers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderFilterChoices {
    /// Users who are the sales rep of some customer: (id, name).
    pub reps: Vec<(UserId, String)>,
    /// (id, code name).
    pub regions: Vec<(RegionId, String)>,
}

/// A recorded joint-review (or change-review) decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JointDecisionRow {
    pub department: Department,
    pub approved: bool,
    pub actor_id: UserId,
    pub actor_name: String,
    pub at: Timestamp,
    pub note: String,
}

/// A shortage raised at approval (INV-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplenishmentRow {
    pub id: i64,
    pub order_id: OrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    /// The customer's answer (INV-2); `partial` until it is given.
    pub choice: ShortageChoice,
    /// The change request that proposes a substitute (CHG-1/2), when the
    /// answer is a substitution.
    pub change_id: Option<i64>,
    pub status: String,
    pub created_at: Timestamp,
}

/// Orders, their timeline, counters, accounts and shortages.
#[async_trait]
pub trait OrdersTx: Send {
    /// Inserts the order, its lines and version 1.
    async fn order_insert(&mut self, row: &OrderRow, reason: &str) -> Result<OrderId, StoreError>;
    async fn order_get(&mut self, id: OrderId) -> Result<Option<OrderRow>, StoreError>;
    async fn order_by_number(&mut self, number: &str) -> Result<Option<OrderId>, StoreError>;
    /// Writes the header and document if the row is still at
    /// `expected_version`, and the lines too when `lines_changed`; false
    /// (nothing written) otherwise.
    async fn order_save(
        &mut self,
        row: &OrderRow,
        expected_version: i64,
        lines_changed: bool,
    ) -> Result<bool, StoreError>;
    async fn order_list(&mut self, q: &OrderQuery) -> Result<Vec<OrderRow>, StoreError>;
    /// How many orders `q` matches, its cursor and limit aside.
    async fn order_count(&mut self, q: &OrderQuery) -> Result<u64, StoreError>;
    async fn order_filter_choices(&mut self) -> Result<OrderFilterChoices, StoreError>;
    async fn order_lines(&mut self, id: OrderId) -> Result<Vec<LineProgressRow>, StoreError>;
    /// Sets `(line_no, reserved, backordered)` of several lines at once.
    async fn order_line_progress(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError>;
    /// Sets `(line_no, reserved, shipped)` of several lines at once.
    async fn order_line_shipped(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError>;
    async fn order_event_append(
        &mut self,
        id: OrderId,
        e: &OrderEventRow,
    ) -> Result<(), StoreError>;
    async fn order_events(&mut self, id: OrderId) -> Result<Vec<OrderEventRow>, StoreError>;
    /// The customer's orders received since `since`, for duplicate checks.
    async fn recent_orders(
        &mut self,
        customer: CustomerId,
        since: Timestamp,
    ) -> Result<Vec<(OrderId, PricedOrder)>, StoreError>;
    /// Sum of the customer's other orders that hold credit.
    async fn open_orders_amount(
        &mut self,
        customer: CustomerId,
        except: Option<OrderId>,
        statuses: &[OrderStatus],
    ) -> Result<Money, StoreError>;
    /// The next value of a named counter (1, 2, ...), atomically.
    async fn counter_next(&mut self, key: &str) -> Result<i64, StoreError>;
    async fn joint_decision_put(
        &mut self,
        id: OrderId,
        d: &JointDecisionRow,
    ) -> Result<(), StoreError>;
    async fn joint_decisions(&mut self, id: OrderId) -> Result<Vec<JointDecisionRow>, StoreError>;
    async fn account_append(
        &mut self,
        customer: CustomerId,
        entry: &AccountEntry,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError>;
    /// The customer's ledger in posting order, each entry with its time.
    async fn account_entries(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<(Timestamp, AccountEntry)>, StoreError>;
    async fn replenishment_insert(&mut self, r: &ReplenishmentRow) -> Result<i64, StoreError>;
    async fn replenishments(
        &mut self,
        order: Option<OrderId>,
    ) -> Result<Vec<ReplenishmentRow>, StoreError>;
    /// Records the customer's choice (and the substitute's change request)
    /// on every unfilled request of one order line (INV-2); how many.
    async fn replenishment_choose(
        &mut self,
        order: OrderId,
        line_no: u32,
        choice: ShortageChoice,
        change_id: Option<i64>,
    ) -> Result<u64, StoreError>;
}
