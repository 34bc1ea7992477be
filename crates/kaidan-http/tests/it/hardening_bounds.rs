//! Issue 16 ("Hardening"), item 1: quantities never overflow. Inputs beyond
//! the largest quantity are refused with 422 naming the field (or the row
//! and column of an import), balances never pass it, and the reads that
//! broke for good on SQLite (the stock list, its export, the allocation
//! preview) keep answering. Both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use kaidan_domain::{Quantity, Role};
use serde_json::{Value, json};

use crate::support::{T, on_each_backend};

/// The quantities of the report.
const I64_MAX: &str = "9223372036854775807";
const HALF_OF_I64: i64 = 4_611_686_018_427_387_904;

/// An admin's and a warehouse keeper's tokens, a product and the central
/// warehouse: (admin, keeper, product id, warehouse id).
async fn world(t: &T) -> (String, String, Value, Value) {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let keeper = t.user_token("keeper", &[Role::Warehouse]).await;
    let p = t
        .post_json(
            "/api/v1/products",
            &admin,
            json!({"sku": "B-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "none",
                   "launch_priority": 1, "list_price": "10", "tax_rate": "0.13"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
    let w = t
        .post_json(
            "/api/v1/warehouses",
            &admin,
            json!({"code": "WH", "name": "总仓", "is_central": true}),
        )
        .await;
    assert_eq!(w.status, StatusCode::CREATED, "{}", w.text());
    (
        admin,
        keeper,
        p.json()["id"].clone(),
        w.json()["id"].clone(),
    )
}

/// The product's on hand in the stock list (which must answer 200).
async fn on_hand(t: &T, token: &str) -> i64 {
    let r = t.get("/api/v1/stock", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", t.backend, r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["sku"] == "B-1")
        .map_or(0, |b| b["on_hand"].as_i64().unwrap())
}

/// Every read the issue saw answer 500 for good still answers 200.
async fn reads_still_answer(t: &T, admin: &str) {
    on_hand(t, admin).await;
    let r = t.get("/api/v1/export/stock", admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", t.backend, r.text());
    let r = t
        .post_json("/api/v1/allocation-runs", admin, json!({"commit": false}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", t.backend, r.text());
}

/// The import of one stock row of `quantity`.
async fn import(t: &T, admin: &str, quantity: &str) -> crate::support::Res {
    let csv = format!("sku,warehouse_code,quantity\nB-1,WH,{quantity}\n");
    t.upload("/api/v1/import/stock?file=s.csv", admin, csv)
        .await
}

/// The import was refused naming row 2, column quantity.
#[track_caller]
fn refused_on_quantity(t: &T, r: &crate::support::Res) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}: {}",
        t.backend,
        r.text()
    );
    assert_eq!(r.header("content-type"), "application/problem+json");
    let rows = r.json()["rows"].as_array().cloned().unwrap_or_default();
    assert!(
        rows.iter()
            .any(|e| e["row"] == 2 && e["column"] == "quantity"),
        "{}: {rows:?}",
        t.backend
    );
}

/// The request was refused with 422 naming `field` as too large (the
/// receipt says it with its own code, `invalid`, and the bound).
#[track_caller]
fn refused_as_too_large(t: &T, r: &crate::support::Res, field: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}: {}",
        t.backend,
        r.text()
    );
    assert_eq!(r.header("content-type"), "application/problem+json");
    let errors = r.json()["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"] == field
            && (e["code"] == "too_large"
                || e["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("at most 1000000000000"))),
        "{}: {errors:?}",
        t.backend
    );
}

#[tokio::test]
async fn hardening_1_a_stock_import_of_i64_max_twice_is_refused_and_reads_still_answer() {
    on_each_backend(|t| async move {
        let (admin, _, _, _) = world(&t).await;
        for _ in 0..2 {
            let r = import(&t, &admin, I64_MAX).await;
            refused_on_quantity(&t, &r);
        }
        assert_eq!(on_hand(&t, &admin).await, 0, "{}", t.backend);
        reads_still_answer(&t, &admin).await;

        // The largest quantity is accepted once; a second import of it
        // would pass it and is refused as its row's quantity, nothing
        // written.
        let max = Quantity::MAX.to_string();
        let r = import(&t, &admin, &max).await;
        assert!(r.status.is_success(), "{}: {}", t.backend, r.text());
        let r = import(&t, &admin, &max).await;
        refused_on_quantity(&t, &r);
        assert_eq!(on_hand(&t, &admin).await, Quantity::MAX.get());
        reads_still_answer(&t, &admin).await;
    })
    .await;
}

#[tokio::test]
async fn hardening_1_b_a_stock_receipt_of_2_to_the_62_twice_is_422_not_500() {
    on_each_backend(|t| async move {
        let (admin, keeper, p, w) = world(&t).await;
        for _ in 0..2 {
            let r = t
                .post_json(
                    "/api/v1/stock/receipts",
                    &keeper,
                    json!({"product_id": p, "warehouse_id": w, "quantity": HALF_OF_I64, "source": "PO-1"}),
                )
                .await;
            refused_as_too_large(&t, &r, "quantity");
        }
        assert_eq!(on_hand(&t, &admin).await, 0, "{}", t.backend);
        reads_still_answer(&t, &admin).await;
    })
    .await;
}

#[tokio::test]
async fn hardening_1_c_a_receipt_past_the_largest_balance_is_refused_and_changes_nothing() {
    on_each_backend(|t| async move {
        let (admin, keeper, p, w) = world(&t).await;
        let receive = |q: i64| {
            let (t, keeper, p, w) = (&t, &keeper, p.clone(), w.clone());
            async move {
                t.post_json(
                    "/api/v1/stock/receipts",
                    keeper,
                    json!({"product_id": p, "warehouse_id": w, "quantity": q, "source": "PO-2"}),
                )
                .await
            }
        };
        let r = receive(Quantity::MAX.get()).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}: {}", t.backend, r.text());
        let r = receive(1).await;
        refused_as_too_large(&t, &r, "quantity");
        assert_eq!(on_hand(&t, &admin).await, Quantity::MAX.get(), "{}", t.backend);
        // The ledger still sums to the balance (INV-1): the refused
        // receipt left no entry.
        let (sums, _) = t
            .app
            .stock_ledger_check(&kaidan_app::Ctx::system())
            .await
            .unwrap();
        assert_eq!(
            sums.iter().map(|s| s.2).collect::<Vec<_>>(),
            vec![Quantity::MAX.get()],
            "{}",
            t.backend
        );
        reads_still_answer(&t, &admin).await;

        // A count beyond the bound is the count's problem, not the
        // balance's.
        let r = t
            .post_json(
                "/api/v1/stock-counts",
                &keeper,
                json!({"warehouse_id": w, "lines": [{"product_id": p, "counted": Quantity::MAX.get() + 1}]}),
            )
            .await;
        refused_as_too_large(&t, &r, "lines[0].counted");
    })
    .await;
}
