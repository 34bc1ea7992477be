//! Transfers (调拨单) to stores and regions on SQLite always and on
//! PostgreSQL when KAIDAN_TEST_DATABASE_URL is set (ALC-8, ALC-9): a run's
//! store and region allocations are reserved and listed for the central
//! warehouse, picked (short picks released), shipped, received into the
//! destination's own stock; the next run counts what is on its way, a
//! region's plan is taken and given back; every step keeps the stock
//! ledger (INV-1) and writes its audit row (SEC-2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kaidan_app::ports::TransferQuery;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::fulfilment::{PickedInput, ShipInput};
use kaidan_domain::master::{
    PaymentTerms, RegionData, SafetyStock, StoreData, StoreOwnership, Tier,
};
use kaidan_domain::transfers::{RegionNeed, TransferKind, TransferStatus};
use kaidan_domain::{Quantity, RegionId, Role, StoreId, WarehouseId};
use support::*;

async fn region(w: &World, code: &str) -> RegionId {
    let r = RegionData {
        code: code.into(),
        name: code.into(),
        name_zh: format!("{code}区"),
    };
    RegionId(created(w.app.create(&Ctx::system(), r, None).await.unwrap()).id)
}

async fn store(w: &World, code: &str, region: RegionId) -> StoreId {
    let s = StoreData {
        code: code.into(),
        name: format!("{code}店"),
        region_id: region,
        ownership: StoreOwnership::Direct,
        tier: Tier::A,
        priority: 1,
        active: true,
    };
    StoreId(created(w.app.create(&Ctx::system(), s, None).await.unwrap()).id)
}

/// (on hand, reserved) of a product in a warehouse.
async fn balance(w: &World, product: usize, warehouse: WarehouseId) -> (i64, i64) {
    balances(w)
        .await
        .iter()
        .find(|b| b.product_id == w.products[product] && b.warehouse_id == warehouse)
        .map_or((0, 0), |b| (b.on_hand, b.reserved))
}

/// The picking of a one-line transfer: `picked` units found.
fn line_one_picked(picked: i64) -> [PickedInput; 1] {
    [PickedInput { line_no: 1, picked }]
}

fn ship_input() -> ShipInput {
    ShipInput {
        carrier: "顺丰".into(),
        tracking_no: "SF-T-1".into(),
        eta: jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .date()
            .tomorrow()
            .unwrap(),
        packages: Some(1),
    }
}

#[tokio::test]
async fn alc_8_alc_9_a_store_transfer_is_picked_shipped_and_received() {
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let sys = Ctx::system();
        let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
        let r = region(&w, "SZ").await;
        let s = store(&w, "SZ-1", r).await;
        w.app
            .set_safety_stock(
                &sys,
                s,
                vec![SafetyStock {
                    product_id: w.products[0],
                    quantity: Quantity::new(5).unwrap(),
                }],
            )
            .await
            .unwrap();
        // PUR-3: eight arrive; with no franchisee waiting the run sends the
        // store its safety stock as one transfer, reserved centrally.
        receive(&w, 0, w.warehouse, 8, "PO-T").await;
        let list = w
            .app
            .transfers(&wh, TransferQuery::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1, "{}", w.backend);
        let t = &list[0];
        assert!(t.number.starts_with("TR-"), "{}", t.number);
        assert_eq!(
            (t.kind, t.store_id, t.status),
            (TransferKind::Store, Some(s), TransferStatus::Open)
        );
        assert!(t.run_number.as_deref().unwrap_or("").starts_with("AR-"));
        assert_eq!(t.destination, "SZ-1店");
        assert_eq!(t.lines.len(), 1);
        assert_eq!(t.lines[0].quantity, 5);
        assert_eq!(balance(&w, 0, w.warehouse).await, (8, 5));

        // A wrong step names the state; nothing changes.
        let err = w
            .app
            .ship_transfer(&wh, t.id, &ship_input())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is open"), "{err}");
        // Only the warehouse's roles may move it.
        let err = w
            .app
            .pick_transfer(&w.clerk, t.id, &[], 1)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err}");

        // Four are found: the fifth is released at once.
        let t = w
            .app
            .pick_transfer(&wh, t.id, &line_one_picked(4), 1)
            .await
            .unwrap();
        assert_eq!(t.status, TransferStatus::Picked);
        assert_eq!(t.lines[0].picked, Some(4));
        assert_eq!(balance(&w, 0, w.warehouse).await, (8, 4));
        // The store's position counts the four on their way: its need is 1.
        let pos = w.app.store_positions(&sys, s).await.unwrap();
        assert_eq!(
            (
                pos[0].safety_stock,
                pos[0].on_hand,
                pos[0].in_transit,
                pos[0].need
            ),
            (5, 0, 4, 1),
            "{}",
            w.backend
        );
        let preview = w.app.run_allocation(&sys, false, "test").await.unwrap();
        let store_q: Vec<i64> = preview
            .result
            .allocations
            .iter()
            .map(|a| a.quantity().get())
            .collect();
        assert_eq!(store_q, [1], "{}: only the missing unit", w.backend);

        // Shipped: the goods leave the central warehouse.
        let t = w.app.ship_transfer(&wh, t.id, &ship_input()).await.unwrap();
        assert_eq!(t.status, TransferStatus::Shipped);
        assert_eq!(t.tracking_no.as_deref(), Some("SF-T-1"));
        assert_eq!(balance(&w, 0, w.warehouse).await, (4, 0));

        // Received: into the store's own stock, made on this first receipt.
        let t = w
            .app
            .receive_transfer(&wh, t.id, Some("完好"))
            .await
            .unwrap();
        assert_eq!(t.status, TransferStatus::Received);
        let store_wh = t.to_warehouse_id.unwrap();
        assert_ne!(store_wh, w.warehouse);
        assert_eq!(balance(&w, 0, store_wh).await, (4, 0));
        let pos = w.app.store_positions(&sys, s).await.unwrap();
        assert_eq!((pos[0].on_hand, pos[0].in_transit, pos[0].need), (4, 0, 1));
        let err = w.app.receive_transfer(&wh, t.id, None).await.unwrap_err();
        assert!(err.to_string().contains("is received"), "{err}");

        // SEC-2: every step is in the audit trail.
        let audit = w.app.audit_of(&sys, "transfer", t.id).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["receive", "ship", "pick", "create"],
            "{}: newest first",
            w.backend
        );
        ledger_holds(&w).await;
    })
    .await;
}

