//! What a committed run writes besides its allocations: the orders'
//! timeline events and outbox rows serialised once, and the pick lists for
//! what it made pickable (SHP-1).

use kaidan_domain::OrderId;
use std::collections::HashMap;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{AllocOrderHead, AuditEntry, PickListRow, RunEvent, Tx};
use kaidan_domain::WarehouseId;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{PickLine, PickListStatus};
use kaidan_domain::orders::OrderStatus;

use super::*;

impl App {
    /// Order timeline events with their outbox events, in multi-row
    /// inserts: (order, kind, status, note, data as JSON) each, as
    /// [`App::event`] writes one.
    pub(super) async fn events_bulk(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        events: Vec<(OrderId, &'static str, OrderStatus, String, String)>,
    ) -> AppResult<()> {
        let at = self.now();
        let rows: Vec<RunEvent> = events
            .into_iter()
            .map(|(order_id, kind, status, note, data)| RunEvent {
                order_id,
                at,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                kind,
                status,
                note,
                data,
            })
            .collect();
        tx.order_events_with_outbox(&rows).await?;
        Ok(())
    }

    /// SHP-1 for a run, set-based: one pick list per order in `orders`
    /// that awaits goods and has something pickable, with what
    /// [`App::pick_lists_in`] writes for each (the order's version bumped,
    /// a PK number, an audit row, a timeline and outbox event).
    pub(super) async fn run_pick_lists(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        warehouse: WarehouseId,
        orders: &[OrderId],
        mut heads: HashMap<OrderId, AllocOrderHead>,
    ) -> AppResult<Vec<PickListRow>> {
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let mut pickable: HashMap<OrderId, Vec<PickLine>> = HashMap::new();
        let t0 = std::time::Instant::now();
        for l in tx.alloc_pickable(orders).await? {
            pickable.entry(l.order_id).or_default().push(PickLine {
                line_no: l.line_no,
                product_id: l.product_id,
                quantity: l.quantity,
                picked: None,
            });
        }
        // Heads the run has read already are current: nothing it wrote
        // since changed an order's row.
        let missing: Vec<OrderId> = orders
            .iter()
            .filter(|o| !heads.contains_key(o))
            .copied()
            .collect();
        for h in tx.alloc_order_heads(&missing).await? {
            heads.insert(h.id, h);
        }
        let ready: Vec<(&AllocOrderHead, Vec<PickLine>)> = orders
            .iter()
            .filter_map(|o| {
                let head = heads.get(o)?;
                let lines = pickable.remove(o)?;
                head.status.awaits_goods().then_some((head, lines))
            })
            .collect();
        if ready.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        // Bumping the orders' versions makes a concurrent list for the
        // same order fail instead of listing the same goods twice.
        let versions: Vec<(OrderId, i64)> = ready.iter().map(|(h, _)| (h.id, h.version)).collect();
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: pickable read"
        );
        if tx.orders_touch(&versions, now).await? != u64::try_from(versions.len()).unwrap_or(0) {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        }
        let day = self.today().strftime("%Y%m%d").to_string();
        let count = i64::try_from(ready.len()).unwrap_or(i64::MAX);
        let last = tx.counter_take(&format!("PK:{day}"), count).await?;
        let mut lists: Vec<PickListRow> = ready
            .into_iter()
            .zip(last - count + 1..)
            .map(|((h, lines), seq)| PickListRow {
                id: 0,
                number: format!("PK-{day}-{seq:04}"),
                order_id: h.id,
                order_number: h.number.clone(),
                customer_id: h.customer_id,
                warehouse_id: warehouse,
                status: PickListStatus::Open,
                packages: None,
                created_at: now,
                created_by: ctx.actor.user_id,
                picked_at: None,
                picked_by: None,
                lines,
            })
            .collect();
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            lists = lists.len(),
            "allocation pick lists: orders touched and numbered"
        );
        let ids = tx.pick_lists_insert(&lists).await?;
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: inserted"
        );
        let mut audit = Vec::with_capacity(lists.len());
        let mut events = Vec::with_capacity(lists.len());
        for (list, id) in lists.iter_mut().zip(ids) {
            list.id = id;
            audit.push(AuditEntry {
                id: 0,
                at: now,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                entity: "pick_list".into(),
                entity_id: id,
                action: "create".into(),
                changes: vec![FieldChange {
                    field: "number".into(),
                    before: None,
                    after: Some(list.number.clone()),
                }],
                request_id: ctx.request_id.clone(),
            });
            let status = heads
                .get(&list.order_id)
                .map_or(OrderStatus::Approved, |h| h.status);
            let data = PickListData {
                pick_list_id: id,
                number: &list.number,
                lines: list
                    .lines
                    .iter()
                    .map(|l| EventLine::plain(l.line_no, l.quantity))
                    .collect(),
            };
            events.push((
                list.order_id,
                "pick_list",
                status,
                list.number.clone(),
                serde_json::to_string(&data).map_err(AppError::Json)?,
            ));
        }
        tx.audit_insert(&audit).await?;
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: audited"
        );
        self.events_bulk(tx, ctx, events).await?;
        Ok(lists)
    }
}
