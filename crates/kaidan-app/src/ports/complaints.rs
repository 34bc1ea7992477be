//! Ports of complaints and feedback (AFS-2): the complaints with their
//! clock, owner, links and course.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::after_sales::{
    ComplaintChannel, ComplaintDepartment, ComplaintLogEntry, ComplaintStatus,
};
use kaidan_domain::{CustomerId, OrderId, UserId};
use serde::Serialize;

use super::*;

/// A complaint as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintRow {
    pub id: i64,
    /// 投诉单号.
    pub number: String,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub channel: ComplaintChannel,
    pub department: ComplaintDepartment,
    pub subject: String,
    pub detail: String,
    pub status: ComplaintStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub acknowledged_at: Option<Timestamp>,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    pub shipment_id: Option<i64>,
    pub return_id: Option<i64>,
    pub resolution: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub confirmed_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub callback_at: Option<Timestamp>,
    pub callback_note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub overdue_flagged_at: Option<Timestamp>,
    pub log: Vec<ComplaintLogEntry>,
    pub created_by: UserId,
    pub version: i64,
}

/// Which complaints to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    pub customer: Option<CustomerId>,
    pub status: Option<ComplaintStatus>,
    pub department: Option<ComplaintDepartment>,
    pub owner: Option<UserId>,
    /// Only those not closed.
    pub open_only: bool,
    pub order: Option<OrderId>,
    /// Only complaints older than this id: the cursor of the page before.
    pub before: Option<i64>,
    pub limit: u32,
}

#[async_trait]
pub trait ComplaintsTx: Send {
    async fn complaint_insert(&mut self, c: &ComplaintRow) -> Result<i64, StoreError>;
    async fn complaint_get(&mut self, id: i64) -> Result<Option<ComplaintRow>, StoreError>;
    /// Writes every field a step changes, if the stored version is
    /// `c.version - 1`; false when somebody else moved it first.
    async fn complaint_save(&mut self, c: &ComplaintRow) -> Result<bool, StoreError>;
    async fn complaints(&mut self, f: &ComplaintFilter) -> Result<Vec<ComplaintRow>, StoreError>;
    /// Open complaints past their 24 hours not yet flagged, oldest first,
    /// marked flagged at `now`; their ids.
    async fn complaints_flag_overdue(&mut self, now: Timestamp) -> Result<Vec<i64>, StoreError>;
}
