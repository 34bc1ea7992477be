//! Issue 16, item 3 over the API: a crafted .xlsx that made the spreadsheet
//! reader panic (and the API answer 500 text/plain "Service panicked") is a
//! 422 problem document naming the file, and nothing is imported.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use kaidan_domain::Role;

use crate::support::on_each_backend;

/// Made by `crates/kaidan-io/tests/it/crafted.rs`: the products export with
/// a shared-string index (999) beyond the workbook's list of strings.
const CRAFTED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../kaidan-io/tests/files/shared-string-out-of-range.xlsx"
));

#[tokio::test]
async fn hardening_3_a_crafted_xlsx_import_is_a_422_problem_not_a_panic() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        for dataset in ["products", "stock", "customers"] {
            let r = t
                .upload(
                    &format!("/api/v1/import/{dataset}?file=crafted.xlsx"),
                    &admin,
                    CRAFTED,
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {dataset}: {}",
                t.backend,
                r.text()
            );
            assert_eq!(r.header("content-type"), "application/problem+json");
            let detail = r.json()["detail"].as_str().unwrap_or_default().to_string();
            assert!(
                detail.starts_with("crafted.xlsx: not a readable .xlsx workbook"),
                "{detail}"
            );
        }
        let products = t.get("/api/v1/products", &admin).await.json();
        assert_eq!(products["items"].as_array().map(Vec::len), Some(0));
    })
    .await;
}
