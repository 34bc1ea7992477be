//! Ports of the customer portal (INT-2, ORD-5; issue 18): the inbox of
//! notices, and how much of each product is free to reserve (which the
//! portal turns into a level, never shows).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::{CustomerId, ProductId, UserId};

use super::*;

/// A notice in a customer's inbox: an outbox event's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub event_id: i64,
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    /// The event's payload (JSON text).
    pub payload: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// Which notices of a customer to list, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeQuery {
    pub customer: CustomerId,
    pub unread_only: bool,
    /// Only notices older than this id: the cursor of the page before.
    pub before: Option<i64>,
    pub limit: u32,
}

#[async_trait]
pub trait PortalTx: Send {
    /// Writes a notice for each `(customer, outbox event)` from the
    /// event's row; one already there is left as it is.
    async fn notices_put(&mut self, rows: &[(CustomerId, i64)]) -> Result<u64, StoreError>;
    async fn notices(&mut self, q: &NoticeQuery) -> Result<Vec<NoticeRow>, StoreError>;
    async fn notices_unread(&mut self, customer: CustomerId) -> Result<i64, StoreError>;
    /// Marks the customer's notices `ids` (all unread ones when None)
    /// read; returns how many changed.
    async fn notices_mark_read(
        &mut self,
        customer: CustomerId,
        ids: Option<&[i64]>,
        at: Timestamp,
        by: UserId,
    ) -> Result<u64, StoreError>;
    /// Σ (on hand − reserved) over every warehouse, per product of
    /// `products`; a product with no stock anywhere is left out.
    async fn stock_free_of(
        &mut self,
        products: &[ProductId],
    ) -> Result<Vec<(ProductId, i64)>, StoreError>;
}
