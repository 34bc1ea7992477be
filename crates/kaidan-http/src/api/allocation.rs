//! The allocation run (分货, issue 5, ALC-1..10): preview or commit a run on
//! what is in the database, the stored runs with every quantity and its
//! reason, their export to Excel or CSV, and the list of franchisees to ask
//! for payment for the goods locked for them (ALC-5).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use kaidan_app::allocation::queries::ResultLine;
use kaidan_app::allocation::run::{AllocationOutcome, ChaseItem};
use kaidan_app::ports::{AllocationRunRow, LockRow};
use kaidan_domain::allocation::RunResult;
use kaidan_io::Format;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::api::download;
use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(start, runs; run; export; input; chase)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// false (the default): a preview that writes nothing; true: the run is
    /// recorded and its allocations, locks and pick lists are written.
    #[serde(default)]
    pub commit: bool,
}

/// A previewed or committed run with its rows in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    /// The stored run; absent for a preview.
    pub run: Option<AllocationRunRow>,
    pub committed: bool,
    /// Locks whose franchisee has paid: allocations from this run on.
    pub converted_locks: Vec<LockRow>,
    /// Pick lists made for the allocated orders (ALC-9).
    pub pick_lists: Vec<String>,
    /// Transfers (调拨单) made for the store and region allocations (ALC-9).
    pub transfers: Vec<String>,
    /// The engine's result: summaries per franchisee and product, every
    /// allocation, lock and unserved quantity with its reason (ALC-10).
    #[schema(value_type = Object)]
    pub result: RunResult,
    /// Every allocated, locked or unserved quantity with names and its rule,
    /// bound and rank in words.
    pub allocation_lines: Vec<ResultLine>,
}

/// A stored run with its result and rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredRun {
    pub run: AllocationRunRow,
    #[schema(value_type = Object)]
    pub result: RunResult,
    pub allocation_lines: Vec<ResultLine>,
}

/// ALC-1..10: run the allocation on the central warehouse's free stock and
/// the franchisees' backordered lines. `{"commit": false}` previews it
/// (200, nothing written); `{"commit": true}` records the run, reserves the
/// allocations, locks goods for unfunded franchisees and makes the pick
/// lists and the transfers to stores and regions (201).
#[utoipa::path(post, path = "/api/v1/allocation-runs", tag = "allocation", request_body = NewRun,
    responses((status = 200, body = RunView, description = "preview"), (status = 201, body = RunView, description = "committed"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn start(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<NewRun>,
) -> ApiResult<(StatusCode, Json<RunView>)> {
    let AllocationOutcome {
        run,
        committed,
        converted_locks,
        pick_lists,
        transfers,
        result,
        ranking: _,
    } = app.run_allocation(&ctx, input.commit, "manual").await?;
    let allocation_lines = app.allocation_lines(&ctx, &result).await?;
    let status = if committed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(RunView {
            run,
            committed,
            converted_locks,
            pick_lists,
            transfers,
            result,
            allocation_lines,
        }),
    ))
}

/// The recorded runs, newest first, with who started them and why
/// (`trigger`: manual, receipt or cli).
#[utoipa::path(get, path = "/api/v1/allocation-runs", tag = "allocation",
    responses((status = 200, body = Vec<AllocationRunRow>), (status = 403, body = Problem)))]
pub async fn runs(Api(app, ctx): Api) -> ApiResult<Json<Vec<AllocationRunRow>>> {
    Ok(Json(app.allocation_runs(&ctx).await?))
}

/// ALC-10: a stored run, its result and every quantity with its reason.
#[utoipa::path(get, path = "/api/v1/allocation-runs/{id}", tag = "allocation", params(("id" = i64, Path)),
    responses((status = 200, body = StoredRun), (status = 404, body = Problem)))]
pub async fn run(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<StoredRun>> {
    let (run, result) = app.allocation_run(&ctx, id).await?;
    let allocation_lines = app.allocation_lines(&ctx, &result).await?;
    Ok(Json(StoredRun {
        run,
        result,
        allocation_lines,
    }))
}

/// The content type and extension of an export format (`xlsx` or `csv`,
/// Excel by default).
pub fn export_format(raw: Option<&str>) -> ApiResult<(Format, &'static str, &'static str)> {
    match raw {
        None | Some("xlsx") => Ok((
            Format::Xlsx,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        Some("csv") => Ok((Format::Csv, "csv", "text/csv; charset=utf-8")),
        Some(other) => Err(ApiError::field(
            "format",
            "invalid",
            format!("'{other}': use xlsx or csv"),
        )),
    }
}

/// A stored run as a spreadsheet: one row per allocated, locked or unserved
/// quantity with its rule, bound and rank (issue 5, ALC-10).
#[utoipa::path(get, path = "/api/v1/allocation-runs/{id}/export", tag = "allocation", operation_id = "export_allocation_run",
    params(("id" = i64, Path), ("format" = Option<String>, Query, description = "xlsx (default) or csv")),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn export(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let (format, ext, mime) = export_format(q.get("format").map(String::as_str))?;
    let table = app.allocation_run_export(&ctx, id).await?;
    let bytes = kaidan_io::write_table(&table, format).map_err(kaidan_app::AppError::from)?;
    Ok(download(bytes, mime, &format!("{}.{ext}", table.file)))
}

/// ALC-10: the input a stored run was computed from, as a scenario file:
/// `kaidan allocate --scenario FILE` on it gives the run's result again.
#[utoipa::path(get, path = "/api/v1/allocation-runs/{id}/input", tag = "allocation",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn input(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Response> {
    let (number, json) = app.allocation_run_input(&ctx, id).await?;
    Ok(download(
        json.into_bytes(),
        "application/json",
        &format!("{number}-input.json"),
    ))
}

/// ALC-5: the franchisees with goods locked for them, earliest expiry
/// first, with the amount to ask for and the locks.
#[utoipa::path(get, path = "/api/v1/allocation-locks/chase", tag = "allocation",
    responses((status = 200, body = Vec<ChaseItem>), (status = 403, body = Problem)))]
pub async fn chase(Api(app, ctx): Api) -> ApiResult<Json<Vec<ChaseItem>>> {
    Ok(Json(app.lock_chase_list(&ctx).await?))
}
