//! The API reference in the browser (issue 21): the OpenAPI document in
//! Swagger UI, whose files the binary carries (crate `swagger-ui-dist`,
//! served under /api/docs/assets) — nothing is fetched from outside. "Try it
//! out" calls the API with the page's session; a change carries the
//! session's CSRF token, which the page hands to the viewer.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Chrome, PageAuth, PageResult, render};

/// Where the viewer's own files are served.
pub const ASSETS: &str = "/api/docs/assets";

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    chrome: Chrome,
    title: String,
    assets: &'static str,
}

/// GET /api/docs
pub async fn api_docs(PageAuth { chrome, .. }: PageAuth) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &ApiDocsPage {
            title: chrome.lang.pick("接口文档", "API reference").into(),
            chrome,
            assets: ASSETS,
        },
    ))
}

/// GET /static/api-docs.js: starts the viewer on /api/openapi.json.
pub async fn script() -> Response {
    super::script_response(include_str!("../../static/api-docs.js"))
}
