//! Order intake (ORD-1..3, ORD-5): a new order is validated, priced,
//! checked for duplicates, numbered and stored in one transaction.

use jiff::Span;
use kaidan_domain::audit::diff;
use kaidan_domain::orders::{
    OrderDeadlines, OrderInput, OrderStatus, PricedOrder, StageFacts, company_time_zone,
    find_duplicates, order_deadlines,
};
use kaidan_domain::{OrderId, Permission};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::{Created, Idempotency};
use crate::ports::{OrderRow, Tx};

use super::*;

impl App {
    /// Records a priced order as received, with its deadlines, audit row,
    /// timeline and events.
    pub(crate) async fn insert_order_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        priced: PricedOrder,
        calendar: &kaidan_domain::calendar::BusinessCalendar,
    ) -> AppResult<OrderId> {
        let now = self.now();
        let OrderDeadlines { review, ship, .. } =
            order_deadlines(now, &company_time_zone(), calendar, &self.config.deadlines);
        let row = OrderRow {
            id: OrderId(0),
            number: None,
            customer_id: priced.customer_id,
            status: OrderStatus::Submitted,
            received_at: now,
            review_due_at: review.due_at,
            ship_due_at: ship.due_at,
            reviewed_at: None,
            review_met: None,
            ship_met: None,
            document: priced,
            order_version: 1,
            version: 1,
            created_by: ctx.actor.user_id,
            updated_at: now,
            stage_facts: StageFacts::default(),
            billing: kaidan_domain::finance::OrderBilling::Uninvoiced,
        };
        let id = tx.order_insert(&row, "received").await?;
        self.audit(
            tx,
            ctx,
            "order",
            id.get(),
            "create",
            diff(None, Some(&row.document)),
        )
        .await?;
        let channel = row.document.channel;
        self.event(
            tx,
            ctx,
            id,
            "created",
            None,
            Some(OrderStatus::Submitted),
            "",
            serde_json::json!({ "channel": channel, "amount": row.document.totals.amount }),
        )
        .await?;
        // Received means submitted for review (ORD-7); both events go out.
        self.publish(
            tx,
            "order.submitted",
            "order",
            id.get(),
            serde_json::json!({ "order_id": id }),
        )
        .await?;
        Ok(id)
    }

    /// Intake (ORD-1..3): validates, prices and records a received order.
    /// A likely duplicate (same customer reference, or the same lines within
    /// the duplicate window) is refused unless `confirm_duplicate` says the
    /// caller has checked it.
    pub async fn place_order(
        &self,
        ctx: &Ctx,
        input: OrderInput,
        confirm_duplicate: bool,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Created<OrderView>> {
        ctx.require(Permission::OrderCreate)?;
        Self::check_customer(ctx, input.customer_id)?;
        if let Some(replay) = self.replay(ctx, idempotency).await? {
            return Ok(replay);
        }
        let now = self.now();
        let calendar = self.business_calendar().await?;
        let mut tx = match self.write_keyed(ctx, idempotency).await? {
            Ok(tx) => tx,
            Err(replay) => return Ok(replay),
        };
        let (priced, _customer) = self.price(&mut tx, &input).await?;
        if !confirm_duplicate {
            let since = now - Span::new().hours(self.config.duplicate_window_hours);
            let valid = input.validate(self.today())?;
            let mut prints = Vec::new();
            for (id, doc) in tx.recent_orders(priced.customer_id, since).await? {
                if let Ok(v) = doc.to_input().validate(doc.order_date) {
                    prints.push(v.fingerprint(id));
                }
            }
            let matches = find_duplicates(&valid, &prints);
            if !matches.is_empty() {
                return Err(AppError::PossibleDuplicate(
                    matches
                        .iter()
                        .map(|m| format!("order {} ({:?})", m.order_id, m.reason))
                        .collect(),
                ));
            }
        }
        let id = self
            .insert_order_in(&mut tx, ctx, priced, &calendar)
            .await?;
        if idempotency.is_none() {
            // No answer to remember: read it after the commit, on a reader,
            // so the single SQLite writer is not held for it (issue 17).
            tx.commit().await?;
            return Ok(Created::New(self.view_committed(id).await?));
        }
        // Read in the transaction: the answer is remembered with the order.
        let view = self.view_in(&mut tx, id).await?;
        self.commit_created(tx, ctx, idempotency, view).await
    }
}
