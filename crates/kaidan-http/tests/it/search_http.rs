//! Finding by what a person types (issue 21) over HTTP in process, on
//! SQLite always and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set:
//! the product field of order entry (server-side search by SKU, name, bar
//! code and spec, with the customer's price), lines pasted from a
//! spreadsheet with every bad row named, the customer beside the form, the
//! search box, and the API reference at /api/docs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::ports::OrderQuery;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, on_each_backend};

struct World {
    admin: String,
    /// Products by SKU: `SH-WHT-M`, `SH-WHT-L`, `TR-BLK-32`, `OLD-1`.
    products: Vec<(String, i64)>,
    /// A franchisee on a price list of 85.00 for SH-WHT-M; and another.
    customer: i64,
    other: i64,
}

impl World {
    fn product(&self, sku: &str) -> i64 {
        self.products.iter().find(|(s, _)| s == sku).unwrap().1
    }
}

async fn created(t: &T, token: &str, path: &str, body: Value) -> Value {
    let r = t.post_json(path, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let mut products = Vec::new();
    for (sku, name, spec, barcode, active) in [
        ("SH-WHT-M", "牛津纺衬衫", "白色 M", "6923450000011", true),
        ("SH-WHT-L", "牛津纺衬衫", "白色 L", "6923450000028", true),
        ("TR-BLK-32", "直筒西裤", "黑色 32", "", true),
        ("OLD-1", "停产衬衫", "白色 M", "6923450000035", false),
    ] {
        let p = created(
            t,
            &admin,
            "/api/v1/products",
            json!({"sku": sku, "name": name, "spec": spec, "barcode": barcode, "unit": "件",
                   "season": "spring_summer", "list_price": "99.50", "tax_rate": "0.13",
                   "active": active}),
        )
        .await;
        products.push((sku.to_string(), p["id"].as_i64().unwrap()));
    }
    let m = products[0].1;
    let list = created(
        t,
        &admin,
        "/api/v1/price-lists",
        json!({"code": "FR", "name": "加盟价", "items": [{"product_id": m, "price": "85.00"}]}),
    )
    .await;
    let c = created(
        t,
        &admin,
        "/api/v1/customers",
        json!({"code": "FR-1", "name": "华南加盟商", "kind": "franchisee",
               "payment_terms": "monthly_settlement", "payment_method": "bank_transfer",
               "credit_limit": "5000", "price_list_id": list["id"], "address": "深圳"}),
    )
    .await;
    let o = created(
        t,
        &admin,
        "/api/v1/customers",
        json!({"code": "BJ-2", "name": "北京直营", "kind": "business",
               "payment_terms": "prepayment", "payment_method": "cash", "address": "北京"}),
    )
    .await;
    World {
        admin,
        products,
        customer: c["id"].as_i64().unwrap(),
        other: o["id"].as_i64().unwrap(),
    }
}

fn skus(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn int_21_ord_2_product_search_by_sku_name_bar_code_and_spec() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let find = |q: &str| format!("/api/v1/products/search?q={}", support::enc(q));

        // The exact SKU first, then the other SKUs that start with it;
        // an inactive product is never offered.
        let r = t.get(&find("sh-wht"), &clerk).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(skus(&r.json()), ["SH-WHT-L", "SH-WHT-M"], "{b}");
        let r = t.get(&find("SH-WHT-M"), &clerk).await;
        assert_eq!(skus(&r.json())[0], "SH-WHT-M", "{b}");
        // By bar code (what a scanner types), by name, by spec words.
        let r = t.get(&find("6923450000028"), &clerk).await;
        assert_eq!(skus(&r.json()), ["SH-WHT-L"], "{b}");
        let r = t.get(&find("西裤"), &clerk).await;
        assert_eq!(skus(&r.json()), ["TR-BLK-32"], "{b}");
        let r = t.get(&find("衬衫 白色 l"), &clerk).await;
        assert_eq!(skus(&r.json()), ["SH-WHT-L"], "{b}: every word must match");
        let r = t.get(&find("6923450000035"), &clerk).await;
        assert_eq!(skus(&r.json()), Vec::<String>::new(), "{b}: inactive");
        // A typed `%` or `_` is dropped, never a wildcard of its own.
        let r = t.get(&find("%"), &clerk).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!([]), "{b}: `%` finds nothing");
        let r = t.get(&find("SH-WHT-L_"), &clerk).await;
        assert_eq!(skus(&r.json()), ["SH-WHT-L"], "{b}: `_` is dropped");
        // The customer's price: its price list, else the list price.
        let r = t
            .get(
                &format!("{}&customer_id={}", find("SH-WHT"), w.customer),
                &clerk,
            )
            .await;
        let prices: Vec<(String, String)> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["sku"].as_str().unwrap().into(),
                    p["price"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            prices,
            [
                ("SH-WHT-L".to_string(), "99.5".to_string()),
                ("SH-WHT-M".to_string(), "85".to_string())
            ],
            "{b}"
        );
        // Bad input: named, nothing else happens.
        for (path, field) in [
            (format!("{}&limit=0", find("SH")), "limit"),
            (format!("{}&limit=51", find("SH")), "limit"),
            (find(&"x".repeat(101)), "q"),
            (format!("{}&colour=red", find("SH")), "colour"),
            (format!("{}&customer_id=abc", find("SH")), "customer_id"),
        ] {
            let r = t.get(&path, &clerk).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{b} {path}: {}",
                r.text()
            );
            assert_eq!(r.json()["errors"][0]["field"], field, "{b} {path}");
        }
        let r = t
            .get(&format!("{}&customer_id=999999", find("SH")), &clerk)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        // A portal user prices for his own customer only.
        let portal = t
            .customer_user_token("fr1", &[Role::Customer], Some(w.customer))
            .await;
        let r = t.get(&find("SH-WHT-M"), &portal).await;
        assert_eq!(r.json()[0]["price"], "85", "{b}: {}", r.text());
        let r = t
            .get(&format!("{}&customer_id={}", find("SH"), w.other), &portal)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        // Nobody without the right to see products or enter orders.
        let nobody = t
            .customer_user_token(
                "padmin",
                &[Role::Customer, Role::CustomerAdmin],
                Some(w.other),
            )
            .await;
        t.app
            .set_role_permissions(&Ctx::system(), Role::Customer, &[])
            .await
            .unwrap();
        let r = t.get(&find("SH"), &nobody).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {}", r.text());
        t.assert_described(&[
            ("/api/v1/products/search", "get"),
            ("/api/v1/orders/paste-lines", "post"),
            ("/api/v1/customers/{id}/overview", "get"),
            ("/api/v1/search", "get"),
        ])
        .await;
    })
    .await;
}

