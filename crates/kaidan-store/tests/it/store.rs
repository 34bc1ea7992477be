//! The store suite: the use cases against a real database, on SQLite always
//! and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set. Every test runs
//! the same code on each backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_app::import_export::Dataset;
use kaidan_app::ports::{EntityKind, StoreError};
use kaidan_app::{AppError, Created, Ctx, Idempotency, ListRequest};
use kaidan_domain::master::*;
use kaidan_domain::{
    CustomerId, Money, Permission, ProductId, RegionId, Role, TaxRate, WarehouseId,
};
use kaidan_store::testing::{backends, fresh, on_each_app};
use rust_decimal::Decimal;

use crate::support::{create, created, user, warehouse};

fn product(sku: &str) -> ProductData {
    ProductData {
        sku: sku.into(),
        name: format!("产品 {sku}"),
        spec: "M".into(),
        barcode: String::new(),
        category: String::new(),
        unit: "件".into(),
        season: Season::SpringSummer,
        launch_priority: 1,
        list_price: "99.5".parse().unwrap(),
        cost_price: None,
        tax_rate: TaxRate::new(Decimal::new(13, 2)).unwrap(),
        active: true,
    }
}

fn region(code: &str) -> RegionData {
    RegionData {
        code: code.into(),
        name: code.into(),
        name_zh: String::new(),
    }
}

fn customer(code: &str, region: Option<RegionId>) -> CustomerData {
    CustomerData {
        code: code.into(),
        name: format!("客户 {code}"),
        kind: CustomerKind::Franchisee,
        contact_name: Some("王经理".into()),
        contact_phone: None,
        contact_email: None,
        address: None,
        region_id: region,
        tier: None,
        priority: 1,
        importance: None,
        payment_terms: PaymentTerms::Prepayment,
        net_days: None,
        payment_method: PaymentMethod::BankTransfer,
        tax_number: None,
        bank_account: None,
        credit_limit: Money::yuan(50_000),
        price_list_id: None,
        sales_rep_id: None,
        active: true,
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_money_is_exact() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let mut p = product("EXACT-1");
        p.list_price = "12345678901.2345".parse().unwrap();
        let rec = created(app.create(&ctx, p.clone(), None).await.unwrap());
        let back = app.get::<ProductData>(&ctx, rec.id).await.unwrap();
        assert_eq!(back.data.list_price, p.list_price, "{backend}");
        assert_eq!(back.data.tax_rate.basis_points(), 1300, "{backend}");
    })
    .await;
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        t.db.migrate().await.unwrap();
    }
}

#[tokio::test]
async fn sec_2_create_and_update_write_line_level_audit_and_outbox() {
    on_each_app(|app, backend| async move {
        let ctx = user(&app, "brand", &[Role::BrandProduct], None).await;
        let rec = created(app.create(&ctx, product("A-1"), None).await.unwrap());
        let mut changed = rec.data.clone();
        changed.list_price = Money::yuan(120);
        changed.name = "新名字".into();
        let updated = app
            .update(&ctx, rec.id, Some(rec.version), changed)
            .await
            .unwrap();
        assert_eq!(updated.version, rec.version + 1);
        let audit = app.audit_of(&ctx, "product", rec.id).await.unwrap();
        assert_eq!(audit.len(), 2, "{backend}");
        assert_eq!(audit[0].action, "update");
        assert_eq!(audit[0].actor_name, "brand");
        let price = audit[0]
            .changes
            .iter()
            .find(|c| c.field == "list_price")
            .unwrap();
        assert_eq!(price.before.as_deref(), Some("99.5"));
        assert_eq!(price.after.as_deref(), Some("120"));
        assert_eq!(
            audit[0].changes.len(),
            2,
            "only the changed fields: {:?}",
            audit[0].changes
        );
        assert_eq!(audit[1].action, "create");
    })
    .await;
}

