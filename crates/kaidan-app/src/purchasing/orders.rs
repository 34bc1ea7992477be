//! Purchase orders to suppliers (PUR-1): created by hand or from open
//! replenishment requests, read, listed, confirmed by the supplier and
//! cancelled.

use jiff::Timestamp;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::purchasing::{
    NewPurchaseOrder, PurchaseAction, PurchaseStatus, ReplenishmentStatus, confirm_due,
    confirmation_overdue, lines_from_requests,
};
use kaidan_domain::{Permission, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::check_reference;
use crate::master::{Created, Idempotency};
use crate::ports::{EntityKind, PurchaseLineRow, PurchaseOrderRow, Tx};

use super::*;

impl App {
    /// Sets the computed fields of a stored purchase order.
    pub(crate) fn purchase_view(&self, mut po: PurchaseOrderRow) -> PurchaseOrderRow {
        po.overdue = confirmation_overdue(po.status, po.confirm_due_at, self.now());
        po
    }

    pub(super) async fn load_purchase(
        &self,
        tx: &mut Box<dyn Tx>,
        id: i64,
    ) -> AppResult<PurchaseOrderRow> {
        tx.purchase_get(id).await?.ok_or_else(|| not_found(id))
    }

    /// `before` moved on by `action` and saved; `stamp` sets the step's own
    /// fields. Refused when another writer saved the order in between.
    pub(super) async fn purchase_step(
        &self,
        tx: &mut Box<dyn Tx>,
        before: &PurchaseOrderRow,
        action: PurchaseAction,
        complete: bool,
        stamp: impl FnOnce(&mut PurchaseOrderRow, Timestamp),
    ) -> AppResult<PurchaseOrderRow> {
        let mut after = before.clone();
        after.status = before
            .status
            .apply(action, complete)
            .map_err(|e| illegal(e.from, e.action))?;
        let now = self.now();
        after.updated_at = now;
        stamp(&mut after, now);
        if !tx.purchase_save(&after, before.version).await? {
            return Err(changed(before.id, before.version));
        }
        Ok(after)
    }

    /// Commits and answers with the purchase order as it now is.
    pub(super) async fn commit_purchase(
        &self,
        mut tx: Box<dyn Tx>,
        id: i64,
    ) -> AppResult<PurchaseOrderRow> {
        let po = self.load_purchase(&mut tx, id).await?;
        tx.commit().await?;
        Ok(self.purchase_view(po))
    }

    /// Checks, numbers and inserts a purchase order; its lines cover the
    /// named open requests (→ ordered).
    async fn create_purchase_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        input: NewPurchaseOrder,
    ) -> AppResult<PurchaseOrderRow> {
        input.validate(self.today())?;
        let mut e = ValidationErrors::new();
        let warehouse = match input.warehouse_id {
            Some(w) => {
                check_reference(tx, &mut e, "warehouse_id", EntityKind::Warehouse, w.get()).await?;
                w
            }
            None => match self.central_warehouse(tx).await? {
                Some(w) => w,
                None => {
                    e.add("warehouse_id", "required", "there is no active warehouse");
                    WarehouseId(0)
                }
            },
        };
        let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id.get()).collect();
        let known = tx.master_get_many(EntityKind::Product, &ids).await?;
        let wanted: Vec<i64> = input
            .lines
            .iter()
            .flat_map(|l| l.replenishment_ids.iter().copied())
            .collect();
        let requests = tx.replenishment_get_many(&wanted).await?;
        for (i, l) in input.lines.iter().enumerate() {
            if !known.iter().any(|r| r.id == l.product_id.get()) {
                e.add(
                    format!("lines[{i}].product_id"),
                    "unknown_reference",
                    format!("no product with id {}", l.product_id),
                );
            }
            for r in &l.replenishment_ids {
                let field = format!("lines[{i}].replenishment_ids");
                match requests.iter().find(|x| x.id == *r) {
                    None => e.add(
                        field,
                        "unknown_reference",
                        format!("no replenishment request {r}"),
                    ),
                    Some(x) if x.status != ReplenishmentStatus::Open => e.add(
                        field,
                        "not_open",
                        format!("replenishment request {r} is {}", x.status),
                    ),
                    Some(x) if x.product_id != l.product_id => e.add(
                        field,
                        "other_product",
                        format!(
                            "replenishment request {r} is for product {}, not {}",
                            x.product_id, l.product_id
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        e.into_result(())?;
        let now = self.now();
        let today = self.today();
        let seq = tx
            .counter_next(&format!("po-{}", today.strftime("%Y%m%d")))
            .await?;
        let number = format!("PO-{}-{seq:04}", today.strftime("%Y%m%d"));
        let mut po = PurchaseOrderRow {
            id: 0,
            number,
            supplier: input.supplier.trim().to_string(),
            warehouse_id: warehouse,
            status: PurchaseStatus::Sent,
            expected_arrival: input.expected_arrival,
            note: input.note.trim().to_string(),
            sent_at: now,
            confirm_due_at: confirm_due(now),
            confirmed_at: None,
            overdue_flagged_at: None,
            closed_at: None,
            overdue: false,
            created_by: ctx.actor.user_id,
            version: 1,
            updated_at: now,
            lines: input
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| PurchaseLineRow {
                    line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    product_id: l.product_id,
                    sku: String::new(),
                    name: String::new(),
                    quantity: l.quantity,
                    received: 0,
                    replenishment_ids: l.replenishment_ids.clone(),
                })
                .collect(),
        };
        po.id = tx.purchase_insert(&po).await?;
        let mut covering: Vec<(i64, u32)> = Vec::new();
        for l in &po.lines {
            covering.extend(l.replenishment_ids.iter().map(|r| (*r, l.line_no)));
        }
        for (r, line_no) in covering {
            if !tx.replenishment_order(r, po.id, line_no).await? {
                // Taken by a concurrent purchase order meanwhile.
                return Err(AppError::invalid(
                    "replenishment_ids",
                    "not_open",
                    format!("replenishment request {r} is no longer open"),
                ));
            }
        }
        self.audit(
            tx,
            ctx,
            "purchase_order",
            po.id,
            "create",
            vec![FieldChange {
                field: "status".into(),
                before: None,
                after: Some(format!("{} ({})", po.status, po.number)),
            }],
        )
        .await?;
        self.publish(
            tx,
            "po.sent",
            "purchase_order",
            po.id,
            serde_json::json!({
                "id": po.id, "number": po.number, "supplier": po.supplier,
                "warehouse_id": po.warehouse_id, "expected_arrival": po.expected_arrival.to_string(),
                "confirm_due_at": po.confirm_due_at.to_string(),
                "lines": po.lines.iter().map(|l| serde_json::json!({
                    "line_no": l.line_no, "product_id": l.product_id, "quantity": l.quantity,
                })).collect::<Vec<_>>(),
            }),
        )
        .await?;
        let stored = self.load_purchase(tx, po.id).await?;
        Ok(self.purchase_view(stored))
    }

    /// Sends a purchase order to a supplier (PUR-1).
    pub async fn create_purchase_order(
        &self,
        ctx: &Ctx,
        input: NewPurchaseOrder,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Created<PurchaseOrderRow>> {
        ctx.require(Permission::PurchaseWrite)?;
        if let Some(replay) = self.replay(ctx, idempotency).await? {
            return Ok(replay);
        }
        let mut tx = match self.write_keyed(ctx, idempotency).await? {
            Ok(tx) => tx,
            Err(replay) => return Ok(replay),
        };
        let po = self.create_purchase_in(&mut tx, ctx, input).await?;
        self.commit_created(tx, ctx, idempotency, po).await
    }

    /// Raises a purchase order from selected open replenishment requests
    /// (INV-2): one line per product with the quantities summed.
    pub async fn purchase_from_requests(
        &self,
        ctx: &Ctx,
        input: PurchaseFromRequests,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Created<PurchaseOrderRow>> {
        ctx.require(Permission::PurchaseWrite)?;
        if input.replenishment_ids.is_empty() {
            return Err(AppError::invalid(
                "replenishment_ids",
                "required",
                "select at least one open request",
            ));
        }
        if let Some(replay) = self.replay(ctx, idempotency).await? {
            return Ok(replay);
        }
        let mut tx = match self.write_keyed(ctx, idempotency).await? {
            Ok(tx) => tx,
            Err(replay) => return Ok(replay),
        };
        let requests = tx.replenishment_get_many(&input.replenishment_ids).await?;
        let mut e = ValidationErrors::new();
        for id in &input.replenishment_ids {
            match requests.iter().find(|r| r.id == *id) {
                None => e.add(
                    "replenishment_ids",
                    "unknown_reference",
                    format!("no replenishment request {id}"),
                ),
                Some(r) if r.status != ReplenishmentStatus::Open => e.add(
                    "replenishment_ids",
                    "not_open",
                    format!("replenishment request {id} is {}", r.status),
                ),
                Some(_) => {}
            }
        }
        e.into_result(())?;
        let lines = lines_from_requests(
            &requests
                .iter()
                .map(|r| (r.id, r.product_id, r.quantity))
                .collect::<Vec<_>>(),
        );
        let po = self
            .create_purchase_in(
                &mut tx,
                ctx,
                NewPurchaseOrder {
                    supplier: input.supplier,
                    warehouse_id: input.warehouse_id,
                    expected_arrival: input.expected_arrival,
                    note: input.note,
                    lines,
                },
            )
            .await?;
        self.commit_created(tx, ctx, idempotency, po).await
    }

    pub async fn purchase_order(&self, ctx: &Ctx, id: i64) -> AppResult<PurchaseOrderRow> {
        ctx.require(Permission::PurchaseRead)?;
        let mut tx = self.store.read().await?;
        let po = self.load_purchase(&mut tx, id).await?;
        Ok(self.purchase_view(po))
    }

    pub async fn purchase_order_by_number(
        &self,
        ctx: &Ctx,
        number: &str,
    ) -> AppResult<PurchaseOrderRow> {
        ctx.require(Permission::PurchaseRead)?;
        let mut tx = self.store.read().await?;
        let id = tx
            .purchase_by_number(number.trim())
            .await?
            .ok_or_else(|| not_found(number))?;
        let po = self.load_purchase(&mut tx, id).await?;
        Ok(self.purchase_view(po))
    }

    /// Newest first; `before` is the cursor (an id).
    pub async fn purchase_orders(
        &self,
        ctx: &Ctx,
        status: Option<PurchaseStatus>,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> AppResult<Vec<PurchaseOrderRow>> {
        ctx.require(Permission::PurchaseRead)?;
        let limit = limit.unwrap_or(100).clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx
            .purchase_list(status, before, limit)
            .await?
            .into_iter()
            .map(|p| self.purchase_view(p))
            .collect())
    }

    /// Records the supplier's confirmation (PUR-1).
    pub async fn confirm_purchase_order(
        &self,
        ctx: &Ctx,
        id: i64,
        input: ConfirmPurchase,
    ) -> AppResult<PurchaseOrderRow> {
        ctx.require(Permission::PurchaseWrite)?;
        if let Some(d) = input.expected_arrival
            && d < self.today()
        {
            return Err(AppError::invalid(
                "expected_arrival",
                "in_the_past",
                format!("{d} is before today"),
            ));
        }
        let mut tx = self.store.write().await?;
        let before = self.load_purchase(&mut tx, id).await?;
        let after = self
            .purchase_step(
                &mut tx,
                &before,
                PurchaseAction::Confirm,
                false,
                |after, now| {
                    after.confirmed_at = Some(now);
                    if let Some(d) = input.expected_arrival {
                        after.expected_arrival = d;
                    }
                },
            )
            .await?;
        let mut changes = vec![FieldChange {
            field: "status".into(),
            before: Some(before.status.to_string()),
            after: Some(after.status.to_string()),
        }];
        if after.expected_arrival != before.expected_arrival {
            changes.push(FieldChange {
                field: "expected_arrival".into(),
                before: Some(before.expected_arrival.to_string()),
                after: Some(after.expected_arrival.to_string()),
            });
        }
        if !input.note.trim().is_empty() {
            changes.push(FieldChange {
                field: "confirmation_note".into(),
                before: None,
                after: Some(input.note.trim().to_string()),
            });
        }
        self.audit(&mut tx, ctx, "purchase_order", id, "confirm", changes)
            .await?;
        self.publish(
            &mut tx,
            "po.confirmed",
            "purchase_order",
            id,
            serde_json::json!({"id": id, "number": after.number, "expected_arrival": after.expected_arrival.to_string()}),
        )
        .await?;
        self.commit_purchase(tx, id).await
    }

    /// Cancels a purchase order before any receipt; the requests it covered
    /// are open again.
    pub async fn cancel_purchase_order(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: &str,
    ) -> AppResult<PurchaseOrderRow> {
        ctx.require(Permission::PurchaseWrite)?;
        let reason = ValidationErrors::reason(reason)?;
        let mut tx = self.store.write().await?;
        let before = self.load_purchase(&mut tx, id).await?;
        let after = self
            .purchase_step(
                &mut tx,
                &before,
                PurchaseAction::Cancel,
                false,
                |after, now| {
                    after.closed_at = Some(now);
                },
            )
            .await?;
        let reopened = tx.replenishment_reopen(id).await?;
        self.audit(
            &mut tx,
            ctx,
            "purchase_order",
            id,
            "cancel",
            vec![FieldChange {
                field: "status".into(),
                before: Some(before.status.to_string()),
                after: Some(format!("{} ({reason})", after.status)),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            "po.cancelled",
            "purchase_order",
            id,
            serde_json::json!({"id": id, "number": after.number, "reason": reason, "requests_reopened": reopened}),
        )
        .await?;
        self.commit_purchase(tx, id).await
    }
}
