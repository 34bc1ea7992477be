//! SEC-2 histories and ORD-7 stages, on SQLite always and on PostgreSQL
//! when KAIDAN_TEST_DATABASE_URL is set: the audit of an order, a
//! customer's account and a product's stock in a warehouse can be read a
//! page at a time by whoever may see the record, stock counts record what
//! they counted, and an order's stage (allocated, picking) is the same in
//! its view, the list and the list's filter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kaidan_app::audit::HistoryRequest;
use kaidan_app::ports::OrderQuery;
use kaidan_app::stock_counts::{NewStockCount, PostStockCount};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::fulfilment::{PickedInput, ShipInput};
use kaidan_domain::master::{CustomerKind, PaymentTerms};
use kaidan_domain::orders::{OrderStage, OrderStatus};
use kaidan_domain::stock_counts::{CountLineInput, DiscrepancyCause};
use kaidan_domain::{CustomerId, Money, OrderId, Role, WarehouseId};
use rust_decimal::Decimal;
use support::*;

fn first(limit: u32) -> HistoryRequest {
    HistoryRequest {
        cursor: None,
        limit: Some(limit),
    }
}

/// The ids the list shows for `stage`, and those whose own stage it is.
async fn stage_agrees(w: &World, stage: OrderStage) -> Vec<OrderId> {
    let all = w.app.orders(&w.clerk, OrderQuery::default()).await.unwrap();
    let mut by_rule: Vec<_> = all
        .iter()
        .filter(|r| r.stage() == Some(stage))
        .map(|r| r.id)
        .collect();
    let filtered = w
        .app
        .orders(
            &w.clerk,
            OrderQuery {
                stage: Some(stage),
                ..OrderQuery::default()
            },
        )
        .await
        .unwrap();
    let mut listed: Vec<_> = filtered.iter().map(|r| r.id).collect();
    by_rule.sort();
    listed.sort();
    assert_eq!(listed, by_rule, "the filter is the stage ({})", w.backend);
    listed
}

#[tokio::test]
async fn ord_7_an_order_shows_allocated_then_picking_in_view_list_and_filter() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let reviewing = place(&w, &[(0, 1)], "PO-S0").await;
            let o = approved(&w, &[(0, 3), (1, 2)], "PO-S1").await;
            // The rest of product 0 goes to this one; the next finds nothing
            // to reserve and waits, backordered, with no stage.
            let rest = approved(&w, &[(0, 7)], "PO-S2").await;
            let waiting = approved(&w, &[(0, 5)], "PO-S3").await;

            assert_eq!(o.stage, Some(OrderStage::Allocated), "{}", w.backend);
            assert_eq!(rest.stage, Some(OrderStage::Allocated));
            let v = w.app.order(&w.clerk, waiting.id).await.unwrap();
            assert_eq!(
                (v.status, v.progress[0].reserved),
                (OrderStatus::Approved, 0)
            );
            assert_eq!(v.stage, None, "backordered");
            let reviewing = w.app.order(&w.clerk, reviewing.id).await.unwrap();
            assert_eq!(reviewing.stage, None, "not waiting for goods");
            let mut expected = vec![o.id, rest.id];
            expected.sort();
            assert_eq!(stage_agrees(&w, OrderStage::Allocated).await, expected);
            assert!(stage_agrees(&w, OrderStage::Picking).await.is_empty());

            // On an open pick list: picking, in the view, the list and the filter.
            let list = w
                .app
                .create_pick_lists(&wh, &[o.id])
                .await
                .unwrap()
                .remove(0);
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(
                (v.status, v.stage),
                (OrderStatus::Approved, Some(OrderStage::Picking))
            );
            assert_eq!(stage_agrees(&w, OrderStage::Picking).await, [o.id]);
            assert!(
                !stage_agrees(&w, OrderStage::Allocated)
                    .await
                    .contains(&o.id)
            );

            // Picked and packed, waiting for the carrier: still picking.
            let picked = [
                PickedInput {
                    line_no: 1,
                    picked: 3,
                },
                PickedInput {
                    line_no: 2,
                    picked: 2,
                },
            ];
            w.app.confirm_pick(&wh, list.id, &picked, 1).await.unwrap();
            assert_eq!(
                w.app.order(&w.clerk, o.id).await.unwrap().stage,
                Some(OrderStage::Picking)
            );

            // Shipped: the status says it, no stage.
            let eta = jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .tomorrow()
                .unwrap();
            let input = ShipInput {
                carrier: "顺丰速运".into(),
                tracking_no: "SF-S1".into(),
                eta,
                packages: None,
            };
            w.app.ship(&wh, list.id, &input).await.unwrap();
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!((v.status, v.stage), (OrderStatus::Shipped, None));
            assert!(stage_agrees(&w, OrderStage::Picking).await.is_empty());
            let listed = w.app.orders(&w.clerk, OrderQuery::default()).await.unwrap();
            let row = listed.iter().find(|r| r.id == o.id).unwrap();
            assert_eq!(row.stage(), None);
        },
    )
    .await;
}

