//! Transfers (调拨单) to direct-operated and affiliated stores and to
//! regional stock (ALC-8, ALC-9). A committed allocation run turns its
//! store and region allocations into transfers whose goods are reserved in
//! the central warehouse; the warehouse picks them (what is not found is
//! released, and a region's plan gets it back), ships them (stock leaves the
//! central warehouse) and the destination receives them into its own stock,
//! a warehouse of the store or region made on its first receipt.
//!
//! The next run sees a store's stock position (on hand plus goods on its
//! way) and a region's remaining plan, so nothing is sent twice.

mod positions;
mod run;
mod steps;

use kaidan_domain::audit::FieldChange;
use kaidan_domain::transfers::{RegionNeed, TransferAction, TransferStatus};
use kaidan_domain::{Actor, Permission, ProductId, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{TransferQuery, TransferRow, TransferStep, Tx};

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "transfer",
        id: id.to_string(),
    }
}

fn moved_on(t: &TransferRow) -> AppError {
    ValidationErrors::single(
        "status",
        "wrong_state",
        format!(
            "transfer {} was changed by someone else meanwhile; reload it",
            t.number
        ),
    )
    .into()
}

/// A store's stock of one product as the allocation sees it (ALC-8).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorePosition {
    pub product_id: ProductId,
    pub safety_stock: i64,
    /// In the store's own stock.
    pub on_hand: i64,
    /// On transfers to the store not yet received.
    pub in_transit: i64,
    /// What the next run would send: max(0, safety − on hand − in transit).
    pub need: i64,
}

impl StorePosition {
    fn blank(product_id: ProductId) -> Self {
        StorePosition {
            product_id,
            safety_stock: 0,
            on_hand: 0,
            in_transit: 0,
            need: 0,
        }
    }
}

#[derive(Serialize)]
struct Needs<'a> {
    needs: &'a [RegionNeed],
}

/// Transfers are read by the warehouse and logistics (`shipment.read`) and
/// by brand product, whose runs make them (`allocation.run`).
pub fn can_read_transfers(actor: &Actor) -> bool {
    actor.can(Permission::ShipmentRead) || actor.can(Permission::AllocationRun)
}

fn may_read_transfers(ctx: &Ctx) -> AppResult<()> {
    if can_read_transfers(&ctx.actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Permission::ShipmentRead))
    }
}

impl App {
    pub async fn transfers(&self, ctx: &Ctx, mut q: TransferQuery) -> AppResult<Vec<TransferRow>> {
        may_read_transfers(ctx)?;
        q.limit = if q.limit == 0 {
            self.config.max_page
        } else {
            q.limit.min(self.config.max_page)
        };
        let mut tx = self.store.read().await?;
        Ok(tx.transfers(&q).await?)
    }

    pub async fn transfer(&self, ctx: &Ctx, id: i64) -> AppResult<TransferRow> {
        may_read_transfers(ctx)?;
        let mut tx = self.store.read().await?;
        tx.transfer_get(id).await?.ok_or_else(|| not_found(id))
    }

    /// Reads a transfer for a step and checks the step is allowed now.
    async fn transfer_for(
        &self,
        tx: &mut Box<dyn Tx>,
        id: i64,
        action: TransferAction,
    ) -> AppResult<(TransferRow, TransferStatus)> {
        let t = tx.transfer_get(id).await?.ok_or_else(|| not_found(id))?;
        let next = t.status.apply(action).map_err(|mut e| {
            for f in &mut e.errors {
                f.message = format!("{}: {}", t.number, f.message);
            }
            e
        })?;
        Ok((t, next))
    }

    /// Writes a step with its audit row and outbox event `transfer.{action}`,
    /// commits, and answers with the transfer as it now is.
    async fn transfer_record(
        &self,
        mut tx: Box<dyn Tx>,
        ctx: &Ctx,
        t: &TransferRow,
        action: TransferAction,
        step: &TransferStep,
        extra: serde_json::Value,
    ) -> AppResult<TransferRow> {
        if !tx.transfer_step(t.id, t.status, step).await? {
            return Err(moved_on(t));
        }
        self.audit(
            &mut tx,
            ctx,
            "transfer",
            t.id,
            action.as_str(),
            vec![FieldChange {
                field: "status".into(),
                before: Some(t.status.to_string()),
                after: Some(step.status.to_string()),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            &format!("transfer.{action}"),
            "transfer",
            t.id,
            serde_json::json!({
                "number": t.number, "kind": t.kind, "store_id": t.store_id,
                "region_id": t.region_id, "status": step.status, "detail": extra,
            }),
        )
        .await?;
        tx.commit().await?;
        self.transfer(ctx, t.id).await
    }
}
