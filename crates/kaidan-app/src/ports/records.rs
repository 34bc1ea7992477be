//! Ports of the records every change leaves (SEC-2, INT-5): audit rows,
//! outbox events and stored responses of idempotent creates.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::UserId;
use kaidan_domain::audit::FieldChange;
use serde::Serialize;

use super::*;

/// One audit row (SEC-2): who, when, what, before → after per field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: UserId,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    /// `create`, `update`, `delete`, or a named action (`set_password`, ...).
    pub action: String,
    pub changes: Vec<FieldChange>,
    pub request_id: Option<String>,
}

/// Which audit rows of one record to read, newest first (SEC-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub entity: &'static str,
    pub entity_id: i64,
    /// Only rows with a change whose field starts with this: a product's
    /// stock in one warehouse (`audit::stock_field`) among its other rows.
    pub field_prefix: Option<String>,
    /// Only rows older than this id: the cursor of the page before.
    pub before: Option<i64>,
    pub limit: u32,
}

/// An event for other systems (INT-5), written in the change's transaction
/// and relayed later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

/// A stored response for a create that carried an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    /// Hash of method, path and body of the first request.
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

/// Audit trail, outbox and idempotency records.
#[async_trait]
pub trait RecordsTx: Send {
    async fn audit_append(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    async fn audit_of(&mut self, entity: &str, id: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// One page of a record's audit rows, newest first.
    async fn audit_page(&mut self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;
    async fn outbox_append(&mut self, event: &OutboxEvent) -> Result<(), StoreError>;
    async fn outbox_pending(&mut self, limit: u32) -> Result<Vec<OutboxEvent>, StoreError>;
    /// Holds this user's `key` until the transaction ends, so that a
    /// concurrent request with the same key waits for the first to finish
    /// and then reads its answer (a no-op on SQLite's single writer).
    async fn idempotency_lock(&mut self, user: UserId, key: &str) -> Result<(), StoreError>;
    async fn idempotency_get(
        &mut self,
        user: UserId,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError>;
    async fn idempotency_put(
        &mut self,
        user: UserId,
        key: &str,
        response: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}
