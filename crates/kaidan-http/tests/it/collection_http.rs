//! Dunning, collection and statements of account over the API and the
//! pages (FIN-4), in process on both databases, on a clock the test moves:
//! goods invoiced 70 days ago fall overdue, finance runs last month's
//! dunning (twice at once: one notice), the rep sees his notice, records
//! collection actions with a broken promise, the customer's statement and
//! its confirmation; refusals name their field and write nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::support;

use axum::http::StatusCode;
use jiff::ToSpan;
use kaidan_app::Ctx;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use kaidan_domain::finance::{DunningThresholds, Period, period_due};
use kaidan_domain::orders::company_time_zone;
use kaidan_store::testing::MovableClock;
use serde_json::{Value, json};
use support::{T, assert_has, csrf};

struct World {
    admin: String,
    finance: String,
    wh: String,
    rep: String,
    other_rep: String,
    customer: i64,
    product: i64,
}

async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let finance = t.user_token("cw", &[Role::Finance]).await;
    let wh = t.user_token("wh", &[Role::Warehouse]).await;
    let other_rep = t.user_token("rep2", &[Role::SalesRep]).await;
    let rep_user = t
        .app
        .create_user(
            &Ctx::system(),
            NewUserInput {
                username: "rep".into(),
                display_name: "李销售".into(),
                password: "correct horse".into(),
                roles: vec![Role::SalesRep],
                customer_id: None,
            },
        )
        .await
        .unwrap();
    let rep = t
        .app
        .add_token(&Ctx::system(), rep_user.id, "t")
        .await
        .unwrap()
        .token;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "100", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nF-1,WH,1000\n",
    )
    .await;
    let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商一号", "kind": "franchisee",
        "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳",
        "sales_rep_id": rep_user.id})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    World {
        admin,
        finance,
        wh,
        rep,
        other_rep,
        customer: c.json()["id"].as_i64().unwrap(),
        product: p["id"].as_i64().unwrap(),
    }
}

