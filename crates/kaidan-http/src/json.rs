//! Reading JSON bodies with errors that name the field (`lines[2].qty`)
//! rather than a byte offset, and writing records with their ETag.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_app::MasterEntity;
use kaidan_app::ports::Record;
use kaidan_domain::Actor;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

pub fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.ends_with("+json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Expected JSON",
            "send the body as application/json",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("the body is not valid JSON: {inner}"))
        } else {
            // serde's messages carry the position; the field is in the path.
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            ApiError::field(field, "invalid", message)
        }
    })
}

/// A record as JSON, with the fields this actor may not see set to null
/// (SEC-4).
pub fn view<T: MasterEntity>(actor: &Actor, rec: &Record<T>) -> serde_json::Value {
    let mut v = serde_json::to_value(rec).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        for f in T::hidden_fields(actor) {
            obj.insert((*f).to_string(), serde_json::Value::Null);
        }
    }
    v
}

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` header names (`"3"` or `W/"3"`).
pub fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match required",
            "send the record's ETag in If-Match so a concurrent change is not overwritten",
        ));
    };
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            ApiError::bad_request("If-Match must be an ETag returned by this API, like \"3\"")
        })
}

pub fn json_with_etag<S: Serialize>(status: StatusCode, version: i64, body: &S) -> Response {
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::ETAG, etag(version));
    res
}
