//! Finding by what a person types (issue 21): the product field of order
//! entry, a paste from a spreadsheet, the customer beside the order form,
//! and the search box.

use axum::Json;
use axum::extract::{Path, Query};
use kaidan_app::search::{CustomerOverview, PasteResult, ProductMatch, SearchHit};
use kaidan_domain::CustomerId;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use super::query::{unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(search_products; paste_order_lines; customer_overview; search)
}

/// How many matches a search answers unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 10;

/// Active products whose SKU, name or spec hold every word of `q` (up to
/// five words), or whose bar code is `q`; exact SKU and bar code first, then
/// SKU prefixes. With `customer_id`, `price` is what that customer pays (its
/// price list, else the list price). `limit` 1..=50, default 10.
#[utoipa::path(get, path = "/api/v1/products/search", tag = "products",
    params(("q" = String, Query), ("customer_id" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<ProductMatch>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn search_products(
    Api(app, ctx): Api,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Vec<ProductMatch>>> {
    let (mut text, mut customer, mut limit) = (String::new(), None, DEFAULT_LIMIT);
    for (k, v) in &params {
        match k.as_str() {
            "q" => text.clone_from(v),
            "customer_id" if !v.is_empty() => customer = Some(CustomerId(whole(k, v)?)),
            "customer_id" => {}
            "limit" => limit = whole(k, v)?,
            other => return Err(unknown(other, "q, customer_id, limit")),
        }
    }
    Ok(Json(
        app.search_products(&ctx, &text, customer, limit).await?,
    ))
}

/// Rows copied from a spreadsheet, for order lines.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasteRequest {
    /// The customer whose prices the lines show.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// One row a line: SKU or bar code, quantity, optionally the unit price,
    /// separated by tabs (as a spreadsheet copies) or commas. At most
    /// 10,000 characters (send a longer paste in parts); a header row is
    /// skipped in the first part.
    pub text: String,
    /// The row number of the text's first line: 1, or where a later part of
    /// a longer paste starts (1..=1000).
    #[serde(default = "first_row")]
    pub first_row: usize,
}

fn first_row() -> usize {
    1
}

/// Reads pasted spreadsheet rows as order lines: each good row with its
/// product and price, and every bad row named with what is wrong (an
/// unknown or inactive code, a quantity that is not a whole number within
/// 1..=1,000,000,000, a bad price). Changes nothing.
#[utoipa::path(post, path = "/api/v1/orders/paste-lines", tag = "orders",
    request_body = PasteRequest,
    responses((status = 200, body = PasteResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn paste_order_lines(
    Api(app, ctx): Api,
    JsonBody(req): JsonBody<PasteRequest>,
) -> ApiResult<Json<PasteResult>> {
    Ok(Json(
        app.paste_order_lines(&ctx, req.customer_id, &req.text, req.first_row)
            .await?,
    ))
}

/// What order entry shows beside the form: the customer's payment method
/// and terms, credit limit and what it may still spend (for readers of the
/// account), and its open orders with the newest five.
#[utoipa::path(get, path = "/api/v1/customers/{id}/overview", tag = "customers",
    params(("id" = i64, Path)),
    responses((status = 200, body = CustomerOverview), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn customer_overview(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
) -> ApiResult<Json<CustomerOverview>> {
    Ok(Json(app.customer_overview(&ctx, CustomerId(id)).await?))
}

/// The search box: orders, customers, products, shipments, pick lists,
/// purchase orders, transfers, invoices, returns, complaints and contracts
/// whose number starts with `q` (or whose customer reference, tracking
/// number or fapiao number is `q`, or whose code or name holds it), of the
/// kinds the caller may read; `limit` per kind, 1..=20, default 5.
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = String, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<SearchHit>), (status = 422, body = Problem)))]
pub async fn search(
    Api(app, ctx): Api,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Vec<SearchHit>>> {
    let (mut text, mut limit) = (String::new(), 5);
    for (k, v) in &params {
        match k.as_str() {
            "q" => text.clone_from(v),
            "limit" => limit = whole(k, v)?,
            other => return Err(unknown(other, "q, limit")),
        }
    }
    Ok(Json(app.search_everything(&ctx, &text, limit).await?))
}
