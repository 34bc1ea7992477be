//! Customer visits (SAL-2, KPI-5), in process on both databases: a rep's
//! plan checked and submitted (in time or late), approved only by the
//! manager who leads him, reports on time and late, the things promised
//! closed once, the month counted by hand, and whoever may not read or
//! decide refused without a change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::world;
use crate::support::{T, assert_has, csrf, on_each_backend};

fn month_of(d: jiff::civil::Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

async fn put(t: &T, token: &str, month: &str, body: Value) -> crate::support::Res {
    t.json(
        Method::PUT,
        &format!("/api/v1/visit-plans/month/{month}"),
        token,
        body,
        &[],
    )
    .await
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_2_kpi_5_visit_plans_reports_and_the_months_count() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let today = t.app.today_date();
        let this = month_of(today);
        let next_first = today.last_of_month().tomorrow().unwrap();
        let next = month_of(next_first);
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let other_mgr = t.user_token("mgr2", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let mgr_id = t.app.list_users(&Ctx::system()).await.unwrap().into_iter().find(|u| u.username == "mgr").unwrap().id.get();
        let team = t.post_json("/api/v1/teams", &w.admin, json!({"code": "SC-1", "name": "华南一组", "manager_id": mgr_id})).await.json()["id"].as_i64().unwrap();
        t.json(Method::PUT, &format!("/api/v1/users/{rep_id}/team"), &w.admin, json!({"team_id": team}), &[]).await;
        let rep2 = t.app.create_user(&Ctx::system(), NewUserInput { username: "rep2".into(), display_name: "王销售".into(),
            password: "correct horse".into(), roles: vec![Role::SalesRep], customer_id: None }).await.unwrap();
        let rep2 = t.app.add_token(&Ctx::system(), rep2.id, "t").await.unwrap().token;

        // Next month's plan: a customer and a prospect; bad rows named.
        let visit = |day: jiff::civil::Date| json!({"customer_id": w.customer, "day": day.to_string(), "hours": "1.5",
            "purpose": "customer_care", "expense": "200", "gifts": "春夏样衣两件"});
        let prospect = json!({"prospect": "东莞新店", "day": next_first.to_string(), "hours": "2", "purpose": "new_customer"});
        let r = put(&t, &w.rep, &next, json!({"visits": [visit(today), {"customer_id": 999999, "day": next_first.to_string(), "hours": "1", "purpose": "collection"},
            {"prospect": "x", "day": next_first.to_string(), "hours": "0.25", "purpose": "collection"}]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert_eq!(fields, ["visits[1].customer_id"], "{}", r.text());
        let r = put(&t, &w.rep, &next, json!({"visits": [visit(today), {"prospect": "x", "day": next_first.to_string(), "hours": "0.25", "purpose": "collection"}]})).await;
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert_eq!(fields, ["visits[0].day", "visits[1].hours"], "{}", r.text());
        assert_eq!(put(&t, &w.rep, "2026-13", json!({"visits": []})).await.json()["errors"][0]["field"], "month");
        assert_eq!(t.get(&format!("/api/v1/visit-plans?month={next}"), &w.rep).await.json(), json!([]));
        let r = put(&t, &w.rep, &next, json!({"note": "下月重点:深圳加盟商", "visits": [visit(next_first), prospect]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let plan = r.json();
        let pid = plan["id"].as_i64().unwrap();
        assert_eq!((plan["status"].clone(), plan["visits"][0]["minutes"].clone(), plan["visits"][1]["prospect"].clone()), (json!("draft"), json!(90), json!("东莞新店")), "{plan}");
        // Submitted before its month: in time. Only the manager who leads
        // the rep decides; not the rep, another rep or another manager.
        let step = |id: i64, s: &str| format!("/api/v1/visit-plans/{id}/{s}");
        let r = t.post_json(&step(pid, "submit"), &w.rep, json!({})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["in_time"].clone()), (json!("submitted"), json!(true)), "{}", r.text());
        assert_eq!(put(&t, &w.rep, &next, json!({"visits": [visit(next_first)]})).await.json()["errors"][0]["code"], "illegal_transition");
        assert_eq!(t.post_json(&step(pid, "approve"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.post_json(&step(pid, "approve"), &rep2, json!({})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.post_json(&step(pid, "approve"), &other_mgr, json!({})).await.json()["errors"][0]["code"], "not_in_team");
        assert_eq!(t.get(&format!("/api/v1/visit-plans/{pid}"), &rep2).await.status, StatusCode::NOT_FOUND);
        let r = t.post_json(&step(pid, "return"), &mgr, json!({"reason": "请增加回款拜访"})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["return_reason"].clone()), (json!("returned"), json!("请增加回款拜访")), "{}", r.text());
        t.post_json(&step(pid, "submit"), &w.rep, json!({})).await;
        assert_eq!(t.post_json(&step(pid, "approve"), &mgr, json!({})).await.json()["status"], "approved");

        // This month's plan, written today: late. Its visit is reported
        // today (in time); an unplanned visit three days ago, late.
        let r = put(&t, &w.rep, &this, json!({"visits": [visit(today)]})).await;
        let this_id = r.json()["id"].as_i64().unwrap();
        assert_eq!(t.post_json(&step(this_id, "submit"), &w.rep, json!({})).await.json()["in_time"], false);
        // A visit of a plan not yet approved is not reported: its visits
        // may still be rewritten.
        let early = json!({"plan_id": this_id, "visit_no": 1, "customer_id": w.customer, "visited_on": today.to_string(),
            "purpose": "customer_care", "summary": "x"});
        let r = t.post_json("/api/v1/visit-reports", &w.rep, early).await;
        assert_eq!((r.json()["errors"][0]["field"].clone(), r.json()["errors"][0]["code"].clone()), (json!("plan_id"), json!("illegal_transition")), "{}", r.text());
        t.post_json(&step(this_id, "approve"), &mgr, json!({})).await;
        let report = json!({"plan_id": this_id, "visit_no": 1, "customer_id": w.customer, "visited_on": today.to_string(),
            "purpose": "customer_care", "summary": "店铺陈列良好,询问秋冬新品到货时间", "inquiries": 3,
            "actions": [{"what": "发送秋冬新品目录", "due": today.to_string()}]});
        let r = t.post_json("/api/v1/visit-reports", &w.rep, report.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let on_time = r.json();
        assert_eq!(on_time["late"], false);
        assert_eq!(t.post_json("/api/v1/visit-reports", &w.rep, report).await.json()["errors"][0]["code"], "duplicate");
        let three_ago = today.checked_sub(jiff::Span::new().days(3)).unwrap();
        let two_ago = today.checked_sub(jiff::Span::new().days(2)).unwrap();
        let late = t.post_json("/api/v1/visit-reports", &w.rep, json!({"prospect": "惠州新商场", "visited_on": three_ago.to_string(),
            "purpose": "market_research", "summary": "商场招商中", "inquiries": 1,
            "actions": [{"what": "报送招商条件", "due": two_ago.to_string()}]})).await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.text());
        let late = late.json();
        assert_eq!(late["late"], true, "{late}");
        let r = t.post_json("/api/v1/visit-reports", &w.rep, json!({"customer_id": w.customer, "visited_on": next_first.to_string(),
            "purpose": "collection", "summary": "x"})).await;
        assert_eq!(r.json()["errors"][0]["field"], "visited_on", "{}", r.text());

        // The month counted by hand.
        let row = |v: &Value| v["rows"].as_array().unwrap().iter().find(|r| r["rep_id"] == rep_id).cloned().unwrap();
        let m = t.get(&format!("/api/v1/visits/{this}"), &mgr).await.json();
        let same = month_of(three_ago) == this;
        let expected = json!({"planned": 1, "planned_done": 1, "visits": if same { 2 } else { 1 }, "late_reports": i32::from(same),
            "inquiries": if same { 4 } else { 3 }, "open_actions": if same { 2 } else { 1 }, "overdue_actions": i32::from(same), "plan_in_time": false});
        let got = row(&m);
        for k in ["planned", "planned_done", "visits", "late_reports", "inquiries", "open_actions", "overdue_actions", "plan_in_time"] {
            assert_eq!(got[k], expected[k], "{k}: {got}");
        }
        assert_eq!(row(&t.get(&format!("/api/v1/visits/{next}"), &w.rep).await.json())["planned"], 2);

        // The review once, by the manager; the promised thing done once.
        let rid = on_time["id"].as_i64().unwrap();
        assert_eq!(t.post_json(&format!("/api/v1/visit-reports/{rid}/review"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/visit-reports/{rid}/review"), &mgr, json!({"note": "跟进及时"})).await;
        assert_eq!(r.json()["reviewed_by"], "mgr", "{}", r.text());
        assert_eq!(t.post_json(&format!("/api/v1/visit-reports/{rid}/review"), &mgr, json!({})).await.json()["errors"][0]["code"], "illegal_transition");
        let r = t.post_json(&format!("/api/v1/visit-reports/{rid}/actions/1/done"), &w.rep, json!({"note": "已发邮件"})).await;
        assert!(r.json()["actions"][0]["done_at"].is_string(), "{}", r.text());
        assert_eq!(t.post_json(&format!("/api/v1/visit-reports/{rid}/actions/1/done"), &w.rep, json!({})).await.json()["errors"][0]["field"], "action_no");

        // Who reads: the rep his own, rep2 nothing of his, the warehouse nothing.
        assert_eq!(t.get(&format!("/api/v1/visit-reports?month={this}"), &rep2).await.json(), json!([]));
        assert_eq!(t.get(&format!("/api/v1/visits/{this}"), &w.wh).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/visit-reports?month=x&colour=red", &mgr).await.json()["errors"][0]["field"], "colour");

        // The pages: the month, the plan form refusing a bad row, a report.
        let page = t.login("rep").await;
        let html = t.page(&format!("/visits?month={this}"), &page).await.text();
        assert_has(&html, &["visit-month", "李销售", "visit-plan-next", "visit-reports", "加盟商一号"]);
        let html = t.page("/", &page).await.text();
        assert_has(&html, &["本月拜访", "1 / 1", "/visits?month="]);
        let html = t.page("/", &t.login("mgr").await).await.text();
        assert_has(&html, &["待审核拜访报告"]);
        let html = t.page(&format!("/visits/plan/{next}"), &page).await.text();
        assert_has(&html, &["visit-plan-form", "东莞新店"]);
        let form = t.page("/visits/reports/new", &page).await.text();
        let r = t.submit("/visits/reports/new", &page, &csrf(&form), &[("customer", "NOPE"), ("visited_on", &today.to_string()), ("purpose", "collection"), ("summary", "催收货款")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["visit-report-error", "NOPE"]);
        let html = t.page(&format!("/visits/reports/{rid}"), &t.login("mgr").await).await.text();
        assert_has(&html, &["发送秋冬新品目录", "跟进及时", "已发邮件"]);
    })
    .await;
}