#[tokio::test]
async fn int_21_pasted_rows_become_lines_and_every_bad_row_is_named() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let text = "SKU\t数量\t单价\n\
                    SH-WHT-M\t12\t\n\
                    6923450000028\t3\t90.00\n\
                    NOPE-9\t1\n\
                    TR-BLK-32\tzwei\n\
                    OLD-1\t2\n\
                    TR-BLK-32\t1,000\n";
        let r = t
            .post_json(
                "/api/v1/orders/paste-lines",
                &clerk,
                json!({"customer_id": w.customer, "text": text}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let body = r.json();
        let lines: Vec<(u64, String, i64, Value, Value)> = body["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["row"].as_u64().unwrap(),
                    l["product"]["sku"].as_str().unwrap().to_string(),
                    l["quantity"].as_i64().unwrap(),
                    l["unit_price"].clone(),
                    l["product"]["price"].clone(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (2, "SH-WHT-M".into(), 12, Value::Null, json!("85")),
                (3, "SH-WHT-L".into(), 3, json!("90"), json!("99.5")),
                (7, "TR-BLK-32".into(), 1000, Value::Null, json!("99.5")),
            ],
            "{b}"
        );
        let problems: Vec<(u64, &str, &str)> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["row"].as_u64().unwrap(),
                    p["field"].as_str().unwrap(),
                    p["code"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            problems,
            [
                (4, "code", "unknown_reference"),
                (5, "quantity", "invalid"),
                (6, "code", "unknown_reference"),
            ],
            "{b}: {body}"
        );
        // A later part of a long paste keeps counting rows.
        let r = t
            .post_json(
                "/api/v1/orders/paste-lines",
                &clerk,
                json!({"text": "SH-WHT-L\t1\nSKU\tqty\n", "first_row": 401}),
            )
            .await;
        assert_eq!(r.json()["lines"][0]["row"], 401, "{b}: {}", r.text());
        assert_eq!(r.json()["problems"][0]["row"], 402, "{b}: {}", r.text());
        // Too much text is refused with its bound; nothing is ever written.
        let r = t
            .post_json(
                "/api/v1/orders/paste-lines",
                &clerk,
                json!({"text": "A\t1\n".repeat(2_501)}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text()
        );
        assert_eq!(
            (
                r.json()["errors"][0]["field"].as_str(),
                r.json()["errors"][0]["code"].as_str()
            ),
            (Some("text"), Some("too_long")),
            "{b}"
        );
        let r = t
            .post_json("/api/v1/orders/paste-lines", &clerk, json!({"rows": []}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let orders = t
            .app
            .orders(&Ctx::system(), OrderQuery::default())
            .await
            .unwrap();
        assert!(orders.is_empty(), "{b}");
    })
    .await;
}

#[tokio::test]
async fn int_21_fin_5_the_customer_beside_the_order_form() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-23",
                           "lines": [{"product_id": w.product("SH-WHT-M"), "quantity": 10}]});
        created(&t, &w.admin, "/api/v1/orders", order).await;
        let r = t
            .get(&format!("/api/v1/customers/{}/overview", w.customer), &clerk)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let o = r.json();
        assert_eq!(o["code"], "FR-1");
        assert_eq!(o["payment_terms"], "monthly_settlement");
        // The clerk enters orders: he sees what the customer may still
        // spend on its account (an order commits money once approved) and,
        // beside it, what its open orders come to.
        assert_eq!(o["available"], "5000", "{b}: {o}");
        assert_eq!(o["open_orders"], 1, "{b}: {o}");
        assert_eq!(o["open_amount"], "850", "{b}: {o}");
        assert_eq!(o["newest_open"][0]["status"], "submitted", "{b}: {o}");
        let r = t
            .get(&format!("/api/v1/customers/{}/overview", w.other), &clerk)
            .await;
        assert_eq!(r.json()["open_orders"], 0, "{b}");
        let r = t.get("/api/v1/customers/999999/overview", &clerk).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        // A portal user sees his own customer, no other.
        let portal = t
            .customer_user_token("fr1", &[Role::Customer], Some(w.customer))
            .await;
        let r = t
            .get(&format!("/api/v1/customers/{}/overview", w.customer), &portal)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(r.json()["credit_limit"], "5000", "{b}");
        let r = t
            .get(&format!("/api/v1/customers/{}/overview", w.other), &portal)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
    })
    .await;
}

