//! The bulk writes of a committed allocation run (ALC-1..10): lines
//! reserved, shortages closed, locks, timeline events with their outbox
//! rows, audit rows, order heads and pickable lines read for its pick lists,
//! and the pick lists themselves. On PostgreSQL each in a few large
//! statements; on SQLite's writer the per-row writes go one prepared
//! statement a row, which SQLite runs faster than a large text (ADR 0031).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    AllocOrderHead, AllocationWritesTx, AuditEntry, LockRow, PickListRow, PickableLine, RunEvent,
    StoreError,
};
use kaidan_domain::{CustomerId, OrderId, ProductId};
use std::fmt::Write as _;

use crate::error::corrupt;
use crate::lite;
use crate::literal::{LITERAL_ROWS, int_list, int_tuples};
use crate::row::{RowExt, Val, micros};
use crate::status_sets::{
    LINE_WAITS_COMPLETE, LOCK_ACTIVE, PICK_LIST_COMMITTED, PICK_LIST_HELD_QUANTITY,
    REPLENISHMENT_UNFILLED,
};
use crate::tx::{DbTx, exec_once, fetch_all_once, fetch_as, fetch_as_once};

/// The columns of a lock row, in the order of `lock_values`.
const LOCK_INSERT: &str = "INSERT INTO allocation_locks (run_id, customer_id, order_id, line_no, \
                           product_id, quantity, unit_price, expires_on, status)";

/// A lock's values in the order of `LOCK_INSERT`, bound on SQLite and
/// written into the text on PostgreSQL.
fn lock_values(l: &LockRow) -> (i64, i64, i64, u32, i64, i64, i64, String, &'static str) {
    (
        l.run_id,
        l.customer_id.get(),
        l.order_id.get(),
        l.line_no,
        l.product_id.get(),
        l.quantity,
        l.unit_price.units(),
        l.expires_on.to_string(),
        l.status.as_str(),
    )
}

