//! Errors as RFC 9457 problem details, in one place. The rule: use cases
//! return `AppError`; handlers return `ApiError`; this file alone decides the
//! status code and the wording a client sees. Unexpected failures are logged
//! with their cause and shown without internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_app::AppError;
use kaidan_app::ports::StoreError;
use kaidan_domain::FieldError;
use serde::Serialize;

/// A problem to answer with. Boxed: it is large and travels in `Result`s.
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
pub struct Details {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub rows: Vec<kaidan_app::import_export::RowError>,
    pub retry_after: Option<u64>,
}

/// The body of a problem response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `/problems/invalid-input`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every bad field of the request (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Every bad row of an import file (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<kaidan_app::import_export::RowError>,
}

impl std::ops::Deref for ApiError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(Details {
            status,
            kind,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            rows: Vec::new(),
            retry_after: None,
        }))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn field(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        let field = field.into();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("{field}: {message}"),
        );
        e.errors.push(FieldError {
            field,
            code,
            message,
        });
        e
    }

    /// An unexpected failure: logged with its cause, which the caller is
    /// not shown.
    pub(crate) fn internal(cause: impl std::fmt::Display, what: &'static str) -> Self {
        tracing::error!(error = %cause, "{what}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "an unexpected error occurred; it has been logged",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("/problems/{}", self.kind),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            rows: self.rows.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let detail = e.to_string();
        match e {
            AppError::Invalid(v) => {
                let mut a = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-input",
                    "Invalid input",
                    detail,
                );
                a.errors = v.errors;
                a
            }
            AppError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
            }
            AppError::Forbidden(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
            }
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Not logged in",
                detail,
            ),
            AppError::Throttled { retry_after_secs } => {
                let mut a = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    "Too many attempts",
                    detail,
                );
                a.retry_after = Some(retry_after_secs);
                a
            }
            AppError::VersionConflict { .. } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "version-conflict",
                "Changed by someone else",
                detail,
            ),
            AppError::Duplicate { field, value } => {
                let mut a =
                    ApiError::new(StatusCode::CONFLICT, "duplicate", "Already exists", detail);
                a.errors.push(FieldError {
                    field,
                    code: "duplicate",
                    message: format!("'{value}' is already used"),
                });
                a
            }
            AppError::PossibleDuplicate(_) => ApiError::new(
                StatusCode::CONFLICT,
                "possible-duplicate",
                "Possible duplicate order",
                format!("{detail}; send again with ?confirm_duplicate=true if it is a new order"),
            ),
            AppError::IdempotencyMismatch(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                detail,
            ),
            AppError::ImportRejected(rows) => {
                let mut a = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "import-rejected",
                    "Import rejected; nothing was written",
                    format!("{} problem(s) in the file", rows.len()),
                );
                a.rows = rows;
                a
            }
            AppError::File(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-file",
                "Unreadable file",
                detail,
            ),
            AppError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %detail, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the database is not reachable; try again shortly",
                )
            }
            AppError::Store(StoreError::Conflict) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "Concurrent change",
                "another change got there first; try again",
            ),
            AppError::Store(StoreError::ValueRefused { .. }) => {
                tracing::warn!(error = %detail, "a value reached the database that a rule should have refused");
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-input",
                    "Invalid input",
                    "a text or number of this request cannot be stored (too long, or a control character)",
                )
            }
            AppError::NotConfigured(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-configured",
                "Not configured",
                detail,
            ),
            AppError::Internal { .. } => ApiError::internal(detail, "internal error"),
            AppError::Json(e) => ApiError::internal(e, "JSON of an event or a stored record"),
            AppError::Store(other) => ApiError::internal(other, "unexpected store error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The answer to a panic inside a handler: a problem like any other, its
/// cause logged (a library's panic is isolated where it can happen; this is
/// the last net).
pub fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::internal(what, "a request panicked").into_response()
}

/// Turns an API error that the framework wrote as text (a path that does
/// not parse, a body over the limit, a method the route lacks) into a
/// problem, so that every error of `/api` is `application/problem+json`.
pub async fn every_api_error_a_problem(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !is_api || status.as_u16() < 400 || is_problem(&res) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (kind, title) = kind_of(status);
    let detail = if text.is_empty() {
        title.to_lowercase()
    } else {
        text
    };
    let mut problem = ApiError::new(status, kind, title, detail).into_response();
    // Keep what the framework said besides the body (Allow on a 405).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

fn is_problem(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"))
}

fn kind_of(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "Body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid-input", "Invalid input"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "Request timed out"),
        s if s.is_server_error() => ("internal", "Internal error"),
        _ => ("error", "Request refused"),
    }
}
