//! Finance holds on customers (FIN-6): read, set with a reason, release.

use axum::Json;
use kaidan_app::master::holds::HoldView;
use kaidan_domain::customer_hold::HoldInput;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Customer, PathId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(customer_hold, hold_customer, release_customer_hold)
}

/// The customer's finance hold, if one holds, and the past ones: who set
/// each, when and why; who released it and when.
#[utoipa::path(get, path = "/api/v1/customers/{id}/hold", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = HoldView), (status = 404, body = Problem)))]
pub async fn customer_hold(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
) -> ApiResult<Json<HoldView>> {
    Ok(Json(app.customer_hold(&ctx, id).await?))
}

/// Put the customer on finance hold (permission `customer.hold`): its
/// orders stop at review, on credit hold, until finance releases them.
#[utoipa::path(post, path = "/api/v1/customers/{id}/hold", tag = "accounts", params(("id" = i64, Path)),
    request_body = HoldInput,
    responses((status = 200, body = HoldView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn hold_customer(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
    JsonBody(input): JsonBody<HoldInput>,
) -> ApiResult<Json<HoldView>> {
    Ok(Json(app.hold_customer(&ctx, id, input).await?))
}

/// Release the customer's finance hold (permission `customer.hold`). Orders
/// already on credit hold stay there for finance to release one by one.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/hold", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = HoldView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn release_customer_hold(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
) -> ApiResult<Json<HoldView>> {
    Ok(Json(app.release_customer_hold(&ctx, id).await?))
}
