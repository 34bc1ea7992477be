//! Webhooks for administrators (INT-5, issue 18): the subscriptions with
//! their delivery counts, one subscription's deliveries with their last
//! attempt (status, latency, error), the dead letters, retry and replay.
//! A secret is shown on the page that made it, once.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::Ctx;
use kaidan_app::events::{ReplayInput, SubscriptionView};
use kaidan_app::ports::{DeliveryQuery, DeliveryRow};
use kaidan_domain::events::{DeliveryState, SubscriptionInput};
use kaidan_domain::{Permission, ValidationErrors};

use super::format::local_time;
use super::{
    Chrome, OrPage, PageAuth, PageForm, PageId, PageResult, after_post, render, status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/deliveries", get(deliveries))
        .route("/webhooks/{id}", get(detail).post(update))
        .route("/webhooks/{id}/secret", post(renew))
        .route("/webhooks/{id}/replay", post(replay))
        .route("/webhooks/deliveries/{id}/retry", post(retry))
}

/// A delivery as a table row shows it.
pub struct DeliveryLine {
    pub id: i64,
    pub subscription_id: i64,
    pub subscription: String,
    pub event_id: i64,
    pub topic: String,
    pub entity: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub attempts: u32,
    pub last_at: String,
    pub last_status: String,
    pub latency: String,
    pub error: String,
    pub next_at: String,
    pub dead: bool,
}

fn line(chrome: &Chrome, d: &DeliveryRow) -> DeliveryLine {
    let lang = chrome.lang;
    DeliveryLine {
        id: d.id,
        subscription_id: d.subscription_id,
        subscription: d.subscription_name.clone(),
        event_id: d.event_id,
        topic: d.topic.clone(),
        entity: format!("{} {}", d.entity, d.entity_id),
        state: d.state.as_str(),
        state_label: match d.state {
            DeliveryState::Pending => lang.pick("待发送", "Pending"),
            DeliveryState::Delivered => lang.pick("已送达", "Delivered"),
            DeliveryState::Dead => lang.pick("失败(死信)", "Dead"),
        },
        attempts: d.attempts,
        last_at: d.last_at.map(local_time).unwrap_or_default(),
        last_status: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
        latency: d
            .last_latency_ms
            .map(|ms| format!("{ms} ms"))
            .unwrap_or_default(),
        error: d.last_error.clone().unwrap_or_default(),
        next_at: if d.state == DeliveryState::Pending {
            local_time(d.next_at)
        } else {
            String::new()
        },
        dead: d.state == DeliveryState::Dead,
    }
}

/// The form's fields, as typed (shown again with a refusal).
#[derive(Default)]
pub struct SubscriptionForm {
    pub name: String,
    pub url: String,
    pub topics: String,
    pub customer_id: String,
    pub active: bool,
}

impl SubscriptionForm {
    fn of(s: &SubscriptionView) -> Self {
        SubscriptionForm {
            name: s.name.clone(),
            url: s.url.clone(),
            topics: s.topics.join(" "),
            customer_id: s.customer_id.map(|c| c.to_string()).unwrap_or_default(),
            active: s.active,
        }
    }

    fn read(f: &HashMap<String, String>) -> Self {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        SubscriptionForm {
            name: get("name"),
            url: get("url"),
            topics: get("topics"),
            customer_id: get("customer_id"),
            active: f.contains_key("active"),
        }
    }

    /// The use case's input; a customer that is not a number is refused
    /// here, at its field.
    fn input(&self) -> Result<SubscriptionInput, ValidationErrors> {
        let customer_id = match self.customer_id.trim() {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| {
                ValidationErrors::single(
                    "customer_id",
                    "invalid",
                    "must be a customer's id (a number)",
                )
            })?),
        };
        Ok(SubscriptionInput {
            name: self.name.clone(),
            url: self.url.clone(),
            topics: self
                .topics
                .split([',', ' ', '\n', '\r', '\t'])
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            customer_id,
            active: self.active,
        })
    }
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    subscriptions: Vec<SubscriptionView>,
    can_admin: bool,
    form: SubscriptionForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct DetailPage {
    chrome: Chrome,
    title: String,
    s: SubscriptionView,
    form: SubscriptionForm,
    deliveries: Vec<DeliveryLine>,
    can_admin: bool,
    /// A secret just made: shown on this page only.
    secret: Option<String>,
    replay_from: String,
    replay_to: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "webhook_deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    title: String,
    state: String,
    deliveries: Vec<DeliveryLine>,
    can_admin: bool,
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    form: SubscriptionForm,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let subscriptions = s.app.list_subscriptions(ctx).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &ListPage {
            title: lang.t("webhooks").into(),
            subscriptions,
            can_admin: ctx.actor.can(Permission::WebhookAdmin),
            form,
            error,
            chrome,
        },
    ))
}

/// What a detail page shows besides the subscription.
#[derive(Default)]
struct Extra {
    form: Option<SubscriptionForm>,
    secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

async fn detail_page(s: &AppState, auth: PageAuth, id: i64, extra: Extra) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let (sub, rows) = s.app.subscription(&ctx, id, 100).await.or_page(lang)?;
    let today = jiff::Zoned::now().date();
    Ok(render(
        status_of(&extra.error),
        &DetailPage {
            title: format!("{} · {}", lang.t("webhooks"), sub.name),
            form: extra.form.unwrap_or_else(|| SubscriptionForm::of(&sub)),
            deliveries: rows.iter().map(|d| line(&chrome, d)).collect(),
            can_admin: ctx.actor.can(Permission::WebhookAdmin),
            secret: extra.secret,
            replay_from: today.to_string(),
            replay_to: today.to_string(),
            notice: extra.notice,
            error: extra.error,
            s: sub,
            chrome,
        },
    ))
}

