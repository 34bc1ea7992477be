//! `kaidan bench intake --webhook` (issue 18): the outbox relay runs beside
//! the intake, as in `kaidan serve`, delivering every event to a local
//! receiver that checks each signature; the bench prints how long after
//! its change each event arrived (the delivery lag).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kaidan_app::{App, Ctx};
use kaidan_domain::events::SubscriptionInput;
use kaidan_events::receiver::Receiver;
use kaidan_events::{Relay, RelaySettings};

use crate::bench::percentile;

/// The relay and its receiver, running.
pub(crate) struct BenchRelay {
    receiver: Receiver,
    subscription: i64,
    stop: tokio::sync::oneshot::Sender<()>,
    relay: tokio::task::JoinHandle<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl BenchRelay {
    pub(crate) async fn start(app: &App) -> anyhow::Result<BenchRelay> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let made = app
            .create_subscription(
                &Ctx::system(),
                SubscriptionInput {
                    name: "bench".into(),
                    url,
                    topics: vec!["*".into()],
                    customer_id: None,
                    active: true,
                },
            )
            .await?;
        let receiver = Receiver::default();
        receiver.set_secret(&made.secret);
        let serving = tokio::spawn(receiver.clone().serve(listener));
        let relay = Relay::new(
            app.clone(),
            RelaySettings {
                node: "bench".into(),
                ..RelaySettings::default()
            },
        )?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let relay = tokio::spawn(relay.run(async move {
            let _ = stopped.await;
        }));
        Ok(BenchRelay {
            receiver,
            subscription: made.subscription.id,
            stop,
            relay,
            serving,
        })
    }

    /// Waits until every event of the intake is delivered (at most five
    /// minutes), stops the relay and says what the lag was.
    pub(crate) async fn finish(self, app: &App) -> anyhow::Result<String> {
        let ended = Instant::now();
        let mut last = None;
        loop {
            let subs = app.list_subscriptions(&Ctx::system()).await?;
            let counts = subs
                .iter()
                .find(|s| s.id == self.subscription)
                .map(|s| s.deliveries.clone())
                .context("the bench subscription")?;
            // Settled: nothing pending, and nothing newly routed since the
            // last look (the route step may still be reading the outbox).
            let now = (counts.pending, counts.delivered);
            if counts.pending == 0 && last == Some(now) {
                if counts.dead > 0 {
                    bail!("{} deliveries died", counts.dead);
                }
                break;
            }
            last = Some(now);
            if ended.elapsed() > Duration::from_secs(300) {
                bail!("the relay did not catch up within five minutes: {counts:?}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let drained = ended.elapsed().saturating_sub(Duration::from_millis(300));
        let _ = self.stop.send(());
        let _ = self.relay.await;
        self.serving.abort();
        let bad = self
            .receiver
            .received()
            .iter()
            .filter(|r| !r.signature_ok)
            .count();
        if bad > 0 {
            bail!("{bad} deliveries had a bad signature");
        }
        let mut lags: Vec<Duration> = self
            .receiver
            .lags_us()
            .into_iter()
            .map(|us| Duration::from_micros(u64::try_from(us).unwrap_or(0)))
            .collect();
        lags.sort();
        Ok(format!(
            "webhooks: {} events delivered, lag p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; caught up {:.1} s after the last order",
            self.receiver.total(),
            percentile(&lags, 0.50),
            percentile(&lags, 0.99),
            lags.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
            drained.as_secs_f64()
        ))
    }
}
