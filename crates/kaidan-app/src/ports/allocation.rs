//! Ports of the allocation run (ALC-1..10): bulk reads of its inputs, the
//! record of each run and the locks it makes.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::allocation::LockStatus;
use kaidan_domain::master::Importance;
use kaidan_domain::orders::AccountEntry;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, RegionId, WarehouseId};
use serde::Serialize;

use super::{AuditEntry, PickListRow, StoreError};
use kaidan_domain::orders::OrderStatus;

/// A timeline event a run writes for an order, with its outbox event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEvent {
    pub order_id: OrderId,
    pub at: Timestamp,
    pub actor_id: kaidan_domain::UserId,
    pub actor_name: String,
    /// Timeline kind; the outbox topic is `order.{kind}`.
    pub kind: &'static str,
    /// The order's state (the event does not change it).
    pub status: OrderStatus,
    pub note: String,
    /// The event's data: a JSON object, as text.
    pub data: String,
}

/// What the bulk write of a run needs to know of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocOrderHead {
    pub id: OrderId,
    pub number: Option<String>,
    pub customer_id: CustomerId,
    pub status: OrderStatus,
    /// Row version (optimistic concurrency).
    pub version: i64,
}

/// A line of an order that a new pick list would take (SHP-1): reserved,
/// not on an open or picked list, not locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickableLine {
    pub order_id: OrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
}

/// A franchisee as the run needs it (the account comes separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FranchiseeRow {
    pub id: CustomerId,
    pub name: String,
    pub priority: i64,
    pub region_id: Option<RegionId>,
    pub credit_limit: Money,
    /// ALC-3: the customer's importance as master data holds it.
    pub importance: Option<Importance>,
}

/// An open franchisee order line: what is still backordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLineRow {
    pub order_id: OrderId,
    pub line_no: u32,
    pub customer_id: CustomerId,
    pub product_id: ProductId,
    pub backordered: i64,
    pub unit_price: Money,
    pub received_at: Timestamp,
}

/// A product as the run needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocProductRow {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    /// spring_summer, autumn_winter or none.
    pub season: String,
    pub launch_priority: i64,
}

/// A store as the run needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocStoreRow {
    pub id: i64,
    pub name: String,
    pub region_id: RegionId,
    pub ownership: String,
    pub tier: String,
    pub priority: i64,
}

/// One stored run.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocationRunRow {
    pub id: i64,
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: kaidan_domain::UserId,
    pub trigger: String,
    /// Units allocated to funded franchisees' lines.
    pub allocated: i64,
    /// Units locked for unfunded franchisees.
    pub locked: i64,
    /// How `input` and `result` are stored.
    #[serde(skip)]
    pub packing: RecordPacking,
    /// The engine's input (JSON, packed), to reproduce the run. Empty in
    /// lists of runs.
    #[serde(skip)]
    pub input: Vec<u8>,
    /// The engine's result (JSON, packed), every quantity with its reason.
    #[serde(skip)]
    pub result: Vec<u8>,
}

/// The record of one run, packed for storage by `Store::pack_record`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedRecord {
    pub packing: RecordPacking,
    pub input: Vec<u8>,
    pub result: Vec<u8>,
}

/// How a run's record is stored (the store packs and unpacks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordPacking {
    /// Plain JSON text (runs recorded before packing).
    #[default]
    Json,
    /// JSON, LZ4-compressed with its length in front.
    Lz4Json,
}

impl RecordPacking {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordPacking::Json => "json",
            RecordPacking::Lz4Json => "lz4-json",
        }
    }
}

impl std::str::FromStr for RecordPacking {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(RecordPacking::Json),
            "lz4-json" => Ok(RecordPacking::Lz4Json),
            other => Err(format!("unknown record packing {other:?}")),
        }
    }
}

/// Goods held for an unfunded franchisee (ALC-5).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockRow {
    pub id: i64,
    pub run_id: i64,
    pub customer_id: CustomerId,
    pub order_id: OrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub unit_price: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: Date,
    pub status: LockStatus,
}

