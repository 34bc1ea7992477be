//! The customer portal over HTTP (INT-2, SEC-1, SEC-4, ORD-5; issue 18),
//! on both databases: a franchisee orders from its price list on the
//! portal and sees availability as a level, finance approves, the relay's
//! routing puts the confirmation in its inbox, it registers a payment
//! with a voucher; then the isolation matrix: every portal page and API
//! path against two customers' users, staff, and the figures a customer
//! must never see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::json;

/// The stock on hand: a figure no customer may read anywhere.
const STOCK: &str = "4321";
/// Each customer's price on its own list; the other's must never show.
const PRICE_A: &str = "81.17";
const PRICE_B: &str = "92.41";
/// A 1×1 PNG: the payment voucher.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

struct Side {
    customer: i64,
    token: String,
    cookie: String,
}

async fn portal_user(t: &T, name: &str, customer: i64, admin: bool) -> Side {
    let mut roles = vec![Role::Customer];
    if admin {
        roles.push(Role::CustomerAdmin);
    }
    let token = t.customer_user_token(name, &roles, Some(customer)).await;
    Side {
        customer,
        token,
        cookie: t.login(name).await,
    }
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes(),
        );
    }
    if let Some((name, ty, bytes)) = file {
        b.extend(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"voucher\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n")
                .bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend(b"\r\n");
    }
    b.extend(b"--XyZ--\r\n");
    b
}

