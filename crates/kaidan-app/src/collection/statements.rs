//! Statements of account (对账单, FIN-4): a customer's month — opening
//! balance, invoices, credit notes, verified receipts and reversals,
//! closing balance, the ageing of its open invoices on the last day — and
//! the customer's confirmation or dispute of it, recorded with the closing
//! balance it answered to (the customer portal will record its own later).

use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{
    AgeingGroup, AgeingItem, ConfirmationInput, Period, Statement, StatementConfirmation, age,
    fold_statement,
};
use kaidan_domain::master::CustomerData;
use kaidan_domain::{CustomerId, Permission};

use super::start_of;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::{Reach, customer_in};
use crate::ports::Tx;

impl App {
    /// The customer's record within the actor's reach (404 when unknown).
    async fn statement_customer(
        tx: &mut Box<dyn Tx>,
        reach: Reach,
        customer: CustomerId,
    ) -> AppResult<CustomerData> {
        let data = match customer_in(tx, customer, "customer_id").await {
            Err(AppError::Invalid(_)) => {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: customer.to_string(),
                });
            }
            other => other?,
        };
        reach.check(customer, &data)?;
        Ok(data)
    }

    /// Builds the statement inside `tx`.
    async fn statement_in(
        &self,
        tx: &mut Box<dyn Tx>,
        customer: CustomerId,
        data: &CustomerData,
        period: Period,
    ) -> AppResult<Statement> {
        let today = self.today();
        if period.first_day() > today {
            return Err(AppError::invalid(
                "period",
                "in_future",
                format!("{period} has not begun (today is {today})"),
            ));
        }
        let (first, end) = (period.first_day(), period.end());
        let opening = tx
            .statement_totals(customer, first, start_of(first))
            .await?
            .balance();
        let entries = tx
            .statement_entries(customer, first, end, start_of(first), start_of(end))
            .await?;
        let (movements, closing, entries) = fold_statement(opening, entries);
        let as_of = period.last_day().min(today);
        let label = format!("{} {}", data.code, data.name);
        let items: Vec<AgeingItem> = tx
            .receivables_as_of(as_of, Some(customer))
            .await?
            .into_iter()
            .map(|i| AgeingItem {
                invoice_id: i.invoice_id,
                due_date: i.due_date,
                open: i.open,
                key: customer.to_string(),
                label: label.clone(),
            })
            .collect();
        let ageing = age(
            &items,
            as_of,
            AgeingGroup::Customer,
            &self.config.finance.ageing_buckets,
        );
        let confirmation = tx.statement_confirmation_latest(customer, period).await?;
        Ok(Statement {
            customer_id: customer,
            customer: label,
            period,
            opening,
            movements,
            closing,
            entries,
            ageing,
            confirmation,
        })
    }

    /// A customer's statement of account for a month that has begun.
    pub async fn statement(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        period: Period,
    ) -> AppResult<Statement> {
        let reach = Reach::of(ctx)?;
        let mut tx = self.store.read().await?;
        let data = Self::statement_customer(&mut tx, reach, customer).await?;
        self.statement_in(&mut tx, customer, &data, period).await
    }

    /// Records that the customer confirmed or disputed its statement of a
    /// month that has ended, with the closing balance it answered to.
    pub async fn confirm_statement(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        period: Period,
        input: &ConfirmationInput,
    ) -> AppResult<Statement> {
        let reach = Reach::of(ctx)?;
        if !matches!(reach, Reach::Customer(_)) {
            ctx.require(Permission::ReceiptRegister)?;
        }
        let note = input.validate()?;
        let today = self.today();
        if period.last_day() >= today {
            return Err(AppError::invalid(
                "period",
                "not_ended",
                format!("{period} has not ended yet (today is {today})"),
            ));
        }
        let mut tx = self.store.write().await?;
        let data = Self::statement_customer(&mut tx, reach, customer).await?;
        let statement = self.statement_in(&mut tx, customer, &data, period).await?;
        let mut confirmation = StatementConfirmation {
            id: 0,
            customer_id: customer,
            period,
            status: input.status,
            note: note.clone(),
            closing: statement.closing,
            by: ctx.actor.user_id,
            by_name: ctx.actor.username.clone(),
            at: self.now(),
        };
        confirmation.id = tx.statement_confirmation_insert(&confirmation).await?;
        self.audit(
            &mut tx,
            ctx,
            "customer",
            customer.get(),
            "statement_confirmation",
            vec![FieldChange {
                field: format!("statement {period}"),
                before: statement
                    .confirmation
                    .as_ref()
                    .map(|c| format!("{} {}", c.status, c.closing)),
                after: Some(format!(
                    "{} {}{}",
                    input.status,
                    statement.closing,
                    note.as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                )),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            &format!("statement.{}", input.status),
            "customer",
            customer.get(),
            serde_json::json!({
                "id": confirmation.id,
                "customer_id": customer,
                "period": period,
                "status": input.status,
                "closing": statement.closing,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(Statement {
            confirmation: Some(confirmation),
            ..statement
        })
    }
}
