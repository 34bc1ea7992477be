//! The same five routes for every kind of master data: list, create, read,
//! replace, audit history.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaidan_app::{Created, Idempotency, ListRequest, MasterEntity};
use sha2::{Digest, Sha256};

use crate::auth::ApiAuth;
use crate::json::{if_match, json_with_etag, parse, view};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes<T: MasterEntity>(path: &str) -> Router<AppState> {
    Router::new()
        .route(path, get(list::<T>).post(create::<T>))
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

fn record_id(raw: &str) -> ApiResult<i64> {
    raw.parse()
        .map_err(|_| ApiError::field("id", "invalid", format!("'{raw}' is not a record id")))
}

async fn read<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rec = s.app.get::<T>(&ctx, record_id(&id)?).await?;
    Ok(json_with_etag(
        StatusCode::OK,
        rec.version,
        &view(&ctx.actor, &rec),
    ))
}

/// The request's fingerprint: the same key with another request is refused.
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(path);
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

pub fn idempotency(
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> ApiResult<Option<Idempotency>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 200 visible characters")
        })?;
    Ok(Some(Idempotency {
        key: key.to_string(),
        fingerprint: fingerprint(method, path, body),
    }))
}

async fn create<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let data: T = parse(&headers, &body)?;
    let idem = idempotency(&headers, &method, uri.path(), &body)?;
    match s.app.create(&ctx, data, idem.as_ref()).await? {
        Created::New(rec) => {
            let mut res = json_with_etag(StatusCode::CREATED, rec.version, &view(&ctx.actor, &rec));
            if let Ok(loc) = HeaderValue::from_str(&format!("{}/{}", uri.path(), rec.id)) {
                res.headers_mut().insert(header::LOCATION, loc);
            }
            Ok(res)
        }
        Created::Replayed { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut res = (status, body).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(res)
        }
    }
}

async fn replace<T: MasterEntity>(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let id = record_id(&id)?;
    let version = if_match(&headers)?;
    let data: T = parse(&headers, &body)?;
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
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = record_id(&id)?;
    // Reading the history needs the right to read the record itself too.
    s.app.get::<T>(&ctx, id).await?;
    let entries = s.app.audit_of(&ctx, T::KIND.as_str(), id).await?;
    Ok(axum::Json(entries).into_response())
}
