//! Purchase orders, arrival notices and the jobs table (PUR-1..3).

use async_trait::async_trait;
use kaidan_app::ports::PurchaseTx;

use crate::tx::DbTx;

#[async_trait]
impl PurchaseTx for DbTx {}
