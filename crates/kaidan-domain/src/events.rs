//! Events for other systems (INT-5, issue 18): which subscription wants an
//! event, what a subscription may hold, and when a failed delivery is tried
//! again. The outbox rows themselves are written by every use case; the
//! relay that reads them is an adapter (`kaidan-events`).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::access::string_enum;

/// The longest subscription name.
pub const MAX_SUBSCRIPTION_NAME: usize = 100;
/// The longest receiver URL.
pub const MAX_WEBHOOK_URL: usize = 2_000;
/// How many topic patterns one subscription may list.
pub const MAX_TOPIC_PATTERNS: usize = 50;
/// The longest topic pattern (`order.confirmation`, `order.*`).
pub const MAX_TOPIC_PATTERN: usize = 100;
/// The longest error text kept of a failed attempt.
pub const MAX_DELIVERY_ERROR: usize = 500;

string_enum!(
    /// Where one event stands for one subscription.
    DeliveryState {
        /// Waiting for its first attempt or for its next retry.
        Pending = "pending",
        /// The receiver answered 2xx.
        Delivered = "delivered",
        /// Every attempt failed; kept for inspection and a manual retry.
        Dead = "dead",
    }
);

/// What an administrator gives to register a receiver.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    pub name: String,
    /// `http://` or `https://`, where the events are POSTed; or
    /// `nats://host:port[?stream=…&prefix=…]`, a JetStream they are
    /// published to.
    pub url: String,
    /// Topic patterns: `order.confirmation`, `order.*` (one family) or `*`
    /// (every event).
    pub topics: Vec<String>,
    /// Only the events of this customer's orders and account: the
    /// customer's own system (ORD-5's confirmation). None: every customer.
    #[serde(default)]
    pub customer_id: Option<i64>,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// A checked subscription input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSubscription {
    pub name: String,
    pub url: String,
    pub topics: Vec<TopicPattern>,
    pub customer_id: Option<i64>,
    pub active: bool,
}

impl ValidSubscription {
    /// The topic patterns as texts, as stored.
    pub fn topic_texts(&self) -> Vec<String> {
        self.topics.iter().map(|t| t.as_str().to_string()).collect()
    }
}

impl SubscriptionInput {
    /// Every problem at once, each at its field.
    pub fn validate(&self) -> Result<ValidSubscription, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.text("name", &self.name, MAX_SUBSCRIPTION_NAME);
        let url = match webhook_url(&self.url) {
            Ok(u) => u,
            Err((code, message)) => {
                e.add("url", code, message);
                String::new()
            }
        };
        if self.topics.is_empty() {
            e.add(
                "topics",
                "required",
                "list at least one topic pattern (\"*\" for every event)",
            );
        }
        if self.topics.len() > MAX_TOPIC_PATTERNS {
            e.add(
                "topics",
                "too_many",
                format!("at most {MAX_TOPIC_PATTERNS} patterns"),
            );
        }
        let mut topics = Vec::with_capacity(self.topics.len());
        for (i, t) in self.topics.iter().enumerate() {
            match TopicPattern::parse(t) {
                Ok(p) if topics.contains(&p) => {
                    e.add(
                        format!("topics[{i}]"),
                        "duplicate",
                        format!("{t:?} is listed twice"),
                    );
                }
                Ok(p) => topics.push(p),
                Err(message) => e.add(format!("topics[{i}]"), "invalid", message),
            }
        }
        if let Some(c) = self.customer_id
            && c <= 0
        {
            e.add("customer_id", "invalid", "must be a customer's id");
        }
        e.into_result(ValidSubscription {
            name,
            url,
            topics,
            customer_id: self.customer_id,
            active: self.active,
        })
    }
}

