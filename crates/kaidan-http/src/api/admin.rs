//! Users, API tokens and role permissions (SEC-1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kaidan_app::ports::UserRecord;
use kaidan_app::users::{IssuedToken, NewUserInput};
use kaidan_domain::{Permission, Role, UserId};
use serde::{Deserialize, Serialize};

use crate::auth::ApiAuth;
use crate::json::parse;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserRecord>), (status = 403, body = Problem)))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
) -> ApiResult<Json<Vec<UserRecord>>> {
    Ok(Json(s.app.list_users(&ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserInput,
    responses((status = 201, body = UserRecord), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input: NewUserInput = parse(&headers, &body)?;
    let user = s.app.create_user(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub password: String,
}

fn user_id(raw: &str) -> ApiResult<UserId> {
    raw.parse()
        .map_err(|_| ApiError::field("id", "invalid", format!("'{raw}' is not a user id")))
}

#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "users", request_body = PasswordChange,
    params(("id" = i64, Path)), responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_password(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let req: PasswordChange = parse(&headers, &body)?;
    s.app
        .set_password(&ctx, user_id(&id)?, &req.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

/// Issue an API token; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "users", request_body = NewToken,
    params(("id" = i64, Path)), responses((status = 201, body = IssuedToken)))]
pub async fn add_token(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: NewToken = parse(&headers, &body)?;
    let t = s.app.add_token(&ctx, user_id(&id)?, &req.name).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RolePermissions {
    pub role: Role,
    pub permissions: Vec<Permission>,
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "users", responses((status = 200, body = Vec<RolePermissions>)))]
pub async fn roles(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
) -> ApiResult<Json<Vec<RolePermissions>>> {
    let pairs = s.app.role_permissions(&ctx).await?;
    Ok(Json(
        Role::ALL
            .iter()
            .map(|r| RolePermissions {
                role: *r,
                permissions: pairs
                    .iter()
                    .filter(|(pr, _)| pr == r)
                    .map(|(_, p)| *p)
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionList {
    pub permissions: Vec<Permission>,
}

#[utoipa::path(put, path = "/api/v1/roles/{role}/permissions", tag = "users", request_body = PermissionList,
    params(("role" = Role, Path)), responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_role_permissions(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(role): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let role: Role = role.parse().map_err(|e: kaidan_domain::UnknownValue| {
        ApiError::field("role", "invalid", e.to_string())
    })?;
    let req: PermissionList = parse(&headers, &body)?;
    s.app
        .set_role_permissions(&ctx, role, &req.permissions)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
