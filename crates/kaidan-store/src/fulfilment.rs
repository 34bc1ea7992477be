//! Pick lists, shipments, tracking events and proof of delivery (SHP-1..3).

use async_trait::async_trait;
use kaidan_app::ports::FulfilmentTx;

use crate::tx::DbTx;

#[async_trait]
impl FulfilmentTx for DbTx {}