#[tokio::test]
async fn stale_version_is_refused_and_changes_nothing() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let rec = created(app.create(&ctx, product("V-1"), None).await.unwrap());
        let mut a = rec.data.clone();
        a.name = "first".into();
        app.update(&ctx, rec.id, Some(rec.version), a)
            .await
            .unwrap();
        let mut b = rec.data.clone();
        b.name = "second".into();
        let err = app
            .update(&ctx, rec.id, Some(rec.version), b)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::VersionConflict { current: 2, .. }),
            "{backend}: {err}"
        );
        assert_eq!(
            app.get::<ProductData>(&ctx, rec.id)
                .await
                .unwrap()
                .data
                .name,
            "first"
        );
    })
    .await;
}

#[tokio::test]
async fn ord_3_bad_input_names_fields_and_writes_nothing() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        created(app.create(&ctx, product("DUP"), None).await.unwrap());
        let err = app.create(&ctx, product("DUP"), None).await.unwrap_err();
        assert!(
            matches!(&err, AppError::Duplicate { field, .. } if field == "sku"),
            "{backend}: {err}"
        );
        let err = app
            .create(&ctx, customer("C-1", Some(RegionId(999))), None)
            .await
            .unwrap_err();
        let AppError::Invalid(v) = err else {
            panic!("{backend}")
        };
        assert_eq!(v.errors[0].field, "region_id");
        let page = app
            .list::<CustomerData>(&ctx, &ListRequest::default())
            .await
            .unwrap();
        assert!(page.items.is_empty(), "{backend}: nothing written");
        let audit = app.audit_of(&ctx, "product", 2).await.unwrap();
        assert!(audit.is_empty(), "{backend}: no audit for a refused create");
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_creates_once() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let idem = Idempotency {
            key: "k-1".into(),
            fingerprint: "f".into(),
        };
        let first = created(app.create(&ctx, product("I-1"), Some(&idem)).await.unwrap());
        match app.create(&ctx, product("I-1"), Some(&idem)).await.unwrap() {
            Created::Replayed { status, body } => {
                assert_eq!(status, 201);
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["id"], first.id, "{backend}");
            }
            Created::New(_) => panic!("{backend}: created twice"),
        }
        let other = Idempotency {
            key: "k-1".into(),
            fingerprint: "different".into(),
        };
        let err = app
            .create(&ctx, product("I-2"), Some(&other))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::IdempotencyMismatch(_)), "{backend}");
    })
    .await;
}

#[tokio::test]
async fn cursor_pagination_search_and_filters() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        for i in 0..7 {
            let mut p = product(&format!("PG-{i}"));
            if i % 2 == 0 {
                p.season = Season::AutumnWinter;
            }
            app.create(&ctx, p, None).await.unwrap();
        }
        let mut seen = Vec::new();
        let mut req = ListRequest {
            limit: Some(3),
            ..Default::default()
        };
        loop {
            let page = app.list::<ProductData>(&ctx, &req).await.unwrap();
            seen.extend(page.items.iter().map(|r| r.data.sku.clone()));
            match page.next_cursor {
                Some(c) => req.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "{backend}: {seen:?}");
        let req = ListRequest {
            search: Some("pg-3".into()),
            ..Default::default()
        };
        let page = app.list::<ProductData>(&ctx, &req).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let req = ListRequest {
            filters: vec![("season".into(), "autumn_winter".into())],
            ..Default::default()
        };
        assert_eq!(
            app.list::<ProductData>(&ctx, &req)
                .await
                .unwrap()
                .items
                .len(),
            4
        );
        let bad = ListRequest {
            filters: vec![("password".into(), "x".into())],
            limit: Some(0),
            ..Default::default()
        };
        let AppError::Invalid(v) = app.list::<ProductData>(&ctx, &bad).await.unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = v.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "password"]);
    })
    .await;
}

