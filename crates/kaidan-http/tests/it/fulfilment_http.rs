//! Picking, shipping, tracking, delivery and lookup by number (SHP-1..3,
//! DOC-2) over the API and the pages, in process on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::json;
use support::{T, assert_has, csrf, form, on_each_backend};

/// An approved order of 3 units with 10 in stock; (order id, order number).
async fn approved_order(t: &T) -> (i64, String) {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "QC", "name": "隔离仓"}),
    )
    .await;
    let stock = "sku,warehouse_code,quantity\nF-1,WH,10\n";
    t.upload("/api/v1/import/stock?file=s.csv", &admin, stock)
        .await;
    let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
        "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳"})).await.json();
    let order = json!({"customer_id": c["id"], "channel": "phone", "order_date": "2026-11-23",
                       "lines": [{"product_id": p["id"], "quantity": 3}]});
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
    (id, r.json()["number"].as_str().unwrap().to_string())
}

fn location(r: &support::Res) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("location")
}

#[tokio::test]
#[rustfmt::skip]
async fn shp_1_shp_2_shp_3_doc_2_over_the_api() {
    on_each_backend(|t| async move {
        let (order, number) = approved_order(&t).await;
        let wh = t.user_token("wh", &[Role::Warehouse]).await;
        let plan = t.get("/api/v1/shipping-plan", &wh).await.json();
        assert_eq!(plan[0]["order_number"], number.as_str(), "{plan}");
        let r = t.post_json("/api/v1/pick-lists", &wh, json!({"order_ids": []})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "order_ids");
        let r = t.post_json("/api/v1/pick-lists", &wh, json!({"order_ids": [order]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let list = r.json()[0].clone();
        let lid = list["id"].as_i64().unwrap();
        let r = t.post_json(&format!("/api/v1/pick-lists/{lid}/pick"), &wh, json!({"lines": [{"line_no": 1, "picked": 9}], "packages": 1})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "lines[0].picked");
        let r = t.post_json(&format!("/api/v1/pick-lists/{lid}/pick"), &wh, json!({"lines": [{"line_no": 1, "picked": 3}], "packages": 1})).await;
        assert_eq!(r.json()["status"], "picked", "{}", r.text());
        // KPI-4 per order: everything reserved was found (ADR 0008).
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date();
        let acc = t.get(&format!("/api/v1/stock/accuracy?from={today}&to={today}"), &wh).await.json();
        assert_eq!((acc["orders_checked"].clone(), acc["orders_right"].clone()), (json!(1), json!(1)), "{acc}");
        assert_eq!(acc["order_accuracy_percent"], "100.00");
        let r = t.post_json(&format!("/api/v1/pick-lists/{lid}/ship"), &wh, json!({"carrier": "顺丰", "tracking_no": "SF77", "eta": "2999-01-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sid = r.json()["id"].as_i64().unwrap();
        let dn = r.json()["number"].as_str().unwrap().to_string();
        let r = t.post_json(&format!("/api/v1/shipments/{sid}/tracking"), &wh, json!({"at": "2026-01-01T00:00:00Z", "status": "teleported"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let csv = format!("tracking_no,at,status,location,note\nSF77,{},in_transit,广州,\n", jiff::Timestamp::now());
        let r = t.upload("/api/v1/import/tracking?file=t.csv", &wh, csv).await;
        assert_eq!(r.json()["created"], 1, "{}", r.text());
        let r = t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &wh, json!({"signed_by": "王店长", "lines": [{"line_no": 1, "accepted": 3}]})).await;
        assert_eq!(r.json()["status"], "delivered", "{}", r.text());
        let o = t.get(&format!("/api/v1/orders/{order}"), &wh).await.json();
        assert_eq!(o["status"], "delivered");
        assert_eq!(o["shipments"][0]["tracking"][0]["location"], "广州");
        for (n, kind) in [(number.as_str(), "order"), (list["number"].as_str().unwrap(), "pick_list"), (dn.as_str(), "delivery_note")] {
            let r = t.get(&format!("/api/v1/documents/{n}"), &wh).await.json();
            assert_eq!(r[0]["kind"], kind, "{n}: {r}");
        }
        assert_eq!(t.get("/api/v1/documents/XX-1", &wh).await.status, StatusCode::NOT_FOUND);
        t.assert_described(&[("/api/v1/pick-lists/{id}/ship", "post")]).await;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn shp_1_shp_2_shp_3_warehouse_pages_pick_ship_track_deliver() {
    on_each_backend(|t| async move {
        let (order, number) = approved_order(&t).await;
        t.user_token("wh", &[Role::Warehouse]).await;
        let wh = t.login("wh").await;
        let html = t.page("/shipping", &wh).await.text();
        assert_has(&html, &[&number, "生成拣货单"]);
        let token = csrf(&html);
        let oid = order.to_string();
        let to = location(&t.post("/shipping/pick-lists", &wh, form(&[("_csrf", &token), ("order", &oid)])).await);
        assert!(to.starts_with("/pick-lists/"), "{to}");
        let html = t.page(&to, &wh).await.text();
        assert_has(&html, &["PK-", "确认拣货"]);
        // A picked quantity that is not a number is refused on the page.
        let r = t.post(&format!("{to}/pick"), &wh, form(&[("_csrf", &token), ("picked_1", "x"), ("packages", "1")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Two of three found: the third is released to backorder.
        location(&t.post(&format!("{to}/pick"), &wh, form(&[("_csrf", &token), ("picked_1", "2"), ("packages", "1")])).await);
        // KPI-4 on the stock page: this order's stock check was wrong.
        let html = t.page("/stock", &wh).await.text();
        assert_has(&html, &["库存准确率", "订单:占用的货能按占用拣出", "<td>0</td><td>1</td><td>0.00%</td>"]);
        let html = t.page(&to, &wh).await.text();
        assert_has(&html, &["已拣货待发运", "id=\"ship-form\""]);
        let r = t.post(&format!("{to}/ship"), &wh, form(&[("_csrf", &token), ("carrier", ""), ("tracking_no", "YT1"), ("eta", "2999-01-01")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "carrier is required");
        let sh = location(&t.post(&format!("{to}/ship"), &wh, form(&[("_csrf", &token), ("carrier", "圆通"), ("tracking_no", "YT1"), ("eta", "2999-01-01")])).await);
        let html = t.page(&sh, &wh).await.text();
        assert_has(&html, &["DN-", "YT1", "在途"]);
        let now = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).strftime("%Y-%m-%dT%H:%M").to_string();
        location(&t.post(&format!("{sh}/tracking"), &wh, form(&[("_csrf", &token), ("at", &now), ("status", "out_for_delivery"), ("location", "深圳南山"), ("note", "")])).await);
        location(&t.post(&format!("{sh}/delivery"), &wh, form(&[("_csrf", &token), ("signed_by", "王店长"), ("accepted_1", "1"), ("refused_1", "1"),
            ("reason_1", "污渍"), ("disposition_1", "restock"), ("quarantine_warehouse_id", ""), ("note", "")])).await);
        let html = t.page(&sh, &wh).await.text();
        assert_has(&html, &["已签收", "污渍", "深圳南山"]);
        let html = t.page(&format!("/orders/{order}"), &wh).await.text();
        assert_has(&html, &["order-shipments", "物流轨迹"]);
        let r = t.page(&format!("/lookup?number={number}"), &wh).await;
        assert_eq!(location(&r), format!("/orders/{order}"));
        let html = t.page("/shipments", &wh).await.text();
        assert!(html.contains("YT1"), "{html}");
    })
    .await;
}

/// ORD-6: a partly shipped order keeps its ship deadline open on the watch
/// list; the order's API answer and page show each decided deadline, met
/// or missed (KPI-2).
#[tokio::test]
#[rustfmt::skip]
async fn ord_6_partly_shipped_order_stays_watched_and_shows_its_deadline_records() {
    on_each_backend(|t| async move {
        let (order, _) = approved_order(&t).await;
        let wh = t.user_token("wh", &[Role::Warehouse]).await;
        let r = t.post_json("/api/v1/pick-lists", &wh, json!({"order_ids": [order]})).await;
        let lid = r.json()[0]["id"].as_i64().unwrap();
        // Two of three found and shipped: the third waits (backorder).
        t.post_json(&format!("/api/v1/pick-lists/{lid}/pick"), &wh, json!({"lines": [{"line_no": 1, "picked": 2}], "packages": 1})).await;
        let r = t.post_json(&format!("/api/v1/pick-lists/{lid}/ship"), &wh, json!({"carrier": "顺丰", "tracking_no": "SF78", "eta": "2999-01-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let o = t.get(&format!("/api/v1/orders/{order}"), &wh).await.json();
        assert_eq!(o["status"], "partly_shipped");
        let records = o["deadlines"].as_array().unwrap_or_else(|| panic!("no deadlines: {o}"));
        assert_eq!(records.len(), 1, "only the review is decided: {o}");
        assert_eq!((&records[0]["kind"], &records[0]["met"], &records[0]["late_minutes"]), (&json!("review"), &json!(true), &json!(0)));
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let clerk = t.login("clerk").await;
        let html = t.page("/orders/deadlines?all=1", &clerk).await.text();
        let ship = html.split("id=\"deadlines-ship\"").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(ship.contains(&format!("href=\"/orders/{order}\"")), "{}: {ship}", t.backend);
        let html = t.page(&format!("/orders/{order}"), &clerk).await.text();
        assert_has(&html, &["id=\"deadline-review\"", "完成于"]);
        assert!(!html.contains("id=\"deadline-ship\""), "the ship deadline is still open");
    })
    .await;
}
