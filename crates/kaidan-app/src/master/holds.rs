//! Finance holds on customers (FIN-6): finance puts a customer on hold,
//! with a reason, and releases it; review stops the customer's orders while
//! it holds (`orders/review.rs`). Separate from the customer's `active`
//! flag and from its record's version: a hold is not an edit of the master
//! data, so it needs `customer.hold`, not `customer.write`. Both steps are
//! audited on the customer and published.
//!
//! Releasing a hold does not release the orders it already stopped: each
//! of them waits on credit hold for finance's decision as before (finance
//! review, "release"), because the hold stopped them for a reason finance
//! should look at per order.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::customer_hold::{CustomerHold, HoldInput};
use kaidan_domain::master::CustomerData;
use kaidan_domain::{CustomerId, Permission};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::must_exist;
use crate::ports::{EntityKind, StoreError, Tx};

/// How many past holds a view lists.
const HISTORY: u32 = 50;

/// A customer's finance hold as the API and the customer page show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldView {
    pub customer_id: CustomerId,
    pub on_hold: bool,
    /// The hold in force: who set it, when and why.
    pub current: Option<CustomerHold>,
    /// The customer's holds, newest first (the last 50), released ones
    /// with who released them and when.
    pub history: Vec<CustomerHold>,
}

async fn hold_view(tx: &mut Box<dyn Tx>, customer: CustomerId) -> AppResult<HoldView> {
    let history = tx.customer_holds(customer, HISTORY).await?;
    let current = tx.customer_hold_open(customer).await?;
    Ok(HoldView {
        customer_id: customer,
        on_hold: current.is_some(),
        current,
        history,
    })
}

impl App {
    /// The customer's hold and its history, for whoever may read the
    /// customer (a portal user: its own customer only).
    pub async fn customer_hold(&self, ctx: &Ctx, customer: CustomerId) -> AppResult<HoldView> {
        self.get::<CustomerData>(ctx, customer.get()).await?;
        let mut tx = self.store.read().await?;
        hold_view(&mut tx, customer).await
    }

    /// Finance puts the customer on hold (FIN-6): its orders stop at
    /// review from now on. Refused while a hold is in force.
    pub async fn hold_customer(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        input: HoldInput,
    ) -> AppResult<HoldView> {
        ctx.require(Permission::CustomerHold)?;
        let reason = input.validate()?;
        let mut tx = self.store.write().await?;
        must_exist(&mut tx, EntityKind::Customer, customer.get(), "customer").await?;
        if let Some(open) = tx.customer_hold_open(customer).await? {
            return Err(AppError::invalid(
                "customer_id",
                "already_on_hold",
                format!("the customer is already on hold ({})", open.explain()),
            ));
        }
        let hold = CustomerHold {
            id: 0,
            customer_id: customer,
            reason: reason.clone(),
            held_by: ctx.actor.user_id,
            held_by_name: ctx.actor.username.clone(),
            held_at: self.now(),
            released_by: None,
            released_by_name: None,
            released_at: None,
        };
        let id = tx.customer_hold_insert(&hold).await?;
        let change = FieldChange {
            field: "finance_hold".into(),
            before: None,
            after: Some(reason.clone()),
        };
        self.audit(
            &mut tx,
            ctx,
            "customer",
            customer.get(),
            "hold",
            vec![change],
        )
        .await?;
        self.publish(
            &mut tx,
            "customer.held",
            "customer",
            customer.get(),
            serde_json::json!({ "id": customer, "hold_id": id, "reason": reason }),
        )
        .await?;
        let view = hold_view(&mut tx, customer).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Finance releases the customer's hold: new orders pass review again.
    /// Orders the hold already stopped stay on credit hold for finance to
    /// release one by one (see the module comment).
    pub async fn release_customer_hold(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<HoldView> {
        ctx.require(Permission::CustomerHold)?;
        let mut tx = self.store.write().await?;
        must_exist(&mut tx, EntityKind::Customer, customer.get(), "customer").await?;
        let open = tx.customer_hold_open(customer).await?.ok_or_else(|| {
            AppError::invalid("customer_id", "not_on_hold", "the customer is not on hold")
        })?;
        let now = self.now();
        if !tx
            .customer_hold_release(open.id, ctx.actor.user_id, &ctx.actor.username, now)
            .await?
        {
            return Err(AppError::Store(StoreError::Conflict));
        }
        let change = FieldChange {
            field: "finance_hold".into(),
            before: Some(open.reason.clone()),
            after: None,
        };
        self.audit(
            &mut tx,
            ctx,
            "customer",
            customer.get(),
            "release_hold",
            vec![change],
        )
        .await?;
        self.publish(
            &mut tx,
            "customer.hold_released",
            "customer",
            customer.get(),
            serde_json::json!({ "id": customer, "hold_id": open.id }),
        )
        .await?;
        let view = hold_view(&mut tx, customer).await?;
        tx.commit().await?;
        Ok(view)
    }
}
