//! The reps' customer files (客户档案, SAL-2): the record form written at the
//! first contact, beside the ledger.

use axum::Json;
use kaidan_app::customer_files::CustomerFile;
use kaidan_app::ports::CustomerFileRow;
use kaidan_domain::visits::CustomerFileInput;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Customer, PathId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(customer_files; customer_file, put_customer_file)
}

/// The customers within reach (a rep's own, a manager's team's) with
/// their files' headlines: first contact, contact, birthday, last order.
#[utoipa::path(get, path = "/api/v1/customer-files", tag = "visits",
    responses((status = 200, body = Vec<CustomerFileRow>), (status = 403, body = Problem)))]
pub async fn customer_files(Api(app, ctx): Api) -> ApiResult<Json<Vec<CustomerFileRow>>> {
    Ok(Json(app.customer_files(&ctx).await?))
}

/// A customer's file: what the rep wrote, the categories bought in the
/// last twelve months, the money he has with us, his payments and the
/// open invoices' due days.
#[utoipa::path(get, path = "/api/v1/customer-files/{id}", tag = "visits", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerFile), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn customer_file(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
) -> ApiResult<Json<CustomerFile>> {
    Ok(Json(app.customer_file(&ctx, id.get()).await?))
}

/// The customer's rep (or his manager) writes the file.
#[utoipa::path(put, path = "/api/v1/customer-files/{id}", tag = "visits", request_body = CustomerFileInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = CustomerFile), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_customer_file(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
    JsonBody(input): JsonBody<CustomerFileInput>,
) -> ApiResult<Json<CustomerFile>> {
    Ok(Json(app.put_customer_file(&ctx, id.get(), input).await?))
}
