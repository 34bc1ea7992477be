//! Order use cases (ORD-1..8, FIN-5, FIN-6, INV-1/2 reservations): intake,
//! review through approval, numbering, reservation, rejection, cancellation,
//! the timeline. Every step writes its timeline event, audit row and outbox
//! event in the transaction that changes the order.

mod changes;
pub mod deadlines;

use jiff::Span;
use kaidan_domain::audit::diff;
use kaidan_domain::fulfilment::PickListStatus;
use kaidan_domain::master::{CustomerData, PriceListData, ProductData};
use kaidan_domain::orders::{
    AccountBalance, AccountEntry, CustomerCredit, CustomerDefaults, Decision, Department,
    EntryKind, JointDecision, JointReview, JointStatus, OrderDeadlines, OrderEvent, OrderInput,
    OrderStatus, PriceApproval, PriceBook, PricedOrder, ProductFacts, ReviewOutcome, ReviewStage,
    Route, company_time_zone, find_duplicates, order_deadlines, price_order,
};
use kaidan_domain::orders::{due_after_days, max_days_overdue, open_receivables};
use kaidan_domain::{CustomerId, OrderId, Permission, Role, ValidationErrors, WarehouseId};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::{Created, Idempotency, typed_record};
use crate::ports::{
    EntityKind, FilterValue, JointDecisionRow, LineProgressRow, ListQuery, OrderEventRow,
    OrderQuery, OrderRow, ReplenishmentRow, StoreError, Tx,
};

/// An order as staff and the customer portal see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: OrderId,
    pub number: Option<String>,
    pub status: OrderStatus,
    pub status_zh: &'static str,
    pub customer_id: CustomerId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub review_due_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ship_due_at: String,
    pub review_met: Option<bool>,
    pub order_version: i64,
    /// Also the ETag.
    pub version: i64,
    #[serde(flatten)]
    pub content: PricedOrder,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub progress: Vec<LineProgressRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub timeline: Vec<OrderEventRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub joint_decisions: Vec<JointDecisionRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub shortages: Vec<ReplenishmentRow>,
    /// Delivery notes with carrier, tracking number, ETA and tracking
    /// events (SHP-2), also for the customer portal.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub shipments: Vec<crate::ports::ShipmentRow>,
}

/// What the customer wants done about goods that could not be reserved
/// (INV-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShortageChoice {
    /// Wait for the goods; ship everything together or as it arrives.
    Backorder,
    /// Ship what is there; the rest is not wanted.
    Partial,
    /// Offer another product (handled as a change request).
    Substitution,
}

impl ShortageChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ShortageChoice::Backorder => "backorder",
            ShortageChoice::Partial => "partial",
            ShortageChoice::Substitution => "substitution",
        }
    }
}

/// A finance decision on an order in finance review or credit hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FinanceDecision {
    /// Credit checked: go on (to joint review or approval).
    Pass,
    /// Release a credit hold (paid, limit raised, or accepted risk).
    Release,
}

pub(crate) fn not_found(id: OrderId) -> AppError {
    AppError::NotFound {
        what: "order",
        id: id.to_string(),
    }
}

pub(crate) fn conflict(from: OrderStatus, event: OrderEvent) -> AppError {
    let err = kaidan_domain::orders::TransitionError { from, event };
    AppError::Invalid(ValidationErrors::single(
        "status",
        "illegal_transition",
        err.to_string(),
    ))
}

pub(crate) fn store_other(e: impl std::fmt::Display) -> AppError {
    AppError::Store(StoreError::Other(e.to_string()))
}

