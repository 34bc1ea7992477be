//! The committed allocation run's set-based writes against a real database
//! (SQLite always, PostgreSQL when KAIDAN_TEST_DATABASE_URL is set), on a
//! small data set of the bench generator: what the engine decided is what
//! the order lines, the stock ledger, the locks, the shortages, the pick
//! lists, the timelines and the outbox hold afterwards (ALC-1..10, SHP-1,
//! INV-1, INV-2). Also the bench baseline on the same data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use kaidan_app::clock::SystemClock;
use kaidan_app::ports::Store;
use kaidan_app::{App, AppConfig, Ctx};
use kaidan_domain::allocation::{Allocation, LockStatus};
use kaidan_domain::fulfilment::PickListStatus;
use kaidan_domain::{OrderId, ProductId, WarehouseId};
use kaidan_store::AllocShape;
use kaidan_store::testing::{backends, fresh};

const SHAPE: AllocShape = AllocShape {
    lines: 2_000,
    products: 150,
    franchisees: 40,
    stores: 12,
    seed: 7,
};

/// A fresh database of `backend` with the generated data set.
async fn generated(backend: &str) -> kaidan_store::testing::TestDb {
    let t = fresh(backend).await.unwrap();
    let now = jiff::Timestamp::now().as_microsecond();
    t.db.generate_allocation_data(SHAPE, now, &|_, _, _| {})
        .await
        .unwrap();
    t
}

async fn app_on(db: &kaidan_store::Db) -> App {
    let app = App::new(
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        AppConfig::default(),
    );
    app.bootstrap().await.unwrap();
    app
}

