//! Who is calling: a bearer API token or a session cookie (SEC-1).
//! Cookie-authenticated API writes must carry the session's CSRF token in
//! `X-CSRF-Token`; page forms carry it as `_csrf` (checked by the page).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use kaidan_app::{App, AppError, Ctx};

use crate::problem::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "kaidan_session";
pub const LANG_COOKIE: &str = "kaidan_lang";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn request_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(&crate::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct ApiAuth(pub Ctx);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let rid = request_id(parts);
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| ApiError::from(AppError::Unauthenticated))?;
            let actor = state.app.token_actor(token.trim()).await?;
            crate::observe::record_user(&actor.username);
            return Ok(ApiAuth(Ctx {
                actor,
                request_id: rid,
            }));
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(AppError::Unauthenticated.into());
        };
        let (actor, csrf) = state.app.session_actor(session).await?;
        crate::observe::record_user(&actor.username);
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(csrf.as_str()) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "Missing CSRF token",
                    "a cookie-authenticated change needs the session's X-CSRF-Token header",
                ));
            }
        }
        Ok(ApiAuth(Ctx {
            actor,
            request_id: rid,
        }))
    }
}

/// The use cases and an authenticated API caller (as [`ApiAuth`]): what a
/// handler of a use case takes.
pub struct Api(pub App, pub Ctx);

impl FromRequestParts<AppState> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiAuth(ctx) = ApiAuth::from_request_parts(parts, state).await?;
        Ok(Api(state.app.clone(), ctx))
    }
}