impl App {
    pub(crate) fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned(company_time_zone()).date()
    }

    /// Portal users only ever see and act on their own customer's orders.
    fn check_customer(ctx: &Ctx, customer: CustomerId) -> AppResult<()> {
        if ctx.actor.has_role(Role::Customer) && ctx.actor.customer_id != Some(customer) {
            return Err(AppError::NotFound {
                what: "customer",
                id: customer.to_string(),
            });
        }
        Ok(())
    }

    pub(crate) async fn load_order(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: OrderId,
    ) -> AppResult<OrderRow> {
        let row = tx.order_get(id).await?.ok_or_else(|| not_found(id))?;
        if ctx.actor.has_role(Role::Customer) && ctx.actor.customer_id != Some(row.customer_id) {
            return Err(not_found(id));
        }
        Ok(row)
    }

    /// The catalogue facts of `products` and the customer's price list.
    pub(crate) async fn price_book(
        &self,
        tx: &mut Box<dyn Tx>,
        customer: &CustomerData,
        products: &[kaidan_domain::ProductId],
    ) -> AppResult<PriceBook> {
        let mut ids: Vec<i64> = products.iter().map(|p| p.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut facts = Vec::with_capacity(ids.len());
        for rec in tx.master_get_many(EntityKind::Product, &ids).await? {
            let id = kaidan_domain::ProductId(rec.id);
            facts.push(ProductFacts::from_master(
                id,
                &typed_record::<ProductData>(rec)?.data,
            ));
        }
        let list_items = match customer.price_list_id {
            Some(pl) => match tx.master_get(EntityKind::PriceList, pl.get()).await? {
                Some(rec) => typed_record::<PriceListData>(rec)?.data.items,
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        Ok(PriceBook::new(facts, list_items))
    }

    /// Prices an order from the catalogue and the customer's price list.
    pub(crate) async fn price(
        &self,
        tx: &mut Box<dyn Tx>,
        input: &OrderInput,
    ) -> AppResult<(PricedOrder, CustomerData)> {
        let valid = input.validate(self.today())?;
        let customer = match tx
            .master_get(EntityKind::Customer, valid.customer_id.get())
            .await?
        {
            Some(rec) => typed_record::<CustomerData>(rec)?.data,
            None => {
                return Err(ValidationErrors::single(
                    "customer_id",
                    "unknown_reference",
                    format!("no customer with id {}", valid.customer_id),
                )
                .into());
            }
        };
        if !customer.active {
            return Err(ValidationErrors::single(
                "customer_id",
                "inactive",
                "the customer is inactive",
            )
            .into());
        }
        let products: Vec<kaidan_domain::ProductId> =
            valid.lines.iter().map(|l| l.product_id).collect();
        let book = self.price_book(tx, &customer, &products).await?;
        let priced = price_order(&valid, &book, &CustomerDefaults::from_master(&customer))?;
        Ok((priced, customer))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn event(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: OrderId,
        kind: &str,
        from: Option<OrderStatus>,
        to: Option<OrderStatus>,
        note: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        tx.order_event_append(
            id,
            &OrderEventRow {
                at: self.now(),
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                kind: kind.to_string(),
                from_status: from,
                to_status: to,
                note: note.to_string(),
                data: data.clone(),
            },
        )
        .await?;
        let mut payload = data;
        if let Some(obj) = payload.as_object_mut() {
            obj.insert("order_id".into(), id.get().into());
            if let Some(t) = to {
                obj.insert("status".into(), t.as_str().into());
            }
        }
        self.publish(tx, &format!("order.{kind}"), "order", id.get(), payload)
            .await
    }

    /// Saves the order after a change of state, with its audit row.
    pub(crate) async fn save(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        after: &OrderRow,
    ) -> AppResult<()> {
        let lines_changed = before.document.lines != after.document.lines;
        if !tx.order_save(after, before.version, lines_changed).await? {
            return Err(AppError::VersionConflict {
                what: "order",
                id: before.id.get(),
                current: before.version + 1,
            });
        }
        #[derive(Serialize)]
        struct Audited<'a> {
            status: OrderStatus,
            number: &'a Option<String>,
            document: &'a PricedOrder,
        }
        let changes = diff(
            Some(&Audited {
                status: before.status,
                number: &before.number,
                document: &before.document,
            }),
            Some(&Audited {
                status: after.status,
                number: &after.number,
                document: &after.document,
            }),
        );
        if !changes.is_empty() {
            self.audit(tx, ctx, "order", after.id.get(), "update", changes)
                .await?;
        }
        Ok(())
    }

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
            document: priced,
            order_version: 1,
            version: 1,
            created_by: ctx.actor.user_id,
            updated_at: now,
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
        if let Some(idem) = idempotency
            && let Some(replay) = self.replay(ctx, idem).await?
        {
            return Ok(replay);
        }
        let now = self.now();
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.write().await?;
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
        // Read in the transaction: the answer is remembered with the order.
        let view = self.view_in(&mut tx, id).await?;
        self.commit_created(tx, ctx, idempotency, view).await
    }

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
        // Receivables are what shipments charged beyond the customer's funds
        // and deposits have not repaid yet (the ledger, FIN-5).
        let open = open_receivables(&tx.account_entries(row.customer_id).await?);
        let due_after = due_after_days(customer.payment_terms, self.config.review.settlement_days);
        Ok(CustomerCredit {
            kind: customer.kind,
            credit_limit: customer.credit_limit,
            open_receivables: open.iter().map(|r| r.amount).sum(),
            open_orders_amount,
            max_days_overdue: max_days_overdue(&open, due_after, self.now()),
            on_hold: !customer.active,
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
        let findings = serde_json::to_value(&outcome.findings).map_err(store_other)?;
        match &outcome.route {
            Route::NeedsPriceApproval { lines } => {
                self.save(tx, ctx, before, &after).await?;
                self.event(
                    tx,
                    ctx,
                    before.id,
                    "price_approval_needed",
                    Some(before.status),
                    Some(after.status),
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
                after.status = before
                    .status
                    .apply(event)
                    .map_err(|e| conflict(e.from, e.event))?;
            }
        }
        self.save(tx, ctx, before, &after).await?;
        let kind = match after.status {
            OrderStatus::CreditHold => "credit_hold",
            OrderStatus::Rejected => "rejected",
            OrderStatus::JointReview => "joint_review",
            _ => "reviewed",
        };
        self.event(
            tx,
            ctx,
            before.id,
            kind,
            Some(before.status),
            Some(after.status),
            "",
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
        row.status = row
            .status
            .apply(event)
            .map_err(|e| conflict(e.from, e.event))?;
        self.save(tx, ctx, &before, row).await?;
        row.version += 1;
        self.event(
            tx,
            ctx,
            row.id,
            kind,
            Some(before.status),
            Some(row.status),
            "",
            serde_json::json!({}),
        )
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
        let credit = self.credit_of(&mut tx, &row).await?;
        let outcome = kaidan_domain::orders::review(
            &row.document,
            &credit,
            &self.config.review,
            ReviewStage::Sales,
            false,
        );
        self.route(&mut tx, ctx, &row, &outcome).await?;
        tx.commit().await?;
        self.view_committed(id).await
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
        self.event(
            &mut tx,
            ctx,
            id,
            "price_approved",
            Some(before.status),
            Some(after.status),
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
        let credit = self.credit_of(&mut tx, &row).await?;
        let outcome = kaidan_domain::orders::review(
            &row.document,
            &credit,
            &self.config.review,
            ReviewStage::Finance,
            released,
        );
        self.route(&mut tx, ctx, &row, &outcome).await?;
        tx.commit().await?;
        self.view_committed(id).await
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
            return Err(AppError::Invalid(ValidationErrors::single(
                "department",
                "not_your_department",
                format!("only {} decides for {}", role.as_str(), department.as_str()),
            )));
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
        self.event(
            &mut tx,
            ctx,
            id,
            "joint_decision",
            Some(row.status),
            Some(row.status),
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
                after.status = row
                    .status
                    .apply(OrderEvent::Reject)
                    .map_err(|e| conflict(e.from, e.event))?;
                after.updated_at = now;
                self.save(&mut tx, ctx, &row, &after).await?;
                self.event(
                    &mut tx,
                    ctx,
                    id,
                    "rejected",
                    Some(row.status),
                    Some(after.status),
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

    /// The central warehouse, where approved orders reserve stock.
    pub(crate) async fn central_warehouse(
        &self,
        tx: &mut Box<dyn Tx>,
    ) -> AppResult<Option<WarehouseId>> {
        let q = ListQuery {
            limit: 1,
            filters: vec![
                ("is_central", FilterValue::Bool(true)),
                ("active", FilterValue::Bool(true)),
            ],
            ..Default::default()
        };
        let central = tx.master_list(EntityKind::Warehouse, &q).await?;
        if let Some(w) = central.first() {
            return Ok(Some(WarehouseId(w.id)));
        }
        let q = ListQuery {
            limit: 1,
            filters: vec![("active", FilterValue::Bool(true))],
            ..Default::default()
        };
        Ok(tx
            .master_list(EntityKind::Warehouse, &q)
            .await?
            .first()
            .map(|w| WarehouseId(w.id)))
    }

    /// Approval (ORD-5, INV-1/2, FIN-5): number, reservation of what is
    /// available (never more), shortages raised, credit committed, the
    /// customer's confirmation in the outbox.
    async fn approve_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
    ) -> AppResult<OrderRow> {
        let event = if before.status == OrderStatus::JointReview {
            OrderEvent::JointApproved
        } else {
            OrderEvent::FinancePassed
        };
        let now = self.now();
        let today = self.today();
        let mut after = before.clone();
        after.status = before
            .status
            .apply(event)
            .map_err(|e| conflict(e.from, e.event))?;
        let seq = tx
            .counter_next(&self.config.numbering.counter_key(today))
            .await?;
        let number = self
            .config
            .numbering
            .format(today, u64::try_from(seq).unwrap_or(0))
            .map_err(|e| AppError::Store(StoreError::Other(e.to_string())))?;
        after.number = Some(number.0.as_str().to_string());
        after.reviewed_at = Some(now);
        after.review_met = Some(now <= before.review_due_at);
        after.updated_at = now;
        self.save(tx, ctx, before, &after).await?;

        let source = format!("order {}", number.0.as_str());
        let shortages = self.reserve_all(tx, ctx, &after, &source).await?;
        let shortage_json: Vec<_> = shortages
            .iter()
            .map(|(l, p, q)| serde_json::json!({"line_no": l, "product_id": p, "quantity": q}))
            .collect();
        self.event(tx, ctx, after.id, "approved", Some(before.status), Some(after.status), "",
            serde_json::json!({ "number": number.0.as_str(), "review_met": after.review_met, "shortages": shortage_json })).await?;
        // ORD-5: the customer's confirmation (content, price, promised date).
        self.publish(tx, "order.confirmation", "order", after.id.get(), serde_json::json!({
            "order_id": after.id, "number": number.0.as_str(), "customer_id": after.customer_id,
            "amount": after.document.totals.amount, "lines": after.document.lines.iter().map(|l| serde_json::json!({
                "sku": l.sku, "name": l.name, "quantity": l.quantity, "unit_price": l.unit_price, "amount": l.amount })).collect::<Vec<_>>(),
            "promised_ship_by": after.ship_due_at.to_string(),
        })).await?;
        Ok(after)
    }

    /// Reserves what is available for every line (never more), raises a
    /// shortage for the rest (INV-2) and commits the order's amount on the
    /// customer's account (FIN-5). Returns (line, product, short quantity).
    pub(crate) async fn reserve_all(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        after: &OrderRow,
        source: &str,
    ) -> AppResult<Vec<(u32, kaidan_domain::ProductId, i64)>> {
        let now = self.now();
        let mut shortages = Vec::new();
        let lines = &after.document.lines;
        let got = match self.central_warehouse(tx).await? {
            Some(warehouse) => {
                let wants: Vec<_> = lines
                    .iter()
                    .map(|l| (l.product_id, l.quantity.get()))
                    .collect();
                tx.stock_reserve(warehouse, &wants, source, now).await?
            }
            None => vec![0; lines.len()],
        };
        let mut progress = Vec::with_capacity(lines.len());
        for (line, got) in lines.iter().zip(got) {
            let short = line.quantity.get() - got;
            progress.push((line.line_no, got, short));
            if short > 0 {
                shortages.push((line.line_no, line.product_id, short));
            }
        }
        tx.order_line_progress(after.id, &progress).await?;
        for (line_no, product_id, quantity) in &shortages {
            tx.replenishment_insert(&ReplenishmentRow {
                id: 0,
                order_id: after.id,
                line_no: *line_no,
                product_id: *product_id,
                quantity: *quantity,
                // Backorder unless the customer chose otherwise (recorded on
                // the order's timeline when it does).
                choice: "backorder".into(),
                status: "open".into(),
                created_at: now,
            })
            .await?;
        }
        let amount = after.document.totals.amount;
        if amount.is_positive() {
            tx.account_append(
                after.customer_id,
                &AccountEntry::new(EntryKind::Commitment, amount, Some(after.id)),
                now,
                ctx.actor.user_id,
            )
            .await?;
        }
        Ok(shortages)
    }

    /// Records the customer's choice for one shortage of an order (INV-2).
    pub async fn choose_for_shortage(
        &self,
        ctx: &Ctx,
        id: OrderId,
        shortage: i64,
        choice: ShortageChoice,
    ) -> AppResult<OrderView> {
        ctx.require(Permission::OrderCreate)?;
        let mut tx = self.store.write().await?;
        let order = self.load_order(&mut tx, ctx, id).await?;
        if !tx
            .replenishments(Some(id))
            .await?
            .iter()
            .any(|r| r.id == shortage)
        {
            return Err(AppError::NotFound {
                what: "shortage",
                id: shortage.to_string(),
            });
        }
        if !tx.replenishment_choose(shortage, choice.as_str()).await? {
            return Err(ValidationErrors::single(
                "shortage",
                "closed",
                "this shortage is already closed",
            )
            .into());
        }
        self.event(
            &mut tx,
            ctx,
            id,
            "shortage_choice",
            Some(order.status),
            Some(order.status),
            "",
            serde_json::json!({ "shortage_id": shortage, "choice": choice }),
        )
        .await?;
        tx.commit().await?;
        self.view_committed(id).await
    }

    /// Sends an order back to the clerk with the reason (ORD-4).
    pub async fn reject_order(&self, ctx: &Ctx, id: OrderId, reason: &str) -> AppResult<OrderView> {
        ctx.require(Permission::OrderReview)?;
        self.close_order(ctx, id, OrderEvent::Reject, "rejected", reason)
            .await
    }

    /// Cancels an order; reserved stock and committed credit are released.
    pub async fn cancel_order(&self, ctx: &Ctx, id: OrderId, reason: &str) -> AppResult<OrderView> {
        ctx.require(Permission::OrderCancel)?;
        self.close_order(ctx, id, OrderEvent::Cancel, "cancelled", reason)
            .await
    }

    /// Gives back an order's reserved stock and committed credit.
    pub(crate) async fn release_all(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        kind: &str,
    ) -> AppResult<()> {
        let id = before.id;
        let now = self.now();
        let source = format!(
            "order {} {kind}",
            before.number.clone().unwrap_or_else(|| id.to_string())
        );
        // Goods locked for the order by an allocation run (ALC-5) are
        // released with the rest of its reservation below.
        for lock in tx
            .locks(Some(kaidan_domain::allocation::LockStatus::Active))
            .await?
        {
            if lock.order_id == id {
                tx.lock_close(
                    lock.id,
                    kaidan_domain::allocation::LockStatus::Cancelled,
                    now,
                )
                .await?;
            }
        }
        // Lists still open or picked for the order are called off first:
        // picked goods go back on the shelf, then everything is released.
        for list in tx.pick_lists(None, Some(id), u32::MAX).await? {
            let was = list.status;
            if !matches!(was, PickListStatus::Open | PickListStatus::Picked) {
                continue;
            }
            if was == PickListStatus::Picked {
                for l in &list.lines {
                    tx.stock_unpick(
                        l.product_id,
                        list.warehouse_id,
                        l.picked.unwrap_or(0),
                        &source,
                        now,
                    )
                    .await?;
                }
            }
            tx.pick_list_status(list.id, was, PickListStatus::Cancelled)
                .await?;
        }
        if let Some(warehouse) = self.central_warehouse(tx).await? {
            let mut cleared = Vec::new();
            for l in tx.order_lines(id).await? {
                if l.reserved > 0 {
                    tx.stock_release(l.product_id, warehouse, l.reserved, &source, now)
                        .await?;
                }
                // Nothing is owed any more: no backorder, no open request.
                if l.backordered > 0 {
                    tx.replenishment_close_line(id, l.line_no, now).await?;
                }
                if l.reserved > 0 || l.backordered > 0 {
                    cleared.push((l.line_no, 0, 0));
                }
            }
            tx.order_line_progress(id, &cleared).await?;
        }
        let balance = AccountBalance::from_entries(
            tx.account_entries(before.customer_id)
                .await?
                .iter()
                .map(|(_, e)| e),
        );
        let committed = balance.committed_for(Some(id));
        if committed.is_positive() {
            tx.account_append(
                before.customer_id,
                &AccountEntry::new(EntryKind::Release, committed, Some(id)),
                now,
                ctx.actor.user_id,
            )
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn close_order(
        &self,
        ctx: &Ctx,
        id: OrderId,
        event: OrderEvent,
        kind: &str,
        reason: &str,
    ) -> AppResult<OrderView> {
        let mut e = ValidationErrors::new();
        let reason = e.text("reason", reason, 500);
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let before = self.load_order(&mut tx, ctx, id).await?;
        let mut after = before.clone();
        after.status = before
            .status
            .apply(event)
            .map_err(|e| conflict(e.from, e.event))?;
        after.updated_at = self.now();
        self.save(&mut tx, ctx, &before, &after).await?;
        self.release_all(&mut tx, ctx, &before, kind).await?;
        self.event(
            &mut tx,
            ctx,
            id,
            kind,
            Some(before.status),
            Some(after.status),
            &reason,
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        self.view_committed(id).await
    }

    /// The view of an order just written, read on a reader connection after
    /// the commit, so the writer is not held for reads.
    async fn view_committed(&self, id: OrderId) -> AppResult<OrderView> {
        let mut tx = self.store.read().await?;
        self.view_in(&mut tx, id).await
    }

    pub(crate) async fn view_in(&self, tx: &mut Box<dyn Tx>, id: OrderId) -> AppResult<OrderView> {
        let row = tx.order_get(id).await?.ok_or_else(|| not_found(id))?;
        Ok(OrderView {
            id,
            number: row.number,
            status: row.status,
            status_zh: row.status.label_zh(),
            customer_id: row.customer_id,
            received_at: row.received_at.to_string(),
            review_due_at: row.review_due_at.to_string(),
            ship_due_at: row.ship_due_at.to_string(),
            review_met: row.review_met,
            order_version: row.order_version,
            version: row.version,
            content: row.document,
            progress: tx.order_lines(id).await?,
            timeline: tx.order_events(id).await?,
            joint_decisions: tx.joint_decisions(id).await?,
            shortages: tx.replenishments(Some(id)).await?,
            shipments: {
                let mut list = Vec::new();
                for s in tx.shipments(Some(id), None, u32::MAX).await? {
                    if let Some(full) = tx.shipment_get(s.id).await? {
                        list.push(full);
                    }
                }
                list
            },
        })
    }

    /// An order with its lines' progress and timeline (ORD-7).
    pub async fn order(&self, ctx: &Ctx, id: OrderId) -> AppResult<OrderView> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        self.load_order(&mut tx, ctx, id).await?;
        self.view_in(&mut tx, id).await
    }

    /// The id of the order with this number.
    pub async fn order_id_by_number(&self, ctx: &Ctx, number: &str) -> AppResult<OrderId> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        let id = tx
            .order_by_number(number)
            .await?
            .ok_or(AppError::NotFound {
                what: "order",
                id: number.to_string(),
            })?;
        self.load_order(&mut tx, ctx, id).await?;
        Ok(id)
    }

    /// Newest first; portal users see their own customer's orders only.
    pub async fn orders(&self, ctx: &Ctx, mut q: OrderQuery) -> AppResult<Vec<OrderRow>> {
        ctx.require(Permission::OrderRead)?;
        if ctx.actor.has_role(Role::Customer) {
            q.customer_id = Some(ctx.actor.customer_id.unwrap_or(CustomerId(-1)));
        }
        if q.limit == 0 {
            q.limit = 50;
        }
        // One row beyond the largest page, so a caller can see whether a
        // next page exists.
        q.limit = q.limit.min(self.config.max_page + 1);
        let mut tx = self.store.read().await?;
        Ok(tx.order_list(&q).await?)
    }

    /// A customer's funds and credit account (FIN-5).
    pub async fn account(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<(AccountBalance, Vec<AccountEntry>)> {
        if !(ctx.actor.can(Permission::AccountRead) || ctx.actor.customer_id == Some(customer)) {
            return Err(AppError::Forbidden(Permission::AccountRead));
        }
        let mut tx = self.store.read().await?;
        let entries: Vec<AccountEntry> = tx
            .account_entries(customer)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let mut balance = AccountBalance::from_entries(&entries);
        if let Some(rec) = tx.master_get(EntityKind::Customer, customer.get()).await? {
            let c = typed_record::<CustomerData>(rec)?.data;
            if !entries.iter().any(|e| e.kind == EntryKind::CreditLimit) {
                balance.apply(&AccountEntry::new(
                    EntryKind::CreditLimit,
                    c.credit_limit,
                    None,
                ));
            }
        }
        Ok((balance, entries))
    }

    /// Posts a deposit or adjustment to a customer's account (FIN-5).
    pub async fn post_account_entry(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        entry: AccountEntry,
    ) -> AppResult<AccountBalance> {
        ctx.require(Permission::AccountWrite)?;
        if !matches!(entry.kind, EntryKind::Deposit | EntryKind::Adjustment) {
            return Err(ValidationErrors::single("kind", "invalid", "post deposits or adjustments; commitments and charges come from orders and shipments").into());
        }
        entry.validate()?;
        let mut tx = self.store.write().await?;
        if tx
            .master_get(EntityKind::Customer, customer.get())
            .await?
            .is_none()
        {
            return Err(AppError::NotFound {
                what: "customer",
                id: customer.to_string(),
            });
        }
        let mut balance = AccountBalance::from_entries(
            tx.account_entries(customer).await?.iter().map(|(_, e)| e),
        );
        balance.post(&entry).map_err(|e| {
            AppError::Invalid(ValidationErrors::single("amount", "invalid", e.to_string()))
        })?;
        let now = self.now();
        tx.account_append(customer, &entry, now, ctx.actor.user_id)
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "account",
            customer.get(),
            entry.kind.as_str(),
            diff(None, Some(&entry)),
        )
        .await?;
        self.publish(
            &mut tx,
            &format!("account.{}", entry.kind.as_str()),
            "customer",
            customer.get(),
            serde_json::json!({ "customer_id": customer, "amount": entry.amount }),
        )
        .await?;
        tx.commit().await?;
        Ok(balance)
    }
}
