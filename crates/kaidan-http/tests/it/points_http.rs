//! Sales points (SAL-4), in process on both databases, on a clock walked
//! from November to the next winter: the scheme, a month's basic points
//! posted once from the orders, extra points proposed by the manager who
//! leads the rep and approved by the general manager, redemption oldest
//! first and refused beyond the balance, expiry after six months and a
//! year, the champions, who reads what, and the pages with their Excel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::clock::MovableClock;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{approved, world};
use crate::support::{T, assert_has, codes, csrf, on_each_backend};

fn statement_at(v: &Value) -> (i64, i64, i64, i64) {
    let s = &v["statement"];
    (
        s["balance"].as_i64().unwrap(),
        s["earned"].as_i64().unwrap(),
        s["redeemed"].as_i64().unwrap(),
        s["expired"].as_i64().unwrap(),
    )
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_4_points_posted_awarded_redeemed_oldest_first_and_expired() {
    on_each_backend(|base: T| async move {
        let clock = Arc::new(MovableClock::default());
        clock.set("2026-11-25T04:00:00Z".parse().unwrap());
        let app = base.app.with_clock(clock.clone());
        let t = T { router: kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default()), app, backend: base.backend };
        let w = world(&t, "monthly_settlement").await;
        let gm = t.user_token("gm", &[Role::GeneralManager]).await;
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let other_mgr = t.user_token("mgr2", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let users = t.app.list_users(&Ctx::system()).await.unwrap();
        let mgr_id = users.iter().find(|u| u.username == "mgr").unwrap().id.get();
        let team = t.post_json("/api/v1/teams", &w.admin, json!({"code": "SC-1", "name": "华南一组", "manager_id": mgr_id})).await.json()["id"].as_i64().unwrap();
        t.json(Method::PUT, &format!("/api/v1/users/{rep_id}/team"), &w.admin, json!({"team_id": team}), &[]).await;
        let rep2 = t.app.create_user(&Ctx::system(), NewUserInput { username: "rep2".into(), display_name: "王销售".into(),
            password: "correct horse".into(), roles: vec![Role::SalesRep], customer_id: None }).await.unwrap();
        let rep2_id = rep2.id.get();
        let rep2 = t.app.add_token(&Ctx::system(), rep2.id, "t").await.unwrap().token;

        // November: 100 shirts at 99.50 ordered by the rep's customer.
        approved(&t, &w, 100).await;

        // The scheme: only the general manager sets it; bad values named.
        let scheme = json!({"month": "2026-11", "basis": "ordered", "ratio": "0.1", "note": "每10元1分"});
        assert_eq!(t.json(Method::PUT, "/api/v1/points/schemes", &mgr, scheme.clone(), &[]).await.status, StatusCode::FORBIDDEN);
        let r = t.json(Method::PUT, "/api/v1/points/schemes", &gm, json!({"month": "2026-13", "basis": "ordered", "ratio": "0.00001"}), &[]).await;
        assert_eq!(codes(&r), [("month".into(), "invalid".into()), ("ratio".into(), "too_precise".into())], "{}", r.text());
        let r = t.json(Method::PUT, "/api/v1/points/schemes", &gm, scheme, &[]).await;
        assert_eq!((r.status, r.json()["ratio"].clone(), r.json()["from"].clone()), (StatusCode::OK, json!("0.1"), json!("2026-11-01")), "{}", r.text());

        // November is posted once it has ended, by the sales manager.
        let r = t.post_json("/api/v1/points/months/2026-11", &mgr, json!({})).await;
        assert_eq!(codes(&r), [("month".into(), "not_ended".into())], "{}", r.text());
        clock.set("2026-12-05T04:00:00Z".parse().unwrap());
        assert_eq!(t.post_json("/api/v1/points/months/2026-11", &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(codes(&t.post_json("/api/v1/points/months/2026-10", &mgr, json!({})).await), [("month".into(), "no_scheme".into())]);
        let r = t.post_json("/api/v1/points/months/2026-11", &mgr, json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // 9,950 yuan × 0.1 = 995 points, for the one rep who sold.
        assert_eq!((r.json()["reps"].clone(), r.json()["points"].clone()), (json!(1), json!(995)), "{}", r.text());
        assert_eq!(codes(&t.post_json("/api/v1/points/months/2026-11", &mgr, json!({})).await), [("month".into(), "already_posted".into())]);
        // November's scheme is the one it was posted with.
        let r = t.json(Method::PUT, "/api/v1/points/schemes", &gm, json!({"month": "2026-11", "basis": "shipped", "ratio": "1"}), &[]).await;
        assert_eq!(codes(&r), [("month".into(), "already_posted".into())], "{}", r.text());

        // Extra points: proposed by the manager who leads the rep, with a
        // reason; approved by the general manager.
        let award = json!({"rep_id": rep_id, "reason_kind": "praise", "points": 200, "reason": "客户来信表扬"});
        assert_eq!(t.post_json("/api/v1/points/awards", &w.rep, award.clone()).await.status, StatusCode::FORBIDDEN);
        assert_eq!(codes(&t.post_json("/api/v1/points/awards", &other_mgr, award.clone()).await), [("rep_id".into(), "not_in_team".into())]);
        assert_eq!(codes(&t.post_json("/api/v1/points/awards", &mgr, json!({"rep_id": mgr_id, "reason_kind": "praise", "points": 5, "reason": "x"})).await),
            [("rep_id".into(), "own_record".into())]);
        let r = t.post_json("/api/v1/points/awards", &mgr, json!({"rep_id": rep_id, "reason_kind": "praise", "points": 0, "reason": " "})).await;
        assert_eq!(codes(&r), [("points".into(), "out_of_range".into()), ("reason".into(), "required".into())]);
        let r = t.post_json("/api/v1/points/awards", &mgr, award).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let aid = r.json()["id"].as_i64().unwrap();
        let rejected = t.post_json("/api/v1/points/awards", &mgr, json!({"rep_id": rep_id, "reason_kind": "suggestion", "points": 50, "reason": "建议"})).await.json()["id"].as_i64().unwrap();
        assert_eq!(t.post_json(&format!("/api/v1/points/awards/{aid}/approve"), &mgr, json!({})).await.status, StatusCode::FORBIDDEN);
        // Nothing counts before the approval.
        assert_eq!(statement_at(&t.get(&format!("/api/v1/points/reps/{rep_id}/statement"), &w.rep).await.json()), (995, 995, 0, 0));
        let r = t.post_json(&format!("/api/v1/points/awards/{aid}/approve"), &gm, json!({})).await;
        assert_eq!(r.json()["status"], "approved", "{}", r.text());
        assert_eq!(codes(&t.post_json(&format!("/api/v1/points/awards/{aid}/approve"), &gm, json!({})).await), [("status".into(), "illegal_transition".into())]);
        let r = t.post_json(&format!("/api/v1/points/awards/{rejected}/reject"), &gm, json!({"reason": "尚未采纳"})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["reject_reason"].clone()), (json!("rejected"), json!("尚未采纳")));

        // The catalogue, and a redemption that takes the oldest points.
        let tea = json!({"code": "GIFT-TEA", "name": "茶叶礼盒", "kind": "gift", "cost": 400});
        assert_eq!(t.post_json("/api/v1/points/items", &mgr, tea.clone()).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/points/items", &gm, tea.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let tea_id = r.json()["id"].as_i64().unwrap();
        assert_eq!(t.post_json("/api/v1/points/items", &gm, tea).await.status, StatusCode::CONFLICT);
        let r = t.post_json("/api/v1/points/redemptions", &w.rep, json!({"item_id": tea_id, "quantity": 2})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!((r.json()["points"].clone(), r.json()["balance"].clone()), (json!(800), json!(395)));
        let r = t.post_json("/api/v1/points/redemptions", &w.rep, json!({"item_id": tea_id, "quantity": 1})).await;
        assert_eq!(codes(&r), [("quantity".into(), "insufficient_points".into())], "{}", r.text());
        assert!(r.json()["errors"][0]["message"].as_str().unwrap().contains("(5 short)"), "{}", r.text());
        assert_eq!(codes(&t.post_json("/api/v1/points/redemptions", &w.rep, json!({"item_id": 999999})).await), [("item_id".into(), "unknown_reference".into())]);
        assert_eq!(t.post_json("/api/v1/points/redemptions", &gm, json!({"item_id": tea_id})).await.status, StatusCode::FORBIDDEN);

        // The statement, entry by entry: November's basic lot (earned on
        // its last day) paid the whole redemption.
        let s = t.get(&format!("/api/v1/points/reps/{rep_id}/statement"), &w.rep).await.json();
        assert_eq!(statement_at(&s), (395, 1195, 800, 0), "{s}");
        let lines = s["statement"]["lines"].as_array().unwrap();
        let events: Vec<(String, i64, i64)> = lines.iter().map(|l| (l["event"].as_str().unwrap().to_string(), l["change"].as_i64().unwrap(), l["balance"].as_i64().unwrap())).collect();
        assert_eq!(events, [("earned".into(), 995, 995), ("earned".into(), 200, 1195), ("redeemed".into(), -800, 395)]);
        assert_eq!(lines[0]["on"], "2026-11-30");
        let basic_id = lines[0]["entry_id"].as_i64().unwrap();
        assert_eq!(lines[2]["from_lots"], json!([[basic_id, 800]]));
        // The extra points go on 5 June, the rest of November's on 30 November.
        let at = |d: &str| format!("/api/v1/points/reps/{rep_id}/statement?at={d}");
        assert_eq!(statement_at(&t.get(&at("2027-06-04"), &mgr).await.json()), (395, 1195, 800, 0));
        assert_eq!(statement_at(&t.get(&at("2027-06-05"), &mgr).await.json()), (195, 1195, 800, 200));
        assert_eq!(statement_at(&t.get(&at("2027-11-30"), &mgr).await.json()), (0, 1195, 800, 395));
        // Before November was over there was nothing.
        assert_eq!(statement_at(&t.get(&at("2026-11-29"), &mgr).await.json()), (0, 0, 0, 0));
        assert_eq!(codes(&t.get(&format!("{}&x=1", at("2026-11-29")), &mgr).await), [("x".into(), "unknown".into())]);

        // Who reads what: a rep his own, a manager his team, the general
        // manager everyone.
        let names = |v: Value| -> Vec<(i64, i64)> { v.as_array().unwrap().iter().map(|b| (b["rep_id"].as_i64().unwrap(), b["balance"].as_i64().unwrap())).collect() };
        assert_eq!(names(t.get("/api/v1/points/balances", &rep2).await.json()), [(rep2_id, 0)]);
        assert_eq!(t.get(&format!("/api/v1/points/reps/{rep_id}/statement"), &rep2).await.status, StatusCode::NOT_FOUND);
        assert_eq!(names(t.get("/api/v1/points/balances", &mgr).await.json()), [(rep_id, 395), (mgr_id, 0)]);
        let all = names(t.get("/api/v1/points/balances", &gm).await.json());
        assert_eq!(all.len(), 4, "{all:?}");
        assert_eq!(t.get("/api/v1/points/awards", &rep2).await.json(), json!([]));
        assert_eq!(t.get("/api/v1/points/awards?status=proposed", &mgr).await.json(), json!([]));
        assert_eq!(codes(&t.get("/api/v1/points/awards?status=maybe", &mgr).await)[0].0, "status");

        // November's champion is the rep, with what he sold.
        let c = t.get("/api/v1/points/champions/2026", &rep2).await.json();
        let nov = c["periods"].as_array().unwrap().iter().find(|p| p["period"] == "2026-11").unwrap();
        assert_eq!((nov["places"][0]["rep_id"].as_i64().unwrap(), nov["places"][0]["sales"].clone(), nov["ended"].clone()), (rep_id, json!("9950"), json!(true)), "{nov}");
        let q4 = c["periods"].as_array().unwrap().iter().find(|p| p["period"] == "2026-Q4").unwrap();
        assert_eq!((q4["places"][0]["place"].clone(), q4["ended"].clone()), (json!(1), json!(false)));

        // Two redemptions at once cannot both spend the same points: 395
        // left, two coupons of 300 asked for together, one is taken.
        let coupon = t.post_json("/api/v1/points/items", &gm, json!({"code": "CPN-1", "name": "购物券", "kind": "coupon", "cost": 300})).await.json()["id"].as_i64().unwrap();
        let body = json!({"item_id": coupon});
        let (a, b) = tokio::join!(t.post_json("/api/v1/points/redemptions", &w.rep, body.clone()), t.post_json("/api/v1/points/redemptions", &w.rep, body));
        let mut got = [a.status, b.status];
        got.sort();
        assert_eq!(got, [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY], "{} {}", a.text(), b.text());
        assert_eq!(statement_at(&t.get(&format!("/api/v1/points/reps/{rep_id}/statement"), &w.rep).await.json()).0, 95);

        // The pages: the rep's balance and statement, the catalogue's
        // redemption refused with the reason, the Excel the same numbers.
        let cookie = t.login("rep").await;
        let page = t.page("/points", &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(&page.text(), &["积分", "id=\"points-mine\"", "<b>95</b>", "李销售"]);
        let page = t.page(&format!("/points/reps/{rep_id}"), &cookie).await;
        assert_has(&page.text(), &["id=\"statement-balance\">95<", "2026-11-30", "GIFT-TEA 茶叶礼盒 × 2", &format!("#{basic_id}: 800")]);
        let cat = t.page("/points/catalogue", &cookie).await.text();
        let r = t.submit("/points/catalogue", &cookie, &csrf(&cat), &[("step", "redeem"), ("item_id", &tea_id.to_string()), ("quantity", "1")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["id=\"catalogue-error\"", "305 short"]);
        let x = t.page(&format!("/points/reps/{rep_id}?format=xlsx"), &cookie).await;
        assert_eq!(x.status, StatusCode::OK);
        let table = kaidan_io::read_table("s.xlsx", &x.body).unwrap();
        let last = table.rows.last().unwrap();
        assert_eq!((last.cells[3].as_str(), last.cells[4].as_str()), ("-300", "95"), "{:?}", table.rows);
        let gm_cookie = t.login("gm").await;
        assert_has(&t.page("/", &gm_cookie).await.text(), &["待批准的额外积分"]);
        let x = t.page("/points?format=xlsx", &gm_cookie).await;
        let table = kaidan_io::read_table("b.xlsx", &x.body).unwrap();
        assert!(table.rows.iter().any(|r| r.cells[0] == "李销售" && r.cells[1] == "95"), "{:?}", table.rows);
        let cham = t.page("/points/champions?year=2026", &gm_cookie).await;
        assert_has(&cham.text(), &["2026-11", "<b>李销售</b> 9950.00"]);
    })
    .await;
}
