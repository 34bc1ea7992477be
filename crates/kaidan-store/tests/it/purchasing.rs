//! Purchasing against a real database, on SQLite always and on PostgreSQL
//! when KAIDAN_TEST_DATABASE_URL is set: purchase orders raised from
//! replenishment requests (INV-2, PUR-1), receipts that fill backorders by
//! promise date (PUR-3), confirmation and the overdue flag, and the arrival
//! notices raised exactly once by jobs on two nodes (PUR-2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_app::ports::{ArrivalNoticeRow, Store, Tx};
use kaidan_app::purchasing::ReceiptResult;
use kaidan_app::purchasing::{ConfirmPurchase, PurchaseFromRequests, PurchaseReceipt, plain_lines};
use kaidan_app::{App, AppConfig, AppError, AppResult, Ctx};
use kaidan_domain::master::*;
use kaidan_domain::orders::{
    AccountEntry, Channel, EntryKind, OrderInput, OrderLineInput, OrderStatus, company_time_zone,
};
use kaidan_domain::purchasing::{
    NewPurchaseOrder, NoticeKind, PurchaseStatus, ReceiptLineInput, ReplenishmentStatus,
};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, Role, WarehouseId};
use kaidan_store::testing::{self, Backend};
use kaidan_store::{Db, DbOptions};

use crate::support::{self, MovableClock, create, created, two_products, user, warehouse};

const DAY: i64 = 86_400;

struct World {
    app: App,
    db: Db,
    backend: &'static str,
    /// The database's URL, for a second node.
    url: String,
    clock: Arc<MovableClock>,
    franchisee: CustomerId,
    business: CustomerId,
    products: Vec<ProductId>,
    central: WarehouseId,
    other: WarehouseId,
    clerk: Ctx,
    finance: Ctx,
    buyer: Ctx,
}

fn customer(code: &str, kind: CustomerKind) -> CustomerData {
    support::customer(
        code,
        &format!("客户{code}"),
        kind,
        PaymentTerms::MonthlySettlement,
        Money::yuan(1_000_000),
    )
}

async fn world(app: App, b: Backend, clock: Arc<MovableClock>) -> World {
    let products = two_products(&app).await;
    let central = WarehouseId(create(&app, warehouse("WH", "WH", true)).await);
    let other = WarehouseId(create(&app, warehouse("SZ", "SZ", false)).await);
    let franchisee = CustomerId(create(&app, customer("FR-1", CustomerKind::Franchisee)).await);
    let business = CustomerId(create(&app, customer("BZ-1", CustomerKind::Business)).await);
    World {
        clerk: user(&app, "clerk", &[Role::OrderClerk], None).await,
        finance: user(&app, "fin", &[Role::Finance], None).await,
        buyer: user(&app, "buyer", &[Role::Procurement], None).await,
        app,
        db: b.db,
        backend: b.name,
        url: b.url,
        clock,
        franchisee,
        business,
        products,
        central,
        other,
    }
}

impl World {
    fn today(&self) -> jiff::civil::Date {
        self.app.now().to_zoned(company_time_zone()).date()
    }

    fn in_days(&self, days: i64) -> jiff::civil::Date {
        self.today() + jiff::Span::new().days(days)
    }

    fn set_clock(&self, days: i64) {
        self.clock.0.store(days * DAY, Ordering::SeqCst);
    }

    /// Places and approves an order of `quantity` of product `p`.
    async fn approved(&self, customer: CustomerId, p: usize, quantity: i64, r: &str) -> OrderView {
        let line = OrderLineInput::new(self.products[p], quantity);
        let input = OrderInput {
            contact_name: Some("王经理".into()),
            customer_reference: Some(r.into()),
            ..OrderInput::new(customer, Channel::Phone, self.today(), vec![line])
        };
        let o = created(
            self.app
                .place_order(&self.clerk, input, true, None)
                .await
                .unwrap(),
        );
        self.app.review_order(&self.clerk, o.id).await.unwrap();
        let o = self
            .app
            .finance_review(&self.finance, o.id, FinanceDecision::Pass)
            .await
            .unwrap();
        assert_eq!(o.status, OrderStatus::Approved, "{}", self.backend);
        o
    }

