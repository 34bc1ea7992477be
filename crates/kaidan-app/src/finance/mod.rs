//! Order to cash (FIN-1..4, ORD-7, DOC-1; ADR 0021): finance invoices what
//! shipped (`invoices`), registers and verifies receipts (`receipts`),
//! matches money to invoices (`matching`) and reads the receivables' ageing
//! (`ageing`). Each step keeps the orders it touches billed right
//! (`refresh_billing`): invoiced, paid, and closed once shipped and paid in
//! full.
//!
//! Who sees what: finance and managers (`invoice.read` with
//! `account.read`) every customer; a sales rep (`invoice.read` without
//! `account.read`) the customers he is the rep of; a portal user its own.

mod ageing;
mod bank;
mod invoices;
mod matching;
mod receipts;

pub use bank::{BankImportReport, BankLineView, BankReceipt};
pub(crate) use invoices::invoice_in;
pub use invoices::{BatchInvoiceInput, BatchInvoiceResult, InvoiceDraft, InvoiceView};
pub(crate) use receipts::checked_voucher;
pub use receipts::{ReceiptView, VoucherUpload};

use kaidan_domain::finance::{BillingFacts, OrderBilling};
use kaidan_domain::fulfilment::ShipmentStatus;
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{OrderEvent, OrderStatus};
use kaidan_domain::{CustomerId, OrderId, Permission, UserId};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::get_record;
use crate::ports::{OrderRow, Tx};

/// Whose money documents an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every customer's.
    All,
    /// The customers of this sales rep.
    Rep(UserId),
    /// One customer's (a portal user).
    Customer(CustomerId),
}

impl Reach {
    /// Needs `invoice.read`; finance and managers also hold `account.read`.
    pub(crate) fn of(ctx: &Ctx) -> AppResult<Reach> {
        if let Some(c) = ctx.actor.customer_id {
            return Ok(Reach::Customer(c));
        }
        ctx.require(Permission::InvoiceRead)?;
        if ctx.actor.can(Permission::AccountRead) {
            Ok(Reach::All)
        } else {
            Ok(Reach::Rep(ctx.actor.user_id))
        }
    }

    /// Refused unless the customer is within reach.
    pub(crate) fn check(self, customer: CustomerId, data: &CustomerData) -> AppResult<()> {
        let ok = match self {
            Reach::All => true,
            Reach::Rep(u) => data.sales_rep_id == Some(u),
            Reach::Customer(c) => c == customer,
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::InvoiceRead))
        }
    }
}

/// The customer's record, or `unknown_reference` at `field`.
pub(crate) async fn customer_in(
    tx: &mut Box<dyn Tx>,
    customer: CustomerId,
    field: &str,
) -> AppResult<CustomerData> {
    match get_record::<CustomerData>(tx, customer.get()).await {
        Ok(r) => Ok(r.data),
        Err(AppError::NotFound { .. }) => Err(AppError::invalid(
            field,
            "unknown_reference",
            format!("no customer with id {customer}"),
        )),
        Err(e) => Err(e),
    }
}

impl App {
    /// Derives the billing of each order (ORD-7) after an invoice, credit
    /// note or match touched it, stores it, and closes an order that is
    /// shipped and paid in full (its timeline says so).
    pub(crate) async fn refresh_billing(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        orders: &[OrderId],
    ) -> AppResult<()> {
        let mut seen = std::collections::BTreeSet::new();
        for &order in orders {
            if !seen.insert(order) {
                continue;
            }
            let facts: BillingFacts = tx.order_billing_facts(order).await?;
            let billing = OrderBilling::of(facts);
            let Some(before) = tx.order_get(order).await? else {
                continue;
            };
            if before.billing != billing {
                tx.order_billing_set(order, billing).await?;
            }
            let closes = billing == OrderBilling::Paid
                && matches!(before.status, OrderStatus::Shipped | OrderStatus::Delivered);
            if closes {
                let mut after = before.clone();
                after.status = crate::orders::advance(before.status, OrderEvent::Close)?;
                after.billing = billing;
                after.updated_at = self.now();
                self.save(tx, ctx, &before, &after).await?;
                self.order_moved(
                    tx,
                    ctx,
                    &before,
                    &after,
                    "closed",
                    "shipped, invoiced and paid in full",
                    serde_json::json!({ "billing": billing }),
                )
                .await?;
            } else if before.status == OrderStatus::Closed && billing != OrderBilling::Paid {
                self.reopen(tx, ctx, &before, billing).await?;
            } else if before.billing != billing {
                self.order_note(
                    tx,
                    ctx,
                    &before,
                    "billing",
                    billing.label_zh(),
                    serde_json::json!({ "billing": billing }),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A closed order whose money was taken back (a reversed receipt, an
    /// undone match) is open again: shipped, or delivered when every
    /// shipment has its proof of delivery, so that it shows among what
    /// finance still has to collect (ORD-7).
    async fn reopen(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        billing: OrderBilling,
    ) -> AppResult<()> {
        let mut after = before.clone();
        after.status = crate::orders::advance(before.status, OrderEvent::PaymentUndone)?;
        let all_delivered = tx
            .shipments(Some(before.id), None, u32::MAX)
            .await?
            .iter()
            .all(|s| s.status == ShipmentStatus::Delivered);
        if all_delivered {
            after.status = crate::orders::advance(after.status, OrderEvent::Deliver)?;
        }
        after.billing = billing;
        after.updated_at = self.now();
        self.save(tx, ctx, before, &after).await?;
        self.order_moved(
            tx,
            ctx,
            before,
            &after,
            "reopened",
            "no longer paid in full: money was reversed or a match undone",
            serde_json::json!({ "billing": billing }),
        )
        .await
    }
}