#[tokio::test]
async fn sec_2_order_history_shows_line_changes_a_page_at_a_time_to_who_sees_the_order() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let o = approved(&w, &[(0, 10), (1, 2)], "PO-H1").await;
            let req = serde_json::from_value(serde_json::json!({
                "reason": "客户减少数量",
                "changes": [{ "kind": "quantity", "line_no": 1, "quantity": 8 }]
            }))
            .unwrap();
            let c = w.app.request_change(&w.clerk, o.id, req).await.unwrap();
            approve_change(&w, &c).await;

            let all = w
                .app
                .order_history(&w.clerk, o.id, first(500))
                .await
                .unwrap();
            assert_eq!(all.next_cursor, None);
            assert!(
                all.items.windows(2).all(|p| p[0].id > p[1].id),
                "newest first"
            );
            let line = format!("document.lines[product_id={}].quantity", w.products[0]);
            let changed = all
                .items
                .iter()
                .flat_map(|e| e.changes.iter())
                .find(|c| c.field == line)
                .unwrap_or_else(|| panic!("{}: line 1's quantity in {:?}", w.backend, all.items));
            assert_eq!(
                (changed.before.as_deref(), changed.after.as_deref()),
                (Some("10"), Some("8"))
            );
            assert!(all.items.iter().any(|e| e.action == "change_requested"));
            assert_eq!(all.items.last().unwrap().action, "create");

            // A page at a time, every row once.
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = w
                    .app
                    .order_history(
                        &w.clerk,
                        o.id,
                        HistoryRequest {
                            cursor,
                            limit: Some(2),
                        },
                    )
                    .await
                    .unwrap();
                assert!(page.items.len() <= 2);
                seen.extend(page.items.iter().map(|e| e.id));
                match page.next_cursor {
                    Some(c) => cursor = Some(c.parse().unwrap()),
                    None => break,
                }
            }
            assert_eq!(seen, all.items.iter().map(|e| e.id).collect::<Vec<_>>());

            // Who may see the order may see its history: its own customer's
            // portal user, not another customer's; bounds are checked.
            // Its portal user sees it without the reference prices, which
            // only `price.read` reveals (ADR 0026); everything else alike.
            let own = user(&w.app, "own", &[Role::Customer], Some(w.customer)).await;
            let mut portal_view = all.clone();
            for c in portal_view
                .items
                .iter_mut()
                .flat_map(|e| e.changes.iter_mut())
            {
                if c.field.ends_with("reference_price") {
                    c.before = None;
                    c.after = None;
                }
            }
            assert_eq!(
                w.app.order_history(&own, o.id, first(500)).await.unwrap(),
                portal_view
            );
            let fr2 = customer(
                "FR-2",
                "加盟商二",
                CustomerKind::Franchisee,
                PaymentTerms::MonthlySettlement,
                Money::yuan(0),
            );
            let fr2 = CustomerId(create(&w.app, fr2).await);
            let other = user(&w.app, "other", &[Role::Customer], Some(fr2)).await;
            let err = w
                .app
                .order_history(&other, o.id, first(10))
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
            let err = w
                .app
                .order_history(&w.clerk, o.id, first(0))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(v) if v.errors[0].field == "limit"),
                "{err:?}"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn sec_2_account_history_holds_every_entry_of_the_ledger() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let o = approved(&w, &[(0, 2)], "PO-A1").await;
            let sys = Ctx::system();
            let deposit =
                serde_json::from_value(serde_json::json!({ "kind": "deposit", "amount": "500" }))
                    .unwrap();
            w.app
                .post_account_entry(&w.finance, w.customer, deposit)
                .await
                .unwrap();
            w.app.cancel_order(&sys, o.id, "客户取消").await.unwrap();

            // The commitment of the approval and its release at cancelling are
            // in the account's history, not only the deposit finance posted.
            let h = w
                .app
                .account_history(&w.finance, w.customer, first(50))
                .await
                .unwrap();
            let actions: Vec<_> = h.items.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(
                actions,
                ["release", "deposit", "commitment"],
                "{}",
                w.backend
            );
            let commitment = &h.items[2];
            let amount = commitment
                .changes
                .iter()
                .find(|c| c.field == "amount")
                .unwrap();
            let amount: Decimal = amount.after.as_deref().unwrap().parse().unwrap();
            assert_eq!(amount, Decimal::from(200), "2 × 100 yuan");
            assert!(
                commitment
                    .changes
                    .iter()
                    .any(|c| c.field == "order_id" && c.after == Some(o.id.to_string()))
            );

            let page = w
                .app
                .account_history(&w.finance, w.customer, first(1))
                .await
                .unwrap();
            assert_eq!(page.items.len(), 1);
            let next = HistoryRequest {
                cursor: Some(page.next_cursor.unwrap().parse().unwrap()),
                limit: Some(5),
            };
            let rest = w
                .app
                .account_history(&w.finance, w.customer, next)
                .await
                .unwrap();
            assert_eq!(rest.items.len(), 2);
            assert_eq!(rest.next_cursor, None);

            let own = user(&w.app, "own", &[Role::Customer], Some(w.customer)).await;
            assert_eq!(
                w.app
                    .account_history(&own, w.customer, first(50))
                    .await
                    .unwrap(),
                h
            );
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            assert!(matches!(
                w.app.account_history(&wh, w.customer, first(50)).await,
                Err(AppError::Forbidden(_))
            ));
            assert!(matches!(
                w.app
                    .account_history(&w.finance, CustomerId(w.customer.get() + 1000), first(50))
                    .await,
                Err(AppError::NotFound { .. })
            ));
        },
    )
    .await;
}

