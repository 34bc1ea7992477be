//! Sales commissions (SAL-5), in process on both databases, on a clock
//! walked through November into December: two policies with a change in
//! the middle of the month (invoiced, then collected), a tier by the rep's
//! completion of his approved target, the statement computed from the
//! records and hand-checked line by line, its review by the sales manager
//! of the rep's team and confirmation by finance, who reads what, and the
//! pages with their Excel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::clock::MovableClock;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{PNG, put_voucher, ship, world};
use crate::support::{T, assert_has, codes, csrf, on_each_backend};

fn lines(s: &Value) -> Vec<(String, String, String, i64, i64, String)> {
    s["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["policy_from"].as_str().unwrap_or("-").to_string(),
                l["category"].as_str().unwrap().to_string(),
                l["base"].as_str().unwrap().to_string(),
                l["rate_bp"].as_i64().unwrap(),
                l["factor_bp"].as_i64().unwrap(),
                l["commission"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_5_commissions_two_policies_a_mid_month_change_reviewed_and_confirmed() {
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
        let rep2 = t.app.add_token(&Ctx::system(), rep2.id, "t").await.unwrap().token;

        // Two products in two categories, priced with 13 % VAT so their
        // net is round: a down jacket 113 (net 100), a T-shirt 22.60 (net 20).
        let product = |sku: &str, name: &str, price: &str, category: &str| json!({"sku": sku, "name": name, "spec": "M", "unit": "件",
            "season": "autumn_winter", "launch_priority": 1, "list_price": price, "tax_rate": "0.13", "category": category});
        let down = t.post_json("/api/v1/products", &w.admin, product("D-1", "羽绒服", "113", "羽绒服")).await.json()["id"].as_i64().unwrap();
        let tee = t.post_json("/api/v1/products", &w.admin, product("T-1", "T恤", "22.60", "T恤")).await.json()["id"].as_i64().unwrap();
        t.upload("/api/v1/import/stock?file=s.csv", &w.admin, "sku,warehouse_code,quantity\nD-1,WH,100\nT-1,WH,100\n").await;

        // The rep's 2026 target: 2,000 a month on the invoiced basis.
        let plan = json!({"basis": "invoiced", "lines": [
            {"subject": {"kind": "company"}, "annual": "24000"}, {"subject": {"kind": "rep", "id": rep_id}, "annual": "24000"}]});
        assert_eq!(t.json(Method::PUT, "/api/v1/sales-targets/2026", &mgr, plan, &[]).await.status, StatusCode::OK);
        t.post_json("/api/v1/sales-targets/2026/submit", &mgr, json!({})).await;
        assert_eq!(t.post_json("/api/v1/sales-targets/2026/approve", &gm, json!({})).await.json()["status"], "approved");

        // Policy A from 1 November: on invoices, 2 % (羽绒服 5 %), half
        // below 80 % of target, 150 % from 120 %. Only the GM writes it.
        let a = json!({"from": "2026-11-01", "basis": "invoiced", "default_rate": "2", "rates": [{"category": "羽绒服", "rate": "5"}],
            "tiers": [{"from_completion": "0", "factor": "50"}, {"from_completion": "80", "factor": "100"}, {"from_completion": "120", "factor": "150"}]});
        assert_eq!(t.json(Method::PUT, "/api/v1/commissions/policies", &mgr, a.clone(), &[]).await.status, StatusCode::FORBIDDEN);
        let bad = json!({"from": "2026-11-01", "basis": "invoiced", "default_rate": "51", "tiers": [{"from_completion": "10", "factor": "100"}]});
        let r = t.json(Method::PUT, "/api/v1/commissions/policies", &gm, bad, &[]).await;
        assert_eq!(codes(&r), [("default_rate".into(), "out_of_range".into()), ("tiers[0].from_completion".into(), "invalid".into())], "{}", r.text());
        let r = t.json(Method::PUT, "/api/v1/commissions/policies", &gm, a, &[]).await;
        assert_eq!((r.status, r.json()["default_rate_bp"].clone(), r.json()["tiers"][1].clone()), (StatusCode::OK, json!(200), json!({"from_bp": 8000, "factor_bp": 10000})), "{}", r.text());

        // 25 November: 10 jackets and 20 T-shirts shipped and invoiced:
        // 1,582 with tax, 1,400 net (1,000 jackets, 400 T-shirts).
        let order = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, json!({"customer_id": w.customer, "channel": "phone",
            "order_date": "2026-11-25", "lines": [{"product_id": down, "quantity": 10}, {"product_id": tee, "quantity": 20}]})).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/orders/{order}/review"), &w.admin, json!({})).await;
        assert_eq!(t.post_json(&format!("/api/v1/orders/{order}/finance-review"), &w.admin, json!({"decision": "pass"})).await.json()["status"], "approved");
        let sid = ship(&t, &w, order).await["id"].as_i64().unwrap();
        let inv = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await.json();
        assert_eq!((inv["amount"].clone(), inv["net"].clone(), inv["invoice_date"].clone()), (json!("1582"), json!("1400"), json!("2026-11-25")), "{inv}");

        // Policy B from 26 November: on what is collected, 3 %, no tiers.
        let b = json!({"from": "2026-11-26", "basis": "collected", "default_rate": "3", "note": "回款提成"});
        assert_eq!(t.json(Method::PUT, "/api/v1/commissions/policies", &gm, b, &[]).await.status, StatusCode::OK);

        // 27 November: half the invoice is paid and matched (791 of 1,582:
        // 500 of the jackets' net, 200 of the T-shirts').
        clock.set("2026-11-27T04:00:00Z".parse().unwrap());
        let rid = t.post_json("/api/v1/receipts", &w.finance, json!({"customer_id": w.customer, "payer": "加盟商一号",
            "method": "bank_transfer", "amount": "791", "received_on": "2026-11-27", "bank_reference": "B-1"})).await.json()["id"].as_i64().unwrap();
        put_voucher(&t, &w.finance, rid, "slip.png", "image/png", PNG).await;
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await;
        assert_eq!(r.json()["applied"], "791", "{}", r.text());

        // November is computed once it has ended, by the sales manager.
        let r = t.post_json("/api/v1/commissions/months/2026-11", &mgr, json!({})).await;
        assert_eq!(codes(&r), [("month".into(), "not_ended".into())], "{}", r.text());
        clock.set("2026-12-03T04:00:00Z".parse().unwrap());
        assert_eq!(t.post_json("/api/v1/commissions/months/2026-11", &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(codes(&t.post_json("/api/v1/commissions/months/2026-10", &mgr, json!({})).await), [("month".into(), "no_policy".into())]);
        let r = t.post_json("/api/v1/commissions/months/2026-11", &mgr, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // Completion: 1,582 invoiced of 2,000 = 79.1 %, policy A's first
        // tier (×50 %); policy B has no tiers. A: 1,000 × 5 % × 50 % = 25,
        // 400 × 2 % × 50 % = 4; B: 500 × 3 % = 15, 200 × 3 % = 6. Total 50.
        let m = r.json();
        assert_eq!((m["base"].clone(), m["commission"].clone()), (json!("2100"), json!("50")), "{m}");
        let st = &m["statements"][0];
        assert_eq!((st["rep_id"].as_i64().unwrap(), st["target"].clone(), st["actual"].clone(), st["completion_bp"].clone(), st["status"].clone()),
            (rep_id, json!("2000"), json!("1582"), json!(7910), json!("computed")), "{st}");
        let id = st["id"].as_i64().unwrap();
        let s = t.get(&format!("/api/v1/commissions/statements/{id}"), &w.rep).await.json();
        assert_eq!(lines(&s), [
            ("2026-11-01".into(), "T恤".into(), "400".into(), 200, 5000, "4".into()),
            ("2026-11-01".into(), "羽绒服".into(), "1000".into(), 500, 5000, "25".into()),
            ("2026-11-26".into(), "T恤".into(), "200".into(), 300, 10000, "6".into()),
            ("2026-11-26".into(), "羽绒服".into(), "500".into(), 300, 10000, "15".into()),
        ], "{s}");
        assert_eq!((s["lines"][0]["basis"].clone(), s["lines"][2]["basis"].clone()), (json!("invoiced"), json!("collected")));

        // Review: the manager who leads the rep, not another, not the rep.
        let step = |s: &str| format!("/api/v1/commissions/statements/{id}/{s}");
        assert_eq!(t.post_json(&step("review"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        // Another team's manager does not even see it.
        assert_eq!(t.post_json(&step("review"), &other_mgr, json!({})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(codes(&t.post_json(&step("confirm"), &w.finance, json!({})).await), [("status".into(), "illegal_transition".into())]);
        let r = t.post_json(&step("review"), &mgr, json!({})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["reviewed_by"].clone()), (json!("reviewed"), json!("mgr")), "{}", r.text());
        // A reviewed month keeps its policies and its statement.
        let r = t.json(Method::PUT, "/api/v1/commissions/policies", &gm, json!({"from": "2026-11-30", "basis": "invoiced", "default_rate": "9"}), &[]).await;
        assert_eq!(codes(&r), [("from".into(), "already_settled".into())], "{}", r.text());
        let r = t.post_json("/api/v1/commissions/months/2026-11", &mgr, json!({})).await;
        assert_eq!(r.json()["statements"][0]["status"], "reviewed", "{}", r.text());
        // Finance sends it back with a reason, the manager reviews it
        // again, finance confirms it, once.
        assert_eq!(codes(&t.post_json(&step("return"), &w.finance, json!({"reason": " "})).await), [("reason".into(), "required".into())]);
        let r = t.post_json(&step("return"), &w.finance, json!({"reason": "核对回款"})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["return_reason"].clone(), r.json()["reviewed_by"].clone()), (json!("computed"), json!("核对回款"), Value::Null), "{}", r.text());
        t.post_json(&step("review"), &mgr, json!({})).await;
        assert_eq!(t.post_json(&step("confirm"), &mgr, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&step("confirm"), &w.finance, json!({})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["confirmed_by"].clone(), r.json()["commission"].clone()), (json!("confirmed"), json!("cw"), json!("50")), "{}", r.text());
        assert_eq!(codes(&t.post_json(&step("confirm"), &w.finance, json!({})).await), [("status".into(), "illegal_transition".into())]);

        // Who reads what: the rep his own, another rep nothing of it, the
        // manager his team, finance and the GM everyone.
        assert_eq!(t.get(&format!("/api/v1/commissions/statements/{id}"), &rep2).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get("/api/v1/commissions/months/2026-11", &rep2).await.json()["statements"], json!([]));
        assert_eq!(t.get("/api/v1/commissions/months/2026-11", &other_mgr).await.json()["statements"], json!([]));
        assert_eq!(t.get("/api/v1/commissions/statements", &w.rep).await.json().as_array().unwrap().len(), 1);
        assert_eq!(t.get("/api/v1/commissions/months/2026-11", &gm).await.json()["commission"], "50");
        assert_eq!(t.get("/api/v1/commissions/policies", &rep2).await.json().as_array().unwrap().len(), 2);
        assert_eq!(codes(&t.get("/api/v1/commissions/months/2026-13", &gm).await), [("month".into(), "invalid".into())]);

        // The pages: the month with its total, the statement line by line,
        // the Excel with the same numbers; the policy form names a bad line.
        let cookie = t.login("mgr").await;
        let page = t.page("/commissions?month=2026-11", &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(&page.text(), &["销售提成", "李销售", "79.1%", "id=\"commission-total\">50.00<", "已确认", "≥80% ×100%"]);
        let page = t.page(&format!("/commissions/statements/{id}"), &cookie).await.text();
        assert_has(&page, &["id=\"statement-total\">50.00<", "羽绒服", "按回款金额(不含税)", "已确认"]);
        let x = t.page("/commissions?month=2026-11&format=xlsx", &cookie).await;
        let table = kaidan_io::read_table("c.xlsx", &x.body).unwrap();
        assert_eq!((table.rows[0].cells[0].as_str(), table.rows[0].cells[5].as_str()), ("李销售", "50.00"), "{:?}", table.rows);
        let gm_cookie = t.login("gm").await;
        let page = t.page("/commissions?month=2026-11", &gm_cookie).await.text();
        let r = t.submit("/commissions", &gm_cookie, &csrf(&page), &[("step", "policy"), ("month", "2026-11"), ("from", "2027-01-01"),
            ("basis", "collected"), ("default_rate", "2.5"), ("rates", "羽绒服=4\nbroken"), ("tiers", "0:100")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["id=\"commissions-error\"", "rates[1]"]);
        let r = t.submit("/commissions", &gm_cookie, &csrf(&page), &[("step", "policy"), ("month", "2026-11"), ("from", "2027-01-01"),
            ("basis", "collected"), ("default_rate", "2.5"), ("rates", "羽绒服=4"), ("tiers", "0:100\n100:120")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let p = t.get("/api/v1/commissions/policies", &gm).await.json();
        assert_eq!((p[2]["from"].clone(), p[2]["rates"][0]["rate_bp"].clone(), p[2]["tiers"][1]["factor_bp"].clone()), (json!("2027-01-01"), json!(400), json!(12000)), "{p}");
        t.assert_described(&[("/api/v1/commissions/policies", "put"), ("/api/v1/commissions/months/{month}", "post"),
            ("/api/v1/commissions/statements/{id}/confirm", "post")]).await;
    })
    .await;
}