/// A receiver URL: absolute `http` or `https` with a host, no user or
/// password in it (the secret signs instead), at most [`MAX_WEBHOOK_URL`].
pub fn webhook_url(value: &str) -> Result<String, (&'static str, String)> {
    let t = value.trim();
    if t.is_empty() {
        return Err(("required", "is required".into()));
    }
    if let Some(p) = crate::validation::text_problem(t, MAX_WEBHOOK_URL) {
        return Err(p);
    }
    let parsed = url::Url::parse(t).map_err(|e| ("invalid", format!("is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https" | "nats") {
        return Err((
            "invalid",
            format!(
                "must start with http:// or https:// (or nats:// for JetStream), not {}:",
                parsed.scheme()
            ),
        ));
    }
    if parsed.scheme() == "nats" {
        let fine = parsed.path().trim_matches('/').is_empty()
            && parsed.query_pairs().all(|(k, v)| {
                matches!(k.as_ref(), "stream" | "prefix")
                    && !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !fine {
            return Err((
                "invalid",
                "a JetStream target is nats://host:port, optionally ?stream=NAME&prefix=TOKEN \
                 (letters, digits, '-', '_')"
                    .into(),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(("invalid", "has no host".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err((
            "invalid",
            "must not carry a user or password; the signature proves the sender".into(),
        ));
    }
    Ok(t.to_string())
}

/// Which topics a subscription wants: one topic, one family (`order.*`) or
/// every topic (`*`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct TopicPattern(String);

impl From<TopicPattern> for String {
    fn from(p: TopicPattern) -> String {
        p.0
    }
}

impl TopicPattern {
    /// `*`, `family.*` or `family.name`, of lower-case letters, digits and
    /// `_` between the dots.
    pub fn parse(text: &str) -> Result<TopicPattern, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("is empty".into());
        }
        if t.chars().count() > MAX_TOPIC_PATTERN {
            return Err(format!("must be at most {MAX_TOPIC_PATTERN} characters"));
        }
        if t == "*" {
            return Ok(TopicPattern(t.into()));
        }
        let parts: Vec<&str> = t.split('.').collect();
        let word = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        let (last, head) = parts.split_last().ok_or("is empty")?;
        let fine = !head.is_empty() && head.iter().all(|p| word(p)) && (*last == "*" || word(last));
        if fine {
            Ok(TopicPattern(t.into()))
        } else {
            Err(format!(
                "{t:?} is not a topic pattern: write \"*\", \"order.*\" or \"order.approved\""
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether an event of `topic` is wanted.
    pub fn matches(&self, topic: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some("") => true,
            Some(family) => topic.starts_with(family),
            None => self.0 == topic,
        }
    }
}

/// Whether a subscription with `patterns` and `customer` wants an event of
/// `topic` that concerns `event_customer` (None: no customer, or not known).
pub fn wants(
    patterns: &[TopicPattern],
    customer: Option<i64>,
    topic: &str,
    event_customer: Option<i64>,
) -> bool {
    let customer_fits = match customer {
        None => true,
        Some(c) => event_customer == Some(c),
    };
    customer_fits && patterns.iter().any(|p| p.matches(topic))
}

/// How the relay retries (issue 18): each failed attempt waits twice as
/// long as the one before, from `first_retry` up to `longest_wait`; after
/// `max_attempts` failures the delivery is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_retry: SignedDuration,
    pub longest_wait: SignedDuration,
}

/// The most attempts a policy may allow.
pub const MAX_ATTEMPTS: u32 = 100;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            first_retry: SignedDuration::from_secs(5),
            longest_wait: SignedDuration::from_secs(3_600),
        }
    }
}

/// After a failed attempt: try again at this time, or give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(Timestamp),
    Dead,
}

impl RetryPolicy {
    /// A policy within its bounds, or what is wrong with it.
    pub fn new(
        max_attempts: u32,
        first_retry: SignedDuration,
        longest_wait: SignedDuration,
    ) -> Result<RetryPolicy, String> {
        if !(1..=MAX_ATTEMPTS).contains(&max_attempts) {
            return Err(format!("max_attempts must be 1 to {MAX_ATTEMPTS}"));
        }
        if first_retry <= SignedDuration::ZERO || longest_wait < first_retry {
            return Err(
                "the first retry must be positive and not longer than the longest wait".into(),
            );
        }
        if longest_wait > SignedDuration::from_hours(24 * 7) {
            return Err("the longest wait must be at most 7 days".into());
        }
        Ok(RetryPolicy {
            max_attempts,
            first_retry,
            longest_wait,
        })
    }

    /// What follows the `attempts`-th failed attempt (1 = the first) at
    /// `now`.
    pub fn after_failure(&self, attempts: u32, now: Timestamp) -> AfterFailure {
        if attempts >= self.max_attempts {
            return AfterFailure::Dead;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self
            .first_retry
            .checked_mul(1_i32 << doublings)
            .map_or(self.longest_wait, |w| w.min(self.longest_wait));
        // A time beyond jiff's range cannot come from a wait of at most
        // seven days after a stored time; if it did, retrying at once is
        // the safe side.
        AfterFailure::RetryAt(now.checked_add(wait).unwrap_or(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> TopicPattern {
        TopicPattern::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    #[test]
    fn int_5_topic_patterns_match_one_topic_a_family_or_all() {
        assert!(p("*").matches("order.approved"));
        assert!(p("order.*").matches("order.approved"));
        assert!(!p("order.*").matches("orders.approved"));
        assert!(!p("order.*").matches("transfer.sent"));
        assert!(p("order.approved").matches("order.approved"));
        assert!(!p("order.approved").matches("order.approved_late"));
        for bad in [
            "",
            "order",
            "Order.x",
            "order..x",
            ".x",
            "order.*.x",
            "a b.c",
            "*.x",
        ] {
            assert!(
                TopicPattern::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn int_5_a_customer_subscription_gets_only_its_customer_events() {
        let all = [p("*")];
        assert!(wants(&all, None, "order.approved", Some(7)));
        assert!(wants(&all, Some(7), "order.approved", Some(7)));
        assert!(!wants(&all, Some(7), "order.approved", Some(8)));
        assert!(!wants(&all, Some(7), "product.updated", None));
        assert!(!wants(
            &[p("order.confirmation")],
            None,
            "order.approved",
            Some(7)
        ));
    }

    #[test]
    fn int_5_a_subscription_input_names_every_bad_field() {
        let input = SubscriptionInput {
            name: " ".into(),
            url: "ftp://x".into(),
            topics: vec!["order.*".into(), "order.*".into(), "Bad".into()],
            customer_id: Some(0),
            active: true,
        };
        let err = input.validate().err().unwrap_or_default();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "url", "topics[1]", "topics[2]", "customer_id"]
        );
        for url in [
            "http://user:pw@example.com/x",
            "example.com/hook",
            "https://",
            "http://exa mple.com/",
        ] {
            assert!(webhook_url(url).is_err(), "{url} should be refused");
        }
        assert!(webhook_url("https://erp.example.com:8443/hooks/kaidan?x=1").is_ok());
        assert!(webhook_url("nats://127.0.0.1:4222?stream=KAIDAN&prefix=kaidan").is_ok());
        assert!(webhook_url("nats://127.0.0.1:4222/path").is_err());
        assert!(webhook_url("nats://127.0.0.1:4222?stream=a.b").is_err());
    }

    #[test]
    fn int_5_retries_wait_twice_as_long_each_time_up_to_the_longest_wait_then_die() {
        let policy = RetryPolicy::new(
            5,
            SignedDuration::from_secs(10),
            SignedDuration::from_secs(35),
        )
        .unwrap_or_default();
        let now = Timestamp::UNIX_EPOCH;
        let waits: Vec<AfterFailure> = (1..=5).map(|a| policy.after_failure(a, now)).collect();
        let at = |s| AfterFailure::RetryAt(now + SignedDuration::from_secs(s));
        assert_eq!(waits, [at(10), at(20), at(35), at(35), AfterFailure::Dead]);
        assert!(
            RetryPolicy::new(
                0,
                SignedDuration::from_secs(1),
                SignedDuration::from_secs(1)
            )
            .is_err()
        );
        assert!(
            RetryPolicy::new(
                3,
                SignedDuration::from_secs(9),
                SignedDuration::from_secs(1)
            )
            .is_err()
        );
        // Huge attempt counts do not overflow.
        let long = RetryPolicy::new(
            100,
            SignedDuration::from_secs(1),
            SignedDuration::from_secs(60),
        )
        .unwrap_or_default();
        assert_eq!(long.after_failure(99, now), at(60));
    }
}
