//! Sales contracts (销售合同, CON-1, CON-2): draft, revise (every version
//! kept), review by legal, finance and the general manager in turn, sign
//! with the scanned copy, put in force, complete; the archive's search;
//! the printed contract; supplementary agreements through the same review;
//! the loans of the paper original.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jiff::civil::Date;
use kaidan_app::contracts::ContractView;
use kaidan_app::finance::VoucherUpload;
use kaidan_app::ports::{ContractFilter, ContractRow, LoanRow, SupplementRow};
use kaidan_domain::contracts::{ContractTerms, LoanInput, ReviewStep, SupplementContent};
use kaidan_domain::{CustomerId, Money};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, named, next_cursor, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Contract, PathId, Supplement};
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
        advance_contract;
        contract_pdf;
        draft_supplement;
        get_supplement, revise_supplement;
        submit_supplement;
        review_supplement;
        supplement_copy, sign_supplement;
        borrow_original;
        return_original
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
    let (signed_on, copy) = signing(&q, &headers, &body)?;
    Ok(Json(app.sign_contract(&ctx, id, signed_on, &copy).await?))
}

/// The signing day and the scanned copy of a signing request.
fn signing(
    q: &BTreeMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<(Date, VoucherUpload)> {
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
    Ok((signed_on, copy))
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

/// CON-1, DOC-1: the contract printed as a PDF in Chinese (销售合同):
/// the parties, products, amount in capitals and every clause.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/pdf", tag = "contracts", operation_id = "contract_pdf", params(("id" = i64, Path)),
    responses((status = 200, description = "销售合同 (PDF)", content_type = "application/pdf"),
        (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn contract_pdf(
    axum::extract::State(s): axum::extract::State<AppState>,
    crate::auth::ApiAuth(ctx): crate::auth::ApiAuth,
    PathId(id): PathId<Contract>,
) -> ApiResult<crate::print::Pdf> {
    Ok(crate::print::contract_pdf(&s, &ctx, id).await?)
}

/// CON-2: a supplementary agreement (补充协议) to a signed contract: a
/// change (with the whole new terms), a termination or a breach.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/supplements", tag = "contracts", params(("id" = i64, Path)),
    request_body = SupplementContent,
    responses((status = 201, body = SupplementRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
    JsonBody(content): JsonBody<SupplementContent>,
) -> ApiResult<(StatusCode, Json<SupplementRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.draft_supplement(&ctx, id, &content).await?),
    ))
}

/// CON-2: a supplementary agreement with its reviews.
#[utoipa::path(get, path = "/api/v1/supplements/{id}", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = SupplementRow), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
) -> ApiResult<Json<SupplementRow>> {
    Ok(Json(app.supplement(&ctx, id).await?))
}

/// CON-2: a draft agreement rewritten.
#[utoipa::path(put, path = "/api/v1/supplements/{id}", tag = "contracts", params(("id" = i64, Path)),
    request_body = SupplementContent,
    responses((status = 200, body = SupplementRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn revise_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
    JsonBody(content): JsonBody<SupplementContent>,
) -> ApiResult<Json<SupplementRow>> {
    Ok(Json(app.revise_supplement(&ctx, id, &content).await?))
}

/// CON-2: the draft agreement goes to review (legal first).
#[utoipa::path(post, path = "/api/v1/supplements/{id}/submit", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = SupplementRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
) -> ApiResult<Json<SupplementRow>> {
    Ok(Json(app.submit_supplement(&ctx, id).await?))
}

/// CON-2: the contract's review steps, in turn, never by the drafter.
#[utoipa::path(post, path = "/api/v1/supplements/{id}/reviews", tag = "contracts", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = SupplementRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn review_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
    JsonBody(r): JsonBody<ReviewInput>,
) -> ApiResult<Json<SupplementRow>> {
    Ok(Json(
        app.review_supplement(&ctx, id, r.step, r.approve, &r.comment)
            .await?,
    ))
}

/// CON-2: the approved agreement signed on `signed_on` (scanned copy as
/// the raw body, its name in `file`): a change becomes the contract's
/// terms, a termination ends it, a breach is recorded.
#[utoipa::path(put, path = "/api/v1/supplements/{id}/signed-copy", tag = "contracts",
    params(("id" = i64, Path), ("signed_on" = String, Query, format = Date), ("file" = String, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = SupplementRow), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn sign_supplement(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<SupplementRow>> {
    let (signed_on, copy) = signing(&q, &headers, &body)?;
    Ok(Json(app.sign_supplement(&ctx, id, signed_on, &copy).await?))
}

/// The scanned signed copy of a supplementary agreement.
#[utoipa::path(get, path = "/api/v1/supplements/{id}/signed-copy", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn supplement_copy(
    Api(app, ctx): Api,
    PathId(id): PathId<Supplement>,
) -> ApiResult<Response> {
    Ok(super::finance::file_response(
        app.supplement_copy(&ctx, id).await?,
    ))
}

/// CON-2 (seed 001 借阅签字): the caller signs for the paper original,
/// saying why and until when; refused while it is out.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/loans", tag = "contracts", params(("id" = i64, Path)),
    request_body = LoanInput,
    responses((status = 201, body = LoanRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn borrow_original(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
    JsonBody(input): JsonBody<LoanInput>,
) -> ApiResult<(StatusCode, Json<LoanRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.borrow_original(&ctx, id, &input).await?),
    ))
}

/// CON-2: the keeper records the original back.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/loans/return", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = LoanRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn return_original(
    Api(app, ctx): Api,
    PathId(id): PathId<Contract>,
) -> ApiResult<Json<LoanRow>> {
    Ok(Json(app.return_original(&ctx, id).await?))
}
