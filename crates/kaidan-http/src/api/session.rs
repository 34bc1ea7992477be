//! Logging in over the API (sets the session cookie, for pages and scripts)
//! and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_domain::{Permission, Role};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{ApiAuth, SESSION_COOKIE, cookie};
use crate::json::JsonBody;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(login, logout; me)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: kaidan_domain::UserId,
    pub username: String,
    pub roles: Vec<Role>,
    pub permissions: Vec<Permission>,
    pub customer_id: Option<kaidan_domain::CustomerId>,
    /// Send as `X-CSRF-Token` on cookie-authenticated writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

pub fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(
        "kaidan_session=; Path=/; Max-Age=0",
    ))
}

/// Log in with user name and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let session = s.app.login(req.username.trim(), &req.password).await?;
    let max_age = s.app.config().session_hours * 3600;
    let me = Me {
        user_id: session.actor.user_id,
        username: session.actor.username.clone(),
        roles: session.actor.roles.clone(),
        permissions: session.actor.permissions.clone(),
        customer_id: session.actor.customer_id,
        csrf_token: Some(session.csrf_token.clone()),
    };
    let mut res = (StatusCode::OK, Json(me)).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&s, &session.token, max_age),
    );
    Ok(res)
}

/// Log out: the session ends on the server.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        s.app.logout(token).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}

/// Who is calling, with roles and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn me(ApiAuth(ctx): ApiAuth) -> Json<Me> {
    Json(Me {
        user_id: ctx.actor.user_id,
        username: ctx.actor.username,
        roles: ctx.actor.roles,
        permissions: ctx.actor.permissions,
        customer_id: ctx.actor.customer_id,
        csrf_token: None,
    })
}