#[tokio::test]
async fn alc_1_10_shp_1_committed_run_writes_what_the_engine_decided() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let now = jiff::Timestamp::now().as_microsecond();
        let generated =
            t.db.generate_allocation_data(SHAPE, now, &|_, _, _| {})
                .await
                .unwrap();
        assert_eq!(generated.lines, SHAPE.lines);
        assert!(generated.supply > 0 && generated.supply < generated.demand);
        let app = app_on(&t.db).await;
        let out = app
            .run_allocation(&Ctx::system(), true, "test")
            .await
            .unwrap();
        let run = out.run.clone().unwrap();
        assert!(run.allocated > 0 && run.locked > 0, "{backend}: {run:?}");

        // Per line, what the engine handed out (allocations and locks).
        let mut given: BTreeMap<(OrderId, u32), i64> = BTreeMap::new();
        let mut locked: BTreeMap<(OrderId, u32), i64> = BTreeMap::new();
        let mut allocated_orders = BTreeSet::new();
        let mut by_product: BTreeMap<ProductId, i64> = BTreeMap::new();
        // Store allocations per (store, product): the run's transfers.
        let mut to_stores: BTreeMap<(i64, ProductId), i64> = BTreeMap::new();
        for a in &out.result.allocations {
            let (x, lock) = match a {
                Allocation::FranchiseeAllocation(x) => (x, false),
                Allocation::FranchiseeLock(x) => (x, true),
                Allocation::Store(x) => {
                    *by_product.entry(x.product).or_default() += x.quantity.get();
                    *to_stores.entry((x.store.get(), x.product)).or_default() += x.quantity.get();
                    continue;
                }
                Allocation::Region(_) => continue,
            };
            let key = (x.order_id, u32::try_from(x.line_id.get() % 1000).unwrap());
            *given.entry(key).or_default() += x.quantity.get();
            *by_product.entry(x.product).or_default() += x.quantity.get();
            if lock {
                *locked.entry(key).or_default() += x.quantity.get();
            } else {
                allocated_orders.insert(x.order_id);
            }
        }

        let mut tx = t.db.read().await.unwrap();
        // Order lines: reserved moved from backordered, exactly as given.
        let plan = tx.shipping_plan(None).await.unwrap();
        assert_eq!(
            plan.len(),
            SHAPE.lines,
            "{backend}: every line is still open or reserved"
        );
        for l in &plan {
            let g = given.get(&(l.order_id, l.line_no)).copied().unwrap_or(0);
            assert_eq!(
                l.reserved, g,
                "{backend}: line {:?}/{}",
                l.order_id, l.line_no
            );
            assert_eq!(l.reserved + l.backordered, l.quantity, "{backend}");
            let k = locked.get(&(l.order_id, l.line_no)).copied().unwrap_or(0);
            assert_eq!(l.locked, k, "{backend}: locks on the line");
            // Everything allocated and not locked is on the run's pick list.
            assert_eq!(l.on_lists, g - k, "{backend}: listed");
            assert_eq!(l.pickable(), 0, "{backend}");
        }
        assert_eq!(
            plan.iter().map(|l| l.reserved).sum::<i64>(),
            run.allocated + run.locked
        );

        // Locks (ALC-5).
        let locks = tx.locks(Some(LockStatus::Active)).await.unwrap();
        assert_eq!(locks.len(), locked.len(), "{backend}");
        assert_eq!(locks.iter().map(|l| l.quantity).sum::<i64>(), run.locked);
        assert!(locks.iter().all(|l| l.run_id == run.id));

        // Stock: reserved per product as handed out, and the ledger agrees
        // with the balances (INV-1).
        let products: Vec<ProductId> = by_product.keys().copied().collect();
        for (p, _, reserved) in tx
            .stock_balances_of(WarehouseId(1), &products)
            .await
            .unwrap()
        {
            assert_eq!(reserved, by_product[&p], "{backend}: product {p:?}");
        }
        for (p, w, on_hand, reserved) in tx.stock_ledger_sums().await.unwrap() {
            let b = tx.stock_balances_of(w, &[p]).await.unwrap();
            assert_eq!((b[0].1, b[0].2), (on_hand, reserved), "{backend}: INV-1");
        }

        // Transfers (ALC-8, ALC-9): one per store that got goods, holding
        // exactly its allocations, open, from the central warehouse.
        assert!(
            !to_stores.is_empty(),
            "{backend}: the data set has store needs"
        );
        let transfers = tx
            .transfers(&kaidan_app::ports::TransferQuery {
                run: Some(run.id),
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(out.transfers.len(), transfers.len(), "{backend}");
        let stores: BTreeSet<i64> = to_stores.keys().map(|(s, _)| *s).collect();
        assert_eq!(transfers.len(), stores.len(), "{backend}: one per store");
        let mut listed: BTreeMap<(i64, ProductId), i64> = BTreeMap::new();
        for t in &transfers {
            assert_eq!(t.status, kaidan_domain::transfers::TransferStatus::Open);
            assert_eq!(t.from_warehouse_id, WarehouseId(1));
            let store = t.store_id.unwrap().get();
            for l in &t.lines {
                *listed.entry((store, l.product_id)).or_default() += l.quantity;
            }
        }
        assert_eq!(
            listed, to_stores,
            "{backend}: transfers = store allocations"
        );

        // Pick lists: one per order with allocated goods (SHP-1, ALC-9).
        assert_eq!(out.pick_lists.len(), allocated_orders.len(), "{backend}");
        let lists = tx
            .pick_lists(Some(PickListStatus::Open), None, 100_000)
            .await
            .unwrap();
        assert_eq!(lists.len(), allocated_orders.len());
        let numbers: BTreeSet<&str> = lists.iter().map(|l| l.number.as_str()).collect();
        assert_eq!(numbers.len(), lists.len(), "numbers are unique");
        for n in &out.pick_lists {
            assert!(numbers.contains(n.as_str()) && n.starts_with("PK-"), "{n}");
        }
        let first = tx.pick_list_get(lists[0].id).await.unwrap().unwrap();
        assert!(!first.lines.is_empty());
        let o = tx.order_get(first.order_id).await;
        // Generated orders carry no priced document; their heads are read
        // in bulk instead. The row version was bumped by the pick list.
        assert!(o.is_err() || o.unwrap().unwrap().version == 2);

        // Timelines: one "allocated" event per order given anything, one
        // "pick_list" event per list.
        let touched: BTreeSet<OrderId> = given.keys().map(|(o, _)| *o).collect();
        let mut allocated_events = 0;
        let mut list_events = 0;
        for o in &touched {
            for e in tx.order_events(*o).await.unwrap() {
                match e.kind.as_str() {
                    "allocated" => allocated_events += 1,
                    "pick_list" => list_events += 1,
                    _ => {}
                }
            }
        }
        assert_eq!(allocated_events, touched.len(), "{backend}");
        assert_eq!(list_events, lists.len(), "{backend}");
        let outbox = tx.outbox_pending(1_000_000).await.unwrap();
        let count = |topic: &str| outbox.iter().filter(|e| e.topic == topic).count();
        assert_eq!(count("order.allocated"), touched.len());
        assert_eq!(count("order.pick_list"), lists.len());
        assert_eq!(count("allocation.committed"), 1);
        assert_eq!(count("allocation.locks"), 1);
        let e = outbox
            .iter()
            .find(|e| e.topic == "order.allocated")
            .unwrap();
        assert!(e.payload["order_id"].is_i64() && e.payload["status"] == "approved");
        drop(tx);

        // A second run finds nothing new for the franchisees: their lines
        // with supply were served, and nothing is listed twice.
        let again = app
            .run_allocation(&Ctx::system(), true, "test")
            .await
            .unwrap();
        assert!(
            !again
                .result
                .allocations
                .iter()
                .any(|a| matches!(a, Allocation::FranchiseeAllocation(_))),
            "{backend}"
        );
        assert!(again.pick_lists.is_empty());
        t.db.close().await;
    }
}

