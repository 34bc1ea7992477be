//! Ports of fulfilment (SHP-1..3, DOC-2): pick lists, shipments, tracking
//! events and proof of delivery.

use async_trait::async_trait;

/// Pick lists, shipments, tracking, delivery.
#[async_trait]
pub trait FulfilmentTx: Send {}
