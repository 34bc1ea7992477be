//! The real allocation run (ALC-1..10, PUR-3, FIN-5) on SQLite always and on
//! PostgreSQL when KAIDAN_TEST_DATABASE_URL is set: hand-computed runs for
//! funded and unfunded franchisees, locks that are paid or expire, previews
//! that write nothing, and a property test of the guarantees over random
//! worlds, each checked against the stock ledger (INV-1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use kaidan_app::{App, AppConfig, AppError, Ctx};
use kaidan_domain::allocation::{self, Allocation, RunInput};
use kaidan_domain::master::{CustomerData, CustomerKind, PaymentMethod, PaymentTerms};
use kaidan_domain::orders::{AccountEntry, EntryKind, OrderStatus};
use kaidan_domain::{CustomerId, Money, OrderId, Role};
use kaidan_store::testing::{backends, fresh};
use kaidan_store::{Db, DbOptions};
use proptest::prelude::*;
use support::*;

async fn franchisee(w: &World, code: &str, priority: i32) -> CustomerId {
    let c = CustomerData {
        code: code.into(),
        name: format!("加盟商{code}"),
        kind: CustomerKind::Franchisee,
        contact_name: None,
        contact_phone: None,
        contact_email: None,
        address: Some("广州".into()),
        region_id: None,
        tier: None,
        priority,
        importance: None,
        payment_terms: PaymentTerms::MonthlySettlement,
        net_days: None,
        payment_method: PaymentMethod::BankTransfer,
        tax_number: None,
        bank_account: None,
        credit_limit: Money::yuan(10_000),
        price_list_id: None,
        sales_rep_id: None,
        active: true,
    };
    CustomerId(created(w.app.create(&Ctx::system(), c, None).await.unwrap()).id)
}

async fn deposit(w: &World, c: CustomerId, yuan: i64) {
    w.app
        .post_account_entry(
            &w.finance,
            c,
            AccountEntry::new(EntryKind::Deposit, Money::yuan(yuan), None),
        )
        .await
        .unwrap();
}

/// An approved order of `customer` for `(product, quantity)` lines.
async fn order_for(
    w: &World,
    customer: CustomerId,
    lines: &[(usize, i64)],
    reference: &str,
) -> OrderId {
    let mut i = input(w, lines, reference);
    i.customer_id = customer;
    let o = created(w.app.place_order(&w.clerk, i, true, None).await.unwrap());
    w.app.review_order(&w.clerk, o.id).await.unwrap();
    let o = w
        .app
        .finance_review(&w.finance, o.id, kaidan_app::orders::FinanceDecision::Pass)
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Approved, "{:?}", o.timeline);
    o.id
}

/// (reserved, backordered) of line 1.
async fn line(w: &World, o: OrderId) -> (i64, i64) {
    let v = w.app.order(&w.clerk, o).await.unwrap();
    (v.progress[0].reserved, v.progress[0].backordered)
}

async fn brand(w: &World) -> Ctx {
    user(&w.app, "brand", &[Role::BrandProduct], None).await
}