#[tokio::test]
async fn alc_8_a_region_plan_is_taken_by_the_run_and_given_back_on_cancel() {
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let sys = Ctx::system();
        let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
        let brand = user(&w.app, "brand", &[Role::BrandProduct], None).await;
        let r = region(&w, "GZ").await;
        // Bad plans are refused whole, each problem named.
        let err = w
            .app
            .set_region_needs(
                &brand,
                r,
                vec![RegionNeed {
                    product_id: w.products[1],
                    quantity: -2,
                }],
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("[0].quantity"), "{err}");
        let err = w
            .app
            .set_region_needs(
                &brand,
                r,
                vec![RegionNeed {
                    product_id: kaidan_domain::ProductId(999_999),
                    quantity: 2,
                }],
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("no product with id 999999"),
            "{err}"
        );
        let err = w
            .app
            .set_region_needs(&w.clerk, r, Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err}");
        w.app
            .set_region_needs(
                &brand,
                r,
                vec![RegionNeed {
                    product_id: w.products[1],
                    quantity: 6,
                }],
            )
            .await
            .unwrap();
        // Four arrive: the region gets all four, its plan keeps 2.
        receive(&w, 1, w.warehouse, 4, "PO-R").await;
        let need = |w: &World| {
            let app = w.app.clone();
            let brand = brand.clone();
            async move { app.region_needs(&brand, r).await.unwrap()[0].quantity }
        };
        assert_eq!(need(&w).await, 2, "{}", w.backend);
        let list = w
            .app
            .transfers(
                &wh,
                TransferQuery {
                    status: Some(TransferStatus::Open),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        let t = &list[0];
        assert_eq!(
            (t.kind, t.store_id, t.region_id),
            (TransferKind::Region, None, r)
        );
        assert_eq!(t.destination, "GZ");
        assert_eq!(t.lines[0].quantity, 4);
        assert_eq!(balance(&w, 1, w.warehouse).await, (4, 4));

        // Cancelling needs a reason; then the goods are free again and the
        // region's plan is whole.
        let err = w.app.cancel_transfer(&wh, t.id, " ").await.unwrap_err();
        assert!(err.to_string().contains("reason"), "{err}");
        let t = w
            .app
            .cancel_transfer(&wh, t.id, "区域暂停备货")
            .await
            .unwrap();
        assert_eq!(t.status, TransferStatus::Cancelled);
        assert_eq!(t.note.as_deref(), Some("区域暂停备货"));
        assert_eq!(balance(&w, 1, w.warehouse).await, (4, 0));
        assert_eq!(need(&w).await, 6);
        let err = w
            .app
            .pick_transfer(&wh, t.id, &line_one_picked(1), 1)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is cancelled"), "{err}");

        // The next run sends the four again, as a new transfer.
        let out = w.app.run_allocation(&sys, true, "test").await.unwrap();
        assert_eq!(out.transfers.len(), 1);
        assert_eq!(need(&w).await, 2);
        let audit = w.app.audit_of(&sys, "region", r.get()).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "set_replenishment"));
        ledger_holds(&w).await;
    })
    .await;
}
