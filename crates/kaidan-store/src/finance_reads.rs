//! What finance reads of shipments, orders and invoices in SQL (FIN-1,
//! FIN-4, ORD-7): the shipped goods still to invoice, an order's billing
//! facts and the ageing facts; the reading side of `FinanceTx`
//! (`finance.rs`).

use jiff::civil::Date;
use kaidan_app::ports::{BillableScope, StoreError};
use kaidan_domain::finance::{AgeingGroup, AgeingItem, Billable, BillingFacts, OrderBilling};
use kaidan_domain::orders::{OrderStatus, company_time_zone};
use kaidan_domain::{CustomerId, OrderId, ProductId, TaxRate};

use crate::finance::{date, money};
use crate::row::{RowExt, Val, line_no, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_opt};

/// A shipment line `sl` with units still to invoice: shipped, less refused
/// at delivery, less refunded by a return before invoicing (AFS-1), less
/// invoiced, is more than zero.
const TO_INVOICE: &str = "sl.invoiced + COALESCE(sl.refused, 0) + sl.returned < sl.quantity";

/// The first moment of the day after `day` in the company's time zone, in
/// microseconds: what shipped before it shipped on or before `day`.
fn end_of_day_micros(day: Date) -> Result<i64, StoreError> {
    let next = day
        .tomorrow()
        .map_err(|e| StoreError::Other(format!("the day after {day}: {e}")))?;
    let start = next
        .to_zoned(company_time_zone())
        .map_err(|e| StoreError::Other(format!("the start of {next}: {e}")))?;
    Ok(micros(start.timestamp()))
}

/// The key and label of an ageing group, and the join they need, for
/// invoices `i` of customers `cu`.
fn ageing_group(group: AgeingGroup) -> (&'static str, &'static str, &'static str) {
    match group {
        AgeingGroup::Customer => ("CAST(cu.id AS TEXT)", "cu.code || ' ' || cu.name", ""),
        AgeingGroup::SalesRep => (
            "COALESCE(CAST(u.id AS TEXT), 'none')",
            "COALESCE(u.username, '未分配')",
            "LEFT JOIN users u ON u.id = cu.sales_rep_id",
        ),
        AgeingGroup::Region => (
            "COALESCE(CAST(g.id AS TEXT), 'none')",
            "COALESCE(NULLIF(g.name_zh, ''), g.name, '未分配')",
            "LEFT JOIN regions g ON g.id = cu.region_id",
        ),
        AgeingGroup::CustomerKind => ("cu.kind", "cu.kind", ""),
    }
}

impl DbTx {
    pub(crate) async fn billable_lines(
        &mut self,
        scope: BillableScope,
        limit: u32,
    ) -> Result<Vec<Billable>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = vec![TO_INVOICE.to_string()];
        match scope {
            BillableScope::Shipment(id) => {
                vals.push(Val::I(id));
                clauses.push(format!("s.id = ${}", vals.len()));
            }
            BillableScope::Order(o) => {
                vals.push(Val::I(o.get()));
                clauses.push(format!("s.order_id = ${}", vals.len()));
            }
            BillableScope::UpTo { customer, up_to } => {
                vals.push(Val::I(end_of_day_micros(up_to)?));
                clauses.push(format!("s.shipped_at < ${}", vals.len()));
                if let Some(c) = customer {
                    vals.push(Val::I(c.get()));
                    clauses.push(format!("o.customer_id = ${}", vals.len()));
                }
            }
        }
        vals.push(Val::I(i64::from(limit.max(1))));
        let sql = format!(
            "SELECT o.customer_id, s.id AS shipment_id, s.number AS shipment_number, sl.line_no, \
                    s.order_id, COALESCE(o.number, '') AS order_number, sl.product_id, p.sku, \
                    p.name AS product_name, sl.quantity - COALESCE(sl.refused, 0) - sl.returned - sl.invoiced AS left_to_invoice, \
                    sl.unit_price, ol.tax_rate_bp, s.shipped_at, o.contract_id, k.collect_by \
             FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id \
                  JOIN orders o ON o.id = s.order_id \
                  LEFT JOIN contracts k ON k.id = o.contract_id \
                  JOIN order_lines ol ON ol.order_id = s.order_id AND ol.line_no = sl.line_no \
                  JOIN products p ON p.id = sl.product_id \
             {} ORDER BY s.shipped_at, s.id, sl.line_no LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        let tz = company_time_zone();
        Ok(fetch_all!(self, &sql, vals, |r| Ok(Billable {
            customer_id: CustomerId(r.i64("customer_id")?),
            shipment_id: r.i64("shipment_id")?,
            shipment_number: r.text("shipment_number")?,
            shipment_line_no: line_no(r.i64("line_no")?)?,
            order_id: OrderId(r.i64("order_id")?),
            order_number: r.text("order_number")?,
            product_id: ProductId(r.i64("product_id")?),
            sku: r.text("sku")?,
            product_name: r.text("product_name")?,
            quantity: r.i64("left_to_invoice")?,
            unit_price: money(r, "unit_price")?,
            tax_rate: TaxRate::from_basis_points(r.i64("tax_rate_bp")?),
            shipped_on: r.ts("shipped_at")?.to_zoned(tz.clone()).date(),
            contract_id: r.opt_i64("contract_id")?,
            contract_due: r.opt_parsed("collect_by")?,
        })))
    }

