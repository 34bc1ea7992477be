//! The order clerks' monthly assessment (KPI-6), in process on both
//! databases, on a clock walked from October into December: the computed
//! part read from the records (the clerk's orders, their accuracy and
//! deadlines as the figures count them, the complaints they drew), the
//! supervisor's items, the total and grade, a failing month confirmed only
//! with its plan, the second failing month in a row flagged, the year
//! from its months, who reads what, and the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::clock::MovableClock;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{ship, world};
use crate::support::{T, assert_has, codes, csrf, on_each_backend};

fn row(m: &Value, clerk: i64) -> &Value {
    m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clerk_id"].as_i64() == Some(clerk))
        .unwrap_or_else(|| panic!("clerk {clerk} in {m}"))
}

fn items(d: i64, c: i64, doc: i64, s: i64, plan: Option<&str>) -> Value {
    json!({"discipline": d, "cooperation": c, "documents": doc, "service": s, "remark": "按月考核", "plan": plan})
}

#[tokio::test]
#[rustfmt::skip]
async fn kpi_6_clerks_assessed_monthly_from_the_records_and_the_supervisor() {
    on_each_backend(|base: T| async move {
        let clock = Arc::new(MovableClock::default());
        clock.set("2026-11-10T02:00:00Z".parse().unwrap());
        let app = base.app.with_clock(clock.clone());
        let t = T { router: kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default()), app, backend: base.backend };
        let w = world(&t, "monthly_settlement").await;
        let gm = t.user_token("gm", &[Role::GeneralManager]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let clerk2 = t.user_token("clerk2", &[Role::OrderClerk]).await;
        let users = t.app.list_users(&Ctx::system()).await.unwrap();
        let id_of = |name: &str| users.iter().find(|u| u.username == name).unwrap().id.get();
        let (clerk_id, clerk2_id) = (id_of("clerk"), id_of("clerk2"));

        // November: the clerk enters two orders. The first is reviewed at
        // once, approved and shipped the same day; the second is rejected
        // by the review (a correction: not accurate). The customer
        // complains to sales about the first.
        let order = |_: ()| json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-10",
            "lines": [{"product_id": w.product, "quantity": 2}]});
        let o1 = t.post_json("/api/v1/orders?confirm_duplicate=true", &clerk, order(())).await.json()["id"].as_i64().unwrap();
        let o2 = t.post_json("/api/v1/orders?confirm_duplicate=true", &clerk, order(())).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/orders/{o1}/review"), &w.admin, json!({})).await;
        t.post_json(&format!("/api/v1/orders/{o1}/finance-review"), &w.admin, json!({"decision": "pass"})).await;
        ship(&t, &w, o1).await;
        let r = t.post_json(&format!("/api/v1/orders/{o2}/reject"), &w.admin, json!({"reason": "单价录错"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = t.post_json("/api/v1/complaints", &w.rep, json!({"customer_id": w.customer, "channel": "phone",
            "department": "sales", "subject": "订单数量录错", "order_id": o1})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        // October has ended: nobody's orders, so the records give the full
        // 60; items of 0 make it exactly 60 — failing, confirmed with a plan.
        let r = t.json(Method::PUT, &format!("/api/v1/clerk-assessments/months/2026-11/clerks/{clerk_id}"), &gm, items(9, 9, 9, 9, None), &[]).await;
        assert_eq!(codes(&r), [("month".into(), "not_ended".into())], "{}", r.text());
        let put = |month: &str, who: i64| format!("/api/v1/clerk-assessments/months/{month}/clerks/{who}");
        assert_eq!(t.json(Method::PUT, &put("2026-10", clerk_id), &clerk2, items(9, 9, 9, 9, None), &[]).await.status, StatusCode::FORBIDDEN);
        let r = t.json(Method::PUT, &put("2026-10", clerk_id), &gm, items(11, 0, 0, -1, None), &[]).await;
        assert_eq!(codes(&r), [("discipline".into(), "out_of_range".into()), ("service".into(), "out_of_range".into())], "{}", r.text());
        assert_eq!(codes(&t.json(Method::PUT, &put("2026-10", w.customer), &gm, items(0, 0, 0, 0, None), &[]).await)[0].1, "unknown_reference");
        let r = t.json(Method::PUT, &put("2026-10", clerk_id), &gm, items(0, 0, 0, 0, None), &[]).await;
        assert_eq!((r.json()["total_tenths"].clone(), r.json()["grade"].clone(), r.json()["status"].clone()), (json!(600), json!("failing"), json!("draft")), "{}", r.text());
        let oct = r.json()["id"].as_i64().unwrap();
        let r = t.post_json(&format!("/api/v1/clerk-assessments/{oct}/confirm"), &gm, json!({})).await;
        assert_eq!(codes(&r), [("plan".into(), "required".into())], "{}", r.text());
        t.json(Method::PUT, &put("2026-10", clerk_id), &gm, items(0, 0, 0, 0, Some("每日复核订单")), &[]).await;
        let r = t.post_json(&format!("/api/v1/clerk-assessments/{oct}/confirm"), &gm, json!({})).await;
        assert_eq!(r.json()["status"], "confirmed", "{}", r.text());
        assert_eq!(codes(&t.post_json(&format!("/api/v1/clerk-assessments/{oct}/confirm"), &gm, json!({})).await), [("status".into(), "illegal_transition".into())]);
        assert_eq!(codes(&t.json(Method::PUT, &put("2026-10", clerk_id), &gm, items(9, 9, 9, 9, None), &[]).await), [("status".into(), "illegal_transition".into())]);

        // December: November is assessed. The computed part is the figures'
        // own count for the clerk: 2 orders, 1 accurate (KPI-1 50 %: 15.0
        // points); one complaint (−5); KPI-2 as the figures page counts it.
        clock.set("2026-12-03T02:00:00Z".parse().unwrap());
        let m = t.get("/api/v1/clerk-assessments/months/2026-11", &gm).await.json();
        assert_eq!(m["due_on"], "2026-12-14", "{m}");
        let c = &row(&m, clerk_id)["computed"];
        assert_eq!((c["orders"].clone(), c["accurate"].clone(), c["complaints"].clone()), (json!(2), json!(1), json!(1)), "{m}");
        let k2 = t.get("/api/v1/figures/on_time?from=2026-11-01&to=2026-11-30&by=clerk", &w.admin).await.json();
        let mine = k2["table"]["groups"].as_array().unwrap().iter().find(|g| g["key"] == json!(clerk_id.to_string())).unwrap();
        assert_eq!((c["timed"].clone(), c["on_time"].clone()), (mine["tally"]["counted"].clone(), mine["tally"]["hits"].clone()), "{k2}");
        let (timed, on_time) = (c["timed"].as_i64().unwrap(), c["on_time"].as_i64().unwrap());
        let k2_tenths = if timed == 0 { 300 } else { (300 * on_time * 2 + timed) / (timed * 2) };
        // Items 2 + 2 + 1 + 0 = 5: 15.0 + KPI-2 − 5.0 + 5.0, at most 45: failing.
        let r = t.json(Method::PUT, &put("2026-11", clerk_id), &gm, items(2, 2, 1, 0, Some("岗位再培训")), &[]).await;
        assert_eq!(r.json()["total_tenths"].as_i64().unwrap(), 150 + k2_tenths - 50 + 50, "{}", r.text());
        let nov = r.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/clerk-assessments/{nov}/confirm"), &gm, json!({})).await;
        // The second clerk did nothing wrong: 60 + 36 = 96, excellent.
        let r = t.json(Method::PUT, &put("2026-11", clerk2_id), &gm, items(9, 9, 9, 9, None), &[]).await;
        assert_eq!((r.json()["total_tenths"].clone(), r.json()["grade"].clone()), (json!(960), json!("excellent")), "{}", r.text());
        let m = t.get("/api/v1/clerk-assessments/months/2026-11", &gm).await.json();
        assert_eq!((row(&m, clerk_id)["second_failing"].clone(), row(&m, clerk2_id)["second_failing"].clone()), (json!(true), json!(false)), "{m}");

        // The year from its confirmed months (the draft does not count).
        let y = t.get("/api/v1/clerk-assessments/years/2026", &gm).await.json();
        let rows = y["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{y}");
        let s = &rows[0]["summary"];
        assert_eq!((s["months"].clone(), s["failing"].clone(), s["repeated_failing"].clone(), s["grade"].clone(), y["ended"].clone()),
            (json!(2), json!(2), json!(1), json!("failing"), json!(false)), "{y}");

        // Who reads what: a clerk his own confirmed months only.
        let m = t.get("/api/v1/clerk-assessments/months/2026-11", &clerk2).await.json();
        assert_eq!((m["rows"].as_array().unwrap().len(), m["rows"][0]["assessment"].clone()), (1, Value::Null), "{m}");
        assert_eq!(t.get(&format!("/api/v1/clerk-assessments/{nov}"), &clerk2).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/clerk-assessments/{nov}"), &clerk).await.json()["grade"], "failing");
        assert_eq!(t.get("/api/v1/clerk-assessments/months/2026-11", &w.wh).await.status, StatusCode::FORBIDDEN);

        // The pages: the month with the flag, the printable form, the year;
        // the form names a bad number.
        let cookie = t.login("gm").await;
        let page = t.page("/assessments?month=2026-11", &cookie).await.text();
        assert_has(&page, &["开单员考核", "连续两个月不合格", "id=\"assessment-due\">2026-12-14<", "id=\"assess-total-"]);
        let r = t.submit("/assessments", &cookie, &csrf(&page), &[("step", "write"), ("month", "2026-11"), ("clerk_id", &clerk2_id.to_string()),
            ("discipline", "x"), ("cooperation", "9"), ("documents", "9"), ("service", "9")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["id=\"assessments-error\"", "discipline"]);
        let page = t.page(&format!("/assessments/{nov}"), &cookie).await.text();
        assert_has(&page, &["开单员月度考核表", "1 / 2 = 50%", "岗位再培训", "主管签字"]);
        let page = t.page("/assessments/years/2026", &cookie).await.text();
        assert_has(&page, &["开单员年度考核", "60.0", "2 / 1"]);
        let x = t.page("/assessments?month=2026-11&format=xlsx", &cookie).await;
        let table = kaidan_io::read_table("a.xlsx", &x.body).unwrap();
        assert!(table.rows.iter().any(|r| r.cells[10] == "96.0"), "{:?}", table.rows);
        // The home pages: the supervisor's clerks still to confirm for
        // November (the second clerk's draft), the clerk's latest result.
        let home = t.page("/", &cookie).await.text();
        assert_has(&home, &["待完成的开单员月度考核", "2026-11 · 截止 2026-12-14"]);
        let clerk_cookie = t.login("clerk").await;
        assert_has(&t.page("/", &clerk_cookie).await.text(), &["我的月度考核", "不合格"]);
        t.assert_described(&[("/api/v1/clerk-assessments/months/{month}/clerks/{id}", "put"), ("/api/v1/clerk-assessments/{id}/confirm", "post")]).await;
    })
    .await;
}
