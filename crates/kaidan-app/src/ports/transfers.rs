//! Ports of transfers (调拨单) to stores and regions (ALC-8, ALC-9) and of
//! the regions' replenishment plans.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::fulfilment::PickLine;
use kaidan_domain::transfers::{RegionNeed, TransferKind, TransferStatus};
use kaidan_domain::{ProductId, RegionId, StoreId, UserId, WarehouseId};
use serde::Serialize;

use super::StoreError;

/// A transfer with its lines. The lines are the central warehouse's pick
/// list: `quantity` is what the run reserved, `picked` what was found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferRow {
    pub id: i64,
    /// TR-YYYYMMDD-NNNN.
    pub number: String,
    /// The allocation run that made it.
    pub run_id: Option<i64>,
    pub run_number: Option<String>,
    pub kind: TransferKind,
    pub store_id: Option<StoreId>,
    pub region_id: RegionId,
    /// The store's or the region's name.
    pub destination: String,
    pub from_warehouse_id: WarehouseId,
    /// The destination's own stock, set on receipt.
    pub to_warehouse_id: Option<WarehouseId>,
    pub status: TransferStatus,
    pub packages: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub eta: Option<Date>,
    /// Why it was cancelled, or what the receiver noted.
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub picked_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub shipped_at: Option<Timestamp>,
    /// Received or cancelled.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    pub lines: Vec<PickLine>,
}

/// Which transfers to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferQuery {
    pub status: Option<TransferStatus>,
    pub store: Option<StoreId>,
    pub run: Option<i64>,
    pub limit: u32,
}

/// A step of a transfer as stored: the new state and what came with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferStep {
    pub status: TransferStatus,
    pub at: Timestamp,
    pub by: UserId,
    pub packages: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub eta: Option<Date>,
    pub note: Option<String>,
    pub to_warehouse: Option<WarehouseId>,
    /// (line, picked) on a confirmed pick.
    pub picked: Vec<(u32, i64)>,
}

impl TransferStep {
    pub fn new(status: TransferStatus, at: Timestamp, by: UserId) -> Self {
        TransferStep {
            status,
            at,
            by,
            packages: None,
            carrier: None,
            tracking_no: None,
            eta: None,
            note: None,
            to_warehouse: None,
            picked: Vec::new(),
        }
    }
}

/// A store's stock position for one product (ALC-8 input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorePositionRow {
    pub store: StoreId,
    pub product: ProductId,
    pub on_hand: i64,
    pub in_transit: i64,
}

#[async_trait]
pub trait TransfersTx: Send {
    /// Inserts transfers with their lines; returns their ids in order.
    async fn transfers_insert(&mut self, transfers: &[TransferRow])
    -> Result<Vec<i64>, StoreError>;
    async fn transfer_get(&mut self, id: i64) -> Result<Option<TransferRow>, StoreError>;
    async fn transfer_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError>;
    /// Newest first, with their lines.
    async fn transfers(&mut self, q: &TransferQuery) -> Result<Vec<TransferRow>, StoreError>;
    /// Writes a step if the transfer is still `expected`; false (nothing
    /// written) when someone else moved it first.
    async fn transfer_step(
        &mut self,
        id: i64,
        expected: TransferStatus,
        step: &TransferStep,
    ) -> Result<bool, StoreError>;
    /// The warehouse that holds a store's (or, with `store` None, a
    /// region's) own stock, made with `code` and `name` if there is none.
    async fn destination_warehouse(
        &mut self,
        store: Option<StoreId>,
        region: RegionId,
        code: &str,
        name: &str,
        at: Timestamp,
    ) -> Result<WarehouseId, StoreError>;
    /// Stock positions of stores (one store, or all): on hand in the
    /// store's warehouse plus goods on transfers to it not yet received.
    async fn store_positions(
        &mut self,
        store: Option<StoreId>,
    ) -> Result<Vec<StorePositionRow>, StoreError>;
    /// A region's replenishment plan, by product.
    async fn region_needs(&mut self, region: RegionId) -> Result<Vec<RegionNeed>, StoreError>;
    async fn region_needs_set(
        &mut self,
        region: RegionId,
        needs: &[RegionNeed],
    ) -> Result<(), StoreError>;
    /// (region, product, quantity) of every need above zero.
    async fn alloc_region_needs(&mut self) -> Result<Vec<(RegionId, ProductId, i64)>, StoreError>;
    /// Takes each (region, product, quantity) from the plan; returns how
    /// many rows had that much (a short count means a conflict).
    async fn region_needs_take(
        &mut self,
        takes: &[(RegionId, ProductId, i64)],
    ) -> Result<u64, StoreError>;
    /// Gives a quantity back to a region's plan (a cancelled or short-picked
    /// transfer).
    async fn region_need_give_back(
        &mut self,
        region: RegionId,
        product: ProductId,
        quantity: i64,
    ) -> Result<(), StoreError>;
}