#[async_trait]
impl AllocationWritesTx for DbTx {
    async fn alloc_reserve_lines(
        &mut self,
        lines: &[(OrderId, u32, i64)],
    ) -> Result<u64, StoreError> {
        if let Some(l) = self.lite_writer()? {
            return lite::exec_each(
                l,
                "UPDATE OR FAIL order_lines SET reserved = reserved + $1, backordered = backordered - $1 \
                 WHERE order_id = $2 AND line_no = $3 AND backordered >= $1",
                lines.iter().map(|(o, l, n)| (*n, o.get(), i64::from(*l))),
            );
        }
        let mut updated = 0;
        for chunk in lines.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, l, n)| [o.get(), i64::from(*l), *n]));
            let sql = format!(
                "{} order_lines SET reserved = order_lines.reserved + v.column3, \
                        backordered = order_lines.backordered - v.column3 \
                 FROM (VALUES {values}) AS v \
                 WHERE order_lines.order_id = v.column1 AND order_lines.line_no = v.column2 \
                   AND order_lines.backordered >= v.column3",
                bulk_update(self)
            );
            updated += exec_once!(self, &sql, []);
        }
        Ok(updated)
    }

    async fn alloc_close_shortages(
        &mut self,
        lines: &[(OrderId, u32)],
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        // One lookup per line through the (order, line) index. The state
        // is compared as an expression so that no engine walks the
        // (status, product) index instead: nearly every request of a big
        // run is open, which a planner without statistics cannot know.
        if let Some(l) = self.lite_writer()? {
            return lite::exec_each(
                l,
                &format!(
                    "UPDATE OR FAIL replenishment_requests SET status = 'closed', closed_at = $1 \
                     WHERE order_id = $2 AND line_no = $3 AND (status || '') IN ({unfilled})",
                    unfilled = *REPLENISHMENT_UNFILLED,
                ),
                lines
                    .iter()
                    .map(|(o, l)| (micros(at), o.get(), i64::from(*l))),
            );
        }
        let mut closed = 0;
        for chunk in lines.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, l)| [o.get(), i64::from(*l)]));
            let sql = format!(
                "{} replenishment_requests SET status = 'closed', closed_at = $1 \
                 FROM (VALUES {values}) AS v \
                 WHERE replenishment_requests.order_id = v.column1 \
                   AND replenishment_requests.line_no = v.column2 \
                   AND (replenishment_requests.status || '') IN ({unfilled})",
                bulk_update(self),
                unfilled = *REPLENISHMENT_UNFILLED,
            );
            closed += exec_once!(self, &sql, [micros(at)]);
        }
        Ok(closed)
    }

    async fn locks_insert(&mut self, locks: &[LockRow]) -> Result<(), StoreError> {
        if let Some(l) = self.lite_writer()? {
            lite::exec_each(
                l,
                &format!("{LOCK_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                locks.iter().map(lock_values),
            )?;
            return Ok(());
        }
        for chunk in locks.chunks(LITERAL_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 80);
            for (i, l) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                // A date prints as digits and dashes, a status is a fixed
                // word: both safe to write into the text.
                let (run, customer, order, line, product, quantity, price, expires, status) =
                    lock_values(l);
                let _ = write!(
                    values,
                    "({run}, {customer}, {order}, {line}, {product}, {quantity}, {price}, '{expires}', '{status}')"
                );
            }
            let sql = format!("{LOCK_INSERT} VALUES {values}");
            exec_once!(self, &sql, []);
        }
        Ok(())
    }

    async fn order_events_with_outbox(&mut self, events: &[RunEvent]) -> Result<(), StoreError> {
        if let Some(l) = self.lite_writer()? {
            lite::exec_each(
                l,
                "INSERT INTO order_events (order_id, at, actor_id, actor_name, kind, from_status, to_status, note, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
                events.iter().map(|e| {
                    (
                        e.order_id.get(),
                        micros(e.at),
                        e.actor_id.get(),
                        e.actor_name.as_str(),
                        e.kind,
                        e.status.as_str(),
                        e.note.as_str(),
                        e.data.as_str(),
                    )
                }),
            )?;
            let rows = events
                .iter()
                .map(|e| {
                    Ok((
                        micros(e.at),
                        format!("order.{}", e.kind),
                        e.order_id.get(),
                        with_order(&e.data, e.order_id, e.status.as_str())?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            lite::exec_each(
                l,
                "INSERT INTO outbox (at, topic, entity, entity_id, payload) VALUES ($1, $2, 'order', $3, $4)",
                rows,
            )?;
            return Ok(());
        }
        // Keys, times and states in the text; names, notes and data bound.
        for chunk in events.chunks(BOUND_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 80);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let p = 3 * i;
                let status = e.status.as_str();
                let _ = write!(
                    values,
                    "({}, {}, {}, ${}, '{}', '{status}', '{status}', ${}, ${})",
                    e.order_id.get(),
                    micros(e.at),
                    e.actor_id.get(),
                    p + 1,
                    plain_word(e.kind)?,
                    p + 2,
                    p + 3
                );
            }
            let sql = format!(
                "INSERT INTO order_events (order_id, at, actor_id, actor_name, kind, from_status, to_status, note, data) \
                 VALUES {values}"
            );
            let vals: Vec<Val> = chunk
                .iter()
                .flat_map(|e| {
                    [
                        Val::T(e.actor_name.clone()),
                        Val::T(e.note.clone()),
                        Val::T(e.data.clone()),
                    ]
                })
                .collect();
            exec_once!(self, &sql, vals);
        }
        for chunk in events.chunks(LITERAL_ROWS) {
            let payloads = chunk
                .iter()
                .map(|e| with_order(&e.data, e.order_id, e.status.as_str()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let _ = write!(
                    values,
                    "({}, 'order.{}', 'order', {}, ${})",
                    micros(e.at),
                    plain_word(e.kind)?,
                    e.order_id.get(),
                    i + 1
                );
            }
            let sql = format!(
                "INSERT INTO outbox (at, topic, entity, entity_id, payload) VALUES {values}"
            );
            let vals: Vec<Val> = payloads.into_iter().map(Val::T).collect();
            exec_once!(self, &sql, vals);
        }
        Ok(())
    }

    async fn audit_insert(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if let Some(l) = self.lite_writer()? {
            let rows = entries
                .iter()
                .map(|e| {
                    Ok((
                        micros(e.at),
                        e.actor_id.get(),
                        e.actor_name.as_str(),
                        e.entity.as_str(),
                        e.entity_id,
                        e.action.as_str(),
                        serde_json::to_string(&e.changes).map_err(corrupt)?,
                        e.request_id.as_deref(),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            lite::exec_each(
                l,
                "INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, changes, request_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                rows,
            )?;
            return Ok(());
        }
        for chunk in entries.chunks(BOUND_ROWS) {
            let changes = chunk
                .iter()
                .map(|e| serde_json::to_string(&e.changes).map_err(corrupt))
                .collect::<Result<Vec<_>, _>>()?;
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let p = 5 * i;
                let _ = write!(
                    values,
                    "({}, {}, ${}, ${}, {}, ${}, ${}, ${})",
                    micros(e.at),
                    e.actor_id.get(),
                    p + 1,
                    p + 2,
                    e.entity_id,
                    p + 3,
                    p + 4,
                    p + 5
                );
            }
            let sql = format!(
                "INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, changes, request_id) \
                 VALUES {values}"
            );
            let vals: Vec<Val> = chunk
                .iter()
                .zip(changes)
                .flat_map(|(e, changes)| {
                    [
                        Val::T(e.actor_name.clone()),
                        Val::T(e.entity.clone()),
                        Val::T(e.action.clone()),
                        Val::T(changes),
                        Val::OptT(e.request_id.clone()),
                    ]
                })
                .collect();
            exec_once!(self, &sql, vals);
        }
        Ok(())
    }

    async fn alloc_order_heads(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<AllocOrderHead>, StoreError> {
        let mut out = Vec::with_capacity(orders.len());
        for chunk in orders.chunks(LITERAL_ROWS) {
            let sql = format!(
                "SELECT id, number, customer_id, status, version FROM orders WHERE id IN ({}) ORDER BY id",
                int_list(chunk.iter().map(|o| o.get()))
            );
            out.extend(fetch_all_once!(self, &sql, [], |r| Ok(AllocOrderHead {
                id: OrderId(r.i64("id")?),
                number: r.opt_text("number")?,
                customer_id: CustomerId(r.i64("customer_id")?),
                status: r.parsed("status")?,
                version: r.i64("version")?,
            })));
        }
        Ok(out)
    }

    async fn alloc_pickable(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<PickableLine>, StoreError> {
        let mut out = Vec::new();
        for chunk in orders.chunks(LITERAL_ROWS) {
            let list = int_list(chunk.iter().map(|o| o.get()));
            // The same reading as the shipping plan (SHP-1): an open list
            // holds its listed quantity, a picked one what was picked;
            // active locks are not picked (ALC-5). The states are compared
            // as expressions so the planner goes through the orders'
            // indexes, not through every open list or active lock.
            let sql = format!(
                "SELECT l.order_id, l.line_no, l.product_id, \
                        CAST(l.reserved - COALESCE(pk.q, 0) - COALESCE(k.q, 0) AS BIGINT) AS pickable \
                 FROM order_lines l \
                 LEFT JOIN (SELECT pl.order_id, pll.line_no, \
                                   SUM({held}) AS q \
                            FROM pick_list_lines pll JOIN pick_lists pl ON pl.id = pll.pick_list_id \
                            WHERE (pl.status || '') IN ({committed}) AND pl.order_id IN ({list}) \
                            GROUP BY pl.order_id, pll.line_no) pk \
                        ON pk.order_id = l.order_id AND pk.line_no = l.line_no \
                 LEFT JOIN (SELECT order_id, line_no, SUM(quantity) AS q FROM allocation_locks \
                            WHERE (status || '') = {active} AND order_id IN ({list}) GROUP BY order_id, line_no) k \
                        ON k.order_id = l.order_id AND k.line_no = l.line_no \
                 WHERE l.order_id IN ({list}) AND l.reserved > 0 AND NOT {waits} \
                 ORDER BY l.order_id, l.line_no",
                waits = *LINE_WAITS_COMPLETE,
                held = *PICK_LIST_HELD_QUANTITY,
                committed = *PICK_LIST_COMMITTED,
                active = *LOCK_ACTIVE,
            );
            let rows: Vec<(i64, i64, i64, i64)> =
                fetch_as_once!(self, query_as.fetch_all, &sql, []);
            for (o, line, p, n) in rows {
                if n > 0 {
                    out.push(PickableLine {
                        order_id: OrderId(o),
                        line_no: u32::try_from(line).map_err(corrupt)?,
                        product_id: ProductId(p),
                        quantity: n,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn counter_take(&mut self, key: &str, n: i64) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO counters (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
            [key, n]
        ))
    }

    async fn orders_touch(
        &mut self,
        orders: &[(OrderId, i64)],
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut touched = 0;
        for chunk in orders.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, v)| [o.get(), *v]));
            let sql = format!(
                "UPDATE orders SET version = orders.version + 1, updated_at = $1 FROM (VALUES {values}) AS v \
                 WHERE orders.id = v.column1 AND orders.version = v.column2"
            );
            touched += exec_once!(self, &sql, [micros(at)]);
        }
        Ok(touched)
    }

    async fn pick_lists_insert(&mut self, lists: &[PickListRow]) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::with_capacity(lists.len());
        for chunk in lists.chunks(BOUND_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, x) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let packages = x
                    .packages
                    .map_or_else(|| "NULL".to_string(), |p| p.to_string());
                let _ = write!(
                    values,
                    "(${}, {}, {}, '{}', {packages}, {}, {})",
                    i + 1,
                    x.order_id.get(),
                    x.warehouse_id.get(),
                    x.status.as_str(),
                    micros(x.created_at),
                    x.created_by.get()
                );
            }
            let sql = format!(
                "INSERT INTO pick_lists (number, order_id, warehouse_id, status, packages, created_at, created_by) \
                 VALUES {values} RETURNING id, number"
            );
            let numbers: Vec<&str> = chunk.iter().map(|x| x.number.as_str()).collect();
            ids.extend(self.insert_numbered(&sql, &numbers, "pick list").await?);
        }
        let lines: Vec<(i64, &kaidan_domain::fulfilment::PickLine)> = ids
            .iter()
            .zip(lists)
            .flat_map(|(id, x)| x.lines.iter().map(move |l| (*id, l)))
            .collect();
        if let Some(conn) = self.lite_writer()? {
            lite::exec_each(
                conn,
                "INSERT INTO pick_list_lines (pick_list_id, line_no, product_id, quantity, picked) \
                 VALUES ($1, $2, $3, $4, $5)",
                lines
                    .iter()
                    .map(|(id, l)| (*id, l.line_no, l.product_id.get(), l.quantity, l.picked)),
            )?;
            return Ok(ids);
        }
        for chunk in lines.chunks(LITERAL_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 30);
            for (i, (id, l)) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let picked = l
                    .picked
                    .map_or_else(|| "NULL".to_string(), |p| p.to_string());
                let _ = write!(
                    values,
                    "({id}, {}, {}, {}, {picked})",
                    l.line_no,
                    l.product_id.get(),
                    l.quantity
                );
            }
            let sql = format!(
                "INSERT INTO pick_list_lines (pick_list_id, line_no, product_id, quantity, picked) VALUES {values}"
            );
            exec_once!(self, &sql, []);
        }
        Ok(ids)
    }
}

/// `UPDATE`, on SQLite `UPDATE OR FAIL`: a statement that cannot be undone
/// halfway needs no statement journal, so SQLite does not copy every page
/// it changes first. Safe because a failed statement fails the whole
/// transaction (or unit) it is in: nobody goes on after the error.
fn bulk_update(tx: &DbTx) -> &'static str {
    match tx {
        DbTx::Sqlite(_) => "UPDATE OR FAIL",
        DbTx::Pg(_) => "UPDATE",
    }
}

/// Rows per statement that still binds its text (names, notes, JSON): a
/// few hundred parameters each.
const BOUND_ROWS: usize = 60;

/// An event kind written into a statement: lower-case letters and `_`
/// only.
fn plain_word(s: &str) -> Result<&str, StoreError> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(s)
    } else {
        Err(StoreError::Corrupt(format!("not an event kind: {s:?}")))
    }
}

/// An order event's data (a JSON object) with the order's id and state in
/// front: the outbox payload, made from the text without parsing it again.
fn with_order(data: &str, order: OrderId, status: &str) -> Result<String, StoreError> {
    let rest = data
        .trim_start()
        .strip_prefix('{')
        .ok_or_else(|| StoreError::Corrupt(format!("event data is not a JSON object: {data}")))?;
    let mut out = String::with_capacity(data.len() + 48);
    let _ = write!(
        out,
        "{{\"order_id\":{},\"status\":\"{status}\"",
        order.get()
    );
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_outbox_payload_is_the_data_with_the_order_in_front() {
        let p = with_order(r#"{"run":"AR-1","lines":[]}"#, OrderId(7), "approved").unwrap();
        assert_eq!(
            p,
            r#"{"order_id":7,"status":"approved","run":"AR-1","lines":[]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!(v["run"], "AR-1");
        assert_eq!(
            with_order("{}", OrderId(1), "shipped").unwrap(),
            r#"{"order_id":1,"status":"shipped"}"#
        );
        assert!(with_order("[1]", OrderId(1), "approved").is_err());
        assert!(plain_word("pick_list").is_ok());
        assert!(plain_word("x'); DROP TABLE orders; --").is_err());
    }
}
