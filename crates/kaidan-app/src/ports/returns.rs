//! Ports of returns and exchanges (AFS-1): the requests, their photos, and
//! the per-line counters on shipment lines that keep every unit asked back
//! within what was delivered, and every refunded unit out of invoicing.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::after_sales::{Remedy, ReturnLine, ReturnReason, ReturnStatus};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};
use serde::Serialize;

use super::*;

/// A return request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnRow {
    pub id: i64,
    /// Given when it is raised (退换货申请单号).
    pub number: String,
    /// Given at approval: what the customer writes on the parcel.
    pub rma: Option<String>,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub shipment_id: i64,
    pub shipment_number: String,
    pub status: ReturnStatus,
    pub reason: ReturnReason,
    pub remedy: Remedy,
    pub description: String,
    pub lines: Vec<ReturnLine>,
    pub requested_by: UserId,
    pub requested_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
    pub decided_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    /// The approver's or rejecter's words.
    pub decision_note: Option<String>,
    pub received_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    pub receive_note: Option<String>,
    pub quarantine_warehouse_id: Option<WarehouseId>,
    pub completed_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub completed_at: Option<Timestamp>,
    /// What closed it: the credit notes and account credit of a refund,
    /// the replacement order of an exchange, the repair's words.
    pub outcome: Option<String>,
    pub replacement_order_id: Option<OrderId>,
    pub version: i64,
    pub photos: Vec<PhotoMeta>,
}

impl ReturnRow {
    /// The value of the goods asked back, at the prices they were sold for.
    pub fn value(&self) -> Money {
        self.lines.iter().map(ReturnLine::value).sum()
    }
}

/// A photo of a return, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoMeta {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// A delivered shipment line with its counters, for a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnableLineRow {
    pub line_no: u32,
    pub product_id: ProductId,
    pub product_name: String,
    pub category: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub accepted: Option<i64>,
    pub refused: i64,
    pub invoiced: i64,
    pub return_claimed: i64,
    pub returned: i64,
}

/// Which returns to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnFilter {
    pub customer: Option<CustomerId>,
    pub order: Option<OrderId>,
    pub status: Option<ReturnStatus>,
    /// Only returns older than this id: the cursor of the page before.
    pub before: Option<i64>,
    pub limit: u32,
}

#[async_trait]
pub trait ReturnsTx: Send {
    /// The lines of a shipment with what was delivered and asked back.
    async fn returnable_lines(
        &mut self,
        shipment: i64,
    ) -> Result<Vec<ReturnableLineRow>, StoreError>;
    /// Adds `delta` (negative: gives back) to the units of a shipment line
    /// asked back, only if the result stays between 0 and what the
    /// customer accepted; false when it would not (nothing changed).
    async fn return_claim_add(
        &mut self,
        shipment: i64,
        line_no: u32,
        delta: i64,
    ) -> Result<bool, StoreError>;
    /// Counts `units` of a shipment line as refunded before they were
    /// invoiced, only if invoiced + refused + returned stays within what
    /// was shipped; false when it would not.
    async fn return_mark_returned(
        &mut self,
        shipment: i64,
        line_no: u32,
        units: i64,
    ) -> Result<bool, StoreError>;
    async fn return_insert(&mut self, r: &ReturnRow) -> Result<i64, StoreError>;
    async fn return_get(&mut self, id: i64) -> Result<Option<ReturnRow>, StoreError>;
    /// Writes every field a step changes, if the stored version is
    /// `r.version - 1`; false when somebody else moved it first.
    async fn return_save(&mut self, r: &ReturnRow) -> Result<bool, StoreError>;
    async fn returns(&mut self, f: &ReturnFilter) -> Result<Vec<ReturnRow>, StoreError>;
    async fn return_photo_add(
        &mut self,
        return_id: i64,
        photo: &VoucherFile,
        at: Timestamp,
        by: UserId,
    ) -> Result<i64, StoreError>;
    async fn return_photo(
        &mut self,
        return_id: i64,
        photo: i64,
    ) -> Result<Option<VoucherFile>, StoreError>;
}
