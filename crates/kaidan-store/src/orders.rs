//! Orders in SQL (ORD-1..8, FIN-5): headers with their priced document,
//! lines and their progress, the timeline, counters, joint decisions,
//! customer accounts and replenishment requests. Change requests are in
//! `changes.rs`.

use std::sync::LazyLock;

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    ChangesTx, JointDecisionRow, LineProgressRow, OrderEventRow, OrderFilterChoices, OrderQuery,
    OrderRow, OrderSort, OrderSortKey, OrdersTx, ReplenishmentRow, StoreError,
};
use kaidan_domain::orders::{
    AccountEntry, DeadlineState, Department, OrderStage, OrderStatus, PricedOrder, StageFacts,
};
use kaidan_domain::purchasing::ShortageChoice;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, RegionId, UserId};

use crate::error::corrupt;
use crate::row::{Filters, RowExt, Val, line_no, micros, where_all};
use crate::status_sets::{
    ORDER_AWAITING_GOODS, ORDER_IN_REVIEW, PICK_LIST_COMMITTED, REPLENISHMENT_UNFILLED,
};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

/// The order's columns and the facts its stage is derived from (ORD-7):
/// the lines' reserved total and the pick lists still holding its goods.
/// Both are index lookups (`order_lines` by its key, `pick_lists_order`).
pub(crate) static ORDER_COLS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, number, customer_id, status, received_at, review_due_at, ship_due_at, \
         reviewed_at, review_met, sd.met AS ship_met, document, order_version, version, created_by, updated_at, \
         billing, \
         (SELECT CAST(COALESCE(SUM(l.reserved), 0) AS BIGINT) FROM order_lines l \
          WHERE l.order_id = orders.id) AS stage_reserved, \
         (SELECT COUNT(*) FROM pick_lists p WHERE p.order_id = orders.id \
          AND p.status IN ({committed})) AS stage_pick_lists",
        committed = *PICK_LIST_COMMITTED
    )
});

/// The list filter for one stage: `OrderStage::of` spelled as a
/// condition on the same facts, so the filter and the stage shown agree
/// (a store test checks this for every stage).
fn stage_clause(stage: OrderStage) -> String {
    let awaiting = format!("status IN ({})", *ORDER_AWAITING_GOODS);
    let on_pick_list = format!(
        "EXISTS (SELECT 1 FROM pick_lists p WHERE p.order_id = orders.id AND p.status IN ({}))",
        *PICK_LIST_COMMITTED
    );
    match stage {
        OrderStage::Picking => format!("{awaiting} AND {on_pick_list}"),
        OrderStage::Allocated => format!(
            "{awaiting} AND NOT {on_pick_list} AND EXISTS (SELECT 1 FROM order_lines l \
             WHERE l.order_id = orders.id AND l.reserved > 0)"
        ),
    }
}