#[async_trait]
pub trait AllocationTx: Send {
    async fn alloc_products(&mut self) -> Result<Vec<AllocProductRow>, StoreError>;
    /// Available (on hand − reserved) per product in `warehouse`, > 0 only.
    async fn alloc_supply(
        &mut self,
        warehouse: WarehouseId,
    ) -> Result<Vec<(ProductId, i64)>, StoreError>;
    async fn alloc_franchisees(&mut self) -> Result<Vec<FranchiseeRow>, StoreError>;
    /// ALC-3: units each active franchisee ordered on orders received at
    /// or after `since` that count as ordered (`OrderStatus::ORDERED`);
    /// franchisees without such orders are left out.
    async fn alloc_cumulative_ordered(
        &mut self,
        since: Timestamp,
    ) -> Result<Vec<(CustomerId, i64)>, StoreError>;
    /// Every account entry of every franchisee, per customer in posting
    /// order.
    async fn alloc_franchisee_entries(
        &mut self,
    ) -> Result<Vec<(CustomerId, AccountEntry)>, StoreError>;
    /// Backordered lines of franchisees' orders that await goods.
    async fn alloc_open_lines(&mut self) -> Result<Vec<OpenLineRow>, StoreError>;
    /// Whether a run has anything to decide: an open franchisee line (as
    /// `alloc_open_lines` reads them), an active lock, a store with safety
    /// stock or a region with a replenishment plan. One lookup each, not
    /// the rows themselves.
    async fn alloc_has_work(&mut self) -> Result<bool, StoreError>;
    async fn alloc_regions(&mut self) -> Result<Vec<(RegionId, String)>, StoreError>;
    async fn alloc_stores(&mut self) -> Result<Vec<AllocStoreRow>, StoreError>;
    /// (store, product, safety stock) of active stores.
    async fn alloc_safety_stock(&mut self) -> Result<Vec<(i64, ProductId, i64)>, StoreError>;
    /// Records a run (its record may follow with `allocation_run_record`).
    async fn allocation_run_insert(&mut self, run: &AllocationRunRow) -> Result<i64, StoreError>;
    /// Stores a run's packed record.
    async fn allocation_run_record(
        &mut self,
        id: i64,
        packing: RecordPacking,
        input: &[u8],
        result: &[u8],
    ) -> Result<(), StoreError>;
    async fn allocation_run_get(&mut self, id: i64)
    -> Result<Option<AllocationRunRow>, StoreError>;
    async fn allocation_runs(&mut self, limit: u32) -> Result<Vec<AllocationRunRow>, StoreError>;
    /// Locks of one status (all when `None`), oldest expiry first.
    async fn locks(&mut self, status: Option<LockStatus>) -> Result<Vec<LockRow>, StoreError>;
    /// Moves an active lock to `status`; false when it was not active.
    async fn lock_close(
        &mut self,
        id: i64,
        status: LockStatus,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// The set-based writes of a committed run (any number of rows; the store
/// chunks them).
#[async_trait]
pub trait AllocationWritesTx: Send {
    /// Moves `quantity` of each (order, line) from backordered to reserved.
    /// Returns how many lines were updated; a line with less backordered
    /// than asked is not (the caller treats a short count as a conflict).
    async fn alloc_reserve_lines(
        &mut self,
        lines: &[(OrderId, u32, i64)],
    ) -> Result<u64, StoreError>;
    /// Closes the open shortages (replenishment requests) of these lines.
    async fn alloc_close_shortages(
        &mut self,
        lines: &[(OrderId, u32)],
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    async fn locks_insert(&mut self, locks: &[LockRow]) -> Result<(), StoreError>;
    /// Timeline events of orders, each with its outbox event `order.{kind}`
    /// whose payload is the event's data plus the order's id and state (as
    /// `App::event` publishes them). The data comes as JSON text, made once.
    async fn order_events_with_outbox(&mut self, events: &[RunEvent]) -> Result<(), StoreError>;
    async fn audit_insert(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError>;
    /// Number, customer, status and row version of these orders (unknown
    /// ids are left out).
    async fn alloc_order_heads(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<AllocOrderHead>, StoreError>;
    /// The pickable lines of these orders, > 0 only, per order by line.
    async fn alloc_pickable(&mut self, orders: &[OrderId])
    -> Result<Vec<PickableLine>, StoreError>;
    /// Advances a document counter by `n`; returns its new value (the last
    /// of the `n` numbers taken).
    async fn counter_take(&mut self, key: &str, n: i64) -> Result<i64, StoreError>;
    /// Bumps the row version of each (order, expected version), so
    /// concurrent writers of the same orders serialise on them. Returns how
    /// many matched their expected version.
    async fn orders_touch(
        &mut self,
        orders: &[(OrderId, i64)],
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    /// Inserts pick lists with their lines; returns their ids in order.
    async fn pick_lists_insert(&mut self, lists: &[PickListRow]) -> Result<Vec<i64>, StoreError>;
}
