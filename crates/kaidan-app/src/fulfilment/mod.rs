//! The shipping plan, pick lists, shipments, tracking and proof of delivery
//! (SHP-1..3, DOC-2), with their stock ledger entries (INV-1) and the
//! charge on the customer's account when goods ship (FIN-5, ALC-9).
//!
//! A pick list takes what an order has reserved and nothing else is yet
//! listed for. Confirming the pick moves the found goods to "picked" and
//! releases what was not found, which becomes a backorder with a
//! replenishment request (INV-2): no stock stays stuck on a half-picked list.
//! Shipping takes the picked goods out of stock and charges the order's
//! commitment. The proof of delivery records what the customer accepted and
//! refused; refused goods come back to stock or quarantine and their value
//! is credited back.

use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{
    DeliveryInput, Disposition, PickLine, PickListStatus, PickedInput, ShipInput, ShipmentStatus,
    ShippedLine, TrackingStatus, check_delivery, check_packages, confirm_pick,
};
use kaidan_domain::master::WarehouseData;
use kaidan_domain::orders::{AccountEntry, EntryKind, OrderEvent, OrderStatus, company_time_zone};
use kaidan_domain::{Money, OrderId, Permission, ValidationErrors, WarehouseId};
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::orders::conflict;
use crate::ports::{
    DeliveryRecord, DocumentKind, EntityKind, OrderRow, PickListRow, PlanLine, ReplenishmentRow,
    ShipmentLineRow, ShipmentRow, TrackingEventRow, Tx,
};

/// A tracking event as reported by the carrier or typed in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingInput {
    /// When it happened (RFC 3339).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub status: TrackingStatus,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub note: String,
}

/// A document found by its number (DOC-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRef {
    pub kind: DocumentKind,
    pub id: i64,
    pub number: String,
    /// The page that shows it.
    pub href: String,
    /// The API resource.
    pub api: String,
}

fn list_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "pick list",
        id: id.to_string(),
    }
}

fn shipment_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "shipment",
        id: id.to_string(),
    }
}

fn wrong_state(what: &str, number: &str, is: &str, needs: &str) -> AppError {
    ValidationErrors::single(
        "status",
        "wrong_state",
        format!("{what} {number} is {is}; this needs it {needs}"),
    )
    .into()
}

impl App {
    /// A business number from a daily counter: `PK-20261123-0001`.
    async fn document_number(&self, tx: &mut Box<dyn Tx>, prefix: &str) -> AppResult<String> {
        let day = self.today().strftime("%Y%m%d").to_string();
        let seq = tx.counter_next(&format!("{prefix}:{day}")).await?;
        Ok(format!("{prefix}-{day}-{seq:04}"))
    }