/// An order of `qty` approved, picked, shipped and invoiced today (the
/// clock's); the invoice.
async fn invoiced(t: &T, w: &World, qty: i64, today: &str) -> Value {
    let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": today,
                       "lines": [{"product_id": w.product, "quantity": qty}]});
    let id = t.post_json("/api/v1/orders", &w.admin, order).await.json()["id"]
        .as_i64()
        .unwrap();
    t.approve_order(id, &w.admin).await;
    let r = t
        .post_json("/api/v1/pick-lists", &w.wh, json!({"order_ids": [id]}))
        .await;
    let list = &r.json()[0];
    let lid = list["id"].as_i64().unwrap();
    let lines: Vec<Value> = list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"line_no": l["line_no"], "picked": l["quantity"]}))
        .collect();
    t.post_json(
        &format!("/api/v1/pick-lists/{lid}/pick"),
        &w.wh,
        json!({"lines": lines, "packages": 1}),
    )
    .await;
    let r = t
        .post_json(
            &format!("/api/v1/pick-lists/{lid}/ship"),
            &w.wh,
            json!({"carrier": "顺丰", "tracking_no": format!("SF{lid}"), "eta": "2999-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let sid = r.json()["id"].as_i64().unwrap();
    let r = t
        .post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

/// Runs `test` on each backend with the real router over an app on a
/// clock the test moves.
async fn on_each_backend_clocked<F, Fut>(test: F)
where
    F: Fn(T, Arc<MovableClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let test = &test;
    kaidan_store::testing::on_each_backend(|b| async move {
        let clock = Arc::new(MovableClock::default());
        let app = b.app(clock.clone()).await;
        let router = kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default());
        test(
            T {
                router,
                app,
                backend: b.name,
            },
            clock,
        )
        .await;
    })
    .await;
}

fn today(t: &T) -> jiff::civil::Date {
    t.app.now().to_zoned(company_time_zone()).date()
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_4_overdue_customers_get_one_dunning_notice_the_rep_sees_and_acts_on() {
    on_each_backend_clocked(|t, clock| async move {
        let name = t.backend;
        let w = world(&t).await;
        // 70 days ago: shipped and invoiced, due 30 days later.
        let real_today = today(&t);
        clock.set(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(70 * 24));
        let then = today(&t).to_string();
        let inv = invoiced(&t, &w, 2, &then).await;
        clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(today(&t), real_today);
        let p = period_due(real_today);
        let due: jiff::civil::Date = inv["due_date"].as_str().unwrap().parse().unwrap();
        let days = i64::from((p.last_day() - due).get_days());
        let level = DunningThresholds::default().level(days);

        // The running month cannot be run; a bad period is refused by name;
        // a rep may not run dunning.
        let r = t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": Period::of(real_today).to_string()})).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("period")), "{}", r.text());
        let r = t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": "2026-13"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(t.post_json("/api/v1/dunning/run", &w.rep, json!({"period": p.to_string()})).await.status, StatusCode::FORBIDDEN);

        // Finance runs last month twice at once: one notice, one event.
        let (a, b) = tokio::join!(
            t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": p.to_string()})),
            t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": p.to_string()})),
        );
        assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{} {}", a.text(), b.text());
        let raised = a.json()["raised"].as_i64().unwrap() + b.json()["raised"].as_i64().unwrap();
        let notices = t.get(&format!("/api/v1/dunning-notices?period={p}"), &w.finance).await.json();
        match level {
            Some(level) => {
                assert_eq!(raised, 1, "{name}");
                assert_eq!(notices.as_array().unwrap().len(), 1, "{name}: {notices}");
                let n = &notices[0];
                assert_eq!((n["level"].clone(), n["overdue"].clone(), n["oldest_days"].clone()),
                    (json!(level.as_str()), inv["amount"].clone(), json!(days)), "{name}: {n}");
                assert_eq!(n["invoices"][0]["number"], inv["number"]);
                assert_eq!(n["sales_rep"], "李销售");
            }
            // Early in a month the invoice may not be overdue at the end of
            // the last one: no notice.
            None => assert_eq!((raised, notices.as_array().unwrap().len()), (0, 0), "{name}"),
        }
        let mine = t.get("/api/v1/dunning-notices?sales_rep=me", &w.rep).await.json();
        assert_eq!(mine.as_array().unwrap().len(), notices.as_array().unwrap().len(), "{name}: the rep's own");
        let theirs = t.get("/api/v1/dunning-notices", &w.other_rep).await.json();
        assert_eq!(theirs, json!([]), "{name}: another rep sees none");
        let r = t.get("/api/v1/dunning-notices?period=03-2026", &w.finance).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("period")));
        let r = t.get("/api/v1/dunning-notices?colour=red", &w.finance).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The rep records a promise made 10 days ago for 2 days ago, and a
        // call; nothing came, so the promise is broken.
        let c = w.customer;
        let path = format!("/api/v1/customers/{c}/collection-actions");
        let d = |n: i64| real_today.checked_sub(n.days()).unwrap().to_string();
        let r = t.post_json(&path, &w.rep, json!({"kind": "promise", "happened_on": d(10), "outcome": "承诺付款",
            "promise_date": d(2), "promise_amount": "100"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["promise_state"], "broken", "{name}");
        let r = t.post_json(&path, &w.rep, json!({"kind": "call", "outcome": "电话联系财务"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // Refusals name the field and write nothing.
        let r = t.post_json(&path, &w.rep, json!({"kind": "promise", "outcome": "x"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<Value> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
        assert_eq!(fields, [json!("promise_date"), json!("promise_amount")], "{}", r.text());
        let r = t.post_json(&path, &w.rep, json!({"kind": "fax", "outcome": "x"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = t.post_json(&path, &w.rep, json!({"kind": "call", "outcome": "x".repeat(1001)})).await;
        assert_eq!(r.json()["errors"][0]["field"], "outcome", "{}", r.text());
        assert_eq!(t.post_json(&path, &w.other_rep, json!({"kind": "call", "outcome": "x"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/customers/999999/collection-actions", &w.finance).await.status, StatusCode::NOT_FOUND);
        let list = t.get(&path, &w.finance).await.json();
        assert_eq!(list.as_array().unwrap().len(), 2, "{name}: {list}");

        // Finance's report of the last 30 days.
        let r = t.get(&format!("/api/v1/collection-report?from={}&to={}", d(30), d(0)), &w.finance).await.json();
        assert_eq!((r["total"]["actions"].clone(), r["total"]["promises_broken"].clone()), (json!(2), json!(1)), "{r}");
        assert_eq!(t.get("/api/v1/collection-report", &w.rep).await.status, StatusCode::FORBIDDEN);
        let r = t.get(&format!("/api/v1/collection-report?from={}&to={}", d(0), d(30)), &w.finance).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("from")));

        // The statement of the invoice's month and of last month.
        let inv_p = Period::of(then.parse().unwrap());
        let s = t.get(&format!("/api/v1/customers/{c}/statements/{inv_p}"), &w.rep).await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.text());
        let s = s.json();
        assert_eq!((s["opening"].clone(), s["closing"].clone()), (json!("0"), inv["amount"].clone()), "{s}");
        assert_eq!(s["entries"][0]["number"], inv["number"]);
        assert_eq!(t.get(&format!("/api/v1/customers/{c}/statements/{inv_p}"), &w.other_rep).await.status, StatusCode::FORBIDDEN);
        // DOC-1: the statement prints, with its closing balance.
        let pdf = t.get(&format!("/api/v1/customers/{c}/statements/{inv_p}/pdf"), &w.rep).await;
        assert_eq!((pdf.status, pdf.header("content-type")), (StatusCode::OK, "application/pdf".to_string()));
        if let Some(text) = kaidan_print::testing::pdf_text(&pdf.body) {
            let text = kaidan_print::testing::squeezed(&text);
            let closing = format!("{:.2}", inv["amount"].as_str().unwrap().parse::<kaidan_domain::Money>().unwrap().decimal());
            for want in ["对账单", "期末余额", inv["number"].as_str().unwrap(), closing.as_str()] {
                assert!(text.contains(&kaidan_print::testing::squeezed(want)), "{want} in {text}");
            }
        }
        assert_eq!(t.get(&format!("/api/v1/customers/{c}/statements/{inv_p}/pdf"), &w.other_rep).await.status, StatusCode::FORBIDDEN);
        let r = t.get(&format!("/api/v1/customers/{c}/statements/2026-13"), &w.finance).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("period")));
        let r = t.get(&format!("/api/v1/customers/{c}/statements/2099-01"), &w.finance).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let conf = format!("/api/v1/customers/{c}/statements/{p}/confirmation");
        let r = t.post_json(&conf, &w.finance, json!({"status": "disputed"})).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("note")));
        let r = t.post_json(&conf, &w.finance, json!({"status": "confirmed", "note": "客户盖章确认"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["confirmation"]["status"].clone(), r.json()["confirmation"]["closing"].clone()),
            (json!("confirmed"), inv["amount"].clone()));
        let now_p = Period::of(real_today);
        let r = t.post_json(&format!("/api/v1/customers/{c}/statements/{now_p}/confirmation"), &w.finance, json!({"status": "confirmed"})).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("not_ended")));

        // The pages.
        let cw = t.login("cw").await;
        let html = t.page(&format!("/finance/dunning?period={p}"), &cw).await.text();
        assert_has(&html, &["催款通知", "生成催款通知", "回款分析"]);
        if level.is_some() {
            assert_has(&html, &["加盟商一号", "李销售", inv["number"].as_str().unwrap()]);
        }
        let html = t.page("/finance/invoices", &cw).await.text();
        assert_has(&html, &["/finance/dunning", "催款"]);
        let html = t.page(&format!("/customers/{c}/collection"), &cw).await.text();
        assert_has(&html, &["催收记录", "已违约", "broken-promises", "电话联系财务"]);
        let token = csrf(&html);
        let r = t.post(&format!("/customers/{c}/collection"), &cw, support::form(&[("_csrf", &token), ("kind", "visit"), ("outcome", "上门拜访")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = t.post(&format!("/customers/{c}/collection"), &cw, support::form(&[("_csrf", &token), ("kind", "promise"), ("outcome", "x"), ("promise_amount", "abc")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["promise_amount"]);
        assert_eq!(t.get(&path, &w.finance).await.json().as_array().unwrap().len(), 3);
        let html = t.page(&format!("/customers/{c}/statements/{p}"), &cw).await.text();
        assert_has(&html, &["对账单", "期初余额", "期末余额", "客户已确认", "客户盖章确认"]);
        let r = t.post(&format!("/customers/{c}/statements/{p}/confirmation"), &cw, support::form(&[("_csrf", &token), ("status", "disputed"), ("note", "金额不符")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&format!("/customers/{c}/statements/{p}"), &cw).await.text();
        assert_has(&html, &["客户有异议", "金额不符"]);
        let html = t.page("/finance/collection", &cw).await.text();
        assert_has(&html, &["回款分析", "加盟商一号", "按销售代表"]);
        let xlsx = t.page("/finance/collection?format=xlsx", &cw).await;
        assert_eq!(&xlsx.body[..2], b"PK");
        let rep = t.login("rep").await;
        let html = t.page("/finance/dunning", &rep).await.text();
        assert_has(&html, &["催款通知"]);
        assert!(!html.contains("生成催款通知"), "a rep does not run dunning");
        let _ = w.admin;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_4_legal_is_given_the_legal_level_notices_and_a_rep_finds_the_receipts() {
    on_each_backend_clocked(|t, clock| async move {
        let name = t.backend;
        let w = world(&t).await;
        let legal = t.user_token("fw", &[Role::Legal]).await;
        // Invoiced 200 days ago, due 170 days ago: five months back it was
        // a reminder or a manager's notice, last month it is legal's.
        let real_today = today(&t);
        clock.set(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(200 * 24));
        let then = today(&t).to_string();
        invoiced(&t, &w, 2, &then).await;
        clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
        let early = Period::of(real_today.checked_sub(160.days()).unwrap());
        let last = period_due(real_today);
        for p in [early, last] {
            let r = t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": p.to_string()})).await;
            assert_eq!((r.status, r.json()["raised"].clone()), (StatusCode::OK, json!(1)), "{name} {p}: {}", r.text());
        }
        let all = t.get("/api/v1/dunning-notices", &w.finance).await.json();
        let levels: Vec<Value> = all.as_array().unwrap().iter().map(|n| n["level"].clone()).collect();
        assert_eq!(levels.len(), 2, "{name}: {all}");
        assert!(levels[0] == json!("legal") && levels[1] != json!("legal"), "{name}: {all}");
        // Legal reads no invoices, yet is given the legal-level notice and
        // no other.
        let seen = t.get("/api/v1/dunning-notices", &legal).await.json();
        assert_eq!(seen.as_array().unwrap().len(), 1, "{name}: {seen}");
        assert_eq!((seen[0]["level"].clone(), seen[0]["period"].clone()), (json!("legal"), json!(last.to_string())), "{name}: {seen}");
        assert_eq!(t.get("/api/v1/invoices", &legal).await.status, StatusCode::FORBIDDEN);
        // DOC-1: legal prints the letter of the notice given to it.
        let id = seen[0]["id"].as_i64().unwrap();
        let pdf = t.get(&format!("/api/v1/dunning-notices/{id}/pdf"), &legal).await;
        assert_eq!((pdf.status, &pdf.body[..4]), (StatusCode::OK, &b"%PDF"[..]), "{name}: {}", pdf.text());
        let early_id = all[1]["id"].as_i64().unwrap();
        assert_eq!(t.get(&format!("/api/v1/dunning-notices/{early_id}"), &legal).await.status, StatusCode::FORBIDDEN);
        // The menu leads legal to the notices and the rep to the receipts,
        // finance to its work place.
        let fw = t.login("fw").await;
        let html = t.page("/", &fw).await.text();
        assert_has(&html, &["href=\"/finance/dunning\""]);
        let html = t.page("/finance/dunning", &fw).await.text();
        assert_has(&html, &["催款通知", "加盟商一号"]);
        let html = t.page("/", &t.login("rep").await).await.text();
        assert_has(&html, &["href=\"/finance/receipts\""]);
        let html = t.page("/", &t.login("cw").await).await.text();
        assert_has(&html, &["href=\"/finance\""]);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_4_doc_1_the_dunning_letter_prints_the_overdue_invoices_and_the_total_in_capitals() {
    on_each_backend_clocked(|t, clock| async move {
        let name = t.backend;
        let w = world(&t).await;
        // Invoiced 160 and 100 days ago: both overdue at the end of last
        // month, the older one past the legal threshold (91 days) whatever
        // today's day of the month.
        let mut invoices = Vec::new();
        for days in [160, 100] {
            clock.set(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(days * 24));
            let on = today(&t).to_string();
            invoices.push(invoiced(&t, &w, 2, &on).await);
        }
        clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
        let real_today = today(&t);
        let p = period_due(real_today);
        let r = t.post_json("/api/v1/dunning/run", &w.finance, json!({"period": p.to_string()})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let notices = t.get(&format!("/api/v1/dunning-notices?period={p}"), &w.finance).await.json();
        assert_eq!(notices.as_array().unwrap().len(), 1, "{name}: {notices}");
        let id = notices[0]["id"].as_i64().unwrap();
        assert_eq!(notices[0]["level"], "legal", "{name}");

        // One notice by id, within the reach of the list.
        let one = t.get(&format!("/api/v1/dunning-notices/{id}"), &w.rep).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.text());
        assert_eq!(one.json(), notices[0]);
        assert_eq!(one.json()["invoices"][0]["invoice_date"], invoices[0]["invoice_date"], "{name}");
        assert_eq!(t.get(&format!("/api/v1/dunning-notices/{id}"), &w.other_rep).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/dunning-notices/999999", &w.finance).await.status, StatusCode::NOT_FOUND);
        let r = t.get("/api/v1/dunning-notices/abc/pdf", &w.finance).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("id")));

        // The letter, for the rep who hands it over.
        let pdf = t.get(&format!("/api/v1/dunning-notices/{id}/pdf"), &w.rep).await;
        assert_eq!((pdf.status, pdf.header("content-type")), (StatusCode::OK, "application/pdf".to_string()), "{}", pdf.text());
        assert_eq!(pdf.header("content-disposition"), format!("inline; filename=\"DUN-{p}-{}.pdf\"", w.customer));
        assert!(pdf.body.starts_with(b"%PDF"));
        if let Some(text) = kaidan_print::testing::pdf_text(&pdf.body) {
            let text = kaidan_print::testing::squeezed(&text);
            let money = |v: &Value| v.as_str().unwrap().parse::<kaidan_domain::Money>().unwrap();
            let total: kaidan_domain::Money = invoices.iter().map(|i| money(&i["amount"])).sum();
            let fen = |m: kaidan_domain::Money| format!("{:.2}", m.decimal());
            let pay_by = kaidan_domain::finance::DunningLevel::Legal.pay_by(real_today).to_string();
            let mut want = vec!["催款函".to_string(), "最后催告".into(), "法律途径".into(), "逾期合计".into(),
                fen(total), kaidan_print::documents::rmb_in_words(total), pay_by, "加盟商一号".into(),
                "请汇至".into(), "中国工商银行".into()];
            for i in &invoices {
                want.extend([i["number"].as_str().unwrap().to_string(), i["due_date"].as_str().unwrap().to_string(), fen(money(&i["amount"]))]);
            }
            for want in want {
                assert!(text.contains(&kaidan_print::testing::squeezed(&want)), "{name}: {want} in {text}");
            }
        }
        assert_eq!(t.get(&format!("/api/v1/dunning-notices/{id}/pdf"), &w.other_rep).await.status, StatusCode::FORBIDDEN);

        // The print button on the dunning page, and its target.
        let cw = t.login("cw").await;
        let html = t.page(&format!("/finance/dunning?period={p}"), &cw).await.text();
        assert_has(&html, &[&format!("/finance/dunning/{id}/pdf"), "打印催款函"]);
        let r = t.page(&format!("/finance/dunning/{id}/pdf"), &cw).await;
        assert_eq!((r.status, &r.body[..4]), (StatusCode::OK, &b"%PDF"[..]), "{name}");
    })
    .await;
}
