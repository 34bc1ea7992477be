//! Sales contracts (销售合同, CON-1, CON-2): draft, revise (every version
//! kept), review by legal, finance and the general manager in turn, sign
//! with the scanned copy, put in force, complete; the archive's search.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jiff::civil::Date;
use kaidan_app::contracts::ContractView;
use kaidan_app::finance::VoucherUpload;
use kaidan_app::ports::{ContractFilter, ContractRow};
use kaidan_domain::contracts::{ContractTerms, ReviewStep};
use kaidan_domain::{CustomerId, Money};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, named, next_cursor, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Contract, PathId};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list_contracts, draft_contract;
        get_contract;
        revise_contract;
        submit_contract;
        review_contract;
        signed_copy, sign_contract;
        advance_contract
    )
}

/// A page of contracts, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContractPage {
    pub items: Vec<ContractRow>,
    pub next_cursor: Option<String>,
}

fn day(k: &str, v: &str) -> ApiResult<Date> {
    v.parse()
        .map_err(|_| ApiError::field(k, "invalid", format!("'{v}' is not a day (YYYY-MM-DD)")))
}

fn money(k: &str, v: &str) -> ApiResult<Money> {
    v.parse()
        .map_err(|_| ApiError::field(k, "invalid", format!("'{v}' is not an amount")))
}

/// CON-2: the archive: `customer_id`, `status`, `q` (number, title,
/// terms), `signed_from`, `signed_to`, `min_amount`, `max_amount`,
/// `cursor`, `limit`.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "contracts",
    params(("customer_id" = Option<i64>, Query), ("status" = Option<String>, Query), ("q" = Option<String>, Query),
        ("signed_from" = Option<String>, Query, format = Date), ("signed_to" = Option<String>, Query, format = Date),
        ("min_amount" = Option<String>, Query), ("max_amount" = Option<String>, Query),
        ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = ContractPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_contracts(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<ContractPage>> {
    let mut f = ContractFilter {
        limit: 50,
        ..ContractFilter::default()
    };
    for (k, v) in &q {
        match k.as_str() {
            _ if v.is_empty() => {}
            "customer_id" => f.customer = Some(CustomerId(whole(k, v)?)),
            "status" => f.status = Some(named(k, v)?),
            "q" => f.text = Some(v.clone()),
            "signed_from" => f.signed_from = Some(day(k, v)?),
            "signed_to" => f.signed_to = Some(day(k, v)?),
            "min_amount" => f.min_amount = Some(money(k, v)?),
            "max_amount" => f.max_amount = Some(money(k, v)?),
            "cursor" => f.before = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "lang" => {}
            other => {
                return Err(unknown(
                    other,
                    "customer_id, status, q, signed_from, signed_to, min_amount, max_amount, cursor, limit",
                ));
            }
        }
    }
    let limit = f.limit as usize;
    let items = app.contracts(&ctx, f).await?;
    let next_cursor = next_cursor(&items, limit, |c| c.id);
    Ok(Json(ContractPage { items, next_cursor }))
}

/// CON-1: sales drafts a contract with the terms of seed 001.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "contracts", request_body = ContractTerms,
    responses((status = 201, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_contract(
    Api(app, ctx): Api,
    JsonBody(terms): JsonBody<ContractTerms>,
) -> ApiResult<(StatusCode, Json<ContractView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.draft_contract(&ctx, &terms).await?),
    ))
}

/// CON-1: a contract with its versions (each with what changed) and
/// reviews.
#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(app.contract(&ctx, id).await?))
}

/// CON-1: new terms for a draft: a new version.
#[utoipa::path(put, path = "/api/v1/contracts/{id}/terms", tag = "contracts", params(("id" = i64, Path)),
    request_body = ContractTerms,
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn revise_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
    JsonBody(terms): JsonBody<ContractTerms>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(app.revise_contract(&ctx, id, &terms).await?))
}

/// CON-1: the draft goes to review (legal first).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/submit", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(app.submit_contract(&ctx, id).await?))
}

/// A review decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub step: ReviewStep,
    pub approve: bool,
    /// Required to send it back.
    #[serde(default)]
    pub comment: String,
}

/// CON-1: legal, then finance, then the general manager approve or send
/// back with comments; a step out of turn or by the drafter is refused.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/reviews", tag = "contracts", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn review_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
    JsonBody(r): JsonBody<ReviewInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        app.review_contract(&ctx, id, r.step, r.approve, &r.comment)
            .await?,
    ))
}

/// CON-1: the approved contract was signed on `signed_on`: the scanned
/// signed copy as the raw body (PNG, JPEG or PDF), its name in `file`.
#[utoipa::path(put, path = "/api/v1/contracts/{id}/signed-copy", tag = "contracts",
    params(("id" = i64, Path), ("signed_on" = String, Query, format = Date), ("file" = String, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn sign_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ContractView>> {
    let signed_on = day(
        "signed_on",
        q.get("signed_on").map(String::as_str).unwrap_or_default(),
    )?;
    let copy = VoucherUpload {
        file_name: q.get("file").cloned().unwrap_or_default(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        bytes: body.to_vec(),
    };
    Ok(Json(app.sign_contract(&ctx, id, signed_on, &copy).await?))
}

/// The scanned signed copy.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/signed-copy", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn signed_copy(Api(app, ctx): Api, PathId(id): PathId<Contract>) -> ApiResult<Response> {
    Ok(super::finance::file_response(
        app.contract_copy(&ctx, id).await?,
    ))
}

/// CON-2: a signed contract in force; an in-force one completed.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/advance", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn advance_contract(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(app.advance_contract(&ctx, id).await?))
}
