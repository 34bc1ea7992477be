//! Sales expenses (SAL-3): a rep's claims with their receipts, the
//! manager's and finance's approval, the reimbursement, and the monthly
//! budgets of reps and teams.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jiff::civil::Date;
use kaidan_app::expenses::{ClaimDecision, ClaimView, ExpenseMonth};
use kaidan_app::finance::VoucherUpload;
use kaidan_domain::expenses::{BudgetLine, ExpenseClaimInput};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::api::finance::file_response;
use crate::api::targets::ReturnReason;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{ExpenseClaimId, PathId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(create_expense_claim; expense_claim, update_expense_claim; attach_expense_receipt;
        expense_receipt; submit_expense_claim; approve_expense_claim; return_expense_claim;
        reimburse_expense_claim; expense_month; put_expense_budgets)
}

/// A rep writes a claim of his own for a month: each expense's day,
/// category (travel, entertainment, gifts, samples), amount, customer and
/// planned visit (of the claim's `plan_id`).
#[utoipa::path(post, path = "/api/v1/expense-claims", tag = "expenses", request_body = ExpenseClaimInput,
    responses((status = 201, body = ClaimView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_expense_claim(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<ExpenseClaimInput>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.write_expense_claim(&ctx, None, input).await?),
    ))
}

/// A claim with its lines, receipts, the plan's visits it names and the
/// budgets of the rep and his team.
#[utoipa::path(get, path = "/api/v1/expense-claims/{id}", tag = "expenses", params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(app.expense_claim(&ctx, id).await?))
}

/// Rewrites one's own claim while it is a draft or returned.
#[utoipa::path(put, path = "/api/v1/expense-claims/{id}", tag = "expenses", request_body = ExpenseClaimInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
    JsonBody(input): JsonBody<ExpenseClaimInput>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(app.write_expense_claim(&ctx, Some(id), input).await?))
}

/// Attaches a receipt (发票、小票: PNG, JPEG or PDF, at most 5 MiB): the raw
/// file as the body, its name in `?file=`.
#[utoipa::path(post, path = "/api/v1/expense-claims/{id}/receipts", tag = "expenses",
    params(("id" = i64, Path), ("file" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_expense_receipt(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ClaimView>> {
    let upload = VoucherUpload {
        file_name: q.get("file").cloned().unwrap_or_default(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        bytes: body.to_vec(),
    };
    Ok(Json(app.attach_expense_receipt(&ctx, id, upload).await?))
}

/// A receipt's file as it was uploaded.
#[utoipa::path(get, path = "/api/v1/expense-claims/{id}/receipts/{no}", tag = "expenses",
    params(("id" = i64, Path), ("no" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn expense_receipt(
    Api(app, ctx): Api,
    Path((id, no)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    Ok(file_response(app.expense_receipt(&ctx, id, no).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitClaim {
    /// Why the claim goes over the month's budget (required then).
    #[serde(default)]
    pub over_budget_reason: Option<String>,
}

/// The rep submits his claim to his manager (with a receipt at least).
#[utoipa::path(post, path = "/api/v1/expense-claims/{id}/submit", tag = "expenses", request_body = SubmitClaim,
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
    JsonBody(s): JsonBody<SubmitClaim>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(
        app.submit_expense_claim(&ctx, id, s.over_budget_reason)
            .await?,
    ))
}

/// Approves the claim: the rep's manager a submitted one, then finance.
#[utoipa::path(post, path = "/api/v1/expense-claims/{id}/approve", tag = "expenses",
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(app.approve_expense_claim(&ctx, id).await?))
}

/// Sends the claim back to the rep with the reason.
#[utoipa::path(post, path = "/api/v1/expense-claims/{id}/return", tag = "expenses", request_body = ReturnReason,
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn return_expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
    JsonBody(r): JsonBody<ReturnReason>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(
        app.decide_expense_claim(&ctx, id, ClaimDecision::Return(r.reason))
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reimbursement {
    #[schema(value_type = String, format = Date)]
    pub paid_on: Date,
    /// The voucher or transfer number.
    pub reference: String,
}

/// Finance records the reimbursement of an approved claim.
#[utoipa::path(post, path = "/api/v1/expense-claims/{id}/reimburse", tag = "expenses", request_body = Reimbursement,
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reimburse_expense_claim(
    Api(app, ctx): Api,
    PathId(id): PathId<ExpenseClaimId>,
    JsonBody(r): JsonBody<Reimbursement>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(
        app.pay_expense_claim(&ctx, id, r.paid_on, r.reference)
            .await?,
    ))
}

/// A month's budgets per team and rep within reach — set, spent (approved
/// by finance or paid), in review, remaining — and its claims.
#[utoipa::path(get, path = "/api/v1/expenses/{month}", tag = "expenses",
    params(("month" = String, Path, example = "2026-12")),
    responses((status = 200, body = ExpenseMonth), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn expense_month(
    Api(app, ctx): Api,
    Path(month): Path<String>,
) -> ApiResult<Json<ExpenseMonth>> {
    Ok(Json(app.expense_month(&ctx, &month).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetsInput {
    pub lines: Vec<BudgetLine>,
}

/// The general manager sets budgets of a month for reps and teams.
#[utoipa::path(put, path = "/api/v1/expenses/{month}/budgets", tag = "expenses", request_body = BudgetsInput,
    params(("month" = String, Path, example = "2026-12")),
    responses((status = 200, body = Vec<BudgetLine>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_expense_budgets(
    Api(app, ctx): Api,
    Path(month): Path<String>,
    JsonBody(b): JsonBody<BudgetsInput>,
) -> ApiResult<Json<Vec<BudgetLine>>> {
    Ok(Json(app.put_expense_budgets(&ctx, &month, b.lines).await?))
}
