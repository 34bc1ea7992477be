//! Liveness and the database check, for load balancers and monitoring.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(health)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

/// Liveness and database check (no login needed).
#[utoipa::path(get, path = "/api/v1/health", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn health(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    s.app.health().await?;
    Ok(Json(Health {
        status: "ok",
        database: s.app.backend(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
