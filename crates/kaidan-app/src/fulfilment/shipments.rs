//! Shipments (SHP-2): picked goods leave the warehouse with a carrier; the
//! stock ledger, the order's progress and its timeline follow.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{PickListStatus, ShipInput, ShipmentStatus};
use kaidan_domain::orders::{
    AccountEntry, DeadlineKind, DeadlineRecord, EntryKind, OrderEvent, company_time_zone,
};
use kaidan_domain::{Money, OrderId, Permission};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::orders::advance;
use crate::ports::{ShipmentLineRow, ShipmentRow, StockStep};

use super::*;

impl App {
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
        let list = pick_list_in(&mut tx, pick_list, PickListStatus::Picked).await?;
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
            tx.stock_step(
                StockStep::Ship,
                l.product_id,
                list.warehouse_id,
                qty,
                &source,
                now,
            )
            .await?;
            if let Some(p) = progress.iter().find(|p| p.line_no == l.line_no) {
                changed.push((p.line_no, p.reserved - qty, p.shipped + qty));
            }
            // In fen per line, as the invoice line will be (FIN-1).
            charge += unit_price.times(qty).round_to_fen();
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
        self.check_prepaid(&mut tx, before.customer_id, charge)
            .await?;
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
        after.status = advance(before.status, event)?;
        after.updated_at = now;
        self.save(&mut tx, ctx, &before, &after).await?;
        // ORD-6: the ship deadline is decided when the last line ships.
        let ship_record = (event == OrderEvent::ShipRest)
            .then(|| DeadlineRecord::of(DeadlineKind::Ship, before.ship_due_at, now));
        if let Some(r) = &ship_record {
            tx.deadline_record(before.id, r).await?;
        }
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
            self.account_post(
                &mut tx,
                ctx,
                before.customer_id,
                &AccountEntry {
                    note: Some(format!("发货 {number}")),
                    ..AccountEntry::new(EntryKind::Charge, charge, Some(before.id))
                },
                now,
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
            "ship_met": ship_record.as_ref().map(|r| r.met),
        });
        self.order_moved(
            &mut tx,
            ctx,
            &before,
            &after,
            "shipped",
            &number,
            payload.clone(),
        )
        .await?;
        self.publish(&mut tx, "shipment.shipped", "shipment", id, payload)
            .await?;
        // More goods left: an order billed before is billed in part again.
        if before.billing != kaidan_domain::finance::OrderBilling::Uninvoiced {
            self.refresh_billing(&mut tx, ctx, &[before.id]).await?;
        }
        tx.commit().await?;
        self.shipment_committed(id).await
    }

    /// FIN-2: a customer on prepayment gets goods only against money it
    /// has paid: its funds (verified receipts not yet spent) must cover the
    /// shipment's charge, else the shipment is refused and says how much
    /// is missing.
    async fn check_prepaid(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
        customer: kaidan_domain::CustomerId,
        charge: Money,
    ) -> AppResult<()> {
        let data = crate::finance::customer_in(tx, customer, "customer_id").await?;
        if data.payment_terms != kaidan_domain::master::PaymentTerms::Prepayment
            || !charge.is_positive()
        {
            return Ok(());
        }
        let funds = kaidan_domain::orders::AccountBalance::from_entries(
            tx.account_entries(customer).await?.iter().map(|(_, e)| e),
        )
        .funds;
        if funds < charge {
            return Err(crate::error::AppError::invalid(
                "customer_id",
                "not_prepaid",
                format!(
                    "customer {} pays in advance: the shipment needs {charge} but only {funds} is paid and unspent; verify its receipt first",
                    data.code
                ),
            ));
        }
        Ok(())
    }

    pub(super) async fn shipment_committed(&self, id: i64) -> AppResult<ShipmentRow> {
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
}
