//! What every handler is given: the use cases and the HTTP settings.

use kaidan_app::App;
use metrics_exporter_prometheus::PrometheusHandle;

/// Settings of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// The company block, seal and font of printed documents (DOC-1).
    pub print: crate::print::PrintSettings,
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: HttpConfig,
    pub metrics: PrometheusHandle,
}
