//! Shipping plan, pick lists, shipments, tracking, proof of delivery and
//! lookup by number (SHP-1..3, DOC-2).

use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The OpenAPI paths of this module, merged into the published document.
#[derive(OpenApi)]
#[openapi(paths())]
pub struct Doc;