#[tokio::test]
async fn sec_1_login_sessions_tokens_and_throttling() {
    on_each_app(|app, backend| async move {
        user(&app, "clerk", &[Role::OrderClerk], None).await;
        let s = app.login("clerk", "correct horse").await.unwrap();
        let (actor, csrf) = app.session_actor(&s.token).await.unwrap();
        assert_eq!(actor.username, "clerk");
        assert_eq!(csrf, s.csrf_token);
        assert!(actor.can(Permission::ProductRead) && !actor.can(Permission::ProductWrite));
        app.logout(&s.token).await.unwrap();
        assert!(matches!(
            app.session_actor(&s.token).await,
            Err(AppError::Unauthenticated)
        ));

        let ctx = Ctx::new(actor.clone());
        let t = app.add_token(&ctx, actor.user_id, "ERP").await.unwrap();
        assert_eq!(
            app.token_actor(&t.token).await.unwrap().username,
            "clerk",
            "{backend}"
        );
        assert!(matches!(
            app.token_actor("kd_wrong").await,
            Err(AppError::Unauthenticated)
        ));

        for _ in 0..5 {
            assert!(matches!(
                app.login("clerk", "wrong").await,
                Err(AppError::Unauthenticated)
            ));
        }
        assert!(matches!(
            app.login("clerk", "correct horse").await,
            Err(AppError::Throttled { .. })
        ));
        assert!(matches!(
            app.login("nobody", "x").await,
            Err(AppError::Unauthenticated)
        ));
    })
    .await;
}

#[tokio::test]
async fn sec_1_permissions_are_data_checked_in_use_cases() {
    on_each_app(|app, backend| async move {
        let clerk = user(&app, "clerk2", &[Role::OrderClerk], None).await;
        let err = app.create(&clerk, product("X"), None).await.unwrap_err();
        assert!(
            matches!(err, AppError::Forbidden(Permission::ProductWrite)),
            "{backend}"
        );
        let mut perms = Role::OrderClerk.default_permissions().to_vec();
        perms.push(Permission::ProductWrite);
        app.set_role_permissions(&Ctx::system(), Role::OrderClerk, &perms)
            .await
            .unwrap();
        let clerk = Ctx::new(app.actor_by_id(clerk.actor.user_id).await.unwrap());
        app.create(&clerk, product("X"), None).await.unwrap();
        let err = app
            .set_role_permissions(&Ctx::system(), Role::Admin, &[Permission::ProductRead])
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)));
    })
    .await;
}

#[tokio::test]
async fn sec_4_portal_user_sees_only_own_customer_and_no_prices() {
    on_each_app(|app, backend| async move {
        let sys = Ctx::system();
        let mine = created(
            app.create(&sys, customer("MINE", None), None)
                .await
                .unwrap(),
        );
        let other = created(
            app.create(&sys, customer("OTHER", None), None)
                .await
                .unwrap(),
        );
        let portal = user(&app, "portal", &[Role::Customer], Some(CustomerId(mine.id))).await;
        let err = app
            .create(&portal, customer("NEW", None), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Forbidden(Permission::CustomerWrite)),
            "{backend}"
        );
        let page = app
            .list::<CustomerData>(&portal, &ListRequest::default())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, mine.id);
        assert!(matches!(
            app.get::<CustomerData>(&portal, other.id).await,
            Err(AppError::NotFound { .. })
        ));
        assert_eq!(
            <ProductData as kaidan_app::MasterEntity>::hidden_fields(&portal.actor),
            ["list_price", "cost_price"]
        );
    })
    .await;
}

