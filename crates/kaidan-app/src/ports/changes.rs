//! Ports of order changes (CHG-1..3): change requests with their impact and
//! decisions, and the order versions a change keeps.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::orders::{
    ChangeOutcome, ChangeRequest, Department, ImpactAssessment, PricedOrder,
};
use kaidan_domain::{OrderId, UserId};
use serde::Serialize;

use super::{JointDecisionRow, StoreError};

/// A change request and where it stands (CHG-1..3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRow {
    pub id: i64,
    pub order_id: OrderId,
    /// pending, approved, rejected.
    pub status: String,
    pub request: ChangeRequest,
    pub impact: ImpactAssessment,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub outcome: ChangeOutcome,
    pub departments: Vec<Department>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub decisions: Vec<JointDecisionRow>,
    pub requested_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
}

/// Change requests and order versions.
#[async_trait]
pub trait ChangesTx: Send {
    async fn change_insert(&mut self, c: &ChangeRow) -> Result<i64, StoreError>;
    async fn change_get(&mut self, id: i64) -> Result<Option<ChangeRow>, StoreError>;
    /// Writes status, decisions and decision time.
    async fn change_save(&mut self, c: &ChangeRow) -> Result<(), StoreError>;
    async fn changes_of(&mut self, order: OrderId) -> Result<Vec<ChangeRow>, StoreError>;
    /// Keeps a version's content (CHG-2).
    async fn order_version_insert(
        &mut self,
        order: OrderId,
        version: i64,
        document: &PricedOrder,
        reason: &str,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError>;
}
