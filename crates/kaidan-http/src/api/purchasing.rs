//! Purchase orders, receipts, arrival notices and jobs (PUR-1..3).

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