    /// Two approved orders "A" and "B" of `quantity` of product `p`: A
    /// created first, promised later (approved today); B created second,
    /// promised earlier (received `days` ago).
    async fn promised_out_of_order(
        &self,
        customer: CustomerId,
        p: usize,
        quantity: i64,
        days: i64,
    ) -> (OrderView, OrderView) {
        let a = self.approved(customer, p, quantity, "A").await;
        self.set_clock(-days);
        let b = self.approved(customer, p, quantity, "B").await;
        self.set_clock(0);
        (a, b)
    }

    /// Receives `quantity` on line 1 of purchase order `po`.
    async fn receive(&self, po: i64, quantity: i64) -> AppResult<ReceiptResult> {
        let lines = vec![ReceiptLineInput {
            line_no: 1,
            quantity,
        }];
        self.app
            .receive_purchase_order(&self.buyer, po, PurchaseReceipt { lines })
            .await
    }

    async fn order(&self, id: OrderId) -> OrderView {
        self.app.order(&self.clerk, id).await.unwrap()
    }

    async fn line(&self, id: OrderId) -> (i64, i64) {
        let o = self.order(id).await;
        (o.progress[0].reserved, o.progress[0].backordered)
    }

    async fn requests_of(&self, id: OrderId) -> Vec<kaidan_app::ports::ReplenishmentView> {
        self.app
            .replenishment_requests(&self.buyer, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.order_id == id)
            .collect()
    }

    async fn tx(&self) -> Box<dyn Tx> {
        self.db.read().await.unwrap()
    }

    async fn topics(&self, topic: &str) -> Vec<serde_json::Value> {
        let mut tx = self.tx().await;
        tx.outbox_pending(10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.topic == topic)
            .map(|e| e.payload)
            .collect()
    }

    async fn on_hand(&self, p: usize, w: WarehouseId) -> (i64, i64) {
        let mut tx = self.tx().await;
        tx.stock_balances_of(w, &[self.products[p]])
            .await
            .unwrap()
            .first()
            .map_or((0, 0), |b| (b.1, b.2))
    }

    /// INV-1: every balance equals the sums of its ledger entries.
    async fn ledger_holds(&self) {
        let mut tx = self.tx().await;
        let sums = tx.stock_ledger_sums().await.unwrap();
        for (p, w, on_hand, reserved) in sums {
            let b = tx.stock_balances_of(w, &[p]).await.unwrap();
            assert_eq!(b, vec![(p, on_hand, reserved)], "{}", self.backend);
        }
    }
}

/// Counts `notices` by purchase order and kind.
fn tally(notices: &[ArrivalNoticeRow]) -> impl Fn(i64, NoticeKind) -> usize + '_ {
    move |po, kind| {
        notices
            .iter()
            .filter(|n| n.purchase_order_id == po && n.kind == kind)
            .count()
    }
}

/// Runs `test` once per backend on a fresh database seeded with the
/// [`world`], the app on a clock of its own that the test moves.
async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(World) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let test = &test;
    testing::on_each_backend(|b| async move {
        let clock = Arc::new(MovableClock(AtomicI64::new(0)));
        let app = b.app(clock.clone()).await;
        test(world(app, b, clock).await).await;
    })
    .await;
}

