//! INV-2: the customer's answer to a shortage set over the API and on the
//! order page (ADR 0019), in process on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, form, on_each_backend};

/// An approved order of 12 units with 10 in stock (2 short); (admin token,
/// order id, the order as the API shows it).
async fn short_order(t: &T) -> (String, i64, Value) {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "S-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "50", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nS-1,WH,10\n",
    )
    .await;
    let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
        "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳"})).await.json();
    let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                       "lines": [{"product_id": p["id"], "quantity": 12}]});
    let id = t.post_json("/api/v1/orders", &admin, order).await.json()["id"]
        .as_i64()
        .unwrap();
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
    (admin, id, r.json())
}

#[tokio::test]
#[rustfmt::skip]
async fn inv_2_the_answer_to_a_shortage_is_set_over_the_api_and_acts() {
    on_each_backend(|t| async move {
        let (admin, id, o) = short_order(&t).await;
        assert_eq!(o["shortages"][0]["choice"], "partial", "{o}");
        let sid = o["shortages"][0]["id"].as_i64().unwrap();
        let path = format!("/api/v1/orders/{id}/shortages/{sid}/choice");

        // Refusals name the field and change nothing.
        let r = t.post_json(&path, &admin, json!({"choice": "wait"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "choice", "{}", r.text());
        let r = t.post_json(&path, &admin, json!({"choice": "substitution"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "product_id");
        let r = t.post_json(&path, &admin, json!({"choice": "backorder", "note": "长".repeat(501)})).await;
        assert_eq!(r.json()["errors"][0]["field"], "note", "{}", r.text());
        let r = t.get(&format!("/api/v1/orders/{id}"), &admin).await;
        assert_eq!(r.json()["shortages"][0]["choice"], "partial");

        // Wait: the line is held off the shipping plan's pickable goods.
        let r = t.post_json(&path, &admin, json!({"choice": "backorder"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["shortages"][0]["choice"], "backorder");
        let plan = t.get("/api/v1/shipping-plan", &admin).await.json();
        assert_eq!(plan[0]["waiting"], true, "{plan}");
        let r = t.post_json("/api/v1/pick-lists", &admin, json!({"order_ids": [id]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());

        // Cancel the short quantity: the line becomes the 10 reserved.
        let r = t.post_json(&path, &admin, json!({"choice": "cancel", "note": "客户不要了"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert_eq!(v["lines"][0]["quantity"], 10, "{v}");
        assert_eq!((v["shortages"][0]["choice"].clone(), v["shortages"][0]["status"].clone()), (json!("cancel"), json!("closed")));
        let r = t.post_json(&path, &admin, json!({"choice": "partial"})).await;
        assert_eq!(r.json()["errors"][0]["code"], "closed", "{}", r.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn inv_2_the_clerk_records_the_answer_on_the_order_page() {
    on_each_backend(|t| async move {
        let (_, id, o) = short_order(&t).await;
        let sid = o["shortages"][0]["id"].as_i64().unwrap();
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let clerk = t.login("clerk").await;
        let html = t.page(&format!("/orders/{id}"), &clerk).await.text();
        assert_has(&html, &["缺货", "有货先发", &format!("id=\"shortage-answer-{sid}\"")]);
        let token = csrf(&html);
        let to = format!("/orders/{id}/shortages/{sid}");
        // A substitution without a product is refused on the page.
        let r = t.post(&to, &clerk, form(&[("_csrf", &token), ("choice", "substitution"), ("product_id", ""), ("note", "")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["product_id"]);
        let r = t.post(&to, &clerk, form(&[("_csrf", &token), ("choice", "backorder"), ("product_id", ""), ("note", "等齐再发")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&format!("/orders/{id}"), &clerk).await.text();
        assert_has(&html, &["class=\"choice-backorder\"", "等齐再发"]);
    })
    .await;
}
