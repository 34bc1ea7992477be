//! Issue 16, items 2 and 6: texts the databases cannot hold, and the
//! sloppy edges of the API. Each of these answered 500, text/plain or the
//! wrong thing on the main before it; on both databases now.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use futures::future::join_all;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::support::{Res, T, on_each_backend};

fn product(sku: &str) -> Value {
    json!({"sku": sku, "name": "衬衫", "spec": "M/白", "unit": "件", "season": "spring_summer",
           "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})
}

#[track_caller]
fn assert_problem(r: &Res, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.header("content-type")
            .starts_with("application/problem+json"),
        "{} answered as {}: {}",
        r.status,
        r.header("content-type"),
        r.text()
    );
}

/// A customer and an order to look things up by.
async fn customer(t: &T, admin: &str) -> Value {
    let r = t
        .post_json(
            "/api/v1/customers",
            admin,
            json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
                   "payment_terms": "prepayment", "payment_method": "bank_transfer", "address": "深圳"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn hardening_2_nul_and_control_characters_are_refused_naming_the_field() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        let mut p = product("N-1");
        p["name"] = json!("衬\u{0}衫");
        let r = t.post_json("/api/v1/products", &admin, p).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "name", "{}", t.backend);
        assert_eq!(r.json()["errors"][0]["code"], "control_character");
        let mut p = product("N-2");
        p["spec"] = json!("a\u{7}b");
        let r = t.post_json("/api/v1/products", &admin, p).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "spec");
        // Nothing was written: the list is empty.
        let list = t.get("/api/v1/products", &admin).await.json();
        assert_eq!(list["items"].as_array().map_or(0, Vec::len), 0, "{list}");
        // Nested: an order line's note.
        let c = customer(&t, &admin).await;
        let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                           "lines": [{"product_id": 1, "quantity": 1, "note": "x\u{0}"}]});
        let r = t.post_json("/api/v1/orders", &admin, order).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "lines[0].note");
        // Newlines and tabs are text.
        let mut p = product("N-3");
        p["spec"] = json!("M\t白\n长袖");
        let r = t.post_json("/api/v1/products", &admin, p).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn hardening_2_nul_in_look_ups_and_long_login_names() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        for path in [
            "/api/v1/orders/by-number/SO%00",
            "/api/v1/invoices/by-number/%00",
            "/api/v1/documents/%00x",
            "/api/v1/purchase-orders/by-number/P%00",
            "/api/v1/products?q=%00",
        ] {
            let r = t.get(path, &admin).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.json()["errors"][0]["code"], "control_character", "{path}");
        }
        let long = "u".repeat(3000);
        let r = t
            .call(
                Method::POST,
                "/api/v1/session",
                &[("content-type", "application/json")],
                Some(serde_json::to_vec(&json!({"username": long, "password": "x"})).unwrap()),
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "username", "{}", t.backend);
        let r = t
            .call(
                Method::POST,
                "/api/v1/session",
                &[("content-type", "application/json")],
                Some(br#"{"username":"a\u0000b","password":"x"}"#.to_vec()),
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
        // The login page says so as a page, not a 500.
        let body = format!("username={}&password=x", "u".repeat(3000));
        let r = t
            .call(
                Method::POST,
                "/login",
                &[("content-type", "application/x-www-form-urlencoded")],
                Some(body.into_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn hardening_6_trailing_data_and_oversized_bodies() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        let two = format!("{} {}", product("T-1"), product("T-2"));
        let auth = format!("Bearer {admin}");
        let h = [
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        let r = t
            .call(Method::POST, "/api/v1/products", &h, Some(two.into_bytes()))
            .await;
        assert_problem(&r, StatusCode::BAD_REQUEST);
        let list = t.get("/api/v1/products", &admin).await.json();
        assert_eq!(
            list["items"].as_array().map_or(0, Vec::len),
            0,
            "the first was applied: {list}"
        );
        let big = vec![b' '; 3 * 1024 * 1024];
        let r = t
            .call(Method::POST, "/api/v1/products", &h, Some(big))
            .await;
        assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE);
    })
    .await;
}

#[tokio::test]
async fn hardening_6_every_api_error_is_a_problem() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        for path in [
            "/api/v1/invoices/abc",
            "/api/v1/receipts/x1",
            "/api/v1/shipments/1.5",
            "/api/v1/pick-lists/-",
            "/api/v1/bank-lines/abc/assign",
        ] {
            let r = t.get(path, &admin).await;
            assert!(r.status.is_client_error(), "{path}: {}", r.status);
            assert_problem(&r, r.status);
        }
        let r = t.call(Method::PATCH, "/api/v1/health", &[], None).await;
        assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED);
        let r = t.get("/api/v1/customers/999999/account", &admin).await;
        assert_problem(&r, StatusCode::NOT_FOUND);
        let c = customer(&t, &admin).await;
        let r = t
            .get(&format!("/api/v1/customers/{}/account", c["id"]), &admin)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn hardening_6_concurrent_retries_with_one_key_get_the_first_answer() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        let p = t
            .post_json("/api/v1/products", &admin, product("K-1"))
            .await
            .json();
        let c = customer(&t, &admin).await;
        let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                           "lines": [{"product_id": p["id"], "quantity": 3}]});
        let key = [("idempotency-key", "retry-storm")];
        let answers = join_all(
            (0..16).map(|_| t.json(Method::POST, "/api/v1/orders", &admin, order.clone(), &key)),
        )
        .await;
        let ids: Vec<Value> = answers
            .iter()
            .map(|r| {
                assert_eq!(r.status, StatusCode::CREATED, "{}: {}", t.backend, r.text());
                r.json()["id"].clone()
            })
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{}: {ids:?}", t.backend);
        let replayed = answers
            .iter()
            .filter(|r| r.header("idempotent-replayed") == "true")
            .count();
        assert_eq!(replayed, 15, "{}", t.backend);
        // The same for master data.
        let key = [("idempotency-key", "retry-product")];
        let answers = join_all((0..8).map(|_| {
            t.json(
                Method::POST,
                "/api/v1/products",
                &admin,
                product("K-2"),
                &key,
            )
        }))
        .await;
        for r in &answers {
            assert_eq!(r.status, StatusCode::CREATED, "{}: {}", t.backend, r.text());
            assert_eq!(r.json()["id"], answers[0].json()["id"]);
        }
    })
    .await;
}

