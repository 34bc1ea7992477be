//! Order pages (INT-2, ORD-1..8) in process: the real router over a real
//! database (SQLite always, PostgreSQL when KAIDAN_TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::StatusCode;
use kaidan_app::Ctx;
use kaidan_app::ports::OrderQuery;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{Res, T, assert_has, csrf, enc, form, on_each_backend};

impl T {
    async fn api(&self, path: &str, token: &str, body: Value) -> Value {
        let r = self.post_json(path, token, body).await;
        assert!(r.status.is_success(), "{path}: {}", r.text());
        r.json()
    }
}

/// A product, a customer and a clerk who is logged in.
struct Fixture {
    product: String,
    customer: String,
    clerk: String,
    csrf: String,
}

async fn fixture(t: &T) -> Fixture {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let p = t
        .api(
            "/api/v1/products",
            &admin,
            json!({"sku": "OP-1", "name": "衬衫", "spec": "M/白", "unit": "件",
                   "season": "spring_summer", "launch_priority": 1,
                   "list_price": "99.50", "tax_rate": "0.13"}),
        )
        .await;
    let c = t
        .api(
            "/api/v1/customers",
            &admin,
            json!({"code": "FR-9", "name": "华南加盟商", "kind": "franchisee",
                   "payment_terms": "prepayment", "payment_method": "bank_transfer",
                   "address": "深圳"}),
        )
        .await;
    t.user_token("clerk", &[Role::OrderClerk]).await;
    let clerk = t.login("clerk").await;
    let html = t.page("/orders/new", &clerk).await.text();
    Fixture {
        product: p["id"].to_string(),
        customer: c["id"].to_string(),
        csrf: csrf(&html),
        clerk,
    }
}

fn order_form(f: &Fixture, quantity: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("_csrf", f.csrf.as_str()),
        ("customer_id", f.customer.as_str()),
        ("channel", "phone"),
        ("order_date", "2026-11-23"),
        ("customer_reference", ""),
        ("lines[0].product_id", f.product.as_str()),
        ("lines[0].quantity", quantity),
        ("lines[0].unit_price", ""),
        ("lines[1].product_id", ""),
        ("lines[1].quantity", ""),
    ];
    pairs.extend_from_slice(extra);
    form(&pairs)
}

/// The clerk posts the entry form (see [`order_form`]).
async fn new_order(t: &T, f: &Fixture, quantity: &str, extra: &[(&str, &str)]) -> Res {
    t.post("/orders/new", &f.clerk, order_form(f, quantity, extra))
        .await
}

async fn order_count(t: &T) -> usize {
    t.app
        .orders(&Ctx::system(), OrderQuery::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn int_2_ord_2_entry_page_renders_in_chinese() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = t.page("/orders/new", &f.clerk).await;
        assert_eq!(r.status, StatusCode::OK, "{}", t.backend);
        let html = r.text();
        assert_has(
            &html,
            &[
                "新建订单",
                "电话",
                "电商平台",
                "销售代表",
                "id=\"product-suggest\"",
                "华南加盟商",
                "lines[0].quantity",
                "/static/order-entry.js",
            ],
        );
        assert!(!html.contains("确认不是重复订单"), "no duplicate box yet");
        assert!(!html.contains("<script src=\"http"), "no external scripts");
        let js = t.page("/static/order-entry.js", &f.clerk).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.header("content-type").starts_with("text/javascript"));
        assert!(js.text().contains("add-line"));
        let list = t.page("/orders", &f.clerk).await.text();
        assert_has(&list, &["订单", "到期提醒"]);
    })
    .await;
}

