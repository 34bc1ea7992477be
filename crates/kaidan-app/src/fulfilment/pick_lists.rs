//! The shipping plan and pick lists (SHP-1): what can be picked now, pick
//! lists made per warehouse and confirmed with what was found.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{
    PickLine, PickListStatus, PickedInput, check_packages, confirm_pick,
};
use kaidan_domain::orders::WorkKey;
use kaidan_domain::{OrderId, Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{OrderRow, PickListRow, PlanLine, ReplenishmentRow, Tx};

use super::*;

impl App {
    /// SHP-1: what is reserved and waiting to be picked, and what is still
    /// backordered, earliest promise first.
    pub async fn shipping_plan(&self, ctx: &Ctx) -> AppResult<Vec<PlanLine>> {
        ctx.require(Permission::ShipmentRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.shipping_plan(None).await?)
    }

    /// SHP-1: one pick list per order, for everything it has reserved that
    /// no open or picked list holds yet. All or nothing.
    pub async fn create_pick_lists(
        &self,
        ctx: &Ctx,
        orders: &[OrderId],
    ) -> AppResult<Vec<PickListRow>> {
        ctx.require(Permission::ShipmentWrite)?;
        if orders.is_empty() {
            return Err(AppError::invalid(
                "order_ids",
                "required",
                "choose at least one order",
            ));
        }
        let mut tx = self.store.write().await?;
        let created = self.pick_lists_in(&mut tx, ctx, orders).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Makes the pick lists of `orders` in `tx`; refuses (naming
    /// `order_ids[i]`) an order that is not approved or has nothing to pick.
    /// The lists are numbered in the order the work is done (ORD-8,
    /// `WorkKey`): important orders first, then the earlier ship deadline,
    /// whatever order the ids were given in.
    pub(crate) async fn pick_lists_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        orders: &[OrderId],
    ) -> AppResult<Vec<PickListRow>> {
        let warehouse = self.central_warehouse(tx).await?.ok_or_else(|| {
            ValidationErrors::single("warehouse", "missing", "no active warehouse to pick from")
        })?;
        let mut e = ValidationErrors::new();
        let mut ready = Vec::new();
        for (i, &order_id) in orders.iter().enumerate() {
            let field = format!("order_ids[{i}]");
            if orders[..i].contains(&order_id) {
                e.add(
                    field,
                    "duplicate",
                    format!("order {order_id} is given twice"),
                );
                continue;
            }
            let Some(order) = tx.order_get(order_id).await? else {
                e.add(
                    field,
                    "unknown_reference",
                    format!("no order with id {order_id}"),
                );
                continue;
            };
            let number = order.number.clone().unwrap_or_else(|| order_id.to_string());
            if !order.status.awaits_goods() {
                e.add(
                    field,
                    "wrong_state",
                    format!(
                        "order {number} is {}; only approved orders are picked",
                        order.status
                    ),
                );
                continue;
            }
            let plan = tx.shipping_plan(Some(order_id)).await?;
            let lines: Vec<PickLine> = plan
                .iter()
                .filter(|l| l.pickable() > 0)
                .map(|l| PickLine {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    quantity: l.pickable(),
                    picked: None,
                })
                .collect();
            if lines.is_empty() {
                // A line the customer waits for complete (INV-2) says so.
                let waiting: Vec<u32> = plan
                    .iter()
                    .filter(|l| l.waiting)
                    .map(|l| l.line_no)
                    .collect();
                let message = if waiting.is_empty() {
                    format!(
                        "order {number} has nothing reserved that is not already on a pick list"
                    )
                } else {
                    format!(
                        "order {number} has nothing to pick now: the customer's choice for lines {waiting:?} is to wait; each waits to be complete"
                    )
                };
                e.add(field, "nothing_to_pick", message);
                continue;
            }
            ready.push((
                WorkKey {
                    important: order.document.priority,
                    due_at: order.ship_due_at,
                    received_at: order.received_at,
                    order: order.id,
                },
                order,
                lines,
            ));
        }
        e.into_result(())?;
        ready.sort_by_key(|r| r.0);
        let mut created = Vec::with_capacity(ready.len());
        for (_, order, lines) in ready {
            let order_id = order.id;
            // Bumping the order's version makes a concurrent list for the
            // same order fail instead of listing the same goods twice.
            self.touch_order(tx, ctx, &order).await?;
            let list = PickListRow {
                id: 0,
                number: self.document_number(tx, "PK").await?,
                order_id,
                order_number: order.number.clone(),
                customer_id: order.customer_id,
                warehouse_id: warehouse,
                status: PickListStatus::Open,
                packages: None,
                created_at: self.now(),
                created_by: ctx.actor.user_id,
                picked_at: None,
                picked_by: None,
                lines,
            };
            let id = tx.pick_list_insert(&list).await?;
            self.audit(
                tx,
                ctx,
                "pick_list",
                id,
                "create",
                vec![FieldChange {
                    field: "number".into(),
                    before: None,
                    after: Some(list.number.clone()),
                }],
            )
            .await?;
            self.order_note(tx, ctx, &order, "pick_list", &list.number, serde_json::json!({ "pick_list_id": id, "number": list.number,
                    "lines": list.lines.iter().map(|l| serde_json::json!({"line_no": l.line_no, "quantity": l.quantity})).collect::<Vec<_>>() }))
                .await?;
            created.push(PickListRow { id, ..list });
        }
        Ok(created)
    }

    /// Writes the order row unchanged but for its version, so concurrent
    /// writers of the same order's fulfilment serialise on it.
    async fn touch_order(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        order: &OrderRow,
    ) -> AppResult<OrderRow> {
        let mut after = order.clone();
        after.updated_at = self.now();
        self.save(tx, ctx, order, &after).await?;
        after.version += 1;
        Ok(after)
    }

    pub async fn pick_list(&self, ctx: &Ctx, id: i64) -> AppResult<PickListRow> {
        ctx.require(Permission::ShipmentRead)?;
        let mut tx = self.store.read().await?;
        tx.pick_list_get(id)
            .await?
            .ok_or_else(|| list_not_found(id))
    }

    pub async fn pick_lists(
        &self,
        ctx: &Ctx,
        status: Option<PickListStatus>,
    ) -> AppResult<Vec<PickListRow>> {
        ctx.require(Permission::ShipmentRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.pick_lists(status, None, self.config.max_page).await?)
    }

    /// SHP-1: the warehouse confirms what it found and packed. What was not
    /// found is released and goes back to backorder with a replenishment
    /// request (INV-2).
    pub async fn confirm_pick(
        &self,
        ctx: &Ctx,
        id: i64,
        picked: &[PickedInput],
        packages: i64,
    ) -> AppResult<PickListRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut tx = self.store.write().await?;
        let list = pick_list_in(&mut tx, id, PickListStatus::Open).await?;
        let outcome = confirm_pick(&list.lines, picked)?;
        let any_picked = check_packages(&outcome, packages)?;
        let order = tx
            .order_get(list.order_id)
            .await?
            .ok_or_else(|| crate::orders::not_found(list.order_id))?;
        let order = self.touch_order(&mut tx, ctx, &order).await?;
        let now = self.now();
        let source = format!("pick list {}", list.number);
        let progress = tx.order_lines(list.order_id).await?;
        let mut changed = Vec::new();
        let mut short_lines = Vec::new();
        post_pick(&mut tx, list.warehouse_id, &outcome, &source, now).await?;
        for o in &outcome {
            if o.short > 0 {
                let Some(p) = progress.iter().find(|p| p.line_no == o.line_no) else {
                    continue;
                };
                changed.push((o.line_no, p.reserved - o.short, p.backordered + o.short));
                tx.replenishment_insert(&ReplenishmentRow {
                    id: 0,
                    order_id: list.order_id,
                    line_no: o.line_no,
                    product_id: o.product_id,
                    quantity: o.short,
                    choice: crate::orders::ShortageChoice::DEFAULT,
                    change_id: None,
                    status: "open".into(),
                    created_at: now,
                })
                .await?;
                short_lines.push(serde_json::json!({ "line_no": o.line_no, "short": o.short }));
            }
        }
        tx.order_line_progress(list.order_id, &changed).await?;
        let status = if any_picked {
            PickListStatus::Picked
        } else {
            PickListStatus::Cancelled
        };
        let done: Vec<(u32, i64)> = outcome.iter().map(|o| (o.line_no, o.picked)).collect();
        if !tx
            .pick_list_confirm(id, status, packages.max(0), &done, now, ctx.actor.user_id)
            .await?
        {
            return Err(wrong_state(
                "pick list",
                &list.number,
                "no longer open",
                "open",
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "pick_list",
            id,
            "pick",
            vec![FieldChange {
                field: "status".into(),
                before: Some(list.status.to_string()),
                after: Some(status.to_string()),
            }],
        )
        .await?;
        self.order_note(&mut tx, ctx, &order, "picked", &list.number, serde_json::json!({ "pick_list_id": id, "number": list.number, "packages": packages, "short": short_lines }))
            .await?;
        tx.commit().await?;
        let mut tx = self.store.read().await?;
        tx.pick_list_get(id)
            .await?
            .ok_or_else(|| list_not_found(id))
    }
}
