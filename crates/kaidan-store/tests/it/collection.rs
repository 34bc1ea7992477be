//! Dunning, collection actions and statements of account in the store and
//! the use cases (FIN-4), on SQLite always and on PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set: a customer's notice of a period is
//! stored once, also when two nodes run the month-end job at once and
//! finance runs the period too; promises kept and broken; a statement's
//! opening, movements and closing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::finance::{now, plain_invoice};
use crate::support;

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::ports::{NoticeFilter, Store};
use kaidan_app::{App, AppConfig, Ctx};
use kaidan_domain::finance::{
    CollectionInput, CollectionKind, ConfirmationInput, ConfirmationStatus, DunningLevel,
    DunningThresholds, Period, PromiseState, Receipt, ReceiptStatus, StatementEntryKind, notice_of,
    period_due,
};
use kaidan_domain::master::{CustomerData, CustomerKind, PaymentMethod, PaymentTerms};
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{CustomerId, Money, Role, UserId};
use kaidan_store::{Db, DbOptions};
use support::*;

fn clock_today(app: &App) -> Date {
    app.now().to_zoned(company_time_zone()).date()
}

fn receipt(
    number: &str,
    customer: CustomerId,
    yuan: i64,
    on: Date,
    status: ReceiptStatus,
) -> Receipt {
    Receipt {
        id: 0,
        number: number.into(),
        customer_id: customer,
        payer: "加盟店".into(),
        method: PaymentMethod::BankTransfer,
        amount: Money::yuan(yuan),
        applied: Money::ZERO,
        received_on: on,
        bank_reference: Some("TX".into()),
        note: None,
        status,
        registered_by: UserId(1),
        registered_by_name: "fin".into(),
        registered_at: now(),
        decided_by_name: None,
        decided_at: (status == ReceiptStatus::Reversed).then(now),
        decision_note: None,
        voucher: None,
    }
}

async fn topics(db: &Db, topic: &str) -> usize {
    let mut tx = db.read().await.unwrap();
    tx.outbox_pending(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.topic == topic)
        .count()
}

/// A second customer, whose sales rep is `rep`.
async fn customer_of(app: &App, code: &str, rep: Option<UserId>) -> CustomerId {
    let c = CustomerData {
        sales_rep_id: rep,
        ..customer(
            code,
            "二号客户",
            CustomerKind::Franchisee,
            PaymentTerms::MonthlySettlement,
            Money::yuan(100_000),
        )
    };
    CustomerId(create(app, c).await)
}

