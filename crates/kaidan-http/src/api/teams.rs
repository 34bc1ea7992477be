//! Sales teams (issue 20): formed by an administrator with their manager,
//! users put in them; a sales manager's figures reach his teams.

use axum::Json;
use axum::http::StatusCode;
use kaidan_app::ports::TeamRow;
use kaidan_domain::teams::TeamInput;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{PathId, User};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(teams, create_team; set_team)
}

/// The sales teams with their managers and members.
#[utoipa::path(get, path = "/api/v1/teams", tag = "users",
    responses((status = 200, body = Vec<TeamRow>), (status = 403, body = Problem)))]
pub async fn teams(Api(app, ctx): Api) -> ApiResult<Json<Vec<TeamRow>>> {
    Ok(Json(app.teams(&ctx).await?))
}

/// Forms a team (a unique code, a name, its sales manager).
#[utoipa::path(post, path = "/api/v1/teams", tag = "users", request_body = TeamInput,
    responses((status = 201, body = TeamRow), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_team(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<TeamInput>,
) -> ApiResult<(StatusCode, Json<TeamRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_team(&ctx, input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMembership {
    /// The team, or null for none.
    pub team_id: Option<i64>,
}

/// Puts a user in a team (or, with null, in none).
#[utoipa::path(put, path = "/api/v1/users/{id}/team", tag = "users", request_body = TeamMembership,
    params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_team(
    Api(app, ctx): Api,
    PathId(id): PathId<User>,
    JsonBody(m): JsonBody<TeamMembership>,
) -> ApiResult<StatusCode> {
    app.set_user_team(&ctx, id, m.team_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
