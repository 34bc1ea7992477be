use std::sync::Arc;

use jiff::Timestamp;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::{Actor, Permission};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, OutboxEvent, Store, Tx};

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a page session lasts without logging in again.
    pub session_hours: i64,
    /// Failed logins allowed per user within `throttle_minutes`.
    pub max_login_failures: i64,
    pub throttle_minutes: i64,
    /// Largest page a list returns.
    pub max_page: u32,
    /// Order review rules (ORD-4, FIN-6).
    pub review: kaidan_domain::orders::ReviewSettings,
    /// Order numbers (ORD-5).
    pub numbering: kaidan_domain::orders::OrderNumberPattern,
    /// Review and shipping deadlines (ORD-6).
    pub deadlines: kaidan_domain::orders::DeadlinePolicy,
    /// How far back a new order is compared for duplicates (ORD-3).
    pub duplicate_window_hours: i64,
    /// How long an API token's actor is remembered (0: look it up on every
    /// request).
    pub token_cache_seconds: u64,
    /// The interval a scheduled job gets when the schedule has no row for
    /// it yet (a new database); afterwards the schedule is data (issue 24).
    pub job_interval_seconds: i64,
    /// This process in the job schedule.
    pub node: crate::jobs::JobsNode,
    /// How allocation runs order franchisees and how long locks last
    /// (ALC-3, ALC-5).
    pub allocation: kaidan_domain::allocation::AllocationPolicy,
    /// Due dates and ageing buckets (FIN-2, FIN-4).
    pub finance: kaidan_domain::finance::FinanceSettings,
    /// The outbox relay: webhook secrets' key, retries, leases (INT-5).
    pub events: crate::events::EventSettings,
    /// Return and warranty periods per product category (AFS-1).
    pub after_sales: kaidan_domain::after_sales::AfterSalesSettings,
    /// Satisfaction surveys: delay, link validity, threshold, questions
    /// (AFS-3).
    pub surveys: kaidan_domain::after_sales::SurveySettings,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_hours: 12,
            max_login_failures: 5,
            throttle_minutes: 15,
            max_page: 500,
            review: Default::default(),
            numbering: Default::default(),
            deadlines: Default::default(),
            duplicate_window_hours: 24,
            token_cache_seconds: 5,
            job_interval_seconds: 300,
            node: Default::default(),
            allocation: Default::default(),
            finance: Default::default(),
            events: Default::default(),
            after_sales: Default::default(),
            surveys: Default::default(),
        }
    }
}

/// The use cases, over a store and a clock. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: AppConfig,
    pub(crate) actors: Arc<crate::users::auth::ActorCache>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("backend", &self.store.backend())
            .field("config", &self.config)
            .finish()
    }
}

/// Who did it and on behalf of which request, for audit rows.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl Ctx {
    pub fn new(actor: Actor) -> Self {
        Ctx {
            actor,
            request_id: None,
        }
    }

    pub fn system() -> Self {
        Ctx::new(Actor::system())
    }

    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.actor.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden(p))
        }
    }

    /// The confidential fields this actor may and may not see (SEC-4,
    /// ADR 0026), for every view, page, export and document it reads.
    pub fn visibility(&self) -> kaidan_domain::field_rules::Visibility {
        kaidan_domain::field_rules::Visibility::of(&self.actor)
    }
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        App {
            store,
            clock,
            config,
            actors: Arc::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The same use cases over the same store on another clock: the demo
    /// walks its weeks of history on a clock of its own.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> App {
        App {
            clock,
            ..self.clone()
        }
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Health: the database answers.
    pub async fn health(&self) -> AppResult<()> {
        self.store.ping().await.map_err(AppError::from)
    }

    /// Appends one audit row to `tx` (SEC-2).
    pub(crate) async fn audit(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        entity: &str,
        entity_id: i64,
        action: &str,
        changes: Vec<FieldChange>,
    ) -> AppResult<()> {
        tx.audit_append(&AuditEntry {
            id: 0,
            at: self.now(),
            actor_id: ctx.actor.user_id,
            actor_name: ctx.actor.username.clone(),
            entity: entity.to_string(),
            entity_id,
            action: action.to_string(),
            changes,
            request_id: ctx.request_id.clone(),
        })
        .await?;
        Ok(())
    }

    /// Appends one outbox event to `tx` (INT-5).
    pub(crate) async fn publish(
        &self,
        tx: &mut Box<dyn Tx>,
        topic: &str,
        entity: &str,
        entity_id: i64,
        payload: serde_json::Value,
    ) -> AppResult<()> {
        tx.outbox_append(&OutboxEvent {
            topic: topic.to_string(),
            entity: entity.to_string(),
            entity_id,
            payload,
            at: self.now(),
        })
        .await?;
        Ok(())
    }
}
