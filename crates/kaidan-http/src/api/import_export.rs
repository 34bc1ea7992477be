//! Master data and tracking events in and out as CSV or Excel files, all
//! rows or none (INT-4).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use kaidan_app::AppError;
use kaidan_app::import_export::{Dataset, ImportReport};
use kaidan_io::Format;
use utoipa_axum::router::OpenApiRouter;

use crate::api::download;
use crate::auth::Api;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(import; export)
}

fn dataset(raw: &str) -> ApiResult<Dataset> {
    raw.parse()
        .map_err(|e: String| ApiError::field("dataset", "invalid", e))
}

/// Import a CSV or Excel file (the raw file as the body; `?file=name.csv`
/// or `.xlsx` says which). All rows or none (INT-4).
#[utoipa::path(post, path = "/api/v1/import/{dataset}", tag = "import and export",
    params(("dataset" = Dataset, Path), ("file" = String, Query, description = "file name ending in .csv or .xlsx")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = Problem)))]
pub async fn import(
    Api(app, ctx): Api,
    Path(raw): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let ds = dataset(&raw)?;
    let file = q
        .get("file")
        .cloned()
        .unwrap_or_else(|| format!("{raw}.csv"));
    Ok(Json(
        app.import(
            &ctx,
            ds,
            kaidan_io::read_table(&file, &body).map_err(AppError::from),
        )
        .await?,
    ))
}

/// Export a dataset in the import layout as CSV (default) or Excel.
#[utoipa::path(get, path = "/api/v1/export/{dataset}", tag = "import and export", operation_id = "export_dataset",
    params(("dataset" = Dataset, Path), ("format" = Option<String>, Query, description = "csv or xlsx")),
    responses((status = 200, content_type = "application/octet-stream")))]
pub async fn export(
    Api(app, ctx): Api,
    Path(raw): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let ds = dataset(&raw)?;
    let (format, ext, mime) = match q.get("format").map(String::as_str) {
        None | Some("csv") => (Format::Csv, "csv", "text/csv; charset=utf-8"),
        Some("xlsx") => (
            Format::Xlsx,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Some(other) => {
            return Err(ApiError::field(
                "format",
                "invalid",
                format!("'{other}': use csv or xlsx"),
            ));
        }
    };
    let table = app.export(&ctx, ds).await?;
    let bytes = kaidan_io::write_table(&table, format).map_err(AppError::from)?;
    Ok(download(bytes, mime, &format!("{}.{ext}", ds.as_str())))
}
