//! Ports of fulfilment (SHP-1..3, DOC-2): pick lists, shipments, tracking
//! events and proof of delivery.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::fulfilment::{
    DeliveredLine, Disposition, PickLine, PickListStatus, ShipmentStatus, TrackingStatus,
};
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};
use serde::Serialize;

use super::StoreError;

/// One order line in the shipping plan (SHP-1): what it has reserved, what
/// is already on pick lists, what is still backordered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub status: OrderStatus,
    /// The promised ship date.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ship_due_at: Timestamp,
    pub priority: bool,
    pub line_no: u32,
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub reserved: i64,
    /// Reserved quantity already on an open or picked pick list.
    pub on_lists: i64,
    /// Reserved for an unfunded franchisee until it pays (ALC-5): not to
    /// be picked.
    pub locked: i64,
    pub backordered: i64,
    pub shipped: i64,
    /// The customer waits for the line complete (INV-2: an unfilled
    /// shortage of it says `backorder`): nothing of it is picked yet.
    pub waiting: bool,
}

impl PlanLine {
    /// Reserved, not locked and not yet on a pick list: what a new list
    /// would take; nothing while the line waits to be complete.
    pub fn pickable(&self) -> i64 {
        if self.waiting {
            return 0;
        }
        (self.reserved - self.on_lists - self.locked).max(0)
    }
}

/// A pick list with its lines (SHP-1, DOC-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickListRow {
    pub id: i64,
    pub number: String,
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub customer_id: CustomerId,
    pub warehouse_id: WarehouseId,
    pub status: PickListStatus,
    pub packages: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub picked_at: Option<Timestamp>,
    pub picked_by: Option<UserId>,
    pub lines: Vec<PickLine>,
}

/// A shipped line with its proof-of-delivery verdict once recorded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentLineRow {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub unit_price: Money,
    pub accepted: Option<i64>,
    pub refused: Option<i64>,
    pub reason: Option<String>,
    pub disposition: Option<Disposition>,
    pub return_warehouse_id: Option<WarehouseId>,
}

/// A carrier's report on a shipment (SHP-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackingEventRow {
    pub id: i64,
    pub shipment_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub status: TrackingStatus,
    pub location: String,
    pub note: String,
    /// api, csv or page.
    pub source: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    pub recorded_by: UserId,
}

/// What the shipment list sorts by (issue 21); each has an index ending in
/// the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShipmentSortKey {
    /// By id: the order the delivery notes were written in.
    #[default]
    Newest,
    /// By the time the goods left.
    Shipped,
}

/// A sort key and its direction; newest first by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipmentSort {
    pub key: ShipmentSortKey,
    pub descending: bool,
}

impl Default for ShipmentSort {
    fn default() -> Self {
        ShipmentSort {
            key: ShipmentSortKey::Newest,
            descending: true,
        }
    }
}

/// Which shipments a list reads, resolved to ids and instants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentQuery {
    pub status: Option<ShipmentStatus>,
    pub order_id: Option<OrderId>,
    pub customer_id: Option<CustomerId>,
    pub warehouse_id: Option<WarehouseId>,
    /// The carrier's name exactly.
    pub carrier: Option<String>,
    /// Shipped at or after.
    pub shipped_from: Option<Timestamp>,
    /// Shipped before.
    pub shipped_before: Option<Timestamp>,
    pub sort: ShipmentSort,
    /// The last row of the page before (its sort key and id).
    pub after: Option<super::OrderCursor>,
    pub limit: u32,
}

/// A shipment, i.e. a delivery note (发货单), with lines and tracking.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentRow {
    pub id: i64,
    pub number: String,
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub customer_id: CustomerId,
    pub pick_list_id: i64,
    pub warehouse_id: WarehouseId,
    pub status: ShipmentStatus,
    pub carrier: String,
    pub tracking_no: String,
    pub packages: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub shipped_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub eta: Date,
    pub shipped_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delivered_at: Option<Timestamp>,
    pub signed_by: Option<String>,
    pub delivery_note: Option<String>,
    pub lines: Vec<ShipmentLineRow>,
    pub tracking: Vec<TrackingEventRow>,
}

