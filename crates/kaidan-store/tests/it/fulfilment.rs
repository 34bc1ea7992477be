//! Picking, shipping, tracking and delivery (SHP-1..3, DOC-2, FIN-5, INV-1,
//! INV-2) on SQLite always and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is
//! set: a partial pick releases what it leaves behind, shipping takes stock
//! out of the ledger and charges the account, refused goods come back to
//! stock or quarantine and are credited, numbers are found again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kaidan_app::fulfilment::TrackingInput;
use kaidan_app::import_export::Dataset;
use kaidan_app::orders::OrderView;
use kaidan_app::ports::PickListRow;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::fulfilment::{
    DeliveredLineInput, DeliveryInput, Disposition, PickListStatus, PickedInput, ShipInput,
    ShipmentStatus, TrackingStatus,
};
use kaidan_domain::master::PaymentTerms;
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{Money, ProductId, Role, WarehouseId};
use support::*;

/// Balances equal their ledger, picked included (INV-1); returns
/// `(product, warehouse, on hand, reserved, picked)`.
async fn stock(w: &World) -> Vec<(ProductId, WarehouseId, i64, i64, i64)> {
    ledger_holds(w)
        .await
        .iter()
        .map(|b| {
            (
                b.product_id,
                b.warehouse_id,
                b.on_hand,
                b.reserved,
                b.picked,
            )
        })
        .collect()
}

fn of(
    s: &[(ProductId, WarehouseId, i64, i64, i64)],
    p: ProductId,
    wh: WarehouseId,
) -> (i64, i64, i64) {
    s.iter()
        .find(|x| x.0 == p && x.1 == wh)
        .map(|x| (x.2, x.3, x.4))
        .unwrap_or((0, 0, 0))
}

fn ship_input(tracking: &str) -> ShipInput {
    ShipInput {
        carrier: "顺丰速运".into(),
        tracking_no: tracking.into(),
        eta: jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .tomorrow()
            .unwrap()
            .tomorrow()
            .unwrap(),
        packages: None,
    }
}

async fn warehouse_user(w: &World) -> Ctx {
    user(&w.app, "wh", &[Role::Warehouse], None).await
}

async fn quarantine(w: &World) -> WarehouseId {
    WarehouseId(create(&w.app, warehouse("QC", "隔离仓", false)).await)
}

/// Lists order `o` for picking and confirms `picked` (line, quantity) in
/// one package.
async fn pick(w: &World, wh: &Ctx, o: &OrderView, picked: &[(u32, i64)]) -> PickListRow {
    let list = w
        .app
        .create_pick_lists(wh, &[o.id])
        .await
        .unwrap()
        .remove(0);
    let picked: Vec<_> = picked
        .iter()
        .map(|&(line_no, picked)| PickedInput { line_no, picked })
        .collect();
    w.app.confirm_pick(wh, list.id, &picked, 1).await.unwrap()
}

async fn view(w: &World, o: &OrderView) -> OrderView {
    w.app.order(&w.clerk, o.id).await.unwrap()
}

