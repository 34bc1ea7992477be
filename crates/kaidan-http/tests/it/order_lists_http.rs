//! The order list that works for a living (issue 21) over HTTP in process,
//! on SQLite always and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set:
//! filters by customer, rep, region, channel, status, dates, amount and
//! deadline state; sort by column over cursors; the count; Excel export of
//! exactly what is filtered; bulk review, approve, cancel and print with
//! each row's result; saved filters per user.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, on_each_backend};

/// An order placed: (id, customer, channel, amount).
type Placed = (i64, i64, &'static str, i64);

struct World {
    admin: String,
    /// HZ-1 (rep "rep", region HZ) and BJ-1 (no rep, region BJ).
    hz: i64,
    bj: i64,
    rep: i64,
    region_hz: i64,
    /// The orders, in the order placed: (id, customer, channel, amount).
    orders: Vec<Placed>,
}

async fn created(t: &T, token: &str, path: &str, body: Value) -> Value {
    let r = t.post_json(path, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

/// Two customers in two regions, one with a rep; eight orders of amounts
/// 100..800 over phone and email.
async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let rep_token = t.user_token("rep", &[Role::SalesRep]).await;
    let me = t.get("/api/v1/me", &rep_token).await.json();
    let rep = me["user_id"].as_i64().unwrap();
    let hz_region = created(
        t,
        &admin,
        "/api/v1/regions",
        json!({"code": "HZ", "name": "杭州区"}),
    )
    .await;
    let bj_region = created(
        t,
        &admin,
        "/api/v1/regions",
        json!({"code": "BJ", "name": "北京区"}),
    )
    .await;
    let p = created(
        t,
        &admin,
        "/api/v1/products",
        json!({"sku": "SH-1", "name": "衬衫", "unit": "件", "season": "spring_summer",
               "list_price": "100", "tax_rate": "0.13"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let customer = |code: &str, region: &Value, rep: Option<i64>| {
        json!({"code": code, "name": format!("{code} 客户"), "kind": "business",
               "payment_terms": "prepayment", "payment_method": "cash", "address": "地址",
               "credit_limit": "1000000", "region_id": region["id"], "sales_rep_id": rep})
    };
    let hz = created(
        t,
        &admin,
        "/api/v1/customers",
        customer("HZ-1", &hz_region, Some(rep)),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let bj = created(
        t,
        &admin,
        "/api/v1/customers",
        customer("BJ-1", &bj_region, None),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut orders = Vec::new();
    for n in 1..=8i64 {
        let (c, channel) = if n % 2 == 1 {
            (hz, "phone")
        } else {
            (bj, "email")
        };
        let o = created(
            t,
            &admin,
            "/api/v1/orders",
            json!({"customer_id": c, "channel": channel, "order_date": "2026-11-23",
                   "customer_reference": format!("REF-{n}"),
                   "lines": [{"product_id": p, "quantity": n}]}),
        )
        .await;
        orders.push((o["id"].as_i64().unwrap(), c, channel, n * 100));
    }
    World {
        admin,
        hz,
        bj,
        rep,
        region_hz: hz_region["id"].as_i64().unwrap(),
        orders,
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn int_21_ord_7_the_order_list_filters_sorts_counts_and_pages() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let list = |q: &str| format!("/api/v1/orders?count=true&{q}");
        let all: Vec<i64> = w.orders.iter().rev().map(|o| o.0).collect();

        // Newest first by default, with the count.
        let r = t.get(&list(""), &w.admin).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_eq!(ids(&r.json()), all, "{b}");
        assert_eq!(r.json()["total"], 8, "{b}");
        // Each filter narrows, alone and together.
        let of = |pred: &dyn Fn(&Placed) -> bool| -> Vec<i64> {
            w.orders
                .iter()
                .rev()
                .filter(|o| pred(o))
                .map(|o| o.0)
                .collect()
        };
        for (q, want) in [
            (format!("customer_id={}", w.hz), of(&|o| o.1 == w.hz)),
            ("customer=bj-1".to_string(), vec![]),
            ("customer=BJ-1".to_string(), of(&|o| o.1 == w.bj)),
            (format!("rep_id={}", w.rep), of(&|o| o.1 == w.hz)),
            (format!("region_id={}", w.region_hz), of(&|o| o.1 == w.hz)),
            ("channel=email".to_string(), of(&|o| o.2 == "email")),
            (
                "amount_min=300&amount_max=600".to_string(),
                of(&|o| (300..=600).contains(&o.3)),
            ),
            (
                "channel=phone&amount_min=450".to_string(),
                of(&|o| o.2 == "phone" && o.3 >= 450),
            ),
            ("status=submitted".to_string(), all.clone()),
            ("status=approved".to_string(), vec![]),
            ("from=2000-01-01&to=2199-12-31".to_string(), all.clone()),
            ("to=2001-01-01".to_string(), vec![]),
            // Received now: the review is open and not yet near its end.
            ("deadline=pending".to_string(), all.clone()),
            ("deadline=overdue".to_string(), vec![]),
        ] {
            let r = t.get(&list(&q), &w.admin).await;
            if q == "customer=bj-1" {
                // Codes are exact: an unknown one is named, not ignored.
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b} {q}");
                assert_eq!(r.json()["errors"][0]["field"], "customer", "{b}");
                continue;
            }
            assert_eq!(r.status, StatusCode::OK, "{b} {q}: {}", r.text());
            assert_eq!(ids(&r.json()), want, "{b} {q}");
            assert_eq!(r.json()["total"], want.len(), "{b} {q}");
        }

        // Sort by amount, largest first, three a page: the pages join up
        // to the whole list, each page's count the whole count.
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = t
                .get(&list(&format!("sort=-amount&limit=3{cursor}")), &w.admin)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
            assert_eq!(r.json()["total"], 8, "{b}");
            seen.extend(ids(&r.json()));
            match r.json()["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        let mut by_amount = w.orders.clone();
        by_amount.sort_by_key(|o| std::cmp::Reverse(o.3));
        assert_eq!(
            seen,
            by_amount.iter().map(|o| o.0).collect::<Vec<_>>(),
            "{b}"
        );
        // Ascending, and the oldest first.
        let r = t.get(&list("sort=amount&limit=2"), &w.admin).await;
        assert_eq!(ids(&r.json()), [w.orders[0].0, w.orders[1].0], "{b}");
        let r = t.get(&list("sort=oldest&limit=2"), &w.admin).await;
        assert_eq!(ids(&r.json()), [w.orders[0].0, w.orders[1].0], "{b}");
        // Without count=true, no count is read.
        let r = t.get("/api/v1/orders?limit=1", &w.admin).await;
        assert!(r.json().get("total").is_none(), "{b}: {}", r.text());

        // Bad input: every bad value named, nothing listed.
        for (q, field) in [
            ("status=lost", "status"),
            ("channel=pigeon", "channel"),
            ("from=2026-02-30", "from"),
            ("from=1999-12-31", "from"),
            ("from=2026-12-02&to=2026-12-01", "to"),
            ("amount_min=abc", "amount_min"),
            ("amount_min=-1", "amount_min"),
            ("amount_min=9&amount_max=8", "amount_max"),
            ("amount_max=99999999999999999", "amount_max"),
            ("deadline=late", "deadline"),
            ("rep_id=0", "rep_id"),
            ("sort=colour", "sort"),
            ("colour=red", "colour"),
            ("limit=0", "limit"),
            ("sort=amount&cursor=42", "cursor"),
            ("cursor=abc", "cursor"),
        ] {
            let r = t.get(&list(q), &w.admin).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{b} {q}: {}",
                r.text()
            );
            assert_eq!(
                r.json()["errors"][0]["field"],
                field,
                "{b} {q}: {}",
                r.text()
            );
        }
        let long = "x".repeat(65);
        let r = t.get(&list(&format!("customer={long}")), &w.admin).await;
        assert_eq!(r.json()["errors"][0]["code"], "too_long", "{b}");

        // A portal user's filter never reaches another customer.
        let portal = t
            .customer_user_token("hz", &[Role::Customer], Some(w.hz))
            .await;
        let r = t
            .get(&list(&format!("customer_id={}", w.bj)), &portal)
            .await;
        assert_eq!(r.json()["total"], 0, "{b}: {}", r.text());
        let r = t.get(&list(""), &portal).await;
        assert_eq!(r.json()["total"], 4, "{b}");
    })
    .await;
}

#[tokio::test]
async fn int_21_ord_4_bulk_review_approve_and_cancel_report_each_order() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let (o1, o2, o3, o4) = (w.orders[0].0, w.orders[1].0, w.orders[2].0, w.orders[3].0);
        // o3 is cancelled first: it cannot be approved.
        let r = t
            .post_json(
                &format!("/api/v1/orders/{o3}/cancel"),
                &w.admin,
                json!({"reason": "客户撤单"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());

        let r = t
            .post_json(
                "/api/v1/orders/bulk",
                &w.admin,
                json!({"action": "approve", "ids": [o1, o2, o3]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let a = r.json();
        assert_eq!(
            (a["done"].clone(), a["failed"].clone()),
            (json!(2), json!(1)),
            "{b}: {a}"
        );
        let res = a["results"].as_array().unwrap();
        assert_eq!(res[0]["id"], o1);
        assert_eq!(res[0]["status"], "approved", "{b}: {a}");
        assert_eq!(res[2]["done"], false);
        assert_eq!(
            res[2]["problem"]["errors"][0]["code"], "illegal_transition",
            "{b}: {a}"
        );
        for id in [o1, o2] {
            let o = t
                .get(&format!("/api/v1/orders/{id}"), &w.admin)
                .await
                .json();
            assert_eq!(o["status"], "approved", "{b}");
            assert!(
                o["number"].is_string(),
                "{b}: approved orders get their number"
            );
        }

        // Review alone: the sales review of each.
        let r = t
            .post_json(
                "/api/v1/orders/bulk",
                &w.admin,
                json!({"action": "review", "ids": [o4]}),
            )
            .await;
        assert_eq!(
            r.json()["results"][0]["status"],
            "finance_review",
            "{b}: {}",
            r.text()
        );

        // A clerk who may review but not pass finance: approve stops at
        // finance review, and says the order is not approved.
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let o5 = w.orders[4].0;
        let r = t
            .post_json(
                "/api/v1/orders/bulk",
                &clerk,
                json!({"action": "approve", "ids": [o5]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let res = &r.json()["results"][0];
        assert_eq!(res["done"], false, "{b}: {res}");

        // Bad requests change nothing.
        let o6 = w.orders[5].0;
        let before = t
            .get(&format!("/api/v1/orders/{o6}"), &w.admin)
            .await
            .json()["status"]
            .clone();
        for (body, field) in [
            (json!({"action": "cancel", "ids": [o6]}), "reason"),
            (
                json!({"action": "cancel", "ids": [o6], "reason": "x".repeat(501)}),
                "reason",
            ),
            (json!({"action": "approve", "ids": []}), "ids"),
            (
                json!({"action": "approve", "ids": (1..=501).collect::<Vec<i64>>()}),
                "ids",
            ),
            (json!({"action": "ship", "ids": [o6]}), "action"),
        ] {
            let r = t.post_json("/api/v1/orders/bulk", &w.admin, body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{b}: {}",
                r.text()
            );
            assert_eq!(r.json()["errors"][0]["field"], field, "{b}: {}", r.text());
        }
        let after = t
            .get(&format!("/api/v1/orders/{o6}"), &w.admin)
            .await
            .json()["status"]
            .clone();
        assert_eq!(before, after, "{b}");

        // Cancel with one reason; an unknown order is reported, not fatal.
        let r = t
            .post_json(
                "/api/v1/orders/bulk",
                &w.admin,
                json!({"action": "cancel", "ids": [o6, 999_999], "reason": "重复下单"}),
            )
            .await;
        let a = r.json();
        assert_eq!(a["results"][0]["status"], "cancelled", "{b}: {a}");
        assert_eq!(a["results"][1]["problem"]["status"], 404, "{b}: {a}");
        // A portal user cannot act on staff's behalf.
        let portal = t
            .customer_user_token("hz", &[Role::Customer], Some(w.hz))
            .await;
        let r = t
            .post_json(
                "/api/v1/orders/bulk",
                &portal,
                json!({"action": "approve", "ids": [w.orders[6].0]}),
            )
            .await;
        assert_eq!(
            r.json()["results"][0]["problem"]["status"],
            403,
            "{b}: {}",
            r.text()
        );
    })
    .await;
}

#[tokio::test]
async fn int_21_saved_filters_belong_to_their_user() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let r = t
            .post_json(
                "/api/v1/saved-filters",
                &clerk,
                json!({"name": "华东电话单", "params": {"channel": "phone", "region_id": w.region_hz.to_string(), "cursor": "9"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        // Only the filter's own parameters are kept.
        assert_eq!(
            r.json()["params"],
            json!([["region_id", w.region_hz.to_string()], ["channel", "phone"]]),
            "{b}"
        );
        // Saving the same name replaces it.
        let r = t
            .post_json("/api/v1/saved-filters", &clerk, json!({"name": "华东电话单", "params": {"channel": "email"}}))
            .await;
        assert_eq!(r.json()["id"], id, "{b}");
        let mine = t.get("/api/v1/saved-filters", &clerk).await.json();
        assert_eq!(mine.as_array().unwrap().len(), 1, "{b}: {mine}");
        assert_eq!(mine[0]["params"], json!([["channel", "email"]]), "{b}");
        // Another user sees none of them and cannot delete them.
        assert_eq!(t.get("/api/v1/saved-filters", &w.admin).await.json(), json!([]));
        let r = t
            .json(axum::http::Method::DELETE, &format!("/api/v1/saved-filters/{id}"), &w.admin, json!({}), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        // A bad filter or name is refused, naming what is wrong.
        for (body, field) in [
            (json!({"name": "x", "params": {"amount_min": "lots"}}), "amount_min"),
            (json!({"name": "", "params": {}}), "name"),
            (json!({"name": "x".repeat(61), "params": {}}), "name"),
            (json!({"list": "ships", "name": "x", "params": {}}), "list"),
        ] {
            let r = t.post_json("/api/v1/saved-filters", &clerk, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {}", r.text());
            assert_eq!(r.json()["errors"][0]["field"], field, "{b}: {}", r.text());
        }
        // At most 50 a list.
        for n in 0..49 {
            let r = t
                .post_json("/api/v1/saved-filters", &clerk, json!({"name": format!("f{n}"), "params": {}}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.text());
        }
        let r = t
            .post_json("/api/v1/saved-filters", &clerk, json!({"name": "one too many", "params": {}}))
            .await;
        assert_eq!(r.json()["errors"][0]["code"], "too_many", "{b}: {}", r.text());
        let r = t
            .json(axum::http::Method::DELETE, &format!("/api/v1/saved-filters/{id}"), &clerk, json!({}), &[])
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{b}: {}", r.text());
        assert_eq!(t.get("/api/v1/saved-filters", &clerk).await.json().as_array().unwrap().len(), 49);
    })
    .await;
}

#[tokio::test]
async fn int_21_the_order_list_page_filters_exports_saves_and_acts_in_bulk() {
    on_each_backend(|t| async move {
        let b = t.backend;
        let w = world(&t).await;
        let cookie = t.login("boss").await;
        // Filtered by channel, sorted by amount: the count and the rows.
        let r = t.page("/orders?channel=phone&sort=-amount", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let html = r.text();
        assert_has(
            &html,
            &[
                "id=\"order-count\"",
                "<strong>4</strong>",
                "HZ-1 客户",
                "id=\"bulk-approve\"",
                "id=\"export\"",
            ],
        );
        assert!(
            !html.contains("BJ-1 客户"),
            "{b}: the email orders are filtered out"
        );
        // The export holds exactly the filtered orders.
        let r = t.page("/orders?channel=phone&format=xlsx", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
        let table = kaidan_io::read_table("orders.xlsx", &r.body).unwrap();
        assert_eq!(table.rows.len(), 4, "{b}");
        assert!(
            table
                .rows
                .iter()
                .all(|row| row.cells[1].starts_with("HZ-1")),
            "{b}"
        );
        // A bad filter is named on the page, nothing listed.
        let r = t.page("/orders?amount_min=abc", &cookie).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_has(&r.text(), &["amount_min", "role=\"alert\""]);

        // Save the filter, find it listed, use it.
        let token = csrf(&html);
        let r = t
            .submit(
                "/orders/filters",
                &cookie,
                &token,
                &[("name", "电话单"), ("query", "channel=phone&sort=-amount")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text());
        let html = t.page("/orders", &cookie).await.text();
        assert_has(
            &html,
            &[
                "class=\"saved-filter\"",
                "电话单",
                "/orders?channel=phone&#38;sort=-amount",
            ],
        );

        // Bulk approve two orders from the page: each row's result.
        let (o1, o3) = (w.orders[0].0, w.orders[2].0);
        let r = t
            .submit(
                "/orders/bulk",
                &cookie,
                &token,
                &[
                    ("action", "approve"),
                    (&format!("o{o1}"), "1"),
                    (&format!("o{o3}"), "1"),
                    ("back", "channel=phone"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        let html = r.text();
        assert_has(
            &html,
            &[
                "id=\"bulk-done\">2<",
                "id=\"bulk-failed\">0<",
                "/orders?channel=phone",
            ],
        );
        // Cancel without a reason: refused, nothing changed.
        let o5 = w.orders[4].0;
        let r = t
            .submit(
                "/orders/bulk",
                &cookie,
                &token,
                &[("action", "cancel"), (&format!("o{o5}"), "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_has(&r.text(), &["id=\"bulk-error\"", "reason"]);
        let o = t
            .get(&format!("/api/v1/orders/{o5}"), &w.admin)
            .await
            .json();
        assert_eq!(o["status"], "submitted", "{b}");
        // Print: the chosen orders go to one PDF.
        let r = t
            .submit(
                "/orders/bulk",
                &cookie,
                &token,
                &[
                    ("action", "print"),
                    (&format!("o{o1}"), "1"),
                    (&format!("o{o3}"), "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        let to = r.header("location");
        assert_eq!(to, format!("/orders/print?ids={o3}%2C{o1}"), "{b}");
        let r = t.page(&to, &cookie).await;
        if r.status == StatusCode::OK {
            assert!(r.body.starts_with(b"%PDF"), "{b}");
        } else {
            // No CJK font on this machine: said so, not a 500.
            assert_eq!(
                r.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{b}: {}",
                r.text()
            );
        }
        // An order that cannot be printed is named; the rest offered.
        let r = t
            .page(&format!("/orders/print?ids={o1},999999"), &cookie)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text());
        assert_has(
            &r.text(),
            &["id=\"print-rest\"", &format!("/orders/print?ids={o1}")],
        );
        let r = t.page("/orders/print?ids=abc", &cookie).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    })
    .await;
}
