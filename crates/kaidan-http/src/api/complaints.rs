//! Complaints and feedback (投诉与反馈, AFS-2): record one from any channel,
//! its 24-hour acknowledgement clock, the steps that route, resolve and
//! close it, the callback, and a return raised from it. A portal user
//! records and sees its own and confirms or reopens their resolutions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use kaidan_app::after_sales::{ComplaintStepInput, ComplaintView};
use kaidan_app::ports::ComplaintFilter;
use kaidan_domain::after_sales::{ComplaintInput, ReturnInput};
use kaidan_domain::{CustomerId, OrderId, UserId};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, named, next_cursor, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Complaint, PathId};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list_complaints, record_complaint;
        get_complaint;
        complaint_step;
        complaint_to_return
    )
}

/// A page of complaints, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintPage {
    pub items: Vec<ComplaintView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// The list's query; `owner=me` is the caller.
pub(crate) fn complaint_filter(
    q: &BTreeMap<String, String>,
    me: UserId,
) -> ApiResult<ComplaintFilter> {
    let mut f = ComplaintFilter {
        limit: 50,
        ..ComplaintFilter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            "customer_id" if !v.is_empty() => f.customer = Some(CustomerId(whole(k, v)?)),
            "order_id" if !v.is_empty() => f.order = Some(OrderId(whole(k, v)?)),
            "status" if !v.is_empty() => f.status = Some(named(k, v)?),
            "department" if !v.is_empty() => f.department = Some(named(k, v)?),
            "owner" if v == "me" => f.owner = Some(me),
            "owner" if !v.is_empty() => {
                f.owner =
                    Some(UserId(whole(k, v).map_err(|_| {
                        ApiError::field(k, "invalid", "a user id, or 'me'")
                    })?))
            }
            "open" => {
                f.open_only = match v.as_str() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(ApiError::field(k, "invalid", "true or false")),
                }
            }
            "cursor" if !v.is_empty() => f.before = Some(cursor(v)?),
            "limit" => f.limit = whole(k, v)?,
            "customer_id" | "order_id" | "status" | "department" | "owner" | "cursor" | "lang" => {}
            other => {
                return Err(unknown(
                    other,
                    "customer_id, order_id, status, department, owner, open, cursor, limit",
                ));
            }
        }
    }
    Ok(f)
}

/// AFS-2: complaints, newest first, each with its 24-hour clock
/// (`running`, `due_soon`, `overdue`, `met`, `late`).
#[utoipa::path(get, path = "/api/v1/complaints", tag = "after-sales",
    params(("customer_id" = Option<i64>, Query), ("order_id" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "open, acknowledged, resolved, closed"),
        ("department" = Option<String>, Query, description = "sales, warehouse, logistics, quality, finance"),
        ("owner" = Option<String>, Query, description = "a user id, or `me`"), ("open" = Option<bool>, Query),
        ("cursor" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = ComplaintPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_complaints(
    Api(app, ctx): Api,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<ComplaintPage>> {
    let f = complaint_filter(&q, ctx.actor.user_id)?;
    let limit = f.limit as usize;
    let items = app.complaints(&ctx, f).await?;
    let next_cursor = next_cursor(&items, limit, |c| c.complaint.id);
    Ok(Json(ComplaintPage { items, next_cursor }))
}

/// AFS-2: a complaint or feedback from any channel, routed to a
/// department; acknowledged within 24 hours of `received_at` (default:
/// now). It may name the order, shipment or return it concerns.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "after-sales", request_body = ComplaintInput,
    responses((status = 201, body = ComplaintView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_complaint(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<ComplaintInput>,
) -> ApiResult<(StatusCode, Json<ComplaintView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.record_complaint(&ctx, &input).await?),
    ))
}

/// AFS-2: one complaint with its clock and course.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "after-sales", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_complaint(
    Api(app, ctx): Api,
    PathId(id): PathId<Complaint>,
) -> ApiResult<Json<ComplaintView>> {
    Ok(Json(app.complaint(&ctx, id).await?))
}

/// AFS-2: a step: `acknowledge` (what the customer was told; the owner),
/// `assign` (another department or person), `resolve` (the resolution),
/// `confirm` or `reopen` (the customer's word), `callback` (回访).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/steps", tag = "after-sales", params(("id" = i64, Path)),
    request_body = ComplaintStepInput,
    responses((status = 200, body = ComplaintView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn complaint_step(
    Api(app, ctx): Api,
    PathId(id): PathId<Complaint>,
    JsonBody(input): JsonBody<ComplaintStepInput>,
) -> ApiResult<Json<ComplaintView>> {
    Ok(Json(app.complaint_step(&ctx, id, &input).await?))
}

/// AFS-1, AFS-2: the complaint turns into a return request in one step,
/// linked both ways.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/return", tag = "after-sales", params(("id" = i64, Path)),
    request_body = ReturnInput,
    responses((status = 200, body = ComplaintView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn complaint_to_return(
    Api(app, ctx): Api,
    PathId(id): PathId<Complaint>,
    JsonBody(input): JsonBody<ReturnInput>,
) -> ApiResult<Json<ComplaintView>> {
    Ok(Json(app.complaint_to_return(&ctx, id, &input, &[]).await?))
}
