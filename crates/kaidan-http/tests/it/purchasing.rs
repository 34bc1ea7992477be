//! Purchasing over HTTP (PUR-1..3, INV-2) in process: the API and the pages,
//! on SQLite always and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_app::orders::FinanceDecision;
use kaidan_app::ports::PurchaseOrderRow;
use kaidan_app::{Created, Ctx};
use kaidan_domain::master::*;
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput, company_time_zone};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, Role, TaxRate};
use kaidan_store::testing::MovableClock;
use rust_decimal::Decimal;
use serde_json::json;
use support::{Res, T, assert_has, csrf, on_each_backend};

fn created<X>(c: Created<X>) -> X {
    match c {
        Created::New(v) => v,
        Created::Replayed { .. } => panic!("expected a new record"),
    }
}

struct Fixture {
    product: ProductId,
    order: OrderId,
}

fn in_days(days: i64) -> String {
    (jiff::Timestamp::now().to_zoned(company_time_zone()).date() + jiff::Span::new().days(days))
        .to_string()
}

/// A central warehouse, a product without stock and a franchisee's approved
/// order for 6 of it: 6 backordered, one open replenishment request.
async fn fixture(t: &T) -> Fixture {
    let sys = Ctx::system();
    let product = ProductId(
        created(
            t.app
                .create(
                    &sys,
                    ProductData {
                        sku: "PU-1".into(),
                        name: "羽绒服".into(),
                        spec: String::new(),
                        barcode: String::new(),
                        category: String::new(),
                        unit: "件".into(),
                        season: Season::AutumnWinter,
                        launch_priority: 1,
                        list_price: "300.00".parse().unwrap(),
                        cost_price: None,
                        tax_rate: TaxRate::new(Decimal::new(13, 2)).unwrap(),
                        active: true,
                    },
                    None,
                )
                .await
                .unwrap(),
        )
        .id,
    );
    t.app
        .create(
            &sys,
            WarehouseData {
                code: "WH".into(),
                name: "总仓".into(),
                address: None,
                is_central: true,
                active: true,
            },
            None,
        )
        .await
        .unwrap();
    let customer = CustomerId(
        created(
            t.app
                .create(
                    &sys,
                    CustomerData {
                        code: "FR-7".into(),
                        name: "华东加盟商".into(),
                        kind: CustomerKind::Franchisee,
                        contact_name: None,
                        contact_phone: None,
                        contact_email: None,
                        address: Some("杭州".into()),
                        region_id: None,
                        tier: None,
                        priority: 1,
                        importance: None,
                        payment_terms: PaymentTerms::Prepayment,
                        net_days: None,
                        payment_method: PaymentMethod::BankTransfer,
                        tax_number: None,
                        bank_account: None,
                        credit_limit: Money::ZERO,
                        price_list_id: None,
                        sales_rep_id: None,
                        active: true,
                    },
                    None,
                )
                .await
                .unwrap(),
        )
        .id,
    );
    let o = created(
        t.app
            .place_order(
                &sys,
                OrderInput {
                    contact_name: Some("李经理".into()),
                    customer_reference: Some("R-1".into()),
                    ..OrderInput::new(
                        customer,
                        Channel::Phone,
                        jiff::Timestamp::now().to_zoned(company_time_zone()).date(),
                        vec![OrderLineInput::new(product, 6)],
                    )
                },
                true,
                None,
            )
            .await
            .unwrap(),
    );
    t.app.review_order(&sys, o.id).await.unwrap();
    let o = t
        .app
        .finance_review(&sys, o.id, FinanceDecision::Pass)
        .await
        .unwrap();
    assert_eq!(o.progress[0].backordered, 6, "{}", t.backend);
    Fixture {
        product,
        order: o.id,
    }
}

