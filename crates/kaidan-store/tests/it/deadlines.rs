//! Deadlines and the order of service on SQLite always and on PostgreSQL
//! when KAIDAN_TEST_DATABASE_URL is set: both deadlines recorded met or
//! missed per order (ORD-6, KPI-2), a partly shipped order kept on the
//! watch list, important orders first (ORD-8), and backorders filled by
//! promised date (INV-2, PUR-3).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;

use jiff::{SignedDuration, Timestamp};
use kaidan_app::Ctx;
use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_domain::fulfilment::{PickedInput, ShipInput};
use kaidan_domain::master::{CustomerKind, PaymentTerms};
use kaidan_domain::orders::{
    DeadlineKind, DeadlineRecord, DeadlineState, OrderStatus, company_time_zone,
};
use kaidan_domain::{CustomerId, Money, OrderId, Role};

use crate::support::*;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Places an order for `customer` of (product, quantity) lines, important
/// or not, with an optional requested delivery date `days` after today.
async fn place_for(
    w: &World,
    customer: CustomerId,
    lines: &[(usize, i64)],
    important: bool,
    requested_in_days: Option<i64>,
) -> OrderView {
    let today = w.app.now().to_zoned(company_time_zone()).date();
    let mut i = input(w, lines, "PO-D");
    i.customer_id = customer;
    i.order_date = today;
    i.priority = important;
    i.requested_delivery_date = requested_in_days.map(|d| today + jiff::Span::new().days(d));
    created(w.app.place_order(&w.clerk, i, true, None).await.unwrap())
}

async fn approve(w: &World, id: OrderId) -> OrderView {
    w.app.review_order(&w.clerk, id).await.unwrap();
    let o = w
        .app
        .finance_review(&w.finance, id, FinanceDecision::Pass)
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Approved, "{}", w.backend);
    o
}

async fn view(w: &World, id: OrderId) -> OrderView {
    w.app.order(&w.clerk, id).await.unwrap()
}

/// Lists what order `id` has reserved, picks all of it and ships it.
async fn pick_and_ship(w: &World, wh: &Ctx, id: OrderId) {
    let list = w.app.create_pick_lists(wh, &[id]).await.unwrap().remove(0);
    let picked: Vec<_> = list
        .lines
        .iter()
        .map(|l| PickedInput {
            line_no: l.line_no,
            picked: l.quantity,
        })
        .collect();
    w.app.confirm_pick(wh, list.id, &picked, 1).await.unwrap();
    let eta = w.app.now().to_zoned(company_time_zone()).date() + jiff::Span::new().days(3);
    let input = ShipInput {
        carrier: "顺丰速运".into(),
        tracking_no: format!("SF{}", id.get()),
        eta,
        packages: None,
    };
    w.app.ship(wh, list.id, &input).await.unwrap();
}

/// Whole minutes from `due` to `done`, any part of a minute counted.
fn late(due: Timestamp, done: Timestamp) -> i64 {
    let micros = done.duration_since(due).as_micros();
    i64::try_from((micros + 59_999_999) / 60_000_000).unwrap()
}

