//! Webhook subscriptions (issue 18): registered, changed, their secret
//! renewed, their deliveries listed, retried and replayed by an
//! administrator. The secret is shown once, when it is made.

use jiff::Timestamp;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::events::{DeliveryState, SubscriptionInput, ValidSubscription, wants};
use kaidan_domain::{Permission, ValidationErrors};
use serde::{Deserialize, Serialize};

use super::SealKey;
use super::seal::new_secret;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{
    DeliveryCounts, DeliveryQuery, DeliveryRow, EntityKind, EventRange, NewDelivery,
    SubscriptionRow, Tx,
};

/// A subscription as the pages and the API show it: never its secret.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionView {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub topics: Vec<String>,
    pub customer_id: Option<i64>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub deliveries: DeliveryCounts,
}

/// A new subscription, or a renewed secret: the only time the secret is
/// shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedSubscription {
    pub subscription: SubscriptionView,
    /// Keep it: the receiver checks every signature with it. It is not
    /// shown again.
    pub secret: String,
}

/// Which stored events to send again to one subscription.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayInput {
    /// From this time (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    /// Up to this time (exclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub to: Timestamp,
    /// Only the events of one entity: `order`, `invoice`, ...
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub entity_id: Option<i64>,
}

/// The most events one replay hands again.
pub const MAX_REPLAY: u32 = 10_000;

