//! In-process API and page tests: the real router over a real database
//! (SQLite always, PostgreSQL when KAIDAN_TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{Res, T, assert_has, csrf, on_each_backend};

fn product(sku: &str) -> Value {
    json!({"sku": sku, "name": "衬衫", "spec": "M/白", "unit": "件", "season": "spring_summer",
           "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})
}

#[tokio::test]
async fn health_openapi_and_metrics() {
    on_each_backend(|t| async move {
        let r = t.call(Method::GET, "/api/v1/health", &[], None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["database"], t.backend);
        assert!(!r.header("x-request-id").is_empty(), "request id echoed");
        let r = t.call(Method::GET, "/api/openapi.json", &[], None).await;
        assert_eq!(r.status, StatusCode::OK);
        let doc = r.json();
        assert!(doc["paths"]["/api/v1/products/{id}"]["put"].is_object());
        let r = t.call(Method::GET, "/metrics", &[], None).await;
        assert!(
            r.text().contains("kaidan_http_requests_total"),
            "{}",
            r.text()
        );
        let r = t.call(Method::GET, "/api/v1/nothing", &[], None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.header("content-type"), "application/problem+json");
    })
    .await;
}

#[tokio::test]
async fn int_1_openapi_document_snapshot() {
    let doc = kaidan_http::openapi::document();
    insta::assert_json_snapshot!("openapi", doc);
}

/// INT-1: every operation of the document has an operationId of its own, so
/// a client generated from it gets one stable name per operation.
#[test]
fn int_1_every_operation_has_its_own_operation_id() {
    let doc = serde_json::to_value(kaidan_http::openapi::document()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            if let Some(other) = seen.insert(id.to_string(), format!("{method} {path}")) {
                panic!("operationId {id} is used by {other} and {method} {path}");
            }
        }
    }
    assert!(seen.len() > 100, "{} operations", seen.len());
}

#[tokio::test]
async fn sec_1_unauthenticated_and_forbidden_are_problems() {
    on_each_backend(|t| async move {
        let r = t.call(Method::GET, "/api/v1/products", &[], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["type"], "/problems/unauthenticated");
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let r = t
            .post_json("/api/v1/products", &clerk, product("A-1"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(
            r.json()["detail"]
                .as_str()
                .unwrap()
                .contains("product.write")
        );
        let r = t.get("/api/v1/products", "kd_not-a-token").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn ord_3_bad_input_names_the_field_and_writes_nothing() {
    on_each_backend(|t| async move {
        let tok = t.user_token("brand", &[Role::BrandProduct]).await;
        let mut p = product("A-1");
        p["list_price"] = json!("12.345678");
        let r = t.post_json("/api/v1/products", &tok, p).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "list_price");
        let mut p = product("A-1");
        p["colour"] = json!("red");
        let r = t.post_json("/api/v1/products", &tok, p).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("colour"),
            "{}",
            r.text()
        );
        let mut p = product(" ");
        p["name"] = json!("");
        p["launch_priority"] = json!(0);
        let r = t.post_json("/api/v1/products", &tok, p).await;
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["sku", "name", "launch_priority"], "{}", t.backend);
        let r = t
            .call(
                Method::POST,
                "/api/v1/products",
                &[
                    ("authorization", &format!("Bearer {tok}")),
                    ("content-type", "application/json"),
                ],
                Some(b"{not json".to_vec()),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = t.get("/api/v1/products", &tok).await;
        assert_eq!(
            r.json()["items"].as_array().unwrap().len(),
            0,
            "nothing written"
        );
    })
    .await;
}

#[tokio::test]
async fn etag_if_match_and_idempotency_key() {
    on_each_backend(|t| async move {
        let tok = t.user_token("brand", &[Role::BrandProduct]).await;
        let key = [("idempotency-key", "order-42")];
        let r = t
            .json(Method::POST, "/api/v1/products", &tok, product("A-1"), &key)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.header("etag"), "\"1\"");
        assert_eq!(r.header("location"), format!("/api/v1/products/{id}"));
        let again = t
            .json(Method::POST, "/api/v1/products", &tok, product("A-1"), &key)
            .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.json()["id"], id, "the retry returns the first answer");
        assert_eq!(again.header("idempotent-replayed"), "true");
        let other = t
            .json(Method::POST, "/api/v1/products", &tok, product("A-2"), &key)
            .await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);

        let path = format!("/api/v1/products/{id}");
        let mut p = product("A-1");
        p["list_price"] = json!("120");
        let r = t.json(Method::PUT, &path, &tok, p.clone(), &[]).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
        let r = t
            .json(
                Method::PUT,
                &path,
                &tok,
                p.clone(),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("etag"), "\"2\"");
        assert_eq!(r.json()["list_price"], "120");
        let r = t
            .json(Method::PUT, &path, &tok, p, &[("if-match", "\"1\"")])
            .await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        let r = t.get(&format!("{path}/audit"), &tok).await;
        let audit = r.json();
        assert_eq!(audit[0]["action"], "update", "{}", t.backend);
        assert_eq!(audit[0]["changes"][0]["field"], "list_price");
        assert_eq!(audit[0]["changes"][0]["before"], "99.5");
    })
    .await;
}

/// Logs in over the API (`POST /api/v1/session`).
async fn session_login(t: &T, username: &str, password: &str) -> Res {
    let body = json!({"username": username, "password": password});
    let h = [("content-type", "application/json")];
    t.call(
        Method::POST,
        "/api/v1/session",
        &h,
        Some(body.to_string().into_bytes()),
    )
    .await
}

#[tokio::test]
async fn sec_1_session_cookie_needs_csrf_for_writes() {
    on_each_backend(|t| async move {
        t.user_token("brand", &[Role::BrandProduct]).await;
        let r = session_login(&t, "brand", "correct horse").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let set = r.header("set-cookie");
        assert_has(&set, &["HttpOnly", "SameSite=Lax"]);
        let cookie = set.split(';').next().unwrap().to_string();
        let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
        let r = t
            .call(Method::GET, "/api/v1/me", &[("cookie", &cookie)], None)
            .await;
        assert_eq!(r.json()["username"], "brand");
        let body = Some(product("C-1").to_string().into_bytes());
        let r = t
            .call(
                Method::POST,
                "/api/v1/products",
                &[("cookie", &cookie), ("content-type", "application/json")],
                body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF header");
        let r = t
            .call(
                Method::POST,
                "/api/v1/products",
                &[
                    ("cookie", &cookie),
                    ("content-type", "application/json"),
                    ("x-csrf-token", &csrf),
                ],
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = session_login(&t, "brand", "wrong").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn sec_4_prices_hidden_without_price_read() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        t.post_json("/api/v1/products", &admin, product("P-1"))
            .await;
        let logistics = t.user_token("logi", &[Role::Logistics]).await;
        let r = t.get("/api/v1/products", &logistics).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json()["items"][0]["list_price"],
            Value::Null,
            "{}",
            t.backend
        );
        let r = t.get("/api/v1/products", &admin).await;
        assert_eq!(r.json()["items"][0]["list_price"], "99.5");
    })
    .await;
}

#[tokio::test]
async fn int_4_import_and_export_over_http() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let bad = "code,name,region_code,ownership,tier\nS-1,店1,NOPE,direct,A\nS-2,店2,,own,D\n";
        let r = t
            .upload("/api/v1/import/stores?file=s.csv", &admin, bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let rows = r.json()["rows"].as_array().unwrap().clone();
        assert!(
            rows.iter()
                .any(|e| e["row"] == 2 && e["column"] == "region_code"),
            "{rows:?}"
        );
        assert!(
            rows.iter()
                .any(|e| e["row"] == 3 && e["column"] == "ownership"),
            "{rows:?}"
        );
        assert!(
            rows.iter().any(|e| e["row"] == 3 && e["column"] == "tier"),
            "{rows:?}"
        );
        let regions = "code,name,name_zh\nSZ,Shenzhen,深圳\n";
        let r = t
            .upload("/api/v1/import/regions?file=r.csv", &admin, regions)
            .await;
        assert_eq!(r.json()["created"], 1, "{}", r.text());
        let r = t.get("/api/v1/export/regions?format=csv", &admin).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("SZ,Shenzhen,深圳"), "{}", r.text());
        let r = t.get("/api/v1/export/regions?format=xlsx", &admin).await;
        assert!(r.body.starts_with(b"PK"), "an xlsx is a zip");
    })
    .await;
}