    /// Staff with `permission`, or the portal customer the record belongs to.
    fn may_see(ctx: &Ctx, customer: kaidan_domain::CustomerId) -> AppResult<()> {
        if ctx.actor.can(Permission::ShipmentRead) && ctx.actor.customer_id.is_none() {
            return Ok(());
        }
        ctx.require(Permission::OrderRead)?;
        if ctx.actor.customer_id == Some(customer) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::ShipmentRead))
        }
    }

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
            return Err(ValidationErrors::single(
                "order_ids",
                "required",
                "choose at least one order",
            )
            .into());
        }
        let mut tx = self.store.write().await?;
        let created = self.pick_lists_in(&mut tx, ctx, orders).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Makes the pick lists of `orders` in `tx`; refuses (naming
    /// `order_ids[i]`) an order that is not approved or has nothing to pick.
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
        let mut created = Vec::new();
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
            let lines: Vec<PickLine> = tx
                .shipping_plan(Some(order_id))
                .await?
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
                e.add(
                    field,
                    "nothing_to_pick",
                    format!(
                        "order {number} has nothing reserved that is not already on a pick list"
                    ),
                );
                continue;
            }
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
            self.event(tx, ctx, order_id, "pick_list", Some(order.status), Some(order.status), &list.number,
                serde_json::json!({ "pick_list_id": id, "number": list.number,
                    "lines": list.lines.iter().map(|l| serde_json::json!({"line_no": l.line_no, "quantity": l.quantity})).collect::<Vec<_>>() }))
                .await?;
            created.push(PickListRow { id, ..list });
        }
        e.into_result(())?;
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
        let list = tx
            .pick_list_get(id)
            .await?
            .ok_or_else(|| list_not_found(id))?;
        if list.status != PickListStatus::Open {
            return Err(wrong_state(
                "pick list",
                &list.number,
                list.status.as_str(),
                "open",
            ));
        }
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
        for o in &outcome {
            tx.stock_pick(o.product_id, list.warehouse_id, o.picked, &source, now)
                .await?;
            if o.short > 0 {
                tx.stock_release(o.product_id, list.warehouse_id, o.short, &source, now)
                    .await?;
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
                    choice: "backorder".into(),
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
        self.event(&mut tx, ctx, list.order_id, "picked", Some(order.status), Some(order.status), &list.number,
            serde_json::json!({ "pick_list_id": id, "number": list.number, "packages": packages, "short": short_lines }))
            .await?;
        tx.commit().await?;
        let mut tx = self.store.read().await?;
        tx.pick_list_get(id)
            .await?
            .ok_or_else(|| list_not_found(id))
    }

    /// SHP-2: the picked goods leave with a carrier. A delivery note is
    /// numbered, stock leaves the ledger and the order's account is charged
    /// for what shipped (funds first, then credit: FIN-5, ALC-9).
    pub async fn ship(
        &self,
        ctx: &Ctx,
        pick_list: i64,
        input: &ShipInput,
    ) -> AppResult<ShipmentRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let now = self.now();
        let input = input.validate(now.to_zoned(company_time_zone()).date())?;
        let mut tx = self.store.write().await?;
        let list = tx
            .pick_list_get(pick_list)
            .await?
            .ok_or_else(|| list_not_found(pick_list))?;
        if list.status != PickListStatus::Picked {
            return Err(wrong_state(
                "pick list",
                &list.number,
                list.status.as_str(),
                "picked",
            ));
        }
        let before = tx
            .order_get(list.order_id)
            .await?
            .ok_or_else(|| crate::orders::not_found(list.order_id))?;
        let number = self.document_number(&mut tx, "DN").await?;
        let source = format!("delivery note {number}");
        let mut lines = Vec::new();
        let mut charge = Money::ZERO;
        let progress = tx.order_lines(list.order_id).await?;
        let mut changed = Vec::new();
        for l in &list.lines {
            let qty = l.picked.unwrap_or(0);
            if qty == 0 {
                continue;
            }
            let unit_price = before
                .document
                .lines
                .iter()
                .find(|d| d.line_no == l.line_no)
                .map(|d| d.unit_price)
                .unwrap_or(Money::ZERO);
            tx.stock_ship(l.product_id, list.warehouse_id, qty, &source, now)
                .await?;
            if let Some(p) = progress.iter().find(|p| p.line_no == l.line_no) {
                changed.push((p.line_no, p.reserved - qty, p.shipped + qty));
            }
            charge += unit_price.times(qty);
            lines.push(ShipmentLineRow {
                line_no: l.line_no,
                product_id: l.product_id,
                quantity: qty,
                unit_price,
                accepted: None,
                refused: None,
                reason: None,
                disposition: None,
                return_warehouse_id: None,
            });
        }
        tx.order_line_shipped(list.order_id, &changed).await?;
        let remaining: i64 = tx
            .order_lines(list.order_id)
            .await?
            .iter()
            .map(|p| p.quantity - p.shipped)
            .sum();
        let event = if remaining == 0 {
            OrderEvent::ShipRest
        } else {
            OrderEvent::ShipPart
        };
        let mut after = before.clone();
        after.status = before
            .status
            .apply(event)
            .map_err(|e| conflict(e.from, e.event))?;
        after.updated_at = now;
        self.save(&mut tx, ctx, &before, &after).await?;
        if !tx
            .pick_list_status(pick_list, PickListStatus::Picked, PickListStatus::Shipped)
            .await?
        {
            return Err(wrong_state(
                "pick list",
                &list.number,
                "no longer picked",
                "picked",
            ));
        }
        let shipment = ShipmentRow {
            id: 0,
            number: number.clone(),
            order_id: list.order_id,
            order_number: before.number.clone(),
            customer_id: before.customer_id,
            pick_list_id: pick_list,
            warehouse_id: list.warehouse_id,
            status: ShipmentStatus::Shipped,
            carrier: input.carrier.clone(),
            tracking_no: input.tracking_no.clone(),
            packages: input.packages.or(list.packages).unwrap_or(1),
            shipped_at: now,
            eta: input.eta,
            shipped_by: ctx.actor.user_id,
            delivered_at: None,
            signed_by: None,
            delivery_note: None,
            lines,
            tracking: Vec::new(),
        };
        let id = tx.shipment_insert(&shipment).await?;
        if charge.is_positive() {
            tx.account_append(
                before.customer_id,
                &AccountEntry {
                    note: Some(format!("发货 {number}")),
                    ..AccountEntry::new(EntryKind::Charge, charge, Some(before.id))
                },
                now,
                ctx.actor.user_id,
            )
            .await?;
        }
        self.audit(
            &mut tx,
            ctx,
            "shipment",
            id,
            "create",
            vec![FieldChange {
                field: "number".into(),
                before: None,
                after: Some(format!(
                    "{number} ({} {})",
                    input.carrier, input.tracking_no
                )),
            }],
        )
        .await?;
        let payload = serde_json::json!({
            "shipment_id": id, "number": number, "order_number": before.number, "customer_id": before.customer_id,
            "carrier": input.carrier, "tracking_no": input.tracking_no, "eta": input.eta.to_string(),
            "charged": charge,
            "lines": shipment.lines.iter().map(|l| serde_json::json!({"line_no": l.line_no, "product_id": l.product_id, "quantity": l.quantity})).collect::<Vec<_>>(),
        });
        self.event(
            &mut tx,
            ctx,
            before.id,
            "shipped",
            Some(before.status),
            Some(after.status),
            &number,
            payload.clone(),
        )
        .await?;
        self.publish(&mut tx, "shipment.shipped", "shipment", id, payload)
            .await?;
        tx.commit().await?;
        self.shipment_committed(id).await
    }

    async fn shipment_committed(&self, id: i64) -> AppResult<ShipmentRow> {
        let mut tx = self.store.read().await?;
        tx.shipment_get(id)
            .await?
            .ok_or_else(|| shipment_not_found(id))
    }

    /// A shipment with its lines and tracking; portal customers see their
    /// own.
    pub async fn shipment(&self, ctx: &Ctx, id: i64) -> AppResult<ShipmentRow> {
        let mut tx = self.store.read().await?;
        let s = tx
            .shipment_get(id)
            .await?
            .ok_or_else(|| shipment_not_found(id))?;
        Self::may_see(ctx, s.customer_id).map_err(|_| shipment_not_found(id))?;
        Ok(s)
    }

    pub async fn shipments(
        &self,
        ctx: &Ctx,
        order: Option<OrderId>,
        status: Option<ShipmentStatus>,
    ) -> AppResult<Vec<ShipmentRow>> {
        let mut tx = self.store.read().await?;
        if let Some(o) = order {
            let row = self.load_order(&mut tx, ctx, o).await?;
            Self::may_see(ctx, row.customer_id)?;
        } else {
            ctx.require(Permission::ShipmentRead)?;
        }
        Ok(tx.shipments(order, status, self.config.max_page).await?)
    }

    /// SHP-2: one tracking event; the same event twice is kept once. It
    /// shows on the order's timeline, which the customer sees.
    pub async fn add_tracking(
        &self,
        ctx: &Ctx,
        shipment: i64,
        input: &TrackingInput,
        source: &str,
    ) -> AppResult<ShipmentRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut tx = self.store.write().await?;
        let s = tx
            .shipment_get(shipment)
            .await?
            .ok_or_else(|| shipment_not_found(shipment))?;
        self.tracking_in(&mut tx, ctx, &s, input, source, "")
            .await?;
        tx.commit().await?;
        self.shipment_committed(shipment).await
    }

    /// Checks and stores one event; `field` prefixes the error names.
    pub(crate) async fn tracking_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        s: &ShipmentRow,
        input: &TrackingInput,
        source: &str,
        field: &str,
    ) -> AppResult<bool> {
        let mut e = ValidationErrors::new();
        let location = e
            .optional_text(&format!("{field}location"), Some(&input.location), 200)
            .unwrap_or_default();
        let note = e
            .optional_text(&format!("{field}note"), Some(&input.note), 500)
            .unwrap_or_default();
        let now = self.now();
        if input.at > now + jiff::SignedDuration::from_hours(1) {
            e.add(
                format!("{field}at"),
                "in_future",
                format!("{} is in the future", input.at),
            );
        }
        if input.at < s.shipped_at - jiff::SignedDuration::from_hours(24) {
            e.add(
                format!("{field}at"),
                "before_shipping",
                format!(
                    "{} is before the shipment left at {}",
                    input.at, s.shipped_at
                ),
            );
        }
        e.into_result(())?;
        let row = TrackingEventRow {
            id: 0,
            shipment_id: s.id,
            at: input.at,
            status: input.status,
            location,
            note,
            source: source.to_string(),
            recorded_at: now,
            recorded_by: ctx.actor.user_id,
        };
        if !tx.tracking_insert(&row).await? {
            return Ok(false);
        }
        let order = tx
            .order_get(s.order_id)
            .await?
            .ok_or_else(|| crate::orders::not_found(s.order_id))?;
        self.event(tx, ctx, s.order_id, "tracking", Some(order.status), Some(order.status),
            &format!("{} {} {}", s.number, input.status.label_zh(), row.location),
            serde_json::json!({ "shipment_id": s.id, "number": s.number, "tracking_no": s.tracking_no,
                "at": input.at.to_string(), "tracking_status": input.status, "location": row.location, "note": row.note }))
            .await?;
        Ok(true)
    }

    /// SHP-3: the customer signed; accepted and refused per line. Refused
    /// goods return to stock or quarantine and their value is credited.
    pub async fn record_delivery(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &DeliveryInput,
    ) -> AppResult<ShipmentRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut tx = self.store.write().await?;
        let s = tx
            .shipment_get(id)
            .await?
            .ok_or_else(|| shipment_not_found(id))?;
        if s.status != ShipmentStatus::Shipped {
            return Err(wrong_state(
                "shipment",
                &s.number,
                s.status.as_str(),
                "shipped",
            ));
        }
        let shipped: Vec<ShippedLine> = s
            .lines
            .iter()
            .map(|l| ShippedLine {
                line_no: l.line_no,
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
            .collect();
        let lines = check_delivery(&shipped, input)?;
        let quarantine = match input.quarantine_warehouse_id {
            Some(w)
                if lines
                    .iter()
                    .any(|l| l.disposition == Some(Disposition::Quarantine)) =>
            {
                let rec = tx
                    .master_get(EntityKind::Warehouse, w.get())
                    .await?
                    .ok_or_else(|| {
                        ValidationErrors::single(
                            "quarantine_warehouse_id",
                            "unknown_reference",
                            format!("no warehouse with id {w}"),
                        )
                    })?;
                if !typed_record::<WarehouseData>(rec)?.data.active {
                    return Err(ValidationErrors::single(
                        "quarantine_warehouse_id",
                        "inactive",
                        format!("warehouse {w} is not active"),
                    )
                    .into());
                }
                Some(w)
            }
            _ => None,
        };
        let now = self.now();
        let source = format!("delivery note {} refused", s.number);
        let mut refund = Money::ZERO;
        let mut record = Vec::new();
        for l in &lines {
            let to: Option<WarehouseId> = match l.disposition {
                Some(Disposition::Restock) => Some(s.warehouse_id),
                Some(Disposition::Quarantine) => quarantine,
                None => None,
            };
            if let Some(w) = to
                && l.refused > 0
            {
                tx.stock_adjust(l.product_id, w, l.refused, "return", &source, now)
                    .await?;
                refund += l.refused_value;
            }
            record.push((l.clone(), to));
        }
        let signed_by = input.signed_by.trim().to_string();
        if !tx
            .shipment_deliver(
                id,
                &DeliveryRecord {
                    delivered_at: now,
                    signed_by: signed_by.clone(),
                    note: input
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string),
                    recorded_by: ctx.actor.user_id,
                    lines: record,
                },
            )
            .await?
        {
            return Err(wrong_state(
                "shipment",
                &s.number,
                "already delivered",
                "shipped",
            ));
        }
        if refund.is_positive() {
            tx.account_append(
                s.customer_id,
                &AccountEntry {
                    note: Some(format!("拒收退回 {}", s.number)),
                    ..AccountEntry::new(EntryKind::Adjustment, refund, Some(s.order_id))
                },
                now,
                ctx.actor.user_id,
            )
            .await?;
        }
        let before = tx
            .order_get(s.order_id)
            .await?
            .ok_or_else(|| crate::orders::not_found(s.order_id))?;
        let all_delivered = tx
            .shipments(Some(s.order_id), None, u32::MAX)
            .await?
            .iter()
            .all(|x| x.id == id || x.status == ShipmentStatus::Delivered);
        let mut after = before.clone();
        if before.status == OrderStatus::Shipped && all_delivered {
            after.status = before
                .status
                .apply(OrderEvent::Deliver)
                .map_err(|e| conflict(e.from, e.event))?;
        }
        after.updated_at = now;
        self.save(&mut tx, ctx, &before, &after).await?;
        self.audit(
            &mut tx,
            ctx,
            "shipment",
            id,
            "deliver",
            vec![FieldChange {
                field: "status".into(),
                before: Some(s.status.to_string()),
                after: Some(format!("delivered, signed by {signed_by}")),
            }],
        )
        .await?;
        let payload = serde_json::json!({
            "shipment_id": id, "number": s.number, "signed_by": signed_by, "credited": refund,
            "lines": lines.iter().map(|l| serde_json::json!({"line_no": l.line_no, "accepted": l.accepted, "refused": l.refused,
                "reason": l.reason, "disposition": l.disposition})).collect::<Vec<_>>(),
        });
        self.event(
            &mut tx,
            ctx,
            s.order_id,
            "delivered",
            Some(before.status),
            Some(after.status),
            &s.number,
            payload.clone(),
        )
        .await?;
        self.publish(&mut tx, "shipment.delivered", "shipment", id, payload)
            .await?;
        tx.commit().await?;
        self.shipment_committed(id).await
    }

    /// DOC-2: the documents with this number, with where to see them.
    pub async fn lookup_document(&self, ctx: &Ctx, number: &str) -> AppResult<Vec<DocumentRef>> {
        let number = number.trim();
        if number.is_empty() {
            return Err(
                ValidationErrors::single("number", "required", "type a document number").into(),
            );
        }
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for (kind, id) in tx.document_lookup(number).await? {
            let visible = match kind {
                DocumentKind::Order => match tx.order_get(OrderId(id)).await? {
                    Some(o) => {
                        ctx.require(Permission::OrderRead).is_ok()
                            && (ctx.actor.customer_id.is_none()
                                || ctx.actor.customer_id == Some(o.customer_id))
                    }
                    None => false,
                },
                DocumentKind::PickList => {
                    ctx.actor.customer_id.is_none() && ctx.actor.can(Permission::ShipmentRead)
                }
                DocumentKind::Transfer => {
                    ctx.actor.customer_id.is_none()
                        && crate::transfers::can_read_transfers(&ctx.actor)
                }
                DocumentKind::DeliveryNote => match tx.shipment_get(id).await? {
                    Some(s) => Self::may_see(ctx, s.customer_id).is_ok(),
                    None => false,
                },
                DocumentKind::PurchaseOrder => {
                    ctx.actor.customer_id.is_none() && ctx.actor.can(Permission::PurchaseRead)
                }
            };
            if !visible {
                continue;
            }
            let (href, api) = match kind {
                DocumentKind::Order => (format!("/orders/{id}"), format!("/api/v1/orders/{id}")),
                DocumentKind::PickList => (
                    format!("/pick-lists/{id}"),
                    format!("/api/v1/pick-lists/{id}"),
                ),
                DocumentKind::DeliveryNote => (
                    format!("/shipments/{id}"),
                    format!("/api/v1/shipments/{id}"),
                ),
                DocumentKind::PurchaseOrder => (
                    format!("/purchase-orders/{id}"),
                    format!("/api/v1/purchase-orders/{id}"),
                ),
                DocumentKind::Transfer => (
                    format!("/transfers/{id}"),
                    format!("/api/v1/transfers/{id}"),
                ),
            };
            out.push(DocumentRef {
                kind,
                id,
                number: number.to_string(),
                href,
                api,
            });
        }
        if out.is_empty() {
            return Err(AppError::NotFound {
                what: "document",
                id: number.to_string(),
            });
        }
        Ok(out)
    }

    /// Active warehouses `(id, code)`, for choosing where goods go.
    pub async fn warehouse_choices(&self, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
        ctx.require(Permission::WarehouseRead)?;
        let mut tx = self.store.read().await?;
        let q = crate::ports::ListQuery {
            limit: self.config.max_page,
            filters: vec![("active", crate::ports::FilterValue::Bool(true))],
            ..Default::default()
        };
        let mut out = Vec::new();
        for r in tx.master_list(EntityKind::Warehouse, &q).await? {
            let id = r.id;
            out.push((id, typed_record::<WarehouseData>(r)?.data.code));
        }
        Ok(out)
    }

    /// Today in the company's time zone, for date fields.
    pub fn today_date(&self) -> Date {
        self.today()
    }
}
