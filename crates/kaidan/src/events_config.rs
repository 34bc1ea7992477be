//! `[events]` of `kaidan.toml` (issue 18, ADR 0034): the outbox relay of
//! this node and the key webhook secrets are sealed with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use jiff::SignedDuration;
use kaidan_app::events::{EventSettings, MAX_RELAY_BATCH, SealKey};
use kaidan_domain::events::RetryPolicy;
use serde::Deserialize;

/// The environment variable that holds the events key (64 hex digits).
pub const KEY_ENV: &str = "KAIDAN_EVENTS_KEY";

/// `[events]`; every key is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsFileSettings {
    /// Run the relay in this node (default true). Any number of nodes may.
    pub enabled: Option<bool>,
    /// The key webhook secrets are sealed with: a file of 64 hex digits,
    /// made on first start if it does not exist. Default: `events.key`
    /// beside the SQLite database; none with PostgreSQL (every node needs
    /// the same key: configure it). `KAIDAN_EVENTS_KEY` wins over it.
    pub key_file: Option<PathBuf>,
    /// Attempts before a delivery is dead (1 to 100, default 12).
    pub max_attempts: Option<u32>,
    /// The wait after the first failed attempt, doubled after each (default 5).
    pub first_retry_seconds: Option<u64>,
    /// The longest wait between attempts (default 3600, at most 7 days).
    pub longest_wait_seconds: Option<u64>,
    /// How long a node's claim on a delivery lasts (default 60; more than
    /// `timeout_seconds`).
    pub lease_seconds: Option<u64>,
    /// Days delivered events are kept before the prune job deletes them
    /// (default 30).
    pub keep_days: Option<u32>,
    /// Events and deliveries one pass takes (default 200, at most 5,000).
    pub batch: Option<u32>,
    /// How long the relay waits when there was nothing to do (default 200 ms).
    pub poll_ms: Option<u64>,
    /// How long a receiver has to answer (default 10 s).
    pub timeout_seconds: Option<u64>,
    /// Deliveries sent at the same time (default 16).
    pub concurrency: Option<usize>,
    /// `[events.nats]`: also publish to NATS JetStream.
    pub nats: Option<NatsFileSettings>,
}

/// `[events.nats]` (env `KAIDAN_EVENTS_NATS_URL` for `url`): the events
/// also go to this JetStream, as a subscription named [`NATS_NAME`] that
/// every start brings in line with these keys.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsFileSettings {
    /// `nats://host:port`.
    pub url: Option<String>,
    /// The stream (default `KAIDAN`; made if it does not exist).
    pub stream: Option<String>,
    /// The subjects' first token (default `kaidan`: `kaidan.order.approved`).
    pub prefix: Option<String>,
    /// Topic patterns (default every event: `["*"]`).
    pub topics: Option<Vec<String>>,
}

/// The subscription `[events.nats]` keeps.
pub const NATS_NAME: &str = "NATS JetStream";
/// The variable that names the JetStream server.
pub const NATS_ENV: &str = "KAIDAN_EVENTS_NATS_URL";

