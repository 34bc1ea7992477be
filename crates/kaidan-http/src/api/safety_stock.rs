//! The stock level each store should keep of each product (ALC-8 reads it).

use axum::Json;

use kaidan_domain::master::SafetyStock;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, Store};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(safety_stock, set_safety_stock)
}

#[utoipa::path(get, path = "/api/v1/stores/{id}/safety-stock", tag = "master data",
    params(("id" = i64, Path)), responses((status = 200, body = Vec<SafetyStock>)))]
pub async fn safety_stock(
    Api(app, ctx): Api,
    PathId(id): PathId<Store>,
) -> ApiResult<Json<Vec<SafetyStock>>> {
    Ok(Json(app.safety_stock(&ctx, id).await?))
}

#[utoipa::path(put, path = "/api/v1/stores/{id}/safety-stock", tag = "master data", request_body = Vec<SafetyStock>,
    params(("id" = i64, Path)), responses((status = 200, body = Vec<SafetyStock>), (status = 422, body = Problem)))]
pub async fn set_safety_stock(
    Api(app, ctx): Api,
    PathId(id): PathId<Store>,
    JsonBody(levels): JsonBody<Vec<SafetyStock>>,
) -> ApiResult<Json<Vec<SafetyStock>>> {
    Ok(Json(app.set_safety_stock(&ctx, id, levels).await?))
}