/// The WHERE clauses and values of `q`'s filters (not its cursor).
fn order_filters(q: &OrderQuery) -> (Vec<String>, Vec<Val>) {
    let mut f = Filters::default();
    if let Some(s) = q.status {
        f.push("status = $?", [Val::T(s.as_str().into())]);
    }
    if let Some(cu) = q.customer_id {
        f.push("customer_id = $?", [Val::I(cu.get())]);
    }
    if let Some(rep) = q.rep_id {
        f.push(
            "customer_id IN (SELECT c.id FROM customers c WHERE c.sales_rep_id = $?)",
            [Val::I(rep.get())],
        );
    }
    if let Some(region) = q.region_id {
        f.push(
            "customer_id IN (SELECT c.id FROM customers c WHERE c.region_id = $?)",
            [Val::I(region.get())],
        );
    }
    if let Some(ch) = q.channel {
        f.push("channel = $?", [Val::T(ch.as_str().into())]);
    }
    if let Some(t) = q.received_from {
        f.push("received_at >= $?", [Val::I(micros(t))]);
    }
    if let Some(t) = q.received_before {
        f.push("received_at < $?", [Val::I(micros(t))]);
    }
    if let Some(m) = q.amount_min {
        f.push("amount >= $?", [Val::I(m.units())]);
    }
    if let Some(m) = q.amount_max {
        f.push("amount <= $?", [Val::I(m.units())]);
    }
    if let Some(cut) = q.deadline {
        let review_open = format!("status IN ({}) AND review_met IS NULL", *ORDER_IN_REVIEW);
        let ship_open = format!(
            "status IN ({}, {}) AND sd.met IS NULL",
            *ORDER_IN_REVIEW, *ORDER_AWAITING_GOODS
        );
        let (now, r, s) = (
            Val::I(micros(cut.now)),
            Val::I(micros(cut.review_soon_until)),
            Val::I(micros(cut.ship_soon_until)),
        );
        match cut.state {
            DeadlineState::Overdue => f.push(
                &format!(
                    "(({review_open} AND review_due_at < $?) OR ({ship_open} AND ship_due_at < $?))"
                ),
                [now.clone(), now],
            ),
            DeadlineState::DueSoon => f.push(
                &format!(
                    "(({review_open} AND review_due_at >= $? AND review_due_at <= $?) \
                     OR ({ship_open} AND ship_due_at >= $? AND ship_due_at <= $?))"
                ),
                [now.clone(), r, now, s],
            ),
            DeadlineState::Pending => f.push(
                &format!(
                    "(({review_open} AND review_due_at > $?) OR ({ship_open} AND ship_due_at > $?))"
                ),
                [r, s],
            ),
            DeadlineState::Missed => f.push("(review_met = FALSE OR sd.met = FALSE)", []),
            DeadlineState::Met => f.push("(review_met = TRUE AND sd.met = TRUE)", []),
        }
    }
    if let Some(stage) = q.stage {
        f.clauses.push(stage_clause(stage));
    }
    (f.clauses, f.vals)
}

/// The sort column (`None`: by id alone) and its direction.
fn sort_of(sort: OrderSort) -> (Option<&'static str>, &'static str) {
    let column = match sort.key {
        OrderSortKey::Newest => None,
        OrderSortKey::Received => Some("received_at"),
        OrderSortKey::Amount => Some("amount"),
        OrderSortKey::ShipDue => Some("ship_due_at"),
    };
    (column, if sort.descending { "DESC" } else { "ASC" })
}

/// The orders with their ship deadline's record (ORD-6), for `ORDER_COLS`.
/// The record's columns share no name with the order's.
pub(crate) const ORDERS_FROM: &str =
    "orders LEFT JOIN order_deadlines sd ON sd.order_id = orders.id AND sd.kind = 'ship'";

