//! The outbox relay against a real HTTP receiver, on SQLite and PostgreSQL
//! (INT-5, issue 18): signatures, at least once, order per entity,
//! retries and dead letters, crashed nodes, two nodes, customer filters,
//! replay and pruning.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::SignedDuration;
use kaidan_app::clock::SystemClock;
use kaidan_app::events::{EventSettings, SealKey};
use kaidan_app::ports::{DeliveryQuery, DeliveryRow, OutboxEvent, Store};
use kaidan_app::{App, AppConfig, Created, Ctx};
use kaidan_domain::Money;
use kaidan_domain::events::{DeliveryState, RetryPolicy, SubscriptionInput};
use kaidan_domain::master::{CustomerData, CustomerKind, PaymentMethod, PaymentTerms};
use kaidan_events::signature::{DEFAULT_TOLERANCE_SECS, verify};
use kaidan_events::{Relay, RelaySettings};
use kaidan_store::Db;
use kaidan_store::testing::{Backend, on_each_backend};
use serde_json::Value;

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Call {
    event_id: i64,
    topic: String,
    entity_id: i64,
    attempt: u32,
    signature_ok: bool,
    status: u16,
}

#[derive(Default)]
struct Script {
    secret: String,
    calls: Vec<Call>,
    /// Answer 500 to the first N calls of these events.
    fail_first: HashMap<i64, u32>,
    fail_all: bool,
    delay: Duration,
    in_flight: HashSet<i64>,
    /// Calls that came while another call of the same event was in flight.
    overlaps: u32,
}

type Shared = Arc<Mutex<Script>>;

async fn receive(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let event_id = json["id"].as_i64().unwrap_or(-1);
    let delay = {
        let mut s = s.lock().unwrap();
        if !s.in_flight.insert(event_id) {
            s.overlaps += 1;
        }
        s.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = s.lock().unwrap();
    s.in_flight.remove(&event_id);
    let now = jiff::Timestamp::now().as_second();
    let signature_ok = verify(
        &s.secret,
        &header("kaidan-signature"),
        &body,
        now,
        DEFAULT_TOLERANCE_SECS,
    )
    .is_ok()
        && header("kaidan-event-id") == event_id.to_string();
    let earlier = s.calls.iter().filter(|c| c.event_id == event_id).count() as u32;
    let fail = s.fail_all || s.fail_first.get(&event_id).is_some_and(|n| earlier < *n);
    let status = if fail { 500 } else { 200 };
    s.calls.push(Call {
        event_id,
        topic: json["type"].as_str().unwrap_or_default().to_string(),
        entity_id: json["entity_id"].as_i64().unwrap_or(-1),
        attempt: header("kaidan-delivery-attempt").parse().unwrap_or(0),
        signature_ok,
        status,
    });
    StatusCode::from_u16(status).unwrap()
}

/// A receiver on a free local port: its URL and its script.
async fn receiver() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/hook"), shared)
}

fn settings(retry: RetryPolicy, lease_ms: i64) -> EventSettings {
    EventSettings {
        key: SealKey::from_hex(&"5a".repeat(32)).ok(),
        retry,
        lease: SignedDuration::from_millis(lease_ms),
        keep: SignedDuration::from_hours(24),
        batch: 200,
    }
}

fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::new(
        max_attempts,
        SignedDuration::from_millis(10),
        SignedDuration::from_millis(40),
    )
    .unwrap()
}

async fn app_on(db: &Db, events: EventSettings) -> App {
    let config = AppConfig {
        events,
        ..AppConfig::default()
    };
    let app = App::new(Arc::new(db.clone()), Arc::new(SystemClock), config);
    app.bootstrap().await.unwrap();
    app
}

fn relay(app: &App, node: &str) -> Relay {
    Relay::new(
        app.clone(),
        RelaySettings {
            node: node.into(),
            poll: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
            concurrency: 8,
        },
    )
    .unwrap()
}

async fn subscribe(
    app: &App,
    url: &str,
    topics: &[&str],
    customer: Option<i64>,
    script: &Shared,
) -> i64 {
    let created = app
        .create_subscription(
            &Ctx::system(),
            SubscriptionInput {
                name: "ERP".into(),
                url: url.into(),
                topics: topics.iter().map(|t| t.to_string()).collect(),
                customer_id: customer,
                active: true,
            },
        )
        .await
        .unwrap();
    script.lock().unwrap().secret = created.secret;
    created.subscription.id
}

