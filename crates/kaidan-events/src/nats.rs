//! NATS JetStream as a delivery target (issue 18, ADR 0034). A subscription
//! whose URL is `nats://host:port` (with `?stream=KAIDAN&prefix=kaidan`,
//! the defaults) publishes each event to the subject
//! `<prefix>.<entity>.<event>` of that stream, with the event id as
//! `Nats-Msg-Id`, so JetStream drops a second copy within its duplicate
//! window. The relay's claims, order per entity and retries apply as they
//! do to webhooks: an event counts as delivered when JetStream acknowledged
//! storing it.

use std::collections::HashMap;
use std::time::Duration;

use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, Context, stream};
use kaidan_app::events::EventEnvelope;

/// The stream events go to unless the URL names another.
pub const DEFAULT_STREAM: &str = "KAIDAN";
/// The first token of every subject unless the URL names another.
pub const DEFAULT_PREFIX: &str = "kaidan";

/// Where a `nats://` URL publishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// `host:port`.
    pub server: String,
    pub stream: String,
    pub prefix: String,
}

/// Whether a subscription's URL is a NATS target.
pub fn is_nats(url: &str) -> bool {
    url.starts_with("nats://")
}

fn token(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Target {
    /// `nats://host:port[?stream=NAME&prefix=TOKEN]`.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("nats://")
            .ok_or_else(|| format!("{url} is not a nats:// URL"))?;
        let (server, query) = rest.split_once('?').unwrap_or((rest, ""));
        let server = server.trim_end_matches('/');
        if server.is_empty() || server.contains('/') {
            return Err(format!("{url}: write nats://host:port"));
        }
        let mut target = Target {
            server: server.to_string(),
            stream: DEFAULT_STREAM.into(),
            prefix: DEFAULT_PREFIX.into(),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("stream", v)) if token(v) => target.stream = v.to_string(),
                Some(("prefix", v)) if token(v) => target.prefix = v.to_string(),
                _ => {
                    return Err(format!(
                        "{url}: only stream=NAME and prefix=TOKEN (letters, digits, '-', '_') may follow '?'"
                    ));
                }
            }
        }
        Ok(target)
    }

    /// `<prefix>.<entity>.<event>`: the topic without its entity's name
    /// in front (`order.approved` of an order is `kaidan.order.approved`;
    /// `account.deposit` of a customer is `kaidan.customer.account.deposit`).
    pub fn subject(&self, event: &EventEnvelope) -> String {
        let name = event
            .topic
            .strip_prefix(&format!("{}.", event.entity))
            .unwrap_or(&event.topic);
        format!("{}.{}.{name}", self.prefix, event.entity)
    }
}

/// The JetStream connections of one relay, one per target, made when first
/// needed and made again after a failure.
#[derive(Debug, Default)]
pub(crate) struct NatsTargets {
    contexts: tokio::sync::Mutex<HashMap<Target, Context>>,
}

impl NatsTargets {
    async fn context(&self, target: &Target, timeout: Duration) -> Result<Context, String> {
        if let Some(c) = self.contexts.lock().await.get(target) {
            return Ok(c.clone());
        }
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(timeout)
            .connect(target.server.as_str())
            .await
            .map_err(|e| format!("cannot connect to NATS at {}: {e}", target.server))?;
        let context = jetstream::new(client);
        context
            .get_or_create_stream(stream::Config {
                name: target.stream.clone(),
                subjects: vec![format!("{}.>", target.prefix)],
                ..Default::default()
            })
            .await
            .map_err(|e| format!("JetStream stream {}: {e}", target.stream))?;
        self.contexts
            .lock()
            .await
            .insert(target.clone(), context.clone());
        Ok(context)
    }

    /// Publishes one event and waits for JetStream's acknowledgement.
    pub(crate) async fn publish(
        &self,
        url: &str,
        event: &EventEnvelope,
        body: Vec<u8>,
        signature: String,
        timeout: Duration,
    ) -> Result<(), String> {
        let target = Target::parse(url)?;
        let context = self.context(&target, timeout).await?;
        let message = PublishMessage::build()
            .payload(body.into())
            .message_id(event.id.to_string())
            .header("Kaidan-Event-Type", event.topic.as_str())
            .header(crate::signature::SIGNATURE_HEADER, signature.as_str());
        let sent = async {
            context
                .send_publish(target.subject(event), message)
                .await
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(timeout, sent).await {
            Ok(Ok(_ack)) => Ok(()),
            failed => {
                // Connect again next time: the server may have restarted.
                self.contexts.lock().await.remove(&target);
                Err(match failed {
                    Ok(Err(e)) => format!("JetStream did not store it: {e}"),
                    _ => "JetStream did not acknowledge within the timeout".into(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_5_a_nats_url_names_server_stream_and_prefix_and_events_get_entity_subjects() {
        let t = Target::parse("nats://127.0.0.1:4222").unwrap();
        assert_eq!(
            (t.stream.as_str(), t.prefix.as_str()),
            (DEFAULT_STREAM, DEFAULT_PREFIX)
        );
        let t =
            Target::parse("nats://nats.internal:4222/?stream=ERP_EVENTS&prefix=shop-1").unwrap();
        assert_eq!(t.server, "nats.internal:4222");
        assert_eq!(
            (t.stream.as_str(), t.prefix.as_str()),
            ("ERP_EVENTS", "shop-1")
        );
        for bad in [
            "http://x",
            "nats://",
            "nats://h:1?stream=a.b",
            "nats://h:1?colour=red",
            "nats://h/x",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        let event = |topic: &str, entity: &str| EventEnvelope {
            id: 1,
            topic: topic.into(),
            entity: entity.into(),
            entity_id: 2,
            at: jiff::Timestamp::UNIX_EPOCH,
            data: serde_json::Value::Null,
        };
        let t = Target::parse("nats://h:4222").unwrap();
        assert_eq!(
            t.subject(&event("order.approved", "order")),
            "kaidan.order.approved"
        );
        assert_eq!(
            t.subject(&event("account.deposit", "customer")),
            "kaidan.customer.account.deposit"
        );
    }
}
