//! Ports of finance holds on customers (FIN-6): the open hold of a
//! customer, its history, setting and releasing one.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::customer_hold::CustomerHold;
use kaidan_domain::{CustomerId, UserId};

use super::StoreError;

#[async_trait]
pub trait HoldsTx {
    /// The customer's hold that is not released, if any.
    async fn customer_hold_open(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<CustomerHold>, StoreError>;
    /// The customer's holds, newest first, at most `limit`.
    async fn customer_holds(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<CustomerHold>, StoreError>;
    /// Records a new open hold (its `id` and release fields are ignored);
    /// `StoreError::Duplicate` when the customer already has one.
    async fn customer_hold_insert(&mut self, hold: &CustomerHold) -> Result<i64, StoreError>;
    /// Releases the open hold `id`; false when it is not open any more.
    async fn customer_hold_release(
        &mut self,
        id: i64,
        by: UserId,
        by_name: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
