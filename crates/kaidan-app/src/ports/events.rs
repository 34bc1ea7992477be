//! Ports of the outbox relay (INT-5, issue 18; ADR 0034): webhook
//! subscriptions and one delivery row per event and subscription.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::UserId;
use kaidan_domain::events::DeliveryState;
use serde::Serialize;

use super::*;

/// A registered receiver. The secret is kept sealed (`events::seal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub topics: Vec<String>,
    pub customer_id: Option<i64>,
    pub secret_sealed: String,
    pub active: bool,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub updated_at: Timestamp,
}

/// An outbox event as the relay routes it: its topic, and the customer it
/// concerns where the entity has one (an order's, an invoice's, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    pub id: i64,
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    pub customer_id: Option<i64>,
}

/// A delivery to be written: `event_id` for `subscription_id`, due at
/// `next_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub subscription_id: i64,
    pub event_id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub next_at: Timestamp,
}

/// A delivery claimed for sending: where to, with which secret, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub subscription_id: i64,
    pub url: String,
    pub secret_sealed: String,
    /// Attempts before this one.
    pub attempts: u32,
    pub event_id: i64,
    pub event_at: Timestamp,
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    /// The event's payload as the outbox holds it (JSON text).
    pub payload: String,
}

/// How one attempt ended, as the relay records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub delivery_id: i64,
    pub at: Timestamp,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    pub latency_ms: i64,
    /// Why it failed (None: delivered).
    pub error: Option<String>,
    /// The state after this attempt, and when the next one is due.
    pub state: DeliveryState,
    pub next_at: Timestamp,
}

/// One delivery as the pages and the API show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    pub subscription_name: String,
    /// The event's stable id (the outbox row): receivers drop duplicates
    /// by it.
    pub event_id: i64,
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    pub state: DeliveryState,
    pub attempts: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub next_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_at: Option<Timestamp>,
    pub last_status: Option<u16>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delivered_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Which deliveries to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    pub subscription_id: Option<i64>,
    pub state: Option<DeliveryState>,
    /// Only rows older than this id: the cursor of the page before.
    pub before: Option<i64>,
    pub limit: u32,
}

/// Which outbox events to hand again to a subscription (a replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRange {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Only the events of this entity (`order`, 42).
    pub entity: Option<(String, i64)>,
    pub limit: u32,
}

/// Counts of one delivery state per subscription, for the list page.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

#[async_trait]
pub trait EventsTx: Send {
    async fn subscription_insert(&mut self, row: &SubscriptionRow) -> Result<i64, StoreError>;
    /// Writes every field but id, created_at and created_by.
    async fn subscription_update(&mut self, row: &SubscriptionRow) -> Result<(), StoreError>;
    async fn subscription_get(&mut self, id: i64) -> Result<Option<SubscriptionRow>, StoreError>;
    /// Every subscription, by id.
    async fn subscriptions(&mut self) -> Result<Vec<SubscriptionRow>, StoreError>;
    /// Per subscription id, how many of its deliveries are in each state.
    async fn delivery_counts(&mut self) -> Result<Vec<(i64, DeliveryCounts)>, StoreError>;
    /// The oldest outbox events not yet handed to the relay, oldest first.
    /// On PostgreSQL they stay locked (`SKIP LOCKED`) until the transaction
    /// ends, so two nodes never route the same event.
    async fn outbox_unrelayed(&mut self, limit: u32) -> Result<Vec<EventRef>, StoreError>;
    /// Marks outbox events as handed to the relay.
    async fn outbox_mark_relayed(&mut self, ids: &[i64], at: Timestamp) -> Result<(), StoreError>;
    /// Outbox events in a time range (a replay), oldest first.
    async fn outbox_range(&mut self, range: &EventRange) -> Result<Vec<EventRef>, StoreError>;
    /// Writes deliveries; one that exists already is left as it is, or with
    /// `again`, made pending and due again with its attempts counted anew.
    /// Returns how many were written or made pending.
    async fn deliveries_put(
        &mut self,
        rows: &[NewDelivery],
        again: bool,
    ) -> Result<u64, StoreError>;
    /// Claims up to `limit` deliveries that are due at `now` and not claimed
    /// by a live lease, whose subscription is active and each of whose
    /// earlier pending deliveries of the same entity for the same
    /// subscription is claimed with it (a record's waiting deliveries, in
    /// the order of their events, are a chain the relay sends one after
    /// the other); leases them to `node` until `lease_until`, oldest event
    /// first.
    async fn deliveries_claim(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        node: &str,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// Releases the leases of claimed deliveries that were not attempted
    /// (an earlier one of their record failed): due again as they were.
    async fn deliveries_release(&mut self, ids: &[i64]) -> Result<(), StoreError>;
    /// Records an attempt and releases the lease.
    async fn delivery_attempted(&mut self, record: &AttemptRecord) -> Result<(), StoreError>;
    async fn deliveries(&mut self, query: &DeliveryQuery) -> Result<Vec<DeliveryRow>, StoreError>;
    async fn delivery_get(&mut self, id: i64) -> Result<Option<DeliveryRow>, StoreError>;
    /// Makes a dead delivery pending and due at `now`, its attempts counted
    /// anew; `false` when it is not dead.
    async fn delivery_retry(&mut self, id: i64, now: Timestamp) -> Result<bool, StoreError>;
    /// Deletes deliveries delivered before `before`, and outbox events
    /// relayed before it that no delivery still waits for or keeps.
    /// Returns (deliveries, events) deleted.
    async fn events_prune(&mut self, before: Timestamp) -> Result<(u64, u64), StoreError>;
}
