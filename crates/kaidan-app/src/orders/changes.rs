//! Order changes (CHG-1..3): a written request with content and reason, its
//! impact on stock, credit and dates, review by the departments concerned,
//! then a new order version with a readable diff, and the customer told.
//! What is already shipped or invoiced is never changed silently: such a
//! request is refused with every reason.

use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{
    AccountBalance, ChangeOutcome, ChangeRequest, Department, EntryKind, ImpactInput, LineProgress,
    OrderEvent, OrderStatus, StockFact, apply_change, assess_impact, describe, diff_versions,
};
use kaidan_domain::{OrderId, Permission, Quantity, Role};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::orders::{advance, conflict, not_found};
use crate::ports::{ChangeRow, EntityKind, JointDecisionRow, OrderRow, Tx};

impl App {
    async fn change_facts(
        &self,
        tx: &mut Box<dyn Tx>,
        order: &OrderRow,
        after_products: &[kaidan_domain::ProductId],
    ) -> AppResult<ImpactInput> {
        // Orders reserve in the central warehouse only, so that is the stock
        // a change can promise; read just the change's products there.
        let balances = match self.central_warehouse(tx).await? {
            Some(central) => tx.stock_balances_of(central, after_products).await?,
            None => Vec::new(),
        };
        let stock = after_products
            .iter()
            .map(|p| {
                let available: i64 = balances
                    .iter()
                    .filter(|(product, _, _)| product == p)
                    .map(|(_, on_hand, reserved)| on_hand - reserved)
                    .sum();
                StockFact {
                    product_id: *p,
                    available: Quantity::new(available.max(0)).unwrap_or(Quantity::ZERO),
                }
            })
            .collect();
        let customer = typed_record::<CustomerData>(
            tx.master_get(EntityKind::Customer, order.customer_id.get())
                .await?
                .ok_or_else(|| not_found(order.id))?,
        )?
        .data;
        let mut balance = AccountBalance::from_entries(
            tx.account_entries(order.customer_id)
                .await?
                .iter()
                .map(|(_, e)| e),
        );
        balance.apply(&kaidan_domain::orders::AccountEntry::new(
            EntryKind::CreditLimit,
            customer.credit_limit,
            None,
        ));
        let calendar = self.business_calendar().await?;
        Ok(ImpactInput {
            stock,
            credit_available: balance.total_available,
            earliest_ship_date: calendar
                .add_working_days(self.today(), self.config.deadlines.ship_working_days),
        })
    }

