//! INV-2, CHG-1/2: the customer's answer to a shortage acts (ADR 0019), on
//! SQLite always and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set —
//! a line that waits is not picked until it is complete, a cancelled short
//! quantity reduces the line and releases its credit, a substitute is
//! proposed as a change request priced from the price list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kaidan_app::orders::{FinanceDecision, OrderView, ShortageAnswer, ShortageChoice};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::fulfilment::{PickedInput, ShipInput};
use kaidan_domain::master::{CustomerKind, PaymentTerms};
use kaidan_domain::orders::changes::Change;
use kaidan_domain::orders::{AccountEntry, Department, EntryKind, OrderStatus};
use kaidan_domain::{CustomerId, Money, ProductId, Role};
use support::*;

/// An approved order of a business customer (whose backorders a receipt
/// fills, INV-2) for `lines` (product index, quantity).
async fn business_order(w: &World, lines: &[(usize, i64)], reference: &str) -> OrderView {
    let c = customer(
        &format!("BZ-{reference}"),
        "企业客户",
        CustomerKind::Business,
        PaymentTerms::MonthlySettlement,
        Money::yuan(1_000_000),
    );
    let customer = CustomerId(create(&w.app, c).await);
    let input = kaidan_domain::orders::OrderInput {
        customer_id: customer,
        ..input(w, lines, reference)
    };
    let o = created(
        w.app
            .place_order(&w.clerk, input, false, None)
            .await
            .unwrap(),
    );
    w.app.review_order(&w.clerk, o.id).await.unwrap();
    w.app
        .finance_review(&w.finance, o.id, FinanceDecision::Pass)
        .await
        .unwrap()
}

async fn answer(w: &World, o: &OrderView, a: ShortageAnswer) -> Result<OrderView, AppError> {
    let shortage = o.shortages.iter().find(|s| s.status != "closed").unwrap();
    w.app
        .choose_for_shortage(&w.clerk, o.id, shortage.id, &a)
        .await
}

/// Lists what order `o` may pick now: (line, quantity) of its new list.
async fn list_lines(w: &World, wh: &Ctx, o: &OrderView) -> (i64, Vec<(u32, i64)>) {
    let list = w
        .app
        .create_pick_lists(wh, &[o.id])
        .await
        .unwrap()
        .remove(0);
    let lines = list.lines.iter().map(|l| (l.line_no, l.quantity)).collect();
    (list.id, lines)
}

/// Picks list `id` in full and ships it.
async fn pick_and_ship(w: &World, wh: &Ctx, id: i64, lines: &[(u32, i64)], tracking: &str) {
    let picked: Vec<_> = lines
        .iter()
        .map(|&(line_no, picked)| PickedInput { line_no, picked })
        .collect();
    w.app.confirm_pick(wh, id, &picked, 1).await.unwrap();
    let eta = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .tomorrow()
        .unwrap()
        .tomorrow()
        .unwrap();
    let ship = ShipInput {
        carrier: "顺丰速运".into(),
        tracking_no: tracking.into(),
        eta,
        packages: None,
    };
    w.app.ship(wh, id, &ship).await.unwrap();
}

#[tokio::test]
async fn inv_2_a_line_that_waits_is_not_picked_until_it_is_complete_then_ships_whole() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            // 12 of product 2 wanted, 10 there: 2 short.
            let o = business_order(&w, &[(0, 2), (1, 12)], "WAIT").await;
            assert_eq!((o.progress[1].reserved, o.progress[1].backordered), (10, 2));
            assert_eq!(
                o.shortages[0].choice,
                ShortageChoice::Partial,
                "{}: what is there ships until the customer answers",
                w.backend
            );

            // The customer waits for line 2 complete.
            let v = answer(&w, &o, ShortageAnswer::of(ShortageChoice::Backorder))
                .await
                .unwrap();
            assert_eq!(v.shortages[0].choice, ShortageChoice::Backorder);
            assert!(v.timeline.iter().any(|e| e.kind == "shortage_choice"));
            let plan = w.app.shipping_plan(&wh).await.unwrap();
            let line2 = plan
                .iter()
                .find(|l| l.order_id == o.id && l.line_no == 2)
                .unwrap();
            assert!(line2.waiting, "{}", w.backend);
            assert_eq!(line2.pickable(), 0);

            // Only line 1 is picked and shipped; nothing of line 2 leaves.
            let (list, lines) = list_lines(&w, &wh, &o).await;
            assert_eq!(
                lines,
                [(1, 2)],
                "{}: a waiting line is not on the pick list",
                w.backend
            );
            pick_and_ship(&w, &wh, list, &lines, "SF-W1").await;
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.status, OrderStatus::PartlyShipped);
            assert_eq!((v.progress[1].reserved, v.progress[1].shipped), (10, 0));
            let err = w.app.create_pick_lists(&wh, &[o.id]).await.unwrap_err();
            assert!(err.to_string().contains("waits to be complete"), "{err}");

            // The missing 2 arrive: the line is complete and ships whole.
            receive(&w, 1, w.warehouse, 2, "arrival").await;
            let (list, lines) = list_lines(&w, &wh, &o).await;
            assert_eq!(lines, [(2, 12)], "{}", w.backend);
            pick_and_ship(&w, &wh, list, &lines, "SF-W2").await;
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.status, OrderStatus::Shipped);
            assert_eq!(v.shipments.len(), 2);
            assert_eq!(
                v.progress[1].shipped, 12,
                "the whole line in the second shipment"
            );
            ledger_holds(&w).await;
        },
    )
    .await;
}

