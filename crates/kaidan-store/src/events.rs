//! Webhook subscriptions and deliveries (INT-5, issue 18; migration 0023,
//! ADR 0034).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    AttemptRecord, DeliveryCounts, DeliveryQuery, DeliveryRow, DueDelivery, EventRange, EventRef,
    EventsTx, NewDelivery, StoreError, SubscriptionRow,
};
use kaidan_domain::UserId;
use kaidan_domain::events::DeliveryState;

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, micros, placeholders, where_all};
use crate::tx::{DbTx, exec, exec_once, fetch_all, fetch_all_once, fetch_as, fetch_opt};

/// Rows a multi-row statement carries at most (well inside both engines'
/// limits on bound values).
const CHUNK: usize = 500;

const SUBSCRIPTION_COLUMNS: &str = "id, name, url, topics, customer_id, secret_sealed, active, \
     created_at, created_by, updated_at";

fn subscription_from(r: &impl RowExt) -> Result<SubscriptionRow, StoreError> {
    Ok(SubscriptionRow {
        id: r.i64("id")?,
        name: r.text("name")?,
        url: r.text("url")?,
        topics: r
            .text("topics")?
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        customer_id: r.opt_i64("customer_id")?,
        secret_sealed: r.text("secret_sealed")?,
        active: r.bool("active")?,
        created_at: r.ts("created_at")?,
        created_by: UserId(r.i64("created_by")?),
        updated_at: r.ts("updated_at")?,
    })
}

/// The customer an outbox event concerns, by its entity: an order's, an
/// invoice's, a shipment's order's, ...; NULL for the others.
const EVENT_CUSTOMER: &str = "CASE o.entity \
     WHEN 'order' THEN (SELECT customer_id FROM orders WHERE id = o.entity_id) \
     WHEN 'customer' THEN o.entity_id \
     WHEN 'invoice' THEN (SELECT customer_id FROM invoices WHERE id = o.entity_id) \
     WHEN 'receipt' THEN (SELECT customer_id FROM receipts WHERE id = o.entity_id) \
     WHEN 'dunning_notice' THEN (SELECT customer_id FROM dunning_notices WHERE id = o.entity_id) \
     WHEN 'allocation_lock' THEN (SELECT customer_id FROM allocation_locks WHERE id = o.entity_id) \
     WHEN 'shipment' THEN (SELECT r.customer_id FROM shipments s JOIN orders r ON r.id = s.order_id \
                           WHERE s.id = o.entity_id) \
     END";

/// `SELECT` of outbox rows as [`EventRef`]s, then `rest` (a condition and
/// an order).
fn event_refs(rest: &str) -> String {
    format!(
        "SELECT o.id, o.topic, o.entity, o.entity_id, {EVENT_CUSTOMER} AS customer_id \
         FROM outbox o {rest}"
    )
}

fn event_ref_from(r: &impl RowExt) -> Result<EventRef, StoreError> {
    Ok(EventRef {
        id: r.i64("id")?,
        topic: r.text("topic")?,
        entity: r.text("entity")?,
        entity_id: r.i64("entity_id")?,
        customer_id: r.opt_i64("customer_id")?,
    })
}

const DELIVERY_SELECT: &str = "SELECT d.id, d.subscription_id, s.name AS subscription_name, \
     d.event_id, COALESCE(o.topic, '') AS topic, d.entity, d.entity_id, d.state, d.attempts, \
     d.next_at, d.last_at, d.last_status, d.last_latency_ms, d.last_error, d.delivered_at, \
     d.created_at \
     FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id \
     LEFT JOIN outbox o ON o.id = d.event_id";

