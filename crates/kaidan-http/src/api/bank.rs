//! Bank statement import (FIN-3, ADR 0023): the bank's CSV or Excel export
//! in, money-in lines matched to customers and invoices; the lines left
//! unmatched, assigned to a customer or ignored by finance.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use kaidan_app::AppError;
use kaidan_app::finance::{BankImportReport, BankLineView};
use kaidan_app::ports::BankLineFilter;
use kaidan_domain::finance::{AssignInput, BankLineStatus, ReasonInput};
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{cursor, named, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(import_bank_statement; bank_lines; assign_bank_line; ignore_bank_line)
}

/// Import a bank statement (the raw CSV or Excel file as the body;
/// `?file=name.csv` or `.xlsx` says which). Every row is checked first: a
/// broken row refuses the file, naming its row and column, and nothing is
/// written. Rows already imported count as duplicates; money out is
/// skipped; a line whose customer is found (invoice number, customer code,
/// payer name, tax number) becomes a verified receipt paying that
/// customer's invoices.
#[utoipa::path(post, path = "/api/v1/bank-statements", tag = "finance",
    params(("file" = String, Query, description = "file name ending in .csv or .xlsx")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = BankImportReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_bank_statement(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<BankImportReport>> {
    let file = q
        .get("file")
        .cloned()
        .unwrap_or_else(|| "statement.csv".into());
    let table = kaidan_io::read_table(&file, &body).map_err(AppError::from);
    Ok(Json(app.import_bank_statement(&ctx, table).await?))
}

/// Statement lines, newest first; `status=unmatched` for those waiting for
/// finance.
#[utoipa::path(get, path = "/api/v1/bank-lines", tag = "finance",
    params(("status" = Option<String>, Query, description = "matched, unmatched, assigned or ignored"),
        ("cursor" = Option<i64>, Query, description = "the last id of the previous page"),
        ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<BankLineView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn bank_lines(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<BankLineView>>> {
    Ok(Json(app.bank_lines(&ctx, bank_line_filter(&q)?).await?))
}

/// The statement line list's query parameters.
pub(crate) fn bank_line_filter(q: &BTreeMap<String, String>) -> ApiResult<BankLineFilter> {
    let mut f = BankLineFilter {
        limit: 100,
        ..BankLineFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "status" if !v.is_empty() && v != "all" => {
                f.status = Some(named::<BankLineStatus>(k, v)?)
            }
            "cursor" if !v.is_empty() => f.before_id = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "status" | "cursor" | "lang" => {}
            other => return Err(unknown(other, "status, cursor, limit")),
        }
    }
    Ok(f)
}

/// Assign an unmatched line to a customer: it becomes a verified receipt
/// of that customer, paying the invoice its memo names first, then the
/// oldest due.
#[utoipa::path(post, path = "/api/v1/bank-lines/{id}/assign", tag = "finance", params(("id" = i64, Path)),
    request_body = AssignInput,
    responses((status = 200, body = BankLineView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign_bank_line(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AssignInput>,
) -> ApiResult<Json<BankLineView>> {
    Ok(Json(
        app.assign_bank_line(&ctx, id, input.customer_id).await?,
    ))
}

/// Mark an unmatched line as no customer's payment, with the reason.
#[utoipa::path(post, path = "/api/v1/bank-lines/{id}/ignore", tag = "finance", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = BankLineView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ignore_bank_line(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ReasonInput>,
) -> ApiResult<Json<BankLineView>> {
    Ok(Json(app.ignore_bank_line(&ctx, id, &input.reason).await?))
}
