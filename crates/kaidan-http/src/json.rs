//! Reading JSON bodies with errors that name the field (`lines[2].qty`)
//! rather than a byte offset, and writing records with their ETag.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_app::ports::Record;
use kaidan_app::{Created, Idempotency, MasterEntity};
use kaidan_domain::Actor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::problem::{ApiError, ApiResult};

/// A JSON request body; anything else is refused as a problem (415 for
/// another content type, 422 naming the bad field, 400 for broken JSON).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (headers, body) = headers_and_body(req, state).await?;
        parse(&headers, &body)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

/// Like [`JsonBody`], but an empty body means the default: for actions
/// whose options may all be left out.
pub struct JsonOrDefault<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for JsonOrDefault<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (headers, body) = headers_and_body(req, state).await?;
        if body.is_empty() {
            return Ok(JsonOrDefault(T::default()));
        }
        parse(&headers, &body)
            .map(JsonOrDefault)
            .map_err(IntoResponse::into_response)
    }
}

/// A create's JSON body with what an `Idempotency-Key` retry is recognised
/// by. The key is checked only in [`KeyedJson::split`], after the body, so
/// a bad body is reported first.
pub struct KeyedJson<T> {
    input: T,
    key: Option<HeaderValue>,
    method: Method,
    body: Bytes,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for KeyedJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let method = req.method().clone();
        let (headers, body) = headers_and_body(req, state).await?;
        let input = parse(&headers, &body).map_err(IntoResponse::into_response)?;
        Ok(KeyedJson {
            input,
            key: headers.get("idempotency-key").cloned(),
            method,
            body,
        })
    }
}

impl<T> KeyedJson<T> {
    /// The input and the idempotency key fingerprinted with `path` (the
    /// handler says whether the query counts).
    pub fn split(self, path: &str) -> ApiResult<(T, Option<Idempotency>)> {
        let Some(v) = self.key else {
            return Ok((self.input, None));
        };
        let key = v
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 200)
            .ok_or_else(|| {
                ApiError::bad_request("Idempotency-Key must be 1 to 200 visible characters")
            })?;
        let idem = Idempotency {
            key: key.to_string(),
            fingerprint: fingerprint(&self.method, path, &self.body),
        };
        Ok((self.input, Some(idem)))
    }
}

/// The request's fingerprint: the same key with another request is refused.
fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(path);
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

async fn headers_and_body<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<(HeaderMap, Bytes), Response> {
    let headers = req.headers().clone();
    let body = Bytes::from_request(req, state).await.map_err(|e| {
        let status = e.status();
        let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the body is larger than this server accepts".to_string()
        } else {
            e.body_text()
        };
        ApiError::new(status, "bad-body", "Unreadable body", detail).into_response()
    })?;
    Ok((headers, body))
}

/// The answer to a create: `new` gives the 201 response and its Location;
/// a retry with a known `Idempotency-Key` gets the first answer again.
pub fn created<T>(c: Created<T>, new: impl FnOnce(T) -> (Response, String)) -> Response {
    match c {
        Created::New(v) => {
            let (mut res, location) = new(v);
            if let Ok(loc) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, loc);
            }
            res
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
            res
        }
    }
}

fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
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
    let bad = crate::text_rule::bad_json_texts(body);
    if !bad.is_empty() {
        return Err(
            kaidan_app::AppError::Invalid(kaidan_domain::ValidationErrors { errors: bad }).into(),
        );
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
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
    })?;
    // Two documents in one body would apply the first and ignore the rest.
    de.end().map_err(|_| {
        ApiError::bad_request("the body has data after its JSON document; send exactly one")
    })?;
    Ok(value)
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

/// The version an `If-Match` header names (`"3"` or `W/"3"`); required, so
/// that a concurrent change is not overwritten.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
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
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::bad_request("If-Match must be an ETag returned by this API, like \"3\"")
            })
    }
}

pub fn json_with_etag<S: Serialize>(status: StatusCode, version: i64, body: &S) -> Response {
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::ETAG, etag(version));
    res
}
