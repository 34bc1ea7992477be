//! Ports of purchasing (PUR-1..3, INV-2): purchase orders, their receipts,
//! arrival notices and the scheduled jobs that raise them.

use async_trait::async_trait;

/// Purchase orders, arrival notices, the jobs table.
#[async_trait]
pub trait PurchaseTx: Send {}