#[tokio::test]
async fn alc_2_alc_5_pur_3_receipt_runs_allocation_funded_first_then_locks() {
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let a = w.customer; // priority 1 (the world's franchisee)
        let b = franchisee(&w, "FR-B", 2).await;
        deposit(&w, a, 1_000).await;
        let oa = order_for(&w, a, &[(0, 8)], "A-1").await;
        let ob = order_for(&w, b, &[(0, 5)], "B-1").await;
        assert_eq!((line(&w, oa).await, line(&w, ob).await), ((0, 8), (0, 5)));

        // PUR-3: ten arrive; the receipt runs the allocation. A is funded
        // (1,000 paid, its order is 800): all 8. B has no funds: the 2 left
        // are locked for it for 15 days (ALC-5).
        receive(&w, 0, w.warehouse, 10, "PO-TEST").await;
        assert_eq!(line(&w, oa).await, (8, 0));
        assert_eq!(line(&w, ob).await, (2, 3));
        let brand = brand(&w).await;
        let runs = w.app.allocation_runs(&brand).await.unwrap();
        assert_eq!(runs.len(), 1, "{}", w.backend);
        assert_eq!(
            (runs[0].trigger.as_str(), runs[0].allocated, runs[0].locked),
            ("receipt", 8, 2)
        );
        let (_, result) = w.app.allocation_run(&brand, runs[0].id).await.unwrap();
        let reasons: Vec<String> = result
            .allocations
            .iter()
            .map(|a| format!("{:?}/{:?}", a.reason().rule, a.reason().bound))
            .collect();
        assert_eq!(
            reasons,
            [
                "FundedFranchisee/FullyServed",
                "UnfundedLock/SupplyExhausted"
            ],
            "{}",
            w.backend
        );
        // ALC-9: A's goods are on a pick list; B's locked goods are not.
        let lists = w.app.pick_lists(&Ctx::system(), None).await.unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].order_id, oa);
        let plan = w.app.shipping_plan(&Ctx::system()).await.unwrap();
        let b_line = plan.iter().find(|l| l.order_id == ob).unwrap();
        assert_eq!(
            (b_line.reserved, b_line.locked, b_line.pickable()),
            (2, 2, 0)
        );
        // Channel business's list: B, 2 × 100.
        let chase = w.app.lock_chase_list(&w.finance).await.unwrap();
        assert_eq!(chase.len(), 1);
        assert_eq!(
            (chase[0].customer_id, chase[0].amount),
            (b, Money::yuan(200))
        );
        ledger_holds(&w).await;

        // A preview sees nothing left to allocate and writes nothing.
        let p = w
            .app
            .run_allocation(&brand, false, "on_demand")
            .await
            .unwrap();
        assert!(!p.committed && p.run.is_none());
        assert!(p.result.allocations.is_empty());
        assert_eq!(w.app.allocation_runs(&brand).await.unwrap().len(), 1);
        assert!(matches!(
            w.app.run_allocation(&w.clerk, false, "on_demand").await,
            Err(AppError::Forbidden(_))
        ));

        // B pays within the period; three more arrive: the lock becomes an
        // allocation and B gets the rest.
        deposit(&w, b, 500).await;
        receive(&w, 0, w.warehouse, 3, "PO-TEST-2").await;
        assert_eq!(line(&w, ob).await, (5, 0));
        let locks = w.app.lock_chase_list(&w.finance).await.unwrap();
        assert!(locks.is_empty(), "the paid lock is converted");
        let plan = w.app.shipping_plan(&Ctx::system()).await.unwrap();
        assert!(
            plan.iter()
                .filter(|l| l.order_id == ob)
                .all(|l| l.locked == 0)
        );
        assert!(
            w.app
                .pick_lists(&Ctx::system(), None)
                .await
                .unwrap()
                .iter()
                .any(|l| l.order_id == ob)
        );
        ledger_holds(&w).await;
    })
    .await;
}

#[tokio::test]
async fn alc_5_an_unpaid_lock_expires_back_to_supply_once() {
    on_each_backend_clocked(
        10_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, clock, _| async move {
            let o = order_for(&w, w.customer, &[(1, 4)], "L-1").await;
            receive(&w, 1, w.warehouse, 4, "PO-L").await;
            assert_eq!(line(&w, o).await, (4, 0), "all four locked");
            assert_eq!(
                w.app.expire_locks(&Ctx::system()).await.unwrap(),
                0,
                "not yet"
            );
            clock.0.store(16 * 86_400, Ordering::SeqCst);
            assert_eq!(w.app.expire_locks(&Ctx::system()).await.unwrap(), 1);
            assert_eq!(w.app.expire_locks(&Ctx::system()).await.unwrap(), 0, "once");
            assert_eq!(line(&w, o).await, (0, 4), "released and backordered again");
            let v = w.app.order(&w.clerk, o).await.unwrap();
            assert!(v.timeline.iter().any(|e| e.kind == "lock_expired"));
            let b = balances(&w)
                .await
                .into_iter()
                .find(|b| b.product_id == w.products[1])
                .unwrap();
            assert_eq!((b.on_hand, b.reserved), (4, 0), "back in supply");
            ledger_holds(&w).await;
            // The job runs it too (exactly once is the jobs table's claim).
            let brand = brand(&w).await;
            let again = w
                .app
                .run_allocation(&brand, true, "on_demand")
                .await
                .unwrap();
            assert_eq!(
                again.result.allocations.len(),
                1,
                "locked again for the unpaid franchisee"
            );
            w.app.cancel_order(&w.clerk, o, "客户取消").await.unwrap();
            assert!(
                w.app.lock_chase_list(&w.finance).await.unwrap().is_empty(),
                "cancelled with its order"
            );
            ledger_holds(&w).await;
        },
    )
    .await;
}