    pub(crate) async fn billing_facts_of(
        &mut self,
        order: OrderId,
    ) -> Result<BillingFacts, StoreError> {
        // SUM of BIGINT is NUMERIC in PostgreSQL: cast so both give i64.
        let facts = fetch_opt!(
            self,
            "SELECT o.status, \
                    CAST(COALESCE((SELECT SUM(sl.quantity - COALESCE(sl.refused, 0) - sl.returned) \
                                   FROM shipments s JOIN shipment_lines sl ON sl.shipment_id = s.id \
                                   WHERE s.order_id = o.id), 0) AS BIGINT) AS billable, \
                    CAST(COALESCE((SELECT SUM(sl.invoiced) \
                                   FROM shipments s JOIN shipment_lines sl ON sl.shipment_id = s.id \
                                   WHERE s.order_id = o.id), 0) AS BIGINT) AS invoiced, \
                    CAST(COALESCE((SELECT SUM(i.amount - i.credited - i.paid) FROM invoices i \
                                   WHERE i.kind = 'invoice' AND i.id IN \
                                     (SELECT l.invoice_id FROM invoice_lines l WHERE l.order_id = o.id)), 0) \
                         AS BIGINT) AS open_amount \
             FROM orders o WHERE o.id = $1",
            [order.get()],
            |r| {
                let status: OrderStatus = r.parsed("status")?;
                Ok(BillingFacts {
                    shipped_in_full: matches!(
                        status,
                        OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Closed
                    ),
                    billable: r.i64("billable")?,
                    invoiced: r.i64("invoiced")?,
                    open: money(r, "open_amount")?,
                })
            }
        );
        facts.ok_or_else(|| StoreError::Other(format!("order {} does not exist", order.get())))
    }

    pub(crate) async fn set_billing(
        &mut self,
        order: OrderId,
        billing: OrderBilling,
    ) -> Result<(), StoreError> {
        // Derived, not edited: the order's version stays, so nobody's edit
        // of the order is refused because an invoice was written.
        let n = exec!(
            self,
            "UPDATE orders SET billing = $1 WHERE id = $2",
            [billing.as_str(), order.get()]
        );
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Other(format!(
                "order {} does not exist",
                order.get()
            )))
        }
    }

    pub(crate) async fn ageing_of(
        &mut self,
        as_of: Date,
        group: AgeingGroup,
    ) -> Result<Vec<AgeingItem>, StoreError> {
        let (key, label, join) = ageing_group(group);
        // Open on the day: less the credit notes dated by then and the
        // matches made by then and not undone by then.
        let sql = format!(
            "SELECT x.id, x.due_date, x.open_amount, x.group_key, x.group_label FROM ( \
               SELECT i.id, i.due_date, {key} AS group_key, {label} AS group_label, \
                      CAST(i.amount \
                           - COALESCE((SELECT SUM(c.amount) FROM invoices c \
                                       WHERE c.credit_of = i.id AND c.invoice_date <= $1), 0) \
                           - COALESCE((SELECT SUM(m.amount) FROM payment_matches m \
                                       WHERE m.invoice_id = i.id AND m.matched_on <= $1 \
                                         AND (m.undone_on IS NULL OR m.undone_on > $1)), 0) \
                           AS BIGINT) AS open_amount \
               FROM invoices i JOIN customers cu ON cu.id = i.customer_id {join} \
               WHERE i.kind = 'invoice' AND i.invoice_date <= $1) x \
             WHERE x.open_amount > 0 ORDER BY x.group_key, x.due_date, x.id"
        );
        Ok(fetch_all!(self, &sql, [as_of.to_string()], ageing_item))
    }

    /// The invoices open today from what each keeps, in no order (the
    /// report sums them by group): asked to sort, SQLite walks every
    /// invoice through the customers' index (300 ms at 180,000 invoices
    /// against 40 ms for a plain scan).
    pub(crate) async fn ageing_now(
        &mut self,
        group: AgeingGroup,
    ) -> Result<Vec<AgeingItem>, StoreError> {
        let (key, label, join) = ageing_group(group);
        let sql = format!(
            "SELECT i.id, i.due_date, CAST(i.amount - i.credited - i.paid AS BIGINT) AS open_amount, \
                    {key} AS group_key, {label} AS group_label \
             FROM invoices i JOIN customers cu ON cu.id = i.customer_id {join} \
             WHERE i.kind = 'invoice' AND i.credited + i.paid < i.amount"
        );
        Ok(fetch_all!(self, &sql, [], ageing_item))
    }
}

fn ageing_item(r: &impl RowExt) -> Result<AgeingItem, StoreError> {
    Ok(AgeingItem {
        invoice_id: r.i64("id")?,
        due_date: date(r, "due_date")?,
        open: money(r, "open_amount")?,
        key: r.text("group_key")?,
        label: r.text("group_label")?,
    })
}
