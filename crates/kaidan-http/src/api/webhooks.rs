//! Webhook subscriptions and their deliveries (INT-5, issue 18): register
//! a receiver (its secret is in that answer only), change it, renew its
//! secret, list deliveries and dead letters, retry, replay.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use kaidan_app::events::{CreatedSubscription, ReplayInput, SubscriptionView};
use kaidan_app::ports::{DeliveryQuery, DeliveryRow};
use kaidan_domain::events::SubscriptionInput;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use super::query::{cursor, named, unknown, whole};
use crate::auth::Api;
use crate::json::JsonBody;
use crate::path::{Delivery, PathId, Subscription};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    api_routes!(
        list_subscriptions, create_subscription;
        get_subscription, update_subscription;
        renew_secret;
        replay;
        list_deliveries;
        retry_delivery
    )
}

/// A subscription and its last deliveries, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionDetail {
    pub subscription: SubscriptionView,
    pub deliveries: Vec<DeliveryRow>,
}

/// How many events a replay handed again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Replayed {
    pub replayed: u64,
}

/// Every webhook subscription, with its deliveries counted by state
/// (permission `webhook.read`). Secrets are never shown.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "events",
    responses((status = 200, body = Vec<SubscriptionView>), (status = 403, body = Problem)))]
pub async fn list_subscriptions(Api(app, ctx): Api) -> ApiResult<Json<Vec<SubscriptionView>>> {
    Ok(Json(app.list_subscriptions(&ctx).await?))
}

/// Register a receiver (permission `webhook.admin`). The answer carries the
/// secret that signs every delivery: it is not shown again.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "events", request_body = SubscriptionInput,
    responses((status = 201, body = CreatedSubscription), (status = 422, body = Problem),
        (status = 503, description = "no events key is configured", body = Problem)))]
pub async fn create_subscription(
    Api(app, ctx): Api,
    JsonBody(input): JsonBody<SubscriptionInput>,
) -> ApiResult<(StatusCode, Json<CreatedSubscription>)> {
    let created = app.create_subscription(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One subscription and its last 50 deliveries.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = SubscriptionDetail), (status = 404, body = Problem)))]
pub async fn get_subscription(
    Api(app, ctx): Api,
    PathId(id): PathId<Subscription>,
) -> ApiResult<Json<SubscriptionDetail>> {
    let (subscription, deliveries) = app.subscription(&ctx, id, 50).await?;
    Ok(Json(SubscriptionDetail {
        subscription,
        deliveries,
    }))
}

/// Change a subscription (permission `webhook.admin`); its secret stays.
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "events", params(("id" = i64, Path)),
    request_body = SubscriptionInput,
    responses((status = 200, body = SubscriptionView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_subscription(
    Api(app, ctx): Api,
    PathId(id): PathId<Subscription>,
    JsonBody(input): JsonBody<SubscriptionInput>,
) -> ApiResult<Json<SubscriptionView>> {
    Ok(Json(app.update_subscription(&ctx, id, input).await?))
}

/// A new secret (permission `webhook.admin`), in this answer only; the old
/// one signs nothing from now on.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/secret", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = CreatedSubscription), (status = 404, body = Problem)))]
pub async fn renew_secret(
    Api(app, ctx): Api,
    PathId(id): PathId<Subscription>,
) -> ApiResult<Json<CreatedSubscription>> {
    Ok(Json(app.renew_secret(&ctx, id).await?))
}

/// Send the stored events of a time range (of one entity, if given) that
/// the subscription wants again, delivered or not (permission
/// `webhook.admin`); at most 10,000 a call.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/replay", tag = "events", params(("id" = i64, Path)),
    request_body = ReplayInput,
    responses((status = 200, body = Replayed), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn replay(
    Api(app, ctx): Api,
    PathId(id): PathId<Subscription>,
    JsonBody(input): JsonBody<ReplayInput>,
) -> ApiResult<Json<Replayed>> {
    let replayed = app.replay_events(&ctx, id, input).await?;
    Ok(Json(Replayed { replayed }))
}

/// Deliveries, newest first (permission `webhook.read`): `subscription_id`,
/// `state` (`pending`, `delivered`, `dead`: the dead letters), `cursor`
/// (the last id of the page before), `limit`.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries", tag = "events",
    params(("subscription_id" = Option<i64>, Query), ("state" = Option<String>, Query),
        ("cursor" = Option<i64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Vec<DeliveryRow>), (status = 422, body = Problem)))]
pub async fn list_deliveries(
    Api(app, ctx): Api,
    Query(params): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Vec<DeliveryRow>>> {
    let mut q = DeliveryQuery {
        limit: 50,
        ..Default::default()
    };
    for (k, v) in &params {
        match k.as_str() {
            "subscription_id" => q.subscription_id = Some(whole(k, v)?),
            "state" => q.state = Some(named(k, v)?),
            "cursor" => q.before = Some(cursor(v)?),
            "limit" => q.limit = whole(k, v)?,
            other => return Err(unknown(other, "subscription_id, state, cursor, limit")),
        }
    }
    Ok(Json(app.deliveries(&ctx, q).await?))
}

/// Send a dead delivery again, from its first attempt (permission
/// `webhook.admin`).
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/retry", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryRow), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn retry_delivery(
    Api(app, ctx): Api,
    PathId(id): PathId<Delivery>,
) -> ApiResult<Json<DeliveryRow>> {
    Ok(Json(app.retry_delivery(&ctx, id).await?))
}