#[tokio::test]
async fn pur_3_inv_2_receipt_fills_backorders_by_promise_date_and_closes_requests() {
    on_each_backend(|w| async move {
        let (late, early) = w.promised_out_of_order(w.business, 0, 5, 5).await;
        assert!(early.id > late.id);
        assert!(
            early.ship_due_at < late.ship_due_at,
            "{} {}",
            early.ship_due_at,
            late.ship_due_at
        );
        assert_eq!(w.line(late.id).await, (0, 5));
        assert_eq!(w.line(early.id).await, (0, 5));

        // INV-2: procurement sees both open requests and raises one PO.
        let open = w
            .app
            .replenishment_requests(&w.buyer, Some(ReplenishmentStatus::Open))
            .await
            .unwrap();
        assert_eq!(open.len(), 2, "{}", w.backend);
        let po = created(
            w.app
                .purchase_from_requests(
                    &w.buyer,
                    PurchaseFromRequests {
                        replenishment_ids: open.iter().map(|r| r.id).collect(),
                        supplier: "宁波织造厂".into(),
                        warehouse_id: None,
                        expected_arrival: w.in_days(20),
                        note: String::new(),
                    },
                    None,
                )
                .await
                .unwrap(),
        );
        assert!(
            po.number.starts_with("PO-") && po.number.ends_with("-0001"),
            "{}",
            po.number
        );
        // DOC-2: the purchase order is found by its number.
        let found = w.app.lookup_document(&w.buyer, &po.number).await.unwrap();
        assert_eq!(
            (found[0].kind, found[0].id),
            (kaidan_app::ports::DocumentKind::PurchaseOrder, po.id)
        );
        assert_eq!(po.status, PurchaseStatus::Sent);
        assert_eq!(po.warehouse_id, w.central, "default: the central warehouse");
        assert_eq!(po.lines.len(), 1);
        assert_eq!(po.lines[0].quantity, 10, "quantities summed per product");
        assert_eq!(po.lines[0].replenishment_ids.len(), 2);
        for r in w.requests_of(early.id).await {
            assert_eq!(r.status, ReplenishmentStatus::Ordered);
            assert_eq!(r.purchase_order_id, Some(po.id));
        }
        // Found by number.
        let again = w
            .app
            .purchase_order_by_number(&w.buyer, &po.number)
            .await
            .unwrap();
        assert_eq!(again.id, po.id);
        // A request already ordered cannot be ordered again.
        let err = w
            .app
            .purchase_from_requests(
                &w.buyer,
                PurchaseFromRequests {
                    replenishment_ids: vec![open[0].id],
                    supplier: "x".into(),
                    warehouse_id: None,
                    expected_arrival: w.in_days(20),
                    note: String::new(),
                },
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Invalid(v) if v.errors[0].code == "not_open"),
            "{err:?}"
        );

        // PUR-3: 7 arrive; the earliest promise gets its 5 first.
        let r = w.receive(po.id, 7).await.unwrap();
        assert_eq!(r.purchase_order.status, PurchaseStatus::PartlyReceived);
        assert_eq!(r.purchase_order.lines[0].received, 7);
        assert_eq!(r.filled.len(), 2, "{:?}", r.filled);
        assert_eq!((r.filled[0].order_id, r.filled[0].quantity), (early.id, 5));
        assert_eq!((r.filled[1].order_id, r.filled[1].quantity), (late.id, 2));
        assert_eq!(w.line(early.id).await, (5, 0));
        assert_eq!(w.line(late.id).await, (2, 3));
        assert_eq!(w.on_hand(0, w.central).await, (7, 7));
        let timeline = w.order(early.id).await.timeline;
        assert!(
            timeline.iter().any(|e| e.kind == "backorder_filled"),
            "{timeline:?}"
        );
        assert_eq!(
            w.requests_of(early.id).await[0].status,
            ReplenishmentStatus::Closed
        );
        assert!(w.requests_of(early.id).await[0].closed_at.is_some());
        assert_eq!(
            w.requests_of(late.id).await[0].status,
            ReplenishmentStatus::Ordered
        );
        let received = w.topics("stock.received").await;
        assert!(
            received
                .iter()
                .any(|p| p["source"] == po.number.as_str() && p["quantity"] == 7),
            "{received:?}"
        );

        // Over-receipt refused, the field named, nothing changed.
        let err = w.receive(po.id, 4).await.unwrap_err();
        match &err {
            AppError::Invalid(v) => {
                assert_eq!(v.errors[0].field, "lines[0].quantity");
                assert_eq!(v.errors[0].code, "over_receipt");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.on_hand(0, w.central).await, (7, 7));
        let po_now = w.app.purchase_order(&w.buyer, po.id).await.unwrap();
        assert_eq!(po_now.lines[0].received, 7);
        assert_eq!(po_now.version, r.purchase_order.version);

        // The rest arrives: the later order is filled, the PO received.
        let r = w.receive(po.id, 3).await.unwrap();
        assert_eq!(r.purchase_order.status, PurchaseStatus::Received);
        assert!(r.purchase_order.closed_at.is_some());
        assert_eq!(w.line(late.id).await, (5, 0));
        assert_eq!(
            w.requests_of(late.id).await[0].status,
            ReplenishmentStatus::Closed
        );
        // Nothing more to receive; cancelling after receipt is refused.
        assert!(
            w.app
                .cancel_purchase_order(&w.buyer, po.id, "too late")
                .await
                .is_err()
        );
        w.ledger_holds().await;
    })
    .await;
}

