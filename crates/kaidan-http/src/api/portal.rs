//! The customer portal's API (INT-2, ORD-5, SEC-1; issue 18): what a
//! customer's own system or app reads beside the order, shipment, invoice
//! and receipt paths it shares with staff (which already keep a portal
//! user to its own customer). Every path here answers staff with 403.

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use kaidan_app::portal::{
    CatalogueItem, CatalogueQuery, NoticePage, PortalContract, PortalLock, PortalUserInput,
};
use kaidan_app::ports::UserRecord;
use kaidan_domain::ProductId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        portal_catalogue;
        portal_locks;
        portal_contracts;
        portal_notices;
        read_portal_notices;
        list_portal_users, create_portal_user
    )
}

/// A page of the catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CataloguePage {
    pub items: Vec<CatalogueItem>,
    pub next_cursor: Option<String>,
}

/// The portal user's customer's catalogue: active products with its own
/// price and, for the quantity wanted (`want=<product id>:<quantity>`, as
/// often as needed; one otherwise), `in_stock`, `partly` or `on_order`:
/// never a stock figure. `search` (SKU or name), `cursor`, `limit`.
#[utoipa::path(get, path = "/api/v1/portal/catalogue", tag = "portal",
    params(("search" = Option<String>, Query), ("cursor" = Option<String>, Query),
        ("limit" = Option<u32>, Query), ("want" = Option<String>, Query)),
    responses((status = 200, body = CataloguePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn portal_catalogue(
    Api(app, ctx): Api,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<CataloguePage>> {
    let mut q = CatalogueQuery::default();
    for (k, v) in &params {
        match k.as_str() {
            "search" => q.search = Some(v.clone()),
            "cursor" => q.cursor = Some(v.clone()),
            "limit" => q.limit = Some(whole(k, v)?),
            "want" => {
                let (p, n) = v.split_once(':').unwrap_or((v, ""));
                let p: i64 = whole("want", p)?;
                let n: i64 = whole("want", n)?;
                q.wanted.insert(ProductId(p), n);
            }
            other => return Err(unknown(other, "search, cursor, limit, want")),
        }
    }
    let page = app.portal_catalogue(&ctx, &q).await?;
    Ok(Json(CataloguePage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// The goods locked for the portal user's customer and waiting for its
/// payment (ALC-5), the last day first.
#[utoipa::path(get, path = "/api/v1/portal/locks", tag = "portal",
    responses((status = 200, body = Vec<PortalLock>), (status = 403, body = Problem)))]
pub async fn portal_locks(Api(app, ctx): Api) -> ApiResult<Json<Vec<PortalLock>>> {
    Ok(Json(app.portal_locks(&ctx).await?))
}

/// CON-2: the customer's signed contracts, with what was ordered, shipped,
/// invoiced and paid against each and what remains.
#[utoipa::path(get, path = "/api/v1/portal/contracts", tag = "portal",
    responses((status = 200, body = Vec<PortalContract>), (status = 403, body = Problem)))]
pub async fn portal_contracts(Api(app, ctx): Api) -> ApiResult<Json<Vec<PortalContract>>> {
    Ok(Json(app.portal_contracts(&ctx).await?))
}

/// The portal user's inbox, newest first: `unread=true`, `cursor` (the
/// `next_cursor` of the page before), `limit`, `lang` (`zh` default, or
/// `en`) for the headings.
#[utoipa::path(get, path = "/api/v1/portal/notices", tag = "portal",
    params(("unread" = Option<bool>, Query), ("cursor" = Option<i64>, Query),
        ("limit" = Option<u32>, Query), ("lang" = Option<String>, Query)),
    responses((status = 200, body = NoticePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn portal_notices(
    Api(app, ctx): Api,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<NoticePage>> {
    let (mut unread, mut before, mut limit, mut zh) = (false, None, None, true);
    for (k, v) in &params {
        match k.as_str() {
            "unread" => {
                unread = v
                    .parse()
                    .map_err(|_| ApiError::field("unread", "invalid", "true or false"))?
            }
            "cursor" => before = Some(cursor(v)?),
            "limit" => limit = Some(whole(k, v)?),
            "lang" => {
                zh = match v.as_str() {
                    "zh" => true,
                    "en" => false,
                    _ => return Err(ApiError::field("lang", "invalid", "zh or en")),
                }
            }
            other => return Err(unknown(other, "unread, cursor, limit, lang")),
        }
    }
    Ok(Json(app.notices(&ctx, unread, before, limit, zh).await?))
}

/// Which notices to mark read: the ids given, or all when absent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
}

/// How many notices changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Mark notices read for all of the customer's users; another customer's
/// ids change nothing.
#[utoipa::path(post, path = "/api/v1/portal/notices/read", tag = "portal", request_body = ReadInput,
    responses((status = 200, body = Marked), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn read_portal_notices(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<ReadInput>,
) -> ApiResult<Json<Marked>> {
    let marked = app.mark_notices_read(&ctx, input.ids.as_deref()).await?;
    Ok(Json(Marked { marked }))
}

/// The users of the customer (its administrator: permission `portal.admin`).
#[utoipa::path(get, path = "/api/v1/portal/users", tag = "portal",
    responses((status = 200, body = Vec<UserRecord>), (status = 403, body = Problem)))]
pub async fn list_portal_users(Api(app, ctx): Api) -> ApiResult<Json<Vec<UserRecord>>> {
    Ok(Json(app.portal_users(&ctx).await?))
}

/// Add a user to the customer (its administrator).
#[utoipa::path(post, path = "/api/v1/portal/users", tag = "portal", request_body = PortalUserInput,
    responses((status = 201, body = UserRecord), (status = 403, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_portal_user(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<PortalUserInput>,
) -> ApiResult<(StatusCode, Json<UserRecord>)> {
    let user = app.create_portal_user(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
