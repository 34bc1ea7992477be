//! Order to cash in SQL (FIN-1..4, ORD-7; migration 0015): `FinanceTx`,
//! with invoices and credit notes and their lines here; receipts with their
//! vouchers and matches in `finance_money.rs`; what is left to invoice, an
//! order's billing facts and the ageing facts in `finance_reads.rs`.
//!
//! Units invoiced are counted on the shipment line (and the order line with
//! the same number): an invoice adds its units with a guarded `UPDATE` that
//! never lets invoiced + refused + returned pass what was shipped, so two finance
//! users invoicing the same shipment at once cannot both succeed (on
//! PostgreSQL the second writer waits for the first's row lock and checks
//! the guard again on the committed row).

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    BillableScope, CreditedLine, FinanceTx, InvoiceFilter, MatchRow, ReceiptFilter, StoreError,
    VoucherFile,
};
use kaidan_domain::finance::{
    AgeingGroup, AgeingItem, Billable, BillingFacts, CreditReason, Invoice, InvoiceDocKind,
    InvoiceLine, OpenInvoice, OpenMoney, OrderBilling, Receipt, ReceiptStatus,
};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, TaxRate, UserId};

use crate::row::{RowExt, Val, line_no, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const INVOICE_COLS: &str = "i.id, i.number, i.kind, i.fapiao_kind, i.customer_id, i.credit_of, \
     i.credit_reason, i.note, i.invoice_date, i.due_date, i.amount, i.tax, i.net, i.credited, i.paid, \
     i.buyer_name, i.buyer_tax_number, i.buyer_bank, i.buyer_address, i.fapiao_number, i.fapiao_code, \
     i.created_at, i.created_by";

/// An invoice line with the numbers and names it shows, for `l` joined to
/// its order `o`, shipment `s` and product `p`.
const LINE_COLS: &str = "l.invoice_id, l.line_no, l.order_id, COALESCE(o.number, '') AS order_number, \
     l.shipment_id, s.number AS shipment_number, l.shipment_line_no, l.product_id, p.sku, \
     p.name AS product_name, l.quantity, l.unit_price, l.tax_rate_bp, l.amount, l.tax, l.net";

const LINES_FROM: &str = "invoice_lines l JOIN orders o ON o.id = l.order_id \
     JOIN shipments s ON s.id = l.shipment_id JOIN products p ON p.id = l.product_id";

/// The columns of an invoice line as written, in the order of
/// [`line_vals`].
const LINE_INSERT_COLS: [&str; 12] = [
    "invoice_id",
    "line_no",
    "order_id",
    "shipment_id",
    "shipment_line_no",
    "product_id",
    "quantity",
    "unit_price",
    "tax_rate_bp",
    "amount",
    "tax",
    "net",
];

/// Counting units onto shipment and order lines, and taking them off.
const SHIPMENT_ADD_GUARDED: &str = "UPDATE shipment_lines SET invoiced = invoiced + $1 \
     WHERE shipment_id = $2 AND line_no = $3 AND invoiced + $1 + COALESCE(refused, 0) + returned <= quantity";
const SHIPMENT_TAKE_GUARDED: &str = "UPDATE shipment_lines SET invoiced = invoiced - $1 \
     WHERE shipment_id = $2 AND line_no = $3 AND invoiced >= $1";
const ORDER_ADD: &str =
    "UPDATE order_lines SET invoiced = invoiced + $1 WHERE order_id = $2 AND line_no = $3";
const ORDER_TAKE_GUARDED: &str = "UPDATE order_lines SET invoiced = invoiced - $1 \
     WHERE order_id = $2 AND line_no = $3 AND invoiced >= $1";
const SHIPMENT_ADD: &str =
    "UPDATE shipment_lines SET invoiced = invoiced + $1 WHERE shipment_id = $2 AND line_no = $3";
const SHIPMENT_TAKE: &str =
    "UPDATE shipment_lines SET invoiced = invoiced - $1 WHERE shipment_id = $2 AND line_no = $3";
const ORDER_TAKE: &str =
    "UPDATE order_lines SET invoiced = invoiced - $1 WHERE order_id = $2 AND line_no = $3";

pub(crate) fn date(r: &impl RowExt, col: &str) -> Result<Date, StoreError> {
    r.parsed(col)
}

pub(crate) fn money(r: &impl RowExt, col: &str) -> Result<Money, StoreError> {
    Ok(Money::from_units(r.i64(col)?))
}

fn invoice_from(r: &impl RowExt) -> Result<Invoice, StoreError> {
    Ok(Invoice {
        id: r.i64("id")?,
        number: r.text("number")?,
        kind: r.parsed("kind")?,
        fapiao_kind: r.parsed("fapiao_kind")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        credit_of: r.opt_i64("credit_of")?,
        credit_reason: r.opt_parsed("credit_reason")?,
        note: r.opt_text("note")?,
        invoice_date: date(r, "invoice_date")?,
        due_date: date(r, "due_date")?,
        amount: money(r, "amount")?,
        tax: money(r, "tax")?,
        net: money(r, "net")?,
        credited: money(r, "credited")?,
        paid: money(r, "paid")?,
        buyer: kaidan_domain::finance::Buyer {
            name: r.text("buyer_name")?,
            tax_number: r.opt_text("buyer_tax_number")?,
            bank: r.opt_text("buyer_bank")?,
            address: r.opt_text("buyer_address")?,
        },
        fapiao_number: r.opt_text("fapiao_number")?,
        fapiao_code: r.opt_text("fapiao_code")?,
        created_at: r.ts("created_at")?,
        created_by: UserId(r.i64("created_by")?),
        lines: Vec::new(),
    })
}

fn line_from(r: &impl RowExt) -> Result<(i64, InvoiceLine), StoreError> {
    Ok((
        r.i64("invoice_id")?,
        InvoiceLine {
            line_no: line_no(r.i64("line_no")?)?,
            order_id: OrderId(r.i64("order_id")?),
            order_number: r.text("order_number")?,
            shipment_id: r.i64("shipment_id")?,
            shipment_number: r.text("shipment_number")?,
            shipment_line_no: line_no(r.i64("shipment_line_no")?)?,
            product_id: ProductId(r.i64("product_id")?),
            sku: r.text("sku")?,
            product_name: r.text("product_name")?,
            quantity: r.i64("quantity")?,
            unit_price: money(r, "unit_price")?,
            tax_rate: TaxRate::from_basis_points(r.i64("tax_rate_bp")?),
            amount: money(r, "amount")?,
            tax: money(r, "tax")?,
            net: money(r, "net")?,
        },
    ))
}

fn line_vals(invoice: i64, l: &InvoiceLine) -> Vec<Val> {
    vec![
        Val::I(invoice),
        Val::I(i64::from(l.line_no)),
        Val::I(l.order_id.get()),
        Val::I(l.shipment_id),
        Val::I(i64::from(l.shipment_line_no)),
        Val::I(l.product_id.get()),
        Val::I(l.quantity),
        Val::I(l.unit_price.units()),
        Val::I(l.tax_rate.basis_points()),
        Val::I(l.amount.units()),
        Val::I(l.tax.units()),
        Val::I(l.net.units()),
    ]
}

/// Units of an invoice's lines per (document, line): shipment lines and
/// order lines, in key order, so every writer locks rows in the same order.
type Counts = BTreeMap<(i64, u32), i64>;

fn counts(lines: &[InvoiceLine]) -> (Counts, Counts) {
    let mut shipment = Counts::new();
    let mut order = Counts::new();
    for l in lines.iter().filter(|l| l.quantity != 0) {
        *shipment
            .entry((l.shipment_id, l.shipment_line_no))
            .or_default() += l.quantity;
        *order
            .entry((l.order_id.get(), l.shipment_line_no))
            .or_default() += l.quantity;
    }
    (shipment, order)
}

impl DbTx {
    /// Counts (`add`) or takes off the units of `lines` on their shipment
    /// and order lines. False, with every count it made undone, when a
    /// guard stops one: more than is left to invoice, or fewer invoiced
    /// than a credit takes off.
    async fn count_invoiced(
        &mut self,
        lines: &[InvoiceLine],
        add: bool,
    ) -> Result<bool, StoreError> {
        let (shipment, order) = counts(lines);
        let (ship_do, ship_undo, order_do, order_undo) = if add {
            (SHIPMENT_ADD_GUARDED, SHIPMENT_TAKE, ORDER_ADD, ORDER_TAKE)
        } else {
            (
                SHIPMENT_TAKE_GUARDED,
                SHIPMENT_ADD,
                ORDER_TAKE_GUARDED,
                ORDER_ADD,
            )
        };
        let mut done_ship = Vec::new();
        let mut done_order = Vec::new();
        let mut stopped = false;
        for (&(doc, line), &q) in &shipment {
            if exec!(self, ship_do, [q, doc, i64::from(line)]) != 1 {
                stopped = true;
                break;
            }
            done_ship.push((doc, line, q));
        }
        if !stopped {
            for (&(doc, line), &q) in &order {
                if exec!(self, order_do, [q, doc, i64::from(line)]) != 1 {
                    stopped = true;
                    break;
                }
                done_order.push((doc, line, q));
            }
        }
        if !stopped {
            return Ok(true);
        }
        // The caller drops its transaction on `None`; undoing here keeps
        // the port's word (nothing is written) even if it did not.
        for (doc, line, q) in done_ship {
            exec!(self, ship_undo, [q, doc, i64::from(line)]);
        }
        for (doc, line, q) in done_order {
            exec!(self, order_undo, [q, doc, i64::from(line)]);
        }
        Ok(false)
    }

    async fn invoice_lines_where(
        &mut self,
        condition: &str,
        id: i64,
    ) -> Result<Vec<(i64, InvoiceLine)>, StoreError> {
        let sql = format!(
            "SELECT {LINE_COLS} FROM {LINES_FROM} WHERE {condition} \
             ORDER BY l.invoice_id, l.line_no"
        );
        Ok(fetch_all!(self, &sql, [id], line_from))
    }
}

/// The conditions of a list of a customer's documents (`alias` the
/// document's table) common to invoices and receipts.
pub(crate) fn party_clauses(
    alias: &str,
    customer: Option<CustomerId>,
    sales_rep: Option<UserId>,
    before_id: Option<i64>,
    vals: &mut Vec<Val>,
) -> Vec<String> {
    let mut clauses = Vec::new();
    if let Some(c) = customer {
        vals.push(Val::I(c.get()));
        clauses.push(format!("{alias}.customer_id = ${}", vals.len()));
    }
    if let Some(u) = sales_rep {
        vals.push(Val::I(u.get()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM customers c WHERE c.id = {alias}.customer_id AND c.sales_rep_id = ${})",
            vals.len()
        ));
    }
    if let Some(b) = before_id {
        vals.push(Val::I(b));
        clauses.push(format!("{alias}.id < ${}", vals.len()));
    }
    clauses
}