#[tokio::test]
async fn pages_login_list_edit_and_history() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let r = t.post_json("/api/v1/products", &admin, product("PG-1")).await;
        let id = r.json()["id"].as_i64().unwrap();
        let r = t.call(Method::GET, "/m/products", &[], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.header("location").starts_with("/login?next=/m/products"));
        let form = "username=boss&password=correct+horse&next=%2Fm%2Fproducts";
        let r = t.call(Method::POST, "/login", &[("content-type", "application/x-www-form-urlencoded")], Some(form.as_bytes().to_vec())).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let cookie = r.cookie();
        let r = t.call(Method::GET, "/m/products", &[("cookie", &cookie)], None).await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.text();
        assert_has(&html, &["PG-1", "产品"]);
        let r = t.call(Method::GET, &format!("/m/products/{id}/edit"), &[("cookie", &cookie)], None).await;
        let html = r.text();
        let csrf = html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let bad = format!("_csrf={csrf}&_version=1&sku=PG-1&name=&unit=%E4%BB%B6&season=none&launch_priority=1&list_price=1&tax_rate=13%25");
        let r = t.call(Method::POST, &format!("/m/products/{id}/edit"), &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")], Some(bad.into_bytes())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.backend);
        assert!(r.text().contains("field-error"));
        let good = format!("_csrf={csrf}&_version=1&sku=PG-1&name=%E8%A1%AC%E8%A1%AB2&unit=%E4%BB%B6&season=none&launch_priority=1&list_price=88&tax_rate=13%25&active=true");
        let r = t.call(Method::POST, &format!("/m/products/{id}/edit"), &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")], Some(good.into_bytes())).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = t.call(Method::GET, &format!("/m/products/{id}"), &[("cookie", &cookie)], None).await;
        let html = r.text();
        assert_has(&html, &["id=\"history\"", "衬衫2", "list_price"]);
        let forged = "_csrf=wrong&_version=2&sku=PG-1&name=x&unit=x&season=none&launch_priority=1&list_price=1&tax_rate=0";
        let r = t.call(Method::POST, &format!("/m/products/{id}/edit"), &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")], Some(forged.as_bytes().to_vec())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.call(Method::GET, "/lang/en?next=/m/products", &[("cookie", &cookie)], None).await;
        let lang = r.cookie();
        let both = format!("{cookie}; {lang}");
        let r = t.call(Method::GET, "/m/products", &[("cookie", &both)], None).await;
        assert!(r.text().contains("Products"), "English on request");
    })
    .await;
}