#[tokio::test]
async fn alc_4_line_reservation_is_guarded_by_what_is_backordered() {
    // The run counts the lines it updated and treats a short count as a
    // conflict (nothing of the run is written): a line with less
    // backordered than the run was told is not updated.
    for backend in backends() {
        let t = generated(backend).await;
        let mut tx = t.db.write().await.unwrap();
        let before = tx.order_lines(OrderId(1)).await.unwrap();
        let open = before[0].backordered;
        let n = tx
            .alloc_reserve_lines(&[(OrderId(1), 1, open + 1), (OrderId(1), 2, 1)])
            .await
            .unwrap();
        assert_eq!(n, 1, "{backend}: only the line with enough backordered");
        let after = tx.order_lines(OrderId(1)).await.unwrap();
        assert_eq!((after[0].reserved, after[0].backordered), (0, open));
        assert_eq!(
            (after[1].reserved, after[1].backordered),
            (1, before[1].backordered - 1)
        );
        tx.commit().await.unwrap();
        t.db.close().await;
    }
}

#[tokio::test]
async fn bench_baseline_reads_every_open_line_and_writes_its_results() {
    for backend in backends() {
        let t = generated(backend).await;
        let f = t.db.allocate_baseline().await.unwrap();
        assert_eq!(f.read, SHAPE.lines, "{backend}");
        assert!(f.written > 0 && f.written < f.read, "{backend}: {f:?}");
        t.db.close().await;
    }
}

/// ALC-10: a committed run's record is stored packed and comes back whole:
/// the result as the run returned it, and the input, which run through the
/// engine again gives the same result. A run recorded before packing (plain
/// JSON) still reads.
#[tokio::test]
async fn alc_10_the_stored_record_replays_to_the_same_result() {
    use kaidan_app::ports::{AllocationRunRow, RecordPacking};
    use kaidan_store::record::unpack;
    for backend in backends() {
        let t = generated(backend).await;
        let app = app_on(&t.db).await;
        let ctx = Ctx::system();
        let out = app.run_allocation(&ctx, true, "test").await.unwrap();
        let id = out.run.as_ref().unwrap().id;
        let (row, stored) = app.allocation_run(&ctx, id).await.unwrap();
        assert_eq!(row.packing, RecordPacking::Lz4Json, "{backend}");
        assert_eq!(stored, out.result, "{backend}");
        let input: kaidan_domain::allocation::RunInput =
            serde_json::from_str(&app.allocation_run_input(&ctx, id).await.unwrap().1).unwrap();
        assert_eq!(
            kaidan_domain::allocation::run(&input).unwrap(),
            out.result,
            "{backend}"
        );

        // A run recorded as plain JSON.
        let mut tx = t.db.write().await.unwrap();
        let old = tx
            .allocation_run_insert(&AllocationRunRow {
                id: 0,
                number: "AR-OLD-0001".into(),
                at: jiff::Timestamp::now(),
                actor_id: kaidan_domain::UserId(0),
                trigger: "on_demand".into(),
                allocated: 0,
                locked: 0,
                packing: RecordPacking::Json,
                input: b"{\"old\":1}".to_vec(),
                result: b"{\"old\":2}".to_vec(),
            })
            .await
            .unwrap();
        let back = tx.allocation_run_get(old).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(back.packing, RecordPacking::Json);
        assert_eq!(unpack(back.packing, &back.input).unwrap(), "{\"old\":1}");
        assert_eq!(unpack(back.packing, &back.result).unwrap(), "{\"old\":2}");
        t.db.close().await;
    }
}
