//! Request ids, structured request logs and Prometheus metrics.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::request_id::{MakeRequestId, RequestId};

/// The process-wide Prometheus recorder (metrics has one global recorder;
/// several routers in one process, as in tests, share it).
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then our
            // handle renders nothing, which is still a valid exposition.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Request ids: a per-process random prefix and a counter, unless the
/// client (or a proxy) sent `x-request-id`.
#[derive(Clone)]
pub struct Ids {
    prefix: String,
    next: std::sync::Arc<AtomicU64>,
}

impl Default for Ids {
    fn default() -> Self {
        let mut b = [0u8; 4];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        Ids {
            prefix: hex::encode(b),
            next: std::sync::Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The request span of the request log (see [`request_span`]).
pub fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get(&crate::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // The route (the path's template, so no ids or queries) and the user
    // are filled in once known: by `track` and by the authentication.
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = tracing::field::Empty,
        request_id = %id,
        user = tracing::field::Empty,
    )
}

/// One line per request at the default level (issue 24): with the span's
/// method, route, request id and user, its status and how long it took.
pub fn log_response<B>(res: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    let ms = latency.as_secs_f64() * 1000.0;
    let status = res.status().as_u16();
    if res.status().is_server_error() {
        tracing::warn!(status, duration_ms = %format_args!("{ms:.1}"), "request failed");
    } else {
        tracing::info!(status, duration_ms = %format_args!("{ms:.1}"), "request");
    }
}

/// Names the request's user in its log line, once authenticated.
pub fn record_user(username: &str) {
    tracing::Span::current().record("user", tracing::field::display(username));
}

/// Counts and times every request by route (not by raw path, so ids do not
/// explode the label set).
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    tracing::Span::current().record("route", tracing::field::display(&route));
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("kaidan_http_requests_total", &labels).increment(1);
    metrics::histogram!("kaidan_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