#[tokio::test]
async fn inv_2_chg_2_a_change_to_the_order_keeps_the_answer_to_wait() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let o = business_order(&w, &[(0, 2), (1, 12)], "KEEP").await;
            answer(&w, &o, ShortageAnswer::of(ShortageChoice::Backorder))
                .await
                .unwrap();
            // CHG-2: the customer moves the delivery date; the approved
            // change makes a new version, released and reserved again.
            let req = serde_json::from_value(serde_json::json!({"reason": "客户改期",
                "changes": [{"kind": "date", "requested_delivery_date": null}]}))
            .unwrap();
            let c = w.app.request_change(&w.clerk, o.id, req).await.unwrap();
            approve_change(&w, &c).await;
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.order_version, 2, "{}", w.backend);
            let open: Vec<_> = v
                .shortages
                .iter()
                .filter(|s| s.status != "closed" && s.line_no == 2)
                .collect();
            assert!(!open.is_empty(), "{}: {:?}", w.backend, v.shortages);
            assert!(
                open.iter().all(|s| s.choice == ShortageChoice::Backorder),
                "{}: the answer to wait was lost: {open:?}",
                w.backend
            );
            let plan = w.app.shipping_plan(&wh).await.unwrap();
            let line2 = plan
                .iter()
                .find(|l| l.order_id == o.id && l.line_no == 2)
                .unwrap();
            assert!(line2.waiting, "{}", w.backend);
        },
    )
    .await;
}

#[tokio::test]
async fn inv_2_cancelling_the_short_quantity_reduces_the_line_releases_credit_and_tells_the_customer()
 {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            // Product 2 costs 50: 12 wanted, 10 there.
            let o = approved(&w, &[(0, 1), (1, 12)], "CUT").await;
            let (before, _) = w.app.account(&w.finance, w.customer).await.unwrap();
            let v = answer(
                &w,
                &o,
                ShortageAnswer {
                    note: Some("客户不要缺的两件".into()),
                    ..ShortageAnswer::of(ShortageChoice::Cancel)
                },
            )
            .await
            .unwrap();
            assert_eq!(v.content.lines[1].quantity.get(), 10, "{}", w.backend);
            assert_eq!(
                (
                    v.progress[1].quantity,
                    v.progress[1].reserved,
                    v.progress[1].backordered
                ),
                (10, 10, 0)
            );
            assert_eq!(v.content.totals.amount, Money::yuan(600));
            assert_eq!(v.order_version, 2, "a new version of the order (CHG-2)");
            assert!(
                v.shortages
                    .iter()
                    .all(|s| s.status == "closed" && s.choice == ShortageChoice::Cancel),
                "{:?}",
                v.shortages
            );
            let told = v
                .timeline
                .iter()
                .find(|e| e.kind == "shortage_cancelled")
                .expect("the customer is told");
            assert_eq!(told.data["cancelled"], 2);
            assert_eq!(told.data["customer_id"], w.customer.get());
            let (after, _) = w.app.account(&w.finance, w.customer).await.unwrap();
            assert_eq!(
                before.committed - after.committed,
                Money::yuan(100),
                "2 × 50 released"
            );

            // Nothing is left to wait for: both lines ship and the order is done.
            let (list, lines) = list_lines(&w, &wh, &o).await;
            assert_eq!(lines, [(1, 1), (2, 10)]);
            pick_and_ship(&w, &wh, list, &lines, "SF-C1").await;
            assert_eq!(
                w.app.order(&w.clerk, o.id).await.unwrap().status,
                OrderStatus::Shipped
            );

            // A closed shortage is not answered again; a whole-line shortage is
            // cancelled with a change request, not here. Neither changes anything.
            let closed = v.shortages[0].id;
            let err = w
                .app
                .choose_for_shortage(
                    &w.clerk,
                    o.id,
                    closed,
                    &ShortageAnswer::of(ShortageChoice::Partial),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(e) if e.errors[0].code == "closed"),
                "{err:?}"
            );
            let none_left = approved(&w, &[(1, 3)], "CUT-2").await;
            assert_eq!(none_left.progress[0].reserved, 0);
            let err = answer(&w, &none_left, ShortageAnswer::of(ShortageChoice::Cancel))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(e) if e.errors[0].code == "whole_line"),
                "{err:?}"
            );
            let again = w.app.order(&w.clerk, none_left.id).await.unwrap();
            assert_eq!(
                (again.order_version, again.shortages[0].status.as_str()),
                (1, "open")
            );
            assert_eq!(again.shortages[0].choice, ShortageChoice::Partial);
        },
    )
    .await;
}