#[tokio::test]
async fn int_2_sec_1_sec_4_ord_5_portal_orders_pays_reads_its_inbox_and_sees_no_one_else() {
    on_each_backend(|t| async move {
        t.assert_described(&[
            ("/api/v1/portal/catalogue", "get"),
            ("/api/v1/portal/locks", "get"),
            ("/api/v1/portal/notices", "get"),
            ("/api/v1/portal/notices/read", "post"),
            ("/api/v1/portal/users", "get"),
            ("/api/v1/portal/users", "post"),
        ])
        .await;
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let r = t
            .post_json("/api/v1/products", &admin, json!({"sku": "PT-1", "name": "门户款", "spec": "M",
                "unit": "件", "season": "spring_summer", "launch_priority": 1, "list_price": "100.00", "tax_rate": "0.13"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let product = r.json()["id"].as_i64().unwrap();
        let mut customers = Vec::new();
        for (code, price) in [("FR-A", PRICE_A), ("FR-B", PRICE_B)] {
            let r = t
                .post_json("/api/v1/price-lists", &admin, json!({"code": format!("PL-{code}"), "name": code,
                    "items": [{"product_id": product, "price": price}]}))
                .await;
            let list = r.json()["id"].as_i64().unwrap();
            let r = t.post_json("/api/v1/customers", &admin, json!({"code": code, "name": format!("加盟商{code}"),
                "kind": "franchisee", "payment_terms": "monthly_settlement", "payment_method": "bank_transfer",
                "credit_limit": "50000.00", "address": "深圳", "price_list_id": list})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            customers.push(r.json()["id"].as_i64().unwrap());
        }
        t.post_json("/api/v1/warehouses", &admin, json!({"code": "WH", "name": "总仓", "is_central": true}))
            .await;
        let r = t
            .upload("/api/v1/import/stock?file=s.csv", &admin, format!("sku,warehouse_code,quantity\nPT-1,WH,{STOCK}\n"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let a = portal_user(&t, "fr_a", customers[0], true).await;
        let b = portal_user(&t, "fr_b", customers[1], false).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let clerk_cookie = t.login("clerk").await;

        // Availability is a level for the quantity wanted, the price A's own.
        let cat = t.get(&format!("/api/v1/portal/catalogue?want={product}:5"), &a.token).await;
        assert_eq!(cat.status, StatusCode::OK, "{}", cat.text());
        assert_eq!(cat.json()["items"][0]["availability"], "in_stock");
        assert_eq!(cat.json()["items"][0]["price"], PRICE_A);
        let many = t.get(&format!("/api/v1/portal/catalogue?want={product}:9999"), &a.token).await;
        assert_eq!(many.json()["items"][0]["availability"], "partly");
        let bad = t.get("/api/v1/portal/catalogue?want=x:1", &a.token).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());

        // A orders on its portal page; a bad quantity is named, nothing made.
        let page = t.page("/portal/order", &a.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(&page.text(), &[PRICE_A, "有货"]);
        let token = csrf(&page.text());
        let qty = format!("qty_{product}");
        let refused = t.submit("/portal/order", &a.cookie, &token, &[(&qty, "-2"), ("action", "place")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
        assert_has(&refused.text(), &[&qty]);
        assert_eq!(t.get("/api/v1/orders", &a.token).await.json()["items"], json!([]));
        // A search that shows another part of the catalogue keeps what was
        // entered, in the form.
        let searched = t.submit("/portal/order", &a.cookie, &token, &[(&qty, "3"), ("q", "无此产品"), ("action", "check")]).await;
        assert_eq!(searched.status, StatusCode::OK, "{}", searched.text());
        assert_has(&searched.text(), &[&format!("name=\"{qty}\" value=\"3\""), "id=\"kept\""]);
        let placed = t
            .submit("/portal/order", &a.cookie, &token, &[(&qty, "3"), ("q", "无此产品"), ("customer_reference", "A-PO-7"), ("action", "place")])
            .await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.text());
        let to = placed.header("location");
        assert!(to.starts_with("/portal/orders/"), "{to}");
        let a_order: i64 = to["/portal/orders/".len()..].split('?').next().unwrap().parse().unwrap();
        // The same review as any order: finance passes it, it is numbered.
        t.post_json(&format!("/api/v1/orders/{a_order}/review"), &admin, json!({})).await;
        let r = t
            .post_json(&format!("/api/v1/orders/{a_order}/finance-review"), &admin, json!({"decision": "pass"}))
            .await;
        assert_eq!(r.json()["status"], "approved", "{}", r.text());
        let a_number = r.json()["number"].as_str().unwrap().to_string();
        let r = t
            .post_json("/api/v1/orders", &b.token, json!({"customer_id": b.customer, "channel": "web",
                "order_date": "2026-11-23", "lines": [{"product_id": product, "quantity": 1}]}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let b_order = r.json()["id"].as_i64().unwrap();
        // B may not order for A.
        let r = t
            .post_json("/api/v1/orders", &b.token, json!({"customer_id": a.customer, "channel": "web",
                "order_date": "2026-11-23", "lines": [{"product_id": product, "quantity": 1}]}))
            .await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.text());

        // The relay's routing writes A's confirmation into A's inbox only.
        assert!(t.app.relay_route().await.unwrap() > 0);
        let inbox = t.get("/api/v1/portal/notices", &a.token).await;
        assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text());
        let notices = inbox.json()["items"].as_array().unwrap().clone();
        let confirmation = notices.iter().find(|n| n["topic"] == "order.confirmation").expect("a confirmation");
        assert_eq!(confirmation["heading"], "订单确认");
        assert!(confirmation["detail"].as_str().unwrap().contains(&a_number), "{confirmation}");
        assert_eq!(inbox.json()["unread"], json!(notices.len()));
        for bad in ["unread=1", "lang=fr", "cursor=x"] {
            let r = t.get(&format!("/api/v1/portal/notices?{bad}"), &a.token).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.text());
        }
        let b_inbox = t.get("/api/v1/portal/notices?lang=en", &b.token).await;
        assert!(!b_inbox.text().contains(&a_number), "{}", b_inbox.text());
        let a_notice = confirmation["id"].as_i64().unwrap();
        let r = t.post_json("/api/v1/portal/notices/read", &b.token, json!({"ids": [a_notice]})).await;
        assert_eq!(r.json()["marked"], 0, "{}", r.text());
        let page = t.page("/portal/inbox", &a.cookie).await;
        assert_has(&page.text(), &["订单确认", &a_number]);
        let bad = t.submit("/portal/inbox/read", &a.cookie, &csrf(&page.text()), &[("id", "x")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        let still = t.get("/api/v1/portal/notices?unread=true", &a.token).await;
        assert_eq!(still.json()["unread"], json!(notices.len()), "a bad id marks nothing");
        let r = t.submit("/portal/inbox/read", &a.cookie, &csrf(&page.text()), &[("id", &a_notice.to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let after = t.get("/api/v1/portal/notices?unread=true", &a.token).await;
        assert_eq!(after.json()["unread"], json!(notices.len() - 1), "{}", after.text());

        // A registers a payment with its voucher, for itself whatever it says.
        let page = t.page("/portal/account", &a.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(&page.text(), &["50000.00"]);
        let body = multipart(
            &[("_csrf", &csrf(&page.text())), ("customer_id", &b.customer.to_string()), ("amount", "500.00"),
              ("received_on", "2026-11-23"), ("method", "bank_transfer"), ("payer", "加盟商A")],
            Some(("slip.png", "image/png", PNG)),
        );
        let paid = t
            .call(Method::POST, "/portal/payments", &[("cookie", &a.cookie), ("content-type", "multipart/form-data; boundary=XyZ")], Some(body))
            .await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.text());
        let receipts = t.get("/api/v1/receipts", &a.token).await.json();
        assert_eq!(receipts.as_array().unwrap().len(), 1, "{receipts}");
        assert_eq!(receipts[0]["customer_id"], a.customer);
        assert_eq!(receipts[0]["status"], "registered");
        assert_eq!(receipts[0]["voucher"]["content_type"], "image/png");
        let a_receipt = receipts[0]["id"].as_i64().unwrap();
        let bad = multipart(&[("_csrf", &csrf(&page.text())), ("amount", "lots")], None);
        let r = t
            .call(Method::POST, "/portal/payments", &[("cookie", &a.cookie), ("content-type", "multipart/form-data; boundary=XyZ")], Some(bad))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["amount"]);

        // Last month's statement: a dispute needs a note; then confirmed.
        let form = csrf(&t.page("/portal/account", &a.cookie).await.text());
        let answer = |status: &str, note: &str| {
            multipart(&[("_csrf", &form), ("statement", status), ("note", note)], None)
        };
        let mp = [("cookie", a.cookie.as_str()), ("content-type", "multipart/form-data; boundary=XyZ")];
        let r = t.call(Method::POST, "/portal/payments", &mp, Some(answer("disputed", ""))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["note"]);
        let r = t.call(Method::POST, "/portal/payments", &mp, Some(answer("disputed", "少了一笔 11 月的付款"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = t.page("/portal/account", &a.cookie).await;
        assert_has(&page.text(), &["statement-answer", "有异议", "少了一笔 11 月的付款"]);

        // The matrix. A's own: answered, with its price, never B's or the stock.
        let pages = ["/portal", "/portal/order", "/portal/orders", "/portal/account", "/portal/inbox", "/portal/users"];
        let own_pages = [format!("/portal/orders/{a_order}")];
        let apis = ["/api/v1/portal/catalogue", "/api/v1/portal/locks", "/api/v1/portal/notices",
            "/api/v1/portal/users", "/api/v1/orders", "/api/v1/receipts", "/api/v1/invoices"];
        let own_apis = [format!("/api/v1/orders/{a_order}"), format!("/api/v1/receipts/{a_receipt}"),
            format!("/api/v1/customers/{}", a.customer), format!("/api/v1/customers/{}/account", a.customer)];
        for p in pages.iter().map(|p| p.to_string()).chain(own_pages.iter().cloned()) {
            let r = t.page(&p, &a.cookie).await;
            assert_eq!(r.status, StatusCode::OK, "{} A {p}: {}", t.backend, r.text());
            assert!(!r.text().contains(PRICE_B) && !r.text().contains(STOCK), "{} A {p} leaks", t.backend);
            assert!(!r.text().contains("加盟商FR-B"), "{} A {p} names B", t.backend);
        }
        for p in apis.iter().map(|p| p.to_string()).chain(own_apis.iter().cloned()) {
            let r = t.get(&p, &a.token).await;
            assert_eq!(r.status, StatusCode::OK, "{} A {p}: {}", t.backend, r.text());
            assert!(!r.text().contains(PRICE_B) && !r.text().contains(STOCK), "{} A {p} leaks: {}", t.backend, r.text());
        }
        // The staff pages and lists a portal user may still open: never the
        // stock, never B's price; the rest refused.
        let staff = ["/m/products", &format!("/m/products/{product}"), "/orders", "/orders/new",
            &format!("/orders/{a_order}"), "/stock", "/shipping", "/allocation", "/finance"];
        for p in staff {
            let r = t.page(p, &a.cookie).await;
            assert!(matches!(r.status, StatusCode::OK | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::SEE_OTHER),
                "{} A {p}: {}", t.backend, r.status);
            assert!(!r.text().contains(PRICE_B) && !r.text().contains(STOCK), "{} A {p} leaks", t.backend);
        }
        for p in ["/api/v1/stock", "/api/v1/products", &format!("/api/v1/products/{product}"), "/api/v1/price-lists"] {
            let r = t.get(p, &a.token).await;
            assert!(!r.text().contains(PRICE_B) && !r.text().contains(STOCK), "{} A {p} leaks: {}", t.backend, r.text());
        }
        // B: A's records are not there, its lists hold none of A's.
        for p in own_pages.iter().chain(own_apis.iter()) {
            let cookie_or_token = if p.starts_with("/api") { t.get(p, &b.token).await } else { t.page(p, &b.cookie).await };
            assert!(
                matches!(cookie_or_token.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{} B reached {p}: {} {}", t.backend, cookie_or_token.status, cookie_or_token.text()
            );
        }
        for p in pages.iter().filter(|p| **p != "/portal/users") {
            let r = t.page(p, &b.cookie).await;
            assert_eq!(r.status, StatusCode::OK, "{} B {p}", t.backend);
            let text = r.text();
            assert!(!text.contains(&a_number) && !text.contains(PRICE_A) && !text.contains(STOCK)
                && !text.contains("A-PO-7") && !text.contains("加盟商FR-A"), "{} B {p} shows A's: {text}", t.backend);
        }
        for p in apis.iter().filter(|p| **p != "/api/v1/portal/users") {
            let r = t.get(p, &b.token).await;
            assert_eq!(r.status, StatusCode::OK, "{} B {p}: {}", t.backend, r.text());
            let text = r.text();
            assert!(!text.contains(&a_number) && !text.contains(PRICE_A) && !text.contains(STOCK),
                "{} B {p} shows A's: {text}", t.backend);
        }
        assert_eq!(t.get(&format!("/api/v1/orders/{b_order}"), &b.token).await.status, StatusCode::OK);
        // B is no administrator; A's administrator manages A's users only.
        assert_eq!(t.page("/portal/users", &b.cookie).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/portal/users", &b.token).await.status, StatusCode::FORBIDDEN);
        let made = t
            .post_json("/api/v1/portal/users", &a.token, json!({"username": "fr_a_buyer", "password": "a long password"}))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        assert_eq!(made.json()["customer_id"], a.customer);
        assert_eq!(made.json()["roles"], json!(["customer"]));
        let b_user = t.get("/api/v1/users", &admin).await.json().as_array().unwrap().iter()
            .find(|u| u["username"] == "fr_b").unwrap()["id"].as_i64().unwrap();
        let page = t.page("/portal/users", &a.cookie).await;
        assert!(!page.text().contains("fr_b"), "{}", page.text());
        let r = t
            .submit(&format!("/portal/users/{b_user}/password"), &a.cookie, &csrf(&page.text()), &[("password", "taken over!!")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        let r = t.post_json("/api/v1/portal/users", &a.token, json!({"username": "x", "password": "a long password", "roles": ["admin"]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());

        // Staff have no portal: the API says 403, the pages send them home.
        for p in apis.iter().take(4) {
            assert_eq!(t.get(p, &clerk).await.status, StatusCode::FORBIDDEN, "clerk {p}");
        }
        let r = t.page("/portal", &clerk_cookie).await;
        assert_eq!((r.status, r.header("location").as_str()), (StatusCode::SEE_OTHER, "/"));
        // A portal user's home is its portal.
        let r = t.page("/", &a.cookie).await;
        assert_eq!((r.status, r.header("location").as_str()), (StatusCode::SEE_OTHER, "/portal"));
    })
    .await;
}