#[tokio::test]
async fn sec_2_stock_counts_record_what_they_counted_and_stock_history_shows_it() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let sys = Ctx::system();
            let keeper = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let store = WarehouseId(create(&w.app, warehouse("S1", "门店仓", false)).await);
            receive(&w, 0, store, 4, "other warehouse").await;
            let line = |p: usize, counted: i64, cause: Option<DiscrepancyCause>| CountLineInput {
                product_id: w.products[p],
                counted,
                cause,
                note: None,
            };
            let count = w
                .app
                .create_stock_count(
                    &keeper,
                    NewStockCount {
                        warehouse_id: w.warehouse,
                        note: String::new(),
                        lines: vec![
                            line(0, 8, Some(DiscrepancyCause::Damage)),
                            line(1, 10, None),
                        ],
                    },
                )
                .await
                .unwrap();
            w.app
                .post_stock_count(&keeper, count.id, PostStockCount::default())
                .await
                .unwrap();

            // The count's audit rows carry expected → counted per line.
            let rows = w.app.audit_of(&sys, "stock_count", count.id).await.unwrap();
            assert_eq!(rows.len(), 2, "{}", w.backend);
            for r in &rows {
                let field = format!("lines[product_id={}].on_hand", w.products[0]);
                let c = r
                    .changes
                    .iter()
                    .find(|c| c.field == field)
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: {} has no line changes: {:?}",
                            w.backend, r.action, r.changes
                        )
                    });
                assert_eq!(
                    (c.before.as_deref(), c.after.as_deref()),
                    (Some("10"), Some("8 (damage)"))
                );
                assert_eq!(r.changes.len(), 2, "every counted line");
            }

            // The product's stock history in the central warehouse: the
            // opening receipt and the count, not the other warehouse's receipt.
            let h = w
                .app
                .stock_history(&keeper, w.products[0], w.warehouse, first(50))
                .await
                .unwrap();
            let actions: Vec<_> = h.items.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(actions, ["stock_count", "stock_receipt"], "{}", w.backend);
            let c = &h.items[0].changes[0];
            assert_eq!(
                c.field,
                format!("stock[warehouse_id={}].on_hand", w.warehouse)
            );
            assert_eq!(
                (c.before.as_deref(), c.after.as_deref()),
                (Some("10"), Some("8"))
            );
            let other = w
                .app
                .stock_history(&keeper, w.products[0], store, first(50))
                .await
                .unwrap();
            assert_eq!(other.items.len(), 1);
            // Product 1 matched its figure: nothing moved, only the receipt.
            let p1 = w
                .app
                .stock_history(&keeper, w.products[1], w.warehouse, first(50))
                .await
                .unwrap();
            assert_eq!(p1.items.len(), 1);

            let page = w
                .app
                .stock_history(&keeper, w.products[0], w.warehouse, first(1))
                .await
                .unwrap();
            assert_eq!(page.items, h.items[..1]);
            assert!(page.next_cursor.is_some());

            let portal = user(&w.app, "own", &[Role::Customer], Some(w.customer)).await;
            assert!(matches!(
                w.app
                    .stock_history(&portal, w.products[0], w.warehouse, first(5))
                    .await,
                Err(AppError::Forbidden(_))
            ));
            assert!(matches!(
                w.app
                    .stock_history(
                        &keeper,
                        w.products[0],
                        WarehouseId(w.warehouse.get() + 1000),
                        first(5)
                    )
                    .await,
                Err(AppError::NotFound { .. })
            ));
        },
    )
    .await;
}