/// GET /webhooks
async fn list(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let form = SubscriptionForm {
        topics: "order.*".into(),
        active: true,
        ..Default::default()
    };
    list_page(&s, &ctx, chrome, form, None).await
}

/// POST /webhooks: the new subscription's page, with its secret once.
async fn create(State(s): State<AppState>, PageForm(auth, f): PageForm) -> PageResult {
    let form = SubscriptionForm::read(&f);
    let created = match form.input() {
        Ok(input) => s.app.create_subscription(&auth.ctx, input).await,
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(c) => {
            let extra = Extra {
                secret: Some(c.secret),
                ..Default::default()
            };
            detail_page(&s, auth, c.subscription.id, extra).await
        }
        Err(kaidan_app::AppError::Invalid(e)) => {
            list_page(&s, &auth.ctx, auth.chrome, form, Some(e.to_string())).await
        }
        Err(e) => Err(super::PageError(auth.chrome.lang, e)),
    }
}

/// GET /webhooks/{id}
async fn detail(State(s): State<AppState>, PageId(id): PageId, auth: PageAuth) -> PageResult {
    detail_page(&s, auth, id, Extra::default()).await
}

/// POST /webhooks/{id}: change it.
async fn update(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, f): PageForm,
) -> PageResult {
    let form = SubscriptionForm::read(&f);
    let outcome = match form.input() {
        Ok(input) => s.app.update_subscription(&auth.ctx, id, input).await,
        Err(e) => Err(e.into()),
    };
    let lang = auth.chrome.lang;
    after_post(
        lang,
        outcome,
        |_| format!("/webhooks/{id}"),
        |error| {
            let extra = Extra {
                form: Some(form),
                error: Some(error),
                ..Default::default()
            };
            detail_page(&s, auth, id, extra)
        },
    )
    .await
}

/// POST /webhooks/{id}/secret: a new secret, shown once.
async fn renew(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _): PageForm,
) -> PageResult {
    let c = s
        .app
        .renew_secret(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let extra = Extra {
        secret: Some(c.secret),
        ..Default::default()
    };
    detail_page(&s, auth, id, extra).await
}

/// The start of `day` in the company's time zone.
fn day_start(day: Date) -> Option<jiff::Timestamp> {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").ok()?;
    day.to_zoned(tz).ok().map(|z| z.timestamp())
}

/// POST /webhooks/{id}/replay: the events of the days from..to (both
/// included), of one entity if given.
async fn replay(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, f): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut e = ValidationErrors::new();
    let mut day = |field: &str, next: bool| {
        let parsed = get(field)
            .parse::<Date>()
            .ok()
            .and_then(|d| if next { d.tomorrow().ok() } else { Some(d) })
            .and_then(day_start);
        if parsed.is_none() {
            e.add(field, "invalid", "must be a date (YYYY-MM-DD)");
        }
        parsed
    };
    let (from, to) = (day("from", false), day("to", true));
    let entity_id = match get("entity_id").as_str() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                e.add("entity_id", "invalid", "must be a number");
                None
            }
        },
    };
    let outcome = match (from, to, e.is_empty()) {
        (Some(from), Some(to), true) => {
            let input = ReplayInput {
                from,
                to,
                entity: Some(get("entity")).filter(|x| !x.is_empty()),
                entity_id,
            };
            s.app.replay_events(&auth.ctx, id, input).await
        }
        _ => Err(e.into()),
    };
    let extra = match outcome {
        Ok(n) => Extra {
            notice: Some(format!(
                "{} {n}",
                lang.pick("已重新排队的事件:", "Events queued again:")
            )),
            ..Default::default()
        },
        Err(kaidan_app::AppError::Invalid(e)) => Extra {
            error: Some(e.to_string()),
            ..Default::default()
        },
        Err(e) => return Err(super::PageError(lang, e)),
    };
    detail_page(&s, auth, id, extra).await
}

/// GET /webhooks/deliveries?state=dead: every subscription's deliveries,
/// the dead letters by default.
async fn deliveries(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    PageAuth { ctx, chrome }: PageAuth,
) -> PageResult {
    let lang = chrome.lang;
    let state = q.get("state").map(String::as_str).unwrap_or("dead");
    let parsed = match state {
        "all" => None,
        other => Some(other.parse::<DeliveryState>().map_err(|e| {
            super::PageError(
                lang,
                kaidan_app::AppError::invalid("state", "invalid", e.to_string()),
            )
        })?),
    };
    let rows = s
        .app
        .deliveries(
            &ctx,
            DeliveryQuery {
                state: parsed,
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &DeliveriesPage {
            title: lang.pick("Webhook 投递", "Webhook deliveries").into(),
            state: state.to_string(),
            deliveries: rows.iter().map(|d| line(&chrome, d)).collect(),
            can_admin: ctx.actor.can(Permission::WebhookAdmin),
            chrome,
        },
    ))
}

/// POST /webhooks/deliveries/{id}/retry: back to where it was asked.
async fn retry(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, f): PageForm,
) -> PageResult {
    s.app
        .retry_delivery(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?;
    let back = match f.get("back").map(String::as_str) {
        Some(b) if b.starts_with("/webhooks") && !b.starts_with("//") => b.to_string(),
        _ => "/webhooks/deliveries?state=dead".to_string(),
    };
    Ok(Redirect::to(&back).into_response())
}