#[tokio::test]
async fn int_21_ord_1_a_typed_code_without_choosing_still_makes_the_line() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let cookie = t.login("clerk").await;
        let html = t.page("/orders/new", &cookie).await.text();
        assert_has(
            &html,
            &[
                "id=\"f-lines-0-product\"",
                "id=\"product-suggest\"",
                "id=\"paste-box\"",
                "id=\"customer-panel\"",
                "id=\"entry-keys\"",
                "data-labels=",
            ],
        );
        assert!(
            !html.contains("牛津纺衬衫"),
            "{b}: no product list in the page"
        );
        let token = csrf(&html);
        let customer = w.customer.to_string();
        let post = |product: &'static str| {
            let token = token.clone();
            let customer = customer.clone();
            let cookie = cookie.clone();
            let t = &t;
            async move {
                t.submit(
                    "/orders/new",
                    &cookie,
                    &token,
                    &[
                        ("customer_id", customer.as_str()),
                        ("channel", "phone"),
                        ("order_date", "2026-11-23"),
                        ("lines[0].product", product),
                        ("lines[0].product_id", ""),
                        ("lines[0].quantity", "2"),
                        ("lines[1].product", ""),
                        ("lines[1].quantity", ""),
                    ],
                )
                .await
            }
        };
        let r = post("NOPE-9 什么").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_has(&r.text(), &["NOPE-9", "value=\"NOPE-9 什么\""]);
        let r = post("6923450000028").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text());
        let orders = t
            .app
            .orders(&Ctx::system(), OrderQuery::default())
            .await
            .unwrap();
        assert_eq!(orders.len(), 1, "{b}");
        let lines = t
            .get(&format!("/api/v1/orders/{}", orders[0].id), &w.admin)
            .await
            .json();
        assert_eq!(
            lines["lines"][0]["product_id"].as_i64(),
            Some(w.product("SH-WHT-L")),
            "{b}: {lines}"
        );
    })
    .await;
}

