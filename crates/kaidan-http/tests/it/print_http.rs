//! Printed documents over the API and the pages (DOC-1): the order
//! confirmation and the delivery note as PDFs whose text carries the
//! Chinese titles, the numbers and the totals; the same permission as
//! reading the order or shipment; a clear 503 without a CJK font.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_app::Ctx;
use kaidan_app::users::NewUserInput;
use kaidan_domain::{CustomerId, Role};
use kaidan_print::testing::{pdf_text, squeezed};
use serde_json::json;
use support::{T, on_each_backend};

/// An approved order of 3 shirts at 99.50 for 加盟商 FR-1, shipped; (order
/// id, order number, shipment id, delivery note number, customer id).
async fn shipped_order(t: &T) -> (i64, String, i64, String, i64) {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t
        .post_json(
            "/api/v1/products",
            &admin,
            json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
                   "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"}),
        )
        .await
        .json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nF-1,WH,10\n",
    )
    .await;
    let c = t
        .post_json(
            "/api/v1/customers",
            &admin,
            json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
                   "payment_terms": "monthly_settlement", "payment_method": "bank_transfer",
                   "credit_limit": "100000", "address": "深圳市南山区"}),
        )
        .await
        .json();
    let customer = c["id"].as_i64().unwrap();
    let order = json!({"customer_id": customer, "channel": "phone", "order_date": "2026-11-23",
                       "requested_delivery_date": "2999-11-30",
                       "lines": [{"product_id": p["id"], "quantity": 3}]});
    let r = t.post_json("/api/v1/orders", &admin, order).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    t.post_json(&format!("/api/v1/orders/{id}/review"), &admin, json!({}))
        .await;
    let r = t
        .post_json(
            &format!("/api/v1/orders/{id}/finance-review"),
            &admin,
            json!({"decision": "pass"}),
        )
        .await;
    assert_eq!(r.json()["status"], "approved", "{}", r.text());
    let number = r.json()["number"].as_str().unwrap().to_string();
    let r = t
        .post_json("/api/v1/pick-lists", &admin, json!({"order_ids": [id]}))
        .await;
    let lid = r.json()[0]["id"].as_i64().unwrap();
    t.post_json(
        &format!("/api/v1/pick-lists/{lid}/pick"),
        &admin,
        json!({"lines": [{"line_no": 1, "picked": 3}], "packages": 2}),
    )
    .await;
    let r = t
        .post_json(
            &format!("/api/v1/pick-lists/{lid}/ship"),
            &admin,
            json!({"carrier": "顺丰", "tracking_no": "SF9001", "eta": "2999-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let sid = r.json()["id"].as_i64().unwrap();
    let dn = r.json()["number"].as_str().unwrap().to_string();
    (id, number, sid, dn, customer)
}

fn assert_pdf(r: &support::Res, number: &str) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "application/pdf");
    assert_eq!(
        r.header("content-disposition"),
        format!("inline; filename=\"{number}.pdf\"")
    );
    assert!(r.body.starts_with(b"%PDF"), "not a PDF");
}

#[tokio::test]
async fn doc_1_order_confirmation_and_delivery_note_as_pdf() {
    on_each_backend(|t| async move {
        let (order, number, sid, dn, _) = shipped_order(&t).await;
        let admin = t.user_token("reader", &[Role::Admin]).await;
        // The order confirmation: title, number, customer, line and totals.
        let r = t.get(&format!("/api/v1/orders/{order}/pdf"), &admin).await;
        assert_pdf(&r, &number);
        if let Some(text) = pdf_text(&r.body) {
            for want in [
                "订单确认书",
                number.as_str(),
                "开单示范贸易有限公司",
                "FR-1 加盟商",
                "F-1",
                "衬衫 M",
                "99.50",
                "298.50",
                "2999-11-30",
            ] {
                assert!(text.contains(want), "{want} missing:\n{text}");
            }
            // 3 x 99.50 = 298.50 VAT included; 13 % of it is VAT.
            let flat = squeezed(&text);
            assert!(flat.contains("价税合计Total¥298.50"), "{text}");
            assert!(flat.contains("税额VAT34.34"), "{text}");
            assert!(flat.contains("不含税金额Net264.16"), "{text}");
        }
        // The delivery note: number, order, carrier, packages, quantity.
        let r = t.get(&format!("/api/v1/shipments/{sid}/pdf"), &admin).await;
        assert_pdf(&r, &dn);
        if let Some(text) = pdf_text(&r.body) {
            for want in [
                "发货单",
                dn.as_str(),
                number.as_str(),
                "顺丰",
                "SF9001",
                "衬衫 M",
                "深圳市南山区",
                "收货人签收",
            ] {
                assert!(text.contains(want), "{want} missing:\n{text}");
            }
            let flat = squeezed(&text);
            assert!(flat.contains("件数Packages2"), "{text}");
            assert!(flat.contains("发货数量合计Totalshipped3"), "{text}");
        }
        // Unknown ids.
        for path in ["/api/v1/orders/999999/pdf", "/api/v1/shipments/999999/pdf"] {
            let r = t.get(path, &admin).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text());
            assert_eq!(r.header("content-type"), "application/problem+json");
        }
        // Without the permission to read orders: 403, like reading it;
        // the shipment is hidden (404), like reading it.
        let legal = t.user_token("legal", &[Role::Legal]).await;
        let r = t.get(&format!("/api/v1/orders/{order}/pdf"), &legal).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let read = t
            .get(&format!("/api/v1/shipments/{sid}"), &legal)
            .await
            .status;
        let r = t.get(&format!("/api/v1/shipments/{sid}/pdf"), &legal).await;
        assert_eq!(r.status, read, "{}", r.text());
        assert!(r.status.is_client_error());
        t.assert_described(&[
            ("/api/v1/orders/{id}/pdf", "get"),
            ("/api/v1/shipments/{id}/pdf", "get"),
        ])
        .await;
    })
    .await;
}

