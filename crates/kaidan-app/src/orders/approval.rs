//! Approval and reservation (ORD-7, INV-1/2): an approved order reserves its
//! lines in the central warehouse; what cannot be reserved becomes a shortage
//! the customer chooses what to do about (`shortages.rs`).

use kaidan_domain::WarehouseId;
use kaidan_domain::orders::{
    AccountEntry, DeadlineKind, DeadlineRecord, EntryKind, OrderEvent, OrderStatus,
};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{EntityKind, FilterValue, ListQuery, OrderRow, ReplenishmentRow, Tx};

use super::*;

impl App {
    /// The central warehouse, where approved orders reserve stock.
    pub(crate) async fn central_warehouse(
        &self,
        tx: &mut Box<dyn Tx>,
    ) -> AppResult<Option<WarehouseId>> {
        let q = ListQuery {
            limit: 1,
            filters: vec![
                ("is_central", FilterValue::Bool(true)),
                ("active", FilterValue::Bool(true)),
            ],
            ..Default::default()
        };
        let central = tx.master_list(EntityKind::Warehouse, &q).await?;
        if let Some(w) = central.first() {
            return Ok(Some(WarehouseId(w.id)));
        }
        let q = ListQuery {
            limit: 1,
            filters: vec![("active", FilterValue::Bool(true))],
            ..Default::default()
        };
        Ok(tx
            .master_list(EntityKind::Warehouse, &q)
            .await?
            .first()
            .map(|w| WarehouseId(w.id)))
    }

    /// Approval (ORD-5, INV-1/2, FIN-5): number, reservation of what is
    /// available (never more), shortages raised, credit committed, the
    /// customer's confirmation in the outbox.
    pub(super) async fn approve_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
    ) -> AppResult<OrderRow> {
        let event = if before.status == OrderStatus::JointReview {
            OrderEvent::JointApproved
        } else {
            OrderEvent::FinancePassed
        };
        let now = self.now();
        let today = self.today();
        let mut after = before.clone();
        after.status = advance(before.status, event)?;
        let seq = tx
            .counter_next(&self.config.numbering.counter_key(today))
            .await?;
        let number = self
            .config
            .numbering
            .format(today, u64::try_from(seq).unwrap_or(0))
            .map_err(|e| AppError::Internal {
                what: "order numbering",
                source: Box::new(e),
            })?;
        after.number = Some(number.0.as_str().to_string());
        // ORD-6: the review deadline is decided here, met or missed.
        let record = DeadlineRecord::of(DeadlineKind::Review, before.review_due_at, now);
        after.reviewed_at = Some(now);
        after.review_met = Some(record.met);
        after.updated_at = now;
        self.save(tx, ctx, before, &after).await?;
        tx.deadline_record(after.id, &record).await?;

        let source = format!("order {}", number.0.as_str());
        let shortages = self.reserve_all(tx, ctx, &after, &source).await?;
        let shortage_json: Vec<_> = shortages
            .iter()
            .map(|(l, p, q)| serde_json::json!({"line_no": l, "product_id": p, "quantity": q}))
            .collect();
        self.order_moved(tx, ctx, before, &after, "approved", "", serde_json::json!({ "number": number.0.as_str(), "review_met": after.review_met, "shortages": shortage_json })).await?;
        // ORD-5: the customer's confirmation (content, price, promised date).
        self.publish(tx, "order.confirmation", "order", after.id.get(), serde_json::json!({
            "order_id": after.id, "number": number.0.as_str(), "customer_id": after.customer_id,
            "amount": after.document.totals.amount, "lines": after.document.lines.iter().map(|l| serde_json::json!({
                "sku": l.sku, "name": l.name, "quantity": l.quantity, "unit_price": l.unit_price, "amount": l.amount })).collect::<Vec<_>>(),
            "promised_ship_by": after.ship_due_at.to_string(),
        })).await?;
        Ok(after)
    }

    /// Reserves what is available for every line (never more), raises a
    /// shortage for the rest (INV-2) and commits the order's amount on the
    /// customer's account (FIN-5). Returns (line, product, short quantity).
    pub(crate) async fn reserve_all(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        after: &OrderRow,
        source: &str,
    ) -> AppResult<Vec<(u32, kaidan_domain::ProductId, i64)>> {
        let now = self.now();
        let mut shortages = Vec::new();
        let lines = &after.document.lines;
        let got = match self.central_warehouse(tx).await? {
            Some(warehouse) => {
                let wants: Vec<_> = lines
                    .iter()
                    .map(|l| (l.product_id, l.quantity.get()))
                    .collect();
                tx.stock_reserve(warehouse, &wants, source, now).await?
            }
            None => vec![0; lines.len()],
        };
        let mut progress = Vec::with_capacity(lines.len());
        for (line, got) in lines.iter().zip(got) {
            let short = line.quantity.get() - got;
            progress.push((line.line_no, got, short));
            if short > 0 {
                shortages.push((line.line_no, line.product_id, short));
            }
        }
        tx.order_line_progress(after.id, &progress).await?;
        // A line that was short before this version and whose customer
        // chose to wait keeps that answer: a change to another line does
        // not make it ship in part (INV-2, ADR 0019). A partial answer is
        // the default anyway; a cancelled or substituted short quantity
        // has already left the line.
        let waiting: Vec<(u32, kaidan_domain::ProductId)> = if shortages.is_empty() {
            Vec::new()
        } else {
            tx.replenishments(Some(after.id))
                .await?
                .into_iter()
                .filter(|r| r.choice == ShortageChoice::Backorder)
                .map(|r| (r.line_no, r.product_id))
                .collect()
        };
        for (line_no, product_id, quantity) in &shortages {
            let choice = if waiting.contains(&(*line_no, *product_id)) {
                ShortageChoice::Backorder
            } else {
                ShortageChoice::DEFAULT
            };
            tx.replenishment_insert(&ReplenishmentRow {
                id: 0,
                order_id: after.id,
                line_no: *line_no,
                product_id: *product_id,
                quantity: *quantity,
                // What is there ships until the customer answers (ADR 0019).
                choice,
                change_id: None,
                status: "open".into(),
                created_at: now,
            })
            .await?;
        }
        let amount = after.document.totals.amount;
        if amount.is_positive() {
            self.account_post(
                tx,
                ctx,
                after.customer_id,
                &AccountEntry::new(EntryKind::Commitment, amount, Some(after.id)),
                now,
            )
            .await?;
        }
        Ok(shortages)
    }
}
