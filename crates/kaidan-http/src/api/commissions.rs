//! Sales commissions (SAL-5): the policies, the monthly statements
//! computed from the records, their review by the sales manager and
//! confirmation by finance.

use axum::Json;
use axum::extract::Path;
use kaidan_app::commissions::{CommissionMonth, StatementStep};
use kaidan_app::ports::{CommissionPolicy, CommissionStatement, CommissionStatementRow};
use kaidan_domain::commissions::CommissionPolicyInput;

use crate::api::targets::ReturnReason;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{CommissionStatementId, PathId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(commission_policies, put_commission_policy; commission_month, compute_commissions;
        commission_history; commission_statement; review_commission_statement;
        confirm_commission_statement; return_commission_statement)
}

/// Every policy, the oldest first: each in force from its day until the
/// next one's.
#[utoipa::path(get, path = "/api/v1/commissions/policies", tag = "commissions",
    responses((status = 200, body = Vec<CommissionPolicy>), (status = 403, body = Problem)))]
pub async fn commission_policies(Api(app, ctx): Api) -> ApiResult<Json<Vec<CommissionPolicy>>> {
    Ok(Json(app.commission_policies(&ctx).await?))
}

/// The general manager writes a policy from a day on (after the last month
/// with a reviewed statement): the basis, the default rate, the rates of
/// product categories and the tiers by target completion, in percent.
#[utoipa::path(put, path = "/api/v1/commissions/policies", tag = "commissions",
    request_body = CommissionPolicyInput,
    responses((status = 200, body = CommissionPolicy), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_commission_policy(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<CommissionPolicyInput>,
) -> ApiResult<Json<CommissionPolicy>> {
    Ok(Json(app.put_commission_policy(&ctx, input).await?))
}

/// A month's statements within reach (`YYYY-MM`) and their totals.
#[utoipa::path(get, path = "/api/v1/commissions/months/{month}", tag = "commissions",
    params(("month" = String, Path, example = "2026-11")),
    responses((status = 200, body = CommissionMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn commission_month(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<Json<CommissionMonth>> {
    Ok(Json(app.commission_month(&ctx, &month).await?))
}

/// Computes an ended month's statements from the records; the statements
/// still computed are computed again, the reviewed ones kept.
#[utoipa::path(post, path = "/api/v1/commissions/months/{month}", tag = "commissions",
    params(("month" = String, Path, example = "2026-11")),
    responses((status = 200, body = CommissionMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn compute_commissions(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<Json<CommissionMonth>> {
    Ok(Json(app.compute_commissions(&ctx, &month).await?))
}

/// Every statement within reach, the newest month first.
#[utoipa::path(get, path = "/api/v1/commissions/statements", tag = "commissions",
    responses((status = 200, body = Vec<CommissionStatementRow>), (status = 403, body = Problem)))]
pub async fn commission_history(
    Api(app, ctx): Api,
) -> ApiResult<Json<Vec<CommissionStatementRow>>> {
    Ok(Json(app.commission_history(&ctx).await?))
}

/// A statement with its lines: each product category under each policy,
/// its base, rate, tier factor and commission.
#[utoipa::path(get, path = "/api/v1/commissions/statements/{id}", tag = "commissions",
    params(("id" = i64, Path)),
    responses((status = 200, body = CommissionStatement), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn commission_statement(
    Api(app, ctx): Api,
    PathId(id): PathId<CommissionStatementId>,
) -> ApiResult<Json<CommissionStatement>> {
    Ok(Json(app.commission_statement(&ctx, id).await?))
}

/// The sales manager reviews a computed statement of a rep he leads.
#[utoipa::path(post, path = "/api/v1/commissions/statements/{id}/review", tag = "commissions",
    params(("id" = i64, Path)),
    responses((status = 200, body = CommissionStatement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn review_commission_statement(
    Api(app, ctx): Api,
    PathId(id): PathId<CommissionStatementId>,
) -> ApiResult<Json<CommissionStatement>> {
    Ok(Json(
        app.move_commission_statement(&ctx, id, StatementStep::Review, None)
            .await?,
    ))
}

/// Finance confirms a reviewed statement.
#[utoipa::path(post, path = "/api/v1/commissions/statements/{id}/confirm", tag = "commissions",
    params(("id" = i64, Path)),
    responses((status = 200, body = CommissionStatement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_commission_statement(
    Api(app, ctx): Api,
    PathId(id): PathId<CommissionStatementId>,
) -> ApiResult<Json<CommissionStatement>> {
    Ok(Json(
        app.move_commission_statement(&ctx, id, StatementStep::Confirm, None)
            .await?,
    ))
}

/// Finance sends a reviewed statement back, with the reason; it is
/// computed again with the month.
#[utoipa::path(post, path = "/api/v1/commissions/statements/{id}/return", tag = "commissions",
    request_body = ReturnReason, params(("id" = i64, Path)),
    responses((status = 200, body = CommissionStatement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn return_commission_statement(
    Api(app, ctx): Api,
    PathId(id): PathId<CommissionStatementId>,
    JsonBody(r): JsonBody<ReturnReason>,
) -> ApiResult<Json<CommissionStatement>> {
    Ok(Json(
        app.move_commission_statement(&ctx, id, StatementStep::Return, Some(r.reason))
            .await?,
    ))
}
