//! Dunning and collection (FIN-4): the month-end dunning notices and
//! finance's run of a period, collection actions against a customer, the
//! collection report, statements of account (对账单) and the customer's
//! confirmation or dispute.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use kaidan_app::AppError;
use kaidan_app::collection::DunningRun;
use kaidan_app::ports::{DunningNotice, NoticeFilter};
use kaidan_domain::finance::{
    CollectionAction, CollectionInput, CollectionReport, ConfirmationInput, Period, Statement,
};
use kaidan_domain::{CustomerId, ValidationErrors};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{filter, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Customer, DunningNotice as Notice, PathId};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        dunning_notices; dunning_notice; dunning_pdf; run_dunning; collection_actions, record_collection_action;
        collection_report; statement; statement_pdf; confirm_statement
    )
}

/// A month `YYYY-MM`, or a refusal naming `field`.
pub(crate) fn period(field: &str, v: &str) -> ApiResult<Period> {
    Period::parse(field, v).map_err(|e| ApiError::from(AppError::Invalid(e)))
}

/// The notice list's query parameters; `me` is the caller's user id.
pub(crate) fn notice_filter(
    q: &BTreeMap<String, String>,
    me: kaidan_domain::UserId,
) -> ApiResult<NoticeFilter> {
    let mut f = NoticeFilter {
        limit: 1000,
        ..NoticeFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "period" if !v.is_empty() => f.period = Some(period(k, v)?),
            "customer_id" if !v.is_empty() => f.customer = Some(CustomerId(whole(k, v)?)),
            "sales_rep" if v == "me" => f.sales_rep = Some(me),
            "sales_rep" if !v.is_empty() => {
                f.sales_rep =
                    Some(kaidan_domain::UserId(whole(k, v).map_err(|_| {
                        ApiError::field(k, "invalid", "a user id, or 'me'")
                    })?))
            }
            "limit" => f.limit = whole(k, v)?,
            "period" | "customer_id" | "sales_rep" | "lang" => {}
            other => return Err(unknown(other, "period, customer_id, sales_rep, limit")),
        }
    }
    Ok(f)
}

/// FIN-4: month-end dunning notices, the largest overdue first: finance
/// and managers see every customer's, a sales rep his customers'.
#[utoipa::path(get, path = "/api/v1/dunning-notices", tag = "finance",
    params(("period" = Option<String>, Query, description = "YYYY-MM"), ("customer_id" = Option<i64>, Query),
        ("sales_rep" = Option<String>, Query, description = "a user id, or `me`"), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<DunningNotice>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn dunning_notices(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<DunningNotice>>> {
    let f = notice_filter(&q, ctx.actor.user_id)?;
    Ok(Json(app.dunning_notices(&ctx, f).await?))
}

/// FIN-4: one dunning notice with its overdue invoices.
#[utoipa::path(get, path = "/api/v1/dunning-notices/{id}", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, body = DunningNotice), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn dunning_notice(
    Api(app, ctx): Api,
    PathId(id): PathId<Notice>,
) -> ApiResult<Json<DunningNotice>> {
    Ok(Json(app.dunning_notice(&ctx, id).await?))
}

/// DOC-1, FIN-4: the dunning letter as a PDF in Chinese (催款函) to the
/// customer: its overdue invoices, the total in capitals, the day to pay
/// by and the company's bank; the wording hardens with the level.
#[utoipa::path(get, path = "/api/v1/dunning-notices/{id}/pdf", tag = "finance", operation_id = "dunning_pdf",
    params(("id" = i64, Path)),
    responses((status = 200, description = "催款函 (PDF)", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn dunning_pdf(
    axum::extract::State(s): axum::extract::State<AppState>,
    crate::auth::ApiAuth(ctx): crate::auth::ApiAuth,
    PathId(id): PathId<Notice>,
) -> ApiResult<crate::print::Pdf> {
    Ok(crate::print::dunning_pdf(&s, &ctx, id).await?)
}

/// Which month to run dunning for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DunningRunInput {
    /// `YYYY-MM`, a month that has ended.
    #[schema(value_type = String, example = "2026-03")]
    pub period: Period,
}

/// FIN-4: finance raises the notices of a month that has ended, now (the
/// `dunning` job does it on the 1st); a notice raised before is not raised
/// again.
#[utoipa::path(post, path = "/api/v1/dunning/run", tag = "finance", request_body = DunningRunInput,
    responses((status = 200, body = DunningRun), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn run_dunning(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<DunningRunInput>,
) -> ApiResult<Json<DunningRun>> {
    Ok(Json(app.run_dunning(&ctx, input.period).await?))
}

/// FIN-4: the collection actions recorded against a customer, newest
/// first, each promise kept, open or broken.
#[utoipa::path(get, path = "/api/v1/customers/{id}/collection-actions", tag = "finance",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CollectionAction>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn collection_actions(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
) -> ApiResult<Json<Vec<CollectionAction>>> {
    Ok(Json(app.collection_actions(&ctx, id).await?))
}

/// FIN-4: record a call, visit, letter, promise to pay (day and amount) or
/// other action with its outcome.
#[utoipa::path(post, path = "/api/v1/customers/{id}/collection-actions", tag = "finance",
    params(("id" = i64, Path)), request_body = CollectionInput,
    responses((status = 201, body = CollectionAction), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_collection_action(
    Api(app, ctx): Api,
    PathId(id): PathId<Customer>,
    JsonBody(input): JsonBody<CollectionInput>,
) -> ApiResult<(StatusCode, Json<CollectionAction>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.record_collection_action(&ctx, id, &input).await?),
    ))
}