#[tokio::test]
async fn ord_3_bad_form_shows_field_errors_and_writes_nothing() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "0", &[("customer_reference", "PO-XYZ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.backend);
        let html = r.text();
        let row = html
            .split("id=\"f-lines-0-quantity\"")
            .nth(1)
            .unwrap()
            .split("</td>")
            .next()
            .unwrap();
        assert!(
            row.contains("field-error"),
            "error next to the quantity: {html}"
        );
        assert!(html.contains("value=\"PO-XYZ\""), "what was typed is kept");
        // Not a number, and no channel: the page's own checks.
        let r = new_order(&t, &f, "three", &[("channel", "pigeon")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("value=\"three\""));
        assert!(
            html.split("id=\"f-channel\"")
                .nth(1)
                .unwrap()
                .split("</label>")
                .next()
                .unwrap()
                .contains("field-error")
        );
        assert_eq!(order_count(&t).await, 0, "{}: nothing written", t.backend);
        let forged = order_form(&f, "3", &[]).replace(&f.csrf, "wrong");
        let r = t.post("/orders/new", &f.clerk, forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn ord_1_good_form_creates_an_order_and_redirects() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[("priority", "true")]).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            t.backend,
            r.text()
        );
        let location = r.header("location");
        assert!(location.starts_with("/orders/"), "{location}");
        assert_eq!(order_count(&t).await, 1);
        let html = t.page(&location, &f.clerk).await.text();
        assert_has(
            &html,
            &[
                "已接收",
                "电话",
                "OP-1",
                "298.50",
                "待编号",
                "★",
                "接收订单",
            ],
        );
        let list = t.page("/orders", &f.clerk).await.text();
        assert!(list.contains(&format!("href=\"{location}\"")), "{list}");
        assert_has(&list, &["华南加盟商", "★"]);
        let filtered = t.page("/orders?status=approved", &f.clerk).await.text();
        assert!(!filtered.contains(&format!("href=\"{location}\"")));
    })
    .await;
}

#[tokio::test]
async fn ord_3_duplicate_warning_then_confirming_creates_it() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = new_order(&t, &f, "3", &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", t.backend);
        let html = r.text();
        assert_has(&html, &["id=\"duplicate-warning\"", "确认不是重复订单"]);
        assert_eq!(order_count(&t).await, 1, "asked before creating");
        let r = new_order(&t, &f, "3", &[("confirm_duplicate", "true")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(order_count(&t).await, 2);
    })
    .await;
}

#[tokio::test]
async fn ord_4_5_7_review_and_finance_buttons_approve_with_a_number() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[]).await;
        let location = r.header("location");
        let html = t.page(&location, &f.clerk).await.text();
        assert!(html.contains("id=\"act-review\""), "{html}");
        assert!(!html.contains("act-finance-pass"), "clerk is not finance");
        let r = t
            .submit(&format!("{location}/review"), &f.clerk, &f.csrf, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&location, &f.clerk).await.text();
        assert!(html.contains("财务审核"), "{html}");
        t.user_token("fin", &[Role::Finance]).await;
        let fin = t.login("fin").await;
        let html = t.page(&location, &fin).await.text();
        assert!(html.contains("id=\"act-finance-pass\""), "{html}");
        let fcsrf = csrf(&html);
        let r = t
            .submit(
                &format!("{location}/finance"),
                &fin,
                &fcsrf,
                &[("decision", "pass")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&location, &fin).await.text();
        assert!(html.contains("已批准"), "{}: {html}", t.backend);
        let number = html
            .split("id=\"order-number\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert!(number.starts_with("SO-"), "{number}");
        // ORD-7: the timeline shows each step with who did it.
        let timeline = html.split("id=\"timeline\"").nth(1).unwrap();
        for step in [
            "接收订单",
            "开始审核",
            "审核完成",
            "批准并编号",
            "clerk",
            "fin",
        ] {
            assert!(timeline.contains(step), "{step} missing: {timeline}");
        }
        assert_has(timeline, &["已接收", "→"]);
        // Found by its number from the list's search.
        let r = t
            .page(&format!("/orders?q={}", enc(&number)), &f.clerk)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), location);
        // An illegal step is shown on the page, not a blank one.
        let r = t
            .submit(&format!("{location}/review"), &f.clerk, &f.csrf, &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("id=\"action-error\"") && r.text().contains(&number));
        // Cancel needs a reason and the permission.
        let r = t
            .submit(
                &format!("{location}/cancel"),
                &fin,
                &fcsrf,
                &[("reason", "客户撤单")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.text().contains("id=\"action-error\""));
    })
    .await;
}

#[tokio::test]
async fn ord_6_ord_8_deadlines_page_lists_open_orders() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[]).await;
        let plain = r.header("location");
        let r = new_order(
            &t,
            &f,
            "5",
            &[("priority", "true"), ("customer_reference", "PO-2")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let important = r.header("location");
        let r = t.page("/orders/deadlines", &f.clerk).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("到期提醒"));
        let html = t.page("/orders/deadlines?all=1", &f.clerk).await.text();
        let review = html
            .split("id=\"deadlines-review\"")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap();
        assert!(review.contains("未到期"), "{review}");
        let a = review.find(&format!("href=\"{important}\"")).unwrap();
        let b = review.find(&format!("href=\"{plain}\"")).unwrap();
        assert!(a < b, "{}: important orders first", t.backend);
    })
    .await;
}

