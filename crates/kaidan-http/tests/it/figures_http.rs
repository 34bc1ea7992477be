//! The figures (KPI-1, KPI-2, KPI-4, KPI-5; ADR 0038), in process on both
//! databases: a small world counted by hand (numerator and denominator),
//! the breakdown summing to the total, the click-through naming why each
//! order counts, a rep reading only his own, the Excel export carrying the
//! page's numbers, the home page's figures, and bad parameters refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{ship, world};
use crate::support::{T, assert_has, on_each_backend};

/// An order of `qty` units of `product` for `customer` entered with
/// `token`, reviewed and approved by `admin`; its id.
async fn order(t: &T, token: &str, admin: &str, customer: i64, product: i64, qty: i64) -> i64 {
    let body = json!({"customer_id": customer, "channel": "phone", "order_date": "2026-11-23",
                      "lines": [{"product_id": product, "quantity": qty}]});
    let r = t
        .post_json("/api/v1/orders?confirm_duplicate=true", token, body)
        .await;
    let id = r.json()["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", r.text()));
    t.post_json(&format!("/api/v1/orders/{id}/review"), admin, json!({}))
        .await;
    id
}

async fn approve(t: &T, admin: &str, id: i64) {
    let r = t
        .post_json(
            &format!("/api/v1/orders/{id}/finance-review"),
            admin,
            json!({"decision": "pass"}),
        )
        .await;
    assert_eq!(r.json()["status"], "approved", "{}", r.text());
}

/// A coat with a cost price (60.00 against 99.50) and 100 in stock; its id.
async fn coat(t: &T, admin: &str) -> i64 {
    let p = t
        .post_json(
            "/api/v1/products",
            admin,
            json!({"sku": "C-1", "name": "外套", "unit": "件", "season": "none",
                   "list_price": "99.50", "cost_price": "60.00", "tax_rate": "0.13", "category": "外套"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        admin,
        "sku,warehouse_code,quantity\nC-1,WH,100\n",
    )
    .await;
    p.json()["id"].as_i64().unwrap()
}

fn groups(v: &Value) -> Vec<(String, i64, i64)> {
    let mut g: Vec<(String, i64, i64)> = v["table"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_string(),
                g["tally"]["counted"].as_i64().unwrap(),
                g["tally"]["hits"].as_i64().unwrap(),
            )
        })
        .collect();
    g.sort();
    g
}