fn record(o: &OrderView, kind: DeadlineKind) -> Option<DeadlineRecord> {
    o.deadlines.iter().find(|r| r.kind == kind).cloned()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// ORD-6, KPI-2: the review deadline is recorded when the order is
/// approved and the ship deadline when its last line ships, met or missed
/// with the minutes late; a cancelled order records none. The watch list
/// keeps a partly shipped order whose rest is overdue (ORD-6) and lists
/// important orders first (ORD-8).
#[tokio::test]
async fn ord_6_kpi_2_both_deadlines_recorded_and_partly_shipped_orders_watched() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, clock, _b| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let set = |secs: i64| clock.0.store(secs, Ordering::SeqCst);
            let c = w.customer;
            // On time: approved and shipped at once.
            let a = place_for(&w, c, &[(0, 2)], false, None).await;
            approve(&w, a.id).await;
            pick_and_ship(&w, &wh, a.id).await;
            // Partly shipped: 10 of 15 reserved and shipped, 5 backordered.
            let d = place_for(&w, c, &[(1, 15)], false, None).await;
            approve(&w, d.id).await;
            pick_and_ship(&w, &wh, d.id).await;
            let b = place_for(&w, c, &[(0, 2)], false, None).await;
            let cancelled = place_for(&w, c, &[(0, 1)], false, None).await;
            // Five hours later: B's review is an hour late.
            set(5 * HOUR);
            approve(&w, b.id).await;
            w.app
                .cancel_order(&w.clerk, cancelled.id, "customer withdrew")
                .await
                .unwrap();
            // Twenty days later: B ships late; E, important, arrives.
            set(20 * DAY);
            pick_and_ship(&w, &wh, b.id).await;
            let e = place_for(&w, c, &[(0, 1)], true, None).await;
            approve(&w, e.id).await;

            let a = view(&w, a.id).await;
            assert_eq!(a.status, OrderStatus::Shipped, "{}", w.backend);
            let review = record(&a, DeadlineKind::Review).unwrap();
            let ship = record(&a, DeadlineKind::Ship).unwrap();
            assert!(review.met && ship.met, "{:?}", a.deadlines);
            assert_eq!((review.late_minutes, ship.late_minutes), (0, 0));
            assert_eq!(review.due_at, ts(&a.review_due_at));
            assert_eq!(ship.due_at, ts(&a.ship_due_at));
            assert!(ship.completed_at >= review.completed_at);

            let b = view(&w, b.id).await;
            let review = record(&b, DeadlineKind::Review).unwrap();
            let ship = record(&b, DeadlineKind::Ship).unwrap();
            assert!(!review.met && !ship.met, "{:?}", b.deadlines);
            assert_eq!(b.review_met, Some(false));
            assert!(review.late_minutes >= 60, "{review:?}");
            assert_eq!(
                review.late_minutes,
                late(review.due_at, review.completed_at)
            );
            assert!(ship.late_minutes > 10 * 24 * 60, "{ship:?}");
            assert_eq!(ship.late_minutes, late(ship.due_at, ship.completed_at));
            // Stored to the microsecond, read back the same.
            assert!(
                ship.completed_at.duration_since(ship.due_at) > SignedDuration::from_hours(24 * 10)
            );

            let cancelled = view(&w, cancelled.id).await;
            assert!(cancelled.deadlines.is_empty(), "{:?}", cancelled.deadlines);

            let d = view(&w, d.id).await;
            assert_eq!(d.status, OrderStatus::PartlyShipped, "{}", w.backend);
            assert_eq!(d.deadlines.len(), 1, "the ship deadline is still open");
            assert!(record(&d, DeadlineKind::Review).unwrap().met);

            // The watch list: D's rest is overdue; E is pending, so only
            // the full list shows it, before D as it is important.
            let list = w.app.deadline_watch_list(&w.clerk, false).await.unwrap();
            let ids = |rows: &[kaidan_app::ports::OrderRow]| {
                rows.iter().map(|r| r.id).collect::<Vec<_>>()
            };
            assert_eq!(ids(&list.ship), vec![d.id], "{}", w.backend);
            assert!(list.review.is_empty());
            let d_row = &list.ship[0];
            assert_eq!(
                list.watch
                    .states(&kaidan_app::orders::deadlines::DeadlineFacts::of(d_row))
                    .ship,
                Some(DeadlineState::Overdue)
            );
            let all = w.app.deadline_watch_list(&w.clerk, true).await.unwrap();
            assert_eq!(ids(&all.ship), vec![e.id, d.id], "{}", w.backend);
            // Lists show a decided ship deadline as met or missed.
            let rows = w
                .app
                .orders(&w.clerk, kaidan_app::ports::OrderQuery::default())
                .await
                .unwrap();
            let ship_met = |id: OrderId| rows.iter().find(|r| r.id == id).unwrap().ship_met;
            assert_eq!(ship_met(a.id), Some(true));
            assert_eq!(ship_met(b.id), Some(false));
            assert_eq!(ship_met(d.id), None);
        },
    )
    .await;
}

/// A business customer, whose backorders arriving goods fill directly
/// (franchisees wait for the allocation run).
async fn business(w: &World) -> CustomerId {
    let data = customer(
        "BZ-1",
        "企业客户",
        CustomerKind::Business,
        PaymentTerms::MonthlySettlement,
        Money::yuan(1_000_000),
    );
    CustomerId(create(&w.app, data).await)
}

