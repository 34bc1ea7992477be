//! What happens once a return is approved: the warehouse receives and
//! inspects the goods (restock, quarantine, scrap: each a movement in the
//! stock ledger, INV-1), then the return is closed by a refund (credit
//! notes on the original invoices, an account credit for what was never
//! invoiced), an exchange (a free replacement order that reserves and
//! ships like any order) or a repair (the customer's goods sent back).

use kaidan_domain::after_sales::{
    ReceiveInput, Remedy, ReturnStep, check_inspection, refund_split,
};
use kaidan_domain::finance::{CreditReason, InvoiceLine, credit_line};
use kaidan_domain::master::WarehouseData;
use kaidan_domain::orders::{AccountEntry, EntryKind, OrderLineInput};
use kaidan_domain::{Money, OrderId, Permission, ValidationErrors, WarehouseId};
use serde::Deserialize;

use super::{next_status, return_in};
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::get_record;
use crate::ports::{ReturnRow, Tx};

/// Closing a received return: what the person closing it says (required
/// for a repair: what was repaired).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteReturnInput {
    #[serde(default)]
    pub note: String,
}

impl App {
    /// The warehouse receives the goods of an approved return and says
    /// per line how many go back on the shelf, to quarantine or to scrap.
    pub async fn receive_return(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ReceiveInput,
    ) -> AppResult<ReturnRow> {
        ctx.require(Permission::ReturnReceive)?;
        let mut tx = self.store.write().await?;
        let mut r = return_in(&mut tx, ctx, id).await?;
        let status = next_status(&r, ReturnStep::Receive)?;
        let (note, lines) = check_inspection(r.remedy, &r.lines, input)?;
        let quarantine = match input.quarantine_warehouse_id {
            Some(w)
                if lines
                    .iter()
                    .any(|l| l.inspection.is_some_and(|i| i.quarantine > 0)) =>
            {
                Some(self.active_warehouse(&mut tx, w).await?)
            }
            _ => None,
        };
        let shipment = tx
            .shipment_get(r.shipment_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "shipment",
                id: r.shipment_id.to_string(),
            })?;
        let now = self.now();
        let source = format!(
            "return {} {}",
            r.rma.as_deref().unwrap_or(&r.number),
            r.number
        );
        for l in &lines {
            let Some(i) = l.inspection else { continue };
            let home = shipment.warehouse_id;
            for (to, units) in [
                (Some(home), i.restock),
                (quarantine, i.quarantine),
                (Some(home), i.scrap),
            ] {
                if let Some(w) = to
                    && units > 0
                {
                    tx.stock_adjust(l.product_id, w, units, "return", &source, now)
                        .await?;
                }
            }
            if i.scrap > 0 {
                tx.stock_adjust(l.product_id, home, -i.scrap, "scrap", &source, now)
                    .await?;
            }
        }
        r.status = status;
        r.lines = lines;
        r.received_by = Some(ctx.actor.user_id);
        r.received_at = Some(now);
        r.receive_note = note;
        r.quarantine_warehouse_id = quarantine;
        self.return_save(&mut tx, &mut r).await?;
        let found = r
            .lines
            .iter()
            .filter_map(|l| {
                l.inspection.map(|i| {
                    format!(
                        "{}: 入库 {} 隔离 {} 报废 {}",
                        l.product_name, i.restock, i.quarantine, i.scrap
                    )
                })
            })
            .collect::<Vec<_>>()
            .join("; ");
        let summary = format!("{} 收货 {found}", r.rma.as_deref().unwrap_or(&r.number));
        self.return_recorded(
            &mut tx,
            ctx,
            &r,
            "receive",
            "return.received",
            summary.trim(),
        )
        .await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn active_warehouse(
        &self,
        tx: &mut Box<dyn Tx>,
        w: WarehouseId,
    ) -> AppResult<WarehouseId> {
        let refused = |code: &'static str, m: String| {
            AppError::from(ValidationErrors::single("quarantine_warehouse_id", code, m))
        };
        let rec = get_record::<WarehouseData>(tx, w.get())
            .await
            .map_err(|_| refused("unknown_reference", format!("no warehouse with id {w}")))?;
        if !rec.data.active {
            return Err(refused("inactive", format!("warehouse {w} is not active")));
        }
        Ok(w)
    }

    /// Closes a received return by its remedy: a refund (finance), an
    /// exchange (the sales manager: the replacement order), a repair (the
    /// warehouse: the goods went back).
    pub async fn complete_return(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &CompleteReturnInput,
    ) -> AppResult<ReturnRow> {
        let mut tx = self.store.write().await?;
        let mut r = return_in(&mut tx, ctx, id).await?;
        ctx.require(match r.remedy {
            Remedy::Refund => Permission::InvoiceWrite,
            Remedy::Exchange => Permission::ReturnApprove,
            Remedy::Repair => Permission::ReturnReceive,
        })?;
        let status = next_status(&r, ReturnStep::Complete)?;
        let mut e = ValidationErrors::new();
        let note = if r.remedy == Remedy::Repair {
            Some(e.text("note", &input.note, kaidan_domain::validation::MAX_REASON))
        } else {
            e.optional_text(
                "note",
                Some(&input.note),
                kaidan_domain::validation::MAX_REASON,
            )
        };
        e.into_result(())?;
        let label = r.rma.clone().unwrap_or_else(|| r.number.clone());
        let (topic, outcome) = match r.remedy {
            Remedy::Refund => (
                "return.refunded",
                self.refund(&mut tx, ctx, &r, &label).await?,
            ),
            Remedy::Exchange => {
                let order = self.replacement_order(&mut tx, ctx, &r, &label).await?;
                r.replacement_order_id = Some(order);
                ("return.exchanged", format!("换货订单 {order}"))
            }
            Remedy::Repair => ("return.repaired", "维修完成".to_string()),
        };
        let outcome = match &note {
            Some(n) => format!("{outcome}; {n}"),
            None => outcome,
        };
        r.status = status;
        r.completed_by = Some(ctx.actor.user_id);
        r.completed_at = Some(self.now());
        r.outcome = Some(outcome.clone());
        self.return_save(&mut tx, &mut r).await?;
        let summary = format!("{label} {}: {outcome}", r.remedy.label_zh());
        self.return_recorded(&mut tx, ctx, &r, "complete", topic, &summary)
            .await?;
        self.refresh_billing(&mut tx, ctx, &[r.order_id]).await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The refund of a return: units never invoiced come off what is left
    /// to invoice and are credited to the account; the rest come off the
    /// line's invoices, newest first, as credit notes (红字, FIN-1), which
    /// credit the account themselves. Says what was done.
    async fn refund(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        r: &ReturnRow,
        label: &str,
    ) -> AppResult<String> {
        let counters = tx.returnable_lines(r.shipment_id).await?;
        let covered = tx.invoice_lines_of_shipment(r.shipment_id).await?;
        let mut uninvoiced = Money::ZERO;
        let mut per_invoice: std::collections::BTreeMap<i64, Vec<InvoiceLine>> =
            std::collections::BTreeMap::new();
        // Units of each invoice line not yet credited: read once per
        // invoice, lowered as this refund credits them.
        let mut creditable: std::collections::BTreeMap<(i64, u32), i64> =
            std::collections::BTreeMap::new();
        let mut invoices: Vec<i64> = covered.iter().map(|(inv, _)| *inv).collect();
        invoices.dedup();
        for inv in invoices {
            let credited = tx.invoice_credited_lines(inv).await?;
            for (_, il) in covered.iter().filter(|(i, _)| *i == inv) {
                let done: i64 = credited
                    .iter()
                    .filter(|c| c.line_no == il.line_no)
                    .map(|c| c.quantity)
                    .sum();
                creditable.insert((inv, il.line_no), il.quantity - done);
            }
        }
        for l in &r.lines {
            let Some(c) = counters.iter().find(|c| c.line_no == l.line_no) else {
                continue;
            };
            let (off, mut to_credit) =
                refund_split(c.quantity, c.refused, c.invoiced, c.returned, l.quantity);
            if off > 0 {
                if !tx
                    .return_mark_returned(r.shipment_id, l.line_no, off)
                    .await?
                {
                    // Invoiced by somebody else since it was read.
                    return Err(AppError::Store(crate::ports::StoreError::Conflict));
                }
                uninvoiced += l.unit_price.times(off);
            }
            for (inv, il) in covered
                .iter()
                .rev()
                .filter(|(_, il)| il.shipment_line_no == l.line_no)
            {
                if to_credit == 0 {
                    break;
                }
                let left = creditable.entry((*inv, il.line_no)).or_default();
                let q = to_credit.min(*left);
                *left -= q;
                if q <= 0 {
                    continue;
                }
                to_credit -= q;
                per_invoice
                    .entry(*inv)
                    .or_default()
                    .push(credit_line(il, q, None)?);
            }
            if to_credit > 0 {
                return Err(AppError::invalid(
                    "status",
                    "already_credited",
                    format!(
                        "{} of {} were already credited on their invoices; nothing left to refund for them",
                        to_credit, l.product_name
                    ),
                ));
            }
        }
        let mut done = Vec::new();
        if uninvoiced.is_positive() {
            self.account_post(
                tx,
                ctx,
                r.customer_id,
                &AccountEntry {
                    note: Some(format!("退货退款 {label} (未开票部分)")),
                    ..AccountEntry::new(EntryKind::Adjustment, uninvoiced, Some(r.order_id))
                },
                self.now(),
            )
            .await?;
            done.push(format!("账户贷记 {uninvoiced}"));
        }
        for (inv_id, lines) in per_invoice.into_iter().rev() {
            let inv = crate::finance::invoice_in(tx, inv_id).await?;
            let cn = self
                .write_credit_note(
                    tx,
                    ctx,
                    &inv,
                    CreditReason::Return,
                    format!("退货 {label}"),
                    lines,
                )
                .await?;
            let number = crate::finance::invoice_in(tx, cn).await?.number;
            done.push(format!("红字 {number} ({})", inv.number));
        }
        Ok(done.join("; "))
    }

    /// The replacement of an exchange: the same products and quantities,
    /// free of charge, to the original order's address; a new order that
    /// goes through review, reserves and ships like any other.
    async fn replacement_order(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        r: &ReturnRow,
        label: &str,
    ) -> AppResult<OrderId> {
        let original = tx
            .order_get(r.order_id)
            .await?
            .ok_or_else(|| crate::orders::not_found(r.order_id))?;
        let mut input = original.document.to_input();
        input.order_date = self.today();
        input.requested_delivery_date = None;
        input.customer_reference = Some(label.to_string());
        input.notes = Some(format!(
            "换货 {label}, 原订单 {}",
            r.order_number.as_deref().unwrap_or("-")
        ));
        input.lines = r
            .lines
            .iter()
            .map(|l| OrderLineInput {
                unit_price: Some(Money::ZERO),
                note: Some(format!("换货 {label}")),
                ..OrderLineInput::new(l.product_id, l.quantity)
            })
            .collect();
        let calendar = kaidan_domain::calendar::BusinessCalendar::new(tx.calendar_days().await?);
        let (priced, _) = self.price(tx, &input).await?;
        self.insert_order_in(tx, ctx, priced, &calendar).await
    }
}
