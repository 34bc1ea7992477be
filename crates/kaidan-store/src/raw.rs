//! The rows the intake path writes, for `kaidan bench intake`: it measures
//! what the real run left in its database (`intake_shape`), and its
//! baselines insert the same rows, so every side of its ratios writes the
//! same data. Here the store baseline (`raw_order_inserts`: one INSERT a row
//! through Kaidan's own store, a secondary figure); the plain baseline of
//! the ratio is in plain_baseline.rs (ADR 0029) and uses the same row texts.

use std::time::{Duration, Instant};

use crate::tx::{DbTx, exec, fetch_as};
use crate::{ConnectError, Db};
use kaidan_app::ports::{StoreError, Tx};

/// What one order left in the database, on average: rows per table and the
/// size of their text payloads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawShape {
    pub lines: usize,
    pub versions: usize,
    pub events: usize,
    pub audit_rows: usize,
    pub outbox_rows: usize,
    pub stock_moves: usize,
    pub account_entries: usize,
    pub document_bytes: usize,
    pub event_bytes: usize,
    pub audit_bytes: usize,
    pub outbox_bytes: usize,
}

impl RawShape {
    /// Rows written per order, header included.
    pub fn rows(&self) -> usize {
        1 + self.lines
            + self.versions
            + self.events
            + self.audit_rows
            + self.outbox_rows
            + self.stock_moves
            + self.account_entries
    }
}

// One text per row kind, shared with the plain baselines
// (plain_baseline.rs), so every baseline writes the same columns and values.
// `$n` numbered in order of first use: rusqlite binds them by position too.
pub(crate) const ORDER: &str = "INSERT INTO orders (customer_id, status, channel, amount, received_at, review_due_at, ship_due_at, document, created_by, updated_at) \
     VALUES ($1, 'approved', 'api', 100, 0, 0, 0, $2, 0, 0)";
const ORDER_RETURNING_ID: &str = "INSERT INTO orders (customer_id, status, channel, amount, received_at, review_due_at, ship_due_at, document, created_by, updated_at) \
     VALUES ($1, 'approved', 'api', 100, 0, 0, 0, $2, 0, 0) RETURNING id";
pub(crate) const LINE: &str = "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, amount, reserved, tax_rate_bp) VALUES ($1, $2, $3, 1, 100, 100, 1, 1300)";
pub(crate) const VERSION: &str = "INSERT INTO order_versions (order_id, version, document, reason, at, actor_id) VALUES ($1, $2, $3, 'bench', 0, 0)";
pub(crate) const EVENT: &str = "INSERT INTO order_events (order_id, at, actor_id, actor_name, kind, data) VALUES ($1, 0, 0, 'bench', 'approved', $2)";
pub(crate) const AUDIT: &str = "INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, changes) VALUES (0, 0, 'bench', 'order', $1, 'update', $2)";
pub(crate) const OUTBOX: &str = "INSERT INTO outbox (at, topic, entity, entity_id, payload) VALUES (0, 'order.approved', 'order', $1, $2)";
pub(crate) const STOCK_MOVE: &str = "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, source) VALUES (0, $1, $2, 'reservation', 0, 1, 'bench')";
pub(crate) const ACCOUNT_ENTRY: &str = "INSERT INTO account_entries (customer_id, at, kind, amount, order_id, actor_id) VALUES ($1, 0, 'commitment', 100, $2, 0)";

/// A JSON text of about `bytes` bytes.
pub(crate) fn pad(bytes: usize) -> String {
    format!("{{\"pad\":\"{}\"}}", "x".repeat(bytes.saturating_sub(10)))
}

fn per_order(total: i64, orders: usize) -> usize {
    let total = usize::try_from(total).unwrap_or(0);
    (total + orders / 2) / orders.max(1)
}