#[tokio::test]
async fn int_4_import_is_all_or_nothing_and_reports_every_bad_row() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let bad = "sku,name,unit,season,list_price,tax_rate\n\
                   A-1,衬衫,件,spring_summer,99,13%\n\
                   A-2,,件,winter,abc,13%\n\
                   A-1,重复,件,none,1,0.13\n";
        let err = crate::support::import_file(&app, &ctx, Dataset::Products, "p.csv", bad.as_bytes()).await.unwrap_err();
        let AppError::ImportRejected(rows) = err else { panic!("{backend}: {err}") };
        let got: Vec<String> = rows.iter().map(|e| e.to_string()).collect();
        assert!(got.contains(&"p.csv: row 3, column name: is required".to_string()), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("p.csv: row 3, column season: 'winter'")), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("p.csv: row 3, column list_price: 'abc'")), "{got:?}");
        assert!(got.contains(&"p.csv: row 4, column sku: 'A-1' is also on row 2".to_string()), "{got:?}");
        assert!(app.list::<ProductData>(&ctx, &ListRequest::default()).await.unwrap().items.is_empty());

        let good = "sku,name,unit,season,list_price,tax_rate\nA-1,衬衫,件,spring_summer,99,13%\nA-2,裤子,条,none,120.5,13%\n";
        let r = crate::support::import_file(&app, &ctx, Dataset::Products, "p.csv", good.as_bytes()).await.unwrap();
        assert_eq!((r.created, r.updated), (2, 0), "{backend}");
        let again = good.replace("120.5", "121");
        let r = crate::support::import_file(&app, &ctx, Dataset::Products, "p.csv", again.as_bytes()).await.unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));

        // Export, then import the export: nothing changes.
        let xlsx = crate::support::export_file(&app, &ctx, Dataset::Products, kaidan_io::Format::Xlsx).await.unwrap();
        let r = crate::support::import_file(&app, &ctx, Dataset::Products, "back.xlsx", &xlsx).await.unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2), "{backend}");

        let wh = "code,name,is_central\nWH-1,总仓,是\n";
        crate::support::import_file(&app, &ctx, Dataset::Warehouses, "w.csv", wh.as_bytes()).await.unwrap();
        let stock = "sku,warehouse_code,quantity\nA-1,WH-1,10\nA-9,WH-1,-3\n";
        let AppError::ImportRejected(rows) =
            crate::support::import_file(&app, &ctx, Dataset::Stock, "s.csv", stock.as_bytes()).await.unwrap_err()
        else {
            panic!()
        };
        assert_eq!(rows.len(), 2, "{rows:?}");
        let stock = "sku,warehouse_code,quantity\nA-1,WH-1,10\nA-2,WH-1,5\n";
        crate::support::import_file(&app, &ctx, Dataset::Stock, "s.csv", stock.as_bytes()).await.unwrap();
        let page = app.stock_list(&ctx, &ListRequest::default()).await.unwrap();
        assert_eq!(page.items.iter().map(|b| b.on_hand).sum::<i64>(), 15);
        // Cursor pagination over (product, warehouse) keys, one row a page.
        let mut req = ListRequest { limit: Some(1), ..Default::default() };
        let mut seen = 0;
        loop {
            let page = app.stock_list(&ctx, &req).await.unwrap();
            seen += page.items.len();
            match page.next_cursor {
                Some(c) => req.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, 2, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn inv_1_stock_balance_cannot_go_negative_in_the_database() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let p = ProductId(create(&app, product("S-1")).await);
        let w = WarehouseId(create(&app, warehouse("WH", "总仓", true)).await);
        app.receive_stock(&ctx, p, w, 5, "PO-1").await.unwrap();
        let err = app.receive_stock(&ctx, p, w, -5, "x").await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{backend}");
        let page = app.stock_list(&ctx, &ListRequest::default()).await.unwrap();
        assert_eq!((page.items[0].on_hand, page.items[0].available), (5, 5));
        let _ = StoreError::Conflict;
    })
    .await;
}

#[tokio::test]
async fn alc_6_region_priorities_are_data() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let mut ids = Vec::new();
        for code in ["AIRPORT", "SZ", "DG"] {
            ids.push(RegionId(
                created(app.create(&ctx, region(code), None).await.unwrap()).id,
            ));
        }
        let list = RegionPriorityList {
            season: Season::SpringSummer,
            regions: ids.clone(),
        };
        app.set_region_priorities(&ctx, list).await.unwrap();
        ids.reverse();
        let list = RegionPriorityList {
            season: Season::SpringSummer,
            regions: ids.clone(),
        };
        let after = app.set_region_priorities(&ctx, list).await.unwrap();
        assert_eq!(after[0].data.code, "DG", "{backend}");
        let audit = app.audit_of(&ctx, "region_priorities", 0).await.unwrap();
        assert_eq!(
            audit[0].changes[0].before.as_deref(),
            Some("AIRPORT > SZ > DG")
        );
        let bad = RegionPriorityList {
            season: Season::AutumnWinter,
            regions: vec![RegionId(77), ids[0], ids[0]],
        };
        let AppError::Invalid(v) = app.set_region_priorities(&ctx, bad).await.unwrap_err() else {
            panic!()
        };
        assert_eq!(v.errors[0].field, "regions[2]");
        let _ = EntityKind::Region;
    })
    .await;
}