#[tokio::test]
async fn fin_4_a_notice_is_stored_once_per_customer_and_period() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let p = Period::parse("period", "2026-03").unwrap();
            let mut tx = b.db.write().await.unwrap();
            // Due 2026-01-31 (59 days before the period's last day) and 2026-03-21.
            tx.invoice_insert(&plain_invoice(
                "INV-D1",
                w.customer,
                "2026-01-01".parse().unwrap(),
                100,
            ))
            .await
            .unwrap()
            .unwrap();
            tx.invoice_insert(&plain_invoice(
                "INV-D2",
                w.customer,
                "2026-02-19".parse().unwrap(),
                50,
            ))
            .await
            .unwrap()
            .unwrap();
            // Issued after the period: not on its notice.
            tx.invoice_insert(&plain_invoice(
                "INV-D3",
                w.customer,
                "2026-04-02".parse().unwrap(),
                70,
            ))
            .await
            .unwrap()
            .unwrap();
            let items = tx.receivables_as_of(p.last_day(), None).await.unwrap();
            assert_eq!(items.len(), 2, "{name}: {items:?}");
            let draft =
                notice_of(w.customer, None, p, &items, &DunningThresholds::default()).unwrap();
            assert_eq!(
                (draft.level, draft.overdue, draft.oldest_days),
                (DunningLevel::Manager, Money::yuan(150), 59),
                "{name}"
            );
            let first = tx
                .dunning_notice_insert(&draft, now(), "system")
                .await
                .unwrap();
            assert!(first.is_some(), "{name}");
            let again = tx
                .dunning_notice_insert(&draft, now(), "system")
                .await
                .unwrap();
            assert_eq!(again, None, "{name}: the second insert is skipped");
            // Another period is another notice.
            let april = Period::parse("period", "2026-04").unwrap();
            let items = tx.receivables_as_of(april.last_day(), None).await.unwrap();
            let d2 = notice_of(
                w.customer,
                None,
                april,
                &items,
                &DunningThresholds::default(),
            )
            .unwrap();
            assert!(
                tx.dunning_notice_insert(&d2, now(), "system")
                    .await
                    .unwrap()
                    .is_some(),
                "{name}"
            );
            let list = tx
                .dunning_notices(&NoticeFilter {
                    period: Some(p),
                    limit: 10,
                    ..NoticeFilter::default()
                })
                .await
                .unwrap();
            assert_eq!(list.len(), 1, "{name}");
            assert_eq!(list[0].invoices.len(), 2);
            assert_eq!(list[0].invoices[0].number, "INV-D1");
            assert_eq!(list[0].escalated_to, [Role::SalesManager]);
            assert_eq!(list[0].customer, "FR-1 加盟商一");
            tx.commit().await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn fin_4_the_month_end_job_on_two_nodes_raises_each_notice_once() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, clock, b| async move {
            let name = b.name;
            let rep = user(&w.app, "rep-wang", &[Role::SalesRep], None).await;
            let other = customer_of(&w.app, "FR-2", Some(rep.actor.user_id)).await;
            let p = period_due(clock_today(&w.app));
            let last = p.last_day();
            {
                let mut tx = b.db.write().await.unwrap();
                // 10 days overdue on the last day (due 30 days after issue).
                let on = last.checked_sub(40.days()).unwrap();
                tx.invoice_insert(&plain_invoice("INV-J1", w.customer, on, 100))
                    .await
                    .unwrap()
                    .unwrap();
                // 100 days overdue: legal.
                let on = last.checked_sub(130.days()).unwrap();
                tx.invoice_insert(&plain_invoice("INV-J2", other, on, 300))
                    .await
                    .unwrap()
                    .unwrap();
                // Not yet due on the last day.
                tx.invoice_insert(&plain_invoice(
                    "INV-J3",
                    other,
                    last.checked_sub(5.days()).unwrap(),
                    999,
                ))
                .await
                .unwrap()
                .unwrap();
                tx.commit().await.unwrap();
            }
            let db2 = Db::connect(&b.url, &DbOptions::default()).await.unwrap();
            let node2 = App::new(Arc::new(db2), clock.clone(), AppConfig::default());
            for _ in 0..2 {
                let (x, y) =
                    tokio::join!(w.app.run_due_jobs("node-1"), node2.run_due_jobs("node-2"));
                x.unwrap();
                y.unwrap();
            }
            let all = w
                .app
                .dunning_notices(
                    &w.finance,
                    NoticeFilter {
                        period: Some(p),
                        limit: 100,
                        ..NoticeFilter::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(all.len(), 2, "{name}: {all:?}");
            assert_eq!(topics(&b.db, "dunning.raised").await, 2, "{name}");
            let legal = all.iter().find(|n| n.customer_id == other).unwrap();
            assert_eq!(
                (legal.level, legal.overdue, legal.oldest_days),
                (DunningLevel::Legal, Money::yuan(300), 100),
                "{name}"
            );
            assert_eq!(legal.sales_rep_id, Some(rep.actor.user_id));
            assert!(legal.sales_rep.is_some(), "{name}: the rep's name");
            assert_eq!(legal.escalated_to, [Role::SalesManager, Role::Legal]);
            let reminder = all.iter().find(|n| n.customer_id == w.customer).unwrap();
            assert_eq!(
                (reminder.level, reminder.oldest_days),
                (DunningLevel::Reminder, 10)
            );
            // The rep sees his customer's notice only.
            let mine = w
                .app
                .dunning_notices(
                    &rep,
                    NoticeFilter {
                        limit: 100,
                        ..NoticeFilter::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                mine.iter().map(|n| n.customer_id).collect::<Vec<_>>(),
                [other],
                "{name}"
            );
            // Finance running the period again, and both nodes at once a day
            // later: nothing new.
            let run = w.app.run_dunning(&w.finance, p).await.unwrap();
            assert_eq!((run.raised, run.notices.len()), (0, 2), "{name}");
            clock
                .0
                .fetch_add(86_400, std::sync::atomic::Ordering::SeqCst);
            let (x, y) = tokio::join!(w.app.run_due_jobs("node-1"), node2.run_due_jobs("node-2"));
            x.unwrap();
            y.unwrap();
            assert_eq!(topics(&b.db, "dunning.raised").await, 2, "{name}");
            let jobs = w.app.jobs(&Ctx::system()).await.unwrap();
            let job = jobs.iter().find(|j| j.name == "dunning").unwrap();
            assert_eq!(
                job.runs, 2,
                "{name}: once per due time, on one node: {job:?}"
            );
            // The running month has not ended: finance cannot raise it.
            let this = Period::of(clock_today(&w.app));
            let e = w
                .app
                .run_dunning(&w.finance, this)
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains("period"), "{e}");
            // A rep may not run dunning.
            assert!(w.app.run_dunning(&rep, p).await.is_err());
        },
    )
    .await;
}

