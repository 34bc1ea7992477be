//! Events leave Kaidan (INT-5, ORD-5, issue 18; ADR 0034): administrators
//! register webhook subscriptions; the relay (`relay.rs`, driven by the
//! `kaidan-events` adapter inside `kaidan serve`) routes each outbox event
//! to the subscriptions that want it and records every attempt to deliver
//! it, retrying with growing waits until it is delivered or dead.

mod relay;
mod seal;
mod subscriptions;

use jiff::SignedDuration;
use kaidan_domain::events::RetryPolicy;

pub use relay::{Attempt, EventEnvelope, Outgoing};
pub use seal::{SealError, SealKey, new_secret};
pub use subscriptions::{CreatedSubscription, ReplayInput, SubscriptionView};

/// How the relay works (`[events]` in the configuration file).
#[derive(Debug, Clone)]
pub struct EventSettings {
    /// The key webhook secrets are sealed with; None: subscriptions cannot
    /// be created and deliveries cannot be signed (the error says why).
    pub key: Option<SealKey>,
    pub retry: RetryPolicy,
    /// How long a node's claim on a delivery lasts: after it, another
    /// node may send the delivery again (the first node died). Longer than
    /// the request timeout.
    pub lease: SignedDuration,
    /// How long delivered events are kept before the prune job deletes
    /// them.
    pub keep: SignedDuration,
    /// Events routed, and deliveries claimed, per pass of the relay.
    pub batch: u32,
}

/// The most events or deliveries one relay pass takes.
pub const MAX_RELAY_BATCH: u32 = 5_000;

impl Default for EventSettings {
    fn default() -> Self {
        EventSettings {
            key: None,
            retry: RetryPolicy::default(),
            lease: SignedDuration::from_secs(60),
            keep: SignedDuration::from_hours(24 * 30),
            batch: 200,
        }
    }
}