impl EventsFileSettings {
    pub fn enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.unwrap_or(10))
    }

    /// The bounds serde cannot check, each error naming its key.
    pub fn check(&self) -> anyhow::Result<()> {
        self.retry()?;
        let timeout = self.timeout_seconds.unwrap_or(10);
        anyhow::ensure!(
            (1..=300).contains(&timeout),
            "[events] timeout_seconds must be 1 to 300"
        );
        let lease = self.lease_seconds.unwrap_or(60);
        anyhow::ensure!(
            lease > timeout && lease <= 3_600,
            "[events] lease_seconds must be more than timeout_seconds ({timeout}) and at most 3600"
        );
        let batch = self.batch.unwrap_or(200);
        anyhow::ensure!(
            (1..=MAX_RELAY_BATCH).contains(&batch),
            "[events] batch must be 1 to {MAX_RELAY_BATCH}"
        );
        anyhow::ensure!(
            (1..=3_650).contains(&self.keep_days.unwrap_or(30)),
            "[events] keep_days must be 1 to 3650"
        );
        anyhow::ensure!(
            (10..=60_000).contains(&self.poll_ms.unwrap_or(200)),
            "[events] poll_ms must be 10 to 60000"
        );
        anyhow::ensure!(
            (1..=256).contains(&self.concurrency.unwrap_or(16)),
            "[events] concurrency must be 1 to 256"
        );
        Ok(())
    }

    fn retry(&self) -> anyhow::Result<RetryPolicy> {
        let d = RetryPolicy::default();
        let secs = |v: Option<u64>, default: SignedDuration| {
            v.map_or(default, |s| {
                SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX))
            })
        };
        RetryPolicy::new(
            self.max_attempts.unwrap_or(d.max_attempts),
            secs(self.first_retry_seconds, d.first_retry),
            secs(self.longest_wait_seconds, d.longest_wait),
        )
        .map_err(|e| anyhow::anyhow!("[events] {e}"))
    }

    /// The use cases' settings, with the key.
    pub fn app_settings(&self, key: Option<SealKey>) -> anyhow::Result<EventSettings> {
        self.check()?;
        let d = EventSettings::default();
        Ok(EventSettings {
            key,
            retry: self.retry()?,
            lease: self
                .lease_seconds
                .map_or(d.lease, |s| SignedDuration::from_secs(s.min(3_600) as i64)),
            keep: self.keep_days.map_or(d.keep, |k| {
                SignedDuration::from_hours(i64::from(k.min(3_650)) * 24)
            }),
            batch: self.batch.unwrap_or(d.batch),
        })
    }

    /// The relay's settings on this node.
    pub fn relay_settings(&self, node: String) -> kaidan_events::RelaySettings {
        let d = kaidan_events::RelaySettings::default();
        kaidan_events::RelaySettings {
            node,
            poll: self.poll_ms.map_or(d.poll, Duration::from_millis),
            timeout: self.timeout(),
            concurrency: self.concurrency.unwrap_or(d.concurrency),
        }
    }

    /// The events key: `KAIDAN_EVENTS_KEY`, or the key file (made with a
    /// new key, readable by its owner only, when it does not exist):
    /// `key_file`, or `events.key` beside the SQLite database. An in-memory
    /// database has a key as short-lived as its data. PostgreSQL without a
    /// configured key has none: several nodes must share one, so it is
    /// never made up on one node (webhooks then answer 503 saying so).
    pub fn key(
        &self,
        database_url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Option<SealKey>> {
        if let Some(hex) = env(KEY_ENV).filter(|k| !k.trim().is_empty()) {
            return SealKey::from_hex(&hex)
                .with_context(|| KEY_ENV.to_string())
                .map(Some);
        }
        let path = match (&self.key_file, database_url.strip_prefix("sqlite:")) {
            (Some(p), _) => p.clone(),
            (None, None) => {
                tracing::info!(
                    "no events key configured ([events] key_file or {KEY_ENV}): webhooks are off"
                );
                return Ok(None);
            }
            (None, Some(rest)) => {
                let file = rest.trim_start_matches("//");
                let file = file.split('?').next().unwrap_or_default();
                if file.is_empty() || file.contains(":memory:") || rest.contains("mode=memory") {
                    return SealKey::from_hex(&SealKey::generate_hex())
                        .map(Some)
                        .context("a new events key");
                }
                Path::new(file)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join("events.key")
            }
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => SealKey::from_hex(&text)
                .map(Some)
                .with_context(|| format!("the events key file {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hex = SealKey::generate_hex();
                write_private(&path, &hex).with_context(|| {
                    format!("cannot write the events key file {}", path.display())
                })?;
                tracing::info!(file = %path.display(), "made a new events key for webhook secrets; back it up with the database");
                SealKey::from_hex(&hex)
                    .map(Some)
                    .context("a new events key")
            }
            Err(e) => Err(e)
                .with_context(|| format!("cannot read the events key file {}", path.display())),
        }
    }
}

impl EventsFileSettings {
    /// The JetStream subscription's URL and topics, when `[events.nats]`
    /// or `KAIDAN_EVENTS_NATS_URL` names a server.
    pub fn nats_target(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Option<(String, Vec<String>)> {
        let n = self.nats.clone().unwrap_or_default();
        let server = env(NATS_ENV).filter(|u| !u.trim().is_empty()).or(n.url)?;
        let server = server.trim().trim_end_matches('/');
        let mut url = server.to_string();
        let query: Vec<String> = [("stream", n.stream), ("prefix", n.prefix)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect();
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        Some((url, n.topics.unwrap_or_else(|| vec!["*".into()])))
    }

    /// Brings the JetStream subscription in line with the configuration:
    /// made, or changed and made active; left alone when none is
    /// configured. Its secret signs the messages like webhooks'.
    pub async fn ensure_nats(
        &self,
        app: &kaidan_app::App,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<()> {
        let Some((url, topics)) = self.nats_target(env) else {
            return Ok(());
        };
        let ctx = kaidan_app::Ctx::system();
        let input = kaidan_domain::events::SubscriptionInput {
            name: NATS_NAME.into(),
            url: url.clone(),
            topics,
            customer_id: None,
            active: true,
        };
        app.put_named_subscription(&ctx, input)
            .await
            .context("[events.nats]")?;
        tracing::info!(%url, "events are also published to NATS JetStream");
        Ok(())
    }
}

/// Writes a new file readable and writable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{text}\n").as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_5_the_key_comes_from_the_environment_or_a_file_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite:{}/kaidan.db", dir.path().display());
        let s = EventsFileSettings::default();
        let no_env = |_: &str| None;
        let first = s.key(&db, no_env).unwrap().unwrap();
        let path = dir.path().join("events.key");
        assert!(path.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            s.key(&db, no_env).unwrap(),
            Some(first),
            "the file is read again"
        );
        let hex = "11".repeat(32);
        let from_env = s.key(&db, |_| Some(hex.clone())).unwrap();
        assert_eq!(from_env, SealKey::from_hex(&hex).ok());
        let err = s.key(&db, |_| Some("xyz".into())).unwrap_err();
        assert!(format!("{err:#}").contains(KEY_ENV));
        std::fs::write(&path, "short").unwrap();
        let err = s.key(&db, no_env).unwrap_err();
        assert!(format!("{err:#}").contains("events.key"), "{err:#}");
        assert!(s.key("sqlite::memory:", no_env).unwrap().is_some());
        assert_eq!(
            s.key("postgres://x/y", no_env).unwrap(),
            None,
            "never made up for several nodes"
        );
        let file = dir.path().join("shared.key");
        let configured = EventsFileSettings {
            key_file: Some(file.clone()),
            ..Default::default()
        };
        assert!(configured.key("postgres://x/y", no_env).unwrap().is_some());
        assert!(file.exists());
    }

    #[test]
    fn int_5_relay_settings_are_checked_naming_the_key() {
        let bad = |s: EventsFileSettings| format!("{:#}", s.check().unwrap_err());
        assert!(
            bad(EventsFileSettings {
                max_attempts: Some(0),
                ..Default::default()
            })
            .contains("max_attempts")
        );
        assert!(
            bad(EventsFileSettings {
                lease_seconds: Some(5),
                ..Default::default()
            })
            .contains("lease_seconds")
        );
        assert!(
            bad(EventsFileSettings {
                batch: Some(0),
                ..Default::default()
            })
            .contains("batch")
        );
        let ok = EventsFileSettings {
            max_attempts: Some(3),
            first_retry_seconds: Some(1),
            ..Default::default()
        };
        let app = ok
            .app_settings(SealKey::from_hex(&"22".repeat(32)).ok())
            .unwrap();
        assert_eq!(app.retry.max_attempts, 3);
    }
}
