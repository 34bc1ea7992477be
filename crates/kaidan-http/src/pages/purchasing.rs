//! Procurement, arrival-notice and job pages (PUR-1..3).

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
