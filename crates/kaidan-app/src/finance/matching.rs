//! Matching money to invoices (核销, FIN-3): by default the customer's
//! verified, unapplied money pays its open invoices oldest due first,
//! whenever either side changes (a receipt verified, an invoice issued, a
//! credit note); finance may match by hand. A match is counted on both
//! documents under guards, so the same money never pays twice, even when
//! two people match at once.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{Match, MatchInput, plan_matches};
use kaidan_domain::{CustomerId, Money, Permission};

use super::invoices::invoice_in;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{MatchRow, StoreError, Tx};

impl App {
    /// Applies the customer's unapplied verified money to its open
    /// invoices, oldest due first; returns the matches made.
    pub(crate) async fn auto_match(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<Vec<Match>> {
        let money = tx.open_money(customer).await?;
        if money.is_empty() {
            return Ok(Vec::new());
        }
        let invoices = tx.open_invoices(customer).await?;
        let plan = plan_matches(&invoices, &money);
        for m in &plan {
            self.apply_match(tx, ctx, customer, m).await?;
        }
        if !plan.is_empty() {
            let invoices: Vec<i64> = plan.iter().map(|m| m.invoice_id).collect();
            let mut orders = Vec::new();
            for i in invoices {
                orders.extend(tx.invoice_orders(i).await?);
            }
            self.refresh_billing(tx, ctx, &orders).await?;
        }
        Ok(plan)
    }

    /// Counts one match on both documents (guarded) and records it.
    pub(crate) async fn apply_match(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        customer: CustomerId,
        m: &Match,
    ) -> AppResult<i64> {
        if !tx.receipt_apply(m.receipt_id, m.amount).await?
            || !tx
                .invoice_settle(m.invoice_id, m.amount, Money::ZERO)
                .await?
        {
            return Err(AppError::Store(StoreError::Conflict));
        }
        let id = tx
            .match_insert(
                m.receipt_id,
                m.invoice_id,
                m.amount,
                self.today(),
                ctx.actor.user_id,
                &ctx.actor.username,
            )
            .await?;
        self.audit(
            tx,
            ctx,
            "invoice",
            m.invoice_id,
            "match",
            vec![FieldChange {
                field: "paid".into(),
                before: None,
                after: Some(format!("+{} (receipt {})", m.amount, m.receipt_id)),
            }],
        )
        .await?;
        self.publish(
            tx,
            "payment.matched",
            "invoice",
            m.invoice_id,
            serde_json::json!({
                "match_id": id, "receipt_id": m.receipt_id, "invoice_id": m.invoice_id,
                "customer_id": customer, "amount": m.amount,
            }),
        )
        .await?;
        Ok(id)
    }

    /// Undoes a match: the money goes back to its receipt, the invoice is
    /// open again by that much.
    pub(crate) async fn unmatch(&self, tx: &mut Box<dyn Tx>, m: &MatchRow) -> AppResult<()> {
        if !tx.match_undo(m.id, self.today()).await?
            || !tx.receipt_apply(m.receipt_id, -m.amount).await?
            || !tx
                .invoice_settle(m.invoice_id, -m.amount, Money::ZERO)
                .await?
        {
            return Err(AppError::Store(StoreError::Conflict));
        }
        Ok(())
    }

    /// Finance matches one receipt to one invoice by hand, for the amount
    /// given or as much as both have open.
    pub async fn match_payment(&self, ctx: &Ctx, input: &MatchInput) -> AppResult<MatchRow> {
        ctx.require(Permission::InvoiceWrite)?;
        let mut tx = self.store.write().await?;
        let inv = invoice_in(&mut tx, input.invoice_id).await?;
        let rc = tx.receipt_get(input.receipt_id).await?.ok_or_else(|| {
            AppError::invalid(
                "receipt_id",
                "unknown_reference",
                format!("no receipt with id {}", input.receipt_id),
            )
        })?;
        if rc.customer_id != inv.customer_id {
            return Err(AppError::invalid(
                "invoice_id",
                "other_customer",
                format!(
                    "receipt {} is of another customer than invoice {}",
                    rc.number, inv.number
                ),
            ));
        }
        let amount = input.amount(rc.unapplied(), inv.open())?;
        let m = Match {
            receipt_id: rc.id,
            invoice_id: inv.id,
            amount,
        };
        let id = self.apply_match(&mut tx, ctx, inv.customer_id, &m).await?;
        let orders = tx.invoice_orders(inv.id).await?;
        self.refresh_billing(&mut tx, ctx, &orders).await?;
        let row = tx
            .matches(Some(inv.id), None)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::Store(StoreError::Other("match not written".into())))?;
        tx.commit().await?;
        Ok(row)
    }
}
