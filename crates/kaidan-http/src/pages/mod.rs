use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub fn not_found_page() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html("<h1>404</h1>"))
}