fn delivery_from(r: &impl RowExt) -> Result<DeliveryRow, StoreError> {
    Ok(DeliveryRow {
        id: r.i64("id")?,
        subscription_id: r.i64("subscription_id")?,
        subscription_name: r.text("subscription_name")?,
        event_id: r.i64("event_id")?,
        topic: r.text("topic")?,
        entity: r.text("entity")?,
        entity_id: r.i64("entity_id")?,
        state: r.parsed("state")?,
        attempts: u32::try_from(r.i64("attempts")?).map_err(corrupt)?,
        next_at: r.ts("next_at")?,
        last_at: r.opt_i64("last_at")?.map(from_micros).transpose()?,
        last_status: r
            .opt_i64("last_status")?
            .map(u16::try_from)
            .transpose()
            .map_err(corrupt)?,
        last_latency_ms: r.opt_i64("last_latency_ms")?,
        last_error: r.opt_text("last_error")?,
        delivered_at: r.opt_i64("delivered_at")?.map(from_micros).transpose()?,
        created_at: r.ts("created_at")?,
    })
}

impl DbTx {
    fn is_pg(&self) -> bool {
        matches!(self, DbTx::Pg(_))
    }
}

#[async_trait]
impl EventsTx for DbTx {
    async fn subscription_insert(&mut self, s: &SubscriptionRow) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO webhook_subscriptions (name, url, topics, customer_id, secret_sealed, \
             active, created_at, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            [
                &s.name,
                &s.url,
                s.topics.join(","),
                s.customer_id,
                &s.secret_sealed,
                s.active,
                micros(s.created_at),
                s.created_by.get(),
                micros(s.updated_at)
            ]
        ))
    }

    async fn subscription_update(&mut self, s: &SubscriptionRow) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE webhook_subscriptions SET name = $1, url = $2, topics = $3, customer_id = $4, \
             secret_sealed = $5, active = $6, updated_at = $7 WHERE id = $8",
            [
                &s.name,
                &s.url,
                s.topics.join(","),
                s.customer_id,
                &s.secret_sealed,
                s.active,
                micros(s.updated_at),
                s.id
            ]
        );
        Ok(())
    }

    async fn subscription_get(&mut self, id: i64) -> Result<Option<SubscriptionRow>, StoreError> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1");
        Ok(fetch_opt!(self, &sql, [id], subscription_from))
    }

    async fn subscriptions(&mut self) -> Result<Vec<SubscriptionRow>, StoreError> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY id");
        Ok(fetch_all!(self, &sql, [], subscription_from))
    }

    async fn delivery_counts(&mut self) -> Result<Vec<(i64, DeliveryCounts)>, StoreError> {
        let rows: Vec<(i64, String, i64)> = fetch_all!(
            self,
            "SELECT subscription_id, state, COUNT(*) AS n FROM webhook_deliveries \
             GROUP BY subscription_id, state ORDER BY subscription_id",
            [],
            |r| Ok((r.i64("subscription_id")?, r.text("state")?, r.i64("n")?))
        );
        let mut out: Vec<(i64, DeliveryCounts)> = Vec::new();
        for (id, state, n) in rows {
            if out.last().is_none_or(|(last, _)| *last != id) {
                out.push((id, DeliveryCounts::default()));
            }
            if let Some((_, c)) = out.last_mut() {
                match state.parse::<DeliveryState>().map_err(corrupt)? {
                    DeliveryState::Pending => c.pending = n,
                    DeliveryState::Delivered => c.delivered = n,
                    DeliveryState::Dead => c.dead = n,
                }
            }
        }
        Ok(out)
    }

    async fn outbox_unrelayed(&mut self, limit: u32) -> Result<Vec<EventRef>, StoreError> {
        // PostgreSQL: one node routes at a time. Two nodes routing
        // disjoint slices (SKIP LOCKED) could commit a later event of an
        // order before an earlier one, and its delivery would go first.
        // SQLite's single writer gives the same exclusion.
        if self.is_pg() {
            let got: bool = fetch_as!(
                self,
                query_scalar.fetch_one,
                "SELECT pg_try_advisory_xact_lock(hashtextextended('kaidan:outbox-relay', 0))",
                []
            );
            if !got {
                return Ok(Vec::new());
            }
        }
        let sql = event_refs("WHERE o.published_at IS NULL ORDER BY o.id LIMIT $1");
        Ok(fetch_all!(self, &sql, [i64::from(limit)], event_ref_from))
    }

    async fn outbox_mark_relayed(&mut self, ids: &[i64], at: Timestamp) -> Result<(), StoreError> {
        for chunk in ids.chunks(CHUNK) {
            let mut vals = vec![Val::I(micros(at))];
            vals.extend(chunk.iter().map(|id| Val::I(*id)));
            let sql = format!(
                "UPDATE outbox SET published_at = $1 WHERE id IN ({})",
                placeholders(2, chunk.len())
            );
            exec_once!(self, &sql, vals);
        }
        Ok(())
    }

    async fn outbox_range(&mut self, range: &EventRange) -> Result<Vec<EventRef>, StoreError> {
        let mut vals = vec![Val::I(micros(range.from)), Val::I(micros(range.to))];
        let mut clauses = vec!["o.at >= $1".to_string(), "o.at < $2".to_string()];
        if let Some((entity, id)) = &range.entity {
            vals.push(Val::T(entity.clone()));
            vals.push(Val::I(*id));
            clauses.push(format!(
                "o.entity = ${} AND o.entity_id = ${}",
                vals.len() - 1,
                vals.len()
            ));
        }
        vals.push(Val::I(i64::from(range.limit)));
        let sql = event_refs(&format!(
            "{} ORDER BY o.id LIMIT ${}",
            where_all(&clauses),
            vals.len()
        ));
        Ok(fetch_all_once!(self, &sql, vals, event_ref_from))
    }

    async fn deliveries_put(
        &mut self,
        rows: &[NewDelivery],
        again: bool,
    ) -> Result<u64, StoreError> {
        let on_conflict = if again {
            "DO UPDATE SET state = 'pending', attempts = 0, next_at = excluded.next_at, \
             lease_until = NULL, lease_node = NULL"
        } else {
            "DO NOTHING"
        };
        let mut written = 0;
        for chunk in rows.chunks(CHUNK) {
            let mut vals = Vec::with_capacity(chunk.len() * 6);
            let mut tuples = Vec::with_capacity(chunk.len());
            for d in chunk {
                let n = vals.len();
                tuples.push(format!(
                    "(${}, ${}, ${}, ${}, 'pending', 0, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6
                ));
                vals.extend([
                    Val::I(d.subscription_id),
                    Val::I(d.event_id),
                    Val::T(d.entity.clone()),
                    Val::I(d.entity_id),
                    Val::I(micros(d.next_at)),
                    Val::I(micros(d.next_at)),
                ]);
            }
            let sql = format!(
                "INSERT INTO webhook_deliveries (subscription_id, event_id, entity, entity_id, \
                 state, attempts, next_at, created_at) VALUES {} \
                 ON CONFLICT (subscription_id, event_id) {on_conflict}",
                tuples.join(", ")
            );
            written += exec_once!(self, &sql, vals);
        }
        Ok(written)
    }

    async fn deliveries_claim(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        node: &str,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        // PostgreSQL: one node claims at a time (a tried advisory lock), and
        // a row another node is recording is skipped, not waited for;
        // SQLite's claim runs in the single writer's transaction. One
        // claimer at a time keeps a record's chain whole: the claim takes
        // each record's waiting deliveries in order, and another node
        // claiming at once could see an earlier one of them as unleased.
        let lock = if self.is_pg() {
            let got: bool = fetch_as!(
                self,
                query_scalar.fetch_one,
                "SELECT pg_try_advisory_xact_lock(hashtextextended('kaidan:outbox-claim', 0))",
                []
            );
            if !got {
                return Ok(Vec::new());
            }
            " FOR UPDATE OF d SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT d.id, d.subscription_id, s.url, s.secret_sealed, d.attempts, d.event_id, \
             o.at AS event_at, o.topic, d.entity, d.entity_id, o.payload \
             FROM webhook_deliveries d \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             JOIN outbox o ON o.id = d.event_id \
             WHERE d.state = 'pending' AND d.next_at <= $1 \
             AND (d.lease_until IS NULL OR d.lease_until < $1) AND s.active \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                 WHERE e.subscription_id = d.subscription_id AND e.entity = d.entity \
                 AND e.entity_id = d.entity_id AND e.state = 'pending' AND e.event_id < d.event_id \
                 AND (e.next_at > $1 OR (e.lease_until IS NOT NULL AND e.lease_until >= $1))) \
             ORDER BY d.event_id LIMIT $2{lock}"
        );
        let due: Vec<DueDelivery> =
            fetch_all!(self, &sql, [micros(now), i64::from(limit)], |r| Ok(
                DueDelivery {
                    id: r.i64("id")?,
                    subscription_id: r.i64("subscription_id")?,
                    url: r.text("url")?,
                    secret_sealed: r.text("secret_sealed")?,
                    attempts: u32::try_from(r.i64("attempts")?).map_err(corrupt)?,
                    event_id: r.i64("event_id")?,
                    event_at: r.ts("event_at")?,
                    topic: r.text("topic")?,
                    entity: r.text("entity")?,
                    entity_id: r.i64("entity_id")?,
                    payload: r.text("payload")?,
                }
            ));
        for chunk in due.chunks(CHUNK) {
            let mut vals = vec![Val::I(micros(lease_until)), Val::T(node.to_string())];
            vals.extend(chunk.iter().map(|d| Val::I(d.id)));
            let sql = format!(
                "UPDATE webhook_deliveries SET lease_until = $1, lease_node = $2 WHERE id IN ({})",
                placeholders(3, chunk.len())
            );
            exec_once!(self, &sql, vals);
        }
        Ok(due)
    }

    async fn deliveries_release(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "UPDATE webhook_deliveries SET lease_until = NULL, lease_node = NULL \
                 WHERE id IN ({}) AND state = 'pending'",
                placeholders(1, chunk.len())
            );
            let vals: Vec<Val> = chunk.iter().map(|id| Val::I(*id)).collect();
            exec_once!(self, &sql, vals);
        }
        Ok(())
    }

    async fn delivery_attempted(&mut self, a: &AttemptRecord) -> Result<(), StoreError> {
        let delivered_at = (a.state == DeliveryState::Delivered).then(|| micros(a.at));
        exec!(
            self,
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_at = $2, \
             lease_until = NULL, lease_node = NULL, last_at = $3, last_status = $4, \
             last_latency_ms = $5, last_error = $6, delivered_at = COALESCE($7, delivered_at) \
             WHERE id = $8",
            [
                a.state.as_str(),
                micros(a.next_at),
                micros(a.at),
                a.status.map(i64::from),
                a.latency_ms,
                a.error.as_deref(),
                delivered_at,
                a.delivery_id
            ]
        );
        Ok(())
    }

    async fn deliveries(&mut self, q: &DeliveryQuery) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(s) = q.subscription_id {
            vals.push(Val::I(s));
            clauses.push(format!("d.subscription_id = ${}", vals.len()));
        }
        if let Some(state) = q.state {
            vals.push(Val::T(state.as_str().to_string()));
            clauses.push(format!("d.state = ${}", vals.len()));
        }
        if let Some(before) = q.before {
            vals.push(Val::I(before));
            clauses.push(format!("d.id < ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(q.limit)));
        let sql = format!(
            "{DELIVERY_SELECT} {} ORDER BY d.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all_once!(self, &sql, vals, delivery_from))
    }

    async fn delivery_get(&mut self, id: i64) -> Result<Option<DeliveryRow>, StoreError> {
        let sql = format!("{DELIVERY_SELECT} WHERE d.id = $1");
        Ok(fetch_opt!(self, &sql, [id], delivery_from))
    }

    async fn delivery_retry(&mut self, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_at = $1, \
             lease_until = NULL, lease_node = NULL WHERE id = $2 AND state = 'dead'",
            [micros(now), id]
        );
        Ok(n == 1)
    }

    async fn events_prune(&mut self, before: Timestamp) -> Result<(u64, u64), StoreError> {
        let before = micros(before);
        let deliveries = exec!(
            self,
            "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND delivered_at < $1",
            [before]
        );
        // A bounded slice a run, so one job run never holds the writer
        // long; the next run takes the next slice.
        let events = exec!(
            self,
            "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o \
             WHERE o.published_at IS NOT NULL AND o.published_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = o.id) \
             ORDER BY o.id LIMIT 20000)",
            [before]
        );
        Ok((deliveries, events))
    }
}