#[tokio::test]
async fn price_list_page_edit_keeps_its_items() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let p = t.post_json("/api/v1/products", &admin, product("PL-P")).await.json();
        let pl = json!({"code": "PL-STD", "name": "标准价", "items": [{"product_id": p["id"], "price": "88.00"}]});
        let r = t.post_json("/api/v1/price-lists", &admin, pl).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let form = "username=boss&password=correct+horse";
        let r = t.call(Method::POST, "/login", &[("content-type", "application/x-www-form-urlencoded")], Some(form.as_bytes().to_vec())).await;
        let cookie = r.cookie();
        let html = t.call(Method::GET, &format!("/m/price-lists/{id}/edit"), &[("cookie", &cookie)], None).await.text();
        let csrf = html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let body = format!("_csrf={csrf}&_version=1&code=PL-STD&name=%E6%96%B0%E5%90%8D&valid_from=2026-01-01&valid_to=");
        let r = t.call(Method::POST, &format!("/m/price-lists/{id}/edit"), &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")], Some(body.into_bytes())).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = t.get(&format!("/api/v1/price-lists/{id}"), &admin).await.json();
        assert_eq!(r["name"], "新名");
        assert_eq!(r["valid_from"], "2026-01-01");
        assert_eq!(r["items"][0]["price"], "88", "{} items kept", t.backend);
        let html = t.call(Method::GET, &format!("/m/price-lists/{id}"), &[("cookie", &cookie)], None).await.text();
        assert_has(&html, &["PL-P", "88.00"]);
    })
    .await;
}