    /// Records a change request (CHG-1) with its impact (CHG-2); refused at
    /// once, with every reason, when it would touch shipped or invoiced
    /// goods (CHG-3).
    pub async fn request_change(
        &self,
        ctx: &Ctx,
        id: OrderId,
        request: ChangeRequest,
    ) -> AppResult<ChangeRow> {
        ctx.require(Permission::OrderCreate)?;
        let mut tx = self.store.write().await?;
        let order = self.load_order(&mut tx, ctx, id).await?;
        let row = self.change_in(&mut tx, ctx, &order, request).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Records a change request of `order` in `tx` (the steps of
    /// [`App::request_change`] after the permission check), applying it at
    /// once when no department has to review it.
    pub(crate) async fn change_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        order: &OrderRow,
        request: ChangeRequest,
    ) -> AppResult<ChangeRow> {
        let id = order.id;
        if matches!(order.status, OrderStatus::Cancelled | OrderStatus::Rejected) {
            return Err(conflict(order.status, OrderEvent::Revise));
        }
        let progress: Vec<LineProgress> = tx
            .order_lines(id)
            .await?
            .iter()
            .map(|l| LineProgress {
                line_no: l.line_no,
                shipped: Quantity::new(l.shipped).unwrap_or(Quantity::ZERO),
                invoiced: Quantity::new(l.invoiced).unwrap_or(Quantity::ZERO),
            })
            .collect();
        let customer = typed_record::<CustomerData>(
            tx.master_get(EntityKind::Customer, order.customer_id.get())
                .await?
                .ok_or_else(|| not_found(id))?,
        )?
        .data;
        let mut products: Vec<kaidan_domain::ProductId> =
            order.document.lines.iter().map(|l| l.product_id).collect();
        for c in &request.changes {
            use kaidan_domain::orders::changes::Change;
            if let Change::Product { product_id, .. } | Change::Substitute { product_id, .. } = c {
                products.push(*product_id);
            }
        }
        let book = self.price_book(tx, &customer, &products).await?;
        let book = self
            .with_contract_prices(tx, order.document.contract_id, book)
            .await?;
        let outcome = apply_change(&order.document, &request, &progress, &book, self.today())?;
        let after = match &outcome {
            ChangeOutcome::NewVersion { order } => (**order).clone(),
            ChangeOutcome::CancelOrder => order.document.clone(),
        };
        if let ChangeOutcome::NewVersion { order: changed } = &outcome {
            // CON-2: a change may not take more than remains of the
            // contract the order is placed against.
            self.check_contract_order(
                tx,
                order.customer_id,
                changed,
                &std::collections::BTreeMap::new(),
                Some(id),
            )
            .await?;
        }
        let after_products: Vec<_> = after.lines.iter().map(|l| l.product_id).collect();
        let facts = self.change_facts(tx, order, &after_products).await?;
        let mut impact = assess_impact(&order.document, &after, &facts);
        if matches!(outcome, ChangeOutcome::CancelOrder) {
            impact.departments = vec![
                Department::Warehouse,
                Department::Logistics,
                Department::Finance,
            ];
        }
        let now = self.now();
        let mut row = ChangeRow {
            id: 0,
            order_id: id,
            status: "pending".into(),
            request: request.clone(),
            departments: impact.departments.clone(),
            impact,
            outcome,
            decisions: Vec::new(),
            requested_by: ctx.actor.user_id,
            requested_at: now,
            decided_at: None,
        };
        row.id = tx.change_insert(&row).await?;
        self.audit(
            tx,
            ctx,
            "order",
            id.get(),
            "change_requested",
            vec![kaidan_domain::audit::FieldChange {
                field: format!("change_requests[id={}]", row.id),
                before: None,
                after: Some(request.reason.clone()),
            }],
        )
        .await?;
        self.order_note(tx, ctx, order, "change_requested", &request.reason, serde_json::json!({ "change_id": row.id, "departments": row.departments, "feasible": row.impact.feasible() })).await?;
        if row.departments.is_empty() {
            self.apply_approved_change(tx, ctx, &mut row).await?;
        }
        Ok(row)
    }

    /// One department's decision on a change request (CHG-2). When every
    /// department concerned has approved, the change becomes the order's
    /// next version; any rejection ends it.
    pub async fn decide_change(
        &self,
        ctx: &Ctx,
        change_id: i64,
        department: Department,
        approve: bool,
        note: &str,
    ) -> AppResult<ChangeRow> {
        ctx.require(Permission::OrderJointReview)?;
        if !ctx.actor.has_role(department.role()) && !ctx.actor.has_role(Role::Admin) {
            return Err(AppError::invalid(
                "department",
                "not_your_department",
                format!(
                    "only {} decides for {}",
                    department.role().as_str(),
                    department.as_str()
                ),
            ));
        }
        let mut tx = self.store.write().await?;
        let mut row = tx.change_get(change_id).await?.ok_or(AppError::NotFound {
            what: "change request",
            id: change_id.to_string(),
        })?;
        let order = self.load_order(&mut tx, ctx, row.order_id).await?;
        if row.status != "pending" {
            return Err(AppError::invalid(
                "status",
                "decided",
                format!("change request {change_id} is already {}", row.status),
            ));
        }
        if !row.departments.contains(&department) {
            return Err(AppError::invalid(
                "department",
                "not_concerned",
                format!("{} is not asked to review this change", department.as_str()),
            ));
        }
        if row.decisions.iter().any(|d| d.department == department) {
            return Err(AppError::invalid(
                "department",
                "already_decided",
                format!("{} has already decided", department.as_str()),
            ));
        }
        let now = self.now();
        row.decisions.push(JointDecisionRow {
            department,
            approved: approve,
            actor_id: ctx.actor.user_id,
            actor_name: ctx.actor.username.clone(),
            at: now,
            note: note.to_string(),
        });
        self.order_note(&mut tx, ctx, &order, "change_decision", note, serde_json::json!({ "change_id": change_id, "department": department, "approved": approve })).await?;
        if !approve {
            row.status = "rejected".into();
            row.decided_at = Some(now);
            tx.change_save(&row).await?;
            self.order_note(
                &mut tx,
                ctx,
                &order,
                "change_rejected",
                note,
                serde_json::json!({ "change_id": change_id, "customer_id": order.customer_id }),
            )
            .await?;
        } else if row.departments.iter().all(|d| {
            row.decisions
                .iter()
                .any(|x| x.department == *d && x.approved)
        }) {
            self.apply_approved_change(&mut tx, ctx, &mut row).await?;
        } else {
            tx.change_save(&row).await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    async fn apply_approved_change(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        row: &mut ChangeRow,
    ) -> AppResult<()> {
        let now = self.now();
        row.status = "approved".into();
        row.decided_at = Some(now);
        tx.change_save(row).await?;
        let before = self.load_order(tx, ctx, row.order_id).await?;
        match &row.outcome {
            ChangeOutcome::CancelOrder => {
                let mut after = before.clone();
                after.status = advance(before.status, OrderEvent::Cancel)?;
                after.updated_at = now;
                self.save(tx, ctx, &before, &after).await?;
                self.release_all(tx, ctx, &before, "cancelled").await?;
                self.order_moved(
                    tx,
                    ctx,
                    &before,
                    &after,
                    "cancelled",
                    &row.request.reason,
                    serde_json::json!({ "change_id": row.id, "customer_id": before.customer_id }),
                )
                .await?;
            }
            ChangeOutcome::NewVersion { order } => {
                let diff = diff_versions(&before.document, order);
                let mut after = before.clone();
                after.document = (**order).clone();
                after.order_version = before.order_version + 1;
                after.updated_at = now;
                let reserved = before.status == OrderStatus::Approved;
                if reserved {
                    self.release_all(tx, ctx, &before, "changed").await?;
                }
                self.save(tx, ctx, &before, &after).await?;
                tx.order_version_insert(
                    after.id,
                    after.order_version,
                    &after.document,
                    &row.request.reason,
                    now,
                    ctx.actor.user_id,
                )
                .await?;
                if reserved {
                    let source = format!(
                        "order {} v{}",
                        after.number.clone().unwrap_or_default(),
                        after.order_version
                    );
                    self.reserve_all(tx, ctx, &after, &source).await?;
                }
                let readable: Vec<String> = diff.iter().map(describe).collect();
                // The customer is told through the outbox (order.changed).
                self.order_moved(tx, ctx, &before, &after, "changed", &row.request.reason, serde_json::json!({ "change_id": row.id, "version": after.order_version, "customer_id": after.customer_id, "changes": readable })).await?;
            }
        }
        Ok(())
    }

    pub async fn changes_of(&self, ctx: &Ctx, id: OrderId) -> AppResult<Vec<ChangeRow>> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        self.load_order(&mut tx, ctx, id).await?;
        Ok(tx.changes_of(id).await?)
    }
}
