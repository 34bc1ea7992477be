//! ORD-7 stages and SEC-2 histories over the API and the pages, in process
//! on both databases: an order shows allocated then picking in its view,
//! the list and the list's filter; the histories of an order (line by
//! line), a customer's account and a product's stock are read a page at a
//! time by who may see the record, and shown as the record's history tab.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, on_each_backend};

/// Ids of a product, a central warehouse and a customer, and an approved
/// order of 10 units whose line 1 a change request took down to 8.
struct World {
    admin: String,
    product: i64,
    warehouse: i64,
    customer: i64,
    order: i64,
}

#[rustfmt::skip]
async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "H-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
        "launch_priority": 1, "list_price": "10", "tax_rate": "0.13"})).await.json();
    let wh = t.post_json("/api/v1/warehouses", &admin, json!({"code": "WH", "name": "总仓", "is_central": true})).await.json();
    t.upload("/api/v1/import/stock?file=s.csv", &admin, "sku,warehouse_code,quantity\nH-1,WH,50\n").await;
    let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
        "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳"})).await.json();
    let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                       "lines": [{"product_id": p["id"], "quantity": 10}]});
    let id = t.post_json("/api/v1/orders", &admin, order).await.json()["id"].as_i64().unwrap();
    t.post_json(&format!("/api/v1/orders/{id}/review"), &admin, json!({})).await;
    let r = t.post_json(&format!("/api/v1/orders/{id}/finance-review"), &admin, json!({"decision": "pass"})).await;
    assert_eq!(r.json()["status"], "approved", "{}", r.text());
    let change = json!({"reason": "客户减少数量", "changes": [{"kind": "quantity", "line_no": 1, "quantity": 8}]});
    let r = t.post_json(&format!("/api/v1/orders/{id}/changes"), &admin, change).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cr = r.json();
    for d in cr["departments"].as_array().unwrap() {
        let r = t.post_json(&format!("/api/v1/changes/{}/decision", cr["id"]), &admin, json!({"department": d, "approve": true})).await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    World { admin, product: p["id"].as_i64().unwrap(), warehouse: wh["id"].as_i64().unwrap(), customer: c["id"].as_i64().unwrap(), order: id }
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
#[rustfmt::skip]
async fn ord_7_stage_in_the_order_its_list_and_the_list_filter_over_the_api() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let o = t.get(&format!("/api/v1/orders/{}", w.order), &w.admin).await.json();
        assert_eq!((o["status"].as_str(), o["stage"].as_str()), (Some("approved"), Some("allocated")), "{o}");
        let list = t.get("/api/v1/orders", &w.admin).await.json();
        assert_eq!(list["items"][0]["stage"], "allocated", "{list}");
        assert_eq!(ids(&t.get("/api/v1/orders?stage=allocated", &w.admin).await.json()), [w.order]);
        assert!(ids(&t.get("/api/v1/orders?stage=picking", &w.admin).await.json()).is_empty());
        let r = t.get("/api/v1/orders?stage=packed", &w.admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "stage");

        let r = t.post_json("/api/v1/pick-lists", &w.admin, json!({"order_ids": [w.order]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let o = t.get(&format!("/api/v1/orders/{}", w.order), &w.admin).await.json();
        assert_eq!((o["status"].as_str(), o["stage"].as_str()), (Some("approved"), Some("picking")));
        assert_eq!(ids(&t.get("/api/v1/orders?stage=picking", &w.admin).await.json()), [w.order]);
        assert!(ids(&t.get("/api/v1/orders?stage=allocated", &w.admin).await.json()).is_empty());
        t.assert_described(&[("/api/v1/orders", "get")]).await;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn sec_2_histories_of_an_order_an_account_and_stock_over_the_api() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let path = format!("/api/v1/orders/{}/history", w.order);
        let all = t.get(&path, &w.admin).await.json();
        let field = format!("document.lines[product_id={}].quantity", w.product);
        let line = all["items"].as_array().unwrap().iter()
            .flat_map(|e| e["changes"].as_array().unwrap().iter())
            .find(|c| c["field"] == field.as_str())
            .unwrap_or_else(|| panic!("{}: no change of line 1 in {all}", t.backend)).clone();
        assert_eq!((line["before"].as_str(), line["after"].as_str()), (Some("10"), Some("8")));
        let first = t.get(&format!("{path}?limit=1"), &w.admin).await.json();
        assert_eq!(first["items"].as_array().unwrap().len(), 1);
        let next = first["next_cursor"].as_str().unwrap();
        let second = t.get(&format!("{path}?limit=1&cursor={next}"), &w.admin).await.json();
        assert_eq!(second["items"][0]["id"], all["items"][1]["id"]);
        for (q, field) in [("limit=0", "limit"), ("limit=x", "limit"), ("cursor=x", "cursor"), ("sort=id", "sort")] {
            let r = t.get(&format!("{path}?{q}"), &w.admin).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
            assert_eq!(r.json()["errors"][0]["field"], field, "{q}");
        }
        assert_eq!(t.get("/api/v1/orders/999999/history", &w.admin).await.status, StatusCode::NOT_FOUND);

        // The account: the approval's commitment is there.
        let account = t.get(&format!("/api/v1/customers/{}/account/history", w.customer), &w.admin).await.json();
        assert!(account["items"].as_array().unwrap().iter().any(|e| e["action"] == "commitment"), "{account}");
        let wh = t.user_token("wh", &[Role::Warehouse]).await;
        let r = t.get(&format!("/api/v1/customers/{}/account/history", w.customer), &wh).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "who may not see the account may not see its history");

        // Stock: the import's receipt, before → after per warehouse.
        let stock = t.get(&format!("/api/v1/stock/{}/{}/history", w.product, w.warehouse), &wh).await.json();
        assert_eq!(stock["items"][0]["action"], "stock_receipt", "{stock}");
        assert_eq!(stock["items"][0]["changes"][0]["field"], format!("stock[warehouse_id={}].on_hand", w.warehouse));
        let r = t.get(&format!("/api/v1/stock/x/{}/history", w.warehouse), &wh).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "product_id");
        t.assert_described(&[("/api/v1/orders/{id}/history", "get"), ("/api/v1/customers/{id}/account/history", "get"),
            ("/api/v1/stock/{product_id}/{warehouse_id}/history", "get")]).await;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn ord_7_sec_2_pages_show_the_stage_and_the_history_tabs() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let admin = t.login("boss").await;
        let html = t.page("/orders", &admin).await.text();
        assert_has(&html, &["stage-allocated", "已配货"]);
        let html = t.page("/orders?status=allocated", &admin).await.text();
        assert_has(&html, &["stage-allocated", "<option value=\"allocated\" selected>"]);
        let html = t.page(&format!("/orders/{}", w.order), &admin).await.text();
        assert_has(&html, &["id=\"order-stage\"", "已配货", "id=\"tab-history\"", &format!("/customers/{}/account", w.customer)]);

        // The order's history tab names the line the change was on.
        let html = t.page(&format!("/orders/{}/history", w.order), &admin).await.text();
        assert_has(&html, &["id=\"history\"", "class=\"active\"", "1 · H-1", "<td>quantity</td><td>10</td><td>8</td>", "change_requested",
            "<td class=\"line\">1 · H-1</td><td>sku</td><td></td><td>H-1</td>"]);
        let html = t.page(&format!("/customers/{}/account", w.customer), &admin).await.text();
        assert_has(&html, &["id=\"balance\"", "订单占用", "id=\"tab-history\""]);
        let html = t.page(&format!("/customers/{}/account/history", w.customer), &admin).await.text();
        assert_has(&html, &["id=\"history\"", "commitment"]);
        let html = t.page("/stock", &admin).await.text();
        let link = format!("/stock/{}/{}/history", w.product, w.warehouse);
        assert_has(&html, &[&link]);
        let html = t.page(&link, &admin).await.text();
        assert_has(&html, &["stock_receipt", &format!("stock[warehouse_id={}].on_hand", w.warehouse), "+50"]);
        assert_eq!(t.page("/stock/0/1/history", &admin).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}
