//! Kaidan's HTTP adapter: the JSON API under `/api/v1` with its OpenAPI
//! document, the server-rendered pages, sessions and tokens, metrics.
//! Handlers are thin: they parse, call one use case, and render.

mod api;
mod auth;
mod json;
mod observe;
pub mod openapi;
mod pages;
mod path;
mod print;
mod problem;
mod state;
mod text_rule;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use kaidan_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use print::{PrintSettings, demo_company};
pub use problem::{ApiError, Problem};
pub use state::{AppState, HttpConfig};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one router.
pub fn router(app: App, config: HttpConfig) -> Router {
    let state = AppState {
        app,
        config,
        metrics: observe::prometheus(),
    };
    let (api, doc) = openapi::api();
    Router::new()
        .merge(api)
        .merge(pages::routes())
        .route(
            "/api/openapi.json",
            get(move || std::future::ready(axum::Json(doc.clone()))),
        )
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
        .merge(swagger_ui_dist::generate_routes(
            swagger_ui_dist::ApiDefinition {
                uri_prefix: pages::api_docs::ASSETS,
                api_definition: swagger_ui_dist::OpenApiSource::Uri("/api/openapi.json"),
                title: Some("Kaidan API"),
            },
        ))
        .layer(axum::middleware::from_fn(
            problem::every_api_error_a_problem,
        ))
        .layer(axum::middleware::from_fn(text_rule::refuse_bad_urls))
        .layer(axum::middleware::from_fn(observe::track))
        .layer(CatchPanicLayer::custom(problem::panicked))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(observe::request_span)
                .on_response(observe::log_response)
                // A server error is already the response's line (a warning).
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, observe::Ids::default()))
}

async fn metrics(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        s.metrics.render(),
    )
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no route {}", uri.path()),
        )
        .into_response()
    } else {
        pages::not_found_page().into_response()
    }
}

/// Serves until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app, config))
        .with_graceful_shutdown(shutdown)
        .await
}