pub(crate) fn order_from_row(r: &impl RowExt) -> Result<OrderRow, StoreError> {
    let document: PricedOrder = serde_json::from_str(&r.text("document")?).map_err(corrupt)?;
    Ok(OrderRow {
        id: OrderId(r.i64("id")?),
        number: r.opt_text("number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        status: r.parsed("status")?,
        received_at: r.ts("received_at")?,
        review_due_at: r.ts("review_due_at")?,
        ship_due_at: r.ts("ship_due_at")?,
        reviewed_at: r
            .opt_i64("reviewed_at")?
            .map(crate::row::from_micros)
            .transpose()?,
        review_met: r.opt_bool("review_met")?,
        ship_met: r.opt_bool("ship_met")?,
        document,
        order_version: r.i64("order_version")?,
        version: r.i64("version")?,
        created_by: UserId(r.i64("created_by")?),
        updated_at: r.ts("updated_at")?,
        stage_facts: StageFacts {
            reserved: r.i64("stage_reserved")?,
            pick_lists: r.i64("stage_pick_lists")?,
        },
        billing: r.parsed("billing")?,
    })
}

/// An account entry from its row; the note comes from the caller, as not
/// every reader selects it.
pub(crate) fn account_entry(
    r: &impl RowExt,
    note: Option<String>,
) -> Result<AccountEntry, StoreError> {
    Ok(AccountEntry {
        kind: r.parsed("kind")?,
        amount: Money::from_units(r.i64("amount")?),
        order_id: r.opt_i64("order_id")?.map(OrderId),
        note,
    })
}

impl DbTx {
    async fn write_lines(&mut self, row: &OrderRow) -> Result<(), StoreError> {
        // Lines of the current version in one statement; a line that stays
        // keeps its progress, and an unchanged line is not written at all.
        let lines = &row.document.lines;
        if lines.is_empty() {
            return Ok(());
        }
        // The tax rate travels with the line (FIN-1): an invoice carries
        // the rate the line was priced at, not the product's rate of today.
        let values = (0..lines.len())
            .map(|i| {
                let b = 6 * i + 2;
                format!(
                    "($1, ${b}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, amount, tax_rate_bp) \
             VALUES {values} \
             ON CONFLICT (order_id, line_no) DO UPDATE SET product_id = excluded.product_id, \
               quantity = excluded.quantity, unit_price = excluded.unit_price, amount = excluded.amount, \
               tax_rate_bp = excluded.tax_rate_bp \
             WHERE order_lines.product_id <> excluded.product_id OR order_lines.quantity <> excluded.quantity \
               OR order_lines.unit_price <> excluded.unit_price OR order_lines.amount <> excluded.amount \
               OR order_lines.tax_rate_bp <> excluded.tax_rate_bp"
        );
        let mut vals = Vec::with_capacity(1 + 6 * lines.len());
        vals.push(Val::I(row.id.get()));
        for l in lines {
            vals.extend([
                Val::I(i64::from(l.line_no)),
                Val::I(l.product_id.get()),
                Val::I(l.quantity.get()),
                Val::I(l.unit_price.units()),
                Val::I(l.amount.units()),
                Val::I(l.tax_rate.basis_points()),
            ]);
        }
        exec!(self, &sql, vals);
        Ok(())
    }

    fn header_vals(row: &OrderRow) -> Result<Vec<Val>, StoreError> {
        let doc = serde_json::to_string(&row.document).map_err(corrupt)?;
        Ok(vec![
            Val::OptT(row.number.clone()),
            Val::I(row.customer_id.get()),
            Val::T(row.status.as_str().into()),
            Val::T(row.document.channel.as_str().into()),
            Val::B(row.document.priority),
            Val::B(row.document.special),
            Val::OptT(row.document.customer_reference.clone()),
            Val::I(row.document.totals.amount.units()),
            Val::I(micros(row.received_at)),
            Val::I(micros(row.review_due_at)),
            Val::I(micros(row.ship_due_at)),
            Val::OptI(row.reviewed_at.map(micros)),
            Val::OptB(row.review_met),
            Val::T(doc),
            Val::OptT(row.document.requested_delivery_date.map(|d| d.to_string())),
            Val::T(row.promised_date().to_string()),
            Val::I(row.order_version),
            Val::I(row.created_by.get()),
            Val::I(micros(row.updated_at)),
            Val::OptI(row.document.contract_id),
        ])
    }
}

const HEADER_COLS: [&str; 20] = [
    "number",
    "customer_id",
    "status",
    "channel",
    "priority",
    "special",
    "customer_ref",
    "amount",
    "received_at",
    "review_due_at",
    "ship_due_at",
    "reviewed_at",
    "review_met",
    "document",
    "requested_delivery_date",
    "promised_date",
    "order_version",
    "created_by",
    "updated_at",
    "contract_id",
];

impl DbTx {
    /// Sets `reserved` and one other progress column (`second`, a fixed
    /// column name) of several lines of an order in one statement.
    async fn order_line_pairs(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
        second: &'static str,
    ) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        let values = (0..lines.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE order_lines SET reserved = v.column2, {second} = v.column3 FROM (VALUES {values}) AS v \
             WHERE order_lines.order_id = $1 AND order_lines.line_no = v.column1"
        );
        let mut vals = Vec::with_capacity(1 + 3 * lines.len());
        vals.push(Val::I(id.get()));
        for (line, reserved, other) in lines {
            vals.extend([Val::I(i64::from(*line)), Val::I(*reserved), Val::I(*other)]);
        }
        exec!(self, &sql, vals);
        Ok(())
    }
}

#[async_trait]
impl OrdersTx for DbTx {
    async fn order_insert(&mut self, row: &OrderRow, reason: &str) -> Result<OrderId, StoreError> {
        let vals = Self::header_vals(row)?;
        let placeholders: Vec<String> = (1..=vals.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO orders ({}) VALUES ({}) RETURNING id",
            HEADER_COLS.join(", "),
            placeholders.join(", ")
        );
        let id: i64 = fetch_as!(self, query_scalar.fetch_one, &sql, vals);
        let mut stored = row.clone();
        stored.id = OrderId(id);
        self.write_lines(&stored).await?;
        self.order_version_insert(
            stored.id,
            row.order_version,
            &row.document,
            reason,
            row.updated_at,
            row.created_by,
        )
        .await?;
        Ok(stored.id)
    }

    async fn order_get(&mut self, id: OrderId) -> Result<Option<OrderRow>, StoreError> {
        let sql = format!("SELECT {} FROM {ORDERS_FROM} WHERE id = $1", *ORDER_COLS);
        Ok(fetch_opt!(self, &sql, [id.get()], order_from_row))
    }

    async fn order_by_number(&mut self, number: &str) -> Result<Option<OrderId>, StoreError> {
        let id: Option<i64> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT id FROM orders WHERE number = $1",
            [number]
        );
        Ok(id.map(OrderId))
    }

    async fn order_save(
        &mut self,
        row: &OrderRow,
        expected_version: i64,
        lines_changed: bool,
    ) -> Result<bool, StoreError> {
        let mut vals = Self::header_vals(row)?;
        let sets: Vec<String> = HEADER_COLS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = vals.len();
        vals.extend([Val::I(row.id.get()), Val::I(expected_version)]);
        let sql = format!(
            "UPDATE orders SET {}, version = version + 1 WHERE id = ${} AND version = ${}",
            sets.join(", "),
            n + 1,
            n + 2
        );
        let affected = exec!(self, &sql, vals);
        if affected == 1 && lines_changed {
            self.write_lines(row).await?;
        }
        Ok(affected == 1)
    }

    async fn order_list(&mut self, q: &OrderQuery) -> Result<Vec<OrderRow>, StoreError> {
        let (mut clauses, mut vals) = order_filters(q);
        let (column, dir) = sort_of(q.sort);
        let cmp = if q.sort.descending { "<" } else { ">" };
        if let Some(c) = q.after {
            match column {
                None => {
                    vals.push(Val::I(c.id));
                    clauses.push(format!("id {cmp} ${}", vals.len()));
                }
                Some(col) => {
                    vals.push(Val::I(c.key));
                    vals.push(Val::I(c.id));
                    let n = vals.len();
                    clauses.push(format!("({col}, id) {cmp} (${}, ${n})", n - 1));
                }
            }
        }
        vals.push(Val::I(i64::from(q.limit.max(1))));
        let order_by = match column {
            None => format!("id {dir}"),
            Some(col) => format!("{col} {dir}, id {dir}"),
        };
        let sql = format!(
            "SELECT {} FROM {ORDERS_FROM} {} ORDER BY {order_by} LIMIT ${}",
            *ORDER_COLS,
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, order_from_row))
    }

    async fn order_count(&mut self, q: &OrderQuery) -> Result<u64, StoreError> {
        let (clauses, vals) = order_filters(q);
        // The deadline record is joined only when a filter reads it.
        let from = if q.deadline.is_some() {
            ORDERS_FROM
        } else {
            "orders"
        };
        let sql = format!("SELECT COUNT(*) FROM {from} {}", where_all(&clauses));
        let n: i64 = fetch_as!(self, query_scalar.fetch_one, &sql, vals);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn order_filter_choices(&mut self) -> Result<OrderFilterChoices, StoreError> {
        let reps = fetch_all!(
            self,
            "SELECT u.id, u.display_name FROM users u \
             WHERE EXISTS (SELECT 1 FROM customers c WHERE c.sales_rep_id = u.id) \
             ORDER BY u.display_name, u.id",
            [],
            |r| Ok((UserId(r.i64("id")?), r.text("display_name")?))
        );
        let regions = fetch_all!(
            self,
            "SELECT id, code, name FROM regions ORDER BY code",
            [],
            |r| Ok((
                RegionId(r.i64("id")?),
                format!("{} {}", r.text("code")?, r.text("name")?)
            ))
        );
        Ok(OrderFilterChoices { reps, regions })
    }

    async fn order_lines(&mut self, id: OrderId) -> Result<Vec<LineProgressRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT line_no, product_id, quantity, reserved, backordered, shipped, invoiced \
             FROM order_lines WHERE order_id = $1 ORDER BY line_no",
            [id.get()],
            |r| Ok(LineProgressRow {
                line_no: line_no(r.i64("line_no")?)?,
                product_id: ProductId(r.i64("product_id")?),
                quantity: r.i64("quantity")?,
                reserved: r.i64("reserved")?,
                backordered: r.i64("backordered")?,
                shipped: r.i64("shipped")?,
                invoiced: r.i64("invoiced")?,
            })
        ))
    }

    async fn order_line_progress(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError> {
        self.order_line_pairs(id, lines, "backordered").await
    }

    async fn order_line_shipped(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError> {
        self.order_line_pairs(id, lines, "shipped").await
    }

    async fn order_event_append(
        &mut self,
        id: OrderId,
        e: &OrderEventRow,
    ) -> Result<(), StoreError> {
        let data = serde_json::to_string(&e.data).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO order_events (order_id, at, actor_id, actor_name, kind, from_status, to_status, note, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                id.get(),
                micros(e.at),
                e.actor_id.get(),
                &e.actor_name,
                &e.kind,
                e.from_status.map(|s| s.as_str()),
                e.to_status.map(|s| s.as_str()),
                &e.note,
                data,
            ]
        );
        Ok(())
    }

    async fn order_events(&mut self, id: OrderId) -> Result<Vec<OrderEventRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT at, actor_id, actor_name, kind, from_status, to_status, note, data \
             FROM order_events WHERE order_id = $1 ORDER BY id",
            [id.get()],
            |r| Ok(OrderEventRow {
                at: r.ts("at")?,
                actor_id: UserId(r.i64("actor_id")?),
                actor_name: r.text("actor_name")?,
                kind: r.text("kind")?,
                from_status: r.opt_parsed("from_status")?,
                to_status: r.opt_parsed("to_status")?,
                note: r.text("note")?,
                data: serde_json::from_str(&r.text("data")?).map_err(corrupt)?,
            })
        ))
    }

    async fn recent_orders(
        &mut self,
        customer: CustomerId,
        since: Timestamp,
    ) -> Result<Vec<(OrderId, PricedOrder)>, StoreError> {
        let rows: Vec<(i64, String)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT id, document FROM orders WHERE customer_id = $1 AND received_at >= $2 AND status <> 'cancelled' ORDER BY id",
            [customer.get(), micros(since)]
        );
        rows.into_iter()
            .map(|(id, doc)| Ok((OrderId(id), serde_json::from_str(&doc).map_err(corrupt)?)))
            .collect()
    }

    async fn open_orders_amount(
        &mut self,
        customer: CustomerId,
        except: Option<OrderId>,
        statuses: &[OrderStatus],
    ) -> Result<Money, StoreError> {
        let mut vals = vec![
            Val::I(customer.get()),
            Val::I(except.map(|o| o.get()).unwrap_or(0)),
        ];
        let mut marks = Vec::new();
        for s in statuses {
            vals.push(Val::T(s.as_str().into()));
            marks.push(format!("${}", vals.len()));
        }
        if marks.is_empty() {
            return Ok(Money::ZERO);
        }
        // What already shipped is charged on the account (a receivable once
        // beyond the funds), so only the unshipped rest of a partly shipped
        // order still counts as open. Both parts are answered from indexes
        // (migration 0022): `shipped > 0` names the partial one. SUM of
        // BIGINT is NUMERIC in PostgreSQL; cast so both engines give i64.
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(o.amount - COALESCE((SELECT SUM(l.shipped * l.unit_price) FROM order_lines l \
                                                          WHERE l.order_id = o.id AND l.shipped > 0), 0)), 0) AS BIGINT) \
             FROM orders o WHERE o.customer_id = $1 AND o.id <> $2 AND o.status IN ({})",
            marks.join(", ")
        );
        let total: i64 = fetch_as!(self, query_scalar.fetch_one, &sql, vals);
        Ok(Money::from_units(total))
    }

    async fn counter_next(&mut self, key: &str) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO counters (key, value) VALUES ($1, 1) \
             ON CONFLICT (key) DO UPDATE SET value = counters.value + 1 RETURNING value",
            [key]
        ))
    }

    async fn joint_decision_put(
        &mut self,
        id: OrderId,
        d: &JointDecisionRow,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO joint_decisions (order_id, department, decision, actor_id, actor_name, at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                id.get(),
                d.department.as_str(),
                if d.approved { "approved" } else { "rejected" },
                d.actor_id.get(),
                &d.actor_name,
                micros(d.at),
                &d.note,
            ]
        );
        Ok(())
    }

    async fn joint_decisions(&mut self, id: OrderId) -> Result<Vec<JointDecisionRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT department, decision, actor_id, actor_name, at, note FROM joint_decisions \
             WHERE order_id = $1 ORDER BY at",
            [id.get()],
            |r| Ok(JointDecisionRow {
                department: r.parsed::<Department>("department")?,
                approved: r.text("decision")? == "approved",
                actor_id: UserId(r.i64("actor_id")?),
                actor_name: r.text("actor_name")?,
                at: r.ts("at")?,
                note: r.text("note")?,
            })
        ))
    }

    async fn account_append(
        &mut self,
        customer: CustomerId,
        e: &AccountEntry,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO account_entries (customer_id, at, kind, amount, order_id, note, actor_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                customer.get(),
                micros(at),
                e.kind.as_str(),
                e.amount.units(),
                e.order_id.map(|o| o.get()),
                e.note.as_deref(),
                actor.get(),
            ]
        );
        Ok(())
    }

    async fn account_entries(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<(Timestamp, AccountEntry)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT at, kind, amount, order_id, note FROM account_entries WHERE customer_id = $1 ORDER BY id",
            [customer.get()],
            |r| Ok((r.ts("at")?, account_entry(r, r.opt_text("note")?)?))
        ))
    }

    async fn replenishment_choose(
        &mut self,
        order: OrderId,
        line: u32,
        choice: ShortageChoice,
        change_id: Option<i64>,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE replenishment_requests SET choice = $1, change_id = $2 \
             WHERE order_id = $3 AND line_no = $4 AND status IN ({unfilled})",
            unfilled = *REPLENISHMENT_UNFILLED,
        );
        Ok(exec!(
            self,
            &sql,
            [choice.as_str(), change_id, order.get(), i64::from(line)]
        ))
    }

    async fn replenishment_insert(&mut self, x: &ReplenishmentRow) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO replenishment_requests (order_id, line_no, product_id, quantity, choice, change_id, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            [
                x.order_id.get(),
                i64::from(x.line_no),
                x.product_id.get(),
                x.quantity,
                x.choice.as_str(),
                x.change_id,
                &x.status,
                micros(x.created_at),
            ]
        ))
    }

    async fn replenishments(
        &mut self,
        order: Option<OrderId>,
    ) -> Result<Vec<ReplenishmentRow>, StoreError> {
        let (sql, bind) = match order {
            Some(o) => (
                "SELECT id, order_id, line_no, product_id, quantity, choice, change_id, status, created_at FROM replenishment_requests WHERE order_id = $1 ORDER BY id",
                o.get(),
            ),
            None => (
                "SELECT id, order_id, line_no, product_id, quantity, choice, change_id, status, created_at FROM replenishment_requests WHERE status = 'open' AND id > $1 ORDER BY id",
                0,
            ),
        };
        Ok(fetch_all!(self, sql, [bind], |r| Ok(ReplenishmentRow {
            id: r.i64("id")?,
            order_id: OrderId(r.i64("order_id")?),
            line_no: line_no(r.i64("line_no")?)?,
            product_id: ProductId(r.i64("product_id")?),
            quantity: r.i64("quantity")?,
            choice: r.parsed("choice")?,
            change_id: r.opt_i64("change_id")?,
            status: r.text("status")?,
            created_at: r.ts("created_at")?,
        })))
    }
}
