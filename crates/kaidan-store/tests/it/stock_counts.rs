//! INV-3 stock counts and KPI-4 inventory accuracy, on SQLite and on
//! PostgreSQL: a difference needs a cause, posting writes count adjustments
//! that keep the balances equal to the ledger, a count may not undercut
//! reservations, and a refused posting changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kaidan_app::clock::SystemClock;
use kaidan_app::ports::{ListQuery, Store};
use kaidan_app::stock_counts::{NewStockCount, PostStockCount};
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, AppConfig, AppError, Ctx};
use kaidan_domain::stock_counts::{CountLineInput, CountStatus, DiscrepancyCause};
use kaidan_domain::{Money, Permission, ProductId, Role, WarehouseId};
use kaidan_store::testing::{backends, fresh};

use crate::support::{create, product, warehouse};

fn line(p: ProductId, counted: i64, cause: Option<DiscrepancyCause>) -> CountLineInput {
    CountLineInput {
        product_id: p,
        counted,
        cause,
        note: None,
    }
}

async fn balances(db: &dyn Store) -> Vec<(i64, i64, i64)> {
    let mut tx = db.read().await.unwrap();
    let b = tx
        .stock_list(&ListQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let sums = tx.stock_ledger_sums().await.unwrap();
    let v: Vec<_> = b
        .iter()
        .map(|b| (b.product_id.get(), b.on_hand, b.reserved))
        .collect();
    let s: Vec<_> = sums.iter().map(|(p, _, o, r)| (p.get(), *o, *r)).collect();
    assert_eq!(v, s, "balances equal the ledger");
    v
}

#[tokio::test]
async fn inv_3_kpi_4_counts_reconcile_with_causes_and_post_to_the_ledger() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let db: Arc<dyn Store> = Arc::new(t.db.clone());
        let app = App::new(Arc::clone(&db), Arc::new(SystemClock), AppConfig::default());
        app.bootstrap().await.unwrap();
        let sys = Ctx::system();
        let mut products = Vec::new();
        for i in 0..2 {
            let p = product(
                &format!("C-{i}"),
                &format!("盘点商品{i}"),
                1,
                Money::yuan(1),
            );
            products.push(ProductId(create(&app, p).await));
        }
        let wh = WarehouseId(create(&app, warehouse("W", "总仓", true)).await);
        app.receive_stock(&sys, products[0], wh, 10, "PO-1")
            .await
            .unwrap();
        app.receive_stock(&sys, products[1], wh, 5, "PO-1")
            .await
            .unwrap();
        {
            let mut tx = db.write().await.unwrap();
            tx.stock_reserve(wh, &[(products[0], 3)], "order 1", jiff::Timestamp::now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let u = app
            .create_user(
                &sys,
                NewUserInput {
                    username: "wh".into(),
                    display_name: String::new(),
                    password: "correct horse".into(),
                    roles: vec![Role::Warehouse],
                    customer_id: None,
                },
            )
            .await
            .unwrap();
        let keeper = Ctx::new(app.actor_by_id(u.id).await.unwrap());
        assert!(keeper.actor.can(Permission::StockCount));
        let before = balances(db.as_ref()).await;

        // Found 8 of product 0 (system 10) and 5 of product 1.
        let count = app
            .create_stock_count(
                &keeper,
                NewStockCount {
                    warehouse_id: wh,
                    note: "月末盘点".into(),
                    lines: vec![line(products[0], 8, None), line(products[1], 5, None)],
                },
            )
            .await
            .unwrap();
        assert_eq!(count.status, CountStatus::Open);
        assert_eq!(count.lines[0].system, 10, "{backend}");
        assert_eq!(count.lines[0].difference(), -2);

        // No cause for the difference: refused, nothing changes.
        let err = app
            .post_stock_count(&keeper, count.id, PostStockCount::default())
            .await
            .unwrap_err();
        match err {
            AppError::Invalid(v) => assert_eq!(v.errors[0].field, "lines[0].cause", "{backend}"),
            other => panic!("{backend}: {other:?}"),
        }
        assert_eq!(balances(db.as_ref()).await, before, "{backend}");

        // With the cause: posted, on hand 8, the ledger agrees.
        let posted = app
            .post_stock_count(
                &keeper,
                count.id,
                PostStockCount {
                    causes: vec![line(products[0], 8, Some(DiscrepancyCause::Damage))],
                },
            )
            .await
            .unwrap();
        assert_eq!(posted.status, CountStatus::Posted);
        assert_eq!(
            balances(db.as_ref()).await,
            vec![(products[0].get(), 8, 3), (products[1].get(), 5, 0)],
            "{backend}"
        );
        let again = app
            .post_stock_count(&keeper, count.id, PostStockCount::default())
            .await;
        assert!(
            matches!(again, Err(AppError::Invalid(_))),
            "{backend}: {again:?}"
        );

        // A count below what is reserved is refused: release first.
        let low = app
            .create_stock_count(
                &keeper,
                NewStockCount {
                    warehouse_id: wh,
                    note: String::new(),
                    lines: vec![line(products[0], 2, Some(DiscrepancyCause::Loss))],
                },
            )
            .await
            .unwrap();
        let err = app
            .post_stock_count(&keeper, low.id, PostStockCount::default())
            .await
            .unwrap_err();
        match err {
            AppError::Invalid(v) => {
                assert_eq!(v.errors[0].field, "lines[0].counted", "{backend}");
                assert_eq!(v.errors[0].code, "below_reserved");
            }
            other => panic!("{backend}: {other:?}"),
        }
        assert_eq!(balances(db.as_ref()).await[0], (products[0].get(), 8, 3));

        // KPI-4: of the two posted lines, one was right.
        let today = jiff::Timestamp::now()
            .to_zoned(kaidan_domain::orders::company_time_zone())
            .date();
        let acc = app.inventory_accuracy(&keeper, today, today).await.unwrap();
        assert_eq!((acc.lines_counted, acc.lines_right), (2, 1), "{backend}");
        assert_eq!(acc.accuracy_percent.as_deref(), Some("50.00"));

        // Order clerks do not count stock.
        let clerk = Ctx::new(kaidan_domain::Actor {
            roles: vec![Role::OrderClerk],
            permissions: Role::OrderClerk.default_permissions().to_vec(),
            ..kaidan_domain::Actor::system()
        });
        let denied = app
            .create_stock_count(
                &clerk,
                NewStockCount {
                    warehouse_id: wh,
                    note: String::new(),
                    lines: vec![line(products[1], 5, None)],
                },
            )
            .await;
        assert!(matches!(denied, Err(AppError::Forbidden(_))), "{backend}");
        t.db.close().await;
    }
}
