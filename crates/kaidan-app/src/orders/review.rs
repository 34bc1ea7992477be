//! Order review (ORD-4, FIN-5, FIN-6): the review rules route an order to
//! approval, price approval, finance review or the joint review of the
//! departments concerned.

use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{
    CustomerCredit, Decision, Department, JointDecision, JointReview, JointStatus, OrderEvent,
    OrderStatus, PriceApproval, ReviewOutcome, ReviewRule, ReviewStage, Route,
};
use kaidan_domain::orders::{days_overdue, owed};
use kaidan_domain::{OrderId, Permission, Role, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::ports::{EntityKind, JointDecisionRow, OrderRow, Tx};

use super::*;

impl App {
    async fn credit_of(&self, tx: &mut Box<dyn Tx>, row: &OrderRow) -> AppResult<CustomerCredit> {
        let customer = typed_record::<CustomerData>(
            tx.master_get(EntityKind::Customer, row.customer_id.get())
                .await?
                .ok_or_else(|| not_found(row.id))?,
        )?
        .data;
        let holding: Vec<OrderStatus> = OrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.holds_credit())
            .collect();
        let open_orders_amount = tx
            .open_orders_amount(row.customer_id, Some(row.id), &holding)
            .await?;
        // What is owed is the ledger's (shipped but not invoiced counts
        // too); how late, the open invoices' due dates (ADR 0028).
        let entries = tx.account_entries(row.customer_id).await?;
        let oldest_due = tx.oldest_open_due_date(row.customer_id).await?;
        Ok(CustomerCredit {
            kind: customer.kind,
            credit_limit: customer.credit_limit,
            open_receivables: owed(entries.iter().map(|(_, e)| e)),
            open_orders_amount,
            max_days_overdue: days_overdue(oldest_due, self.today()),
            // FIN-6: finance's hold, not `active` (an inactive customer
            // cannot order at all).
            hold: tx.customer_hold_open(row.customer_id).await?,
        })
    }

    /// Applies a review outcome: moves the order along its route.
    async fn route(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        outcome: &ReviewOutcome,
    ) -> AppResult<OrderRow> {
        let mut after = before.clone();
        after.updated_at = self.now();
        let findings = serde_json::to_value(&outcome.findings).map_err(AppError::Json)?;
        match &outcome.route {
            Route::NeedsPriceApproval { lines } => {
                self.save(tx, ctx, before, &after).await?;
                self.order_moved(
                    tx,
                    ctx,
                    before,
                    &after,
                    "price_approval_needed",
                    "",
                    serde_json::json!({ "lines": lines, "findings": findings }),
                )
                .await?;
                return Ok(after);
            }
            Route::Approve => return self.approve_in(tx, ctx, before).await,
            route => {
                let event = route
                    .event()
                    .ok_or_else(|| conflict(before.status, OrderEvent::SalesPassed))?;
                after.status = advance(before.status, event)?;
            }
        }
        self.save(tx, ctx, before, &after).await?;
        let kind = match after.status {
            OrderStatus::CreditHold => "credit_hold",
            OrderStatus::Rejected => "rejected",
            OrderStatus::JointReview => "joint_review",
            _ => "reviewed",
        };
        // FIN-6: the timeline says at once that finance's hold on the
        // customer stopped the order, by whom and why.
        let note = match after.status {
            OrderStatus::CreditHold => outcome
                .findings
                .iter()
                .find(|f| f.rule == ReviewRule::CustomerOnHold)
                .map(|f| f.message.as_str())
                .unwrap_or(""),
            _ => "",
        };
        self.order_moved(
            tx,
            ctx,
            before,
            &after,
            kind,
            note,
            serde_json::json!({ "findings": findings, "credit": outcome.credit }),
        )
        .await?;
        Ok(after)
    }

    /// Moves `row` one step along the state machine: saved, audited, on the
    /// timeline; `row` is then the stored state.
    async fn step(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        row: &mut OrderRow,
        event: OrderEvent,
        kind: &str,
    ) -> AppResult<()> {
        let before = row.clone();
        row.status = advance(row.status, event)?;
        self.save(tx, ctx, &before, row).await?;
        row.version += 1;
        self.order_moved(tx, ctx, &before, row, kind, "", serde_json::json!({}))
            .await
    }

    /// Sales review (ORD-4): completeness, prices, terms, credit.
    pub async fn review_order(&self, ctx: &Ctx, id: OrderId) -> AppResult<OrderView> {
        ctx.require(Permission::OrderReview)?;
        let mut tx = self.store.write().await?;
        let mut row = self.load_order(&mut tx, ctx, id).await?;
        if row.status == OrderStatus::Submitted {
            self.step(&mut tx, ctx, &mut row, OrderEvent::StartReview, "in_review")
                .await?;
        }
        if row.status != OrderStatus::InReview {
            return Err(conflict(row.status, OrderEvent::SalesPassed));
        }
        self.review_stage(tx, ctx, &row, ReviewStage::Sales, false)
            .await
    }

    /// Reviews the order at `stage` against its customer's credit now,
    /// routes it by the outcome and commits.
    async fn review_stage(
        &self,
        mut tx: Box<dyn Tx>,
        ctx: &Ctx,
        row: &OrderRow,
        stage: ReviewStage,
        released: bool,
    ) -> AppResult<OrderView> {
        let credit = self.credit_of(&mut tx, row).await?;
        let review = &self.config.review;
        let outcome =
            kaidan_domain::orders::review(&row.document, &credit, review, stage, released);
        self.route(&mut tx, ctx, row, &outcome).await?;
        tx.commit().await?;
        self.view_committed(row.id).await
    }

    /// A sales manager approves a line's deviating price (ORD-4).
    pub async fn approve_price(
        &self,
        ctx: &Ctx,
        id: OrderId,
        line_no: u32,
    ) -> AppResult<OrderView> {
        ctx.require(Permission::OrderApprovePrice)?;
        let role = [Role::SalesManager, Role::GeneralManager]
            .into_iter()
            .find(|r| ctx.actor.has_role(*r))
            .unwrap_or(Role::Admin);
        let mut tx = self.store.write().await?;
        let before = self.load_order(&mut tx, ctx, id).await?;
        if before.status != OrderStatus::InReview {
            return Err(conflict(before.status, OrderEvent::SalesPassed));
        }
        let mut after = before.clone();
        let price = after
            .document
            .line(line_no)
            .map(|l| l.unit_price)
            .ok_or_else(|| {
                AppError::Invalid(ValidationErrors::single(
                    "line_no",
                    "unknown",
                    format!("the order has no line {line_no}"),
                ))
            })?;
        after
            .document
            .approve_price(
                line_no,
                PriceApproval {
                    approved_price: price,
                    by: ctx.actor.user_id,
                    role,
                    at: self.now(),
                },
            )
            .map_err(|e| {
                AppError::Invalid(ValidationErrors::single(
                    "line_no",
                    "invalid",
                    e.to_string(),
                ))
            })?;
        after.updated_at = self.now();
        self.save(&mut tx, ctx, &before, &after).await?;
        self.order_moved(
            &mut tx,
            ctx,
            &before,
            &after,
            "price_approved",
            "",
            serde_json::json!({ "line_no": line_no, "price": price }),
        )
        .await?;
        tx.commit().await?;
        self.view_committed(id).await
    }

    /// Finance review (ORD-4, FIN-6): pass, or release a credit hold.
    pub async fn finance_review(
        &self,
        ctx: &Ctx,
        id: OrderId,
        decision: FinanceDecision,
    ) -> AppResult<OrderView> {
        ctx.require(Permission::OrderFinanceReview)?;
        let mut tx = self.store.write().await?;
        let mut row = self.load_order(&mut tx, ctx, id).await?;
        let released = decision == FinanceDecision::Release;
        match (row.status, decision) {
            (OrderStatus::CreditHold, FinanceDecision::Release) => {
                self.step(
                    &mut tx,
                    ctx,
                    &mut row,
                    OrderEvent::CreditReleased,
                    "credit_released",
                )
                .await?;
            }
            (OrderStatus::FinanceReview, FinanceDecision::Pass) => {}
            (status, _) => return Err(conflict(status, OrderEvent::FinancePassed)),
        }
        self.review_stage(tx, ctx, &row, ReviewStage::Finance, released)
            .await
    }

    /// One department's joint-review decision; the last approval approves
    /// the order, any rejection rejects it.
    pub async fn joint_decide(
        &self,
        ctx: &Ctx,
        id: OrderId,
        department: Department,
        approve: bool,
        note: &str,
    ) -> AppResult<OrderView> {
        ctx.require(Permission::OrderJointReview)?;
        let role = department.role();
        if !ctx.actor.has_role(role) && !ctx.actor.has_role(Role::Admin) {
            return Err(AppError::invalid(
                "department",
                "not_your_department",
                format!("only {} decides for {}", role.as_str(), department.as_str()),
            ));
        }
        let mut tx = self.store.write().await?;
        let row = self.load_order(&mut tx, ctx, id).await?;
        if row.status != OrderStatus::JointReview {
            return Err(conflict(row.status, OrderEvent::JointApproved));
        }
        let mut review = JointReview::new(self.config.review.joint_review_departments.clone());
        for d in tx.joint_decisions(id).await? {
            review.decisions.push(JointDecision {
                department: d.department,
                by: d.actor_id,
                role: d.department.role(),
                at: d.at,
                decision: if d.approved {
                    Decision::Approve
                } else {
                    Decision::Reject
                },
                comment: Some(d.note).filter(|n| !n.is_empty()),
            });
        }
        let now = self.now();
        let status = review
            .record(JointDecision {
                department,
                by: ctx.actor.user_id,
                role,
                at: now,
                decision: if approve {
                    Decision::Approve
                } else {
                    Decision::Reject
                },
                comment: Some(note.to_string()).filter(|n| !n.is_empty()),
            })
            .map_err(|e| {
                AppError::Invalid(ValidationErrors::single(
                    "department",
                    "invalid",
                    e.to_string(),
                ))
            })?;
        tx.joint_decision_put(
            id,
            &JointDecisionRow {
                department,
                approved: approve,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                at: now,
                note: note.to_string(),
            },
        )
        .await?;
        self.order_note(
            &mut tx,
            ctx,
            &row,
            "joint_decision",
            note,
            serde_json::json!({ "department": department, "approved": approve }),
        )
        .await?;
        match status {
            JointStatus::Approved => {
                self.approve_in(&mut tx, ctx, &row).await?;
            }
            JointStatus::Rejected => {
                let mut after = row.clone();
                after.status = advance(row.status, OrderEvent::Reject)?;
                after.updated_at = now;
                self.save(&mut tx, ctx, &row, &after).await?;
                self.order_moved(
                    &mut tx,
                    ctx,
                    &row,
                    &after,
                    "rejected",
                    note,
                    serde_json::json!({ "department": department }),
                )
                .await?;
            }
            JointStatus::Pending => {}
        }
        tx.commit().await?;
        self.view_committed(id).await
    }
}