/// ALC-5: a payment after the lock's last day does not turn the lock into
/// an allocation; the expiry job, run by two nodes at once, releases it
/// exactly once; the next run then serves the franchisee, funded by now,
/// like any funded one.
#[tokio::test]
async fn alc_5_a_late_payment_does_not_keep_the_lock_and_two_nodes_expire_it_once() {
    on_each_backend_clocked(10_000, PaymentTerms::MonthlySettlement, 0, |w, clock, b| async move {
        let backend = b.name;
        let o = order_for(&w, w.customer, &[(1, 4)], "L-2").await;
        receive(&w, 1, w.warehouse, 4, "PO-L").await;
        assert_eq!(line(&w, o).await, (4, 0), "{backend}: locked");
        let brand = brand(&w).await;

        // Paid on the lock's last day (day 15), more than the 200 yuan its
        // reserved goods commit: it would convert.
        clock.0.store(15 * 86_400, Ordering::SeqCst);
        deposit(&w, w.customer, 1_000).await;
        let on_time = w
            .app
            .run_allocation(&brand, false, "on_demand")
            .await
            .unwrap();
        assert_eq!(on_time.converted_locks.len(), 1, "{backend}: paid in time");
        // A day later, with no run in between, the period is over.
        clock.0.store(16 * 86_400, Ordering::SeqCst);
        let late = w
            .app
            .run_allocation(&brand, false, "on_demand")
            .await
            .unwrap();
        assert!(
            late.converted_locks.is_empty(),
            "{backend}: past the last day"
        );

        let db2 = Db::connect(&b.url, &DbOptions::default()).await.unwrap();
        let node2 = App::new(Arc::new(db2.clone()), clock.clone(), AppConfig::default());
        let mut handles = Vec::new();
        for i in 0..6 {
            let (a, name) = if i % 2 == 0 {
                (w.app.clone(), "node-1")
            } else {
                (node2.clone(), "node-2")
            };
            handles.push(tokio::spawn(async move { a.run_due_jobs(name).await }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        let v = w.app.order(&w.clerk, o).await.unwrap();
        let expired = v
            .timeline
            .iter()
            .filter(|e| e.kind == "lock_expired")
            .count();
        assert_eq!(expired, 1, "{backend}: released once");
        assert_eq!(line(&w, o).await, (0, 4), "{backend}: backordered again");
        assert!(w.app.lock_chase_list(&w.finance).await.unwrap().is_empty());
        ledger_holds(&w).await;

        let out = w
            .app
            .run_allocation(&brand, true, "on_demand")
            .await
            .unwrap();
        assert!(
            matches!(out.result.allocations.as_slice(), [Allocation::FranchiseeAllocation(a)] if a.quantity.get() == 4),
            "{backend}: {:?}",
            out.result.allocations
        );
        assert_eq!(line(&w, o).await, (4, 0));
        ledger_holds(&w).await;
        db2.close().await;
    })
    .await;
}

#[derive(Debug, Clone)]
struct Case {
    /// Per franchisee: (priority, deposit in yuan).
    franchisees: Vec<(i32, i64)>,
    /// (franchisee, product, quantity).
    orders: Vec<(usize, usize, i64)>,
    /// Units received per product.
    receipts: [i64; 2],
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((1..4i32, prop_oneof![Just(0i64), 50..2_000i64]), 1..4),
        prop::collection::vec((0..3usize, 0..2usize, 1..12i64), 1..7),
        [0..25i64, 0..25i64],
    )
        .prop_map(|(franchisees, orders, receipts)| {
            let n = franchisees.len();
            Case {
                orders: orders.into_iter().map(|(f, p, q)| (f % n, p, q)).collect(),
                franchisees,
                receipts,
            }
        })
}

async fn check_case(w: World, c: Case) -> Result<(), String> {
    let mut ids = vec![w.customer];
    for (i, _) in c.franchisees.iter().enumerate().skip(1) {
        ids.push(franchisee(&w, &format!("FR-P{i}"), 1).await);
    }
    for (i, (priority, paid)) in c.franchisees.iter().enumerate() {
        let data = w
            .app
            .get::<CustomerData>(&Ctx::system(), ids[i].get())
            .await
            .map_err(|e| e.to_string())?;
        let mut d = data.data.clone();
        d.priority = *priority;
        w.app
            .update(&Ctx::system(), ids[i].get(), Some(data.version), d)
            .await
            .map_err(|e| e.to_string())?;
        if *paid > 0 {
            deposit(&w, ids[i], *paid).await;
        }
    }
    let mut orders = Vec::new();
    for (k, (f, p, q)) in c.orders.iter().enumerate() {
        orders.push((
            order_for(&w, ids[*f], &[(*p, *q)], &format!("R-{k}")).await,
            *p,
            *q,
        ));
    }
    for (p, q) in c.receipts.iter().enumerate() {
        if *q > 0 {
            w.app
                .receive_stock(&Ctx::system(), w.products[p], w.warehouse, *q, "prop")
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    // No line above its quantity, nothing reserved beyond what arrived.
    let mut reserved = [0i64; 2];
    for (o, p, q) in &orders {
        let (r, b) = line(&w, *o).await;
        if r + b != *q || r < 0 || b < 0 {
            return Err(format!("order {o}: reserved {r} + backordered {b} ≠ {q}"));
        }
        reserved[*p] += r;
    }
    if reserved[0] > c.receipts[0] || reserved[1] > c.receipts[1] {
        return Err(format!(
            "reserved {reserved:?} beyond receipts {:?}",
            c.receipts
        ));
    }
    ledger_holds(&w).await;
    // Every stored run: funded franchisees within their money, and the
    // stored input gives the stored result again, byte for byte (ALC-10).
    let brand = brand(&w).await;
    for run in w
        .app
        .allocation_runs(&brand)
        .await
        .map_err(|e| e.to_string())?
    {
        let (_, result) = w
            .app
            .allocation_run(&brand, run.id)
            .await
            .map_err(|e| e.to_string())?;
        for f in &result.franchisees {
            if let Some(money) = f.money_available
                && f.allocated_amount > money
            {
                return Err(format!(
                    "{:?} got {} with {}",
                    f.franchisee, f.allocated_amount, money
                ));
            }
        }
        let stored = w
            .app
            .allocation_run_input(&brand, run.id)
            .await
            .map_err(|e| e.to_string())?
            .1;
        let input: RunInput = serde_json::from_str(&stored).map_err(|e| e.to_string())?;
        let again = allocation::run(&input).map_err(|e| e.to_string())?;
        if again != result {
            return Err(format!("run {} is not reproducible", run.number));
        }
        let served: i64 = result
            .allocations
            .iter()
            .filter(|a| {
                matches!(
                    a,
                    Allocation::FranchiseeAllocation(_) | Allocation::FranchiseeLock(_)
                )
            })
            .map(|a| a.quantity().get())
            .sum();
        if served != run.allocated + run.locked {
            return Err(format!(
                "run {}: {served} served, {} + {} recorded",
                run.number, run.allocated, run.locked
            ));
        }
    }
    Ok(())
}

#[test]
fn alc_1_to_10_real_runs_keep_the_guarantees_on_random_worlds() {
    check_on_each_backend(6, case(), |backend, c| async move {
        let t = fresh(backend).await?;
        let app = App::new(
            Arc::new(t.db.clone()),
            Arc::new(kaidan_app::clock::SystemClock),
            AppConfig::default(),
        );
        app.bootstrap().await.map_err(|e| e.to_string())?;
        let w = world(app, backend, 10_000, PaymentTerms::MonthlySettlement, 0).await;
        let r = check_case(w, c).await;
        t.db.close().await;
        r
    });
}

/// ALC-3 on the database: the same world allocated with franchisees by
/// priority rank, then (configured in `[allocation]`) by funds.
#[tokio::test]
async fn alc_3_franchisees_by_priority_or_by_funds_as_configured() {
    use kaidan_domain::allocation::{AllocationPolicy, FranchiseeOrdering};
    for ordering in [FranchiseeOrdering::Priority, FranchiseeOrdering::Funds] {
        for backend in backends() {
            let t = fresh(backend).await.unwrap();
            let config = AppConfig {
                allocation: AllocationPolicy {
                    franchisee_ordering: ordering,
                    ..Default::default()
                },
                ..AppConfig::default()
            };
            let app = App::new(
                Arc::new(t.db.clone()),
                Arc::new(kaidan_app::clock::SystemClock),
                config,
            );
            app.bootstrap().await.unwrap();
            let w = world(app, backend, 10_000, PaymentTerms::MonthlySettlement, 0).await;
            // Rank 1 with little money, rank 2 with much more.
            let small = w.customer;
            let rich = franchisee(&w, "FR-RICH", 2).await;
            deposit(&w, small, 300).await;
            deposit(&w, rich, 5_000).await;
            let o_small = order_for(&w, small, &[(0, 4)], "S-1").await;
            let o_rich = order_for(&w, rich, &[(0, 4)], "R-1").await;
            receive(&w, 0, w.warehouse, 4, "PO-3").await;
            let (s, r) = (line(&w, o_small).await, line(&w, o_rich).await);
            match ordering {
                FranchiseeOrdering::Priority => {
                    assert_eq!((s, r), ((4, 0), (0, 4)), "rank 1 first ({backend})")
                }
                FranchiseeOrdering::Funds => {
                    assert_eq!((s, r), ((0, 4), (4, 0)), "more funds first ({backend})")
                }
            }
            t.db.close().await;
        }
    }
}

/// ALC-4 on the database: within one franchisee, launch-plan priority
/// first, and a line is served in part up to funds + credit.
#[tokio::test]
async fn alc_4_launch_priority_first_and_partial_up_to_the_money() {
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let f = w.customer;
        deposit(&w, f, 150).await;
        // P-2 (launch 2, 50 yuan) is ordered first, P-1 (launch 1, 100 yuan)
        // second, in one order of 300.
        let o = order_for(&w, f, &[(1, 2), (0, 2)], "L-4").await;
        // Finance stops the credit: the franchisee has its 150 of funds.
        let rec = w
            .app
            .get::<CustomerData>(&Ctx::system(), f.get())
            .await
            .unwrap();
        let mut d = rec.data.clone();
        d.credit_limit = Money::ZERO;
        w.app
            .update(&Ctx::system(), f.get(), Some(rec.version), d)
            .await
            .unwrap();
        let brand = brand(&w).await;
        // P-1 arrives first and is allocated up to the money; P-2 then gets
        // what is left.
        for p in [0, 1] {
            receive(&w, p, w.warehouse, 10, "PO-4").await;
        }
        let v = w.app.order(&w.clerk, o).await.unwrap();
        let got: Vec<i64> = v.progress.iter().map(|p| p.reserved).collect();
        // 150: P-1 first (launch 1): one unit of 100 (money bound), then
        // P-2 with 50 left: one unit of 50.
        assert_eq!(got, [1, 1], "line 1 is P-2, line 2 is P-1 ({})", w.backend);
        let runs = w.app.allocation_runs(&brand).await.unwrap();
        let (_, first) = w
            .app
            .allocation_run(&brand, runs.last().unwrap().id)
            .await
            .unwrap();
        let a = &first.allocations[0];
        assert_eq!((a.product(), a.quantity().get()), (w.products[0], 1));
        assert_eq!(format!("{:?}", a.reason().bound), "MoneyExhausted");
        ledger_holds(&w).await;
    })
    .await;
}

/// ALC-6, ALC-7, ALC-8 on the database: with no franchisee waiting, what is
/// left goes to the stores' safety stock, region by region in the list's
/// order (not by id or name), tier A before B inside a region.
#[tokio::test]
async fn alc_6_alc_7_alc_8_stores_by_region_list_then_tier() {
    use kaidan_domain::master::{
        RegionData, RegionPriorityList, SafetyStock, Season, StoreData, StoreOwnership, Tier,
    };
    use kaidan_domain::{Quantity, RegionId, StoreId};
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let sys = Ctx::system();
        let region = |code: &'static str| {
            let app = w.app.clone();
            async move {
                let r = RegionData { code: code.into(), name: code.into(), name_zh: String::new() };
                RegionId(created(app.create(&Ctx::system(), r, None).await.unwrap()).id)
            }
        };
        let south = region("SOUTH").await;
        let north = region("NORTH").await;
        // Both season lists put the north first, so the run date's season
        // does not matter for this non-seasonal product.
        for season in [Season::SpringSummer, Season::AutumnWinter] {
            w.app
                .set_region_priorities(&sys, RegionPriorityList { season, regions: vec![north, south] })
                .await
                .unwrap();
        }
        let mut stores = Vec::new();
        for (code, r, tier) in [("S-A", south, Tier::A), ("N-B", north, Tier::B), ("N-A", north, Tier::A)] {
            let s = StoreData {
                code: code.into(),
                name: code.into(),
                region_id: r,
                ownership: StoreOwnership::Direct,
                tier,
                priority: 1,
                active: true,
            };
            let id = StoreId(created(w.app.create(&sys, s, None).await.unwrap()).id);
            w.app
                .set_safety_stock(&sys, id, vec![SafetyStock { product_id: w.products[0], quantity: Quantity::new(3).unwrap() }])
                .await
                .unwrap();
            stores.push(id);
        }
        // The receipt starts a run (PUR-3), which serves the stores.
        w.app.receive_stock(&sys, w.products[0], w.warehouse, 5, "PO-S").await.unwrap();
        let brand = brand(&w).await;
        let runs = w.app.allocation_runs(&brand).await.unwrap();
        assert_eq!(runs.len(), 1, "{}", w.backend);
        let (_, result) = w.app.allocation_run(&brand, runs[0].id).await.unwrap();
        let got: Vec<(StoreId, i64)> = result
            .allocations
            .iter()
            .filter_map(|a| match a {
                Allocation::Store(s) => Some((s.store, s.quantity.get())),
                _ => None,
            })
            .collect();
        // North before south (the list), N-A (tier A) before N-B; the
        // south's store gets nothing: supply ran out.
        assert_eq!(got, [(stores[2], 3), (stores[1], 2)], "{}", w.backend);
        assert!(result.unserved.iter().any(|u| matches!(u, kaidan_domain::allocation::Unserved::Store(s) if s.store == stores[0] && s.unserved.get() == 3)));
        // ALC-9: each store's goods are a transfer, reserved in the central
        // warehouse; a second run sends nothing more to the stores served.
        let transfers = w.app.transfers(&sys, Default::default()).await.unwrap();
        let mut per_store: Vec<(StoreId, i64)> = transfers
            .iter()
            .map(|t| (t.store_id.unwrap(), t.lines.iter().map(|l| l.quantity).sum()))
            .collect();
        per_store.sort();
        let mut want = vec![(stores[2], 3), (stores[1], 2)];
        want.sort();
        assert_eq!(per_store, want, "{}", w.backend);
        let again = w.app.run_allocation(&brand, false, "on_demand").await.unwrap();
        assert!(again.result.allocations.is_empty(), "{}: nothing left, nothing resent", w.backend);
        ledger_holds(&w).await;
    })
    .await;
}

