//! Users, API tokens and role permissions (SEC-1).

use axum::Json;

use axum::http::StatusCode;
use kaidan_app::ports::UserRecord;
use kaidan_app::users::{IssuedToken, NewUserInput};
use kaidan_domain::{Permission, Role};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{self, PathId, User};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(list_users, create_user; set_password; add_token; roles; set_role_permissions)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserRecord>), (status = 403, body = Problem)))]
pub async fn list_users(Api(app, ctx): Api) -> ApiResult<Json<Vec<UserRecord>>> {
    Ok(Json(app.list_users(&ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserInput,
    responses((status = 201, body = UserRecord), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_user(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<NewUserInput>,
) -> ApiResult<(StatusCode, Json<UserRecord>)> {
    let user = app.create_user(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub password: String,
}

#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "users", request_body = PasswordChange,
    params(("id" = i64, Path)), responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_password(
    Api(app, ctx): Api,
    PathId(id): PathId<User>,
    JsonBody(req): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    app.set_password(&ctx, id, &req.password).await?;
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
    Api(app, ctx): Api,
    PathId(id): PathId<User>,
    JsonBody(req): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let t = app.add_token(&ctx, id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RolePermissions {
    pub role: Role,
    pub permissions: Vec<Permission>,
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "users", responses((status = 200, body = Vec<RolePermissions>)))]
pub async fn roles(Api(app, ctx): Api) -> ApiResult<Json<Vec<RolePermissions>>> {
    let pairs = app.role_permissions(&ctx).await?;
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
    Api(app, ctx): Api,
    PathId(role): PathId<path::Role>,
    JsonBody(req): JsonBody<PermissionList>,
) -> ApiResult<StatusCode> {
    app.set_role_permissions(&ctx, role, &req.permissions)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
