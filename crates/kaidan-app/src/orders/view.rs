//! Reading orders: one order with its lines, timeline and progress, a list
//! by filter, an order by its number.

use kaidan_domain::{CustomerId, OrderId, Permission, Role};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{OrderQuery, OrderRow, Tx};

use super::*;

impl App {
    /// The view of an order just written, read on a reader connection after
    /// the commit, so the writer is not held for reads; one order's rows,
    /// a short read.
    pub(super) async fn view_committed(&self, id: OrderId) -> AppResult<OrderView> {
        let mut tx = self.store.read_short().await?;
        self.view_in(&mut tx, id).await
    }

    pub(crate) async fn view_in(&self, tx: &mut Box<dyn Tx>, id: OrderId) -> AppResult<OrderView> {
        let row = tx.order_get(id).await?.ok_or_else(|| not_found(id))?;
        let stage = row.stage();
        Ok(OrderView {
            id,
            number: row.number,
            status: row.status,
            status_zh: row.status.label_zh(),
            stage,
            billing: row.billing,
            customer_id: row.customer_id,
            received_at: row.received_at.to_string(),
            review_due_at: row.review_due_at.to_string(),
            ship_due_at: row.ship_due_at.to_string(),
            review_met: row.review_met,
            deadlines: tx.deadline_records(id).await?,
            order_version: row.order_version,
            version: row.version,
            content: row.document,
            progress: tx.order_lines(id).await?,
            timeline: tx.order_events(id).await?,
            joint_decisions: tx.joint_decisions(id).await?,
            shortages: tx.replenishments(Some(id)).await?,
            shipments: {
                let mut list = Vec::new();
                for s in tx.shipments(Some(id), None, u32::MAX).await? {
                    if let Some(full) = tx.shipment_get(s.id).await? {
                        list.push(full);
                    }
                }
                list
            },
        })
    }

    /// An order with its lines' progress and timeline (ORD-7).
    pub async fn order(&self, ctx: &Ctx, id: OrderId) -> AppResult<OrderView> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read_short().await?;
        self.load_order(&mut tx, ctx, id).await?;
        self.view_in(&mut tx, id).await
    }

    /// The id of the order with this number.
    pub async fn order_id_by_number(&self, ctx: &Ctx, number: &str) -> AppResult<OrderId> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        let id = tx
            .order_by_number(number)
            .await?
            .ok_or(AppError::NotFound {
                what: "order",
                id: number.to_string(),
            })?;
        self.load_order(&mut tx, ctx, id).await?;
        Ok(id)
    }

    /// The numbers of these orders (none yet before approval), each as far
    /// as the reader may read it; an order he may not read is left out.
    pub async fn order_numbers(
        &self,
        ctx: &Ctx,
        ids: &[OrderId],
    ) -> AppResult<std::collections::HashMap<OrderId, Option<String>>> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for &id in ids {
            match self.load_order(&mut tx, ctx, id).await {
                Ok(row) => {
                    out.insert(id, row.number);
                }
                Err(AppError::NotFound { .. } | AppError::Forbidden(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Newest first; portal users see their own customer's orders only.
    pub async fn orders(&self, ctx: &Ctx, mut q: OrderQuery) -> AppResult<Vec<OrderRow>> {
        ctx.require(Permission::OrderRead)?;
        if ctx.actor.has_role(Role::Customer) {
            q.customer_id = Some(ctx.actor.customer_id.unwrap_or(CustomerId(-1)));
        }
        if q.limit == 0 {
            q.limit = 50;
        }
        // One row beyond the largest page, so a caller can see whether a
        // next page exists.
        q.limit = q.limit.min(self.config.max_page + 1);
        let mut tx = self.store.read().await?;
        Ok(tx.order_list(&q).await?)
    }
}