/// ALC-6, ALC-8 on the database, with season lists that differ: a seasonal
/// product follows its season's list region by region (the region's store,
/// then its replenishment plan); the non-seasonal product follows the list
/// of the run date's season and serves every store before any plan; regions
/// on neither list come after it, by name (ALPHA before ZETA).
#[tokio::test]
#[rustfmt::skip]
async fn alc_6_alc_8_season_lists_plans_and_unlisted_regions_on_the_database() {
    use kaidan_domain::allocation::Season as RunSeason;
    use kaidan_domain::master::{ProductData, RegionData, RegionPriorityList, SafetyStock, Season, StoreData, StoreOwnership, Tier};
    use kaidan_domain::transfers::RegionNeed;
    use kaidan_domain::{ProductId, Quantity, RegionId, StoreId, TaxRate};
    on_each_backend(10_000, PaymentTerms::MonthlySettlement, 0, |w| async move {
        let sys = Ctx::system();
        let mut regions = Vec::new();
        for code in ["ZETA", "SOUTH", "NORTH", "ALPHA"] {
            let r = RegionData { code: code.into(), name: code.into(), name_zh: String::new() };
            regions.push(RegionId(created(w.app.create(&sys, r, None).await.unwrap()).id));
        }
        let [zeta, south, north, alpha] = [regions[0], regions[1], regions[2], regions[3]];
        for (season, list) in [(Season::SpringSummer, vec![south, north]), (Season::AutumnWinter, vec![north, south])] {
            w.app.set_region_priorities(&sys, RegionPriorityList { season, regions: list }).await.unwrap();
        }
        let mut products = Vec::new();
        for (sku, season) in [("S-1", Season::SpringSummer), ("W-1", Season::AutumnWinter), ("N-1", Season::None)] {
            let p = ProductData { sku: sku.into(), name: sku.into(), spec: String::new(), barcode: String::new(), category: String::new(), unit: "件".into(), season,
                launch_priority: 1, list_price: "10.00".parse().unwrap(), cost_price: None,
                tax_rate: TaxRate::new(rust_decimal::Decimal::new(13, 2)).unwrap(), active: true };
            products.push(ProductId(created(w.app.create(&sys, p, None).await.unwrap()).id));
        }
        // Every region: one tier-A store needing 2 of each, a plan of 1 of each.
        let mut store_of = std::collections::HashMap::new();
        for (i, r) in regions.iter().enumerate() {
            let s = StoreData { code: format!("ST-{i}"), name: format!("ST-{i}"), region_id: *r,
                ownership: StoreOwnership::Affiliated, tier: Tier::A, priority: 1, active: true };
            let id = StoreId(created(w.app.create(&sys, s, None).await.unwrap()).id);
            let levels = products.iter().map(|p| SafetyStock { product_id: *p, quantity: Quantity::new(2).unwrap() }).collect();
            w.app.set_safety_stock(&sys, id, levels).await.unwrap();
            let plan = products.iter().map(|p| RegionNeed { product_id: *p, quantity: 1 }).collect();
            w.app.set_region_needs(&sys, *r, plan).await.unwrap();
            store_of.insert(id, *r);
        }
        // Six of each arrive, one product per receipt: each receipt runs (PUR-3).
        for p in &products {
            w.app.receive_stock(&sys, *p, w.warehouse, 6, "PO-SEASON").await.unwrap();
        }
        let brand = brand(&w).await;
        let mut served: Vec<(ProductId, &str, RegionId, i64)> = Vec::new();
        let mut default_season = None;
        let runs = w.app.allocation_runs(&brand).await.unwrap();
        assert_eq!(runs.len(), 3, "{}", w.backend);
        for run in runs.iter().rev() {
            let (_, result) = w.app.allocation_run(&brand, run.id).await.unwrap();
            default_season = Some(result.default_season);
            for a in &result.allocations {
                match a {
                    Allocation::Store(x) => served.push((x.product, "store", x.region, x.quantity.get())),
                    Allocation::Region(x) => served.push((x.product, "plan", x.region, x.quantity.get())),
                    _ => {}
                }
            }
        }
        let of = |p: ProductId| served.iter().filter(|s| s.0 == p).map(|s| (s.1, s.2, s.3)).collect::<Vec<_>>();
        assert_eq!(of(products[0]), [("store", south, 2), ("plan", south, 1), ("store", north, 2), ("plan", north, 1)], "{}: spring/summer list", w.backend);
        assert_eq!(of(products[1]), [("store", north, 2), ("plan", north, 1), ("store", south, 2), ("plan", south, 1)], "{}: autumn/winter list", w.backend);
        let (first, second) = match default_season.unwrap() {
            RunSeason::SpringSummer => (south, north),
            RunSeason::AutumnWinter => (north, south),
        };
        assert_eq!(of(products[2]), [("store", first, 2), ("store", second, 2), ("store", alpha, 2)],
            "{}: the run date's list, stores before plans, ALPHA before ZETA", w.backend);
        assert!(!served.iter().any(|s| s.2 == zeta), "{}", w.backend);
        // The plans were taken: what is left is what nothing reached.
        for (r, left) in [(south, vec![products[2]]), (north, vec![products[2]]), (alpha, products.clone()), (zeta, products.clone())] {
            let plan: Vec<ProductId> = w.app.region_needs(&sys, r).await.unwrap().iter().map(|n| n.product_id).collect();
            assert_eq!(plan, left, "{}", w.backend);
        }
        // Each store and region with goods has its transfers.
        let transfers = w.app.transfers(&sys, Default::default()).await.unwrap();
        let units: i64 = transfers.iter().flat_map(|t| &t.lines).map(|l| l.quantity).sum();
        assert_eq!(units, 18, "{}", w.backend);
        assert!(transfers.iter().all(|t| t.store_id.is_none_or(|s| store_of[&s] == t.region_id)));
        ledger_holds(&w).await;
    })
    .await;
}