impl Db {
    /// The rows per order that `orders` orders left in this database.
    pub async fn intake_shape(&self, orders: usize) -> Result<RawShape, StoreError> {
        const QUERIES: [&str; 11] = [
            "SELECT COUNT(*) FROM order_lines",
            "SELECT COUNT(*) FROM order_versions",
            "SELECT COUNT(*) FROM order_events",
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'order'",
            "SELECT COUNT(*) FROM outbox WHERE entity = 'order'",
            "SELECT COUNT(*) FROM stock_moves WHERE kind = 'reservation'",
            "SELECT COUNT(*) FROM account_entries",
            "SELECT CAST(COALESCE(AVG(LENGTH(document)), 0) AS BIGINT) FROM orders",
            "SELECT CAST(COALESCE(AVG(LENGTH(data)), 0) AS BIGINT) FROM order_events",
            "SELECT CAST(COALESCE(AVG(LENGTH(changes)), 0) AS BIGINT) FROM audit_log WHERE entity = 'order'",
            "SELECT CAST(COALESCE(AVG(LENGTH(payload)), 0) AS BIGINT) FROM outbox WHERE entity = 'order'",
        ];
        let mut tx = self.begin_tx().await?;
        let mut v = Vec::with_capacity(QUERIES.len());
        for q in QUERIES {
            let n: i64 = fetch_as!(&mut tx, query_scalar.fetch_one, q, []);
            v.push(n);
        }
        Box::new(tx).commit().await?;
        let bytes = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok(RawShape {
            lines: per_order(v[0], orders),
            versions: per_order(v[1], orders),
            events: per_order(v[2], orders),
            audit_rows: per_order(v[3], orders),
            outbox_rows: per_order(v[4], orders),
            stock_moves: per_order(v[5], orders),
            account_entries: per_order(v[6], orders),
            document_bytes: bytes(v[7]),
            event_bytes: bytes(v[8]),
            audit_bytes: bytes(v[9]),
            outbox_bytes: bytes(v[10]),
        })
    }

    /// Inserts `orders` orders of `shape` (one plain INSERT per row),
    /// `per_tx` orders per transaction, for `customer`, `product` and
    /// `warehouse`. Returns the time taken.
    pub async fn raw_order_inserts(
        &self,
        orders: usize,
        shape: &RawShape,
        per_tx: usize,
        (customer, product, warehouse): (i64, i64, i64),
    ) -> Result<Duration, StoreError> {
        let doc = pad(shape.document_bytes);
        let event = pad(shape.event_bytes);
        let audit = pad(shape.audit_bytes);
        let outbox = pad(shape.outbox_bytes);
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let start = Instant::now();
        let mut done = 0;
        while done < orders {
            let n = per_tx.min(orders - done);
            let mut owned = self.begin_tx().await?;
            let tx: &mut DbTx = &mut owned;
            for _ in 0..n {
                let id: i64 = fetch_as!(
                    tx,
                    query_scalar.fetch_one,
                    ORDER_RETURNING_ID,
                    [customer, &doc]
                );
                for line in 1..=count(shape.lines) {
                    exec!(tx, LINE, [id, line, product]);
                }
                for version in 1..=count(shape.versions) {
                    exec!(tx, VERSION, [id, version, &doc]);
                }
                for _ in 0..shape.events {
                    exec!(tx, EVENT, [id, &event]);
                }
                for _ in 0..shape.audit_rows {
                    exec!(tx, AUDIT, [id, &audit]);
                }
                for _ in 0..shape.outbox_rows {
                    exec!(tx, OUTBOX, [id, &outbox]);
                }
                for _ in 0..shape.stock_moves {
                    exec!(tx, STOCK_MOVE, [product, warehouse]);
                }
                for _ in 0..shape.account_entries {
                    exec!(tx, ACCOUNT_ENTRY, [customer, id]);
                }
            }
            done += n;
            Box::new(owned).commit().await?;
        }
        Ok(start.elapsed())
    }

    /// Opens a fresh database for the raw baseline next to `url`.
    pub async fn open_for_bench(url: &str) -> Result<Db, ConnectError> {
        let db = Db::connect(url, &crate::DbOptions::default()).await?;
        db.migrate().await?;
        Ok(db)
    }
}
