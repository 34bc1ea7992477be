//! Sales targets (SAL-1), in process on both databases: the plan's split
//! checked and refused where it does not add up, its approval by the
//! general manager, completion counted by hand on two bases, the months
//! missed in a row and their follow-ups, a rep reading only his own line,
//! the page, its form and its Excel export carrying the same numbers, and
//! bad input refused without a change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{approved, ship, world};
use crate::support::{T, assert_has, csrf, on_each_backend};

fn plan(basis: &str, team: i64, rep: i64, team_annual: &str) -> Value {
    json!({"basis": basis, "note": "年度销售目标", "lines": [
        {"subject": {"kind": "company"}, "annual": "2400"},
        {"subject": {"kind": "team", "id": team}, "annual": team_annual},
        {"subject": {"kind": "rep", "id": rep}, "annual": team_annual},
    ]})
}

async fn put(t: &T, token: &str, year: i32, body: Value) -> crate::support::Res {
    t.json(
        Method::PUT,
        &format!("/api/v1/sales-targets/{year}"),
        token,
        body,
        &[],
    )
    .await
}

fn row<'a>(v: &'a Value, kind: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} row in {v}"))
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_1_targets_split_approved_and_counted_on_their_basis() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let year = i32::from(t.app.today_date().year());
        let gm = t.user_token("gm", &[Role::GeneralManager]).await;
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let team = t.post_json("/api/v1/teams", &w.admin, json!({"code": "SC-1", "name": "华南一组"})).await.json()["id"].as_i64().unwrap();
        let r = t.json(Method::PUT, &format!("/api/v1/users/{rep_id}/team"), &w.admin, json!({"team_id": team}), &[]).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

        // Sold today: o1 (2 × 99.50) shipped, o2 (1 × 99.50) only ordered.
        let o1 = approved(&t, &w, 2).await;
        ship(&t, &w, o1).await;
        approved(&t, &w, 1).await;

        // Only the sales department writes; the rep and the GM may not.
        assert_eq!(put(&t, &w.rep, year, plan("ordered", team, rep_id, "2400")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(put(&t, &gm, year, plan("ordered", team, rep_id, "2400")).await.status, StatusCode::FORBIDDEN);
        // A split that does not add up is refused, naming it; nothing is kept.
        let r = put(&t, &mgr, year, plan("ordered", team, rep_id, "2000")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "lines", "{}", r.text());
        assert!(r.text().contains("teams' targets add up to 166.67"), "{}", r.text());
        assert_eq!(t.get(&format!("/api/v1/sales-targets/{year}"), &mgr).await.status, StatusCode::NOT_FOUND);
        let r = put(&t, &mgr, year, plan("ordered", 999, rep_id, "2400")).await;
        assert_eq!(r.json()["errors"][0]["field"], "lines[1].subject", "{}", r.text());
        let r = put(&t, &mgr, 1999, plan("ordered", team, rep_id, "2400")).await;
        assert_eq!(r.json()["errors"][0]["field"], "year", "{}", r.text());
        let r = put(&t, &mgr, year, json!({"basis": "hoped", "lines": []})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let mut odd = plan("ordered", team, rep_id, "2400");
        odd["lines"][0]["months"] = json!(vec!["200"; 11]);
        assert_eq!(put(&t, &mgr, year, odd).await.json()["errors"][0]["field"], "lines[0].months");

        // Written as a draft, split evenly: 200.00 a month.
        let r = put(&t, &mgr, year, plan("ordered", team, rep_id, "2400")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let p = r.json();
        assert_eq!((p["status"].clone(), p["lines"][0]["months"][11].clone()), (json!("draft"), json!("200")), "{p}");
        // On the ordered basis this month: 298.50 of 200.00 for each.
        let m = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=month"), &mgr).await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.text());
        let m = m.json();
        for kind in ["company", "team", "rep"] {
            assert_eq!((row(&m, kind)["target"].clone(), row(&m, kind)["actual"].clone(), row(&m, kind)["completion_percent"].clone()),
                (json!("200"), json!("298.5"), json!("149.25")), "{kind}: {m}");
        }

        // Approval: the GM cannot approve a draft; submitted, it is fixed.
        let step = |s: &'static str| format!("/api/v1/sales-targets/{year}/{s}");
        let r = t.post_json(&step("approve"), &gm, json!({})).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("illegal_transition")), "{}", r.text());
        assert_eq!(t.post_json(&step("submit"), &mgr, json!({})).await.json()["status"], "submitted");
        assert_eq!(put(&t, &mgr, year, plan("shipped", team, rep_id, "2400")).await.json()["errors"][0]["code"], "illegal_transition");
        assert_eq!(t.post_json(&step("approve"), &mgr, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&step("return"), &gm, json!({"reason": "按发货口径考核"})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["return_reason"].clone()), (json!("returned"), json!("按发货口径考核")), "{}", r.text());
        assert_eq!(put(&t, &mgr, year, plan("shipped", team, rep_id, "2400")).await.json()["basis"], "shipped");
        t.post_json(&step("submit"), &mgr, json!({})).await;
        let r = t.post_json(&step("approve"), &gm, json!({})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["decided_by"].clone()), (json!("approved"), json!("gm")), "{}", r.text());

        // On the shipped basis: 199.00 this month (99.50 %), of 2400 this
        // year (8.29 %); the months so far are missed in a row.
        let m = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=month"), &gm).await.json();
        assert_eq!((row(&m, "rep")["actual"].clone(), row(&m, "rep")["completion_percent"].clone()), (json!("199"), json!("99.50")), "{m}");
        let y = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=year"), &gm).await.json();
        assert_eq!((row(&y, "company")["target"].clone(), row(&y, "company")["completion_percent"].clone()), (json!("2400"), json!("8.29")), "{y}");
        let q = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=quarter"), &gm).await.json();
        assert_eq!(row(&q, "team")["target"], "600", "{q}");
        let months = t.get(&format!("/api/v1/sales-targets/{year}/months"), &gm).await.json();
        let month_now = usize::try_from(t.app.today_date().month()).unwrap();
        let cells = row(&months, "rep")["months"].as_array().unwrap().clone();
        assert_eq!((cells[month_now - 1]["actual"].clone(), cells[month_now - 1]["closed"].clone()), (json!("199"), json!(false)));
        for (i, c) in cells.iter().enumerate().take(month_now - 1) {
            assert_eq!(c["missed_in_a_row"], json!(i + 1), "{c}");
        }
        let misses = t.get(&format!("/api/v1/sales-targets/{year}/misses"), &gm).await.json();
        assert_eq!(misses.as_array().unwrap().len(), 2 * (month_now - 1), "{misses}");

        // A follow-up answers a closed miss; this month is not missed yet.
        let fu = |month: usize, kind: &str| json!({"subject": {"kind": "rep", "id": rep_id}, "month": month, "kind": kind, "note": "约谈并制定改进计划"});
        let r = t.post_json(&step("follow-ups"), &mgr, fu(month_now, "interview")).await;
        assert!(r.text().contains("did not miss"), "{}", r.text());
        if month_now >= 3 {
            let r = t.post_json(&step("follow-ups"), &mgr, fu(1, "warning")).await;
            assert_eq!(r.json()["errors"][0]["field"], "kind", "{}", r.text());
            let r = t.post_json(&step("follow-ups"), &mgr, fu(2, "warning")).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            let misses = t.get(&format!("/api/v1/sales-targets/{year}/misses"), &gm).await.json();
            let feb = misses.as_array().unwrap().iter().find(|m| m["month"] == 2 && m["subject"]["kind"] == "rep").unwrap();
            assert_eq!((feb["asks"].clone(), feb["follow_ups"][0]["kind"].clone()), (json!("warning_or_post_change"), json!("warning")), "{feb}");
        }

        // The rep reads only his own line; a warehouse user none at all.
        let mine = t.get(&format!("/api/v1/sales-targets/{year}/progress"), &w.rep).await.json();
        let kinds: Vec<&str> = mine["rows"].as_array().unwrap().iter().map(|r| r["subject"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["rep"], "{mine}");
        assert_eq!(t.get(&format!("/api/v1/sales-targets/{year}"), &w.wh).await.status, StatusCode::FORBIDDEN);

        // Bad parameters are named.
        let r = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=decade"), &gm).await;
        assert_eq!(r.json()["errors"][0]["field"], "span", "{}", r.text());
        let r = t.get(&format!("/api/v1/sales-targets/{year}/progress?at=2001-01-01"), &gm).await;
        assert_eq!(r.json()["errors"][0]["field"], "at", "{}", r.text());
        let r = t.get(&format!("/api/v1/sales-targets/{year}/progress?colour=red"), &gm).await;
        assert_eq!(r.json()["errors"][0]["field"], "colour", "{}", r.text());
        assert_eq!(t.get("/api/v1/sales-targets/twenty", &gm).await.json()["errors"][0]["field"], "year");

        // The page shows the same numbers; the export too.
        let page = t.login("gm").await;
        let html = t.page(&format!("/targets/{year}?span=year"), &page).await.text();
        assert_has(&html, &["已批准", "按发货金额", "target-progress", "8.29%", "target-months", "target-misses"]);
        let x = t.page(&format!("/targets/{year}?span=year&format=xlsx"), &page).await;
        let table = kaidan_io::read_table("t.xlsx", &x.body).unwrap();
        let company = table.rows.iter().find(|r| r.cells[0] == "全公司").unwrap();
        assert_eq!((company.cells[1].as_str(), company.cells[2].as_str(), company.cells[3].as_str()), ("2400.00", "199.00", "8.29"), "{:?}", table.rows);

        // The dashboards: the GM the company's, the rep his own.
        let html = t.page("/", &page).await.text();
        assert_has(&html, &["home-targets", "本月 · 全公司", "本年 · 全公司", "8.29%"]);
        let html = t.page("/", &t.login("rep").await).await.text();
        assert_has(&html, &["home-targets", "本月 · 业务员 · 李销售", "99.50%"]);
        assert!(!html.contains("本月 · 全公司"), "{html}");

        // The form writes next year's plan from the annual amounts alone.
        let page = t.login("mgr").await;
        let html = t.page(&format!("/targets/{}/edit", year + 1), &page).await.text();
        assert_has(&html, &["target-grid", "annual-company-0", &format!("annual.team:{team}")]);
        let token = csrf(&html);
        let r = t.submit(&format!("/targets/{}/edit", year + 1), &page, &token, &[("basis", "invoiced"), ("annual.company:0", "1200"), ("m3.company:0", "abc")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["target-form-error", "全公司 month 3", "abc"]);
        assert_eq!(t.get(&format!("/api/v1/sales-targets/{}", year + 1), &mgr).await.status, StatusCode::NOT_FOUND);
        let r = t.submit(&format!("/targets/{}/edit", year + 1), &page, &token, &[("basis", "invoiced"), ("annual.company:0", "1,200.00")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let next = t.get(&format!("/api/v1/sales-targets/{}", year + 1), &mgr).await.json();
        assert_eq!((next["basis"].clone(), next["lines"][0]["months"][0].clone()), (json!("invoiced"), json!("100")), "{next}");
        let list = t.get("/api/v1/sales-targets", &gm).await.json();
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");

        // The year's page reads the records once: its progress summed from
        // the months is the progress read for the period itself.
        let sys = kaidan_app::Ctx::system();
        let y = t.app.today_date().year();
        for span in kaidan_domain::targets::TargetSpan::ALL.iter().copied() {
            let (p, m, x) = t.app.target_year(&sys, y, span, None).await.unwrap();
            let alone = t.app.target_progress(&sys, y, span, None).await.unwrap();
            // The year's page reads its kept months by the month, the
            // period alone those inside it (ADR 0046): the same numbers.
            let (mut p, mut alone) = (serde_json::to_value(&p).unwrap(), serde_json::to_value(&alone).unwrap());
            p["kept_months"] = json!(0);
            alone["kept_months"] = json!(0);
            assert_eq!(p, alone, "{span}");
            assert_eq!(serde_json::to_value(&m).unwrap(), serde_json::to_value(t.app.target_months(&sys, y).await.unwrap()).unwrap());
            assert_eq!(serde_json::to_value(&x).unwrap(), serde_json::to_value(t.app.target_misses(&sys, y).await.unwrap()).unwrap());
        }
    })
    .await;
}
