//! Invoices and credit notes (FIN-1, DOC-1): one shipment, one order, one
//! customer's period, or a batch of everything shipped up to a day; credit
//! notes for returns and price corrections by finance, for refused goods
//! by the delivery record; the fapiao's number once finance issued it.

use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{
    Billable, Buyer, CreditNoteInput, CreditReason, Credited, FapiaoInput, FapiaoKind, Invoice,
    InvoiceDocKind, InvoiceInput, InvoiceLine, InvoiceScope, batch_groups, check_document_date,
    lines_from, refused_to_credit, totals,
};
use kaidan_domain::master::{CustomerData, PaymentTerms};
use kaidan_domain::orders::{AccountEntry, EntryKind};
use kaidan_domain::{CustomerId, Money, OrderId, Permission};
use serde::{Deserialize, Serialize};

use super::{Reach, customer_in};
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{BillableScope, InvoiceFilter, MatchRow, Tx};

/// The most lines one batch reads: a batch beyond it is cut to whole
/// groups and says so (`more`).
const MAX_BATCH_LINES: u32 = 200_000;

/// An invoice with what paid and corrected it, as the API and page show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceView {
    #[serde(flatten)]
    pub invoice: Invoice,
    /// Still to pay.
    pub open: Money,
    pub customer_code: String,
    pub matches: Vec<MatchRow>,
    /// Credit notes against it (headers), or for a credit note the
    /// invoice it corrects.
    pub related: Vec<Invoice>,
}

/// What batch invoicing is asked: everything shipped up to a day, of one
/// customer or all; a preview unless `commit`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInvoiceInput {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub up_to: Date,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// False (the default): only show what would be invoiced.
    #[serde(default)]
    pub commit: bool,
}

/// One invoice of a batch, previewed or written.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceDraft {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub shipments: Vec<String>,
    pub lines: usize,
    pub amount: Money,
    pub tax: Money,
    /// Set once written.
    pub number: Option<String>,
    pub id: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchInvoiceResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub up_to: Date,
    pub committed: bool,
    pub count: usize,
    pub amount: Money,
    pub invoices: Vec<InvoiceDraft>,
    /// More was shipped than one batch takes; run it again.
    pub more: bool,
}

/// Where a scope's refusal is reported.
fn scope_field(scope: InvoiceScope) -> &'static str {
    match scope {
        InvoiceScope::Shipment(_) => "shipment_id",
        InvoiceScope::Order(_) => "order_id",
        InvoiceScope::Customer { .. } => "customer_id",
    }
}

fn buyer_of(data: &CustomerData) -> Buyer {
    Buyer {
        name: data.name.clone(),
        tax_number: data.tax_number.clone(),
        bank: data.bank_account.clone(),
        address: data.address.clone(),
    }
}

impl App {
    /// Shipped goods not yet invoiced (the "to invoice" list), up to a day,
    /// of one customer or all.
    pub async fn to_invoice(
        &self,
        ctx: &Ctx,
        up_to: Option<Date>,
        customer: Option<CustomerId>,
        limit: u32,
    ) -> AppResult<Vec<Billable>> {
        ctx.require(Permission::InvoiceWrite)?;
        let mut tx = self.store.read().await?;
        let up_to = up_to.unwrap_or_else(|| self.today());
        Ok(tx
            .billables(
                BillableScope::UpTo { customer, up_to },
                limit.min(self.config.max_page),
            )
            .await?)
    }

