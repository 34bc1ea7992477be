//! Order to cash (FIN-1..4, ORD-7): what is left to invoice, invoices and
//! credit notes, batch invoicing, receipts with their vouchers, matching
//! and the receivables' ageing.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_app::finance::{
    BatchInvoiceInput, BatchInvoiceResult, InvoiceView, ReceiptView, VoucherUpload,
};
use kaidan_app::ports::{InvoiceFilter, MatchRow, ReceiptFilter};
use kaidan_domain::finance::{
    AgeingGroup, AgeingReport, Billable, CreditNoteInput, FapiaoInput, Invoice, InvoiceDocKind,
    InvoiceInput, MatchInput, ReasonInput, Receipt, ReceiptInput, ReceiptStatus,
};
use kaidan_domain::{CustomerId, OrderId};
use utoipa_axum::router::OpenApiRouter;

use crate::api::query::{cursor, filter, named, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        to_invoice; invoices, issue_invoice; batch_invoice; invoice; invoice_pdf; invoice_by_number;
        credit_invoice; record_fapiao; receipts, register_receipt; receipt;
        voucher, attach_voucher; verify_receipt; reject_receipt; reverse_receipt;
        match_payment; ageing
    )
}

/// FIN-1: shipped goods not yet invoiced (shipped − refused − invoiced),
/// oldest shipment first.
#[utoipa::path(get, path = "/api/v1/to-invoice", tag = "finance",
    params(("up_to" = Option<String>, Query, description = "shipped up to this day (default today)"),
        ("customer_id" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<Billable>), (status = 403, body = Problem)))]
pub async fn to_invoice(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<Billable>>> {
    let (mut up_to, mut customer, mut limit) = (None, None, 500);
    for (k, v) in &q {
        match k.as_str() {
            "up_to" => up_to = filter(&q, "up_to")?,
            "customer_id" => customer = Some(CustomerId(whole(k, v)?)),
            "limit" => limit = whole(k, v)?,
            other => return Err(unknown(other, "up_to, customer_id, limit")),
        }
    }
    Ok(Json(app.to_invoice(&ctx, up_to, customer, limit).await?))
}

/// Invoices and credit notes, newest first (a sales rep sees his
/// customers', a portal user its own).
#[utoipa::path(get, path = "/api/v1/invoices", tag = "finance",
    params(("customer_id" = Option<i64>, Query), ("order_id" = Option<i64>, Query),
        ("kind" = Option<String>, Query, description = "invoice or credit_note"),
        ("open" = Option<bool>, Query, description = "only invoices with money still to pay"),
        ("without_fapiao" = Option<bool>, Query, description = "only invoices whose fapiao number is not recorded"),
        ("cursor" = Option<i64>, Query, description = "the last id of the previous page"),
        ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<Invoice>)))]
pub async fn invoices(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<Invoice>>> {
    Ok(Json(app.invoices(&ctx, invoice_filter(&q)?).await?))
}

/// The invoice list's query parameters.
pub(crate) fn invoice_filter(q: &BTreeMap<String, String>) -> ApiResult<InvoiceFilter> {
    let mut f = InvoiceFilter {
        limit: 100,
        ..InvoiceFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "customer_id" if !v.is_empty() => f.customer = Some(CustomerId(whole(k, v)?)),
            "order_id" if !v.is_empty() => f.order = Some(OrderId(whole(k, v)?)),
            "kind" if !v.is_empty() => f.kind = Some(named::<InvoiceDocKind>(k, v)?),
            "open" => f.open_only = flag(k, v)?,
            "without_fapiao" => f.without_fapiao = flag(k, v)?,
            "cursor" if !v.is_empty() => f.before_id = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "customer_id" | "order_id" | "kind" | "cursor" | "lang" => {}
            other => {
                return Err(unknown(
                    other,
                    "customer_id, order_id, kind, open, without_fapiao, cursor, limit",
                ));
            }
        }
    }
    Ok(f)
}

fn flag(name: &str, v: &str) -> ApiResult<bool> {
    match v {
        "" | "false" | "0" => Ok(false),
        "true" | "1" | "on" => Ok(true),
        _ => Err(ApiError::field(name, "invalid", "true or false")),
    }
}

