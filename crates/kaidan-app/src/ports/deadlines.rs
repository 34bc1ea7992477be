//! Port of order deadlines (ORD-6, ORD-8, KPI-2): the met-or-missed record
//! of each decided deadline, and the open orders the watch list reads.

use async_trait::async_trait;
use kaidan_domain::OrderId;
use kaidan_domain::orders::{DeadlineKind, DeadlineRecord, OrderStatus};

use super::*;

/// Deadline records and the watch list's orders.
#[async_trait]
pub trait DeadlinesTx: Send {
    /// Records a decided deadline; a deadline already recorded for the
    /// order keeps its first record (it is decided once).
    async fn deadline_record(
        &mut self,
        order: OrderId,
        record: &DeadlineRecord,
    ) -> Result<(), StoreError>;
    /// The order's recorded deadlines, review first.
    async fn deadline_records(&mut self, order: OrderId)
    -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Up to `limit` orders in `statuses` whose `kind` deadline is not
    /// recorded yet, the earliest due first (so the ones near or past
    /// their end are never cut off by the limit).
    async fn deadline_open_orders(
        &mut self,
        statuses: &[OrderStatus],
        kind: DeadlineKind,
        limit: u32,
    ) -> Result<Vec<OrderRow>, StoreError>;
}
