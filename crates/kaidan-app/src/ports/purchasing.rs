//! Ports of purchasing (PUR-1..3, INV-2): purchase orders, their receipts,
//! arrival notices and the scheduled jobs that raise them.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::purchasing::{
    FundsTask, NoticeKind, PurchaseStatus, ReceivingLine, ReplenishmentStatus, ShortageChoice,
};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// One line of a purchase order with what has arrived so far.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseLineRow {
    pub line_no: u32,
    pub product_id: ProductId,
    /// Filled in when read (product master data).
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub received: i64,
    /// Replenishment requests this line covers (INV-2).
    pub replenishment_ids: Vec<i64>,
}

/// A purchase order as stored (PUR-1).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseOrderRow {
    pub id: i64,
    pub number: String,
    pub supplier: String,
    pub warehouse_id: WarehouseId,
    pub status: PurchaseStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expected_arrival: Date,
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: Timestamp,
    /// Two weeks after sending: the supplier's confirmation is due.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub confirm_due_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub confirmed_at: Option<Timestamp>,
    /// When the overdue job flagged it (once).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub overdue_flagged_at: Option<Timestamp>,
    /// Received in full or cancelled.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// Unconfirmed past its due time (computed when read).
    pub overdue: bool,
    pub created_by: UserId,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub lines: Vec<PurchaseLineRow>,
}

/// A replenishment request with where it stands (INV-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplenishmentView {
    pub id: i64,
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub line_no: u32,
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub choice: ShortageChoice,
    pub status: ReplenishmentStatus,
    pub purchase_order_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
}

/// A backordered order line of a product, with what ranks it (promise
/// date, then receipt, then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackorderedLine {
    pub order_id: OrderId,
    pub number: Option<String>,
    pub line_no: u32,
    pub customer_id: CustomerId,
    pub status: OrderStatus,
    pub reserved: i64,
    pub backordered: i64,
    pub unit_price: Money,
    pub ship_due_at: Timestamp,
    pub received_at: Timestamp,
    /// A franchisee's order: the allocation run serves it (ALC), not the
    /// promise-date fill.
    pub franchisee: bool,
}

/// What a notice says: the funds task list or the lines to receive.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoticeContent {
    #[serde(default)]
    pub funds: Vec<FundsTask>,
    #[serde(default)]
    pub receiving: Vec<ReceivingLine>,
}

/// One notice of the arrival plan (PUR-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArrivalNoticeRow {
    pub id: i64,
    pub purchase_order_id: i64,
    /// Filled in when read.
    pub purchase_order_number: String,
    pub supplier: String,
    pub kind: NoticeKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub notice_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expected_arrival: Date,
    pub content: NoticeContent,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Purchase orders, replenishment requests and arrival notices.
#[async_trait]
pub trait PurchasingTx: Send {
    /// Inserts the header and its lines; returns the id.
    async fn purchase_insert(&mut self, po: &PurchaseOrderRow) -> Result<i64, StoreError>;
    async fn purchase_get(&mut self, id: i64) -> Result<Option<PurchaseOrderRow>, StoreError>;
    async fn purchase_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError>;
    /// Newest first, ids below `before` when given.
    async fn purchase_list(
        &mut self,
        status: Option<PurchaseStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PurchaseOrderRow>, StoreError>;
    /// Writes the header and the lines' received quantities if the row is
    /// still at `expected_version` (then version + 1); false otherwise.
    async fn purchase_save(
        &mut self,
        po: &PurchaseOrderRow,
        expected_version: i64,
    ) -> Result<bool, StoreError>;
    /// Sent, unconfirmed past `now` and not flagged yet.
    async fn purchase_overdue_unflagged(&mut self, now: Timestamp) -> Result<Vec<i64>, StoreError>;
    /// Purchase orders still expecting goods, arriving on or before
    /// `horizon`, without a notice of `kind`.
    async fn purchase_needing_notice(
        &mut self,
        kind: NoticeKind,
        horizon: Date,
    ) -> Result<Vec<i64>, StoreError>;
    async fn replenishment_list(
        &mut self,
        status: Option<ReplenishmentStatus>,
    ) -> Result<Vec<ReplenishmentView>, StoreError>;
    async fn replenishment_get_many(
        &mut self,
        ids: &[i64],
    ) -> Result<Vec<ReplenishmentView>, StoreError>;
    /// open → ordered, covered by line `line_no` of `po`; false if it was
    /// not open.
    async fn replenishment_order(
        &mut self,
        id: i64,
        po: i64,
        line_no: u32,
    ) -> Result<bool, StoreError>;
    /// ordered → open for the requests `po` covered (it was cancelled).
    async fn replenishment_reopen(&mut self, po: i64) -> Result<u64, StoreError>;
    /// Closes the open or ordered requests of an order line.
    async fn replenishment_close_line(
        &mut self,
        order: OrderId,
        line_no: u32,
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    /// Order lines of `product` with a backorder, in the order of service
    /// of `kaidan_domain::orders::FillKey` (promised date, important first,
    /// `received_at`, order id), then line.
    async fn backordered_lines(
        &mut self,
        product: ProductId,
    ) -> Result<Vec<BackorderedLine>, StoreError>;
    /// Inserts the notice unless one of its kind exists for the purchase
    /// order; its id when inserted, `None` when it existed.
    async fn notice_insert(&mut self, n: &ArrivalNoticeRow) -> Result<Option<i64>, StoreError>;
    /// Newest first.
    async fn notice_list(
        &mut self,
        purchase_order: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ArrivalNoticeRow>, StoreError>;
}
