//! Ports of master data (MD-1..6): record kinds, stored records, list
//! queries with their filters, and the transaction methods that read and
//! write them, region priority lists, safety stock and the calendar.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::calendar::CalendarDay;
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, SafetyStock, Season, StoreData,
    WarehouseData,
};
use kaidan_domain::{RegionId, StoreId};
use serde::Serialize;

use super::*;

/// The kinds of master-data record (also the `entity` of audit rows).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Product,
    Customer,
    Warehouse,
    Region,
    Store,
    PriceList,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Product,
        EntityKind::Customer,
        EntityKind::Warehouse,
        EntityKind::Region,
        EntityKind::Store,
        EntityKind::PriceList,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Product => "product",
            EntityKind::Customer => "customer",
            EntityKind::Warehouse => "warehouse",
            EntityKind::Region => "region",
            EntityKind::Store => "store",
            EntityKind::PriceList => "price_list",
        }
    }
}

/// One master-data record's content, whichever kind it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MasterData {
    Product(ProductData),
    Customer(CustomerData),
    Warehouse(WarehouseData),
    Region(RegionData),
    Store(StoreData),
    PriceList(PriceListData),
}

impl MasterData {
    pub fn kind(&self) -> EntityKind {
        match self {
            MasterData::Product(_) => EntityKind::Product,
            MasterData::Customer(_) => EntityKind::Customer,
            MasterData::Warehouse(_) => EntityKind::Warehouse,
            MasterData::Region(_) => EntityKind::Region,
            MasterData::Store(_) => EntityKind::Store,
            MasterData::PriceList(_) => EntityKind::PriceList,
        }
    }
}

/// A stored record: id, optimistic-concurrency version, content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record<T> {
    pub id: i64,
    pub version: i64,
    pub updated_at: Timestamp,
    #[serde(flatten)]
    pub data: T,
}

/// A page request: records after `after` (an id; the cursor), at most
/// `limit`, optionally filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Matched against code/sku and name (case-insensitive substring).
    pub search: Option<String>,
    pub after: Option<i64>,
    pub limit: u32,
    /// Exact-match filters on columns named in `filterable`.
    pub filters: Vec<(&'static str, FilterValue)>,
    /// For lists keyed by two ids (stock: product, warehouse): the second
    /// part of the cursor; `after` holds the first.
    pub after_second: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Int(i64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterType {
    Int,
    Text,
    Bool,
}

/// Columns a list may be filtered on, per kind, with their types.
pub fn filterable(kind: EntityKind) -> &'static [(&'static str, FilterType)] {
    use FilterType::*;
    match kind {
        EntityKind::Product => &[("season", Text), ("active", Bool)],
        EntityKind::Customer => &[
            ("id", Int),
            ("kind", Text),
            ("region_id", Int),
            ("tier", Text),
            ("sales_rep_id", Int),
            ("active", Bool),
        ],
        EntityKind::Warehouse => &[("active", Bool), ("is_central", Bool)],
        EntityKind::Region => &[],
        EntityKind::Store => &[
            ("region_id", Int),
            ("tier", Text),
            ("ownership", Text),
            ("active", Bool),
        ],
        EntityKind::PriceList => &[("id", Int)],
    }
}

/// Master data and its lists.
#[async_trait]
pub trait MasterTx: Send {
    async fn master_get(
        &mut self,
        kind: EntityKind,
        id: i64,
    ) -> Result<Option<Record<MasterData>>, StoreError>;
    /// The records of `ids` that exist, in id order (one query).
    async fn master_get_many(
        &mut self,
        kind: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record<MasterData>>, StoreError>;
    async fn master_id_by_code(
        &mut self,
        kind: EntityKind,
        code: &str,
    ) -> Result<Option<i64>, StoreError>;
    async fn master_insert(&mut self, data: &MasterData, at: Timestamp) -> Result<i64, StoreError>;
    /// Writes `data` when the stored version is `expected_version`; returns
    /// false (and writes nothing) otherwise.
    async fn master_update(
        &mut self,
        id: i64,
        expected_version: i64,
        data: &MasterData,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    async fn master_list(
        &mut self,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record<MasterData>>, StoreError>;
    async fn region_priorities(&mut self, season: Season) -> Result<Vec<RegionId>, StoreError>;
    async fn region_priorities_set(
        &mut self,
        season: Season,
        regions: &[RegionId],
    ) -> Result<(), StoreError>;
    async fn safety_stock(&mut self, store: StoreId) -> Result<Vec<SafetyStock>, StoreError>;
    async fn safety_stock_set(
        &mut self,
        store: StoreId,
        levels: &[SafetyStock],
    ) -> Result<(), StoreError>;
    async fn calendar_days(&mut self) -> Result<Vec<CalendarDay>, StoreError>;
    async fn calendar_day_get(
        &mut self,
        date: jiff::civil::Date,
    ) -> Result<Option<CalendarDay>, StoreError>;
    async fn calendar_day_put(&mut self, day: &CalendarDay) -> Result<(), StoreError>;
    async fn calendar_day_delete(&mut self, date: jiff::civil::Date) -> Result<bool, StoreError>;
}
