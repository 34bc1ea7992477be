//! Collection actions against a customer (FIN-4) — call, visit, letter,
//! promise to pay, other — and finance's collection report over a range
//! (seed 001: finance reports and analyses collection).

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{
    CollectionAction, CollectionFacts, CollectionInput, CollectionReport, MAX_REPORT_DAYS,
    collection_report,
};
use kaidan_domain::{CustomerId, Money, Permission};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::{Reach, customer_in};

/// The most actions a customer's list shows.
const MAX_ACTIONS: u32 = 500;

impl App {
    /// Records what was done to collect a customer's money; a rep for his
    /// own customers, finance for any.
    pub async fn record_collection_action(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        input: &CollectionInput,
    ) -> AppResult<CollectionAction> {
        let reach = Reach::of(ctx)?;
        ctx.require(Permission::ReceiptRegister)?;
        let today = self.today();
        let valid = input.validate(today)?;
        let mut tx = self.store.write().await?;
        let data = match customer_in(&mut tx, customer, "customer_id").await {
            Err(AppError::Invalid(_)) => {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: customer.to_string(),
                });
            }
            other => other?,
        };
        reach.check(customer, &data)?;
        let id = tx
            .collection_action_insert(
                customer,
                &valid,
                ctx.actor.user_id,
                &ctx.actor.username,
                self.now(),
            )
            .await?;
        let mut after = format!("{} {}: {}", valid.kind, valid.happened_on, valid.outcome);
        if let Some((d, a)) = valid.promise {
            after.push_str(&format!(" (promise {a} by {d})"));
        }
        self.audit(
            &mut tx,
            ctx,
            "customer",
            customer.get(),
            "collection_action",
            vec![FieldChange {
                field: "collection_action".into(),
                before: None,
                after: Some(after),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            "collection.action_recorded",
            "customer",
            customer.get(),
            serde_json::json!({
                "id": id,
                "customer_id": customer,
                "kind": valid.kind,
                "happened_on": valid.happened_on,
                "promise_date": valid.promise.map(|p| p.0),
                "promise_amount": valid.promise.map(|p| p.1),
            }),
        )
        .await?;
        let action = tx
            .collection_actions(customer, MAX_ACTIONS)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| {
                AppError::Store(crate::ports::StoreError::Other(format!(
                    "collection action {id} not found after insert"
                )))
            })?;
        tx.commit().await?;
        Ok(action.with_state(today))
    }

    /// A customer's collection actions, newest first, each promise kept,
    /// open or broken as of today.
    pub async fn collection_actions(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<Vec<CollectionAction>> {
        let reach = Reach::of(ctx)?;
        let mut tx = self.store.read().await?;
        let data = match customer_in(&mut tx, customer, "customer_id").await {
            Err(AppError::Invalid(_)) => {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: customer.to_string(),
                });
            }
            other => other?,
        };
        reach.check(customer, &data)?;
        let today = self.today();
        Ok(tx
            .collection_actions(customer, MAX_ACTIONS)
            .await?
            .into_iter()
            .map(|a| a.with_state(today))
            .collect())
    }

    /// Finance's collection report for `from..=to` (default: this month
    /// to today): per customer and sales rep, what was overdue on the
    /// first day, the verified money received in the range, the promises
    /// due in it kept and broken, and the actions recorded.
    pub async fn collection_report(
        &self,
        ctx: &Ctx,
        from: Option<Date>,
        to: Option<Date>,
    ) -> AppResult<CollectionReport> {
        ctx.require(Permission::InvoiceRead)?;
        ctx.require(Permission::AccountRead)?;
        let today = self.today();
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| to.first_of_month());
        if from > to {
            return Err(AppError::invalid(
                "from",
                "after_to",
                format!("{from} is after {to}"),
            ));
        }
        if (to - from).get_days() > MAX_REPORT_DAYS {
            return Err(AppError::invalid(
                "to",
                "out_of_range",
                format!("at most {MAX_REPORT_DAYS} days from {from}"),
            ));
        }
        let mut tx = self.store.read().await?;
        let day_before = from.checked_sub(1.day()).unwrap_or(from);
        let mut overdue: BTreeMap<CustomerId, Money> = BTreeMap::new();
        for it in tx.receivables_as_of(day_before, None).await? {
            if it.due_date < from {
                *overdue.entry(it.customer_id).or_default() += it.open;
            }
        }
        let collected: BTreeMap<CustomerId, Money> =
            tx.collected_between(from, to).await?.into_iter().collect();
        let actions: BTreeMap<CustomerId, u32> =
            tx.actions_between(from, to).await?.into_iter().collect();
        let promises: Vec<_> = tx
            .promises_due(from, to)
            .await?
            .into_iter()
            .filter_map(|a| {
                let c = a.customer_id;
                a.with_state(today).promise_state.map(|s| (c, s))
            })
            .collect();
        let customers: BTreeSet<CustomerId> = overdue
            .keys()
            .chain(collected.keys())
            .chain(actions.keys())
            .chain(promises.iter().map(|p| &p.0))
            .copied()
            .collect();
        let ids: Vec<CustomerId> = customers.into_iter().collect();
        let labels = tx.customer_labels(&ids).await?;
        let facts: Vec<CollectionFacts> = labels
            .into_iter()
            .map(|l| CollectionFacts {
                customer_id: l.customer_id,
                customer: l.label,
                sales_rep: l.sales_rep,
                overdue_at_start: overdue.get(&l.customer_id).copied().unwrap_or_default(),
                collected: collected.get(&l.customer_id).copied().unwrap_or_default(),
                actions: actions.get(&l.customer_id).copied().unwrap_or_default(),
            })
            .collect();
        Ok(collection_report(from, to, &facts, &promises))
    }
}