#[tokio::test]
async fn inv_2_free_receipt_fills_backorders_the_same_way_but_only_in_the_central_warehouse() {
    on_each_backend(|w| async move {
        let (first, earlier) = w.promised_out_of_order(w.franchisee, 1, 4, 2).await;
        let sys = Ctx::system();
        // Another warehouse: no reservation there, nothing filled.
        w.app
            .receive_stock(&sys, w.products[1], w.other, 10, "transfer")
            .await
            .unwrap();
        assert_eq!(w.line(earlier.id).await, (0, 4));
        // The central warehouse: promise order again.
        w.app
            .receive_stock(&sys, w.products[1], w.central, 6, "return")
            .await
            .unwrap();
        assert_eq!(w.line(earlier.id).await, (4, 0));
        assert_eq!(w.line(first.id).await, (2, 2));
        assert_eq!(
            w.requests_of(earlier.id).await[0].status,
            ReplenishmentStatus::Closed
        );
        assert_eq!(
            w.requests_of(first.id).await[0].status,
            ReplenishmentStatus::Open
        );
        // A cancelled order is not filled: its backorder stays out.
        w.app
            .cancel_order(&w.clerk, first.id, "withdrawn")
            .await
            .unwrap();
        w.app
            .receive_stock(&sys, w.products[1], w.central, 5, "more")
            .await
            .unwrap();
        assert_eq!(w.on_hand(1, w.central).await, (11, 4));
        w.ledger_holds().await;
    })
    .await;
}

