//! The relay's use cases (issue 18, ADR 0034). The adapter calls them in a
//! loop: route new outbox events to deliveries, claim the due deliveries,
//! send them (its own business: HTTP, signatures), record each attempt.
//! Each step is one short transaction, so no transaction is open while a
//! receiver is slow, and the single SQLite writer is never held for one.

use jiff::Timestamp;
use kaidan_domain::CustomerId;
use kaidan_domain::events::{AfterFailure, DeliveryState, MAX_DELIVERY_ERROR, TopicPattern, wants};
use kaidan_domain::portal::notifies;
use serde::Serialize;

use super::SealError;
use crate::app::App;
use crate::error::AppResult;
use crate::ports::{AttemptRecord, DueDelivery, NewDelivery};

/// An event as it leaves Kaidan: the body of a webhook POST. `id` is
/// stable (the outbox row's), so a receiver drops a duplicate by it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEnvelope {
    pub id: i64,
    #[serde(rename = "type")]
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    /// When the change that raised the event was made.
    pub at: Timestamp,
    pub data: serde_json::Value,
}

/// A delivery to send now.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub subscription_id: i64,
    pub url: String,
    /// The subscription's secret, opened; or why it cannot be (then the
    /// attempt fails without sending).
    pub secret: Result<String, SealError>,
    /// This attempt's number, from 1.
    pub attempt: u32,
    pub event: EventEnvelope,
}

/// How one attempt went, as the adapter saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub delivery_id: i64,
    pub attempt: u32,
    pub at: Timestamp,
    /// The receiver's HTTP status, if it answered one (a JetStream
    /// acknowledgement has none).
    pub status: Option<u16>,
    pub latency_ms: i64,
    /// Why it failed: no answer, or an answer that is not 2xx.
    pub error: Option<String>,
}

impl Attempt {
    /// No error, and an HTTP answer, if any, of 2xx.
    pub fn delivered(&self) -> bool {
        self.error.is_none() && self.status.is_none_or(|s| (200..300).contains(&s))
    }
}

fn outgoing(d: DueDelivery, app: &App) -> Outgoing {
    let secret = match app.seal_key() {
        Ok(key) => key.open(&d.secret_sealed),
        Err(_) => Err(SealError::NoKey),
    };
    // The outbox holds JSON written by the use cases; were a row not
    // JSON, the receiver still gets its text rather than nothing.
    let data = serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload));
    Outgoing {
        delivery_id: d.id,
        subscription_id: d.subscription_id,
        url: d.url,
        secret,
        attempt: d.attempts.saturating_add(1),
        event: EventEnvelope {
            id: d.event_id,
            topic: d.topic,
            entity: d.entity,
            entity_id: d.entity_id,
            at: d.event_at,
            data,
        },
    }
}

/// At most `max` characters of `text`.
fn clipped(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl App {
    /// Routes the oldest outbox events not yet routed: a delivery for each
    /// active subscription that wants one, a notice in the customer's
    /// portal inbox for each event it is told of, and the event marked
    /// published, in one transaction. Returns how many events were routed (0: none
    /// waiting, or another node is routing).
    pub async fn relay_route(&self) -> AppResult<usize> {
        let mut tx = self.store.write().await?;
        let events = tx.outbox_unrelayed(self.config.events.batch).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let subscriptions: Vec<(i64, Option<i64>, Vec<TopicPattern>)> = tx
            .subscriptions()
            .await?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| {
                let patterns = s
                    .topics
                    .iter()
                    .filter_map(|t| TopicPattern::parse(t).ok())
                    .collect();
                (s.id, s.customer_id, patterns)
            })
            .collect();
        let now = self.now();
        let mut rows = Vec::new();
        for ev in &events {
            for (id, customer, patterns) in &subscriptions {
                if wants(patterns, *customer, &ev.topic, ev.customer_id) {
                    rows.push(NewDelivery {
                        subscription_id: *id,
                        event_id: ev.id,
                        entity: ev.entity.clone(),
                        entity_id: ev.entity_id,
                        next_at: now,
                    });
                }
            }
        }
        tx.deliveries_put(&rows, false).await?;
        // The customer's inbox gets its notices in the same step (ORD-5).
        let notices: Vec<(CustomerId, i64)> = events
            .iter()
            .filter(|e| notifies(&e.topic))
            .filter_map(|e| Some((CustomerId(e.customer_id?), e.id)))
            .collect();
        tx.notices_put(&notices).await?;
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        tx.outbox_mark_relayed(&ids, now).await?;
        tx.commit().await?;
        Ok(events.len())
    }

    /// Claims the deliveries due now for `node`, leased for `[events]
    /// lease`: of each record, its waiting deliveries from the oldest on,
    /// in the order of their events, to be sent one after the other.
    pub async fn relay_claim(&self, node: &str) -> AppResult<Vec<Outgoing>> {
        let now = self.now();
        let lease_until = now.checked_add(self.config.events.lease).unwrap_or(now);
        let mut tx = self.store.write().await?;
        let due = tx
            .deliveries_claim(now, lease_until, node, self.config.events.batch)
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        tx.commit().await?;
        Ok(due.into_iter().map(|d| outgoing(d, self)).collect())
    }

    /// Records attempts: delivered, due again after the policy's wait, or
    /// dead after its last attempt; and releases the claimed deliveries
    /// `unsent` (later ones of a record whose earlier one failed), which
    /// wait behind it as before.
    pub async fn relay_record(&self, attempts: &[Attempt], unsent: &[i64]) -> AppResult<()> {
        if attempts.is_empty() && unsent.is_empty() {
            return Ok(());
        }
        let policy = self.config.events.retry;
        let mut tx = self.store.write().await?;
        tx.deliveries_release(unsent).await?;
        for a in attempts {
            let (state, next_at) = if a.delivered() {
                (DeliveryState::Delivered, a.at)
            } else {
                match policy.after_failure(a.attempt, a.at) {
                    AfterFailure::RetryAt(t) => (DeliveryState::Pending, t),
                    AfterFailure::Dead => (DeliveryState::Dead, a.at),
                }
            };
            let error = match (&a.error, a.status) {
                (Some(e), _) => Some(clipped(e, MAX_DELIVERY_ERROR)),
                (None, Some(s)) if !(200..300).contains(&s) => {
                    Some(format!("the receiver answered {s}"))
                }
                (None, _) => None,
            };
            tx.delivery_attempted(&AttemptRecord {
                delivery_id: a.delivery_id,
                at: a.at,
                status: a.status,
                latency_ms: a.latency_ms.max(0),
                error,
                state,
                next_at,
            })
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The prune job's work: delivered events older than `[events] keep`
    /// deleted. Returns (deliveries, events) deleted.
    pub(crate) async fn prune_events_in(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
    ) -> AppResult<(u64, u64)> {
        let now = self.now();
        let before = now.checked_sub(self.config.events.keep).unwrap_or(now);
        Ok(tx.events_prune(before).await?)
    }
}