#[async_trait]
impl FinanceTx for DbTx {
    async fn billables(
        &mut self,
        scope: BillableScope,
        limit: u32,
    ) -> Result<Vec<Billable>, StoreError> {
        self.billable_lines(scope, limit).await
    }

    async fn invoice_insert(&mut self, invoice: &Invoice) -> Result<Option<i64>, StoreError> {
        // Counted first: a writer that finds the units gone leaves before
        // it wrote anything.
        let counting = match (invoice.kind, invoice.credit_reason) {
            (InvoiceDocKind::Invoice, _) => Some(true),
            (InvoiceDocKind::CreditNote, Some(CreditReason::Refused)) => Some(false),
            (InvoiceDocKind::CreditNote, _) => None,
        };
        if let Some(add) = counting
            && !self.count_invoiced(&invoice.lines, add).await?
        {
            return Ok(None);
        }
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO invoices (number, kind, fapiao_kind, customer_id, credit_of, credit_reason, note, \
                                   invoice_date, due_date, amount, tax, net, credited, paid, buyer_name, \
                                   buyer_tax_number, buyer_bank, buyer_address, fapiao_number, fapiao_code, \
                                   created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                     $20, $21, $22) RETURNING id",
            [
                &invoice.number,
                invoice.kind.as_str(),
                invoice.fapiao_kind.as_str(),
                invoice.customer_id.get(),
                invoice.credit_of,
                invoice.credit_reason.map(|r| r.as_str()),
                invoice.note.as_deref(),
                invoice.invoice_date.to_string(),
                invoice.due_date.to_string(),
                invoice.amount.units(),
                invoice.tax.units(),
                invoice.net.units(),
                invoice.credited.units(),
                invoice.paid.units(),
                &invoice.buyer.name,
                invoice.buyer.tax_number.as_deref(),
                invoice.buyer.bank.as_deref(),
                invoice.buyer.address.as_deref(),
                invoice.fapiao_number.as_deref(),
                invoice.fapiao_code.as_deref(),
                micros(invoice.created_at),
                invoice.created_by.get(),
            ]
        );
        let rows: Vec<Vec<Val>> = invoice.lines.iter().map(|l| line_vals(id, l)).collect();
        self.insert_rows("invoice_lines", &LINE_INSERT_COLS, &rows)
            .await?;
        Ok(Some(id))
    }

    async fn invoice_get(&mut self, id: i64) -> Result<Option<Invoice>, StoreError> {
        let sql = format!("SELECT {INVOICE_COLS} FROM invoices i WHERE i.id = $1");
        let Some(mut invoice) = fetch_opt!(self, &sql, [id], invoice_from) else {
            return Ok(None);
        };
        invoice.lines = self
            .invoice_lines_where("l.invoice_id = $1", id)
            .await?
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        Ok(Some(invoice))
    }

    async fn invoice_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT id FROM invoices WHERE number = $1",
            [number]
        ))
    }

    async fn invoices(&mut self, filter: &InvoiceFilter) -> Result<Vec<Invoice>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = party_clauses(
            "i",
            filter.customer,
            filter.sales_rep,
            filter.before_id,
            &mut vals,
        );
        if let Some(k) = filter.kind {
            vals.push(Val::T(k.as_str().into()));
            clauses.push(format!("i.kind = ${}", vals.len()));
        }
        if filter.open_only {
            clauses.push("i.kind = 'invoice' AND i.credited + i.paid < i.amount".into());
        }
        if filter.without_fapiao {
            clauses.push(
                "i.fapiao_number IS NULL AND i.fapiao_kind <> 'none' AND i.kind = 'invoice'".into(),
            );
        }
        if let Some(o) = filter.order {
            vals.push(Val::I(o.get()));
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id AND l.order_id = ${})",
                vals.len()
            ));
        }
        if let Some(of) = filter.credit_of {
            vals.push(Val::I(of));
            clauses.push(format!("i.credit_of = ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(filter.limit.max(1))));
        let sql = format!(
            "SELECT {INVOICE_COLS} FROM invoices i {} ORDER BY i.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, invoice_from))
    }

    async fn invoice_settle(
        &mut self,
        id: i64,
        paid: Money,
        credited: Money,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE invoices SET paid = paid + $1, credited = credited + $2 \
             WHERE id = $3 AND paid + $1 >= 0 AND credited + $2 >= 0 \
               AND credited + $2 + paid + $1 <= amount",
            [paid.units(), credited.units(), id]
        );
        Ok(n == 1)
    }

    async fn invoice_fapiao(
        &mut self,
        id: i64,
        number: &str,
        code: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE invoices SET fapiao_number = $1, fapiao_code = $2 \
             WHERE id = $3 AND fapiao_number IS NULL",
            [number, code, id]
        );
        Ok(n == 1)
    }

    async fn invoice_credited_lines(
        &mut self,
        invoice: i64,
    ) -> Result<Vec<CreditedLine>, StoreError> {
        // A credit note's line has the number of the line it corrects.
        Ok(fetch_all!(
            self,
            "SELECT l.line_no, CAST(SUM(l.quantity) AS BIGINT) AS quantity, \
                    CAST(SUM(l.amount) AS BIGINT) AS amount \
             FROM invoices c JOIN invoice_lines l ON l.invoice_id = c.id \
             WHERE c.credit_of = $1 GROUP BY l.line_no ORDER BY l.line_no",
            [invoice],
            |r| Ok(CreditedLine {
                line_no: line_no(r.i64("line_no")?)?,
                quantity: r.i64("quantity")?,
                amount: money(r, "amount")?,
            })
        ))
    }

    async fn invoice_lines_of_shipment(
        &mut self,
        shipment: i64,
    ) -> Result<Vec<(i64, InvoiceLine)>, StoreError> {
        self.invoice_lines_where(
            "l.shipment_id = $1 AND l.invoice_id IN (SELECT id FROM invoices WHERE kind = 'invoice')",
            shipment,
        )
            .await
    }

    async fn invoice_orders(&mut self, invoice: i64) -> Result<Vec<OrderId>, StoreError> {
        let ids: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT DISTINCT order_id FROM invoice_lines WHERE invoice_id = $1 ORDER BY order_id",
            [invoice]
        );
        Ok(ids.into_iter().map(OrderId).collect())
    }

    async fn open_invoices(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<OpenInvoice>, StoreError> {
        // The condition of the partial index `invoices_open`, as it spells it.
        Ok(fetch_all!(
            self,
            "SELECT id, due_date, amount - credited - paid AS open_amount FROM invoices \
             WHERE customer_id = $1 AND kind = 'invoice' AND credited + paid < amount \
             ORDER BY due_date, id",
            [customer.get()],
            |r| Ok(OpenInvoice {
                id: r.i64("id")?,
                due_date: date(r, "due_date")?,
                open: money(r, "open_amount")?,
            })
        ))
    }

    async fn oldest_open_due_date(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<Date>, StoreError> {
        // The partial index `invoices_open` (customer_id, due_date, id)
        // answers this with its first entry for the customer; its
        // condition is spelt as it spells it so both engines use it.
        let due: Option<String> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT due_date FROM invoices \
             WHERE customer_id = $1 AND kind = 'invoice' AND credited + paid < amount \
             ORDER BY due_date LIMIT 1",
            [customer.get()]
        );
        due.map(|d| {
            d.parse::<Date>()
                .map_err(|e| crate::error::corrupt(format!("invoice due date {d:?}: {e}")))
        })
        .transpose()
    }

    async fn receipt_insert(
        &mut self,
        receipt: &Receipt,
        voucher: Option<&VoucherFile>,
    ) -> Result<i64, StoreError> {
        self.insert_receipt(receipt, voucher).await
    }

    async fn receipt_get(&mut self, id: i64) -> Result<Option<Receipt>, StoreError> {
        self.get_receipt(id).await
    }

    async fn receipts(&mut self, filter: &ReceiptFilter) -> Result<Vec<Receipt>, StoreError> {
        self.list_receipts(filter).await
    }

    async fn receipt_voucher(&mut self, id: i64) -> Result<Option<VoucherFile>, StoreError> {
        self.voucher_of(id).await
    }

    async fn receipt_voucher_set(
        &mut self,
        id: i64,
        voucher: &VoucherFile,
    ) -> Result<(), StoreError> {
        self.set_voucher(id, voucher).await
    }

    async fn receipt_decide(
        &mut self,
        id: i64,
        from: ReceiptStatus,
        to: ReceiptStatus,
        by_name: &str,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.decide_receipt(id, from, to, by_name, at, note).await
    }

    async fn receipt_apply(&mut self, id: i64, delta: Money) -> Result<bool, StoreError> {
        self.apply_receipt(id, delta).await
    }

    async fn open_money(&mut self, customer: CustomerId) -> Result<Vec<OpenMoney>, StoreError> {
        self.open_money_of(customer).await
    }

    async fn match_insert(
        &mut self,
        receipt: i64,
        invoice: i64,
        amount: Money,
        on: Date,
        by: UserId,
        by_name: &str,
    ) -> Result<i64, StoreError> {
        self.insert_match(receipt, invoice, amount, on, by, by_name)
            .await
    }

    async fn matches(
        &mut self,
        invoice: Option<i64>,
        receipt: Option<i64>,
    ) -> Result<Vec<MatchRow>, StoreError> {
        self.list_matches(invoice, receipt).await
    }

    async fn match_undo(&mut self, id: i64, on: Date) -> Result<bool, StoreError> {
        self.undo_match(id, on).await
    }

    async fn order_billing_facts(&mut self, order: OrderId) -> Result<BillingFacts, StoreError> {
        self.billing_facts_of(order).await
    }

    async fn order_billing_set(
        &mut self,
        order: OrderId,
        billing: OrderBilling,
    ) -> Result<(), StoreError> {
        self.set_billing(order, billing).await
    }

    async fn ageing_items(
        &mut self,
        as_of: Date,
        group: AgeingGroup,
    ) -> Result<Vec<AgeingItem>, StoreError> {
        self.ageing_of(as_of, group).await
    }

    async fn ageing_items_now(
        &mut self,
        group: AgeingGroup,
    ) -> Result<Vec<AgeingItem>, StoreError> {
        self.ageing_now(group).await
    }
}
