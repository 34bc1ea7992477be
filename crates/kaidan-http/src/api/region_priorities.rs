//! The order in which regions are served in each season (ALC-6).

use axum::Json;

use kaidan_app::ports::Record;
use kaidan_domain::RegionId;
use kaidan_domain::master::{RegionData, RegionPriorityList, Season};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{self, PathId};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(region_priorities, set_region_priorities)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RankedRegion {
    pub rank: usize,
    pub id: RegionId,
    pub code: String,
    pub name: String,
    pub name_zh: String,
}

fn ranked(list: Vec<Record<RegionData>>) -> Vec<RankedRegion> {
    list.into_iter()
        .enumerate()
        .map(|(i, r)| RankedRegion {
            rank: i + 1,
            id: RegionId(r.id),
            code: r.data.code,
            name: r.data.name,
            name_zh: r.data.name_zh,
        })
        .collect()
}

/// The region order of a season (ALC-6).
#[utoipa::path(get, path = "/api/v1/region-priorities/{season}", tag = "master data",
    params(("season" = Season, Path)), responses((status = 200, body = Vec<RankedRegion>)))]
pub async fn region_priorities(
    Api(app, ctx): Api,
    PathId(season): PathId<path::Season>,
) -> ApiResult<Json<Vec<RankedRegion>>> {
    Ok(Json(ranked(app.region_priorities(&ctx, season).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionOrder {
    /// Region ids, first = served first.
    pub regions: Vec<RegionId>,
}

#[utoipa::path(put, path = "/api/v1/region-priorities/{season}", tag = "master data", request_body = RegionOrder,
    params(("season" = Season, Path)), responses((status = 200, body = Vec<RankedRegion>), (status = 422, body = Problem)))]
pub async fn set_region_priorities(
    Api(app, ctx): Api,
    PathId(season): PathId<path::Season>,
    JsonBody(order): JsonBody<RegionOrder>,
) -> ApiResult<Json<Vec<RankedRegion>>> {
    let list = RegionPriorityList {
        season,
        regions: order.regions,
    };
    Ok(Json(ranked(app.set_region_priorities(&ctx, list).await?)))
}
