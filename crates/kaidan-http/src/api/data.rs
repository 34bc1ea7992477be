//! Region priority lists, safety stock, the business calendar, stock,
//! import/export and health.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kaidan_app::import_export::{Dataset, ImportReport};
use kaidan_app::ports::{Record, StockBalance};
use kaidan_domain::calendar::CalendarDay;
use kaidan_domain::master::{RegionData, RegionPriorityList, SafetyStock, Season};
use kaidan_domain::{ProductId, RegionId, StoreId, WarehouseId};
use kaidan_io::Format;
use serde::{Deserialize, Serialize};

use crate::api::master::list_request;
use crate::auth::ApiAuth;
use crate::json::parse;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

/// Liveness and database check (no login needed).
#[utoipa::path(get, path = "/api/v1/health", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn health(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    s.app.health().await?;
    Ok(Json(Health {
        status: "ok",
        database: s.app.backend(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

fn season(raw: &str) -> ApiResult<Season> {
    raw.parse().map_err(|e: kaidan_domain::UnknownValue| {
        ApiError::field("season", "invalid", e.to_string())
    })
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
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<RankedRegion>>> {
    Ok(Json(ranked(
        s.app.region_priorities(&ctx, season(&raw)?).await?,
    )))
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
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Vec<RankedRegion>>> {
    let season = season(&raw)?;
    let order: RegionOrder = parse(&headers, &body)?;
    let list = RegionPriorityList {
        season,
        regions: order.regions,
    };
    Ok(Json(ranked(s.app.set_region_priorities(&ctx, list).await?)))
}

fn store_id(raw: &str) -> ApiResult<StoreId> {
    raw.parse()
        .map_err(|_| ApiError::field("id", "invalid", format!("'{raw}' is not a store id")))
}

#[utoipa::path(get, path = "/api/v1/stores/{id}/safety-stock", tag = "master data",
    params(("id" = i64, Path)), responses((status = 200, body = Vec<SafetyStock>)))]
pub async fn safety_stock(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SafetyStock>>> {
    Ok(Json(s.app.safety_stock(&ctx, store_id(&id)?).await?))
}

#[utoipa::path(put, path = "/api/v1/stores/{id}/safety-stock", tag = "master data", request_body = Vec<SafetyStock>,
    params(("id" = i64, Path)), responses((status = 200, body = Vec<SafetyStock>), (status = 422, body = Problem)))]
pub async fn set_safety_stock(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Vec<SafetyStock>>> {
    let levels: Vec<SafetyStock> = parse(&headers, &body)?;
    Ok(Json(
        s.app.set_safety_stock(&ctx, store_id(&id)?, levels).await?,
    ))
}

/// Holidays and make-up working days (ORD-6).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "master data", responses((status = 200, body = Vec<CalendarDay>)))]
pub async fn calendar(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
) -> ApiResult<Json<Vec<CalendarDay>>> {
    Ok(Json(s.app.calendar_days(&ctx).await?))
}

fn date(raw: &str) -> ApiResult<Date> {
    raw.parse().map_err(|_| {
        ApiError::field(
            "date",
            "invalid",
            format!("'{raw}' is not a date (YYYY-MM-DD)"),
        )
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    pub kind: kaidan_domain::calendar::DayKind,
    #[serde(default)]
    pub name: String,
}

#[utoipa::path(put, path = "/api/v1/calendar/{date}", tag = "master data", request_body = DayInput,
    params(("date" = String, Path, description = "YYYY-MM-DD")), responses((status = 200, body = CalendarDay), (status = 422, body = Problem)))]
pub async fn put_day(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<CalendarDay>> {
    let input: DayInput = parse(&headers, &body)?;
    let day = CalendarDay {
        date: date(&raw)?,
        kind: input.kind,
        name: input.name,
    };
    Ok(Json(s.app.put_calendar_day(&ctx, day).await?))
}

#[utoipa::path(delete, path = "/api/v1/calendar/{date}", tag = "master data",
    params(("date" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_day(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(raw): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.delete_calendar_day(&ctx, date(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockPage {
    pub items: Vec<StockBalance>,
    pub next_cursor: Option<String>,
}

/// On hand, reserved and available per product and warehouse (INV-1).
#[utoipa::path(get, path = "/api/v1/stock", tag = "stock",
    params(("q" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = StockPage)))]
pub async fn stock(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<StockPage>> {
    let page = s.app.stock_list(&ctx, &list_request(params)?).await?;
    Ok(Json(StockPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub product_id: ProductId,
    pub warehouse_id: WarehouseId,
    pub quantity: i64,
    /// The document behind it, e.g. a purchase order number.
    pub source: String,
}

#[utoipa::path(post, path = "/api/v1/stock/receipts", tag = "stock", request_body = Receipt,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn receive(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let r: Receipt = parse(&headers, &body)?;
    s.app
        .receive_stock(&ctx, r.product_id, r.warehouse_id, r.quantity, &r.source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
    Path(raw): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let ds = dataset(&raw)?;
    let file = q
        .get("file")
        .cloned()
        .unwrap_or_else(|| format!("{raw}.csv"));
    Ok(Json(s.app.import(&ctx, ds, &file, &body).await?))
}

/// Export a dataset in the import layout as CSV (default) or Excel.
#[utoipa::path(get, path = "/api/v1/export/{dataset}", tag = "import and export",
    params(("dataset" = Dataset, Path), ("format" = Option<String>, Query, description = "csv or xlsx")),
    responses((status = 200, content_type = "application/octet-stream")))]
pub async fn export(
    State(s): State<AppState>,
    ApiAuth(ctx): ApiAuth,
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
    let bytes = s.app.export(&ctx, ds, format).await?;
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.{ext}\"", ds.as_str()))
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