/// (reserved, backordered) of the order's first line.
async fn line(w: &World, id: OrderId) -> (i64, i64) {
    let o = view(w, id).await;
    (o.progress[0].reserved, o.progress[0].backordered)
}

/// INV-2, PUR-3, ORD-8: arriving goods fill backorders by promised date
/// (the requested delivery date, else the ship deadline's date), then
/// important orders first, then the earlier receipt — not by the ship
/// deadline the receipt time set. A change of the requested date (a new
/// version, CHG-2) moves the order.
#[tokio::test]
async fn inv_2_ord_8_backorders_fill_by_promised_date_then_priority_then_receipt() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, clock, _b| async move {
            let c = business(&w).await;
            // Today: a normal order wanted in 30 days, a normal order and
            // an important one wanted as soon as possible (promised for
            // their ship deadline's date, the same for both).
            let later = place_for(&w, c, &[(0, 5)], false, Some(30)).await;
            let normal = place_for(&w, c, &[(0, 5)], false, None).await;
            let important = place_for(&w, c, &[(0, 5)], true, None).await;
            // Tomorrow: an order wanted the day after, before the others'
            // ship deadlines, though its own ship deadline is the latest.
            clock.0.store(DAY, Ordering::SeqCst);
            let soon = place_for(&w, c, &[(0, 5)], false, Some(1)).await;
            for o in [&later, &normal, &important, &soon] {
                approve(&w, o.id).await;
                assert_eq!(line(&w, o.id).await, (0, 5), "{}", w.backend);
            }
            // CHG-2: the customer of the first order now wants it as soon
            // as possible; the new version is promised for its ship
            // deadline's date, like the other two, and it came in first.
            let req = serde_json::from_value(serde_json::json!({"reason": "客户要求尽快发货",
                "changes": [{"kind": "date", "requested_delivery_date": null}]}))
            .unwrap();
            let c = w.app.request_change(&w.clerk, later.id, req).await.unwrap();
            approve_change(&w, &c).await;
            let changed = view(&w, later.id).await;
            assert_eq!(changed.order_version, 2, "{}", w.backend);
            assert_eq!(changed.content.requested_delivery_date, None);
            assert_eq!(line(&w, later.id).await, (0, 5));
            let expected = [soon.id, important.id, later.id, normal.id];
            for n in 0..expected.len() {
                receive(&w, 0, w.warehouse, 5, &format!("arrival {n}")).await;
                for (m, other) in expected.iter().enumerate() {
                    let want = if m <= n { (5, 0) } else { (0, 5) };
                    assert_eq!(
                        line(&w, *other).await,
                        want,
                        "{}: after arrival {n}, order {m} of the promise order",
                        w.backend
                    );
                }
            }
        },
    )
    .await;
}

/// ORD-8: the shipping plan lists important orders first, and pick lists
/// made together are numbered important order first, whatever order the
/// ids came in and though its ship deadline is later.
#[tokio::test]
async fn ord_8_shipping_plan_and_pick_lists_put_important_orders_first() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, clock, _b| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let normal = place_for(&w, w.customer, &[(0, 2)], false, None).await;
            approve(&w, normal.id).await;
            // A week later: its ship deadline is later whatever the weekday.
            clock.0.store(7 * DAY, Ordering::SeqCst);
            let important = place_for(&w, w.customer, &[(1, 2)], true, None).await;
            approve(&w, important.id).await;
            let important = view(&w, important.id).await;
            assert!(ts(&important.ship_due_at) > ts(&normal.ship_due_at));

            let plan = w.app.shipping_plan(&wh).await.unwrap();
            let order: Vec<OrderId> = plan.iter().map(|l| l.order_id).collect();
            assert_eq!(order, vec![important.id, normal.id], "{}", w.backend);

            let lists = w
                .app
                .create_pick_lists(&wh, &[normal.id, important.id])
                .await
                .unwrap();
            let made: Vec<OrderId> = lists.iter().map(|l| l.order_id).collect();
            assert_eq!(made, vec![important.id, normal.id], "{}", w.backend);
            assert!(lists[0].number < lists[1].number, "{lists:?}");
        },
    )
    .await;
}
