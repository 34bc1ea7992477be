//! Quantity targets per product category (SAL-1, ADR 0045), in process on
//! both databases: written with the plan's lines and refused where they
//! are wrong, counted by hand on the ordered, shipped, invoiced and
//! collected bases, folded to the rep, a rep reading only his own, the
//! year's page, its Excel and its form.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{ship, world};
use crate::support::{T, assert_has, codes, csrf, on_each_backend};

fn plan(basis: &str, rep: i64, quantities: Value) -> Value {
    json!({"basis": basis, "lines": [
        {"subject": {"kind": "company"}, "annual": "2400", "quantities": quantities},
        {"subject": {"kind": "rep", "id": rep}, "annual": "2400", "quantities": [{"category": "羽绒服", "annual": 60}]},
    ]})
}

/// The quantity rows of a progress as (subject kind, category, target,
/// actual, completion).
fn units(p: &Value) -> Vec<(String, String, i64, i64, Value)> {
    p["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["subject"]["kind"].as_str().unwrap().to_string(),
                q["category"].as_str().unwrap().to_string(),
                q["target"].as_i64().unwrap(),
                q["actual"].as_i64().unwrap(),
                q["completion_percent"].clone(),
            )
        })
        .collect()
}

fn row(
    kind: &str,
    cat: &str,
    target: i64,
    actual: i64,
    pct: &str,
) -> (String, String, i64, i64, Value) {
    (kind.into(), cat.into(), target, actual, json!(pct))
}