/// The API refused `r` with 422, naming `field` first.
#[track_caller]
fn assert_refused(r: &Res, field: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.json()["errors"][0]["field"].as_str(),
        Some(field),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn pur_1_pur_3_inv_2_api_flow() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let buyer = t.user_token("buyer", &[Role::Procurement]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let admin = t.user_token("root", &[Role::Admin]).await;

        let r = t
            .get("/api/v1/replenishments?status=open", &buyer)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let open = r.json();
        assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
        let request = open[0]["id"].as_i64().unwrap();
        assert_eq!(open[0]["status"], "open");

        // Bad input: the field is named, nothing is created.
        let bad = json!({"supplier": "宁波", "expected_arrival": in_days(10),
            "lines": [{"product_id": f.product.get(), "quantity": 0}]});
        let r = t
            .post_json("/api/v1/purchase-orders", &buyer, bad)
            .await;
        assert_refused(&r, "lines[0].quantity");
        let r = t
            .get("/api/v1/purchase-orders?status=lost", &buyer)
            .await;
        assert_refused(&r, "status");
        // Order clerks cannot buy.
        let body = json!({"supplier": "宁波织造厂", "expected_arrival": in_days(10),
            "lines": [{"product_id": f.product.get(), "quantity": 10, "replenishment_ids": [request]}]});
        let r = t
            .post_json("/api/v1/purchase-orders", &clerk, body.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Created once with an Idempotency-Key; the retry replays it.
        let key = [("idempotency-key", "po-1")];
        let r = t
            .json(Method::POST, "/api/v1/purchase-orders", &buyer, body.clone(), &key)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let po = r.json();
        let id = po["id"].as_i64().unwrap();
        assert_eq!(r.header("location"), format!("/api/v1/purchase-orders/{id}"));
        assert_eq!(po["status"], "sent");
        assert_eq!(po["overdue"], false);
        assert_eq!(po["lines"][0]["replenishment_ids"], json!([request]));
        let number = po["number"].as_str().unwrap().to_string();
        let again = t
            .json(Method::POST, "/api/v1/purchase-orders", &buyer, body, &key)
            .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.header("idempotent-replayed"), "true");
        assert_eq!(again.json()["id"], id);
        let list = t
            .get("/api/v1/purchase-orders", &buyer)
            .await
            .json();
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        let r = t
            .get("/api/v1/replenishments?status=ordered", &buyer)
            .await;
        assert_eq!(r.json()[0]["purchase_order_id"], id);

        let r = t
            .get(&format!("/api/v1/purchase-orders/by-number/{number}"), &buyer)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["id"], id);
        let r = t
            .get("/api/v1/purchase-orders/999999", &buyer)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The supplier confirms a later date.
        let r = t
            .post_json(&format!("/api/v1/purchase-orders/{id}/confirm"), &buyer, json!({"expected_arrival": in_days(12)}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "confirmed");
        assert_eq!(r.json()["expected_arrival"], in_days(12));

        // Over-receipt refused with the field; then 4 arrive and fill 4.
        let path = format!("/api/v1/purchase-orders/{id}/receipts");
        let receive = |quantity: i64| {
            let lines = json!({"lines": [{"line_no": 1, "quantity": quantity}]});
            t.post_json(&path, &buyer, lines)
        };
        let r = receive(11).await;
        assert_refused(&r, "lines[0].quantity");
        let r = receive(4).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let res = r.json();
        assert_eq!(res["purchase_order"]["status"], "partly_received");
        // PUR-3: a franchisee's backorder is served by the allocation run the
        // receipt starts; this one has no funds, so the goods are locked for
        // it (ALC-5) rather than filled by promise date.
        assert_eq!(res["filled"].as_array().map(Vec::len), Some(0), "{res}");
        assert!(res["allocation_run"].as_str().is_some_and(|n| n.starts_with("AR-")), "{res}");
        let o = t.get(&format!("/api/v1/orders/{}", f.order.get()), &buyer).await.json();
        assert_eq!((o["progress"][0]["reserved"].as_i64(), o["progress"][0]["backordered"].as_i64()), (Some(4), Some(2)), "{o}");
        assert!(o["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "allocated" && e["data"]["lines"][0]["lock"] == true), "{o}");
        // The rest: the backorder is filled and the request closed.
        let r = receive(6).await;
        assert_eq!(r.json()["purchase_order"]["status"], "received", "{}", r.text());
        let r = t
            .get("/api/v1/replenishments?status=closed", &buyer)
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1, "{}", r.text());
        let r = t
            .post_json(&format!("/api/v1/purchase-orders/{id}/cancel"), &buyer, json!({"reason": "late"}))
            .await;
        assert_refused(&r, "status");

        // Jobs: the schedule is visible; running now needs jobs.run.
        let r = t
            .get("/api/v1/jobs", &buyer)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let names: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["allocation_lock_expiry", "arrival_notices", "complaint_overdue", "dunning", "events_prune", "po_confirmation_overdue", "sales_daily_report", "survey_send"]);
        let r = t
            .json_call(Method::POST, "/api/v1/jobs/arrival_notices/run", &buyer, None, &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .json_call(Method::POST, "/api/v1/jobs/nothing/run", &admin, None, &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t
            .json_call(Method::POST, "/api/v1/jobs/arrival_notices/run", &admin, None, &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.json()["outcome"].as_str().unwrap().starts_with("ok"));
        let r = t
            .get("/api/v1/arrival-notices", &buyer)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!([]), "a received PO gets no notice");
    })
    .await;
}