#[tokio::test]
async fn int_2_english_switch_on_order_pages() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[]).await;
        let location = r.header("location");
        let r = t.page("/lang/en?next=/orders", &f.clerk).await;
        let lang = r.cookie();
        let both = format!("{}; {lang}", f.clerk);
        let html = t.page("/orders", &both).await.text();
        assert_has(&html, &["Orders", "submitted"]);
        let html = t.page("/orders/new", &both).await.text();
        assert_has(&html, &["New order", "Phone"]);
        let html = t.page(&location, &both).await.text();
        assert_has(&html, &["Timeline", "Received"]);
    })
    .await;
}

#[tokio::test]
async fn ord_4_price_deviation_is_marked_and_approved_on_the_page() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "2", &[("lines[0].unit_price", "80")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.header("location");
        let r = t
            .submit(&format!("{location}/review"), &f.clerk, &f.csrf, &[])
            .await;
        assert!(
            r.status.is_redirection() || r.status.is_client_error(),
            "{}",
            r.text()
        );
        let html = t.page(&location, &f.clerk).await.text();
        assert!(html.contains("class=\"deviates\""), "{html}");
        assert!(
            !html.contains("act-approve-price-1"),
            "a clerk may not approve prices"
        );
        t.user_token("mgr", &[Role::SalesManager]).await;
        let mgr = t.login("mgr").await;
        let html = t.page(&location, &mgr).await.text();
        assert!(
            html.contains("id=\"act-approve-price-1\""),
            "{}: {html}",
            t.backend
        );
        let r = t
            .post(
                &format!("{location}/approve-price"),
                &mgr,
                form(&[("_csrf", &csrf(&html)), ("line_no", "1")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&location, &mgr).await.text();
        assert!(!html.contains("id=\"act-approve-price-1\""), "{html}");
        assert!(html.contains("批准价格"), "the step is on the timeline");
    })
    .await;
}

#[tokio::test]
async fn ord_7_customer_portal_orders_for_itself_only() {
    on_each_backend(|t| async move {
        let f = fixture(&t).await;
        let r = new_order(&t, &f, "3", &[]).await;
        let theirs = r.header("location");
        let admin = t.user_token("boss2", &[Role::Admin]).await;
        let other = t
            .api(
                "/api/v1/customers",
                &admin,
                json!({"code": "FR-10", "name": "华北加盟商", "kind": "franchisee",
                       "payment_terms": "prepayment", "payment_method": "cash",
                       "address": "北京"}),
            )
            .await;
        t.app
            .create_user(
                &Ctx::system(),
                NewUserInput {
                    username: "portal".into(),
                    display_name: String::new(),
                    password: "correct horse".into(),
                    roles: vec![Role::Customer],
                    customer_id: Some(kaidan_domain::CustomerId(other["id"].as_i64().unwrap())),
                },
            )
            .await
            .unwrap();
        let portal = t.login("portal").await;
        let html = t.page("/orders/new", &portal).await.text();
        assert!(
            html.contains("华北加盟商") && !html.contains("华南加盟商"),
            "{html}"
        );
        assert!(
            !html.contains("id=\"f-customer_id\""),
            "the customer is fixed"
        );
        let pcsrf = csrf(&html);
        let body = form(&[
            ("_csrf", &pcsrf),
            ("customer_id", &f.customer),
            ("channel", "web"),
            ("order_date", "2026-11-23"),
            ("lines[0].product_id", &f.product),
            ("lines[0].quantity", "1"),
        ]);
        let r = t.post("/orders/new", &portal, body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mine = r.header("location");
        let html = t.page(&mine, &portal).await.text();
        assert!(
            html.contains("华北加盟商") && !html.contains("act-review"),
            "{html}"
        );
        let list = t.page("/orders", &portal).await.text();
        assert!(list.contains(&format!("href=\"{mine}\"")));
        assert!(
            !list.contains(&format!("href=\"{theirs}\"")),
            "{}",
            t.backend
        );
        let r = t.page(&theirs, &portal).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}
