//! The same five routes for every kind of master data: list, create, read,
//! replace, audit history.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaidan_app::{ListRequest, MasterEntity};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::ApiAuth;
use crate::json::{IfMatch, JsonBody, KeyedJson, created, json_with_etag, view};
use crate::path::{PathId, Record};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Mounts the five routes of `T` at `path`. Plain axum routes: `routes!`
/// needs one `#[utoipa::path]` per handler with a literal path, and these
/// handlers are generic over six record types; their operations are
/// described once per type by `openapi::add_master`, from the same
/// `openapi::MASTER` list that calls this.
pub fn mount<T: MasterEntity>(r: OpenApiRouter<AppState>, path: &str) -> OpenApiRouter<AppState> {
    r.route(path, get(list::<T>).post(create::<T>))
        .route(&format!("{path}/{{id}}"), get(read::<T>).put(replace::<T>))
        .route(&format!("{path}/{{id}}/audit"), get(audit::<T>))
}

/// `?q=&cursor=&limit=` and any other key as an exact filter.
pub fn list_request(params: BTreeMap<String, String>) -> Result<ListRequest, ApiError> {
    let mut req = ListRequest::default();
    for (k, v) in params {
        match k.as_str() {
            "q" => req.search = Some(v),
            "cursor" => req.cursor = Some(v),
            "limit" => {
                req.limit =
                    Some(v.parse().map_err(|_| {
                        ApiError::field("limit", "invalid", "must be a whole number")
                    })?)
            }
            "lang" => {}
            _ => req.filters.push((k, v)),
        }
    }
    Ok(req)
}

async fn list<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let page = s.app.list::<T>(&ctx, &list_request(params)?).await?;
    let items: Vec<_> = page.items.iter().map(|r| view(&ctx.actor, r)).collect();
    Ok(
        axum::Json(serde_json::json!({ "items": items, "next_cursor": page.next_cursor }))
            .into_response(),
    )
}

async fn read<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<Record>,
) -> ApiResult<Response> {
    let rec = s.app.get::<T>(&ctx, id).await?;
    Ok(json_with_etag(
        StatusCode::OK,
        rec.version,
        &view(&ctx.actor, &rec),
    ))
}

async fn create<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    uri: axum::http::Uri,
    body: KeyedJson<T>,
) -> ApiResult<Response> {
    let (data, idem) = body.split(uri.path())?;
    let out = s.app.create(&ctx, data, idem.as_ref()).await?;
    Ok(created(out, |rec| {
        let res = json_with_etag(StatusCode::CREATED, rec.version, &view(&ctx.actor, &rec));
        (res, format!("{}/{}", uri.path(), rec.id))
    }))
}

async fn replace<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<Record>,
    IfMatch(version): IfMatch,
    JsonBody(data): JsonBody<T>,
) -> ApiResult<Response> {
    let rec = s.app.update(&ctx, id, Some(version), data).await?;
    Ok(json_with_etag(
        StatusCode::OK,
        rec.version,
        &view(&ctx.actor, &rec),
    ))
}

async fn audit<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    PathId(id): PathId<Record>,
) -> ApiResult<Response> {
    // Reading the history needs the right to read the record itself too.
    s.app.get::<T>(&ctx, id).await?;
    let entries = s.app.audit_of(&ctx, T::KIND.as_str(), id).await?;
    Ok(axum::Json(entries).into_response())
}
