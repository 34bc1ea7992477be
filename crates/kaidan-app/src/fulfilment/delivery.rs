//! Tracking events and proof of delivery (SHP-2, SHP-3): what the carrier
//! reports and what the customer signed for, with refused or damaged goods
//! put back or written off.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{
    DeliveryInput, Disposition, ShipmentStatus, ShippedLine, check_delivery,
};
use kaidan_domain::master::WarehouseData;
use kaidan_domain::orders::{AccountEntry, EntryKind, OrderEvent, OrderStatus};
use kaidan_domain::{Money, Permission, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::typed_record;
use crate::orders::advance;
use crate::ports::{DeliveryRecord, EntityKind, ShipmentRow, TrackingEventRow, Tx};

use super::*;

impl App {
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
        let s = shipment_in(&mut tx, shipment, None).await?;
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
        self.order_note(tx, ctx, &order, "tracking", &format!("{} {} {}", s.number, input.status.label_zh(), row.location), serde_json::json!({ "shipment_id": s.id, "number": s.number, "tracking_no": s.tracking_no,
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
        let s = shipment_in(&mut tx, id, Some(ShipmentStatus::Shipped)).await?;
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
                    return Err(AppError::invalid(
                        "quarantine_warehouse_id",
                        "inactive",
                        format!("warehouse {w} is not active"),
                    ));
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
            self.account_post(
                &mut tx,
                ctx,
                s.customer_id,
                &AccountEntry {
                    note: Some(format!("拒收退回 {}", s.number)),
                    ..AccountEntry::new(EntryKind::Adjustment, refund, Some(s.order_id))
                },
                now,
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
            after.status = advance(before.status, OrderEvent::Deliver)?;
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
        self.order_moved(
            &mut tx,
            ctx,
            &before,
            &after,
            "delivered",
            &s.number,
            payload.clone(),
        )
        .await?;
        self.publish(&mut tx, "shipment.delivered", "shipment", id, payload)
            .await?;
        // Refused goods already invoiced come off their invoices (FIN-1).
        let refused: Vec<(u32, i64, i64)> = lines
            .iter()
            .filter(|l| l.refused > 0)
            .filter_map(|l| {
                s.lines
                    .iter()
                    .find(|x| x.line_no == l.line_no)
                    .map(|x| (l.line_no, x.quantity, l.refused))
            })
            .collect();
        if !refused.is_empty() {
            self.credit_refusals(&mut tx, ctx, id, &refused).await?;
        }
        self.refresh_billing(&mut tx, ctx, &[s.order_id]).await?;
        tx.commit().await?;
        self.shipment_committed(id).await
    }
}
