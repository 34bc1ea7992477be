//! Rejecting, cancelling and closing orders: reservations, pick lists and
//! locks are released in the same transaction.

use kaidan_domain::fulfilment::PickListStatus;
use kaidan_domain::orders::{AccountBalance, AccountEntry, EntryKind, OrderEvent};
use kaidan_domain::{OrderId, Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::fulfilment::move_picked;
use crate::ports::{OrderRow, StockStep, Tx};

use super::*;

impl App {
    /// Sends an order back to the clerk with the reason (ORD-4).
    pub async fn reject_order(&self, ctx: &Ctx, id: OrderId, reason: &str) -> AppResult<OrderView> {
        ctx.require(Permission::OrderReview)?;
        self.close_order(ctx, id, OrderEvent::Reject, "rejected", reason)
            .await
    }

    /// Cancels an order; reserved stock and committed credit are released.
    pub async fn cancel_order(&self, ctx: &Ctx, id: OrderId, reason: &str) -> AppResult<OrderView> {
        ctx.require(Permission::OrderCancel)?;
        self.close_order(ctx, id, OrderEvent::Cancel, "cancelled", reason)
            .await
    }

    /// Gives back an order's reserved stock and committed credit.
    pub(crate) async fn release_all(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        kind: &str,
    ) -> AppResult<()> {
        let id = before.id;
        let now = self.now();
        let source = format!(
            "order {} {kind}",
            before.number.clone().unwrap_or_else(|| id.to_string())
        );
        // Goods locked for the order by an allocation run (ALC-5) are
        // released with the rest of its reservation below.
        for lock in tx
            .locks(Some(kaidan_domain::allocation::LockStatus::Active))
            .await?
        {
            if lock.order_id == id {
                tx.lock_close(
                    lock.id,
                    kaidan_domain::allocation::LockStatus::Cancelled,
                    now,
                )
                .await?;
            }
        }
        // Lists still open or picked for the order are called off first:
        // picked goods go back on the shelf, then everything is released.
        for list in tx.pick_lists(None, Some(id), u32::MAX).await? {
            let was = list.status;
            if !matches!(was, PickListStatus::Open | PickListStatus::Picked) {
                continue;
            }
            if was == PickListStatus::Picked {
                let w = list.warehouse_id;
                move_picked(tx, StockStep::Unpick, w, &list.lines, &source, now).await?;
            }
            tx.pick_list_status(list.id, was, PickListStatus::Cancelled)
                .await?;
        }
        if let Some(warehouse) = self.central_warehouse(tx).await? {
            let mut cleared = Vec::new();
            for l in tx.order_lines(id).await? {
                if l.reserved > 0 {
                    tx.stock_step(
                        StockStep::Release,
                        l.product_id,
                        warehouse,
                        l.reserved,
                        &source,
                        now,
                    )
                    .await?;
                }
                // Nothing is owed any more: no backorder, no open request.
                if l.backordered > 0 {
                    tx.replenishment_close_line(id, l.line_no, now).await?;
                }
                if l.reserved > 0 || l.backordered > 0 {
                    cleared.push((l.line_no, 0, 0));
                }
            }
            tx.order_line_progress(id, &cleared).await?;
        }
        let balance = AccountBalance::from_entries(
            tx.account_entries(before.customer_id)
                .await?
                .iter()
                .map(|(_, e)| e),
        );
        let committed = balance.committed_for(Some(id));
        if committed.is_positive() {
            self.account_post(
                tx,
                ctx,
                before.customer_id,
                &AccountEntry::new(EntryKind::Release, committed, Some(id)),
                now,
            )
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn close_order(
        &self,
        ctx: &Ctx,
        id: OrderId,
        event: OrderEvent,
        kind: &str,
        reason: &str,
    ) -> AppResult<OrderView> {
        let reason = ValidationErrors::reason(reason)?;
        let mut tx = self.store.write().await?;
        let before = self.load_order(&mut tx, ctx, id).await?;
        let mut after = before.clone();
        after.status = advance(before.status, event)?;
        after.updated_at = self.now();
        self.save(&mut tx, ctx, &before, &after).await?;
        self.release_all(&mut tx, ctx, &before, kind).await?;
        self.order_moved(
            &mut tx,
            ctx,
            &before,
            &after,
            kind,
            &reason,
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        self.view_committed(id).await
    }
}