#[tokio::test]
async fn pur_1_confirmation_new_date_overdue_flag_once_and_cancel_reopens_requests() {
    on_each_backend(|w| async move {
        let o = w.approved(w.business, 0, 3, "A").await;
        let req = w.requests_of(o.id).await[0].id;
        let mk = |lines: Vec<kaidan_domain::purchasing::PurchaseLineInput>| NewPurchaseOrder {
            supplier: "苏州面料".into(),
            warehouse_id: None,
            expected_arrival: w.in_days(30),
            note: String::new(),
            lines,
        };
        let mut covering = plain_lines(&[(w.products[0], 3)]);
        covering[0].replenishment_ids = vec![req];
        let a = created(
            w.app
                .create_purchase_order(&w.buyer, mk(covering), None)
                .await
                .unwrap(),
        );
        let b = created(
            w.app
                .create_purchase_order(&w.buyer, mk(plain_lines(&[(w.products[1], 8)])), None)
                .await
                .unwrap(),
        );
        assert!(b.number.ends_with("-0002"), "{}", b.number);
        assert_eq!(
            a.confirm_due_at,
            a.sent_at + jiff::Span::new().hours(14 * 24),
            "the supplier has two weeks"
        );
        // Bad input names the field.
        let err = w
            .app
            .create_purchase_order(&w.buyer, mk(plain_lines(&[(ProductId(999), 0)])), None)
            .await
            .unwrap_err();
        match &err {
            AppError::Invalid(v) => assert_eq!(v.errors[0].field, "lines[0].quantity"),
            other => panic!("{other:?}"),
        }
        // Only procurement (and warehouse) may write.
        assert!(matches!(
            w.app
                .create_purchase_order(&w.clerk, mk(plain_lines(&[(w.products[1], 1)])), None)
                .await,
            Err(AppError::Forbidden(_))
        ));

        // The supplier confirms A with a later date.
        let a2 = w
            .app
            .confirm_purchase_order(
                &w.buyer,
                a.id,
                ConfirmPurchase {
                    expected_arrival: Some(w.in_days(35)),
                    note: "船期推迟".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(a2.status, PurchaseStatus::Confirmed);
        assert_eq!(a2.expected_arrival, w.in_days(35));
        assert!(
            w.app
                .confirm_purchase_order(&w.buyer, a.id, ConfirmPurchase::default())
                .await
                .is_err()
        );

        // Fifteen days later B is unconfirmed: overdue, flagged once.
        w.set_clock(15);
        let list = w
            .app
            .purchase_orders(&w.buyer, None, None, None)
            .await
            .unwrap();
        assert!(list.iter().find(|p| p.id == b.id).unwrap().overdue);
        assert!(!list.iter().find(|p| p.id == a.id).unwrap().overdue);
        w.app.run_due_jobs("node-a").await.unwrap();
        w.set_clock(16);
        w.app.run_due_jobs("node-a").await.unwrap();
        let flagged = w.topics("po.confirmation_overdue").await;
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!(flagged[0]["id"], b.id);
        let b2 = w.app.purchase_order(&w.buyer, b.id).await.unwrap();
        assert!(b2.overdue_flagged_at.is_some());
        let jobs = w.app.jobs(&w.buyer).await.unwrap();
        let overdue_job = jobs
            .iter()
            .find(|j| j.name == "po_confirmation_overdue")
            .unwrap();
        assert_eq!(overdue_job.runs, 2);
        assert_eq!(overdue_job.last_node.as_deref(), Some("node-a"));

        // Cancel A: its request is open again.
        let a3 = w
            .app
            .cancel_purchase_order(&w.buyer, a.id, "供应商停产")
            .await
            .unwrap();
        assert_eq!(a3.status, PurchaseStatus::Cancelled);
        let r = &w.requests_of(o.id).await[0];
        assert_eq!(
            (r.status, r.purchase_order_id),
            (ReplenishmentStatus::Open, None)
        );
        assert!(
            w.app
                .cancel_purchase_order(&w.buyer, b.id, " ")
                .await
                .is_err(),
            "a reason is needed"
        );
    })
    .await;
}

#[tokio::test]
async fn pur_2_notices_exactly_once_across_two_nodes() {
    on_each_backend(|w| async move {
        let (backend, clock) = (w.backend, w.clock.clone());
        // A prepaying franchisee without credit waits for 5 × P-1 on
        // backorder; it has deposited 100 yuan.
        let mut prepaying = customer("FR-2", CustomerKind::Franchisee);
        prepaying.payment_terms = PaymentTerms::Prepayment;
        prepaying.credit_limit = Money::ZERO;
        let fr =
            CustomerId(created(w.app.create(&Ctx::system(), prepaying, None).await.unwrap()).id);
        let o = w.approved(fr, 0, 5, "F").await;
        w.app
            .post_account_entry(
                &w.finance,
                fr,
                AccountEntry::new(EntryKind::Deposit, Money::yuan(100), None),
            )
            .await
            .unwrap();

        let business = w.approved(w.business, 0, 2, "B").await;
        let mk = |days: i64, p: usize, q: i64| NewPurchaseOrder {
            supplier: "宁波织造厂".into(),
            warehouse_id: None,
            expected_arrival: w.in_days(days),
            note: String::new(),
            lines: plain_lines(&[(w.products[p], q)]),
        };
        let soon = created(
            w.app
                .create_purchase_order(&w.buyer, mk(10, 0, 10), None)
                .await
                .unwrap(),
        );
        let later = created(
            w.app
                .create_purchase_order(&w.buyer, mk(20, 1, 4), None)
                .await
                .unwrap(),
        );
        let closest = created(
            w.app
                .create_purchase_order(&w.buyer, mk(5, 1, 2), None)
                .await
                .unwrap(),
        );

        // A second node: its own connection pool on the same database.
        let db2 = Db::connect(&w.url, &DbOptions::default()).await.unwrap();
        let node2 = App::new(Arc::new(db2.clone()), clock.clone(), AppConfig::default());
        let mut handles = Vec::new();
        for i in 0..8 {
            let a = if i % 2 == 0 {
                w.app.clone()
            } else {
                node2.clone()
            };
            let name = if i % 2 == 0 { "node-1" } else { "node-2" };
            handles.push(tokio::spawn(async move { a.run_due_jobs(name).await }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        let notices = w.app.arrival_notices(&w.buyer, None, None).await.unwrap();
        let count = tally(&notices);
        assert_eq!(count(soon.id, NoticeKind::Funds), 1, "{backend}");
        assert_eq!(
            count(soon.id, NoticeKind::Receiving),
            0,
            "{backend}: 10 days out"
        );
        assert_eq!(
            count(closest.id, NoticeKind::Funds),
            1,
            "{backend}: created late, not skipped"
        );
        assert_eq!(count(closest.id, NoticeKind::Receiving), 1, "{backend}");
        assert_eq!(count(later.id, NoticeKind::Funds), 0, "{backend}");
        assert_eq!(w.topics("arrival.notice").await.len(), 3, "{backend}");
        let jobs = w.app.jobs(&w.buyer).await.unwrap();
        assert!(jobs.iter().all(|j| j.runs == 1), "{backend}: {jobs:?}");

        // The funds task list: the franchisee's backorder that this arrival
        // fills (promise order), its available funds, the shortfall; the
        // business customer is not a franchisee and is left out.
        let funds = notices
            .iter()
            .find(|n| n.purchase_order_id == soon.id && n.kind == NoticeKind::Funds)
            .unwrap();
        assert_eq!(
            funds.content.funds.len(),
            1,
            "{backend}: {:?}",
            funds.content
        );
        let task = &funds.content.funds[0];
        let view = w.order(o.id).await;
        let needed = view.content.lines[0].unit_price.times(5);
        assert_eq!(task.customer_id, fr);
        assert_eq!(task.order_ids, vec![o.id]);
        assert_eq!(task.needed, needed);
        // It has paid 100 and has no credit; its order's commitment is not
        // counted against it a second time: ask for the rest.
        assert_eq!(task.available, Money::yuan(100));
        assert_eq!(task.shortfall, needed - Money::yuan(100));
        assert!(task.shortfall.is_positive(), "{backend}: {task:?}");
        let _ = business;

        // Six days on: the receiving notice of `soon` (7 days before) and
        // the funds notice of `later` (15 days before) are due; again on
        // both nodes at once, again exactly once.
        clock.0.store(6 * DAY, Ordering::SeqCst);
        let (a, b) = tokio::join!(w.app.run_due_jobs("node-1"), node2.run_due_jobs("node-2"));
        a.unwrap();
        b.unwrap();
        let (a, b) = tokio::join!(w.app.run_due_jobs("node-1"), node2.run_due_jobs("node-2"));
        a.unwrap();
        b.unwrap();
        let notices = w.app.arrival_notices(&w.buyer, None, None).await.unwrap();
        let count = tally(&notices);
        assert_eq!(count(soon.id, NoticeKind::Receiving), 1, "{backend}");
        assert_eq!(count(later.id, NoticeKind::Funds), 1, "{backend}");
        assert_eq!(count(later.id, NoticeKind::Receiving), 0, "{backend}");
        assert_eq!(notices.len(), 5, "{backend}");
        assert_eq!(w.topics("arrival.notice").await.len(), 5, "{backend}");
        let receiving = notices
            .iter()
            .find(|n| n.purchase_order_id == soon.id && n.kind == NoticeKind::Receiving)
            .unwrap();
        assert_eq!(receiving.content.receiving[0].quantity, 10);
        assert_eq!(receiving.content.receiving[0].sku, "P-1");
        let jobs = w.app.jobs(&w.buyer).await.unwrap();
        assert!(jobs.iter().all(|j| j.runs == 2), "{backend}: {jobs:?}");
        // Run now (operations) needs jobs.run.
        assert!(matches!(
            w.app.run_job_now(&w.buyer, "arrival_notices", "ops").await,
            Err(AppError::Forbidden(_))
        ));
        let run = w
            .app
            .run_job_now(&Ctx::system(), "arrival_notices", "ops")
            .await
            .unwrap();
        assert!(run.outcome.starts_with("ok: 0"), "{run:?}");
        db2.close().await;
    })
    .await;
}

/// A job row this version does not know is run as a failure that names the
/// job, recorded in the schedule, and does not stop the known jobs
/// (issue 14, item 10).
#[tokio::test]
async fn a_job_of_unknown_name_is_an_error_that_names_it() {
    on_each_backend(|w| async move {
        let backend = w.backend;
        let mut tx = w.db.write().await.unwrap();
        let now = kaidan_app::clock::Clock::now(w.clock.as_ref());
        tx.job_ensure("retired_job", 3600, now).await.unwrap();
        tx.commit().await.unwrap();
        let runs = w.app.run_due_jobs("node-a").await.unwrap();
        let retired = runs.iter().find(|r| r.name == "retired_job");
        let retired = retired.unwrap_or_else(|| panic!("{backend}: {runs:?}"));
        assert!(
            retired.outcome.starts_with("error: ") && retired.outcome.contains("'retired_job'"),
            "{backend}: {retired:?}"
        );
        assert!(
            runs.iter()
                .filter(|r| r.name != "retired_job")
                .all(|r| r.outcome.starts_with("ok: ")),
            "{backend}: {runs:?}"
        );
        let jobs = w.app.jobs(&w.buyer).await.unwrap();
        let row = jobs.iter().find(|j| j.name == "retired_job").unwrap();
        assert!(
            row.last_outcome
                .as_deref()
                .is_some_and(|o| o.contains("unknown job")),
            "{backend}: {row:?}"
        );
    })
    .await;
}

/// Issue 24, item 2: the job schedule is data, the same for every node. A
/// node configured with another interval no longer rewrites it; a change
/// (checked, audited) applies at once, counted from the last run; a paused
/// job is not run on schedule; "run now" asked of a node that runs no jobs
/// is queued and run once by a node that does, the job staying paused.
#[tokio::test]
async fn ops_2_the_job_schedule_is_data_the_same_for_every_node() {
    use kaidan_app::jobs::{ARRIVAL_NOTICES, DUNNING, JobsNode, audit_number};
    use kaidan_domain::schedule::ScheduleChange;
    on_each_backend(|w| async move {
        let backend = w.backend;
        let admin = user(&w.app, "ops", &[Role::Admin], None).await;
        let every = |runs: &[kaidan_app::jobs::JobRun]| {
            runs.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            w.app.run_due_jobs("node-a").await.unwrap().len(),
            8,
            "{backend}"
        );

        // Node b: another interval in its configuration, and no jobs.
        let db2 = Db::connect(&w.url, &DbOptions::default()).await.unwrap();
        let config = AppConfig {
            job_interval_seconds: 60,
            node: JobsNode {
                name: "node-b".into(),
                runs_jobs: false,
            },
            ..AppConfig::default()
        };
        let node_b = App::new(Arc::new(db2.clone()), w.clock.clone(), config);
        assert!(node_b.run_due_jobs("node-b").await.unwrap().is_empty());
        let jobs = w.app.jobs(&admin).await.unwrap();
        assert!(
            jobs.iter()
                .all(|j| j.interval_seconds == 300 && j.runs == 1 && !j.paused),
            "{backend}: {jobs:?}"
        );

        // Bad changes name the field and change nothing.
        let change = |interval_seconds, paused| ScheduleChange {
            interval_seconds,
            paused,
        };
        let e = node_b
            .set_job_schedule(&admin, DUNNING, change(Some(0), Some(true)))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid(v) if v.errors[0].field == "interval_seconds"),
            "{e:?}"
        );
        assert!(matches!(
            node_b
                .set_job_schedule(&admin, "no_such_job", change(Some(60), None))
                .await,
            Err(AppError::NotFound { .. })
        ));
        assert!(matches!(
            node_b
                .set_job_schedule(&w.clerk, DUNNING, change(Some(60), None))
                .await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(w.app.jobs(&admin).await.unwrap(), jobs, "{backend}");

        // A shorter interval counts from the last run: due 60 s after it.
        let row = node_b
            .set_job_schedule(&admin, ARRIVAL_NOTICES, change(Some(60), None))
            .await
            .unwrap();
        assert_eq!(
            row.next_run_at,
            row.last_run_at.unwrap() + jiff::SignedDuration::from_secs(60)
        );
        w.clock.0.store(61, Ordering::SeqCst);
        let runs = w.app.run_due_jobs("node-a").await.unwrap();
        assert_eq!(every(&runs), [ARRIVAL_NOTICES], "{backend}");

        // Paused: not run on schedule, by any node.
        let row = node_b
            .set_job_schedule(&admin, ARRIVAL_NOTICES, change(None, Some(true)))
            .await
            .unwrap();
        assert!(row.paused && row.interval_seconds == 60);
        w.clock.0.store(200, Ordering::SeqCst);
        assert!(w.app.run_due_jobs("node-a").await.unwrap().is_empty());

        // "Run now" on node b: queued; node a runs it once; still paused.
        let queued = node_b
            .request_job_run(&admin, ARRIVAL_NOTICES)
            .await
            .unwrap();
        assert!(
            queued.queued && queued.outcome.starts_with("queued") && queued.node == "node-b",
            "{queued:?}"
        );
        assert_eq!(
            every(&w.app.run_due_jobs("node-a").await.unwrap()),
            [ARRIVAL_NOTICES]
        );
        assert!(w.app.run_due_jobs("node-a").await.unwrap().is_empty());
        let jobs = w.app.jobs(&admin).await.unwrap();
        let row = jobs.iter().find(|j| j.name == ARRIVAL_NOTICES).unwrap();
        assert_eq!(
            (
                row.runs,
                row.paused,
                row.run_requested,
                row.last_node.as_deref()
            ),
            (3, true, false, Some("node-a")),
            "{backend}: {row:?}"
        );
        // On a node that runs jobs, "run now" runs at once.
        let ran = w.app.request_job_run(&admin, DUNNING).await.unwrap();
        assert!(!ran.queued && ran.outcome.starts_with("ok"), "{ran:?}");

        // Audited: the two changes and the request, by whom.
        let trail = w
            .app
            .audit_of(&admin, "job", audit_number(ARRIVAL_NOTICES))
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["run_requested", "schedule", "schedule"],
            "{backend}"
        );
        assert!(trail.iter().all(|e| e.actor_name == "ops"));
        assert!(
            trail[2]
                .changes
                .iter()
                .any(|c| c.field == "interval_seconds"
                    && c.before.as_deref() == Some("300")
                    && c.after.as_deref() == Some("60"))
        );
        db2.close().await;
    })
    .await;
}
