//! Purchase orders to suppliers, their confirmation and receipt, and the
//! arrival plan (PUR-1..3, INV-2).
//!
//! A purchase order is numbered from the counter table when it is sent; the
//! supplier has two weeks to confirm. A receipt posts stock and fills the
//! backorders of its products in promise-date order (`fill_backorders`,
//! shared with the free receipt of `receive_stock`), closing the
//! replenishment requests whose backorder reaches zero.

use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::master::{CustomerData, CustomerKind};
use kaidan_domain::orders::{AccountBalance, AccountEntry, EntryKind};
use kaidan_domain::purchasing::{
    Backorder, FundsTask, NewPurchaseOrder, NoticeKind, OpenLine, PurchaseAction,
    PurchaseLineInput, PurchaseStatus, ReceiptLineInput, ReceivingLine, ReplenishmentStatus,
    check_receipt, complete_after, confirm_due, confirmation_overdue, funds_needed,
    funds_shortfall, lines_from_requests, notice_date,
};
use kaidan_domain::{OrderId, Permission, ProductId, Quantity, ValidationErrors, WarehouseId};
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::{Created, Idempotency, typed_record};
use crate::ports::{
    ArrivalNoticeRow, EntityKind, NoticeContent, PurchaseLineRow, PurchaseOrderRow,
    ReplenishmentView, StockReceipt, Tx,
};

/// A purchase order raised from selected open replenishment requests: one
/// line per product, quantities summed (INV-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseFromRequests {
    pub replenishment_ids: Vec<i64>,
    pub supplier: String,
    #[serde(default)]
    pub warehouse_id: Option<WarehouseId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expected_arrival: Date,
    #[serde(default)]
    pub note: String,
}

/// The supplier's confirmation, possibly with a new arrival date (PUR-1).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPurchase {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expected_arrival: Option<Date>,
    #[serde(default)]
    pub note: String,
}

/// Goods received against a purchase order, per line (PUR-3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseReceipt {
    pub lines: Vec<ReceiptLineInput>,
}

/// A backordered order line that a receipt filled (all or part).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackorderFill {
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    /// Still backordered after this fill.
    pub backordered: i64,
}

/// The purchase order after a receipt, and the backorders it filled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptResult {
    pub purchase_order: PurchaseOrderRow,
    pub filled: Vec<BackorderFill>,
    /// The allocation run the receipt started (PUR-3), when anything was
    /// there to allocate.
    pub allocation_run: Option<String>,
}

fn not_found(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound {
        what: "purchase order",
        id: id.to_string(),
    }
}

fn illegal(from: PurchaseStatus, action: PurchaseAction) -> AppError {
    let e = kaidan_domain::purchasing::PurchaseTransitionError { from, action };
    ValidationErrors::single("status", "illegal_transition", e.to_string()).into()
}

fn changed(id: i64, current: i64) -> AppError {
    AppError::VersionConflict {
        what: "purchase order",
        id,
        current,
    }
}

impl App {
    /// Sets the computed fields of a stored purchase order.
    pub(crate) fn purchase_view(&self, mut po: PurchaseOrderRow) -> PurchaseOrderRow {
        po.overdue = confirmation_overdue(po.status, po.confirm_due_at, self.now());
        po
    }