#[tokio::test]
async fn inv_2_chg_1_chg_2_a_substitute_is_proposed_as_a_change_request_priced_from_the_price_list()
{
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let substitute =
                ProductId(create(&w.app, product("P-9", "替代品", 3, Money::yuan(80))).await);
            receive_product(&w, substitute, 5).await;
            let o = approved(&w, &[(1, 12)], "SUB").await;

            // The substitute must be named; nothing else may be.
            let err = answer(&w, &o, ShortageAnswer::of(ShortageChoice::Substitution))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(e) if e.errors[0].field == "product_id"),
                "{err:?}"
            );
            let err = answer(
                &w,
                &o,
                ShortageAnswer {
                    product_id: Some(substitute),
                    ..ShortageAnswer::of(ShortageChoice::Partial)
                },
            )
            .await
            .unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(e) if e.errors[0].code == "not_allowed"),
                "{err:?}"
            );

            let sub = ShortageAnswer {
                product_id: Some(substitute),
                ..ShortageAnswer::of(ShortageChoice::Substitution)
            };
            let v = answer(&w, &o, sub.clone()).await.unwrap();
            let change_id = v.shortages[0]
                .change_id
                .expect("the shortage names its change request");
            assert_eq!(v.shortages[0].choice, ShortageChoice::Substitution);
            let changes = w.app.changes_of(&w.clerk, o.id).await.unwrap();
            let change = changes.iter().find(|c| c.id == change_id).unwrap();
            assert_eq!(change.status, "pending", "{}", w.backend);
            assert_eq!(
                change.request.changes,
                [Change::Substitute {
                    line_no: 1,
                    product_id: substitute,
                    quantity: 2
                }]
            );
            // The price difference from the price list: 2 × (80 − 50).
            assert_eq!(change.impact.amount_delta, Money::yuan(60));
            assert!(
                change.departments.contains(&Department::Warehouse)
                    && change.departments.contains(&Department::Finance)
            );
            // One proposal at a time.
            let err = answer(&w, &o, sub).await.unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(e) if e.errors[0].code == "pending_change"),
                "{err:?}"
            );

            // Approved by the departments concerned: the next version holds the
            // substitute, and it is reserved.
            for d in &change.departments {
                let role = d.role();
                let who = user(&w.app, &format!("dept-{}", d.as_str()), &[role], None).await;
                w.app
                    .decide_change(&who, change_id, *d, true, "")
                    .await
                    .unwrap();
            }
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.order_version, 2);
            let lines: Vec<_> = v
                .content
                .lines
                .iter()
                .map(|l| (l.line_no, l.product_id, l.quantity.get(), l.unit_price))
                .collect();
            assert_eq!(
                lines,
                [
                    (1, w.products[1], 10, Money::yuan(50)),
                    (2, substitute, 2, Money::yuan(80))
                ]
            );
            let reserved: Vec<_> = v
                .progress
                .iter()
                .map(|p| (p.line_no, p.reserved, p.backordered))
                .collect();
            assert_eq!(reserved, [(1, 10, 0), (2, 2, 0)], "{}", w.backend);
            assert!(
                v.shortages.iter().all(|s| s.status == "closed"),
                "{:?}",
                v.shortages
            );
        },
    )
    .await;
}

async fn receive_product(w: &World, p: ProductId, quantity: i64) {
    w.app
        .receive_stock(&Ctx::system(), p, w.warehouse, quantity, "opening")
        .await
        .unwrap();
}

#[tokio::test]
async fn inv_2_alc_9_the_allocation_run_puts_no_waiting_line_on_a_pick_list_until_it_is_complete() {
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let deposit = AccountEntry::new(EntryKind::Deposit, Money::yuan(1_000), None);
        w.app
            .post_account_entry(&w.finance, w.customer, deposit)
            .await
            .unwrap();
        // A franchisee's order with nothing in stock; it waits for all 8.
        let o = approved(&w, &[(0, 8)], "ALC-W").await;
        answer(&w, &o, ShortageAnswer::of(ShortageChoice::Backorder))
            .await
            .unwrap();
        // Five arrive: the run reserves them (ALC-4) but lists nothing.
        receive(&w, 0, w.warehouse, 5, "PO-1").await;
        let v = w.app.order(&w.clerk, o.id).await.unwrap();
        assert_eq!(
            (v.progress[0].reserved, v.progress[0].backordered),
            (5, 3),
            "{}",
            w.backend
        );
        let lists = w.app.pick_lists(&Ctx::system(), None).await.unwrap();
        assert!(lists.is_empty(), "{}: {lists:?}", w.backend);
        // The rest arrive: the line is complete and listed whole.
        receive(&w, 0, w.warehouse, 3, "PO-2").await;
        let lists = w.app.pick_lists(&Ctx::system(), None).await.unwrap();
        let listed: Vec<_> = lists
            .iter()
            .flat_map(|l| l.lines.iter().map(|x| (l.order_id, x.quantity)))
            .collect();
        assert_eq!(listed, [(o.id, 8)], "{}", w.backend);
    })
    .await;
}
