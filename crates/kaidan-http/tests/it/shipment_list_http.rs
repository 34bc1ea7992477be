//! The shipment list that works for a living (issue 21, SHP-2): filters,
//! sort, count, cursor paging, saved filters, Excel export and the
//! delivery notes of the chosen rows in one print, over the API and the
//! page, in process on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, form, on_each_backend};

struct World {
    admin: String,
    /// (shipment id, delivery note number, carrier), in the order shipped.
    shipped: Vec<(i64, String, &'static str)>,
    order_of_first: i64,
}

/// Four orders shipped from one warehouse: three for FR-1 (顺丰, 顺丰,
/// 德邦), one for FR-2 (顺丰); the last one delivered.
async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件",
        "season": "spring_summer", "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nF-1,WH,100\n",
    )
    .await;
    let mut customers = Vec::new();
    for code in ["FR-1", "FR-2"] {
        let c = t.post_json("/api/v1/customers", &admin, json!({"code": code, "name": "加盟商", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000",
            "address": "深圳"})).await.json();
        customers.push(c["id"].clone());
    }
    let mut shipped = Vec::new();
    let mut order_of_first = 0;
    for (i, (customer, carrier)) in [
        (&customers[0], "顺丰"),
        (&customers[0], "顺丰"),
        (&customers[0], "德邦"),
        (&customers[1], "顺丰"),
    ]
    .into_iter()
    .enumerate()
    {
        let order = json!({"customer_id": customer, "channel": "phone", "order_date": "2026-11-23",
                           "requested_delivery_date": "2999-11-30",
                           "lines": [{"product_id": p["id"], "quantity": i + 1}]});
        let r = t.post_json("/api/v1/orders", &admin, order).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        t.approve_order(id, &admin).await;
        let r = t
            .post_json("/api/v1/pick-lists", &admin, json!({"order_ids": [id]}))
            .await;
        let lid = r.json()[0]["id"].as_i64().unwrap();
        let r = t
            .post_json(
                &format!("/api/v1/pick-lists/{lid}/pick"),
                &admin,
                json!({"lines": [{"line_no": 1, "picked": i + 1}], "packages": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = t
            .post_json(
                &format!("/api/v1/pick-lists/{lid}/ship"),
                &admin,
                json!({"carrier": carrier, "tracking_no": format!("T{i}"), "eta": "2999-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sid = r.json()["id"].as_i64().unwrap();
        if i == 0 {
            order_of_first = id;
        }
        shipped.push((
            sid,
            r.json()["number"].as_str().unwrap().to_string(),
            carrier,
        ));
    }
    let last = shipped[3].0;
    let r = t
        .post_json(
            &format!("/api/v1/shipments/{last}/delivery"),
            &admin,
            json!({"signed_by": "店长", "lines": [{"line_no": 1, "accepted": 4}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    World {
        admin,
        shipped,
        order_of_first,
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn int_21_shp_2_the_shipment_list_filters_sorts_counts_and_pages() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let s: Vec<i64> = w.shipped.iter().map(|x| x.0).collect();
        let wh = t.user_token("wh", &[Role::Warehouse]).await;
        let get = |q: &str| {
            let (t, wh) = (&t, &wh);
            let path = format!("/api/v1/shipments?{q}");
            async move {
                let r = t.get(&path, wh).await;
                assert_eq!(r.status, StatusCode::OK, "{b} {path}: {}", r.text());
                r.json()
            }
        };
        // Newest first, with the count and the lines of each.
        let all = get("count=true").await;
        assert_eq!(ids(&all), [s[3], s[2], s[1], s[0]], "{b}");
        assert_eq!(all["total"], 4, "{b}");
        assert_eq!(all["items"][0]["lines"][0]["quantity"], 4, "{b}");
        // Filters, alone and together.
        let v = get("customer=FR-1&carrier=%E9%A1%BA%E4%B8%B0&count=true").await;
        assert_eq!(
            (ids(&v), v["total"].clone()),
            (vec![s[1], s[0]], json!(2)),
            "{b}"
        );
        assert_eq!(ids(&get("status=delivered").await), [s[3]], "{b}");
        let v = get(&format!("order_id={}", w.order_of_first)).await;
        assert_eq!(ids(&v), [s[0]], "{b}");
        let today = jiff::Timestamp::now()
            .to_zoned(kaidan_domain::orders::company_time_zone())
            .date();
        let yesterday = today.yesterday().unwrap();
        assert_eq!(ids(&get(&format!("from={today}")).await).len(), 4, "{b}");
        assert!(
            ids(&get(&format!("to={yesterday}")).await).is_empty(),
            "{b}"
        );
        // Paging by cursor, newest first and by shipped time oldest first.
        let p1 = get("limit=3").await;
        assert_eq!(ids(&p1), [s[3], s[2], s[1]], "{b}");
        let c = p1["next_cursor"].as_str().unwrap();
        let p2 = get(&format!("limit=3&cursor={c}")).await;
        assert_eq!(
            (ids(&p2), p2["next_cursor"].clone()),
            (vec![s[0]], Value::Null),
            "{b}"
        );
        let p1 = get("sort=shipped&limit=2").await;
        assert_eq!(ids(&p1), [s[0], s[1]], "{b}");
        let c = p1["next_cursor"].as_str().unwrap().to_string();
        let p2 = get(&format!("sort=shipped&limit=2&cursor={}", support::enc(&c))).await;
        assert_eq!(ids(&p2), [s[2], s[3]], "{b}");
        // Every bad value is named; nothing else is read.
        for (q, field) in [
            ("status=lost", "status"),
            ("customer=NOPE", "customer"),
            ("from=2026-13-01", "from"),
            ("sort=amount", "sort"),
            ("colour=red", "colour"),
            ("limit=0", "limit"),
            (&format!("sort=shipped&cursor={}", s[0]), "cursor"),
        ] {
            let r = t.get(&format!("/api/v1/shipments?{q}"), &wh).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b} {q}");
            assert_eq!(
                r.json()["errors"][0]["field"],
                field,
                "{b} {q}: {}",
                r.text()
            );
        }
        // A sales rep without the shipment permission reads nothing.
        let rep = t.user_token("rep", &[Role::SalesRep]).await;
        let r = t.get("/api/v1/shipments", &rep).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");
        let _ = &w.admin;
    })
    .await;
}

#[tokio::test]
async fn int_21_the_shipment_list_page_filters_exports_saves_and_prints() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        t.user_token("wh", &[Role::Warehouse]).await;
        let cookie = t.login("wh").await;
        let page = t
            .page("/shipments?carrier=%E5%BE%B7%E9%82%A6", &cookie)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        let html = page.text();
        assert_has(
            &html,
            &[
                &w.shipped[2].1,
                "id=\"shipment-count\"",
                "<strong>1</strong>",
                "id=\"sort-shipped\"",
                "/static/order-list.js",
            ],
        );
        assert!(
            !html.contains(&w.shipped[0].1),
            "{b}: a 顺丰 shipment listed"
        );
        // A bad filter is named on the page, nothing listed.
        let r = t.page("/shipments?from=2026-02-30", &cookie).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_has(&r.text(), &["from"]);
        // The export holds exactly what is filtered.
        let r = t
            .page("/shipments?customer=FR-1&format=xlsx", &cookie)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
        let table = kaidan_io::read_table("shipments.xlsx", &r.body).unwrap();
        let mut numbers: Vec<&str> = table.rows.iter().map(|r| r.cells[0].as_str()).collect();
        numbers.sort_unstable();
        let mut want: Vec<&str> = w.shipped[..3].iter().map(|x| x.1.as_str()).collect();
        want.sort_unstable();
        assert_eq!(numbers, want, "{b}");
        // A saved filter comes back as a link, and goes.
        let token = csrf(&html);
        let r = t
            .post(
                "/shipments/filters",
                &cookie,
                form(&[
                    ("_csrf", &token),
                    ("name", "德邦"),
                    ("query", "carrier=%E5%BE%B7%E9%82%A6"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text());
        let html = t.page("/shipments", &cookie).await.text();
        assert_has(&html, &["class=\"saved-filter\"", "德邦"]);
        let r = t
            .get(
                "/api/v1/saved-filters?list=shipments",
                &t.user_token("wh2", &[Role::Warehouse]).await,
            )
            .await;
        assert_eq!(r.json(), json!([]), "{b}: another user's filters");
        let r = t
            .post(
                "/shipments/filters",
                &cookie,
                form(&[("_csrf", &token), ("name", "x"), ("query", "status=lost")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        // The chosen delivery notes print in one PDF (or the page says
        // that no CJK font is installed).
        let q = format!("s{}=1&s{}=1", w.shipped[0].0, w.shipped[1].0);
        let r = t.page(&format!("/shipments/print?{q}"), &cookie).await;
        if r.status == StatusCode::OK {
            assert_eq!(r.header("content-type"), "application/pdf", "{b}");
        } else {
            assert_eq!(
                r.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{b}: {}",
                r.text()
            );
        }
        let r = t.page("/shipments/print?ids=999999", &cookie).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::SERVICE_UNAVAILABLE,
            "{b}: {}",
            r.status
        );
        if r.status == StatusCode::OK {
            assert_has(&r.text(), &["id=\"bulk-results\"", "#999999"]);
        }
        let r = t.page("/shipments/print", &cookie).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    })
    .await;
}