/// FIN-1: invoice one shipment, one order, or a customer's goods shipped up
/// to a day (monthly settlement), exactly as priced on the order lines.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "finance", request_body = InvoiceInput,
    responses((status = 201, body = InvoiceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_invoice(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<InvoiceInput>,
) -> ApiResult<(StatusCode, Json<InvoiceView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.issue_invoice(&ctx, &input).await?),
    ))
}

/// FIN-1: batch invoicing — everything shipped up to a day, one invoice per
/// shipment (per customer on monthly settlement); a preview unless
/// `commit` is true.
#[utoipa::path(post, path = "/api/v1/invoices/batch", tag = "finance", request_body = BatchInvoiceInput,
    responses((status = 200, body = BatchInvoiceResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn batch_invoice(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<BatchInvoiceInput>,
) -> ApiResult<Json<BatchInvoiceResult>> {
    Ok(Json(app.batch_invoice(&ctx, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceView), (status = 404, body = Problem)))]
pub async fn invoice(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<InvoiceView>> {
    Ok(Json(app.invoice(&ctx, id).await?))
}

/// DOC-1: the invoice or credit note as a PDF in Chinese (销售发票 /
/// 红字发票), with the company's letterhead and seal.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "finance", operation_id = "invoice_pdf", params(("id" = i64, Path)),
    responses((status = 200, description = "销售发票 (PDF)", content_type = "application/pdf"),
        (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn invoice_pdf(
    axum::extract::State(s): axum::extract::State<AppState>,
    crate::auth::ApiAuth(ctx): crate::auth::ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<crate::print::Pdf> {
    Ok(crate::print::invoice_pdf(&s, &ctx, id).await?)
}

/// DOC-2: an invoice or credit note by its number.
#[utoipa::path(get, path = "/api/v1/invoices/by-number/{number}", tag = "finance", params(("number" = String, Path)),
    responses((status = 200, body = InvoiceView), (status = 404, body = Problem)))]
pub async fn invoice_by_number(
    Api(app, ctx): Api,
    Path(number): Path<String>,
) -> ApiResult<Json<InvoiceView>> {
    Ok(Json(app.invoice_by_number(&ctx, &number).await?))
}

/// A credit note (红字) for a return or a price correction, never above what
/// the invoice has left; the customer's account is credited.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/credit-notes", tag = "finance", params(("id" = i64, Path)),
    request_body = CreditNoteInput,
    responses((status = 201, body = InvoiceView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn credit_invoice(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<CreditNoteInput>,
) -> ApiResult<(StatusCode, Json<InvoiceView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.credit_invoice(&ctx, id, &input).await?),
    ))
}

/// Record the official fapiao's number and code once finance has issued it
/// in the tax system.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/fapiao", tag = "finance", params(("id" = i64, Path)),
    request_body = FapiaoInput,
    responses((status = 200, body = InvoiceView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_fapiao(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<FapiaoInput>,
) -> ApiResult<Json<InvoiceView>> {
    Ok(Json(app.record_fapiao(&ctx, id, &input).await?))
}

/// Receipts, newest first (a sales rep sees his customers').
#[utoipa::path(get, path = "/api/v1/receipts", tag = "finance",
    params(("customer_id" = Option<i64>, Query), ("status" = Option<String>, Query, description = "registered, verified, rejected or reversed"),
        ("cursor" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<Receipt>)))]
pub async fn receipts(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<Receipt>>> {
    Ok(Json(app.receipts(&ctx, receipt_filter(&q)?).await?))
}

/// The receipt list's query parameters.
pub(crate) fn receipt_filter(q: &BTreeMap<String, String>) -> ApiResult<ReceiptFilter> {
    let mut f = ReceiptFilter {
        limit: 100,
        ..ReceiptFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "customer_id" if !v.is_empty() => f.customer = Some(CustomerId(whole(k, v)?)),
            "status" if !v.is_empty() => f.status = Some(named::<ReceiptStatus>(k, v)?),
            "cursor" if !v.is_empty() => f.before_id = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "customer_id" | "status" | "cursor" | "lang" => {}
            other => return Err(unknown(other, "customer_id, status, cursor, limit")),
        }
    }
    Ok(f)
}

/// FIN-3: register money received (a sales rep: for his own customers). It
/// counts once finance verifies it; attach the voucher with
/// `PUT /api/v1/receipts/{id}/voucher`.
#[utoipa::path(post, path = "/api/v1/receipts", tag = "finance", request_body = ReceiptInput,
    responses((status = 201, body = ReceiptView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn register_receipt(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<ReceiptInput>,
) -> ApiResult<(StatusCode, Json<ReceiptView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.register_receipt(&ctx, &input, None).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/receipts/{id}", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, body = ReceiptView), (status = 404, body = Problem)))]
pub async fn receipt(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Json<ReceiptView>> {
    Ok(Json(app.receipt(&ctx, id).await?))
}

/// The voucher's file (PNG, JPEG or PDF) as it was uploaded.
#[utoipa::path(get, path = "/api/v1/receipts/{id}/voucher", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn voucher(Api(app, ctx): Api, Path(id): Path<i64>) -> ApiResult<Response> {
    Ok(file_response(app.receipt_voucher(&ctx, id).await?))
}

/// A stored file (a voucher, a photo) as the answer: its type, and its
/// name for the browser.
pub(crate) fn file_response(file: kaidan_app::ports::VoucherFile) -> Response {
    let mut res = (StatusCode::OK, file.bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type.as_str()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        url_escape(&file.file_name)
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A file name for a header, percent-encoded (RFC 5987).
fn url_escape(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// FIN-3: attach the voucher (汇款底单, at most 5 MiB, PNG, JPEG or PDF) to
/// a receipt waiting for verification: the raw file as the body, its name
/// in `?file=`.
#[utoipa::path(put, path = "/api/v1/receipts/{id}/voucher", tag = "finance",
    params(("id" = i64, Path), ("file" = String, Query, description = "the file's name")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ReceiptView), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_voucher(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReceiptView>> {
    let file_name = q.get("file").cloned().unwrap_or_default();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let upload = VoucherUpload {
        file_name,
        content_type,
        bytes: body.to_vec(),
    };
    Ok(Json(app.attach_voucher(&ctx, id, upload).await?))
}

/// FIN-3: finance verifies the receipt: the money is posted to the
/// customer's account and pays its open invoices, oldest due first.
#[utoipa::path(post, path = "/api/v1/receipts/{id}/verify", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, body = ReceiptView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn verify_receipt(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReceiptView>> {
    Ok(Json(app.verify_receipt(&ctx, id).await?))
}

#[utoipa::path(post, path = "/api/v1/receipts/{id}/reject", tag = "finance", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = ReceiptView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_receipt(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ReasonInput>,
) -> ApiResult<Json<ReceiptView>> {
    Ok(Json(app.reject_receipt(&ctx, id, &input.reason).await?))
}

/// A verified receipt is never edited: reverse it with a reason (its
/// matches are undone, the money leaves the account).
#[utoipa::path(post, path = "/api/v1/receipts/{id}/reverse", tag = "finance", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = ReceiptView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse_receipt(
    Api(app, ctx): Api,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ReasonInput>,
) -> ApiResult<Json<ReceiptView>> {
    Ok(Json(app.reverse_receipt(&ctx, id, &input.reason).await?))
}

/// FIN-3 核销 by hand: one receipt's money to one invoice.
#[utoipa::path(post, path = "/api/v1/matches", tag = "finance", request_body = MatchInput,
    responses((status = 201, body = MatchRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn match_payment(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<MatchInput>,
) -> ApiResult<(StatusCode, Json<MatchRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.match_payment(&ctx, &input).await?),
    ))
}

/// FIN-4: receivables ageing as of a day, in buckets of days past due, by
/// customer, sales rep, region or customer kind.
#[utoipa::path(get, path = "/api/v1/ageing", tag = "finance",
    params(("as_of" = Option<String>, Query, description = "default today"),
        ("group" = Option<String>, Query, description = "customer (default), sales_rep, region or customer_kind")),
    responses((status = 200, body = AgeingReport), (status = 403, body = Problem)))]
pub async fn ageing(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<AgeingReport>> {
    let (as_of, group) = ageing_query(&q)?;
    Ok(Json(app.ageing(&ctx, as_of, group).await?))
}

/// The ageing report's query parameters.
pub(crate) fn ageing_query(
    q: &BTreeMap<String, String>,
) -> ApiResult<(Option<jiff::civil::Date>, AgeingGroup)> {
    let mut group = AgeingGroup::Customer;
    for (k, v) in q {
        match k.as_str() {
            "as_of" | "lang" | "format" => {}
            "group" if !v.is_empty() => group = named(k, v)?,
            "group" => {}
            other => return Err(unknown(other, "as_of, group")),
        }
    }
    Ok((filter(q, "as_of")?, group))
}