#[tokio::test]
#[rustfmt::skip]
async fn kpi_1_2_4_5_counted_by_hand_broken_down_and_read_by_whoever_may() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let product = coat(&t, &w.admin).await;
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-9", "name": "无代表客户", "kind": "store",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "广州"})).await.json()["id"].as_i64().unwrap();
        let clerk = t.user_token("oc", &[Role::OrderClerk]).await;

        // o1: approved and shipped in full, on time: right and on time.
        let o1 = order(&t, &w.admin, &w.admin, w.customer, product, 2).await;
        approve(&t, &w.admin, o1).await;
        ship(&t, &w, o1).await;
        // o2: approved, then changed for an entry error: not right; its
        // shipping deadline is ahead, so not counted for on time yet.
        let o2 = order(&t, &w.admin, &w.admin, w.customer, product, 3).await;
        approve(&t, &w.admin, o2).await;
        let change = json!({"reason": "录入数量错误", "cause": "entry_error", "changes": [{"kind": "quantity", "line_no": 1, "quantity": 4}]});
        let r = t.post_json(&format!("/api/v1/orders/{o2}/changes"), &w.admin, change).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["request"]["cause"], "entry_error", "{}", r.text());
        // A cause that is not one is named.
        let bad = json!({"reason": "x", "cause": "typo", "changes": [{"kind": "quantity", "line_no": 1, "quantity": 4}]});
        assert_eq!(t.post_json(&format!("/api/v1/orders/{o2}/changes"), &w.admin, bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        // o3: rejected by the review: not right, never a sale.
        let o3 = order(&t, &w.admin, &w.admin, w.customer, product, 1).await;
        let r = t.post_json(&format!("/api/v1/orders/{o3}/reject"), &w.admin, json!({"reason": "单价录错"})).await;
        assert!(r.status.is_success(), "{}", r.text());
        // o4: the clerk's, for the customer without a rep: right.
        let o4 = order(&t, &clerk, &w.admin, other, product, 5).await;
        approve(&t, &w.admin, o4).await;

        // KPI-1: 2 right of 4; the clerk breakdown sums to it.
        let k1 = t.get("/api/v1/figures/accuracy", &w.admin).await;
        assert_eq!(k1.status, StatusCode::OK, "{}", k1.text());
        let k1 = k1.json();
        assert_eq!((k1["requirement"].clone(), k1["table"]["total"]["counted"].clone(), k1["table"]["total"]["hits"].clone(), k1["rate_percent"].clone()),
            (json!("KPI-1"), json!(4), json!(2), json!("50.00")), "{k1}");
        assert_eq!(groups(&k1), vec![("boss".into(), 3, 1), ("oc".into(), 1, 1)], "{k1}");
        let trend: i64 = k1["table"]["trend"].as_array().unwrap().iter().map(|p| p["tally"]["counted"].as_i64().unwrap()).sum();
        assert_eq!(trend, 4);
        // By rep: 李销售's three, the store without a rep one.
        let by_rep = t.get("/api/v1/figures/accuracy?by=rep", &w.admin).await.json();
        assert_eq!(groups(&by_rep), vec![("".into(), 1, 1), ("李销售".into(), 3, 1)], "{by_rep}");
        // The click-through names why: a rejection, an entry error.
        let recs = t.get("/api/v1/figures/accuracy/records", &w.admin).await.json();
        let why = |id: i64| recs.as_array().unwrap().iter().find(|r| r["order_id"] == id).map(|r| (r["hit"].clone(), r["notes"].clone())).unwrap();
        assert_eq!(why(o1), (json!(true), json!([])));
        assert_eq!(why(o2), (json!(false), json!(["entry_error"])));
        assert_eq!(why(o3), (json!(false), json!(["rejected"])));

        // KPI-2: only o1's deadlines are decided (met); the rest are ahead
        // or ended without approval.
        let k2 = t.get("/api/v1/figures/on_time", &w.admin).await.json();
        assert_eq!((k2["table"]["total"]["counted"].clone(), k2["table"]["total"]["hits"].clone(), k2["rate_percent"].clone()),
            (json!(1), json!(1), json!("100.00")), "{k2}");
        let recs = t.get("/api/v1/figures/on_time/records", &w.admin).await.json();
        let pending = recs.as_array().unwrap().iter().filter(|r| r["notes"] == json!(["pending"])).count();
        assert_eq!(pending, 3, "{recs}");

        // KPI-4: o1 was picked in full.
        let k4 = t.get("/api/v1/figures/stock_check", &w.admin).await.json();
        assert_eq!((k4["table"]["total"]["counted"].clone(), k4["rate_percent"].clone()), (json!(1), json!("100.00")), "{k4}");

        // KPI-3 without surveys: nothing counted and no rate, not 0 %.
        let k3 = t.get("/api/v1/figures/satisfaction", &w.admin).await.json();
        assert_eq!((k3["table"]["total"]["counted"].clone(), k3["rate_percent"].clone(), k3["satisfied_from"].clone()), (json!(0), Value::Null, json!(4)), "{k3}");

        // KPI-5: o1 (2 → 199.00), o2 (3 → 298.50: its change awaits the
        // departments), o4 (5 → 497.50); cost 60.00 a unit: 600.00; margin
        // 395.00 / 995.00 = 39.70 %.
        let k5 = t.get("/api/v1/figures/sales?by=customer_kind", &w.admin).await.json();
        assert_eq!((k5["table"]["total"]["counted"].clone(), k5["table"]["total"]["amount"].clone(), k5["table"]["total"]["cost"].clone(), k5["margin_percent"].clone()),
            (json!(3), json!("995"), json!("600"), json!("39.70")), "{k5}");
        assert_eq!(k5["table"]["groups"].as_array().unwrap().len(), 2, "{k5}");
        assert_eq!(k5["last_year"]["amount"], "0", "{k5}");
        assert_eq!(k5["growth_percent"], Value::Null);
        assert!(k5["turnover"]["shipped_cost"] == "120", "{k5}");

        // KPI-5's daily sales report: written by the job once the day is
        // over (today made a working day, the clock moved to tomorrow),
        // kept, read back with the day's numbers.
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date();
        let r = t.json(axum::http::Method::PUT, &format!("/api/v1/calendar/{today}"), &w.admin, json!({"kind": "workday", "name": "测试调休"}), &[]).await;
        assert!(r.status.is_success(), "{}", r.text());
        assert_eq!(t.get("/api/v1/daily-sales-reports", &w.admin).await.json(), json!([]));
        let clock = std::sync::Arc::new(kaidan_app::clock::MovableClock::default());
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24));
        let later = t.app.with_clock(clock.clone());
        let run = later.run_job_now(&kaidan_app::Ctx::system(), "sales_daily_report", "t").await.unwrap();
        assert!(run.outcome.starts_with("ok: "), "{}", run.outcome);
        let days = t.get("/api/v1/daily-sales-reports", &w.admin).await.json();
        assert_eq!(days[0], json!(today.to_string()), "{days}");
        let d = t.get(&format!("/api/v1/daily-sales-reports/{today}"), &w.admin).await.json();
        assert_eq!((d["orders"]["counted"].clone(), d["sales"]["counted"].clone(), d["sales"]["amount"].clone(), d["month_to_date"]["amount"].clone()),
            (json!(4), json!(3), json!("995"), json!("995")), "{d}");
        assert_eq!(d["top_customers"].as_array().unwrap().len(), 2, "{d}");
        // Written once: a second run writes nothing new.
        let again = later.run_job_now(&kaidan_app::Ctx::system(), "sales_daily_report", "t").await.unwrap();
        assert_eq!(again.outcome, "ok: 0 daily sales report(s) written");
        assert_eq!(t.get("/api/v1/daily-sales-reports/2001-01-01", &w.admin).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get("/api/v1/daily-sales-reports/yesterday", &w.admin).await.json()["errors"][0]["field"], "day");
        assert_eq!(t.get("/api/v1/daily-sales-reports", &w.rep).await.status, StatusCode::FORBIDDEN);

        // A rep reads his own customers' only; the clerk the orders he
        // entered; neither the inventory turnover.
        let mine = t.get("/api/v1/figures/accuracy", &w.rep).await.json();
        assert_eq!((mine["own_only"].clone(), mine["table"]["total"]["counted"].clone()), (json!(true), json!(3)), "{mine}");
        let mine = t.get("/api/v1/figures/sales", &clerk).await.json();
        assert_eq!((mine["table"]["total"]["counted"].clone(), mine["turnover"].clone()), (json!(1), Value::Null), "{mine}");
        let wh = t.user_token("wh2", &[Role::Warehouse]).await;
        assert_eq!(t.get("/api/v1/figures/accuracy", &wh).await.status, StatusCode::FORBIDDEN);

        // Bad parameters are named and change nothing.
        let r = t.get("/api/v1/figures/accuracy?from=2026-12-31&to=2026-01-01", &w.admin).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("to")));
        let r = t.get("/api/v1/figures/accuracy?by=colour", &w.admin).await;
        assert_eq!(r.json()["errors"][0]["field"], "by", "{}", r.text());
        let r = t.get("/api/v1/figures/satisfaction?by=clerk", &w.admin).await;
        assert_eq!(r.json()["errors"][0]["field"], "by", "{}", r.text());
        let r = t.get("/api/v1/figures/wealth", &w.admin).await;
        assert_eq!(r.json()["errors"][0]["field"], "figure", "{}", r.text());
        let r = t.get("/api/v1/figures/accuracy?form=2026-01-01", &w.admin).await;
        assert_eq!(r.json()["errors"][0]["field"], "form", "{}", r.text());
        let r = t.get("/api/v1/figures/accuracy?from=2020-01-01&to=2026-01-01", &w.admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The page writes the formula and the same total; the export too.
        let page = t.login("boss").await;
        let html = t.page("/figures/accuracy?by=clerk", &page).await.text();
        assert_has(&html, &["KPI-1", "id=\"figure-value\">50.00%", "2 / 4", "figure-chart", "录入错误"]);
        let html = t.page("/figures/accuracy/records?by=clerk", &page).await.text();
        assert_has(&html, &["审核退回", "录入错误变更", "records-export"]);
        let x = t.page("/figures/accuracy/records?by=clerk&format=xlsx", &page).await;
        let table = kaidan_io::read_table("r.xlsx", &x.body).unwrap();
        assert_eq!(table.rows.len(), 4, "{:?}", table.rows);
        assert!(table.rows.iter().any(|r| r.cells[7] == "审核退回"), "{:?}", table.rows);
        let xlsx = t.page("/figures/sales?by=customer_kind&format=xlsx", &page).await;
        let table = kaidan_io::read_table("f.xlsx", &xlsx.body).unwrap();
        let total = table.rows.iter().find(|r| r.cells[0] == "合计").unwrap();
        assert_eq!((total.cells[1].as_str(), total.cells[4].as_str(), total.cells[6].as_str()), ("3", "995.00", "39.70"), "{:?}", table.rows);
        let html = t.page(&format!("/daily-reports/{today}"), &page).await.text();
        assert_has(&html, &["销售日报", "daily-headline", "995.00", "客户前十"]);
        // The home page shows the month's figures and the sales chart.
        let html = t.page("/", &page).await.text();
        assert_has(&html, &["home-figures", "50.00%", "home-sales-chart", "/figures/sales", "home-work", "待发货订单"]);

        // KPI-5 and SAL-5's sales reports by team, channel and product
        // category: the groups add up to the total. An order of two
        // categories counts once among the orders, its amount split.
        let o5 = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, json!({"customer_id": w.customer, "channel": "email",
            "order_date": "2026-11-23", "lines": [{"product_id": product, "quantity": 1}, {"product_id": w.product, "quantity": 1}]})).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/orders/{o5}/review"), &w.admin, json!({})).await;
        approve(&t, &w.admin, o5).await;
        let sums = |v: &Value| -> (i64, String, i64, String) {
            let g = v["table"]["groups"].as_array().unwrap();
            let counted: i64 = g.iter().map(|g| g["tally"]["counted"].as_i64().unwrap()).sum();
            let amount: rust_decimal::Decimal = g.iter().map(|g| g["tally"]["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap()).sum();
            (counted, amount.normalize().to_string(), v["table"]["total"]["counted"].as_i64().unwrap(), v["table"]["total"]["amount"].as_str().unwrap().to_string())
        };
        for by in ["team", "channel", "category", "region"] {
            let v = t.get(&format!("/api/v1/figures/sales?by={by}"), &w.admin).await.json();
            assert_eq!(sums(&v), (4, "1194".into(), 4, "1194".into()), "{by}: {v}");
        }
        let v = t.get("/api/v1/figures/sales?by=category", &w.admin).await.json();
        let mut cats: Vec<(String, i64, String)> = v["table"]["groups"].as_array().unwrap().iter()
            .map(|g| (g["key"].as_str().unwrap().to_string(), g["tally"]["counted"].as_i64().unwrap(), g["tally"]["amount"].as_str().unwrap().to_string())).collect();
        cats.sort();
        // o5's first category is "" (the shirt has none): counted there.
        assert_eq!(cats, [("".into(), 1, "99.5".into()), ("外套".into(), 3, "1094.5".into())], "{v}");
        let html = t.page("/figures/sales?by=channel", &page).await.text();
        assert_has(&html, &["按下单渠道", "电话", "邮件"]);
        assert_eq!(t.get("/api/v1/figures/accuracy?by=category", &w.admin).await.json()["errors"][0]["field"], "by");
        let recs = t.get("/api/v1/figures/sales/records?by=category&key=%E5%A4%96%E5%A5%97", &w.admin).await.json();
        assert_eq!(recs.as_array().map(Vec::len), Some(4), "{recs}");
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn kpi_a_sales_manager_reads_his_teams_figures_and_teams_are_formed_by_an_administrator() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let p = t.post_json("/api/v1/products", &w.admin, json!({"sku": "C-2", "name": "裤", "unit": "件", "season": "none",
            "list_price": "50", "cost_price": "30", "tax_rate": "0.13"})).await.json()["id"].as_i64().unwrap();
        t.upload("/api/v1/import/stock?file=s.csv", &w.admin, "sku,warehouse_code,quantity\nC-2,WH,100\n").await;
        for qty in [1, 2] {
            let id = order(&t, &w.admin, &w.admin, w.customer, p, qty).await;
            approve(&t, &w.admin, id).await;
        }
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        // Without a team a manager reads only his own: nothing here.
        let mine = t.get("/api/v1/figures/sales", &sm).await.json();
        assert_eq!((mine["own_only"].clone(), mine["table"]["total"]["counted"].clone()), (json!(true), json!(0)), "{mine}");
        // Only an administrator forms teams; bad input is named.
        let users = t.get("/api/v1/users", &w.admin).await.json();
        let id_of = |name: &str| users.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_i64().unwrap();
        let (sm_id, rep_id) = (id_of("sm"), id_of("rep"));
        assert_eq!(t.post_json("/api/v1/teams", &sm, json!({"code": "S1", "name": "一组"})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/teams", &w.admin, json!({"code": "", "name": "一组", "manager_id": 999_999})).await;
        assert_eq!(r.json()["errors"][0]["field"], "code", "{}", r.text());
        let r = t.post_json("/api/v1/teams", &w.admin, json!({"code": "S1", "name": "一组", "manager_id": 999_999})).await;
        assert_eq!(r.json()["errors"][0]["field"], "manager_id", "{}", r.text());
        let r = t.post_json("/api/v1/teams", &w.admin, json!({"code": "S1", "name": "华南一组", "manager_id": sm_id})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let team = r.json()["id"].as_i64().unwrap();
        let r = t.post_json("/api/v1/teams", &w.admin, json!({"code": "S1", "name": "又一组"})).await;
        assert!(r.status.is_client_error(), "a second S1: {}", r.text());
        let put = |user: i64, body: serde_json::Value| {
            let t = &t;
            let admin = w.admin.clone();
            async move { t.json(axum::http::Method::PUT, &format!("/api/v1/users/{user}/team"), &admin, body, &[]).await }
        };
        assert_eq!(put(999_999, json!({"team_id": team})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(put(rep_id, json!({"team_id": 999_999})).await.json()["errors"][0]["field"], "team_id");
        assert_eq!(put(rep_id, json!({"team_id": team})).await.status, StatusCode::NO_CONTENT);
        let teams = t.get("/api/v1/teams", &w.admin).await.json();
        assert_eq!((teams[0]["manager"].clone(), teams[0]["members"][0]["username"].clone()), (json!("sm"), json!("rep")), "{teams}");
        // Now the manager reads his rep's customers' sales: 1 × 50 + 2 × 50.
        let team_view = t.get("/api/v1/figures/sales", &sm).await.json();
        assert_eq!((team_view["table"]["total"]["counted"].clone(), team_view["table"]["total"]["amount"].clone(), team_view["turnover"].clone()),
            (json!(2), json!("150"), Value::Null), "{team_view}");
        // Out of the team again: nothing.
        assert_eq!(put(rep_id, json!({"team_id": null})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(t.get("/api/v1/figures/sales", &sm).await.json()["table"]["total"]["counted"], 0);
        // The page forms a team and moves a user.
        let page = t.login("boss").await;
        let html = t.page("/teams", &page).await.text();
        assert_has(&html, &["华南一组", "team-form", "member-form"]);
        let sm_page = t.login("sm").await;
        let html = t.page("/figures/sales", &sm_page).await.text();
        assert_has(&html, &["figure-own", "团队成员"]);
    })
    .await;
}

/// ADR 0046: a closed month is read from its kept sums, with the same
/// numbers as its records give, and a change to any record it counted
/// drops it, so the next reading counts the change.
#[tokio::test]
#[rustfmt::skip]
async fn kpi_closed_months_are_kept_and_dropped_when_a_record_changes() {
    use kaidan_domain::figures::{Breakdown, Figure, FigurePeriod};
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let product = coat(&t, &w.admin).await;
        let clerk = t.user_token("oc", &[Role::OrderClerk]).await;
        let o1 = order(&t, &w.admin, &w.admin, w.customer, product, 2).await;
        approve(&t, &w.admin, o1).await;
        ship(&t, &w, o1).await;
        let o2 = order(&t, &w.admin, &w.admin, w.customer, product, 3).await;
        approve(&t, &w.admin, o2).await;
        let o3 = order(&t, &w.admin, &w.admin, w.customer, product, 1).await;
        t.post_json(&format!("/api/v1/orders/{o3}/reject"), &w.admin, json!({"reason": "单价录错"})).await;
        let o4 = order(&t, &clerk, &w.admin, w.customer, product, 5).await;
        approve(&t, &w.admin, o4).await;

        // Seventy days on, this month is over: a period from its first day
        // is drawn by month and reads it from its kept sums; the month
        // alone is drawn by day and read from the records.
        let clock = std::sync::Arc::new(kaidan_app::clock::MovableClock::default());
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 70));
        let later = t.app.with_clock(clock.clone());
        let tz = kaidan_domain::orders::company_time_zone();
        let first = jiff::Timestamp::now().to_zoned(tz.clone()).date().first_of_month();
        let month = FigurePeriod::new(first, first.last_of_month()).unwrap();
        let span = FigurePeriod::new(first, (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 70)).to_zoned(tz).date()).unwrap();
        let ctx = kaidan_app::Ctx::system();
        // This month and the next are over seventy days on.
        let closed = kaidan_domain::figures::closed_months(span, span.to).len();
        assert!(closed >= 2, "{span:?}");
        let same = |a: &kaidan_app::figures::FigureReport, b: &kaidan_app::figures::FigureReport| {
            let mut ga = serde_json::to_value(&a.table.groups).unwrap().as_array().unwrap().clone();
            let mut gb = serde_json::to_value(&b.table.groups).unwrap().as_array().unwrap().clone();
            ga.sort_by_key(|g| g["key"].to_string());
            gb.sort_by_key(|g| g["key"].to_string());
            assert_eq!(serde_json::to_value(a.table.total).unwrap(), serde_json::to_value(b.table.total).unwrap());
            assert_eq!(ga, gb);
        };
        let figures = [(Figure::Accuracy, Breakdown::Clerk), (Figure::OnTime, Breakdown::Clerk), (Figure::StockCheck, Breakdown::Clerk),
            (Figure::Sales, Breakdown::Region), (Figure::Sales, Breakdown::Category), (Figure::Sales, Breakdown::Channel), (Figure::Sales, Breakdown::Customer)];
        let check = |expect_kept: usize| {
            let later = later.clone();
            let ctx = ctx.clone();
            async move {
                for (figure, by) in figures {
                    let live = later.figure(&ctx, figure, month, Some(by)).await.unwrap();
                    assert_eq!(live.kept_months, 0);
                    let first_reading = later.figure(&ctx, figure, span, Some(by)).await.unwrap();
                    let kept = later.figure(&ctx, figure, span, Some(by)).await.unwrap();
                    assert_eq!((first_reading.kept_months, kept.kept_months), (expect_kept, expect_kept), "{figure} by {by}");
                    same(&live, &first_reading);
                    same(&live, &kept);
                }
            }
        };
        check(closed).await;
        // The inventory turnover reads the kept months' stock moves: the
        // same as the moves read by a clock for which the month runs on,
        // also after a move of the kept month.
        let turnover = |app: kaidan_app::App| {
            let ctx = ctx.clone();
            async move { serde_json::to_value(app.figure(&ctx, Figure::Sales, span, Some(Breakdown::Region)).await.unwrap().turnover).unwrap() }
        };
        assert_eq!(turnover(later.clone()).await, turnover(t.app.clone()).await);
        t.upload("/api/v1/import/stock?file=s.csv", &w.admin, "sku,warehouse_code,quantity\nC-1,WH,150\n").await;
        let after = turnover(later.clone()).await;
        assert_eq!(after, turnover(t.app.clone()).await);
        assert!(after["shipped_cost"] == "120.00" || after["shipped_cost"] == "120", "{after}");
        // A rep reads his own customers' figures from the finest sums.
        let lt = T { router: kaidan_http::router(later.clone(), kaidan_http::HttpConfig::default()), app: later.clone(), backend: t.backend };
        for figure in ["accuracy", "sales", "on_time"] {
            let month = lt.get(&format!("/api/v1/figures/{figure}?from={}&to={}&by=clerk", month.from, month.to), &w.rep).await.json();
            let kept = lt.get(&format!("/api/v1/figures/{figure}?from={}&to={}&by=clerk", span.from, span.to), &w.rep).await.json();
            assert_eq!((kept["own_only"].clone(), kept["kept_months"].clone()), (json!(true), json!(closed)), "{kept}");
            assert_eq!(kept["table"]["total"], month["table"]["total"], "{figure}: {kept}");
            assert_eq!(groups(&kept), groups(&month), "{figure}");
        }
        let accuracy = || async { later.figure(&ctx, Figure::Accuracy, span, Some(Breakdown::Clerk)).await.unwrap() };
        let sales = || async { later.figure(&ctx, Figure::Sales, span, Some(Breakdown::Region)).await.unwrap() };
        assert_eq!((accuracy().await.table.total.counted, accuracy().await.table.total.hits), (4, 3));
        let before = sales().await.table.total;
        assert_eq!((before.counted, before.amount.to_string(), before.cost.to_string()), (3, "995.00".into(), "600.00".into()));

        // o2 changed for an entry error: the kept month is dropped, read
        // again and kept again.
        let change = json!({"reason": "录入数量错误", "cause": "entry_error", "changes": [{"kind": "quantity", "line_no": 1, "quantity": 4}]});
        let r = t.post_json(&format!("/api/v1/orders/{o2}/changes"), &w.admin, change).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!((accuracy().await.table.total.counted, accuracy().await.table.total.hits), (4, 2));
        // o4 cancelled: one sale fewer.
        let r = t.post_json(&format!("/api/v1/orders/{o4}/cancel"), &w.admin, json!({"reason": "客户取消"})).await;
        assert!(r.status.is_success(), "{}", r.text());
        let after = sales().await.table.total;
        assert_eq!((after.counted, after.amount.to_string()), (2, "497.50".into()));
        // The cost price changes: the sales' cost follows.
        let r = t.json(axum::http::Method::PUT, &format!("/api/v1/products/{product}"), &w.admin, json!({"sku": "C-1", "name": "外套", "unit": "件",
            "season": "none", "list_price": "99.50", "cost_price": "50.00", "tax_rate": "0.13", "category": "外套"}), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(sales().await.table.total.cost.to_string(), "250.00");
        check(closed).await;
    })
    .await;
}

/// KPI-5: a breakdown by 150 customers (a generated year of trade) lists
/// the hundred largest one by one and the other fifty in one line whose
/// numbers are theirs, so the page's lines still add up to the total; the
/// Excel export holds every customer.
#[tokio::test]
#[rustfmt::skip]
async fn kpi_5_a_breakdown_by_many_customers_lists_the_largest_and_sums_the_rest() {
    use rust_decimal::Decimal;
    kaidan_store::testing::on_each_backend(|b| async move {
        let shape = kaidan_store::ReportsShape { lines: 3_000, products: 40, customers: 150, seed: 7 };
        let now = jiff::Timestamp::now().as_microsecond();
        b.db.generate_reports_data(shape, now, &|_, _, _| {}).await.unwrap();
        let app = b.app(std::sync::Arc::new(kaidan_app::clock::SystemClock)).await;
        let router = kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default());
        let t = T { router, app, backend: b.name };
        let token = t.user_token("boss", &[Role::GeneralManager]).await;
        let page = t.login("boss").await;
        let today = t.app.today_date();
        let from = today.first_of_month().checked_sub(jiff::Span::new().months(11)).unwrap();
        let q = format!("from={from}&to={today}&by=customer");
        let api = t.get(&format!("/api/v1/figures/sales?{q}"), &token).await.json();
        let groups = api["table"]["groups"].as_array().unwrap();
        assert!(groups.len() > 100, "{}: {} customers", t.backend, groups.len());
        let amount = |g: &Value| g["tally"]["amount"].as_str().unwrap().parse::<Decimal>().unwrap();
        let rest: Decimal = groups[100..].iter().map(amount).sum();
        let rest_orders: i64 = groups[100..].iter().map(|g| g["tally"]["counted"].as_i64().unwrap()).sum();

        let html = t.page(&format!("/figures/sales?{q}"), &page).await.text();
        // The hundred largest link to their records; the total links too.
        assert_eq!(html.matches("/figures/sales/records?").count(), 101, "{}", t.backend);
        let line = format!("其余 {} 个分组(明细见 Excel)</span></td><td class=\"num\">{rest_orders}</td><td class=\"num\">{}</td>", groups.len() - 100, rest.round_dp(2));
        assert!(html.contains(&line), "{}: no {line}", t.backend);

        let xlsx = t.page(&format!("/figures/sales?{q}&format=xlsx"), &page).await;
        let table = kaidan_io::read_table("f.xlsx", &xlsx.body).unwrap();
        let total = table.rows.iter().position(|r| r.cells[0] == "合计").unwrap();
        assert_eq!(total, groups.len(), "{}", t.backend);
    })
    .await;
}