#[tokio::test]
async fn alc_6_ord_6_calendar_and_region_lists_are_edited_on_pages() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        for code in ["AIRPORT", "SZ", "BJ"] {
            t.post_json(
                "/api/v1/regions",
                &admin,
                json!({"code": code, "name": code}),
            )
            .await;
        }
        let cookie = t.login("boss").await;
        let csrf = csrf(&t.page("/calendar", &cookie).await.text());
        let post = |path: &'static str, body: String| t.post(path, &cookie, body);
        let r = post(
            "/calendar",
            format!("_csrf={csrf}&action=put&date=2026-10-10&kind=workday&name=%E8%B0%83%E4%BC%91"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = post(
            "/calendar",
            format!("_csrf={csrf}&action=put&date=10/10&kind=workday&name=x"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let days = t.get("/api/v1/calendar", &admin).await.json();
        assert_eq!(days[0]["date"], "2026-10-10", "{}", t.backend);
        assert_eq!(days[0]["kind"], "workday");

        let r = post(
            "/region-priorities",
            format!("_csrf={csrf}&season=spring_summer&codes=AIRPORT%0ANOPE%0ASZ"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text().contains("line 2: no region with code"),
            "{}",
            r.text()
        );
        let r = post(
            "/region-priorities",
            format!("_csrf={csrf}&season=autumn_winter&codes=AIRPORT%0ABJ%0ASZ"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let list = t
            .get("/api/v1/region-priorities/autumn_winter", &admin)
            .await
            .json();
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["AIRPORT", "BJ", "SZ"]);
    })
    .await;
}

#[tokio::test]
async fn ord_1_to_7_order_flow_over_the_api() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let p = t.post_json("/api/v1/products", &admin, product("O-1")).await.json();
        let w = t.post_json("/api/v1/warehouses", &admin, json!({"code": "WH", "name": "总仓", "is_central": true})).await.json();
        let stock = format!("sku,warehouse_code,quantity\nO-1,{},5\n", w["code"].as_str().unwrap());
        t.upload("/api/v1/import/stock?file=s.csv", &admin, stock).await;
        let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
            "payment_terms": "prepayment", "payment_method": "bank_transfer", "address": "深圳"})).await.json();
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let finance = t.user_token("fin", &[Role::Finance]).await;
        let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                           "lines": [{"product_id": p["id"], "quantity": 3}]});
        let bad = json!({"customer_id": c["id"], "channel": "pigeon", "order_date": "2026-11-23", "lines": []});
        let r = t.post_json("/api/v1/orders", &clerk, bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "channel");
        let key = [("idempotency-key", "order-1")];
        let r = t.json(Method::POST, "/api/v1/orders", &clerk, order.clone(), &key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["status"], "submitted");
        assert_eq!(r.json()["totals"]["amount"], "298.5");
        let again = t.json(Method::POST, "/api/v1/orders", &clerk, order.clone(), &key).await;
        assert_eq!(again.json()["id"], id, "{}: the retry created nothing", t.backend);
        let dup = t.post_json("/api/v1/orders", &clerk, order.clone()).await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text());
        assert_eq!(dup.json()["type"], "/problems/possible-duplicate");
        let r = t.post_json(&format!("/api/v1/orders/{id}/review"), &clerk, json!({})).await;
        assert_eq!(r.json()["status"], "finance_review", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/orders/{id}/finance-review"), &finance, json!({"decision": "pass"})).await;
        assert_eq!(r.json()["status"], "approved", "{}", r.text());
        let number = r.json()["number"].as_str().unwrap().to_string();
        let r = t.get(&format!("/api/v1/orders/by-number/{number}"), &clerk).await;
        assert_eq!(r.json()["id"], id);
        assert_eq!(r.json()["progress"][0]["reserved"], 3);
        let kinds: Vec<String> = r.json()["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect();
        assert_eq!(kinds, ["created", "in_review", "reviewed", "approved"]);
        let r = t.get("/api/v1/orders?limit=501", &clerk).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = t.get("/api/v1/orders?status=approved", &clerk).await;
        assert_eq!(r.json()["items"][0]["number"], number.as_str());
        let r = t.post_json(&format!("/api/v1/customers/{}/account/entries", c["id"]), &finance, json!({"kind": "deposit", "amount": "1000.00", "note": "银行到账"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = t.get(&format!("/api/v1/customers/{}/account", c["id"]), &finance).await;
        assert_eq!(r.json()["balance"]["funds"], "1000", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/customers/{}/account/entries", c["id"]), &clerk, json!({"kind": "deposit", "amount": "1"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn inv_3_kpi_4_stock_count_over_the_api() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let keeper = t.user_token("keeper", &[Role::Warehouse]).await;
        let p = t.post_json("/api/v1/products", &admin, product("K-1")).await.json();
        let w = t.post_json("/api/v1/warehouses", &admin, json!({"code": "WK", "name": "总仓", "is_central": true})).await.json();
        let r = t.post_json("/api/v1/stock/receipts", &keeper, json!({"product_id": p["id"], "warehouse_id": w["id"], "quantity": 12, "source": "PO-9"})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let bad = t.post_json("/api/v1/stock-counts", &keeper, json!({"warehouse_id": w["id"], "lines": [{"product_id": p["id"], "counted": -1}]})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        assert_eq!(bad.json()["errors"][0]["field"], "lines[0].counted");
        let c = t.post_json("/api/v1/stock-counts", &keeper, json!({"warehouse_id": w["id"], "note": "周盘", "lines": [{"product_id": p["id"], "counted": 11}]})).await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
        let id = c.json()["id"].as_i64().unwrap();
        assert_eq!(c.json()["lines"][0]["system"], 12);
        let r = t.post_json(&format!("/api/v1/stock-counts/{id}/post"), &keeper, json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "lines[0].cause");
        let r = t.post_json(&format!("/api/v1/stock-counts/{id}/post"), &keeper, json!({"causes": [{"product_id": p["id"], "counted": 11, "cause": "loss"}]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "posted");
        let stock = t.get("/api/v1/stock", &keeper).await.json();
        assert_eq!(stock["items"][0]["on_hand"], 11, "{}: the count adjustment is posted", t.backend);
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date();
        let acc = t.get(&format!("/api/v1/stock/accuracy?from={today}&to={today}"), &keeper).await;
        assert_eq!(acc.json()["lines_counted"], 1, "{}", acc.text());
        assert_eq!(acc.json()["accuracy_percent"], "0.00");
        let r = t.get("/api/v1/stock/accuracy?from=2026-13-01&to=2026-01-01", &keeper).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "from");
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn inv_3_stock_count_on_the_pages() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        t.user_token("keeper", &[Role::Warehouse]).await;
        let p = t.post_json("/api/v1/products", &admin, product("PG-1")).await.json();
        let w = t.post_json("/api/v1/warehouses", &admin, json!({"code": "WP", "name": "总仓", "is_central": true})).await.json();
        t.post_json("/api/v1/stock/receipts", &admin, json!({"product_id": p["id"], "warehouse_id": w["id"], "quantity": 7, "source": "PO-1"})).await;
        let cookie = t.login("keeper").await;
        let html = t.page("/stock-counts/new", &cookie).await.text();
        assert_has(&html, &["PG-1", "盘点录入"]);
        assert!(!html.contains(">7<"), "a blind count does not show the system figure");
        let csrf = csrf(&html);
        let form = |path: String, body: String| {
            let (cookie, t) = (cookie.clone(), &t);
            async move { t.post(&path, &cookie, body).await }
        };
        let (pid, wid) = (p["id"].as_i64().unwrap(), w["id"].as_i64().unwrap());
        let r = form("/stock-counts/new".into(), format!("_csrf={csrf}&warehouse={wid}&counted_{pid}=abc")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = form("/stock-counts/new".into(), format!("_csrf={csrf}&warehouse={wid}&note=x&counted_{pid}=6")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location");
        let page = t.page(&at, &cookie).await.text();
        assert_has(&page, &["待过账", &format!("cause_{pid}")]);
        let id = at.rsplit('/').next().unwrap().to_string();
        let r = form(format!("/stock-counts/{id}/post"), format!("_csrf={csrf}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: a difference needs a cause", t.backend);
        assert!(r.text().contains("lines[0].cause"));
        let r = form(format!("/stock-counts/{id}/post"), format!("_csrf={csrf}&cause_{pid}=damage&note_{pid}=%E7%A0%B4%E6%8D%9F")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = t.page(&at, &cookie).await.text();
        assert_has(&page, &["已过账", "损坏"]);
        let stock = t.get("/api/v1/stock", &admin).await.json();
        assert_eq!(stock["items"][0]["on_hand"], 6, "{}", t.backend);
    })
    .await;
}