#[tokio::test]
async fn fin_4_a_promise_with_too_little_money_since_is_broken() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let today = clock_today(&w.app);
            let days = |n: i64| today.checked_sub(n.days()).unwrap();
            let promise = |made: i64, by: i64, yuan: i64| CollectionInput {
                kind: CollectionKind::Promise,
                happened_on: Some(days(made)),
                outcome: "客户承诺付款".into(),
                promise_date: Some(days(by)),
                promise_amount: Some(Money::yuan(yuan)),
            };
            let broken = w
                .app
                .record_collection_action(&w.finance, w.customer, &promise(10, 2, 100))
                .await
                .unwrap();
            assert_eq!(
                broken.promise_state,
                Some(PromiseState::Broken),
                "{name}: nothing came"
            );
            let open = w
                .app
                .record_collection_action(&w.finance, w.customer, &promise(3, -5, 30))
                .await
                .unwrap();
            assert_eq!(open.promise_state, Some(PromiseState::Open), "{name}");
            let call = CollectionInput {
                kind: CollectionKind::Call,
                happened_on: None,
                outcome: "电话无人接听".into(),
                promise_date: None,
                promise_amount: None,
            };
            w.app
                .record_collection_action(&w.finance, w.customer, &call)
                .await
                .unwrap();
            {
                let mut tx = b.db.write().await.unwrap();
                // 40 verified since the first promise (not enough for it, enough
                // for the second); money before the promise and money rejected
                // do not count.
                for (n, yuan, on, st) in [
                    ("RC-P1", 40, days(1), ReceiptStatus::Verified),
                    ("RC-P2", 500, days(20), ReceiptStatus::Verified),
                    ("RC-P3", 500, days(1), ReceiptStatus::Rejected),
                ] {
                    tx.receipt_insert(&receipt(n, w.customer, yuan, on, st), None)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
            let list = w
                .app
                .collection_actions(&w.finance, w.customer)
                .await
                .unwrap();
            let state = |id: i64| list.iter().find(|a| a.id == id).unwrap().promise_state;
            assert_eq!(
                state(broken.id),
                Some(PromiseState::Broken),
                "{name}: {list:?}"
            );
            assert_eq!(state(open.id), Some(PromiseState::Kept), "{name}");
            assert_eq!(
                list.iter()
                    .find(|a| a.id == broken.id)
                    .unwrap()
                    .received_since,
                Money::yuan(40)
            );
            // The report of the last 30 days.
            let r = w
                .app
                .collection_report(&w.finance, Some(days(30)), Some(today))
                .await
                .unwrap();
            assert_eq!(r.customers.len(), 1, "{name}: {r:?}");
            let row = &r.customers[0];
            assert_eq!(
                (
                    row.collected,
                    row.actions,
                    row.promises_broken,
                    row.promises_kept
                ),
                (Money::yuan(540), 3, 1, 0),
                "{name}"
            );
            assert_eq!(r.total.collected, Money::yuan(540));
            // A rep of another customer may neither read nor record.
            let rep = user(&w.app, "rep-li", &[Role::SalesRep], None).await;
            assert!(w.app.collection_actions(&rep, w.customer).await.is_err());
            assert!(
                w.app
                    .record_collection_action(&rep, w.customer, &call)
                    .await
                    .is_err()
            );
            assert!(
                w.app.collection_report(&rep, None, None).await.is_err(),
                "the report is finance's"
            );
            // Refused input writes nothing.
            let bad = CollectionInput {
                outcome: " ".into(),
                ..call.clone()
            };
            assert!(
                w.app
                    .record_collection_action(&w.finance, w.customer, &bad)
                    .await
                    .is_err()
            );
            assert_eq!(
                w.app
                    .collection_actions(&w.finance, w.customer)
                    .await
                    .unwrap()
                    .len(),
                3
            );
            assert_eq!(
                topics(&b.db, "collection.action_recorded").await,
                3,
                "{name}"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn fin_4_a_statement_runs_from_the_opening_to_the_closing_balance() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let p = period_due(clock_today(&w.app));
            let before = p.first_day().checked_sub(10.days()).unwrap();
            let within = p.first_day().checked_add(4.days()).unwrap();
            {
                let mut tx = b.db.write().await.unwrap();
                let mut old = plain_invoice("INV-S0", w.customer, before, 1000);
                old.id = tx.invoice_insert(&old).await.unwrap().unwrap();
                tx.receipt_insert(
                    &receipt("RC-S0", w.customer, 300, before, ReceiptStatus::Verified),
                    None,
                )
                .await
                .unwrap();
                let mut inv = plain_invoice("INV-S1", w.customer, within, 500);
                inv.id = tx.invoice_insert(&inv).await.unwrap().unwrap();
                let mut cn = crate::finance::credit_note(
                    "CN-S1",
                    &inv,
                    kaidan_domain::finance::CreditReason::PriceCorrection,
                    within,
                    Vec::new(),
                );
                cn.amount = Money::yuan(50);
                cn.net = Money::yuan(50);
                tx.invoice_insert(&cn).await.unwrap().unwrap();
                tx.receipt_insert(
                    &receipt("RC-S1", w.customer, 200, within, ReceiptStatus::Verified),
                    None,
                )
                .await
                .unwrap();
                // Registered but not verified: not on the statement.
                tx.receipt_insert(
                    &receipt("RC-S2", w.customer, 999, within, ReceiptStatus::Registered),
                    None,
                )
                .await
                .unwrap();
                // Verified in the month and reversed now (after the month):
                // received in the month, back on the statement of this month.
                tx.receipt_insert(
                    &receipt("RC-S3", w.customer, 80, within, ReceiptStatus::Reversed),
                    None,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
            let s = w.app.statement(&w.finance, w.customer, p).await.unwrap();
            assert_eq!(s.opening, Money::yuan(700), "{name}");
            assert_eq!(s.movements.invoiced, Money::yuan(500));
            assert_eq!(s.movements.credited, Money::yuan(50));
            assert_eq!(s.movements.received, Money::yuan(280));
            assert_eq!(s.movements.reversed, Money::ZERO);
            assert_eq!(s.closing, Money::yuan(700 + 500 - 50 - 280), "{name}");
            assert_eq!(s.entries.len(), 4, "{name}: {:?}", s.entries);
            assert_eq!(s.entries.last().unwrap().balance, s.closing);
            assert_eq!(
                s.ageing.totals.total,
                Money::yuan(1000 + 450),
                "{name}: the open invoices on the last day"
            );
            // This month's statement opens with last month's closing and brings
            // the reversal back.
            let now_p = Period::of(clock_today(&w.app));
            let s2 = w
                .app
                .statement(&w.finance, w.customer, now_p)
                .await
                .unwrap();
            assert_eq!(s2.opening, s.closing, "{name}");
            assert_eq!(
                s2.entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
                [StatementEntryKind::Reversal]
            );
            assert_eq!(s2.closing, s.closing + Money::yuan(80));
            // The customer disputes, then confirms; the latest counts.
            let dispute = ConfirmationInput {
                status: ConfirmationStatus::Disputed,
                note: None,
            };
            assert!(
                w.app
                    .confirm_statement(&w.finance, w.customer, p, &dispute)
                    .await
                    .is_err(),
                "a dispute needs a note"
            );
            let dispute = ConfirmationInput {
                status: ConfirmationStatus::Disputed,
                note: Some("红字发票未收到".into()),
            };
            w.app
                .confirm_statement(&w.finance, w.customer, p, &dispute)
                .await
                .unwrap();
            let ok = ConfirmationInput {
                status: ConfirmationStatus::Confirmed,
                note: None,
            };
            let s = w
                .app
                .confirm_statement(&w.finance, w.customer, p, &ok)
                .await
                .unwrap();
            let c = s.confirmation.unwrap();
            assert_eq!(
                (c.status, c.closing),
                (ConfirmationStatus::Confirmed, Money::yuan(870)),
                "{name}"
            );
            let again = w.app.statement(&w.finance, w.customer, p).await.unwrap();
            assert_eq!(
                again.confirmation.unwrap().status,
                ConfirmationStatus::Confirmed
            );
            assert!(
                w.app
                    .confirm_statement(&w.finance, w.customer, now_p, &ok)
                    .await
                    .is_err(),
                "the month has not ended"
            );
            assert_eq!(topics(&b.db, "statement.confirmed").await, 1, "{name}");
            assert_eq!(topics(&b.db, "statement.disputed").await, 1, "{name}");
        },
    )
    .await;
}