fn view(row: SubscriptionRow, counts: &[(i64, DeliveryCounts)]) -> SubscriptionView {
    let deliveries = counts
        .iter()
        .find(|(id, _)| *id == row.id)
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    SubscriptionView {
        id: row.id,
        name: row.name,
        url: row.url,
        topics: row.topics,
        customer_id: row.customer_id,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deliveries,
    }
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> Option<FieldChange> {
    (before != after).then(|| FieldChange::new(field, before, after))
}

/// The audited fields of a subscription (never its secret).
fn changes(before: Option<&SubscriptionRow>, after: &SubscriptionRow) -> Vec<FieldChange> {
    let b = |f: fn(&SubscriptionRow) -> String| before.map(f);
    [
        change("name", b(|s| s.name.clone()), Some(after.name.clone())),
        change("url", b(|s| s.url.clone()), Some(after.url.clone())),
        change(
            "topics",
            b(|s| s.topics.join(",")),
            Some(after.topics.join(",")),
        ),
        change(
            "customer_id",
            before.and_then(|s| s.customer_id.map(|c| c.to_string())),
            after.customer_id.map(|c| c.to_string()),
        ),
        change(
            "active",
            b(|s| s.active.to_string()),
            Some(after.active.to_string()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "webhook subscription",
        id: id.to_string(),
    }
}

fn delivery_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "delivery",
        id: id.to_string(),
    }
}

impl App {
    /// The key secrets are sealed with, or why there is none.
    pub(crate) fn seal_key(&self) -> AppResult<&SealKey> {
        self.config.events.key.as_ref().ok_or_else(|| {
            AppError::NotConfigured(
                "no events key is configured, so webhook secrets cannot be sealed or used: \
                 set [events] key_file in the configuration file, or KAIDAN_EVENTS_KEY \
                 (64 hexadecimal digits)"
                    .into(),
            )
        })
    }

    async fn checked(
        &self,
        tx: &mut Box<dyn Tx>,
        input: &SubscriptionInput,
    ) -> AppResult<ValidSubscription> {
        let valid = input.validate()?;
        if let Some(c) = valid.customer_id
            && tx.master_get(EntityKind::Customer, c).await?.is_none()
        {
            return Err(AppError::invalid(
                "customer_id",
                "unknown",
                format!("there is no customer {c}"),
            ));
        }
        Ok(valid)
    }

    async fn subscription_row(&self, tx: &mut Box<dyn Tx>, id: i64) -> AppResult<SubscriptionRow> {
        tx.subscription_get(id).await?.ok_or_else(|| not_found(id))
    }

    /// Every subscription with its delivery counts.
    pub async fn list_subscriptions(&self, ctx: &Ctx) -> AppResult<Vec<SubscriptionView>> {
        ctx.require(Permission::WebhookRead)?;
        let mut tx = self.store.read().await?;
        let counts = tx.delivery_counts().await?;
        Ok(tx
            .subscriptions()
            .await?
            .into_iter()
            .map(|s| view(s, &counts))
            .collect())
    }

    /// One subscription and its last `limit` deliveries, newest first.
    pub async fn subscription(
        &self,
        ctx: &Ctx,
        id: i64,
        limit: u32,
    ) -> AppResult<(SubscriptionView, Vec<DeliveryRow>)> {
        ctx.require(Permission::WebhookRead)?;
        let mut tx = self.store.read().await?;
        let row = self.subscription_row(&mut tx, id).await?;
        let counts = tx.delivery_counts().await?;
        let deliveries = tx
            .deliveries(&DeliveryQuery {
                subscription_id: Some(id),
                limit: limit.clamp(1, self.config.max_page),
                ..Default::default()
            })
            .await?;
        Ok((view(row, &counts), deliveries))
    }

    /// Registers a receiver; its secret is made here and shown once.
    pub async fn create_subscription(
        &self,
        ctx: &Ctx,
        input: SubscriptionInput,
    ) -> AppResult<CreatedSubscription> {
        ctx.require(Permission::WebhookAdmin)?;
        let key = self.seal_key()?;
        let mut tx = self.store.write().await?;
        let valid = self.checked(&mut tx, &input).await?;
        let secret = new_secret();
        let now = self.now();
        let mut row = SubscriptionRow {
            id: 0,
            topics: valid.topic_texts(),
            name: valid.name,
            url: valid.url,
            customer_id: valid.customer_id,
            secret_sealed: key.seal(&secret),
            active: valid.active,
            created_at: now,
            created_by: ctx.actor.user_id,
            updated_at: now,
        };
        row.id = tx.subscription_insert(&row).await?;
        self.audit(
            &mut tx,
            ctx,
            "webhook_subscription",
            row.id,
            "create",
            changes(None, &row),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedSubscription {
            subscription: view(row, &[]),
            secret,
        })
    }

    /// Brings the subscription named `input.name` in line with `input`
    /// (one the binary keeps by name: `[events.nats]`, the demo's
    /// receiver): changed when it exists, its secret kept (None); made
    /// otherwise, with its new secret.
    pub async fn put_named_subscription(
        &self,
        ctx: &Ctx,
        input: SubscriptionInput,
    ) -> AppResult<(SubscriptionView, Option<String>)> {
        let existing = self
            .list_subscriptions(ctx)
            .await?
            .into_iter()
            .find(|s| s.name == input.name);
        match existing {
            Some(s) => Ok((self.update_subscription(ctx, s.id, input).await?, None)),
            None => {
                let made = self.create_subscription(ctx, input).await?;
                Ok((made.subscription, Some(made.secret)))
            }
        }
    }

    /// Changes a subscription's name, URL, topics, customer or whether it is
    /// active; its secret stays.
    pub async fn update_subscription(
        &self,
        ctx: &Ctx,
        id: i64,
        input: SubscriptionInput,
    ) -> AppResult<SubscriptionView> {
        ctx.require(Permission::WebhookAdmin)?;
        let mut tx = self.store.write().await?;
        let before = self.subscription_row(&mut tx, id).await?;
        let valid = self.checked(&mut tx, &input).await?;
        let after = SubscriptionRow {
            topics: valid.topic_texts(),
            name: valid.name,
            url: valid.url,
            customer_id: valid.customer_id,
            active: valid.active,
            updated_at: self.now(),
            ..before.clone()
        };
        tx.subscription_update(&after).await?;
        self.audit(
            &mut tx,
            ctx,
            "webhook_subscription",
            id,
            "update",
            changes(Some(&before), &after),
        )
        .await?;
        let counts = tx.delivery_counts().await?;
        tx.commit().await?;
        Ok(view(after, &counts))
    }

    /// A new secret for a subscription, shown once; the old one no longer
    /// signs anything from now on.
    pub async fn renew_secret(&self, ctx: &Ctx, id: i64) -> AppResult<CreatedSubscription> {
        ctx.require(Permission::WebhookAdmin)?;
        let key = self.seal_key()?;
        let mut tx = self.store.write().await?;
        let before = self.subscription_row(&mut tx, id).await?;
        let secret = new_secret();
        let after = SubscriptionRow {
            secret_sealed: key.seal(&secret),
            updated_at: self.now(),
            ..before
        };
        tx.subscription_update(&after).await?;
        let renewed = FieldChange::new("secret", None, Some("renewed".into()));
        self.audit(
            &mut tx,
            ctx,
            "webhook_subscription",
            id,
            "renew_secret",
            vec![renewed],
        )
        .await?;
        let counts = tx.delivery_counts().await?;
        tx.commit().await?;
        Ok(CreatedSubscription {
            subscription: view(after, &counts),
            secret,
        })
    }

    /// Deliveries, newest first: of one subscription, in one state (the
    /// dead letters), a page before a cursor.
    pub async fn deliveries(&self, ctx: &Ctx, query: DeliveryQuery) -> AppResult<Vec<DeliveryRow>> {
        ctx.require(Permission::WebhookRead)?;
        let mut tx = self.store.read().await?;
        let query = DeliveryQuery {
            limit: query.limit.clamp(1, self.config.max_page),
            ..query
        };
        Ok(tx.deliveries(&query).await?)
    }

    /// Sends a dead delivery again, from its first attempt.
    pub async fn retry_delivery(&self, ctx: &Ctx, id: i64) -> AppResult<DeliveryRow> {
        ctx.require(Permission::WebhookAdmin)?;
        let mut tx = self.store.write().await?;
        let row = tx
            .delivery_get(id)
            .await?
            .ok_or_else(|| delivery_not_found(id))?;
        if row.state != DeliveryState::Dead {
            return Err(AppError::invalid(
                "state",
                "not_dead",
                format!(
                    "delivery {id} is {}; only a dead delivery is retried by hand",
                    row.state
                ),
            ));
        }
        tx.delivery_retry(id, self.now()).await?;
        let retried = FieldChange::new(
            "state",
            Some(row.state.to_string()),
            Some(DeliveryState::Pending.to_string()),
        );
        self.audit(&mut tx, ctx, "webhook_delivery", id, "retry", vec![retried])
            .await?;
        let after = tx
            .delivery_get(id)
            .await?
            .ok_or_else(|| delivery_not_found(id))?;
        tx.commit().await?;
        Ok(after)
    }

    /// Hands the stored events of a time range (of one entity, if given)
    /// that the subscription wants to it again, delivered or not: each
    /// becomes pending with its attempts counted anew. Returns how many.
    pub async fn replay_events(&self, ctx: &Ctx, id: i64, input: ReplayInput) -> AppResult<u64> {
        ctx.require(Permission::WebhookAdmin)?;
        let mut e = ValidationErrors::new();
        if input.to <= input.from {
            e.add("to", "before_from", "must be later than from");
        }
        let entity = match (input.entity.as_deref().map(str::trim), input.entity_id) {
            (None | Some(""), None) => None,
            (Some(entity), Some(entity_id)) if !entity.is_empty() => {
                if let Some((code, message)) = kaidan_domain::text_problem(entity, 50) {
                    e.add("entity", code, message);
                }
                Some((entity.to_string(), entity_id))
            }
            (None | Some(""), Some(_)) => {
                e.add(
                    "entity",
                    "required",
                    "give the entity of entity_id (order, invoice, ...)",
                );
                None
            }
            (Some(_), _) => {
                e.add("entity_id", "required", "give the id of the entity");
                None
            }
        };
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let sub = self.subscription_row(&mut tx, id).await?;
        let patterns = sub
            .topics
            .iter()
            .filter_map(|t| kaidan_domain::events::TopicPattern::parse(t).ok())
            .collect::<Vec<_>>();
        let events = tx
            .outbox_range(&EventRange {
                from: input.from,
                to: input.to,
                entity,
                limit: MAX_REPLAY,
            })
            .await?;
        let now = self.now();
        let rows: Vec<NewDelivery> = events
            .into_iter()
            .filter(|ev| wants(&patterns, sub.customer_id, &ev.topic, ev.customer_id))
            .map(|ev| NewDelivery {
                subscription_id: id,
                event_id: ev.id,
                entity: ev.entity,
                entity_id: ev.entity_id,
                next_at: now,
            })
            .collect();
        let n = tx.deliveries_put(&rows, true).await?;
        let replayed = FieldChange::new(
            "replayed",
            None,
            Some(format!("{n} event(s) from {} to {}", input.from, input.to)),
        );
        self.audit(
            &mut tx,
            ctx,
            "webhook_subscription",
            id,
            "replay",
            vec![replayed],
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