    /// Invoices one shipment, one order, or one customer's goods shipped up
    /// to a day (FIN-1).
    pub async fn issue_invoice(&self, ctx: &Ctx, input: &InvoiceInput) -> AppResult<InvoiceView> {
        ctx.require(Permission::InvoiceWrite)?;
        let today = self.today();
        let (scope, date, note) = input.validate(today)?;
        let mut tx = self.store.write().await?;
        let billables = tx
            .billables(
                match scope {
                    InvoiceScope::Shipment(s) => BillableScope::Shipment(s),
                    InvoiceScope::Order(o) => BillableScope::Order(o),
                    InvoiceScope::Customer { customer, up_to } => BillableScope::UpTo {
                        customer: Some(customer),
                        up_to,
                    },
                },
                MAX_BATCH_LINES,
            )
            .await?;
        let Some(first) = billables.first() else {
            return Err(AppError::invalid(
                scope_field(scope),
                "nothing_to_invoice",
                "nothing shipped is left to invoice here (not shipped yet, refused, or invoiced already)",
            ));
        };
        if billables.iter().any(|b| b.contract_id != first.contract_id) {
            return Err(AppError::invalid(
                scope_field(scope),
                "several_contracts",
                "these goods belong to different contracts (or to a contract and to no contract); \
                 one invoice holds one contract's goods: invoice them by order or by the batch",
            ));
        }
        let customer = first.customer_id;
        let data = customer_in(&mut tx, customer, "customer_id").await?;
        let id = self
            .write_invoice(
                &mut tx,
                ctx,
                customer,
                &data,
                billables,
                date,
                input.fapiao_kind,
                note,
            )
            .await?;
        let view = invoice_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Batch invoicing: everything shipped up to a day and not invoiced,
    /// one invoice per shipment, or per customer for customers on monthly
    /// settlement; a preview unless `commit` (FIN-1).
    pub async fn batch_invoice(
        &self,
        ctx: &Ctx,
        input: &BatchInvoiceInput,
    ) -> AppResult<BatchInvoiceResult> {
        ctx.require(Permission::InvoiceWrite)?;
        let today = self.today();
        check_document_date("up_to", Some(input.up_to), today)?;
        let mut tx = if input.commit {
            self.store.write_bulk().await?
        } else {
            self.store.read().await?
        };
        let mut billables = tx
            .billables(
                BillableScope::UpTo {
                    customer: input.customer_id,
                    up_to: input.up_to,
                },
                MAX_BATCH_LINES + 1,
            )
            .await?;
        let more = billables.len() > MAX_BATCH_LINES as usize;
        if more {
            // Cut at a shipment boundary so no shipment is half invoiced.
            billables.truncate(MAX_BATCH_LINES as usize);
            if let Some(last) = billables.last().map(|b| b.shipment_id) {
                billables.retain(|b| b.shipment_id != last);
            }
        }
        let mut customers: std::collections::HashMap<CustomerId, CustomerData> =
            std::collections::HashMap::new();
        for b in &billables {
            if let std::collections::hash_map::Entry::Vacant(e) = customers.entry(b.customer_id) {
                e.insert(customer_in(&mut tx, b.customer_id, "customer_id").await?);
            }
        }
        let monthly = |c: CustomerId| {
            customers
                .get(&c)
                .is_some_and(|d| d.payment_terms == PaymentTerms::MonthlySettlement)
        };
        let groups = batch_groups(billables, monthly);
        let mut out = Vec::with_capacity(groups.len());
        let mut amount = Money::ZERO;
        for group in groups {
            let Some(first) = group.first() else { continue };
            let customer = first.customer_id;
            let Some(data) = customers.get(&customer) else {
                continue;
            };
            let lines = lines_from(&group)?;
            let t = totals(&lines, "up_to")?;
            let mut shipments: Vec<String> =
                group.iter().map(|b| b.shipment_number.clone()).collect();
            shipments.dedup();
            let mut draft = InvoiceDraft {
                customer_id: customer,
                customer_name: data.name.clone(),
                shipments,
                lines: lines.len(),
                amount: t.amount,
                tax: t.tax,
                number: None,
                id: None,
            };
            if input.commit {
                let id = self
                    .write_invoice(&mut tx, ctx, customer, data, group, today, None, None)
                    .await?;
                draft.id = Some(id);
                draft.number = tx.invoice_get(id).await?.map(|i| i.number);
            }
            amount += t.amount;
            out.push(draft);
        }
        if input.commit {
            tx.commit().await?;
        }
        Ok(BatchInvoiceResult {
            up_to: input.up_to,
            committed: input.commit,
            count: out.len(),
            amount,
            invoices: out,
            more,
        })
    }

    /// Writes one invoice for `billables` of one customer: priced from the
    /// order lines, due by the customer's terms, counted on the shipment
    /// lines (refused when someone invoiced them meanwhile), audited and
    /// published; the customer's unapplied money is matched to it and its
    /// orders' billing follows.
    #[allow(clippy::too_many_arguments)]
    async fn write_invoice(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        customer: CustomerId,
        data: &CustomerData,
        billables: Vec<Billable>,
        date: Date,
        kind: Option<FapiaoKind>,
        note: Option<String>,
    ) -> AppResult<i64> {
        let lines = lines_from(&billables)?;
        let t = totals(&lines, "lines")?;
        let fapiao_kind = kind.unwrap_or(if data.tax_number.is_some() {
            FapiaoKind::VatSpecial
        } else {
            FapiaoKind::VatOrdinary
        });
        if fapiao_kind == FapiaoKind::VatSpecial && data.tax_number.is_none() {
            return Err(AppError::invalid(
                "fapiao_kind",
                "tax_number_missing",
                format!(
                    "a VAT special invoice needs the buyer's taxpayer number; customer {} has none",
                    data.code
                ),
            ));
        }
        let number = self.document_number(tx, "IV").await?;
        let invoice = Invoice {
            id: 0,
            number: number.clone(),
            kind: InvoiceDocKind::Invoice,
            fapiao_kind,
            customer_id: customer,
            credit_of: None,
            credit_reason: None,
            note,
            invoice_date: date,
            // Goods of an order against a contract fall due when the
            // contract says, counted from its signing (FIN-4, ADR 0037),
            // but never before the invoice exists.
            due_date: match billables.first().and_then(|b| b.contract_due) {
                Some(due) => due.max(date),
                None => self
                    .config
                    .finance
                    .due_date(data.payment_terms, data.net_days, date),
            },
            amount: t.amount,
            tax: t.tax,
            net: t.net,
            credited: Money::ZERO,
            paid: Money::ZERO,
            buyer: buyer_of(data),
            fapiao_number: None,
            fapiao_code: None,
            created_at: self.now(),
            created_by: ctx.actor.user_id,
            lines,
        };
        let Some(id) = tx.invoice_insert(&invoice).await? else {
            return Err(AppError::invalid(
                "shipment_id",
                "already_invoiced",
                "these goods were invoiced meanwhile by someone else; reload the list",
            ));
        };
        let orders = orders_of(&invoice.lines);
        self.audit(
            tx,
            ctx,
            "invoice",
            id,
            "issue",
            vec![FieldChange {
                field: "amount".into(),
                before: None,
                after: Some(format!("{number} {}", invoice.amount)),
            }],
        )
        .await?;
        self.publish(
            tx,
            "invoice.issued",
            "invoice",
            id,
            serde_json::json!({
                "id": id, "number": number, "customer_id": customer, "amount": invoice.amount,
                "tax": invoice.tax, "due_date": invoice.due_date.to_string(),
                "orders": orders,
            }),
        )
        .await?;
        self.auto_match(tx, ctx, customer).await?;
        self.refresh_billing(tx, ctx, &orders).await?;
        Ok(id)
    }

    /// One invoice or credit note with its matches and related documents.
    pub async fn invoice(&self, ctx: &Ctx, id: i64) -> AppResult<InvoiceView> {
        let reach = Reach::of(ctx)?;
        let mut tx = self.store.read().await?;
        let view = invoice_view(&mut tx, id).await?;
        let data = customer_in(&mut tx, view.invoice.customer_id, "customer_id").await?;
        reach.check(view.invoice.customer_id, &data)?;
        Ok(view)
    }

    /// An invoice by its number (DOC-2).
    pub async fn invoice_by_number(&self, ctx: &Ctx, number: &str) -> AppResult<InvoiceView> {
        let id = {
            let mut tx = self.store.read().await?;
            tx.invoice_by_number(number.trim()).await?
        };
        match id {
            Some(id) => self.invoice(ctx, id).await,
            None => Err(AppError::NotFound {
                what: "invoice",
                id: number.to_string(),
            }),
        }
    }

    /// Invoices and credit notes, newest first, within the actor's reach.
    pub async fn invoices(&self, ctx: &Ctx, mut filter: InvoiceFilter) -> AppResult<Vec<Invoice>> {
        match Reach::of(ctx)? {
            Reach::All => {}
            Reach::Rep(u) => filter.sales_rep = Some(u),
            Reach::Customer(c) => filter.customer = Some(c),
        }
        filter.limit = filter.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.invoices(&filter).await?)
    }