#[tokio::test]
async fn shp_1_shp_2_shp_3_partial_pick_ship_track_and_refuse_on_delivery() {
    on_each_backend(1_000_000, PaymentTerms::MonthlySettlement, 10, |w| async move {
        let wh = warehouse_user(&w).await;
        let o = approved(&w, &[(0, 3), (1, 2)], "PO-F1").await;
        let plan = w.app.shipping_plan(&wh).await.unwrap();
        assert_eq!(plan.iter().map(|l| l.pickable()).collect::<Vec<_>>(), [3, 2]);

        // SHP-1, DOC-2: a numbered list for what is reserved; nothing twice.
        let lists = w.app.create_pick_lists(&wh, &[o.id]).await.unwrap();
        let list = &lists[0];
        assert!(list.number.starts_with("PK-") && list.number.ends_with("-0001"), "{}", list.number);
        let err = w.app.create_pick_lists(&wh, &[o.id]).await.unwrap_err();
        assert!(err.to_string().contains("nothing reserved"), "{err}");
        assert!(matches!(w.app.create_pick_lists(&w.clerk, &[o.id]).await, Err(AppError::Forbidden(_))));

        // A pick over the list is refused and changes nothing.
        let bad = [PickedInput { line_no: 1, picked: 4 }, PickedInput { line_no: 2, picked: 2 }];
        let err = w.app.confirm_pick(&wh, list.id, &bad, 1).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.errors[0].field == "lines[0].picked"), "{err:?}");
        assert_eq!(of(&stock(&w).await, w.products[1], w.warehouse), (10, 2, 0));

        // Partial pick: one of line 2 is not found; it is released and
        // backordered with a replenishment request (INV-2).
        let picked = [PickedInput { line_no: 1, picked: 3 }, PickedInput { line_no: 2, picked: 1 }];
        let list = w.app.confirm_pick(&wh, list.id, &picked, 2).await.unwrap();
        assert_eq!(list.status, PickListStatus::Picked);
        let s = stock(&w).await;
        assert_eq!(of(&s, w.products[0], w.warehouse), (10, 3, 3));
        assert_eq!(of(&s, w.products[1], w.warehouse), (10, 1, 1), "the leftover is not stuck");
        let v = view(&w, &o).await;
        assert_eq!((v.progress[1].reserved, v.progress[1].backordered), (1, 1));
        assert!(v.shortages.iter().any(|r| r.line_no == 2 && r.quantity == 1 && r.status == "open"));
        assert!(v.timeline.iter().any(|e| e.kind == "picked"));

        // SHP-2: ship with carrier, waybill and ETA; stock leaves; FIN-5
        // charge for what shipped (3 × 100 + 1 × 50).
        let (before, _) = w.app.account(&w.finance, w.customer).await.unwrap();
        let err = w.app.ship(&wh, list.id, &ShipInput { eta: "2000-01-01".parse().unwrap(), ..ship_input("SF1001") }).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.errors[0].field == "eta"), "{err:?}");
        let sh = w.app.ship(&wh, list.id, &ship_input("SF1001")).await.unwrap();
        assert!(sh.number.starts_with("DN-"), "{}", sh.number);
        assert_eq!(sh.packages, 2, "from packing");
        let s = stock(&w).await;
        assert_eq!(of(&s, w.products[0], w.warehouse), (7, 0, 0));
        assert_eq!(of(&s, w.products[1], w.warehouse), (9, 0, 0));
        let (after, entries) = w.app.account(&w.finance, w.customer).await.unwrap();
        assert_eq!(before.committed - after.committed, Money::yuan(350), "{after:?}");
        assert_eq!(after.credit_used, Money::yuan(350));
        assert!(entries.iter().any(|e| e.note.as_deref() == Some(&format!("发货 {}", sh.number))));
        let v = view(&w, &o).await;
        assert_eq!(v.status, OrderStatus::PartlyShipped, "one unit is still backordered");
        assert_eq!(v.shipments.len(), 1);
        assert!(w.app.ship(&wh, list.id, &ship_input("SF1001")).await.is_err(), "a list ships once");

        // Tracking: kept once, on the timeline the customer sees.
        let t = TrackingInput { at: jiff::Timestamp::now(), status: TrackingStatus::InTransit, location: "广州转运中心".into(), note: String::new() };
        w.app.add_tracking(&wh, sh.id, &t, "api").await.unwrap();
        let sh2 = w.app.add_tracking(&wh, sh.id, &t, "api").await.unwrap();
        assert_eq!(sh2.tracking.len(), 1, "the same event twice is kept once");
        let portal = user(&w.app, "portal", &[Role::Customer], Some(w.customer)).await;
        let seen = w.app.order(&portal, o.id).await.unwrap();
        assert_eq!(seen.shipments[0].tracking_no, "SF1001");
        assert!(seen.timeline.iter().any(|e| e.kind == "tracking" && e.note.contains("广州转运中心")));
        assert_eq!(w.app.shipment(&portal, sh.id).await.unwrap().tracking.len(), 1);

        // SHP-3: one unit of line 2 refused, damaged, to quarantine.
        let qc = quarantine(&w).await;
        let mut pod = DeliveryInput {
            signed_by: "王店长".into(),
            note: None,
            lines: vec![
                DeliveredLineInput { line_no: 1, accepted: 3, refused: 0, reason: None, disposition: None },
                DeliveredLineInput { line_no: 2, accepted: 0, refused: 1, reason: Some("外箱破损".into()), disposition: Some(Disposition::Quarantine) },
            ],
            quarantine_warehouse_id: None,
        };
        let err = w.app.record_delivery(&wh, sh.id, &pod).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.errors[0].field == "quarantine_warehouse_id"), "{err:?}");
        pod.quarantine_warehouse_id = Some(qc);
        let done = w.app.record_delivery(&wh, sh.id, &pod).await.unwrap();
        assert_eq!(done.status, ShipmentStatus::Delivered);
        assert_eq!(done.lines[1].refused, Some(1));
        assert_eq!(of(&stock(&w).await, w.products[1], qc), (1, 0, 0), "refused goods in quarantine");
        let (credited, _) = w.app.account(&w.finance, w.customer).await.unwrap();
        assert_eq!(credited.credit_used, Money::yuan(300), "the refused unit is credited back");
        assert!(w.app.record_delivery(&wh, sh.id, &pod).await.is_err(), "delivered once");
        assert_eq!(view(&w, &o).await.status, OrderStatus::PartlyShipped);

        // DOC-2: every number is found again.
        for number in [o.number.clone().unwrap(), lists[0].number.clone(), sh.number.clone()] {
            let found = w.app.lookup_document(&wh, &number).await.unwrap();
            assert_eq!(found.len(), 1, "{number}");
        }
        assert!(w.app.lookup_document(&portal, &lists[0].number).await.is_err(), "pick lists are internal");
        assert!(matches!(w.app.lookup_document(&wh, "NO-SUCH").await, Err(AppError::NotFound { .. })));
    })
    .await;
}

