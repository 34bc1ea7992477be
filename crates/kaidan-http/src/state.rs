//! What every handler is given: the use cases and the HTTP settings.

use kaidan_app::App;
use metrics_exporter_prometheus::PrometheusHandle;

/// Settings of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: HttpConfig,
    pub metrics: PrometheusHandle,
}
