//! The customer portal's inbox and free stock (INT-2, ORD-5, issue 18;
//! migration 0024).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{NoticeQuery, NoticeRow, PortalTx, StoreError};
use kaidan_domain::{CustomerId, ProductId, UserId};

use crate::row::{RowExt, Val, from_micros, micros, placeholders};
use crate::tx::{DbTx, exec_once, fetch_all_once, fetch_as, fetch_as_once};

/// Rows a multi-row statement carries at most (well inside both engines'
/// limits on bound values).
const CHUNK: usize = 500;

fn notice_from(r: &impl RowExt) -> Result<NoticeRow, StoreError> {
    Ok(NoticeRow {
        id: r.i64("id")?,
        event_id: r.i64("event_id")?,
        topic: r.text("topic")?,
        entity: r.text("entity")?,
        entity_id: r.i64("entity_id")?,
        payload: r.text("payload")?,
        created_at: r.ts("created_at")?,
        read_at: r.opt_i64("read_at")?.map(from_micros).transpose()?,
    })
}

#[async_trait]
impl PortalTx for DbTx {
    async fn notices_put(&mut self, rows: &[(CustomerId, i64)]) -> Result<u64, StoreError> {
        let mut written = 0;
        for chunk in rows.chunks(CHUNK) {
            let mut vals = Vec::with_capacity(chunk.len() * 2);
            let mut tuples = Vec::with_capacity(chunk.len());
            for (customer, event) in chunk {
                let n = vals.len();
                tuples.push(format!("(${}, ${})", n + 1, n + 2));
                vals.extend([Val::I(customer.get()), Val::I(*event)]);
            }
            // The customer of each event comes with it; the rest is the
            // outbox row's own. `column1`, `column2`: both engines' names
            // for a VALUES list's columns; `WHERE true` keeps SQLite from
            // reading ON CONFLICT as the join's condition.
            let sql = format!(
                "INSERT INTO portal_notifications (customer_id, event_id, topic, entity, \
                 entity_id, payload, created_at) \
                 SELECT w.column1, o.id, o.topic, o.entity, o.entity_id, o.payload, o.at \
                 FROM (VALUES {}) AS w JOIN outbox o ON o.id = w.column2 WHERE true \
                 ON CONFLICT (customer_id, event_id) DO NOTHING",
                tuples.join(", ")
            );
            written += exec_once!(self, &sql, vals);
        }
        Ok(written)
    }

    async fn notices(&mut self, q: &NoticeQuery) -> Result<Vec<NoticeRow>, StoreError> {
        let mut vals = vec![Val::I(q.customer.get())];
        let mut sql =
            "SELECT id, event_id, topic, entity, entity_id, payload, created_at, read_at \
             FROM portal_notifications WHERE customer_id = $1"
                .to_string();
        if q.unread_only {
            sql.push_str(" AND read_at IS NULL");
        }
        if let Some(before) = q.before {
            vals.push(Val::I(before));
            sql.push_str(&format!(" AND id < ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(q.limit)));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", vals.len()));
        Ok(fetch_all_once!(self, &sql, vals, notice_from))
    }

    async fn notices_unread(&mut self, customer: CustomerId) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "SELECT COUNT(*) FROM portal_notifications WHERE customer_id = $1 AND read_at IS NULL",
            [customer.get()]
        ))
    }

    async fn notices_mark_read(
        &mut self,
        customer: CustomerId,
        ids: Option<&[i64]>,
        at: Timestamp,
        by: UserId,
    ) -> Result<u64, StoreError> {
        let mut vals = vec![Val::I(micros(at)), Val::I(by.get()), Val::I(customer.get())];
        let mut sql = "UPDATE portal_notifications SET read_at = $1, read_by = $2 \
             WHERE customer_id = $3 AND read_at IS NULL"
            .to_string();
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push_str(&format!(" AND id IN ({})", placeholders(4, ids.len())));
            vals.extend(ids.iter().map(|i| Val::I(*i)));
        }
        Ok(exec_once!(self, &sql, vals))
    }

    async fn stock_free_of(
        &mut self,
        products: &[ProductId],
    ) -> Result<Vec<(ProductId, i64)>, StoreError> {
        let mut out = Vec::with_capacity(products.len());
        for chunk in products.chunks(CHUNK) {
            let sql = format!(
                "SELECT product_id, CAST(SUM(on_hand - reserved) AS BIGINT) FROM stock_balances \
                 WHERE product_id IN ({}) GROUP BY product_id ORDER BY product_id",
                placeholders(1, chunk.len())
            );
            let vals: Vec<Val> = chunk.iter().map(|p| Val::I(p.get())).collect();
            let rows: Vec<(i64, i64)> = fetch_as_once!(self, query_as.fetch_all, &sql, vals);
            out.extend(rows.into_iter().map(|(p, n)| (ProductId(p), n)));
        }
        Ok(out)
    }
}
