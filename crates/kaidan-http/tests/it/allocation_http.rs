//! The allocation run over the API and the pages (issue 5, ALC-1..10,
//! PUR-3): a goods receipt runs it by itself; a preview writes nothing; a
//! commit reserves, locks and makes pick lists; the stored run is exported
//! to Excel and CSV; the chase list names the locked franchisee. In process
//! on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, csrf, form, hidden, on_each_backend};

/// The little company of these tests.
struct World {
    admin: String,
    /// Product A (the one allocated) and B (stock nobody ordered).
    product_a: i64,
    product_b: i64,
    /// The funded franchisee's new order for 2 of A, backordered.
    funded_order: i64,
    /// The unfunded franchisee's order for 2 of A, backordered.
    unfunded_order: i64,
}

async fn created(t: &T, token: &str, path: &str, body: Value) -> Value {
    let r = t.post_json(path, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

/// An approved order of `quantity` of `product`; (id, progress of line 1).
async fn approved(t: &T, token: &str, customer: i64, product: i64, quantity: i64) -> (i64, Value) {
    let o = created(
        t,
        token,
        "/api/v1/orders",
        json!({"customer_id": customer, "channel": "phone", "order_date": jiff::Timestamp::now()
            .to_zoned(kaidan_domain::orders::company_time_zone()).date().to_string(),
            "lines": [{"product_id": product, "quantity": quantity}]}),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    let r = t
        .post_json(&format!("/api/v1/orders/{id}/review"), token, json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = t
        .post_json(
            &format!("/api/v1/orders/{id}/finance-review"),
            token,
            json!({"decision": "pass"}),
        )
        .await;
    assert_eq!(r.json()["status"], "approved", "{}", r.text());
    (id, r.json()["progress"][0].clone())
}

async fn progress(t: &T, token: &str, order: i64) -> Value {
    t.get(&format!("/api/v1/orders/{order}"), token)
        .await
        .json()["progress"][0]
        .clone()
}

/// A central warehouse with A and B; a franchisee funded by a deposit and
/// one without funds or credit; their orders for A approved before any
/// goods arrived (backordered). A goods receipt of 3 A runs the allocation
/// (PUR-3): the funded order gets them. Then the funded franchisee orders 2
/// more (backordered: nothing free) and cancels its first order, which frees
/// 3 A without a run: work for the run under test.
#[rustfmt::skip]
async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let a = created(t, &admin, "/api/v1/products", json!({"sku": "AL-A", "name": "风衣", "spec": "M", "unit": "件",
        "season": "spring_summer", "launch_priority": 1, "list_price": "100.00", "tax_rate": "0.13"})).await;
    let b = created(t, &admin, "/api/v1/products", json!({"sku": "AL-B", "name": "围巾", "spec": "F", "unit": "条",
        "season": "autumn_winter", "launch_priority": 2, "list_price": "50.00", "tax_rate": "0.13"})).await;
    let wh = created(t, &admin, "/api/v1/warehouses", json!({"code": "WH", "name": "总仓", "is_central": true})).await;
    let funded = created(t, &admin, "/api/v1/customers", json!({"code": "FR-P", "name": "有款加盟商", "kind": "franchisee",
        "payment_terms": "prepayment", "payment_method": "bank_transfer", "credit_limit": "0", "address": "杭州", "priority": 1})).await;
    let unfunded = created(t, &admin, "/api/v1/customers", json!({"code": "FR-N", "name": "无款加盟商", "kind": "franchisee",
        "payment_terms": "prepayment", "payment_method": "bank_transfer", "credit_limit": "0", "address": "苏州", "priority": 1})).await;
    let (fid, uid) = (funded["id"].as_i64().unwrap(), unfunded["id"].as_i64().unwrap());
    created(t, &admin, &format!("/api/v1/customers/{fid}/account/entries"),
        json!({"kind": "deposit", "amount": "10000.00", "note": "银行到账"})).await;
    let (pa, pb) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let (first, p) = approved(t, &admin, fid, pa, 3).await;
    assert_eq!(p["backordered"], 3, "{p}");
    let (unfunded_order, p) = approved(t, &admin, uid, pa, 2).await;
    assert_eq!(p["backordered"], 2, "{p}");
    // PUR-3: the receipt runs the allocation; funded franchisees first.
    let r = t.post_json("/api/v1/stock/receipts", &admin, json!({"product_id": pa, "warehouse_id": wh["id"], "quantity": 3, "source": "PO-1"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let runs = t.get("/api/v1/allocation-runs", &admin).await.json();
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    assert_eq!(runs[0]["trigger"], "receipt", "{runs}");
    assert_eq!(runs[0]["allocated"], 3, "{runs}");
    let p = progress(t, &admin, first).await;
    assert_eq!((p["reserved"].as_i64(), p["backordered"].as_i64()), (Some(3), Some(0)), "{p}");
    assert_eq!(progress(t, &admin, unfunded_order).await["backordered"], 2);
    let (funded_order, p) = approved(t, &admin, fid, pa, 2).await;
    assert_eq!(p["backordered"], 2, "{p}");
    let r = t.post_json(&format!("/api/v1/orders/{first}/cancel"), &admin, json!({"reason": "客户取消"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // B is in stock too; nobody ordered it, a store keeps 2 as safety stock (ALC-8).
    let region = created(t, &admin, "/api/v1/regions", json!({"code": "HZ", "name": "杭州区"})).await;
    let store = created(t, &admin, "/api/v1/stores", json!({"code": "ST-1", "name": "西湖店", "region_id": region["id"],
        "ownership": "direct", "tier": "A"})).await;
    let r = t.json(Method::PUT, &format!("/api/v1/stores/{}/safety-stock", store["id"]), &admin,
        json!([{"product_id": pb, "quantity": 2}]), &[]).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = t.upload("/api/v1/import/stock?file=s.csv", &admin, "sku,warehouse_code,quantity\nAL-B,WH,5\n").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    World { admin, product_a: pa, product_b: pb, funded_order, unfunded_order }
}

async fn stock(t: &T, token: &str) -> Value {
    t.get("/api/v1/stock", token).await.json()
}

#[tokio::test]
#[rustfmt::skip]
async fn alc_1_alc_5_alc_9_alc_10_pur_3_run_over_the_api() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let brand = t.user_token("brand", &[Role::BrandProduct]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        // Not for order clerks.
        let r = t.post_json("/api/v1/allocation-runs", &clerk, json!({"commit": false})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(t.get("/api/v1/allocation-runs", &clerk).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/allocation-runs", &brand, json!({"commit": "yes"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());

        // A preview writes nothing.
        let stock_before = stock(&t, &w.admin).await;
        let lines_before = (progress(&t, &w.admin, w.funded_order).await, progress(&t, &w.admin, w.unfunded_order).await);
        let r = t.post_json("/api/v1/allocation-runs", &brand, json!({"commit": false})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let preview = r.json();
        assert_eq!(preview["committed"], false);
        assert!(preview["run"].is_null(), "{preview}");
        let rows = preview["allocation_lines"].as_array().unwrap().clone();
        let row = |outcome: &str| rows.iter().find(|l| l["outcome"] == outcome).cloned().unwrap_or(Value::Null);
        assert_eq!(row("allocated")["name"], "有款加盟商", "{preview}");
        assert_eq!(row("allocated")["quantity"], 2);
        assert_eq!(row("allocated")["rule"], "ALC-2 funded franchisee");
        assert_eq!(row("allocated")["bound"], "fully_served");
        assert_eq!(row("locked")["name"], "无款加盟商", "{preview}");
        assert_eq!(row("locked")["quantity"], 1);
        assert_eq!(row("locked")["rule"], "ALC-5 unfunded franchisee lock");
        assert_eq!(row("unserved")["quantity"], 1, "{preview}");
        assert!(row("locked")["order_line"].as_str().unwrap().starts_with("SO-"), "{preview}");
        let products = preview["result"]["products"].as_array().unwrap();
        let b = products.iter().find(|p| p["product"] == w.product_b).unwrap();
        assert_eq!((b["supply"].as_i64(), b["store_allocated"].as_i64(), b["left_over"].as_i64()), (Some(5), Some(2), Some(3)), "{preview}");
        let to_store = rows.iter().find(|l| l["to"] == "store").unwrap();
        assert_eq!((to_store["name"].as_str(), to_store["quantity"].as_i64()), (Some("西湖店"), Some(2)), "{preview}");
        assert_eq!(to_store["rule"], "ALC-8 store safety stock");
        assert_eq!(stock(&t, &w.admin).await, stock_before, "a preview changes no stock");
        assert_eq!((progress(&t, &w.admin, w.funded_order).await, progress(&t, &w.admin, w.unfunded_order).await), lines_before);
        assert_eq!(t.get("/api/v1/allocation-runs", &brand).await.json().as_array().map(Vec::len), Some(1));

        // The commit reserves, locks and makes the pick list.
        let r = t.post_json("/api/v1/allocation-runs", &brand, json!({"commit": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let done = r.json();
        assert_eq!(done["committed"], true);
        assert_eq!(done["allocation_lines"], preview["allocation_lines"], "the commit does what the preview showed");
        let number = done["run"]["number"].as_str().unwrap().to_string();
        assert!(number.starts_with("AR-"), "{done}");
        assert_eq!(done["pick_lists"].as_array().map(Vec::len), Some(1), "{done}");
        let p = progress(&t, &w.admin, w.funded_order).await;
        assert_eq!((p["reserved"].as_i64(), p["backordered"].as_i64()), (Some(2), Some(0)), "{p}");
        let p = progress(&t, &w.admin, w.unfunded_order).await;
        assert_eq!((p["reserved"].as_i64(), p["backordered"].as_i64()), (Some(1), Some(1)), "{p}");
        let lists = t.get("/api/v1/pick-lists?status=open", &w.admin).await.json();
        assert!(lists.as_array().unwrap().iter().any(|l| l["order_id"] == w.funded_order), "{lists}");
        assert!(!lists.as_array().unwrap().iter().any(|l| l["order_id"] == w.unfunded_order), "locked goods are not picked: {lists}");
        let a = stock(&t, &w.admin).await;
        assert_ne!(a, stock_before);

        // The stored run, listed and read back with its rows.
        let runs = t.get("/api/v1/allocation-runs", &brand).await.json();
        assert_eq!(runs[0]["number"], number.as_str(), "newest first: {runs}");
        assert_eq!(runs[0]["trigger"], "manual");
        assert_eq!((runs[0]["allocated"].as_i64(), runs[0]["locked"].as_i64()), (Some(2), Some(1)));
        let id = runs[0]["id"].as_i64().unwrap();
        let stored = t.get(&format!("/api/v1/allocation-runs/{id}"), &brand).await.json();
        assert_eq!(stored["run"]["number"], number.as_str());
        assert_eq!(stored["result"], done["result"]);
        assert_eq!(stored["allocation_lines"].as_array().map(Vec::len), Some(rows.len()), "{stored}");
        assert_eq!(t.get("/api/v1/allocation-runs/999999", &brand).await.status, StatusCode::NOT_FOUND);

        // ALC-10: the run's input, replayed by the engine, gives its result.
        let r = t.get(&format!("/api/v1/allocation-runs/{id}/input"), &brand).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.header("content-disposition").contains(&format!("{number}-input.json")));
        let input: kaidan_domain::allocation::RunInput = serde_json::from_slice(&r.body).unwrap();
        let again = serde_json::to_value(kaidan_domain::allocation::run(&input).unwrap()).unwrap();
        assert_eq!(again, stored["result"]);
        assert_eq!(t.get("/api/v1/allocation-runs/999999/input", &brand).await.status, StatusCode::NOT_FOUND);

        // Excel and CSV.
        let r = t.get(&format!("/api/v1/allocation-runs/{id}/export?format=xlsx"), &brand).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.body.starts_with(b"PK"), "an xlsx is a zip file");
        assert_eq!(r.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(r.header("content-disposition").contains(&format!("{number}.xlsx")), "{}", r.header("content-disposition"));
        let r = t.get(&format!("/api/v1/allocation-runs/{id}/export?format=csv"), &brand).await;
        assert!(r.header("content-type").starts_with("text/csv"));
        let csv = r.text();
        assert!(csv.contains("outcome,to,name,order_line,product,quantity,amount,expires_on,rule,bound,rank"), "{csv}");
        assert!(csv.contains("ALC-5 unfunded franchisee lock") && csv.contains("无款加盟商"), "{csv}");
        let r = t.get(&format!("/api/v1/allocation-runs/{id}/export?format=pdf"), &brand).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // ALC-5: channel business sees whom to ask for payment.
        let channel = t.user_token("channel", &[Role::ChannelBusiness]).await;
        let chase = t.get("/api/v1/allocation-locks/chase", &channel).await;
        assert_eq!(chase.status, StatusCode::OK, "{}", chase.text());
        let chase = chase.json();
        assert_eq!(chase.as_array().map(Vec::len), Some(1), "{chase}");
        assert_eq!(chase[0]["customer_name"], "无款加盟商");
        assert_eq!(chase[0]["locks"][0]["order_id"], w.unfunded_order);
        assert_eq!(chase[0]["locks"][0]["product_id"], w.product_a);
        let unit: kaidan_domain::Money = serde_json::from_value(chase[0]["locks"][0]["unit_price"].clone()).unwrap();
        let amount: kaidan_domain::Money = serde_json::from_value(chase[0]["amount"].clone()).unwrap();
        assert_eq!(amount, unit, "one unit locked");
        assert!(amount.is_positive());
        assert_eq!(t.get("/api/v1/allocation-locks/chase", &clerk).await.status, StatusCode::FORBIDDEN);

        t.assert_described(&[("/api/v1/allocation-runs", "post"), ("/api/v1/allocation-runs/{id}/export", "get"), ("/api/v1/allocation-locks/chase", "get")]).await;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn alc_10_pages_preview_commit_run_and_chase_list() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        t.user_token("brand", &[Role::BrandProduct]).await;
        let brand = t.login("brand").await;
        let html = t.page("/allocation", &brand).await.text();
        assert!(html.contains("预览") && html.contains("执行分货") && html.contains("href=\"/allocation\""), "{html}");
        assert!(html.contains("receipt"), "the receipt's run is listed: {html}");
        let token = csrf(&html);

        // Forged forms are refused.
        let r = t.post("/allocation/commit", &brand, form(&[("_csrf", "nope")])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let stock_before = stock(&t, &w.admin).await;
        let r = t.post("/allocation/preview", &brand, form(&[("_csrf", &token)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("id=\"preview-result\""), "{html}");
        for text in ["有款加盟商", "无款加盟商", "风衣", "围巾", "ALC-2 funded franchisee", "ALC-5 unfunded franchisee lock",
                     "fully_served", "supply_exhausted", "funded #1", "已锁定待付款", "SO-",
                     "西湖店", "ALC-8 store safety stock", "可用信用"] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
        assert_eq!(stock(&t, &w.admin).await, stock_before, "a preview changes no stock");

        let r = t.post("/allocation/commit", &brand, form(&[("_csrf", &token)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.header("location");
        assert!(to.starts_with("/allocation/runs/"), "{to}");
        let html = t.page(&to, &brand).await.text();
        assert!(html.contains("AR-") && html.contains("ALC-5 unfunded franchisee lock") && html.contains("manual"), "{html}");
        assert!(html.contains("/export?format=xlsx"), "{html}");
        let p = progress(&t, &w.admin, w.funded_order).await;
        assert_eq!(p["reserved"], 2, "{p}");
        // The Excel link works with the page's session.
        let id = to.trim_start_matches("/allocation/runs/");
        let r = t.page(&format!("/api/v1/allocation-runs/{id}/export?format=xlsx"), &brand).await;
        assert!(r.status == StatusCode::OK && r.body.starts_with(b"PK"), "{}", r.status);
        // So does the input (a scenario file) with its Chinese-first label.
        assert!(html.contains(&format!("/api/v1/allocation-runs/{id}/input")) && html.contains("输入数据"), "{html}");
        let r = t.page(&format!("/api/v1/allocation-runs/{id}/input"), &brand).await;
        assert!(r.status == StatusCode::OK && r.body.starts_with(b"{"), "{}", r.status);
        // ALC-3: the run page shows each franchisee's ranking facts as the
        // stored input has them; the funded one's approved order counts.
        let input: kaidan_domain::allocation::RunInput = serde_json::from_slice(&r.body).unwrap();
        assert!(html.contains("重要程度") && html.contains("累计订货量"), "{html}");
        assert!(input.franchisees.iter().any(|f| f.cumulative_ordered > 0), "{:?}", input.franchisees);
        for f in &input.franchisees {
            let cell = format!("<td class=\"num cumulative\">{}</td>", f.cumulative_ordered);
            assert!(html.contains(&cell), "{cell} missing: {html}");
        }
        let html = t.page("/allocation", &brand).await.text();
        assert!(html.contains(&format!("href=\"{to}\"")), "{html}");
        assert_eq!(t.page("/allocation/runs/999999", &brand).await.status, StatusCode::NOT_FOUND);

        // ALC-5: the chase list for channel business.
        t.user_token("channel", &[Role::ChannelBusiness]).await;
        let channel = t.login("channel").await;
        let html = t.page("/allocation/locks", &channel).await.text();
        assert!(html.contains("无款加盟商") && !html.contains("有款加盟商"), "{html}");
        assert!(html.contains("风衣") && html.contains("SO-"), "{html}");
        let chase = t.get("/api/v1/allocation-locks/chase", &w.admin).await.json();
        let amount = chase[0]["amount"].as_str().unwrap().to_string();
        assert!(html.contains(&amount) || html.contains(&format!("{amount}.00")) , "{amount}: {html}");
        // Channel business does not run allocations.
        assert_eq!(t.page("/allocation", &channel).await.status, StatusCode::FORBIDDEN);
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let clerk = t.login("clerk").await;
        let html = t.page("/", &clerk).await.text();
        assert!(!html.contains("href=\"/allocation\""), "no menu entry for clerks");
        assert_eq!(t.page("/allocation/locks", &clerk).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// The id of the master record with this code, e.g. a store's.
async fn id_of(t: &T, token: &str, collection: &str, code: &str) -> i64 {
    let page = t
        .get(&format!("/api/v1/{collection}?q={code}"), token)
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// (on hand, available) of a product in the warehouse with this code.
async fn balance(t: &T, token: &str, product: i64, warehouse: &str) -> (i64, i64) {
    let rows = stock(t, token).await;
    rows["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["product_id"] == product && r["warehouse_code"] == warehouse)
        .map(|r| {
            (
                r["on_hand"].as_i64().unwrap(),
                r["available"].as_i64().unwrap(),
            )
        })
        .unwrap_or((0, 0))
}

/// ALC-8, ALC-9, DOC-2: a committed run's store allocation is a transfer
/// reserved in the central warehouse; over the API it is picked short,
/// shipped and received into the store's own stock; the store's position
/// counts it on the way and then on hand; a region's replenishment plan is
/// set (bad plans refused), taken by the next run and given back when its
/// transfer is cancelled. Every refusal changes nothing.
#[tokio::test]
#[rustfmt::skip]
async fn alc_8_alc_9_doc_2_transfers_over_the_api() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let brand = t.user_token("brand", &[Role::BrandProduct]).await;
        let wh = t.user_token("wh", &[Role::Warehouse]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let store = id_of(&t, &w.admin, "stores", "ST-1").await;
        let region = id_of(&t, &w.admin, "regions", "HZ").await;
        let pos = t.get(&format!("/api/v1/stores/{store}/stock-position"), &wh).await.json();
        assert_eq!(pos, json!([{"product_id": w.product_b, "safety_stock": 2, "on_hand": 0, "in_transit": 0, "need": 2}]));

        let r = t.post_json("/api/v1/allocation-runs", &brand, json!({"commit": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let run = r.json();
        let numbers = run["transfers"].as_array().unwrap().clone();
        assert_eq!(numbers.len(), 1, "{run}");
        let number = numbers[0].as_str().unwrap().to_string();
        assert!(number.starts_with("TR-"), "{number}");
        let run_id = run["run"]["id"].as_i64().unwrap();
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (5, 3), "two of B reserved for the store");

        // Listed, filtered and read back.
        let list = t.get(&format!("/api/v1/transfers?run_id={run_id}"), &wh).await.json();
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        let tr = list[0].clone();
        let id = tr["id"].as_i64().unwrap();
        assert_eq!((tr["number"].as_str(), tr["kind"].as_str(), tr["status"].as_str()), (Some(number.as_str()), Some("store"), Some("open")));
        assert_eq!((tr["store_id"].as_i64(), tr["region_id"].as_i64(), tr["destination"].as_str()), (Some(store), Some(region), Some("西湖店")));
        assert_eq!(tr["lines"], json!([{"line_no": 1, "product_id": w.product_b, "quantity": 2, "picked": null}]));
        assert_eq!(t.get(&format!("/api/v1/transfers/{id}"), &clerk).await.json(), tr, "order clerks may read");
        assert_eq!(t.get(&format!("/api/v1/transfers?store_id={store}&status=open"), &wh).await.json(), list);
        assert_eq!(t.get("/api/v1/transfers?status=received", &wh).await.json(), json!([]));
        let r = t.get("/api/v1/transfers?status=lost", &wh).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("status"), "{}", r.text());
        assert_eq!(t.get("/api/v1/transfers/999999", &wh).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get("/api/v1/transfers/abc", &wh).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let finance = t.user_token("fin", &[Role::Finance]).await;
        assert_eq!(t.get("/api/v1/transfers", &finance).await.status, StatusCode::FORBIDDEN);

        // DOC-2: found by its number.
        let docs = t.get(&format!("/api/v1/documents/{number}"), &wh).await.json();
        assert_eq!(docs, json!([{"kind": "transfer", "id": id, "number": number, "href": format!("/transfers/{id}"), "api": format!("/api/v1/transfers/{id}")}]));

        // ALC-8: the goods on their way count toward the store's position.
        let pos = t.get(&format!("/api/v1/stores/{store}/stock-position"), &wh).await.json();
        assert_eq!((pos[0]["in_transit"].as_i64(), pos[0]["need"].as_i64()), (Some(2), Some(0)), "{pos}");
        assert_eq!(t.get("/api/v1/stores/999999/stock-position", &wh).await.status, StatusCode::NOT_FOUND);

        // Refusals change nothing: no right, more than reserved, no packages, wrong step.
        let pick = |picked: i64, packages: i64| json!({"lines": [{"line_no": 1, "picked": picked}], "packages": packages});
        let path = |step: &str| format!("/api/v1/transfers/{id}/{step}");
        let r = t.post_json(&path("pick"), &clerk, pick(1, 1)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.post_json(&path("pick"), &wh, pick(3, 1)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = t.post_json(&path("pick"), &wh, pick(1, 0)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("packages"), "{}", r.text());
        let r = t.post_json(&path("ship"), &wh, json!({"carrier": "顺丰", "tracking_no": "SF1", "eta": "2099-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("the transfer is open; to ship it, it must be picked"), "{}", r.text());
        let r = t.post_json(&path("receive"), &wh, json!({"note": 5})).await;
        assert!(r.status.is_client_error(), "{}", r.text());
        assert_eq!(t.get(&format!("/api/v1/transfers/{id}"), &wh).await.json(), tr, "nothing changed");
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (5, 3));

        // Picked short: the missing unit is free again at once.
        let r = t.post_json(&path("pick"), &wh, pick(1, 1)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].as_str(), r.json()["lines"][0]["picked"].as_i64()), (Some("picked"), Some(1)));
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (5, 4));
        let r = t.post_json(&path("ship"), &wh, json!({"carrier": "顺丰", "tracking_no": "SF1", "eta": "2000-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an arrival before today: {}", r.text());
        let r = t.post_json(&path("ship"), &wh, json!({"carrier": "顺丰", "tracking_no": "SF1", "eta": "2099-01-01"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].as_str(), r.json()["tracking_no"].as_str()), (Some("shipped"), Some("SF1")));
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (4, 4), "the unit left the central warehouse");
        let r = t.post_json(&path("cancel"), &wh, json!({"reason": "太晚"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("the transfer is shipped"), "{}", r.text());
        let r = t.post_json(&path("receive"), &wh, json!({"note": "外箱完好"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let done = r.json();
        assert_eq!((done["status"].as_str(), done["note"].as_str()), (Some("received"), Some("外箱完好")));
        assert!(done["to_warehouse_id"].is_i64() && done["closed_at"].is_string(), "{done}");
        assert_eq!(balance(&t, &wh, w.product_b, "STORE-ST-1").await, (1, 1), "in the store's own stock");
        let pos = t.get(&format!("/api/v1/stores/{store}/stock-position"), &wh).await.json();
        assert_eq!(pos, json!([{"product_id": w.product_b, "safety_stock": 2, "on_hand": 1, "in_transit": 0, "need": 1}]));

        // A region's replenishment plan: bad ones refused whole.
        let plan = format!("/api/v1/regions/{region}/replenishment");
        assert_eq!(t.get(&plan, &brand).await.json(), json!([]));
        let r = t.json(Method::PUT, &plan, &clerk, json!([{"product_id": w.product_b, "quantity": 2}]), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.json(Method::PUT, &plan, &brand, json!([{"product_id": w.product_b, "quantity": 2}, {"product_id": w.product_b, "quantity": -1}]), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("[1].product_id") && r.text().contains("[1].quantity"), "{}", r.text());
        let r = t.json(Method::PUT, &plan, &brand, json!([{"product_id": 999999, "quantity": 2}]), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("no product with id 999999"), "{}", r.text());
        let r = t.json(Method::PUT, &plan, &brand, json!([{"product": w.product_b}]), &[]).await;
        assert!(r.status.is_client_error(), "{}", r.text());
        assert_eq!(t.get(&plan, &brand).await.json(), json!([]), "nothing changed");
        assert_eq!(t.json(Method::PUT, "/api/v1/regions/999999/replenishment", &brand, json!([]), &[]).await.status, StatusCode::NOT_FOUND);
        let r = t.json(Method::PUT, &plan, &brand, json!([{"product_id": w.product_b, "quantity": 2}]), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(t.get(&plan, &clerk).await.json(), json!([{"product_id": w.product_b, "quantity": 2}]));

        // The next run: the store's missing unit, then the region's plan (B is seasonal: region by region, stores first).
        let r = t.post_json("/api/v1/allocation-runs", &brand, json!({"commit": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let run2 = r.json()["run"]["id"].as_i64().unwrap();
        let list = t.get(&format!("/api/v1/transfers?run_id={run2}"), &wh).await.json();
        let by_kind = |k: &str| list.as_array().unwrap().iter().find(|x| x["kind"] == k).cloned().unwrap();
        assert_eq!(by_kind("store")["lines"][0]["quantity"], 1, "{list}");
        let to_region = by_kind("region");
        assert_eq!((to_region["lines"][0]["quantity"].as_i64(), to_region["store_id"].is_null()), (Some(2), true), "{list}");
        assert_eq!(t.get(&plan, &brand).await.json(), json!([]), "the plan was taken");
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (4, 1));

        // Cancelled: the goods are free and the region's plan is whole again.
        let cancel = format!("/api/v1/transfers/{}/cancel", to_region["id"]);
        let r = t.post_json(&cancel, &wh, json!({"reason": " "})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("reason"), "{}", r.text());
        let r = t.post_json(&cancel, &wh, json!({"reason": "区域暂停备货"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "cancelled");
        assert_eq!(t.get(&plan, &brand).await.json(), json!([{"product_id": w.product_b, "quantity": 2}]));
        assert_eq!(balance(&t, &wh, w.product_b, "WH").await, (4, 3));

        t.assert_described(&[("/api/v1/transfers", "get"), ("/api/v1/transfers/{id}/pick", "post"), ("/api/v1/transfers/{id}/receive", "post"), ("/api/v1/stores/{id}/stock-position", "get"), ("/api/v1/regions/{id}/replenishment", "get")]).await;
    })
    .await;
}

/// ALC-8, ALC-9 on the pages: the warehouse picks, ships and receives a
/// transfer (bad input re-shows the page with the reason and changes
/// nothing); brand product sets a region's plan by SKU; the store and region
/// pages show position and plan; the run page has its per-region and
/// per-store tables and links its transfers; the number lookup finds it.
#[tokio::test]
#[rustfmt::skip]
async fn alc_8_alc_9_transfer_pages() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        t.user_token("brand", &[Role::BrandProduct]).await;
        t.user_token("wh", &[Role::Warehouse]).await;
        t.user_token("fin", &[Role::Finance]).await;
        let brand = t.login("brand").await;
        let html = t.page("/allocation", &brand).await.text();
        let r = t.post("/allocation/commit", &brand, form(&[("_csrf", &csrf(&html))])).await;
        let run_page = r.header("location");
        let html = t.page(&run_page, &brand).await.text();
        let run_id = run_page.trim_start_matches("/allocation/runs/");
        assert!(html.contains(&format!("href=\"/transfers?run_id={run_id}\"")), "{html}");
        let r = t.page(&format!("/transfers?run_id={run_id}"), &brand).await;
        assert_eq!(r.status, StatusCode::OK, "brand product reads the transfers its runs made");
        for part in ["id=\"result-regions\"", "id=\"result-stores\"", "杭州区", "西湖店"] {
            assert!(html.contains(part), "{part} missing: {html}");
        }

        let wh = t.login("wh").await;
        let html = t.page("/", &wh).await.text();
        assert!(html.contains("href=\"/transfers\""), "the menu has transfers: {html}");
        let html = t.page(&format!("/transfers?run_id={run_id}"), &wh).await.text();
        assert!(html.contains("TR-") && html.contains("西湖店") && html.contains("待拣货"), "{html}");
        let href = html.split("href=\"/transfers/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let page = format!("/transfers/{href}");
        let r = t.page("/transfers?status=lost", &wh).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("lost"), "{}", r.text());

        let html = t.page(&page, &wh).await.text();
        assert!(html.contains("AL-B") && html.contains("围巾") && html.contains("id=\"pick-form\""), "{html}");
        let token = csrf(&html);
        let r = t.post(&format!("{page}/pick"), &wh, form(&[("_csrf", "nope"), ("picked_1", "2"), ("packages", "1")])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.post(&format!("{page}/pick"), &wh, form(&[("_csrf", &token), ("picked_1", "两"), ("packages", "1")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("line 1: &#39;两&#39; is not a quantity") || r.text().contains("line 1: '两' is not a quantity"), "{}", r.text());
        let r = t.post(&format!("{page}/pick"), &wh, form(&[("_csrf", &token), ("picked_1", "9"), ("packages", "1")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "more than reserved");
        assert!(t.page(&page, &wh).await.text().contains("待拣货"), "still open");
        let r = t.post(&format!("{page}/pick"), &wh, form(&[("_csrf", &token), ("picked_1", "2"), ("packages", "1")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.header("location"), page);
        let html = t.page(&page, &wh).await.text();
        assert!(html.contains("已拣货待发运") && html.contains("id=\"ship-form\"") && html.contains("id=\"cancel-form\""), "{html}");
        let r = t.post(&format!("{page}/ship"), &wh, form(&[("_csrf", &token), ("carrier", "顺丰"), ("tracking_no", "SF9"), ("eta", "明天")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("is not a date"), "{}", r.text());
        let r = t.post(&format!("{page}/ship"), &wh, form(&[("_csrf", &token), ("carrier", "顺丰"), ("tracking_no", "SF9"), ("eta", "2099-01-01")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&page, &wh).await.text();
        assert!(html.contains("在途") && html.contains("SF9") && html.contains("id=\"receive-form\"") && !html.contains("id=\"cancel-form\""), "{html}");
        let r = t.post(&format!("{page}/receive"), &wh, form(&[("_csrf", &token), ("note", "")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&page, &wh).await.text();
        assert!(html.contains("已收货") && !html.contains("id=\"receive-form\""), "{html}");
        assert!(!html.contains("id=\"history\""), "the warehouse does not read the audit trail");
        let boss = t.login("boss").await;
        let audited = t.page(&page, &boss).await.text();
        assert!(audited.contains("id=\"history\"") && audited.contains("receive") && audited.contains("shipped"), "the audit trail is shown: {audited}");
        let number = html.split("调拨单 ").nth(1).unwrap().split(' ').next().unwrap().to_string();
        let r = t.page(&format!("/lookup?number={number}"), &wh).await;
        assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, page.clone()), "DOC-2");

        // The store's page shows its position and links its transfers.
        let store = id_of(&t, &w.admin, "stores", "ST-1").await;
        let html = t.page(&format!("/m/stores/{store}"), &wh).await.text();
        assert!(html.contains("库存状况") && html.contains(&format!("href=\"/transfers?store_id={store}\"")), "{html}");
        assert!(html.contains("<td>AL-B</td><td>围巾</td><td>2</td><td>2</td><td>0</td><td>0</td>"), "safety 2, on hand 2, none on the way, none to send: {html}");
        let fin = t.login("fin").await;
        assert_eq!(t.page("/transfers", &fin).await.status, StatusCode::FORBIDDEN);

        // A region's plan, by SKU.
        let region = id_of(&t, &w.admin, "regions", "HZ").await;
        let plan = format!("/regions/{region}/replenishment");
        let html = t.page(&plan, &brand).await.text();
        assert!(html.contains("id=\"plan-form\"") && html.contains("sku_0"), "{html}");
        let token = csrf(&html);
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("sku_0", "NOPE"), ("new_qty_0", "3")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("new row 1: no product with SKU &#39;NOPE&#39;") || r.text().contains("new row 1: no product with SKU 'NOPE'"), "{}", r.text());
        assert!(r.text().contains("value=\"NOPE\""), "what was typed is kept");
        let seen = hidden(&html, "seen");
        assert_eq!(seen, "", "the plan is empty");
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("seen", &seen), ("sku_0", "AL-B"), ("new_qty_0", "-3")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("must not be negative"), "{}", r.text());
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("seen", &seen), ("sku_0", "AL-B"), ("new_qty_0", "3")])).await;
        assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, format!("/m/regions/{region}")), "{}", r.text());
        let html = t.page(&format!("/m/regions/{region}"), &brand).await.text();
        assert!(html.contains("备货计划") && html.contains("<td>AL-B</td><td>围巾</td><td>3</td>"), "{html}");
        assert!(html.contains("set_replenishment"), "audited: {html}");
        let kept = format!("qty_{}", w.product_b);
        let seen = hidden(&t.page(&plan, &brand).await.text(), "seen");
        assert_eq!(seen, format!("{}:3", w.product_b));
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("seen", &seen), (&kept, "3"), ("sku_1", "AL-B"), ("new_qty_1", "1")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("in the plan already"), "{}", r.text());
        // Someone else changes the plan meanwhile: the stale form is refused
        // and what they set stays.
        let api = t.user_token("api-brand", &[Role::BrandProduct]).await;
        let r = t.json(Method::PUT, &format!("/api/v1/regions/{region}/replenishment"), &api, json!([{"product_id": w.product_b, "quantity": 5}]), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("seen", &seen), (&kept, "0")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("changed by someone else meanwhile"), "{}", r.text());
        assert!(r.text().contains("value=\"5\""), "the form shows the plan as it is now");
        assert_eq!(t.get(&format!("/api/v1/regions/{region}/replenishment"), &api).await.json(), json!([{"product_id": w.product_b, "quantity": 5}]));
        let seen = hidden(&r.text(), "seen");
        let r = t.post(&plan, &brand, form(&[("_csrf", &token), ("seen", &seen), (&kept, "0")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.get(&format!("/api/v1/regions/{region}/replenishment"), &api).await.json(), json!([]), "0 drops the product");
        let html = t.page(&plan, &wh).await.text();
        assert!(!html.contains("id=\"save-plan\""), "the warehouse reads the plan, does not change it");
    })
    .await;
}