    async fn load_purchase(&self, tx: &mut Box<dyn Tx>, id: i64) -> AppResult<PurchaseOrderRow> {
        tx.purchase_get(id).await?.ok_or_else(|| not_found(id))
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
                if tx
                    .master_get(EntityKind::Warehouse, w.get())
                    .await?
                    .is_none()
                {
                    e.add(
                        "warehouse_id",
                        "unknown_reference",
                        format!("no warehouse with id {w}"),
                    );
                }
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
                return Err(ValidationErrors::single(
                    "replenishment_ids",
                    "not_open",
                    format!("replenishment request {r} is no longer open"),
                )
                .into());
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
        if let Some(idem) = idempotency
            && let Some(replay) = self.replay(ctx, idem).await?
        {
            return Ok(replay);
        }
        let mut tx = self.store.write().await?;
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
            return Err(ValidationErrors::single(
                "replenishment_ids",
                "required",
                "select at least one open request",
            )
            .into());
        }
        if let Some(idem) = idempotency
            && let Some(replay) = self.replay(ctx, idem).await?
        {
            return Ok(replay);
        }
        let mut tx = self.store.write().await?;
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
            return Err(ValidationErrors::single(
                "expected_arrival",
                "in_the_past",
                format!("{d} is before today"),
            )
            .into());
        }
        let mut tx = self.store.write().await?;
        let before = self.load_purchase(&mut tx, id).await?;
        let mut after = before.clone();
        after.status = before
            .status
            .apply(PurchaseAction::Confirm, false)
            .map_err(|e| illegal(e.from, e.action))?;
        let now = self.now();
        after.confirmed_at = Some(now);
        after.updated_at = now;
        if let Some(d) = input.expected_arrival {
            after.expected_arrival = d;
        }
        if !tx.purchase_save(&after, before.version).await? {
            return Err(changed(id, before.version));
        }
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
        let po = self.load_purchase(&mut tx, id).await?;
        tx.commit().await?;
        Ok(self.purchase_view(po))
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
        let mut e = ValidationErrors::new();
        let reason = e.text("reason", reason, 500);
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let before = self.load_purchase(&mut tx, id).await?;
        let mut after = before.clone();
        after.status = before
            .status
            .apply(PurchaseAction::Cancel, false)
            .map_err(|e| illegal(e.from, e.action))?;
        let now = self.now();
        after.closed_at = Some(now);
        after.updated_at = now;
        if !tx.purchase_save(&after, before.version).await? {
            return Err(changed(id, before.version));
        }
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
        let po = self.load_purchase(&mut tx, id).await?;
        tx.commit().await?;
        Ok(self.purchase_view(po))
    }

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
        let mut after = before.clone();
        after.status = before
            .status
            .apply(PurchaseAction::Receive, complete_after(&open, &receipt))
            .map_err(|e| illegal(e.from, e.action))?;
        let now = self.now();
        after.updated_at = now;
        if after.status == PurchaseStatus::Received {
            after.closed_at = Some(now);
        }
        let mut changes = Vec::new();
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
        if before.status != after.status {
            changes.push(FieldChange {
                field: "status".into(),
                before: Some(before.status.to_string()),
                after: Some(after.status.to_string()),
            });
        }
        if !tx.purchase_save(&after, before.version).await? {
            return Err(changed(id, before.version));
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
    /// (INV-2, PUR-3), earliest promise first: orders awaiting goods, by
    /// `ship_due_at`, then `received_at`, then id. Each fill reserves stock,
    /// updates the line, appends `backorder_filled` to the order's timeline
    /// and closes the line's replenishment requests when its backorder
    /// reaches 0. Orders reserve in the central warehouse, so only goods
    /// received there fill them. The allocation run (issue 5) will replace
    /// this for franchisee orders.
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

    /// Replenishment requests (INV-2), all or of one status.
    pub async fn replenishment_requests(
        &self,
        ctx: &Ctx,
        status: Option<ReplenishmentStatus>,
    ) -> AppResult<Vec<ReplenishmentView>> {
        ctx.require(Permission::PurchaseRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.replenishment_list(status).await?)
    }

    /// Arrival notices (PUR-2), newest first.
    pub async fn arrival_notices(
        &self,
        ctx: &Ctx,
        purchase_order: Option<i64>,
        limit: Option<u32>,
    ) -> AppResult<Vec<ArrivalNoticeRow>> {
        ctx.require(Permission::PurchaseRead)?;
        let limit = limit.unwrap_or(100).clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.notice_list(purchase_order, limit).await?)
    }

    /// Flags unconfirmed purchase orders past their due time, once each
    /// (PUR-1). Returns how many were flagged.
    pub(crate) async fn flag_overdue_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut flagged = 0;
        for id in tx.purchase_overdue_unflagged(now).await? {
            let before = self.load_purchase(tx, id).await?;
            if !confirmation_overdue(before.status, before.confirm_due_at, now)
                || before.overdue_flagged_at.is_some()
            {
                continue;
            }
            let mut after = before.clone();
            after.overdue_flagged_at = Some(now);
            after.updated_at = now;
            if !tx.purchase_save(&after, before.version).await? {
                continue;
            }
            self.audit(
                tx,
                ctx,
                "purchase_order",
                id,
                "confirmation_overdue",
                vec![FieldChange {
                    field: "overdue_flagged_at".into(),
                    before: None,
                    after: Some(now.to_string()),
                }],
            )
            .await?;
            self.publish(
                tx,
                "po.confirmation_overdue",
                "purchase_order",
                id,
                serde_json::json!({"id": id, "number": after.number, "supplier": after.supplier,
                    "confirm_due_at": after.confirm_due_at.to_string()}),
            )
            .await?;
            flagged += 1;
        }
        Ok(flagged)
    }

    /// Raises the arrival notices that are due (PUR-2), each once per
    /// purchase order and kind; a purchase order created late gets its
    /// notices at the next run. Returns how many were raised.
    pub(crate) async fn raise_notices_in(&self, tx: &mut Box<dyn Tx>) -> AppResult<usize> {
        let today = self.today();
        let mut raised = 0;
        for kind in NoticeKind::ALL {
            let horizon = kaidan_domain::purchasing::notice_horizon(*kind, today);
            for id in tx.purchase_needing_notice(*kind, horizon).await? {
                let po = self.load_purchase(tx, id).await?;
                let content = match kind {
                    NoticeKind::Funds => NoticeContent {
                        funds: self.funds_tasks(tx, &po).await?,
                        receiving: Vec::new(),
                    },
                    NoticeKind::Receiving => NoticeContent {
                        funds: Vec::new(),
                        receiving: po
                            .lines
                            .iter()
                            .filter(|l| l.quantity > l.received)
                            .map(|l| ReceivingLine {
                                line_no: l.line_no,
                                product_id: l.product_id,
                                sku: l.sku.clone(),
                                name: l.name.clone(),
                                quantity: l.quantity - l.received,
                            })
                            .collect(),
                    },
                };
                let notice = ArrivalNoticeRow {
                    id: 0,
                    purchase_order_id: id,
                    purchase_order_number: po.number.clone(),
                    supplier: po.supplier.clone(),
                    kind: *kind,
                    notice_date: notice_date(*kind, po.expected_arrival),
                    expected_arrival: po.expected_arrival,
                    content,
                    created_at: self.now(),
                };
                let Some(notice_id) = tx.notice_insert(&notice).await? else {
                    continue;
                };
                let audience = match kind {
                    NoticeKind::Funds => "channel_business",
                    NoticeKind::Receiving => "warehouse",
                };
                self.publish(
                    tx,
                    "arrival.notice",
                    "purchase_order",
                    id,
                    serde_json::json!({"id": notice_id, "purchase_order_id": id, "number": po.number,
                        "kind": kind, "audience": audience, "notice_date": notice.notice_date.to_string(),
                        "expected_arrival": po.expected_arrival.to_string(), "content": notice.content}),
                )
                .await?;
                raised += 1;
            }
        }
        Ok(raised)
    }

    /// The franchisees to ask for funds before `po` arrives: what the
    /// arrival is expected to fill of their backorders (promise order), what
    /// they have available, and the shortfall.
    async fn funds_tasks(
        &self,
        tx: &mut Box<dyn Tx>,
        po: &PurchaseOrderRow,
    ) -> AppResult<Vec<FundsTask>> {
        let arriving: Vec<(ProductId, i64)> = po
            .lines
            .iter()
            .map(|l| (l.product_id, l.quantity - l.received))
            .filter(|(_, q)| *q > 0)
            .collect();
        let mut products: Vec<ProductId> = arriving.iter().map(|a| a.0).collect();
        products.sort();
        products.dedup();
        let mut backorders = Vec::new();
        for p in products {
            for l in tx.backordered_lines(p).await? {
                if l.status.awaits_goods() {
                    backorders.push(Backorder {
                        order_id: l.order_id,
                        customer_id: l.customer_id,
                        product_id: p,
                        backordered: l.backordered,
                        unit_price: l.unit_price,
                    });
                }
            }
        }
        let needs = funds_needed(&arriving, &backorders);
        let ids: Vec<i64> = needs.iter().map(|n| n.0.get()).collect();
        let customers = tx.master_get_many(EntityKind::Customer, &ids).await?;
        let open_lines = tx.alloc_open_lines().await?;
        let mut tasks = Vec::new();
        for (customer, orders, needed) in needs {
            let Some(rec) = customers.iter().find(|c| c.id == customer.get()) else {
                continue;
            };
            let data = typed_record::<CustomerData>(rec.clone())?.data;
            if data.kind != CustomerKind::Franchisee {
                continue;
            }
            // As the account page reads it: the ledger, with the credit
            // limit of the master record unless the ledger sets one.
            let entries = tx.account_entries(customer).await?;
            let mut balance = AccountBalance::from_entries(entries.iter().map(|(_, e)| e));
            if !entries
                .iter()
                .any(|(_, e)| e.kind == EntryKind::CreditLimit)
            {
                balance.apply(&AccountEntry::new(
                    EntryKind::CreditLimit,
                    data.credit_limit,
                    None,
                ));
            }
            // What the allocation run would see for this franchisee's
            // waiting lines: its order commitments are set aside (ADR 0010).
            let waiting: kaidan_domain::Money = open_lines
                .iter()
                .filter(|l| l.customer_id == customer)
                .map(|l| l.unit_price.times(l.backordered))
                .sum();
            let available = balance.available_for_waiting(waiting);
            tasks.push(FundsTask {
                customer_id: customer,
                customer_code: data.code,
                customer_name: data.name,
                order_ids: orders,
                needed,
                available,
                shortfall: funds_shortfall(needed, available),
            });
        }
        Ok(tasks)
    }
}

/// Lines of a purchase order from `(product, quantity)` pairs, for callers
/// that do not cover requests.
pub fn plain_lines(items: &[(ProductId, i64)]) -> Vec<PurchaseLineInput> {
    items
        .iter()
        .map(|(p, q)| PurchaseLineInput {
            product_id: *p,
            quantity: *q,
            replenishment_ids: Vec::new(),
        })
        .collect()
}
