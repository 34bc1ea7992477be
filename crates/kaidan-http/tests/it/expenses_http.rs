//! Sales expenses (SAL-3), in process on both databases: the general
//! manager's budgets, a rep's claim against his approved visit plan with
//! its receipts, the budget that needs a reason to be passed, approval by
//! the rep's manager and then finance, a return and a resubmission, the
//! reimbursement, the month's figures by hand, and who reads what.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{PNG, world};
use crate::support::{T, assert_has, codes, csrf, on_each_backend};

fn row<'a>(m: &'a Value, kind: &str, id: i64) -> &'a Value {
    m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"]["kind"] == kind && r["subject"]["id"] == id)
        .unwrap()
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_3_claims_against_the_plan_and_budget_approved_by_the_manager_then_finance_and_paid() {
    on_each_backend(|t: T| async move {
        let w = world(&t, "monthly_settlement").await;
        let today = t.app.today_date();
        let month = format!("{:04}-{:02}", today.year(), today.month());
        let gm = t.user_token("gm", &[Role::GeneralManager]).await;
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let other_mgr = t.user_token("mgr2", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let mgr_id = t.app.list_users(&Ctx::system()).await.unwrap().into_iter().find(|u| u.username == "mgr").unwrap().id.get();
        let team = t.post_json("/api/v1/teams", &w.admin, json!({"code": "SC-1", "name": "华南一组", "manager_id": mgr_id})).await.json()["id"].as_i64().unwrap();
        t.json(Method::PUT, &format!("/api/v1/users/{rep_id}/team"), &w.admin, json!({"team_id": team}), &[]).await;
        let rep2 = t.app.create_user(&Ctx::system(), NewUserInput { username: "rep2".into(), display_name: "王销售".into(),
            password: "correct horse".into(), roles: vec![Role::SalesRep], customer_id: None }).await.unwrap();
        let rep2 = t.app.add_token(&Ctx::system(), rep2.id, "t").await.unwrap().token;

        // Budgets: the general manager's; bad ones named, nothing written.
        let budgets = |lines: Value| json!({"lines": lines});
        let path = format!("/api/v1/expenses/{month}/budgets");
        assert_eq!(t.json(Method::PUT, &path, &mgr, budgets(json!([])), &[]).await.status, StatusCode::FORBIDDEN);
        let r = t.json(Method::PUT, &path, &gm, budgets(json!([{"subject": {"kind": "rep", "id": 999999}, "amount": "100"},
            {"subject": {"kind": "team", "id": team}, "amount": "-1"}])), &[]).await;
        assert_eq!(codes(&r), [("lines[1].amount".into(), "out_of_range".into())], "{}", r.text());
        let r = t.json(Method::PUT, &path, &gm, budgets(json!([{"subject": {"kind": "rep", "id": 999999}, "amount": "100"}])), &[]).await;
        assert_eq!(codes(&r), [("lines[0].subject".into(), "unknown_reference".into())]);
        let r = t.json(Method::PUT, &path, &gm, budgets(json!([{"subject": {"kind": "rep", "id": rep_id}, "amount": "500"},
            {"subject": {"kind": "team", "id": team}, "amount": "800"}])), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // The rep's approved visit plan of the month: one visit, 200 asked for.
        let plan = t.json(Method::PUT, &format!("/api/v1/visit-plans/month/{month}"), &w.rep, json!({"visits": [{"customer_id": w.customer,
            "day": today.to_string(), "hours": "1", "purpose": "customer_care", "expense": "200"}]}), &[]).await.json();
        let pid = plan["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/visit-plans/{pid}/submit"), &w.rep, json!({})).await;
        assert_eq!(t.post_json(&format!("/api/v1/visit-plans/{pid}/approve"), &mgr, json!({})).await.json()["status"], "approved");

        // The claim: 266.50 for the planned visit (over its 200), 50 not
        // in the plan. Bad lines named, nothing written.
        let line = |cat: &str, amount: &str, visit: Option<i64>| json!({"spent_on": today.to_string(), "category": cat, "amount": amount,
            "customer_id": w.customer, "visit_no": visit, "description": "拜访加盟商一号"});
        let r = t.post_json("/api/v1/expense-claims", &w.rep, json!({"month": month, "plan_id": pid, "lines": [line("travel", "86.50", Some(9)),
            {"spent_on": "2000-01-01", "category": "travel", "amount": "1", "description": "x"}]})).await;
        assert_eq!(codes(&r), [("lines[0].visit_no".into(), "unknown_reference".into())], "{}", r.text());
        let r = t.post_json("/api/v1/expense-claims", &w.rep, json!({"month": month, "lines": [{"spent_on": "2000-01-01", "category": "travel", "amount": "1", "description": "x"}]})).await;
        assert_eq!(codes(&r), [("lines[0].spent_on".into(), "out_of_range".into())]);
        assert_eq!(t.post_json("/api/v1/expense-claims", &gm, json!({"month": month, "lines": []})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/expense-claims", &w.rep, json!({"month": month, "plan_id": pid, "note": "十二月第一周",
            "lines": [line("travel", "86.50", Some(1)), line("entertainment", "180", Some(1)), line("samples", "50", None)]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        let c1 = v["claim"]["id"].as_i64().unwrap();
        assert_eq!((v["claim"]["total"].clone(), v["claim"]["status"].clone()), (json!("316.5"), json!("draft")), "{v}");
        assert_eq!((v["plan"][0]["planned"].clone(), v["plan"][0]["claimed"].clone(), v["plan"][0]["over"].clone(), v["unplanned"].clone()),
            (json!("200"), json!("266.5"), json!(true), json!("50")), "{v}");
        assert_eq!(v["rep_budget"]["remaining"], "500");

        // Receipts first; a file that is no image or PDF is refused.
        let step = |id: i64, s: &str| format!("/api/v1/expense-claims/{id}/{s}");
        assert_eq!(codes(&t.post_json(&step(c1, "submit"), &w.rep, json!({})).await), [("receipts".into(), "required".into())]);
        assert_eq!(codes(&t.upload(&format!("{}?file=a.txt", step(c1, "receipts")), &w.rep, "hello").await)[0].1, "wrong_type");
        let r = t.upload(&format!("{}?file=fapiao.png", step(c1, "receipts")), &w.rep, PNG).await;
        assert_eq!(r.json()["claim"]["receipts"][0]["file_name"], "fapiao.png", "{}", r.text());
        assert_eq!(t.upload(&format!("{}?file=x.png", step(c1, "receipts")), &rep2, PNG).await.status, StatusCode::NOT_FOUND);
        let r = t.post_json(&step(c1, "submit"), &w.rep, json!({})).await;
        assert_eq!(r.json()["claim"]["status"], "submitted", "{}", r.text());
        assert_eq!(r.json()["rep_budget"]["remaining"], "183.5");

        // A second claim of 300 goes over what is left (183.50): only with
        // a reason.
        let c2 = t.post_json("/api/v1/expense-claims", &w.rep, json!({"month": month, "lines": [line("gifts", "300", None)]})).await.json()["claim"]["id"].as_i64().unwrap();
        t.upload(&format!("{}?file=b.png", step(c2, "receipts")), &w.rep, PNG).await;
        let r = t.post_json(&step(c2, "submit"), &w.rep, json!({})).await;
        assert_eq!(codes(&r), [("over_budget_reason".into(), "over_budget".into())], "{}", r.text());
        assert!(r.json()["errors"][0]["message"].as_str().unwrap().contains("183.50"), "{}", r.text());
        let r = t.post_json(&step(c2, "submit"), &w.rep, json!({"over_budget_reason": "年底客户答谢礼品"})).await;
        assert_eq!((r.json()["claim"]["status"].clone(), r.json()["claim"]["over_budget_reason"].clone()), (json!("submitted"), json!("年底客户答谢礼品")), "{}", r.text());

        // The manager who leads the rep approves, then finance.
        assert_eq!(t.post_json(&step(c1, "approve"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.post_json(&step(c1, "approve"), &other_mgr, json!({})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.post_json(&step(c1, "approve"), &w.finance, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.post_json(&step(c1, "approve"), &mgr, json!({})).await.json()["claim"]["status"], "manager_approved");
        assert_eq!(t.post_json(&step(c1, "approve"), &mgr, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.post_json(&step(c1, "approve"), &w.finance, json!({})).await.json()["claim"]["status"], "approved");
        // The manager returns the second; the rep lowers it to 150 and it
        // passes without a reason.
        let r = t.post_json(&step(c2, "return"), &mgr, json!({"reason": "礼品超标,请按标准报销"})).await;
        assert_eq!((r.json()["claim"]["status"].clone(), r.json()["claim"]["return_reason"].clone()), (json!("returned"), json!("礼品超标,请按标准报销")));
        let r = t.json(Method::PUT, &format!("/api/v1/expense-claims/{c2}"), &w.rep, json!({"month": month, "lines": [line("gifts", "150", None)]}), &[]).await;
        assert_eq!((r.json()["claim"]["status"].clone(), r.json()["claim"]["over_budget_reason"].clone()), (json!("draft"), Value::Null), "{}", r.text());
        assert_eq!(t.post_json(&step(c2, "submit"), &w.rep, json!({})).await.json()["claim"]["status"], "submitted");
        assert_eq!(codes(&t.json(Method::PUT, &format!("/api/v1/expense-claims/{c2}"), &w.rep, json!({"month": month, "lines": [line("gifts", "1", None)]}), &[]).await)[0].1, "illegal_transition");

        // Finance pays the first.
        let pay = |d: String| json!({"paid_on": d, "reference": "记-2026-1201"});
        let tomorrow = today.tomorrow().unwrap().to_string();
        assert_eq!(codes(&t.post_json(&step(c1, "reimburse"), &w.finance, pay(tomorrow)).await), [("paid_on".into(), "in_future".into())]);
        assert_eq!(t.post_json(&step(c1, "reimburse"), &mgr, pay(today.to_string())).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&step(c1, "reimburse"), &w.finance, pay(today.to_string())).await;
        assert_eq!((r.json()["claim"]["status"].clone(), r.json()["claim"]["paid_ref"].clone()), (json!("reimbursed"), json!("记-2026-1201")), "{}", r.text());
        assert_eq!(codes(&t.post_json(&step(c1, "reimburse"), &w.finance, pay(today.to_string())).await)[0].1, "illegal_transition");

        // The month by hand: the rep spent 316.50, 150 in review, 33.50
        // left of 500; the team the same of 800.
        let m = t.get(&format!("/api/v1/expenses/{month}"), &mgr).await.json();
        let r = row(&m, "rep", rep_id);
        assert_eq!((r["budget"]["spent"].clone(), r["budget"]["pending"].clone(), r["budget"]["remaining"].clone(), r["claims"].clone()),
            (json!("316.5"), json!("150"), json!("33.5"), json!(2)), "{m}");
        assert_eq!(row(&m, "team", team)["budget"]["remaining"], "333.5");
        // Who reads what: another rep nothing of it; the receipt as stored.
        let m2 = t.get(&format!("/api/v1/expenses/{month}"), &rep2).await.json();
        assert_eq!(m2["claims"], json!([]));
        assert_eq!(t.get(&format!("/api/v1/expense-claims/{c1}"), &rep2).await.status, StatusCode::NOT_FOUND);
        let f = t.get(&format!("/api/v1/expense-claims/{c1}/receipts/1"), &w.finance).await;
        assert_eq!(f.body, PNG);

        // The pages: the rep's claim with its checks; finance's month.
        let cookie = t.login("rep").await;
        let page = t.page(&format!("/expenses/claims/{c1}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(&page.text(), &["已报销", "超计划", "id=\"expense-total\">316.50<", "fapiao.png", "记-2026-1201"]);
        let month_page = t.page(&format!("/expenses?month={month}"), &cookie).await;
        assert_has(&month_page.text(), &["费用报销", "316.50", "33.50", "已报销", "待经理审核"]);
        // A claim written on the page: a row without a day is left out.
        let form = t.page(&format!("/expenses/claims/new?month={month}"), &cookie).await.text();
        let r = t.submit("/expenses/claims/new", &cookie, &csrf(&form), &[("month", &month), ("day0", &today.to_string()),
            ("category0", "travel"), ("amount0", "abc"), ("description0", "出租车")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["row 1 amount"]);
        let r = t.submit("/expenses/claims/new", &cookie, &csrf(&form), &[("month", &month), ("day0", &today.to_string()),
            ("category0", "travel"), ("amount0", "45.00"), ("description0", "出租车"), ("day1", "")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    })
    .await;
}