#[tokio::test]
async fn shp_3_full_delivery_completes_the_order_and_restock_returns_to_the_shelf() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = warehouse_user(&w).await;
            let o = approved(&w, &[(0, 2)], "PO-F2").await;
            let list = pick(&w, &wh, &o, &[(1, 2)]).await;
            let sh = w
                .app
                .ship(&wh, list.id, &ship_input("SF2002"))
                .await
                .unwrap();
            assert_eq!(view(&w, &o).await.status, OrderStatus::Shipped);
            let pod = DeliveryInput {
                signed_by: "李老板".into(),
                note: Some("一件包装有划痕".into()),
                lines: vec![DeliveredLineInput {
                    line_no: 1,
                    accepted: 1,
                    refused: 1,
                    reason: Some("划痕".into()),
                    disposition: Some(Disposition::Restock),
                }],
                quarantine_warehouse_id: None,
            };
            w.app.record_delivery(&wh, sh.id, &pod).await.unwrap();
            assert_eq!(
                of(&stock(&w).await, w.products[0], w.warehouse),
                (9, 0, 0),
                "8 left + 1 back"
            );
            let v = view(&w, &o).await;
            assert_eq!(v.status, OrderStatus::Delivered);
            assert!(v.timeline.iter().any(|e| e.kind == "delivered"));
        },
    )
    .await;
}

#[tokio::test]
async fn shp_1_cancelling_an_order_calls_off_its_pick_lists_and_frees_the_stock() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = warehouse_user(&w).await;
            let o = approved(&w, &[(0, 4), (1, 1)], "PO-F3").await;
            let list = pick(&w, &wh, &o, &[(1, 4), (2, 1)]).await;
            w.app
                .cancel_order(&w.clerk, o.id, "customer withdrew")
                .await
                .unwrap();
            let s = stock(&w).await;
            assert_eq!(of(&s, w.products[0], w.warehouse), (10, 0, 0));
            assert_eq!(of(&s, w.products[1], w.warehouse), (10, 0, 0));
            assert_eq!(
                w.app.pick_list(&wh, list.id).await.unwrap().status,
                PickListStatus::Cancelled
            );
            assert!(
                w.app
                    .ship(&wh, list.id, &ship_input("SF3003"))
                    .await
                    .is_err()
            );
        },
    )
    .await;
}

#[tokio::test]
async fn shp_1_concurrent_pick_lists_for_one_order_list_its_goods_once() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = warehouse_user(&w).await;
            let o = approved(&w, &[(0, 5)], "PO-F4").await;
            let tasks: Vec<_> = (0..6)
                .map(|_| {
                    let (app, wh) = (w.app.clone(), wh.clone());
                    tokio::spawn(async move { app.create_pick_lists(&wh, &[o.id]).await })
                })
                .collect();
            let mut ok = 0;
            for t in tasks {
                if t.await.unwrap().is_ok() {
                    ok += 1;
                }
            }
            assert_eq!(
                ok, 1,
                "one list; the others conflict or find nothing left ({})",
                w.backend
            );
            let listed: i64 = w
                .app
                .pick_lists(&wh, Some(PickListStatus::Open))
                .await
                .unwrap()
                .iter()
                .flat_map(|l| l.lines.iter().map(|x| x.quantity))
                .sum();
            assert_eq!(listed, 5);
        },
    )
    .await;
}

