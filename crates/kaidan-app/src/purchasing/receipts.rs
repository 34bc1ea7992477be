//! Goods receipts (PUR-3, INV-1): received goods are posted to stock and
//! fill the backorders they were bought for; what is left waits for the
//! allocation run.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::purchasing::{
    OpenLine, PurchaseAction, PurchaseStatus, check_receipt, complete_after,
};
use kaidan_domain::{Permission, ProductId, Quantity, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{StockReceipt, Tx};

use super::*;

impl App {
    /// Receives goods against a purchase order (PUR-3): partial receipts
    /// allowed, over-receipt refused with the line named. Posts stock to the
    /// purchase order's warehouse and fills backorders by promise date.
    pub async fn receive_purchase_order(
        &self,
        ctx: &Ctx,
        id: i64,
        input: PurchaseReceipt,
    ) -> AppResult<ReceiptResult> {
        ctx.require(Permission::PurchaseWrite)?;
        let mut tx = self.store.write().await?;
        let before = self.load_purchase(&mut tx, id).await?;
        let open: Vec<OpenLine> = before
            .lines
            .iter()
            .map(|l| OpenLine {
                line_no: l.line_no,
                ordered: l.quantity,
                received: l.received,
            })
            .collect();
        let receipt = check_receipt(&open, &input.lines)?;
        let complete = complete_after(&open, &receipt);
        let mut changes = Vec::new();
        let after = self
            .purchase_step(
                &mut tx,
                &before,
                PurchaseAction::Receive,
                complete,
                |after, now| {
                    if after.status == PurchaseStatus::Received {
                        after.closed_at = Some(now);
                    }
                    for (line_no, qty) in &receipt {
                        if let Some(l) = after.lines.iter_mut().find(|l| l.line_no == *line_no) {
                            changes.push(FieldChange {
                                field: format!("lines[{line_no}].received"),
                                before: Some(l.received.to_string()),
                                after: Some((l.received + qty).to_string()),
                            });
                            l.received += qty;
                        }
                    }
                },
            )
            .await?;
        if before.status != after.status {
            changes.push(FieldChange {
                field: "status".into(),
                before: Some(before.status.to_string()),
                after: Some(after.status.to_string()),
            });
        }
        self.audit(&mut tx, ctx, "purchase_order", id, "receive", changes)
            .await?;
        let mut filled = Vec::new();
        for (line_no, qty) in &receipt {
            let Some(l) = after.lines.iter().find(|l| l.line_no == *line_no) else {
                continue;
            };
            let quantity = Quantity::positive(*qty)
                .map_err(|e| ValidationErrors::single("lines", "invalid", e.to_string()))?;
            filled.extend(
                self.post_receipt(
                    &mut tx,
                    ctx,
                    l.product_id,
                    after.warehouse_id,
                    quantity,
                    &after.number,
                )
                .await?,
            );
        }
        let allocation_run = self
            .allocate_after_receipt(&mut tx, ctx, after.warehouse_id)
            .await?;
        self.publish(
            &mut tx,
            "po.received",
            "purchase_order",
            id,
            serde_json::json!({"id": id, "number": after.number, "status": after.status,
                "lines": receipt.iter().map(|(l, q)| serde_json::json!({"line_no": l, "quantity": q})).collect::<Vec<_>>()}),
        )
        .await?;
        let po = self.load_purchase(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ReceiptResult {
            purchase_order: self.purchase_view(po),
            filled,
            allocation_run,
        })
    }

    /// Posts received goods (ledger kind `receipt`, `source` the document),
    /// publishes `stock.received`, then fills backorders of the product. The
    /// one way goods come in: purchase receipts and free receipts share it.
    pub(crate) async fn post_receipt(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: Quantity,
        source: &str,
    ) -> AppResult<Vec<BackorderFill>> {
        tx.stock_receive(&StockReceipt {
            product_id: product,
            warehouse_id: warehouse,
            quantity,
            source: source.to_string(),
            at: self.now(),
        })
        .await?;
        self.publish(
            tx,
            "stock.received",
            "product",
            product.get(),
            serde_json::json!({ "product_id": product, "warehouse_id": warehouse, "quantity": quantity, "source": source }),
        )
        .await?;
        self.fill_backorders(tx, ctx, warehouse, product, source)
            .await
    }

    /// Fills backorders of `product` from what is available in `warehouse`
    /// (INV-2, PUR-3, ORD-8), earliest promise first: orders awaiting goods
    /// by promised date (the requested delivery date, else the ship
    /// deadline's date), then important orders, then `received_at`, then
    /// id (`FillKey`), never by when the goods came in. Each fill reserves stock,
    /// updates the line, appends `backorder_filled` to the order's timeline
    /// and closes the line's replenishment requests when its backorder
    /// reaches 0. Orders reserve in the central warehouse, so only goods
    /// received there fill them. Franchisee lines are skipped: the
    /// allocation run that follows the receipt serves them by its rules
    /// (`allocate_after_receipt`, ALC-1..10).
    pub(crate) async fn fill_backorders(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        warehouse: WarehouseId,
        product: ProductId,
        source: &str,
    ) -> AppResult<Vec<BackorderFill>> {
        if self.central_warehouse(tx).await? != Some(warehouse) {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut fills = Vec::new();
        for line in tx.backordered_lines(product).await? {
            // Franchisees' orders are served by the allocation run that
            // follows the receipt (PUR-3, ALC-1..10).
            if !line.status.awaits_goods() || line.franchisee {
                continue;
            }
            let got = tx
                .stock_reserve(warehouse, &[(product, line.backordered)], source, now)
                .await?
                .first()
                .copied()
                .unwrap_or(0);
            if got <= 0 {
                break;
            }
            let left = line.backordered - got;
            tx.order_line_progress(line.order_id, &[(line.line_no, line.reserved + got, left)])
                .await?;
            self.event(
                tx,
                ctx,
                line.order_id,
                "backorder_filled",
                Some(line.status),
                Some(line.status),
                source,
                serde_json::json!({"line_no": line.line_no, "product_id": product, "quantity": got,
                    "backordered": left, "source": source}),
            )
            .await?;
            if left == 0 {
                tx.replenishment_close_line(line.order_id, line.line_no, now)
                    .await?;
            }
            fills.push(BackorderFill {
                order_id: line.order_id,
                order_number: line.number.clone(),
                line_no: line.line_no,
                product_id: product,
                quantity: got,
                backordered: left,
            });
        }
        Ok(fills)
    }
}