/// An app over the backend with `events`, a receiver, and a subscription
/// of every customer's `topics` to it.
async fn set_up(b: &Backend, events: EventSettings, topics: &[&str]) -> (App, Shared, i64) {
    let app = app_on(&b.db, events).await;
    let (url, script) = receiver().await;
    let sub = subscribe(&app, &url, topics, None, &script).await;
    (app, script, sub)
}

/// Writes outbox events as a use case would, one transaction each.
async fn append(db: &Db, events: &[(&str, &str, i64)]) {
    for (topic, entity, id) in events {
        let mut tx = db.write().await.unwrap();
        tx.outbox_append(&OutboxEvent {
            topic: topic.to_string(),
            entity: entity.to_string(),
            entity_id: *id,
            payload: serde_json::json!({ "n": id }),
            at: jiff::Timestamp::now(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

/// Passes of `relays` (concurrently) until `done` holds, at most 15 s.
async fn until(relays: &[&Relay], script: &Shared, done: impl Fn(&Script) -> bool) {
    let started = Instant::now();
    while !done(&script.lock().unwrap()) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the relay did not get there: {:?}",
            script.lock().unwrap().calls
        );
        let passes = relays.iter().map(|r| r.pass());
        for p in futures::future::join_all(passes).await {
            p.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The first ten deliveries in `state` (any state when None), newest
/// first, as the administrator lists them.
async fn deliveries_in(app: &App, state: Option<DeliveryState>) -> Vec<DeliveryRow> {
    app.deliveries(
        &Ctx::system(),
        DeliveryQuery {
            state,
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn delivered(s: &Script) -> usize {
    s.calls.iter().filter(|c| c.status == 200).count()
}

async fn customer(app: &App, code: &str) -> i64 {
    let data = CustomerData {
        code: code.into(),
        name: code.into(),
        kind: CustomerKind::Franchisee,
        contact_name: None,
        contact_phone: None,
        contact_email: None,
        address: None,
        region_id: None,
        tier: None,
        priority: 1,
        importance: None,
        payment_terms: PaymentTerms::Prepayment,
        net_days: None,
        payment_method: PaymentMethod::BankTransfer,
        tax_number: None,
        bank_account: None,
        credit_limit: Money::ZERO,
        price_list_id: None,
        sales_rep_id: None,
        active: true,
    };
    match app.create(&Ctx::system(), data, None).await.unwrap() {
        Created::New(r) => r.id,
        Created::Replayed { .. } => unreachable!("no idempotency key was given"),
    }
}

#[tokio::test]
async fn int_5_each_event_reaches_its_receiver_signed_once_in_order_per_entity() {
    on_each_backend(|b: Backend| async move {
        let (app, script, sub) = set_up(&b, settings(quick_retries(5), 60_000), &["order.*"]).await;
        // Three orders' events interleaved, and two nobody wants.
        let mut events = Vec::new();
        for step in ["submitted", "in_review", "approved", "shipped"] {
            for order in [11, 12, 13] {
                events.push((format!("order.{step}"), "order", order));
            }
        }
        let events: Vec<(&str, &str, i64)> = events
            .iter()
            .map(|(t, e, i)| (t.as_str(), *e, *i))
            .collect();
        append(&b.db, &events).await;
        append(
            &b.db,
            &[
                ("product.updated", "product", 5),
                ("stock.counted", "stock_count", 1),
            ],
        )
        .await;
        let r = relay(&app, "node-a");
        until(&[&r], &script, |s| delivered(s) == 12).await;
        // Nothing more comes.
        for _ in 0..3 {
            r.pass().await.unwrap();
        }
        {
            let s = script.lock().unwrap();
            assert_eq!(s.calls.len(), 12, "{}: {:?}", b.name, s.calls);
            assert!(
                s.calls.iter().all(|c| c.signature_ok && c.attempt == 1),
                "{:?}",
                s.calls
            );
            assert!(s.calls.iter().all(|c| c.topic.starts_with("order.")));
            let ids: HashSet<i64> = s.calls.iter().map(|c| c.event_id).collect();
            assert_eq!(ids.len(), 12, "each event once");
            for order in [11, 12, 13] {
                let seen: Vec<i64> = s
                    .calls
                    .iter()
                    .filter(|c| c.entity_id == order)
                    .map(|c| c.event_id)
                    .collect();
                let mut sorted = seen.clone();
                sorted.sort_unstable();
                assert_eq!(
                    seen, sorted,
                    "{}: order {order}'s events out of order",
                    b.name
                );
            }
        }
        let mut tx = b.db.read().await.unwrap();
        assert!(
            tx.outbox_pending(100).await.unwrap().is_empty(),
            "every event handed on"
        );
        drop(tx);
        let (view, rows) = app.subscription(&Ctx::system(), sub, 100).await.unwrap();
        assert_eq!(
            (
                view.deliveries.delivered,
                view.deliveries.pending,
                view.deliveries.dead
            ),
            (12, 0, 0)
        );
        assert!(rows.iter().all(|d| d.state == DeliveryState::Delivered
            && d.last_status == Some(200)
            && d.last_latency_ms.is_some()
            && d.delivered_at.is_some()));
    })
    .await;
}

#[tokio::test]
async fn int_5_a_receiver_that_fails_three_times_is_called_once_more_per_attempt_then_no_more() {
    on_each_backend(|b: Backend| async move {
        let (app, script, _) = set_up(&b, settings(quick_retries(10), 60_000), &["*"]).await;
        append(
            &b.db,
            &[
                ("order.submitted", "order", 1),
                ("order.approved", "order", 1),
                ("order.submitted", "order", 2),
            ],
        )
        .await;
        // Fail the first event of order 1 three times.
        let event_of_order_1 = {
            let rows = app.relay_route().await.unwrap();
            assert_eq!(rows, 3);
            let d = deliveries_in(&app, None).await;
            d.iter()
                .filter(|d| d.entity_id == 1)
                .map(|d| d.event_id)
                .min()
                .unwrap()
        };
        script
            .lock()
            .unwrap()
            .fail_first
            .insert(event_of_order_1, 3);
        let r = relay(&app, "node-a");
        until(&[&r], &script, |s| delivered(s) == 3).await;
        for _ in 0..5 {
            r.pass().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let s = script.lock().unwrap();
        let calls: Vec<&Call> = s
            .calls
            .iter()
            .filter(|c| c.event_id == event_of_order_1)
            .collect();
        assert_eq!(
            calls
                .iter()
                .map(|c| (c.attempt, c.status))
                .collect::<Vec<_>>(),
            [(1, 500), (2, 500), (3, 500), (4, 200)],
            "{}",
            b.name
        );
        // Order 1's second event waited for its first; order 2's did not.
        let at = |pred: &dyn Fn(&Call) -> bool| s.calls.iter().position(pred).unwrap();
        let delivered_first = at(&|c| c.event_id == event_of_order_1 && c.status == 200);
        let second_of_1 = at(&|c| c.entity_id == 1 && c.event_id != event_of_order_1);
        let order_2 = at(&|c| c.entity_id == 2);
        assert!(second_of_1 > delivered_first, "{:?}", s.calls);
        // Claimed with the first as its record's chain, it was not sent
        // while the first failed, and that cost it no attempt.
        let second = s.calls.get(second_of_1).unwrap();
        assert_eq!((second.attempt, second.status), (1, 200), "{:?}", s.calls);
        assert!(
            order_2 < delivered_first,
            "another order is not held up: {:?}",
            s.calls
        );
        assert_eq!(s.calls.len(), 6);
    })
    .await;
}

#[tokio::test]
async fn int_5_after_its_last_attempt_a_delivery_is_dead_until_retried_by_hand() {
    on_each_backend(|b: Backend| async move {
        let (app, script, _) = set_up(&b, settings(quick_retries(2), 60_000), &["order.*"]).await;
        script.lock().unwrap().fail_all = true;
        append(&b.db, &[("order.approved", "order", 7)]).await;
        let r = relay(&app, "node-a");
        until(&[&r], &script, |s| s.calls.len() == 2).await;
        for _ in 0..5 {
            r.pass().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            script.lock().unwrap().calls.len(),
            2,
            "{}: no call after the last attempt",
            b.name
        );
        let dead = deliveries_in(&app, Some(DeliveryState::Dead)).await;
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, 2);
        assert_eq!(dead[0].last_status, Some(500));
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("the receiver answered 500")
        );
        // A pending one cannot be retried by hand; the dead one can.
        script.lock().unwrap().fail_all = false;
        let retried = app
            .retry_delivery(&Ctx::system(), dead[0].id)
            .await
            .unwrap();
        assert_eq!(
            (retried.state, retried.attempts),
            (DeliveryState::Pending, 0)
        );
        let again = app
            .retry_delivery(&Ctx::system(), dead[0].id)
            .await
            .unwrap_err();
        assert!(
            again.to_string().contains("only a dead delivery"),
            "{again}"
        );
        until(&[&r], &script, |s| delivered(s) == 1).await;
        let s = script.lock().unwrap();
        assert_eq!(
            s.calls.last().map(|c| (c.attempt, c.status)),
            Some((1, 200))
        );
    })
    .await;
}

#[tokio::test]
async fn int_5_a_node_that_dies_mid_delivery_is_taken_over_when_its_lease_ends() {
    on_each_backend(|b: Backend| async move {
        let (app, script, _) = set_up(&b, settings(quick_retries(5), 300), &["order.*"]).await;
        append(
            &b.db,
            &[
                ("order.approved", "order", 1),
                ("order.shipped", "order", 2),
            ],
        )
        .await;
        app.relay_route().await.unwrap();
        // Node a claims both and dies before sending or recording.
        let claimed = app.relay_claim("node-a").await.unwrap();
        assert_eq!(claimed.len(), 2);
        // While its lease holds, nobody else sends them.
        let other = relay(&app, "node-b");
        let report = other.pass().await.unwrap();
        assert_eq!(report.attempted, 0, "{}", b.name);
        tokio::time::sleep(Duration::from_millis(350)).await;
        until(&[&other], &script, |s| delivered(s) == 2).await;
        let s = script.lock().unwrap();
        let mut ids: Vec<i64> = s.calls.iter().map(|c| c.event_id).collect();
        ids.sort_unstable();
        let mut claimed_ids: Vec<i64> = claimed.iter().map(|o| o.event.id).collect();
        claimed_ids.sort_unstable();
        assert_eq!(ids, claimed_ids, "the same events, with the same ids");
        assert!(s.calls.iter().all(|c| c.attempt == 1 && c.signature_ok));
    })
    .await;
}

#[tokio::test]
async fn int_5_two_nodes_never_send_the_same_delivery_at_the_same_time() {
    on_each_backend(|b: Backend| async move {
        let app = app_on(&b.db, settings(quick_retries(5), 60_000)).await;
        // The second node: its own connections to the same database on
        // PostgreSQL; on SQLite the single writer is the process's.
        let second_db = if b.name == "postgres" {
            Some(
                Db::connect(&b.url, &kaidan_store::DbOptions::default())
                    .await
                    .unwrap(),
            )
        } else {
            None
        };
        let app_b = match &second_db {
            Some(db) => app_on(db, settings(quick_retries(5), 60_000)).await,
            None => app.clone(),
        };
        let (url, script) = receiver().await;
        subscribe(&app, &url, &["*"], None, &script).await;
        script.lock().unwrap().delay = Duration::from_millis(15);
        let events: Vec<(String, i64)> = (0..40)
            .map(|i| (format!("order.step{}", i / 10), i % 10))
            .collect();
        let events: Vec<(&str, &str, i64)> = events
            .iter()
            .map(|(t, i)| (t.as_str(), "order", *i))
            .collect();
        append(&b.db, &events).await;
        let (r1, r2) = (relay(&app, "node-a"), relay(&app_b, "node-b"));
        until(&[&r1, &r2], &script, |s| delivered(s) == 40).await;
        {
            let s = script.lock().unwrap();
            assert_eq!(s.overlaps, 0, "{}", b.name);
            assert_eq!(
                s.calls.len(),
                40,
                "{}: each event once: {:?}",
                b.name,
                s.calls
            );
            for order in 0..10 {
                let seen: Vec<i64> = s
                    .calls
                    .iter()
                    .filter(|c| c.entity_id == order)
                    .map(|c| c.event_id)
                    .collect();
                let mut sorted = seen.clone();
                sorted.sort_unstable();
                assert_eq!(
                    seen, sorted,
                    "{}: order {order} out of order across nodes",
                    b.name
                );
            }
        }
        if let Some(db) = second_db {
            db.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn int_5_ord_5_a_customer_subscription_gets_only_that_customer_events() {
    on_each_backend(|b: Backend| async move {
        let app = app_on(&b.db, settings(quick_retries(5), 60_000)).await;
        let (c1, c2) = (customer(&app, "C-1").await, customer(&app, "C-2").await);
        let (url, script) = receiver().await;
        subscribe(&app, &url, &["customer.*"], Some(c1), &script).await;
        append(
            &b.db,
            &[
                ("customer.updated", "customer", c2),
                ("customer.updated", "customer", c1),
            ],
        )
        .await;
        let r = relay(&app, "node-a");
        // Creating the customers raised customer.created for each, too.
        until(&[&r], &script, |s| delivered(s) == 2).await;
        r.pass().await.unwrap();
        {
            let s = script.lock().unwrap();
            let got: Vec<(i64, &str)> = s
                .calls
                .iter()
                .map(|c| (c.entity_id, c.topic.as_str()))
                .collect();
            assert_eq!(
                got,
                [(c1, "customer.created"), (c1, "customer.updated")],
                "{}",
                b.name
            );
        }
        // An unknown customer is refused at its field.
        let err = app
            .create_subscription(
                &Ctx::system(),
                SubscriptionInput {
                    name: "x".into(),
                    url: url.clone(),
                    topics: vec!["*".into()],
                    customer_id: Some(999_999),
                    active: true,
                },
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("customer_id"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn int_5_a_replay_sends_a_time_range_again_with_the_same_ids_and_pruning_keeps_what_waits() {
    on_each_backend(|b: Backend| async move {
        let mut events_settings = settings(quick_retries(1), 60_000);
        events_settings.keep = SignedDuration::from_millis(1);
        let app = app_on(&b.db, events_settings).await;
        let (url, script) = receiver().await;
        let sub = subscribe(&app, &url, &["order.*"], None, &script).await;
        let start = jiff::Timestamp::now();
        append(
            &b.db,
            &[
                ("order.approved", "order", 1),
                ("order.approved", "order", 2),
            ],
        )
        .await;
        let r = relay(&app, "node-a");
        until(&[&r], &script, |s| delivered(s) == 2).await;
        let end = jiff::Timestamp::now() + SignedDuration::from_secs(1);
        let n = app
            .replay_events(
                &Ctx::system(),
                sub,
                kaidan_app::events::ReplayInput {
                    from: start,
                    to: end,
                    entity: Some("order".into()),
                    entity_id: Some(2),
                },
            )
            .await
            .unwrap();
        assert_eq!(n, 1, "{}", b.name);
        until(&[&r], &script, |s| delivered(s) == 3).await;
        let first_of_2 = script
            .lock()
            .unwrap()
            .calls
            .iter()
            .find(|c| c.entity_id == 2)
            .map(|c| c.event_id);
        assert_eq!(
            script.lock().unwrap().calls.last().map(|c| c.event_id),
            first_of_2
        );
        // One more event that dies (max 1 attempt): pruning keeps it and
        // its event, deletes the delivered ones.
        script.lock().unwrap().fail_all = true;
        append(&b.db, &[("order.cancelled", "order", 3)]).await;
        until(&[&r], &script, |s| s.calls.len() == 4).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let run = app
            .run_job_now(&Ctx::system(), kaidan_app::jobs::EVENTS_PRUNE, "test")
            .await
            .unwrap();
        assert!(
            run.outcome
                .starts_with("ok: 2 delivered webhook(s) and 2 event(s) pruned"),
            "{}: {}",
            b.name,
            run.outcome
        );
        let left = deliveries_in(&app, None).await;
        assert_eq!(
            left.iter().map(|d| d.state).collect::<Vec<_>>(),
            [DeliveryState::Dead]
        );
        assert_eq!(left[0].topic, "order.cancelled", "its event is kept");
        // A replay's bad input names its fields and changes nothing.
        let err = app
            .replay_events(
                &Ctx::system(),
                sub,
                kaidan_app::events::ReplayInput {
                    from: end,
                    to: start,
                    entity: None,
                    entity_id: Some(1),
                },
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("to:") && err.contains("entity:"), "{err}");
    })
    .await;
}

/// The JetStream server of the tests (`.ci/run` starts one), or None.
fn nats_url() -> Option<String> {
    std::env::var("KAIDAN_TEST_NATS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

#[tokio::test]
async fn int_5_events_are_published_to_jetstream_and_consumed_with_their_subjects_and_ids() {
    let Some(server) = nats_url() else {
        eprintln!("KAIDAN_TEST_NATS_URL is not set: the JetStream test does not run");
        return;
    };
    on_each_backend(|b: Backend| {
        let server = server.clone();
        async move {
            use futures::StreamExt;
            let app = app_on(&b.db, settings(quick_retries(5), 60_000)).await;
            // A stream and subjects of this test run alone.
            let stream_name = format!("KT_{}_{}", std::process::id(), b.name);
            let prefix = format!("kt{}{}", std::process::id(), b.name);
            let host = server.trim_start_matches("nats://");
            let url = format!("nats://{host}?stream={stream_name}&prefix={prefix}");
            let created = app
                .create_subscription(
                    &Ctx::system(),
                    SubscriptionInput {
                        name: "JetStream".into(),
                        url,
                        topics: vec!["order.*".into(), "shipment.*".into()],
                        customer_id: None,
                        active: true,
                    },
                )
                .await
                .unwrap();
            let start = jiff::Timestamp::now();
            append(
                &b.db,
                &[
                    ("order.approved", "order", 5),
                    ("shipment.shipped", "shipment", 9),
                    ("order.cancelled", "order", 5),
                ],
            )
            .await;
            let r = relay(&app, "node-a");
            let started = Instant::now();
            loop {
                r.pass().await.unwrap();
                let subs = app.list_subscriptions(&Ctx::system()).await.unwrap();
                if subs[0].deliveries.delivered == 3 {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(15),
                    "{}: {:?}",
                    b.name,
                    subs[0].deliveries
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // A replay publishes the same ids again: JetStream keeps one copy.
            let n = app
                .replay_events(
                    &Ctx::system(),
                    created.subscription.id,
                    kaidan_app::events::ReplayInput {
                        from: start,
                        to: jiff::Timestamp::now() + SignedDuration::from_secs(1),
                        entity: None,
                        entity_id: None,
                    },
                )
                .await
                .unwrap();
            assert_eq!(n, 3);
            loop {
                r.pass().await.unwrap();
                let subs = app.list_subscriptions(&Ctx::system()).await.unwrap();
                if subs[0].deliveries.pending == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }

            let client = async_nats::connect(host).await.unwrap();
            let js = async_nats::jetstream::new(client);
            let mut stream = js.get_stream(&stream_name).await.unwrap();
            assert_eq!(
                stream.info().await.unwrap().state.messages,
                3,
                "{}: duplicates dropped",
                b.name
            );
            let consumer: async_nats::jetstream::consumer::PullConsumer = stream
                .create_consumer(async_nats::jetstream::consumer::pull::Config::default())
                .await
                .unwrap();
            let mut messages = consumer.fetch().max_messages(3).messages().await.unwrap();
            let mut got = Vec::new();
            while let Some(m) = messages.next().await {
                let m = m.unwrap();
                let id = m
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Nats-Msg-Id"))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let body: Value = serde_json::from_slice(&m.payload).unwrap();
                assert_eq!(id, body["id"].to_string(), "the message id is the event id");
                let signed = m
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Kaidan-Signature"))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                assert!(
                    verify(
                        &created.secret,
                        &signed,
                        &m.payload,
                        jiff::Timestamp::now().as_second(),
                        DEFAULT_TOLERANCE_SECS
                    )
                    .is_ok(),
                    "signed like a webhook"
                );
                got.push(m.subject.to_string());
                m.ack().await.unwrap();
            }
            // Order 5's two events in their order; the shipment's is sent
            // beside them and may land anywhere.
            let pos = |subject: String| got.iter().position(|g| *g == subject);
            let approved = pos(format!("{prefix}.order.approved"));
            let cancelled = pos(format!("{prefix}.order.cancelled"));
            assert!(
                approved.is_some() && approved < cancelled,
                "{}: {got:?}",
                b.name
            );
            assert!(
                pos(format!("{prefix}.shipment.shipped")).is_some(),
                "{got:?}"
            );
            assert_eq!(got.len(), 3);
            js.delete_stream(&stream_name).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn int_5_without_the_events_key_a_delivery_fails_saying_so_and_sends_nothing() {
    on_each_backend(|b: Backend| async move {
        let (_, script, _) = set_up(&b, settings(quick_retries(1), 60_000), &["*"]).await;
        append(&b.db, &[("order.approved", "order", 1)]).await;
        // The same database on a node that lost its key.
        let keyless = app_on(
            &b.db,
            EventSettings {
                key: None,
                ..settings(quick_retries(1), 60_000)
            },
        )
        .await;
        let r = relay(&keyless, "node-without-key");
        let started = Instant::now();
        let dead = loop {
            r.pass().await.unwrap();
            let dead = deliveries_in(&keyless, Some(DeliveryState::Dead)).await;
            if !dead.is_empty() {
                break dead;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{}", b.name);
        };
        assert!(
            dead[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("no events key is configured")),
            "{}: {dead:?}",
            b.name
        );
        assert!(
            script.lock().unwrap().calls.is_empty(),
            "nothing unsigned is sent"
        );
    })
    .await;
}