#[tokio::test]
async fn hardening_6_openapi_bodies_of_transfer_and_stock_receipts() {
    on_each_backend(|t| async move {
        let doc = t
            .call(Method::GET, "/api/openapi.json", &[], None)
            .await
            .json();
        let body = |path: &str| {
            doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
                ["$ref"]
                .as_str()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let transfer = body("/api/v1/transfers/{id}/receive");
        let stock = body("/api/v1/stock/receipts");
        assert_ne!(transfer, stock);
        let props = |name: &str| doc["components"]["schemas"][name]["properties"].clone();
        assert!(props(&transfer)["note"].is_object(), "{}", props(&transfer));
        assert!(props(&transfer)["quantity"].is_null());
        assert!(props(&stock)["quantity"].is_object(), "{}", props(&stock));
    })
    .await;
}

#[tokio::test]
async fn hardening_6_csv_exports_escape_formulas_and_import_them_back() {
    on_each_backend(|t| async move {
        let admin = t.user_token("admin", &[Role::Admin]).await;
        let mut p = product("F-1");
        p["name"] = json!("=HYPERLINK(\"http://evil\",\"点我\")");
        let r = t.post_json("/api/v1/products", &admin, p).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let csv = t.get("/api/v1/export/products?format=csv", &admin).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        let text = csv.text();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(!text.contains(",=HYPERLINK"), "{text}");
        // The price is a plain number and stays one.
        assert!(text.contains("99.5"), "{text}");
        let r = t
            .upload(
                "/api/v1/import/products?file=p.csv",
                &admin,
                csv.body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let list = t.get("/api/v1/products", &admin).await.json();
        assert_eq!(
            list["items"][0]["name"], "=HYPERLINK(\"http://evil\",\"点我\")",
            "the round trip changed the name: {list}"
        );
    })
    .await;
}