#[tokio::test]
async fn int_21_doc_2_the_search_box_finds_what_the_caller_may_see() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-23",
                           "customer_reference": "PO-7788",
                           "lines": [{"product_id": w.product("SH-WHT-M"), "quantity": 1}]});
        let o = created(&t, &w.admin, "/api/v1/orders", order).await;
        let id = o["id"].as_i64().unwrap();
        let approved = t.approve_order(id, &w.admin).await;
        let number = approved["number"].as_str().unwrap().to_string();

        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let find = |q: &str| format!("/api/v1/search?q={}", support::enc(q));
        let kinds = |v: &Value| -> Vec<(String, String)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h["kind"].as_str().unwrap().to_string(),
                        h["key"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        // The start of a number, typed in small letters.
        let prefix = number[..number.len() - 2].to_lowercase();
        let r = t.get(&find(&prefix), &clerk).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert!(
            kinds(&r.json()).contains(&("order".into(), number.clone())),
            "{b}: {}",
            r.text()
        );
        assert_eq!(r.json()[0]["href"], format!("/orders/{id}"));
        // The customer's own reference; a customer by name; a product.
        let r = t.get(&find("PO-7788"), &clerk).await;
        assert_eq!(kinds(&r.json()), [("order".into(), number.clone())], "{b}");
        let r = t.get(&find("华南"), &clerk).await;
        assert_eq!(kinds(&r.json()), [("customer".into(), "FR-1".into())], "{b}");
        let r = t.get(&find("西裤"), &clerk).await;
        assert_eq!(kinds(&r.json()), [("product".into(), "TR-BLK-32".into())], "{b}");
        // A prefix every number has: the highest numbers first, each once
        // (the newest also carries the prefix as its reference), at most
        // `limit` of them.
        let common: String = number.chars().take(2).collect();
        let mut numbers = vec![number.clone()];
        for (quantity, reference) in [(2, json!(null)), (3, json!(null)), (4, json!(common))] {
            let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-23",
                               "customer_reference": reference,
                               "lines": [{"product_id": w.product("SH-WHT-M"), "quantity": quantity}]});
            let o = created(&t, &w.admin, "/api/v1/orders", order).await;
            let a = t.approve_order(o["id"].as_i64().unwrap(), &w.admin).await;
            numbers.push(a["number"].as_str().unwrap().to_string());
        }
        numbers.sort();
        numbers.reverse();
        let r = t.get(&format!("{}&limit=2", find(&common)), &clerk).await;
        let orders: Vec<String> = kinds(&r.json())
            .into_iter()
            .filter(|(k, _)| k == "order")
            .map(|(_, n)| n)
            .collect();
        assert_eq!(orders, numbers[..2], "{b}: {}", r.text());
        // `%` is not a wildcard: alone it finds nothing.
        let r = t.get(&find("%"), &clerk).await;
        assert_eq!(r.json(), json!([]), "{b}");
        // Bounds.
        let r = t.get(&format!("{}&limit=21", find("F")), &clerk).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let r = t.get(&find(&"9".repeat(101)), &clerk).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        // A portal user of another customer finds nothing of this one.
        let portal = t
            .customer_user_token("bj", &[Role::Customer], Some(w.other))
            .await;
        let r = t.get(&find(&number), &portal).await;
        assert_eq!(r.json(), json!([]), "{b}");
        let mine = t
            .customer_user_token("fr1", &[Role::Customer], Some(w.customer))
            .await;
        let r = t.get(&find(&number), &mine).await;
        assert_eq!(r.json()[0]["href"], format!("/portal/orders/{id}"), "{b}");

        // The page: one hit opens at once, several are listed.
        let cookie = t.login("clerk").await;
        let r = t.page(&format!("/search?q={}", support::enc(&number)), &cookie).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(r.header("location"), format!("/orders/{id}"));
        let r = t.page("/search?q=SH-WHT", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
        assert_has(&r.text(), &["SH-WHT-M", "SH-WHT-L", "id=\"search-hits\""]);
        let html = t.page("/orders", &cookie).await.text();
        assert_has(&html, &["id=\"global-search\"", "/static/search.js"]);
        let js = t.page("/static/search.js", &cookie).await;
        assert!(js.header("content-type").starts_with("text/javascript"));
    })
    .await;
}

#[tokio::test]
async fn int_21_api_reference_in_the_browser_from_the_binary() {
    on_each_backend(|t| async move {
        let b = t.backend;
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let cookie = t.login("clerk").await;
        let r = t.page("/api/docs", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
        let html = r.text();
        assert_has(
            &html,
            &[
                "id=\"swagger-ui\"",
                "/api/docs/assets/swagger-ui-bundle.js",
                "/api/docs/assets/swagger-ui.css",
                "/static/api-docs.js",
                "name=\"csrf-token\"",
            ],
        );
        assert!(!html.contains("src=\"http"), "{b}: nothing from outside");
        for (path, kind) in [
            ("/api/docs/assets/swagger-ui-bundle.js", "javascript"),
            ("/api/docs/assets/swagger-ui.css", "css"),
            ("/static/api-docs.js", "javascript"),
        ] {
            let r = t.call(Method::GET, path, &[], None).await;
            assert_eq!(r.status, StatusCode::OK, "{b} {path}");
            assert!(r.header("content-type").contains(kind), "{b} {path}");
            assert!(r.body.len() > 100, "{b} {path}");
        }
        let home = t.page("/", &cookie).await.text();
        assert!(
            home.contains("href=\"/api/docs\""),
            "{b}: linked from the pages"
        );
        // Without a session the page asks for a login, like every page.
        let r = t.call(Method::GET, "/api/docs", &[], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
    })
    .await;
}