#[tokio::test]
#[rustfmt::skip]
async fn sal_1_quantity_targets_per_category_counted_on_each_basis() {
    on_each_backend(|t: T| async move {
        let w = world(&t, "monthly_settlement").await;
        let year = i32::from(t.app.today_date().year());
        let month = t.app.today_date().month();
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let product = |sku: &str, name: &str, category: &str| json!({"sku": sku, "name": name, "spec": "M", "unit": "件",
            "season": "autumn_winter", "launch_priority": 1, "list_price": "100", "tax_rate": "0.13", "category": category});
        let down = t.post_json("/api/v1/products", &w.admin, product("D-1", "羽绒服", "羽绒服")).await.json()["id"].as_i64().unwrap();
        let tee = t.post_json("/api/v1/products", &w.admin, product("T-1", "T恤", "T恤")).await.json()["id"].as_i64().unwrap();
        t.upload("/api/v1/import/stock?file=s.csv", &w.admin, "sku,warehouse_code,quantity\nD-1,WH,100\nT-1,WH,100\n").await;

        // Wrong quantity targets are named where they are; nothing is kept.
        let bad = plan("shipped", rep_id, json!([
            {"category": "羽绒服", "annual": 120}, {"category": " 羽绒服 ", "annual": 1}, {"category": "", "annual": 1},
            {"category": "T恤", "annual": 30, "months": [3, 3, 3]}]));
        let r = t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), &mgr, bad, &[]).await;
        assert_eq!(codes(&r), [
            ("lines[0].quantities[1].category".into(), "duplicate".into()),
            ("lines[0].quantities[2].category".into(), "required".into()),
            ("lines[0].quantities[3].months".into(), "invalid".into())], "{}", r.text());
        let r = t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), &mgr, plan("shipped", rep_id, json!([{"category": "T恤", "annual": -1}])), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(t.get(&format!("/api/v1/sales-targets/{year}"), &mgr).await.status, StatusCode::NOT_FOUND);

        // 120 jackets a year (10 a month) and 30 T-shirts (3 a month to
        // June, 2 after) for the company; 60 jackets (5) for the rep.
        let good = plan("shipped", rep_id, json!([{"category": "羽绒服", "annual": 120}, {"category": "T恤", "annual": 30}]));
        let r = t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), &mgr, good.clone(), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let q = &r.json()["quantities"];
        assert_eq!((q[0]["category"].clone(), q[0]["months"][0].clone(), q[0]["months"][11].clone()), (json!("T恤"), json!(3), json!(2)), "{q}");
        let tee_month = if month <= 6 { 3 } else { 2 };

        // Today: o1 (6 jackets, 4 T-shirts) shipped and invoiced; o2 (3
        // jackets) only ordered.
        let (t, w) = (&t, &w);
        let order = |lines: Value| async move {
            let id = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, json!({"customer_id": w.customer, "channel": "phone",
                "order_date": "2026-11-25", "lines": lines})).await.json()["id"].as_i64().unwrap();
            t.post_json(&format!("/api/v1/orders/{id}/review"), &w.admin, json!({})).await;
            assert_eq!(t.post_json(&format!("/api/v1/orders/{id}/finance-review"), &w.admin, json!({"decision": "pass"})).await.json()["status"], "approved");
            id
        };
        let o1 = order(json!([{"product_id": down, "quantity": 6}, {"product_id": tee, "quantity": 4}])).await;
        order(json!([{"product_id": down, "quantity": 3}])).await;
        let sid = ship(t, w, o1).await["id"].as_i64().unwrap();

        let mgr = &mgr;
        let progress = || async move { t.get(&format!("/api/v1/sales-targets/{year}/progress?span=month"), mgr).await.json() };
        // Shipped: 6 of 10 jackets, 4 of the month's T-shirts; the rep 6 of 5.
        let tee_pct = if tee_month == 3 { "133.33" } else { "200.00" };
        assert_eq!(units(&progress().await), [
            row("company", "T恤", tee_month, 4, tee_pct), row("company", "羽绒服", 10, 6, "60.00"), row("rep", "羽绒服", 5, 6, "120.00")]);
        // Ordered: 9 jackets.
        let mut ordered = good.clone();
        ordered["basis"] = json!("ordered");
        t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), mgr, ordered, &[]).await;
        assert_eq!(units(&progress().await)[1], row("company", "羽绒服", 10, 9, "90.00"));
        // Invoiced: nothing until the shipment is invoiced, then 6; the
        // collected basis counts the units invoiced.
        let mut invoiced = good.clone();
        invoiced["basis"] = json!("invoiced");
        t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), mgr, invoiced, &[]).await;
        assert_eq!(units(&progress().await)[1], row("company", "羽绒服", 10, 0, "0.00"));
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(units(&progress().await)[1], row("company", "羽绒服", 10, 6, "60.00"));
        let mut collected = good.clone();
        collected["basis"] = json!("collected");
        t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), mgr, collected, &[]).await;
        let p = progress().await;
        assert_eq!(units(&p)[2], row("rep", "羽绒服", 5, 6, "120.00"));
        // The amounts are untouched by the quantities: nothing collected.
        assert_eq!(p["rows"][0]["actual"], "0", "{p}");

        // The rep reads only his own quantity target.
        let mine = t.get(&format!("/api/v1/sales-targets/{year}/progress?span=month"), &w.rep).await.json();
        assert_eq!(units(&mine), [row("rep", "羽绒服", 5, 6, "120.00")]);

        // The year's page and its Excel carry the same units.
        let page = t.login("mgr").await;
        let html = t.page(&format!("/targets/{year}?span=month"), &page).await.text();
        assert_has(&html, &["target-quantities", "羽绒服", "120.00%", "60.00%"]);
        let x = t.page(&format!("/targets/{year}?span=month&format=xlsx"), &page).await;
        let table = kaidan_io::read_table("t.xlsx", &x.body).unwrap();
        let jackets = table.rows.iter().find(|r| r.cells[0] == "全公司 · 羽绒服 (件)").unwrap();
        assert_eq!((jackets.cells[1].as_str(), jackets.cells[2].as_str(), jackets.cells[3].as_str()), ("10", "6", "60.00"), "{:?}", table.rows);

        // The form shows the targets written and saves a changed one; a
        // quantity for a subject without an amount is refused, naming it.
        let html = t.page(&format!("/targets/{year}/edit"), &page).await.text();
        assert_has(&html, &["quantity-grid", "q0-category", "value=\"T恤\"", "value=\"羽绒服\""]);
        let token = csrf(&html);
        let company = [("basis", "ordered"), ("annual.company:0", "2400"), ("qrows", "2"),
            ("q0.subject", "company:0"), ("q0.category", "羽绒服"), ("q0.annual", "240")];
        let rep_key = format!("rep:{rep_id}");
        let mut no_amount = company.to_vec();
        no_amount.extend([("q1.subject", rep_key.as_str()), ("q1.category", "T恤"), ("q1.annual", "12")]);
        let r = t.submit(&format!("/targets/{year}/edit"), &page, &token, &no_amount).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["target-form-error", "李销售 T恤", "give its annual amount too"]);
        let mut typo = company.to_vec();
        typo.extend([("q1.subject", "company:0"), ("q1.category", "T恤"), ("q1.annual", "1.5")]);
        let r = t.submit(&format!("/targets/{year}/edit"), &page, &token, &typo).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["quantity row 2 annual", "1.5"]);
        let mut no_category = company.to_vec();
        no_category.extend([("q1.subject", "company:0"), ("q1.category", " "), ("q1.annual", "5")]);
        let r = t.submit(&format!("/targets/{year}/edit"), &page, &token, &no_category).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["quantity row 2 category", "name the product category"]);
        let r = t.submit(&format!("/targets/{year}/edit"), &page, &token, &company).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let saved = t.get(&format!("/api/v1/sales-targets/{year}"), mgr).await.json();
        assert_eq!((saved["quantities"].as_array().unwrap().len(), saved["quantities"][0]["months"][0].clone()), (1, json!(20)), "{saved}");
    })
    .await;
}