#[tokio::test]
async fn doc_1_portal_users_print_only_their_own_documents() {
    on_each_backend(|t| async move {
        let (order, number, sid, dn, customer) = shipped_order(&t).await;
        let admin = t.user_token("boss2", &[Role::Admin]).await;
        let other = t
            .post_json(
                "/api/v1/customers",
                &admin,
                json!({"code": "FR-2", "name": "别家", "kind": "franchisee",
                       "payment_terms": "prepayment", "payment_method": "cash"}),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        for (name, id) in [("mine", customer), ("theirs", other)] {
            t.app
                .create_user(
                    &Ctx::system(),
                    NewUserInput {
                        username: name.into(),
                        display_name: String::new(),
                        password: "correct horse".into(),
                        roles: vec![Role::Customer],
                        customer_id: Some(CustomerId(id)),
                    },
                )
                .await
                .unwrap();
        }
        // The pages' print buttons, with the session.
        let mine = t.login("mine").await;
        let html = t.page(&format!("/orders/{order}"), &mine).await.text();
        assert!(
            html.contains(&format!("href=\"/orders/{order}/pdf\"")),
            "{html}"
        );
        let r = t.page(&format!("/orders/{order}/pdf"), &mine).await;
        assert_pdf(&r, &number);
        let r = t.page(&format!("/shipments/{sid}/pdf"), &mine).await;
        assert_pdf(&r, &dn);
        let theirs = t.login("theirs").await;
        let r = t.page(&format!("/orders/{order}/pdf"), &theirs).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t.page(&format!("/shipments/{sid}/pdf"), &theirs).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        t.user_token("wh", &[Role::Warehouse]).await;
        let wh = t.login("wh").await;
        let html = t.page(&format!("/shipments/{sid}"), &wh).await.text();
        assert!(
            html.contains(&format!("href=\"/shipments/{sid}/pdf\"")),
            "{html}"
        );
    })
    .await;
}

#[tokio::test]
async fn doc_1_without_a_cjk_font_the_answer_says_what_to_configure() {
    on_each_backend(|t| async move {
        let (order, ..) = shipped_order(&t).await;
        let admin = t.user_token("reader", &[Role::Admin]).await;
        let config = kaidan_http::HttpConfig {
            print: kaidan_http::PrintSettings {
                font: kaidan_print::FontConfig {
                    path: Some("/nonexistent/kaidan-font.ttc".into()),
                    index: None,
                },
                ..Default::default()
            },
            ..Default::default()
        };
        let t = T {
            router: kaidan_http::router(t.app.clone(), config),
            app: t.app.clone(),
            backend: t.backend,
        };
        let r = t.get(&format!("/api/v1/orders/{order}/pdf"), &admin).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
        let detail = r.json()["detail"].as_str().unwrap().to_string();
        assert!(detail.contains("/nonexistent/kaidan-font.ttc"), "{detail}");
        assert!(detail.contains("[print] font"), "{detail}");
        assert_eq!(r.json()["type"], "/problems/print-unavailable");
        // The print button's page says the same.
        let cookie = t.login("reader").await;
        let r = t.page(&format!("/orders/{order}/pdf"), &cookie).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.text().contains("[print] font"), "{}", r.text());
    })
    .await;
}