/// The report's range.
pub(crate) fn report_range(
    q: &BTreeMap<String, String>,
) -> ApiResult<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)> {
    for k in q.keys() {
        if !matches!(k.as_str(), "from" | "to" | "lang" | "format") {
            return Err(unknown(k, "from, to"));
        }
    }
    Ok((filter(q, "from")?, filter(q, "to")?))
}

/// FIN-4: finance's collection report over a range (default this month):
/// per customer and sales rep, overdue on the first day, verified money
/// collected, promises due kept and broken, actions recorded.
#[utoipa::path(get, path = "/api/v1/collection-report", tag = "finance",
    params(("from" = Option<String>, Query, description = "default the first of `to`'s month"),
        ("to" = Option<String>, Query, description = "default today")),
    responses((status = 200, body = CollectionReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn collection_report(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<CollectionReport>> {
    let (from, to) = report_range(&q)?;
    Ok(Json(app.collection_report(&ctx, from, to).await?))
}

/// The customer id and month of a statement's path.
fn statement_path(id: &str, month: &str) -> ApiResult<(CustomerId, Period)> {
    let id = id.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| {
        ApiError::from(AppError::Invalid(ValidationErrors::single(
            "id",
            "invalid",
            "a customer id",
        )))
    })?;
    Ok((CustomerId(id), period("period", month)?))
}

/// 对账单: the customer's statement of account for a month — opening
/// balance, invoices, credit notes, receipts, closing balance, ageing on
/// the last day, and the latest confirmation.
#[utoipa::path(get, path = "/api/v1/customers/{id}/statements/{period}", tag = "finance",
    params(("id" = i64, Path), ("period" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = Statement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn statement(
    Api(app, ctx): Api,
    Path((id, month)): Path<(String, String)>,
) -> ApiResult<Json<Statement>> {
    let (customer, p) = statement_path(&id, &month)?;
    Ok(Json(app.statement(&ctx, customer, p).await?))
}

/// DOC-1: the statement of account as a PDF in Chinese (对账单), with the
/// box the customer signs and stamps.
#[utoipa::path(get, path = "/api/v1/customers/{id}/statements/{period}/pdf", tag = "finance", operation_id = "statement_pdf",
    params(("id" = i64, Path), ("period" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "对账单 (PDF)", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn statement_pdf(
    axum::extract::State(s): axum::extract::State<AppState>,
    crate::auth::ApiAuth(ctx): crate::auth::ApiAuth,
    Path((id, month)): Path<(String, String)>,
) -> ApiResult<crate::print::Pdf> {
    let (customer, p) = statement_path(&id, &month)?;
    Ok(crate::print::statement_pdf(&s, &ctx, customer, p).await?)
}

/// The customer confirmed or disputed (with a note) its statement of a
/// month that has ended; recorded with the closing balance it answered to.
#[utoipa::path(post, path = "/api/v1/customers/{id}/statements/{period}/confirmation", tag = "finance",
    params(("id" = i64, Path), ("period" = String, Path, description = "YYYY-MM")),
    request_body = ConfirmationInput,
    responses((status = 200, body = Statement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_statement(
    Api(app, ctx): Api,
    Path((id, month)): Path<(String, String)>,
    JsonBody(input): JsonBody<ConfirmationInput>,
) -> ApiResult<Json<Statement>> {
    let (customer, p) = statement_path(&id, &month)?;
    Ok(Json(
        app.confirm_statement(&ctx, customer, p, &input).await?,
    ))
}