/// What the proof of delivery writes onto a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub delivered_at: Timestamp,
    pub signed_by: String,
    pub note: Option<String>,
    pub recorded_by: UserId,
    /// Each line's verdict with the warehouse refused goods went to.
    pub lines: Vec<(DeliveredLine, Option<WarehouseId>)>,
}

/// Which kind of document a number names (DOC-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Order,
    PickList,
    DeliveryNote,
    PurchaseOrder,
    /// A transfer (调拨单) to a store or region.
    Transfer,
}

/// Pick lists, shipments, tracking, delivery.
#[async_trait]
pub trait FulfilmentTx: Send {
    /// Order lines of orders that await goods with something reserved or
    /// backordered, earliest promise first (then priority, order, line).
    async fn shipping_plan(&mut self, order: Option<OrderId>) -> Result<Vec<PlanLine>, StoreError>;
    /// KPI-4 per order: the orders whose first pick was confirmed in
    /// `[from, to)`, and how many of them never had a pick line come back
    /// short (what was reserved could be picked as reserved).
    async fn order_pick_checks(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(i64, i64), StoreError>;
    async fn pick_list_insert(&mut self, list: &PickListRow) -> Result<i64, StoreError>;
    async fn pick_list_get(&mut self, id: i64) -> Result<Option<PickListRow>, StoreError>;
    /// Lists, newest first, optionally of one status or one order.
    async fn pick_lists(
        &mut self,
        status: Option<PickListStatus>,
        order: Option<OrderId>,
        limit: u32,
    ) -> Result<Vec<PickListRow>, StoreError>;
    /// Records a confirmed pick on an open list; false (nothing written)
    /// when the list is no longer open.
    async fn pick_list_confirm(
        &mut self,
        id: i64,
        status: PickListStatus,
        packages: i64,
        picked: &[(u32, i64)],
        at: Timestamp,
        by: UserId,
    ) -> Result<bool, StoreError>;
    /// Moves a list from `from` to `to`; false when it was not at `from`.
    async fn pick_list_status(
        &mut self,
        id: i64,
        from: PickListStatus,
        to: PickListStatus,
    ) -> Result<bool, StoreError>;
    async fn shipment_insert(&mut self, s: &ShipmentRow) -> Result<i64, StoreError>;
    async fn shipment_get(&mut self, id: i64) -> Result<Option<ShipmentRow>, StoreError>;
    /// Shipments newest first, optionally of one order or one status
    /// (without tracking events; `shipment_get` has them).
    async fn shipments(
        &mut self,
        order: Option<OrderId>,
        status: Option<ShipmentStatus>,
        limit: u32,
    ) -> Result<Vec<ShipmentRow>, StoreError>;
    /// A page of the shipment list with each shipment's lines (without
    /// tracking events).
    async fn shipment_list(&mut self, q: &ShipmentQuery) -> Result<Vec<ShipmentRow>, StoreError>;
    /// How many shipments the query matches (its cursor and limit aside).
    async fn shipment_count(&mut self, q: &ShipmentQuery) -> Result<u64, StoreError>;
    async fn shipment_by_tracking(&mut self, tracking_no: &str) -> Result<Vec<i64>, StoreError>;
    /// Writes the proof of delivery on a shipped shipment; false when it
    /// was already delivered.
    async fn shipment_deliver(&mut self, id: i64, r: &DeliveryRecord) -> Result<bool, StoreError>;
    /// Stores a tracking event; false when the same event (shipment, time,
    /// status) is already there.
    async fn tracking_insert(&mut self, e: &TrackingEventRow) -> Result<bool, StoreError>;
    /// The documents whose number is `number` (DOC-2).
    async fn document_lookup(
        &mut self,
        number: &str,
    ) -> Result<Vec<(DocumentKind, i64)>, StoreError>;
}
