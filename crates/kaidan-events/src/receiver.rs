//! A webhook receiver that checks every signature and keeps the last
//! events it got: what `kaidan demo` subscribes to, so a newcomer sees
//! events leave Kaidan (issue 18), and what the end-to-end tests receive
//! with. It is also the shortest example of a receiver in Rust
//! (docs/events.md).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Html;
use axum::routing::{get, post};

use crate::signature::{DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER, verify};

/// How many received events are kept.
const KEEP: usize = 500;
/// How many delivery lags are kept (for `kaidan bench intake --webhook`).
const KEEP_LAGS: usize = 1_000_000;

/// One POST as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub event_id: i64,
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    pub attempt: u32,
    pub signature_ok: bool,
    /// When it arrived (unix seconds).
    pub at: i64,
}

#[derive(Debug, Default)]
struct Inner {
    secret: String,
    received: VecDeque<Received>,
    total: u64,
    delay: Duration,
    /// Per POST, from the event's time to its arrival, in microseconds.
    lags_us: Vec<i64>,
}

/// The receiver's state; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A panic while the lock was held cannot leave the list half
        // written (each change is one push or pop), so a poisoned lock's
        // data is still good.
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The secret signatures are checked with.
    pub fn set_secret(&self, secret: &str) {
        self.with(|i| i.secret = secret.to_string());
    }

    /// Waits this long before answering each POST (a slow receiver).
    pub fn set_delay(&self, delay: Duration) {
        self.with(|i| i.delay = delay);
    }

    /// The events kept, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.with(|i| i.received.iter().cloned().collect())
    }

    /// How many POSTs arrived in all.
    pub fn total(&self) -> u64 {
        self.with(|i| i.total)
    }

    /// Per POST (the first million), how long after the event's change it
    /// arrived, in microseconds: the relay's delivery lag.
    pub fn lags_us(&self) -> Vec<i64> {
        self.with(|i| i.lags_us.clone())
    }

    /// Serves the receiver on `listener`: `POST /hook` takes events,
    /// `GET /` lists them. Runs until the task is dropped.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let router = Router::new()
            .route("/hook", post(take))
            .route("/", get(page))
            .with_state(self);
        axum::serve(listener, router).await
    }
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let delay = r.with(|i| i.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let arrived = jiff::Timestamp::now();
    let now = arrived.as_second();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let lag_us = json["at"]
        .as_str()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|at| arrived.as_microsecond() - at.as_microsecond());
    r.with(|i| {
        let signature_ok = verify(
            &i.secret,
            &header(SIGNATURE_HEADER),
            &body,
            now,
            DEFAULT_TOLERANCE_SECS,
        )
        .is_ok();
        i.total += 1;
        if let Some(lag) = lag_us
            && i.lags_us.len() < KEEP_LAGS
        {
            i.lags_us.push(lag);
        }
        i.received.push_back(Received {
            event_id: json["id"].as_i64().unwrap_or_default(),
            topic: json["type"].as_str().unwrap_or_default().to_string(),
            entity: json["entity"].as_str().unwrap_or_default().to_string(),
            entity_id: json["entity_id"].as_i64().unwrap_or_default(),
            attempt: header("Kaidan-Delivery-Attempt")
                .parse()
                .unwrap_or_default(),
            signature_ok,
            at: now,
        });
        if i.received.len() > KEEP {
            i.received.pop_front();
        }
        // A bad signature is refused as a real receiver would: the relay
        // records the 401 and retries, and the page shows it.
        if signature_ok {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        }
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(r): State<Receiver>) -> Html<String> {
    let total = r.total();
    let mut rows = String::new();
    for e in r.received().iter().rev() {
        let at = jiff::Timestamp::from_second(e.at)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{} {}</td><td>{}</td><td>{}</td></tr>\n",
            at,
            e.event_id,
            escape(&e.topic),
            escape(&e.entity),
            e.entity_id,
            e.attempt,
            if e.signature_ok { "✓" } else { "✗ 签名错误 bad signature" }
        ));
    }
    Html(format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Webhook 演示接收端 · demo receiver</title>\
         <style>body{{font-family:sans-serif;margin:1.5rem}}table{{border-collapse:collapse}}\
         td,th{{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}}</style></head><body>\
         <h1>Webhook 演示接收端 · demo receiver</h1>\
         <p>收到 {total} 次推送(显示最近 {KEEP} 条),每条都校验了 HMAC-SHA256 签名。\
         Received {total} POSTs (the last {KEEP} shown), each signature checked.</p>\
         <table id=\"received\"><thead><tr><th>时间 At</th><th>事件 Event id</th><th>类型 Type</th>\
         <th>单据 Record</th><th>尝试 Attempt</th><th>签名 Signature</th></tr></thead><tbody>\n{rows}</tbody></table>\
         </body></html>"
    ))
}