#[tokio::test]
async fn shp_2_int_4_tracking_import_is_all_or_nothing_and_idempotent() {
    on_each_backend(1_000_000, PaymentTerms::MonthlySettlement, 10, |w| async move {
        let wh = warehouse_user(&w).await;
        let o = approved(&w, &[(0, 1)], "PO-F5").await;
        let list = pick(&w, &wh, &o, &[(1, 1)]).await;
        let sh = w.app.ship(&wh, list.id, &ship_input("YT5005")).await.unwrap();
        let now = jiff::Timestamp::now();
        let t1 = now.to_zoned(kaidan_domain::orders::company_time_zone()).strftime("%Y-%m-%d %H:%M").to_string();
        let bad = format!("tracking_no,at,status,location,note\nYT5005,{t1},picked_up,深圳,\nNOPE,{t1},in_transit,广州,\nYT5005,yesterday,teleported,,\n");
        let err = crate::support::import_file(&w.app, &wh, Dataset::Tracking, "track.csv", bad.as_bytes()).await.unwrap_err();
        let AppError::ImportRejected(rows) = err else { panic!("{err:?}") };
        let cells: Vec<_> = rows.iter().map(|r| (r.row, r.column.clone().unwrap_or_default())).collect();
        assert_eq!(cells, [(3, "tracking_no".to_string()), (4, "status".into()), (4, "at".into())], "{rows:?}");
        assert!(w.app.shipment(&wh, sh.id).await.unwrap().tracking.is_empty(), "nothing written");
        let good = format!("tracking_no,at,status,location,note\nYT5005,{t1},picked_up,深圳,\nYT5005,{},in_transit,广州,\n", now);
        let r = crate::support::import_file(&w.app, &wh, Dataset::Tracking, "track.csv", good.as_bytes()).await.unwrap();
        assert_eq!((r.created, r.unchanged), (2, 0));
        let r = crate::support::import_file(&w.app, &wh, Dataset::Tracking, "track.csv", good.as_bytes()).await.unwrap();
        assert_eq!((r.created, r.unchanged), (0, 2), "importing again adds nothing");
        let out = crate::support::export_file(&w.app, &wh, Dataset::Tracking, kaidan_io::Format::Csv).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().filter(|l| l.starts_with("YT5005")).count(), 2, "{text}");
    })
    .await;
}

#[tokio::test]
async fn kpi_4_an_order_whose_reserved_goods_were_picked_short_counts_as_a_wrong_check() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let wh = warehouse_user(&w).await;
            let right = approved(&w, &[(0, 3)], "PO-K1").await;
            let wrong = approved(&w, &[(0, 2), (1, 2)], "PO-K2").await;
            let unpicked = approved(&w, &[(1, 1)], "PO-K3").await;
            pick(&w, &wh, &right, &[(1, 3)]).await;
            // One unit reserved for line 2 is not on the shelf: the stock check
            // at approval was wrong for this order.
            pick(&w, &wh, &wrong, &[(1, 2), (2, 1)]).await;
            let today = jiff::Timestamp::now()
                .to_zoned(kaidan_domain::orders::company_time_zone())
                .date();
            let acc = w.app.inventory_accuracy(&wh, today, today).await.unwrap();
            assert_eq!(
                (acc.orders_checked, acc.orders_right),
                (2, 1),
                "{}: order {} is not picked yet",
                w.backend,
                unpicked.id
            );
            assert_eq!(acc.order_accuracy_percent.as_deref(), Some("50.00"));
            // The counted-lines figure stays beside it (nothing counted here).
            assert_eq!((acc.lines_counted, acc.accuracy_percent), (0, None));
            // An order counts once, in the period of its first pick.
            let before = today.yesterday().unwrap();
            let acc = w.app.inventory_accuracy(&wh, before, before).await.unwrap();
            assert_eq!((acc.orders_checked, acc.order_accuracy_percent), (0, None));
        },
    )
    .await;
}
