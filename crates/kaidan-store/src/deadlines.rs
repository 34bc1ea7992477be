//! Order deadlines in SQL (ORD-6, ORD-8, KPI-2): the record of each decided
//! deadline (`order_deadlines`, migration 0011) and the open orders the
//! watch list reads.

use async_trait::async_trait;
use kaidan_app::ports::{DeadlinesTx, OrderRow, StoreError};
use kaidan_domain::OrderId;
use kaidan_domain::orders::{DeadlineKind, DeadlineRecord, OrderStatus};

use crate::orders::{ORDER_COLS, ORDERS_FROM, order_from_row};
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all};

#[async_trait]
impl DeadlinesTx for DbTx {
    async fn deadline_record(
        &mut self,
        order: OrderId,
        r: &DeadlineRecord,
    ) -> Result<(), StoreError> {
        // A deadline is decided once; a repeated decision (which the state
        // machine does not allow) keeps the first record.
        exec!(
            self,
            "INSERT INTO order_deadlines (order_id, kind, due_at, completed_at, met, late_minutes) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id, kind) DO NOTHING",
            [
                order.get(),
                r.kind.as_str(),
                micros(r.due_at),
                micros(r.completed_at),
                r.met,
                r.late_minutes,
            ]
        );
        Ok(())
    }

    async fn deadline_records(
        &mut self,
        order: OrderId,
    ) -> Result<Vec<DeadlineRecord>, StoreError> {
        // 'review' sorts before 'ship': the order the work is done in.
        Ok(fetch_all!(
            self,
            "SELECT kind, due_at, completed_at, met, late_minutes FROM order_deadlines \
             WHERE order_id = $1 ORDER BY kind",
            [order.get()],
            |r| Ok(DeadlineRecord {
                kind: r.parsed("kind")?,
                due_at: r.ts("due_at")?,
                completed_at: r.ts("completed_at")?,
                met: r.bool("met")?,
                late_minutes: r.i64("late_minutes")?,
            })
        ))
    }

    async fn deadline_open_orders(
        &mut self,
        statuses: &[OrderStatus],
        kind: DeadlineKind,
        limit: u32,
    ) -> Result<Vec<OrderRow>, StoreError> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let mut vals: Vec<Val> = statuses.iter().map(|s| Val::T(s.as_str().into())).collect();
        let marks: Vec<String> = (1..=vals.len()).map(|i| format!("${i}")).collect();
        vals.push(Val::T(kind.as_str().into()));
        let kind_at = vals.len();
        vals.push(Val::I(i64::from(limit.max(1))));
        let due = match kind {
            DeadlineKind::Review => "review_due_at",
            DeadlineKind::Ship => "ship_due_at",
        };
        let sql = format!(
            "SELECT {cols} FROM {ORDERS_FROM} WHERE status IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM order_deadlines d WHERE d.order_id = orders.id AND d.kind = ${kind_at}) \
             ORDER BY {due}, id LIMIT ${}",
            marks.join(", "),
            vals.len(),
            cols = *ORDER_COLS,
        );
        Ok(fetch_all!(self, &sql, vals, order_from_row))
    }
}
