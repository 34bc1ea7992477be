//! Ports of stock (INV-1..3): balances, receipts, reservations, picks and
//! shipments against the ledger, and stock counts.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::stock_counts::{CountLine, CountStatus};
use kaidan_domain::{ProductId, Quantity, UserId, WarehouseId};
use serde::Serialize;

use super::*;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockBalance {
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    pub warehouse_id: WarehouseId,
    pub warehouse_code: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// Reserved and already taken off the shelf for shipping.
    pub picked: i64,
    pub available: i64,
}

/// A stock count with its lines (INV-3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockCountRow {
    pub id: i64,
    pub warehouse_id: WarehouseId,
    pub status: CountStatus,
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub counted_at: Timestamp,
    pub counted_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub posted_at: Option<Timestamp>,
    pub posted_by: Option<UserId>,
    pub lines: Vec<CountLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockReceipt {
    pub product_id: ProductId,
    pub warehouse_id: WarehouseId,
    pub quantity: Quantity,
    pub source: String,
    pub at: Timestamp,
}

/// Stock balances and their ledger.
/// The movements of goods already reserved for an order or a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockStep {
    /// Reserved goods move to picked (a `pick` entry); refused when less
    /// than that is reserved and not yet picked.
    Pick,
    /// Picked goods go back on the shelf, still reserved (`unpick`).
    Unpick,
    /// Picked goods leave the warehouse (a `shipment` entry): on hand,
    /// reserved and picked all fall.
    Ship,
    /// A reservation is given back (`release`); picked goods stay reserved
    /// until they ship or are put back.
    Release,
}

#[async_trait]
pub trait StockTx: Send {
    async fn stock_receive(&mut self, receipt: &StockReceipt) -> Result<(), StoreError>;
    async fn stock_list(&mut self, query: &ListQuery) -> Result<Vec<StockBalance>, StoreError>;
    /// Reserves, for each `(product, quantity)` in turn, up to `quantity` of
    /// what is available in `warehouse`, never more: the database guards
    /// `on_hand - reserved >= 0` under concurrency. Returns the quantity
    /// reserved for each item, in order (0 when nothing is available). One
    /// call for a whole order, so the rows are read and written in a few
    /// statements.
    async fn stock_reserve(
        &mut self,
        warehouse: WarehouseId,
        wants: &[(ProductId, i64)],
        source: &str,
        at: Timestamp,
    ) -> Result<Vec<i64>, StoreError>;
    /// The sums of the ledger per product and warehouse:
    /// `(product, warehouse, Σ on-hand deltas, Σ reserved deltas)`, which
    /// must equal the balances (INV-1).
    async fn stock_ledger_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError>;
    /// `(product, on hand, reserved)` of `products` in `warehouse`; a
    /// product with no balance is left out.
    async fn stock_balances_of(
        &mut self,
        warehouse: WarehouseId,
        products: &[ProductId],
    ) -> Result<Vec<(ProductId, i64, i64)>, StoreError>;
    /// Changes on hand by `delta` with a ledger entry of `kind` (a count
    /// adjustment); refused if on hand would fall below zero or below what
    /// is reserved.
    async fn stock_adjust(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        delta: i64,
        kind: &str,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn count_insert(&mut self, count: &StockCountRow) -> Result<i64, StoreError>;
    async fn count_get(&mut self, id: i64) -> Result<Option<StockCountRow>, StoreError>;
    /// Marks an open count posted with the lines as reconciled; false when
    /// it was not open (nothing written).
    async fn count_post(&mut self, count: &StockCountRow) -> Result<bool, StoreError>;
    /// Lines of counts posted in `[from, to)`, for the accuracy figure.
    async fn count_lines_posted(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CountLine>, StoreError>;
    /// One guarded movement of `quantity` reserved or picked goods, with its
    /// ledger entry; refused when the balance does not hold that much.
    async fn stock_step(
        &mut self,
        step: StockStep,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// `(product, warehouse, Σ picked deltas of the ledger, picked of the
    /// balance)` for every balance or ledger pair (INV-1).
    async fn stock_picked_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError>;
}
