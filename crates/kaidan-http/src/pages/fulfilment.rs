//! Warehouse and logistics pages: shipping plan, pick lists, shipments,
//! tracking and delivery (SHP-1..3).

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