    /// Records the official fapiao's number and code (issued by finance in
    /// the tax system; Kaidan does not talk to it).
    pub async fn record_fapiao(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &FapiaoInput,
    ) -> AppResult<InvoiceView> {
        ctx.require(Permission::InvoiceWrite)?;
        let (number, code) = input.validate()?;
        let mut tx = self.store.write().await?;
        let inv = invoice_in(&mut tx, id).await?;
        if inv.fapiao_kind == FapiaoKind::NoFapiao {
            return Err(AppError::invalid(
                "number",
                "no_fapiao",
                format!("invoice {} is issued without fapiao", inv.number),
            ));
        }
        if !tx.invoice_fapiao(id, &number, code.as_deref()).await? {
            return Err(AppError::invalid(
                "number",
                "already_recorded",
                format!(
                    "invoice {} already has fapiao {}",
                    inv.number,
                    inv.fapiao_number.unwrap_or_default()
                ),
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "invoice",
            id,
            "fapiao",
            vec![FieldChange {
                field: "fapiao_number".into(),
                before: None,
                after: Some(format!("{number} {}", code.unwrap_or_default())),
            }],
        )
        .await?;
        let view = invoice_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A credit note (红字) for a return or a price correction: never more
    /// than the invoice has left; the customer's account is credited; money
    /// already matched beyond what stays open goes back to the customer's
    /// unapplied money (FIN-1, FIN-5).
    pub async fn credit_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &CreditNoteInput,
    ) -> AppResult<InvoiceView> {
        ctx.require(Permission::InvoiceWrite)?;
        let mut tx = self.store.write().await?;
        let inv = invoice_in(&mut tx, id).await?;
        let credited = tx.invoice_credited_lines(id).await?;
        let (note, lines) = input.lines(&inv, |line_no| {
            credited
                .iter()
                .find(|c| c.line_no == line_no)
                .map(|c| Credited {
                    quantity: c.quantity,
                    amount: c.amount,
                })
                .unwrap_or_default()
        })?;
        let cn = self
            .write_credit_note(&mut tx, ctx, &inv, input.reason, note, lines)
            .await?;
        let view = invoice_view(&mut tx, cn).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Credit notes for goods refused at delivery (SHP-3) that were already
    /// invoiced: the refused units the never-invoiced rest of the line
    /// does not cover come off its invoices, newest invoice first. The
    /// delivery record credits the account itself, so these post nothing.
    pub(crate) async fn credit_refusals(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        shipment: i64,
        refused: &[(u32, i64, i64)],
    ) -> AppResult<()> {
        let covered = tx.invoice_lines_of_shipment(shipment).await?;
        let mut per_invoice: std::collections::BTreeMap<i64, Vec<InvoiceLine>> =
            std::collections::BTreeMap::new();
        for &(line_no, shipped, refused_qty) in refused {
            let mine: Vec<&(i64, InvoiceLine)> = covered
                .iter()
                .filter(|(_, l)| l.shipment_line_no == line_no)
                .collect();
            let invoiced: i64 = mine.iter().map(|(_, l)| l.quantity).sum();
            let mut left = refused_to_credit(shipped, invoiced, refused_qty);
            for (inv, l) in mine.iter().rev() {
                if left == 0 {
                    break;
                }
                let q = left.min(l.quantity);
                left -= q;
                per_invoice
                    .entry(*inv)
                    .or_default()
                    .push(kaidan_domain::finance::credit_line(l, q, None)?);
            }
        }
        for (inv_id, lines) in per_invoice.into_iter().rev() {
            let inv = invoice_in(tx, inv_id).await?;
            self.write_credit_note(
                tx,
                ctx,
                &inv,
                CreditReason::Refused,
                "拒收 (SHP-3)".to_string(),
                lines,
            )
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn write_credit_note(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        inv: &Invoice,
        reason: CreditReason,
        note: String,
        lines: Vec<InvoiceLine>,
    ) -> AppResult<i64> {
        let t = totals(&lines, "lines")?;
        let room = inv.amount - inv.credited;
        if t.amount > room {
            return Err(AppError::invalid(
                "lines",
                "above_invoice",
                format!(
                    "{} is more than the {room} invoice {} has left to credit",
                    t.amount, inv.number
                ),
            ));
        }
        // Money matched beyond what stays open goes back to the receipts.
        let mut excess = t.amount - (inv.amount - inv.credited - inv.paid).max(Money::ZERO);
        if excess.is_positive() {
            let mut matches = tx.matches(Some(inv.id), None).await?;
            matches.retain(|m| m.undone_on.is_none());
            for m in matches.iter().rev() {
                if !excess.is_positive() {
                    break;
                }
                self.unmatch(tx, m).await?;
                excess -= m.amount;
            }
        }
        let today = self.today();
        let number = self.document_number(tx, "CN").await?;
        let cn = Invoice {
            id: 0,
            number: number.clone(),
            kind: InvoiceDocKind::CreditNote,
            fapiao_kind: inv.fapiao_kind,
            customer_id: inv.customer_id,
            credit_of: Some(inv.id),
            credit_reason: Some(reason),
            note: Some(note.clone()),
            invoice_date: today,
            due_date: today,
            amount: t.amount,
            tax: t.tax,
            net: t.net,
            credited: Money::ZERO,
            paid: Money::ZERO,
            buyer: inv.buyer.clone(),
            fapiao_number: None,
            fapiao_code: None,
            created_at: self.now(),
            created_by: ctx.actor.user_id,
            lines,
        };
        let Some(cn_id) = tx.invoice_insert(&cn).await? else {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        };
        if !tx.invoice_settle(inv.id, Money::ZERO, t.amount).await? {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        }
        if reason != CreditReason::Refused {
            self.account_post(
                tx,
                ctx,
                inv.customer_id,
                &AccountEntry {
                    note: Some(format!("红字 {number} ({})", inv.number)),
                    ..AccountEntry::new(EntryKind::Adjustment, t.amount, None)
                },
                self.now(),
            )
            .await?;
        }
        self.audit(
            tx,
            ctx,
            "invoice",
            inv.id,
            "credit",
            vec![FieldChange {
                field: "credited".into(),
                before: Some(inv.credited.to_string()),
                after: Some(format!("{} ({number}: {note})", inv.credited + t.amount)),
            }],
        )
        .await?;
        let orders = orders_of(&cn.lines);
        self.publish(
            tx,
            "invoice.credited",
            "invoice",
            inv.id,
            serde_json::json!({
                "id": cn_id, "number": number, "credit_of": inv.id, "invoice_number": inv.number,
                "customer_id": inv.customer_id, "amount": t.amount, "reason": reason, "note": note,
            }),
        )
        .await?;
        self.auto_match(tx, ctx, inv.customer_id).await?;
        self.refresh_billing(tx, ctx, &orders).await?;
        Ok(cn_id)
    }
}

/// The distinct orders of some lines.
fn orders_of(lines: &[InvoiceLine]) -> Vec<OrderId> {
    let mut v: Vec<OrderId> = lines.iter().map(|l| l.order_id).collect();
    v.sort();
    v.dedup();
    v
}

pub(crate) async fn invoice_in(tx: &mut Box<dyn Tx>, id: i64) -> AppResult<Invoice> {
    tx.invoice_get(id).await?.ok_or_else(|| AppError::NotFound {
        what: "invoice",
        id: id.to_string(),
    })
}

async fn invoice_view(tx: &mut Box<dyn Tx>, id: i64) -> AppResult<InvoiceView> {
    let invoice = invoice_in(tx, id).await?;
    let data = customer_in(tx, invoice.customer_id, "customer_id").await?;
    let matches = tx.matches(Some(id), None).await?;
    let related = match invoice.credit_of {
        Some(of) => tx.invoice_get(of).await?.into_iter().collect(),
        // The exact, indexed read of this invoice's credit notes; the cap
        // only guards against a runaway list (together they never exceed
        // the invoice, so there are few).
        None => {
            tx.invoices(&InvoiceFilter {
                credit_of: Some(id),
                limit: 10_000,
                ..InvoiceFilter::default()
            })
            .await?
        }
    };
    Ok(InvoiceView {
        open: invoice.open(),
        customer_code: data.code,
        invoice,
        matches,
        related,
    })
}