/// The buyer's new purchase order from 苏州 for 3 of `sku`.
async fn new_po(t: &T, buyer: &str, token: &str, sku: &str) -> Res {
    let arrival = in_days(5);
    let fields = [
        ("supplier", "苏州"),
        ("expected_arrival", arrival.as_str()),
        ("lines[0].sku", sku),
        ("lines[0].quantity", "3"),
    ];
    t.submit("/purchase-orders/new", buyer, token, &fields)
        .await
}

#[tokio::test]
async fn pur_1_pur_2_pur_3_pages() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        t.user_token("buyer", &[Role::Procurement]).await;
        let buyer = t.login("buyer").await;
        let request = t
            .app
            .replenishment_requests(&Ctx::system(), None)
            .await
            .unwrap()[0]
            .id;

        let page = t.page("/purchase-orders", &buyer).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert_has(&html, &["采购订单", "待采购的补货申请"]);
        assert!(
            html.contains(&format!("id=\"request-{request}\"")),
            "{html}"
        );
        let token = csrf(&html);

        // Raise a PO from the ticked request; a bad date is named.
        let raise = async |supplier: &str, expected_arrival: &str| {
            let request = request.to_string();
            let fields = [
                ("request", request.as_str()),
                ("supplier", supplier),
                ("expected_arrival", expected_arrival),
            ];
            t.submit(
                "/purchase-orders/from-replenishments",
                &buyer,
                &token,
                &fields,
            )
            .await
        };
        let r = raise("宁波", "soon").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("expected_arrival"), "{}", r.text());
        let r = raise("宁波织造厂", &in_days(10)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.header("location");
        assert!(location.starts_with("/purchase-orders/"), "{location}");
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

        let html = t.page(&location, &buyer).await.text();
        assert_has(&html, &["PO-", "羽绒服", "收货入库"]);
        assert!(html.contains("记录供应商确认"), "{html}");
        // Confirm, then receive too much (refused, named), then 6.
        let receive = format!("{location}/receive");
        let r = t
            .submit(
                &format!("/purchase-orders/{id}/confirm"),
                &buyer,
                &token,
                &[("expected_arrival", &in_days(11))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = t.submit(&receive, &buyer, &token, &[("qty_1", "7")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("lines[0].quantity"), "{}", r.text());
        assert_eq!(
            t.app
                .purchase_order(&Ctx::system(), id)
                .await
                .unwrap()
                .lines[0]
                .received,
            0
        );
        let r = t.submit(&receive, &buyer, &token, &[("qty_1", "2")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&location, &buyer).await.text();
        assert!(html.contains("部分到货"), "{html}");
        let o = t.app.order(&Ctx::system(), f.order).await.unwrap();
        assert_eq!((o.progress[0].reserved, o.progress[0].backordered), (2, 4));
        // Forged posts are refused.
        let r = t.submit(&receive, &buyer, "x", &[("qty_1", "1")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A new PO by SKU; an unknown SKU is named.
        let html = t.page("/purchase-orders/new", &buyer).await.text();
        assert!(html.contains("发出采购订单"), "{html}");
        let r = new_po(&t, &buyer, &token, "NOPE").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("lines[0].sku"), "{}", r.text());
        let r = new_po(&t, &buyer, &token, "PU-1").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // Notices (PUR-2): both POs arrive within 15 days; the second
        // within 7. The funds list names the franchisee and the amount —
        // the amount only to readers of prices (SEC-4, ADR 0026): channel
        // business, which asks for the funds, not procurement.
        t.app
            .run_job_now(&Ctx::system(), "arrival_notices", "test")
            .await
            .unwrap();
        let html = t.page("/arrival-notices", &buyer).await.text();
        assert_has(&html, &["备款通知", "收货准备"]);
        assert!(html.contains("华东加盟商"), "{html}");
        let unit = o.content.lines[0].unit_price;
        let needed = unit.times(4).round_to_fen().to_string();
        assert!(!html.contains(&needed), "{html}");
        t.user_token("channel", &[Role::ChannelBusiness]).await;
        let channel = t.login("channel").await;
        let html = t.page("/arrival-notices", &channel).await.text();
        assert!(html.contains(&needed), "{html}");
        let html = t.page("/jobs", &buyer).await.text();
        assert_has(&html, &["arrival_notices", "test"]);
        assert!(!html.contains("立即运行"), "no run button without jobs.run");
        // English.
        let r = t.page("/lang/en?next=/purchase-orders", &buyer).await;
        let lang = r.cookie();
        let both = format!("{buyer}; {lang}");
        let html = t.page("/purchase-orders", &both).await.text();
        assert_has(&html, &["Purchase orders", "Partly received"]);
        let html = t.page("/arrival-notices", &both).await.text();
        assert_has(&html, &["Funds notice", "To ask for"]);
    })
    .await;
}

/// A purchase order for 5 of `product` from `supplier`, to arrive in `days`
/// days, sent through the use case.
async fn send_po(t: &T, product: ProductId, supplier: &str, days: i64) -> PurchaseOrderRow {
    let po = kaidan_domain::purchasing::NewPurchaseOrder {
        supplier: supplier.into(),
        warehouse_id: None,
        expected_arrival: in_days(days).parse().unwrap(),
        note: String::new(),
        lines: kaidan_app::purchasing::plain_lines(&[(product, 5)]),
    };
    let sent = t.app.create_purchase_order(&Ctx::system(), po, None).await;
    created(sent.unwrap())
}

#[tokio::test]
async fn pur_1_unconfirmed_past_two_weeks_shows_overdue_in_the_list() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    for backend in kaidan_store::testing::backends() {
        let db = kaidan_store::testing::fresh(backend).await.unwrap();
        let clock = Arc::new(MovableClock(std::sync::atomic::AtomicI64::new(0)));
        let app = kaidan_app::App::new(
            Arc::new(db.db.clone()),
            clock.clone(),
            kaidan_app::AppConfig::default(),
        );
        app.bootstrap().await.unwrap();
        let t = T {
            router: kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default()),
            app,
            backend,
        };
        let f = fixture(&t).await;
        // Sent 15 days ago, never confirmed; another one sent today.
        clock.0.store(-15 * 86_400, Ordering::SeqCst);
        let old = send_po(&t, f.product, "迟迟不确认的供应商", 0).await;
        clock.0.store(0, Ordering::SeqCst);
        let fresh_po = send_po(&t, f.product, "新供应商", 30).await;
        t.user_token("buyer", &[Role::Procurement]).await;
        let buyer = t.login("buyer").await;
        let html = t.page("/purchase-orders", &buyer).await.text();
        let row = |number: &str| {
            html.split("<tr class=\"po-row")
                .find(|r| r.contains(number))
                .unwrap()
                .to_string()
        };
        assert!(row(&old.number).contains("确认逾期"), "{backend}: {html}");
        assert!(
            !row(&fresh_po.number).contains("确认逾期"),
            "{backend}: {html}"
        );
        let html = t
            .page(&format!("/purchase-orders/{}", old.id), &buyer)
            .await
            .text();
        assert!(html.contains("确认逾期"), "{html}");
        db.db.close().await;
    }
}