/// ADR 0046: what was sold in a closed month is kept for the targets, with
/// the same numbers as the records give, and dropped when a record it
/// counted changes — on a basis kept by instants (orders, shipments) and
/// on one kept by days (invoices).
#[tokio::test]
#[rustfmt::skip]
async fn sal_1_closed_months_are_kept_for_the_targets_and_dropped_when_a_record_changes() {
    use kaidan_domain::targets::TargetSpan;
    on_each_backend(|t: T| async move {
        let w = world(&t, "monthly_settlement").await;
        let year = t.app.today_date().year();
        let mgr = t.user_token("mgr", &[Role::SalesManager]).await;
        let rep_id = t.get(&format!("/api/v1/customers/{}", w.customer), &w.admin).await.json()["sales_rep_id"].as_i64().unwrap();
        let down = t.post_json("/api/v1/products", &w.admin, json!({"sku": "D-1", "name": "羽绒服", "spec": "M", "unit": "件",
            "season": "autumn_winter", "launch_priority": 1, "list_price": "100", "tax_rate": "0.13", "category": "羽绒服"})).await.json()["id"].as_i64().unwrap();
        t.upload("/api/v1/import/stock?file=s.csv", &w.admin, "sku,warehouse_code,quantity\nD-1,WH,100\n").await;
        let put = |basis: &str| {
            let (t, mgr) = (&t, &mgr);
            let body = plan(basis, rep_id, json!([{"category": "羽绒服", "annual": 120}]));
            async move {
                let r = t.json(Method::PUT, &format!("/api/v1/sales-targets/{year}"), mgr, body, &[]).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
        };
        put("ordered").await;
        let (tr, wr) = (&t, &w);
        let order = |qty: i64| async move {
            let id = tr.post_json("/api/v1/orders?confirm_duplicate=true", &wr.admin, json!({"customer_id": wr.customer, "channel": "phone",
                "order_date": "2026-11-25", "lines": [{"product_id": down, "quantity": qty}]})).await.json()["id"].as_i64().unwrap();
            tr.post_json(&format!("/api/v1/orders/{id}/review"), &wr.admin, json!({})).await;
            tr.post_json(&format!("/api/v1/orders/{id}/finance-review"), &wr.admin, json!({"decision": "pass"})).await;
            id
        };
        let o1 = order(6).await;
        let o2 = order(3).await;

        // Seventy days on, the whole plan year may be over: every month of
        // it is kept.
        let clock = std::sync::Arc::new(kaidan_app::clock::MovableClock::default());
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 70));
        let later = t.app.with_clock(clock.clone());
        let ctx = kaidan_app::Ctx::system();
        let at = Some(jiff::civil::Date::new(year, 12, 31).unwrap());
        let closed = kaidan_domain::figures::closed_months_within(
            &[jiff::civil::Date::new(year, 1, 1).unwrap(), jiff::civil::Date::new(year + 1, 1, 1).unwrap()], later.today_date()).len();
        assert!(closed >= 1);
        let sold = |p: &kaidan_app::targets::TargetProgress| -> (String, i64, i64) {
            let company = p.rows.iter().find(|r| r.label.is_empty()).unwrap();
            let units = |kind: &str| p.quantities.iter().find(|q| serde_json::to_value(q.subject).unwrap()["kind"] == kind).unwrap().actual;
            (company.actual.to_string(), units("company"), units("rep"))
        };
        let read = |app: kaidan_app::App| {
            let ctx = ctx.clone();
            async move {
                let first = app.target_progress(&ctx, year, TargetSpan::Year, at).await.unwrap();
                let again = app.target_progress(&ctx, year, TargetSpan::Year, at).await.unwrap();
                assert_eq!(sold(&first), sold(&again));
                again
            }
        };
        let live = read(t.app.clone()).await;
        let kept = read(later.clone()).await;
        assert_eq!(kept.kept_months, closed);
        assert_eq!(sold(&kept), sold(&live));
        assert_eq!(sold(&kept), ("900.00".into(), 9, 9));

        // o2 cancelled: its month is dropped and read again.
        let r = t.post_json(&format!("/api/v1/orders/{o2}/cancel"), &w.admin, json!({"reason": "客户取消"})).await;
        assert!(r.status.is_success(), "{}", r.text());
        let kept = read(later.clone()).await;
        assert_eq!((sold(&kept), kept.kept_months), (("600.00".into(), 6, 6), closed));

        // Shipped: nothing, then o1's six once it ships.
        put("shipped").await;
        assert_eq!(sold(&read(later.clone()).await), ("0.00".into(), 0, 0));
        let sid = ship(&t, &w, o1).await["id"].as_i64().unwrap();
        assert_eq!(sold(&read(later.clone()).await), ("600.00".into(), 6, 6));

        // Invoiced, by the invoice's day: nothing, then the invoice.
        put("invoiced").await;
        assert_eq!(sold(&read(later.clone()).await), ("0.00".into(), 0, 0));
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let kept = read(later.clone()).await;
        assert_eq!((sold(&kept), kept.kept_months), (("600.00".into(), 6, 6), closed));
    })
    .await;
}
