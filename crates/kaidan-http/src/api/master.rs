//! The same five routes for every kind of master data: list, create, read,
//! replace, audit history.

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaidan_app::ports::Record as StoredRecord;
use kaidan_app::{ListRequest, MasterEntity};
use kaidan_domain::Actor;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
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
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let page = app.list::<T>(&ctx, &list_request(params)?).await?;
    let items: Vec<_> = page.items.iter().map(|r| view(&ctx.actor, r)).collect();
    Ok(
        axum::Json(serde_json::json!({ "items": items, "next_cursor": page.next_cursor }))
            .into_response(),
    )
}

/// A record as the caller may see it, its version as the ETag.
fn answer<T: MasterEntity>(status: StatusCode, actor: &Actor, rec: &StoredRecord<T>) -> Response {
    json_with_etag(status, rec.version, &view(actor, rec))
}

async fn read<T: MasterEntity>(
    Api(app, ctx): Api,
    PathId(id): PathId<Record>,
) -> ApiResult<Response> {
    let rec = app.get::<T>(&ctx, id).await?;
    Ok(answer(StatusCode::OK, &ctx.actor, &rec))
}

async fn create<T: MasterEntity>(
    Api(app, ctx): Api,
    uri: axum::http::Uri,
    body: KeyedJson<T>,
) -> ApiResult<Response> {
    let (data, idem) = body.split(uri.path())?;
    let out = app.create(&ctx, data, idem.as_ref()).await?;
    Ok(created(out, |rec| {
        let location = format!("{}/{}", uri.path(), rec.id);
        (answer(StatusCode::CREATED, &ctx.actor, &rec), location)
    }))
}

async fn replace<T: MasterEntity>(
    Api(app, ctx): Api,
    PathId(id): PathId<Record>,
    IfMatch(version): IfMatch,
    JsonBody(data): JsonBody<T>,
) -> ApiResult<Response> {
    let rec = app.update(&ctx, id, Some(version), data).await?;
    Ok(answer(StatusCode::OK, &ctx.actor, &rec))
}

async fn audit<T: MasterEntity>(
    Api(app, ctx): Api,
    PathId(id): PathId<Record>,
) -> ApiResult<Response> {
    // Reading the history needs the right to read the record itself too.
    app.get::<T>(&ctx, id).await?;
    let entries = app.audit_of(&ctx, T::KIND.as_str(), id).await?;
    Ok(axum::Json(entries).into_response())
}
