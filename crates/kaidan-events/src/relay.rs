//! The relay loop and one delivery's POST.

use std::time::{Duration, Instant};

use futures::StreamExt;
use kaidan_app::App;
use kaidan_app::error::AppError;
use kaidan_app::events::{Attempt, Outgoing};

use crate::nats::{NatsTargets, is_nats};
use crate::signature::{SIGNATURE_HEADER, sign};

/// How the relay runs on this node (`[events]` in the configuration).
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// This node's name in the leases (`[jobs] node`, or the host name).
    pub node: String,
    /// How long to wait when there was nothing to do.
    pub poll: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// Deliveries sent at the same time.
    pub concurrency: usize,
}

impl Default for RelaySettings {
    fn default() -> Self {
        RelaySettings {
            node: "kaidan".into(),
            poll: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            concurrency: 16,
        }
    }
}

/// The relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the HTTP client for webhooks cannot be built: {0}")]
    Client(#[from] reqwest::Error),
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Outbox events routed to subscriptions (or found unwanted).
    pub routed: usize,
    /// Deliveries attempted.
    pub attempted: usize,
    /// Of them, answered 2xx.
    pub delivered: usize,
}

impl PassReport {
    fn idle(&self) -> bool {
        self.routed == 0 && self.attempted == 0
    }
}

/// The relay of one node. Any number of nodes may run one: the use cases
/// make sure a delivery is sent by one node at a time.
#[derive(Debug, Clone)]
pub struct Relay {
    app: App,
    client: reqwest::Client,
    nats: std::sync::Arc<NatsTargets>,
    settings: RelaySettings,
}

impl Relay {
    pub fn new(app: App, settings: RelaySettings) -> Result<Relay, RelayError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A receiver that moved says so by a failed delivery an
            // administrator sees, not by sending signed events elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Kaidan-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Relay {
            app,
            client,
            nats: std::sync::Arc::default(),
            settings,
        })
    }

    /// One pass: route what is new, send what is due, record the attempts.
    pub async fn pass(&self) -> Result<PassReport, AppError> {
        let routed = self.app.relay_route().await?;
        let due = self.app.relay_claim(&self.settings.node).await?;
        // A record's deliveries go one after the other, in the order of
        // their events, and stop at the first that fails (the rest wait
        // behind it); different records' chains go side by side.
        let chains = chains(due);
        let sent: Vec<(Vec<Attempt>, Vec<i64>)> = futures::stream::iter(chains)
            .map(|chain| self.send_chain(chain))
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        let (mut attempts, mut unsent) = (Vec::new(), Vec::new());
        for (a, u) in sent {
            attempts.extend(a);
            unsent.extend(u);
        }
        let delivered = attempts.iter().filter(|a| a.delivered()).count();
        self.app.relay_record(&attempts, &unsent).await?;
        Ok(PassReport {
            routed,
            attempted: attempts.len(),
            delivered,
        })
    }

    /// Passes until `shutdown` completes; waits `poll` after a pass that
    /// found nothing to do. A pass under way is finished first, so its
    /// attempts are recorded; one cut short by a crash leaves its
    /// deliveries leased, and they are sent again when the lease ends.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        use futures::FutureExt;
        tokio::pin!(shutdown);
        loop {
            let pass = self.pass().await;
            let idle = match pass {
                Ok(report) => {
                    if report.attempted > 0 {
                        tracing::debug!(?report, "relay pass");
                    }
                    report.idle()
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the outbox relay could not make a pass");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tokio::time::sleep(self.settings.poll) => {}
                }
            } else if (&mut shutdown).now_or_never().is_some() {
                break;
            }
        }
    }

    /// POSTs one delivery; never fails, the outcome is in the attempt.
    /// Sends a record's deliveries in order until one fails; returns the
    /// attempts and the deliveries not sent.
    async fn send_chain(&self, chain: Vec<Outgoing>) -> (Vec<Attempt>, Vec<i64>) {
        let mut attempts = Vec::with_capacity(chain.len());
        let mut unsent = Vec::new();
        for o in chain {
            if attempts.last().is_some_and(|a: &Attempt| !a.delivered()) {
                unsent.push(o.delivery_id);
                continue;
            }
            attempts.push(self.send(o).await);
        }
        (attempts, unsent)
    }

    async fn send(&self, o: Outgoing) -> Attempt {
        let started = Instant::now();
        let outcome = match &o.secret {
            Err(e) => Err(e.to_string()),
            Ok(secret) if is_nats(&o.url) => self.publish(&o, secret).await.map(|()| None),
            Ok(secret) => self.post(&o, secret).await.map(Some),
        };
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status, error) = match outcome {
            Ok(status) => (status, None),
            Err(e) => (None, Some(e)),
        };
        Attempt {
            delivery_id: o.delivery_id,
            attempt: o.attempt,
            at: self.app.now(),
            status,
            latency_ms,
            error,
        }
    }

    /// Publishes one delivery to JetStream, signed like a webhook.
    async fn publish(&self, o: &Outgoing, secret: &str) -> Result<(), String> {
        let body = serde_json::to_vec(&o.event).map_err(|e| e.to_string())?;
        let signature = sign(secret, jiff::Timestamp::now().as_second(), &body);
        self.nats
            .publish(&o.url, &o.event, body, signature, self.settings.timeout)
            .await
    }

    async fn post(&self, o: &Outgoing, secret: &str) -> Result<u16, String> {
        let body = serde_json::to_vec(&o.event).map_err(|e| e.to_string())?;
        let timestamp = jiff::Timestamp::now().as_second();
        let response = self
            .client
            .post(&o.url)
            .header("Content-Type", "application/json")
            .header("Kaidan-Event-Id", o.event.id.to_string())
            .header("Kaidan-Event-Type", &o.event.topic)
            .header("Kaidan-Delivery-Attempt", o.attempt.to_string())
            .header(SIGNATURE_HEADER, sign(secret, timestamp, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        Ok(response.status().as_u16())
    }
}

/// A reqwest error with its causes, which name what really went wrong
/// (connection refused, DNS, TLS).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer within the timeout".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The claimed deliveries grouped by record and subscription, each group
/// in the order of its events (the claim's order), the groups in the
/// order of their first event.
fn chains(due: Vec<Outgoing>) -> Vec<Vec<Outgoing>> {
    let mut index: std::collections::HashMap<(i64, String, i64), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<Vec<Outgoing>> = Vec::new();
    for o in due {
        let key = (o.subscription_id, o.event.entity.clone(), o.event.entity_id);
        match index.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(chain) => chain.push(o),
            None => {
                index.insert(key, out.len());
                out.push(vec![o]);
            }
        }
    }
    for chain in &mut out {
        chain.sort_by_key(|o| o.event.id);
    }
    out
}
