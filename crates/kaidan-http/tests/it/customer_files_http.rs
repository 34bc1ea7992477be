//! The reps' customer files (客户档案, SAL-2), in process on both
//! databases: the record form written by the customer's rep, checked, and
//! the ledger beside it — the categories bought, the open invoices' due
//! days, the payments, the money the customer has with us; who reads and
//! writes what; the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::json;

use crate::finance_http::{PNG, approved, put_voucher, ship, world};
use crate::support::{T, assert_has, csrf, on_each_backend};

#[tokio::test]
#[rustfmt::skip]
async fn sal_2_customer_file_written_by_the_rep_beside_the_ledger() {
    on_each_backend(|t: T| async move {
        let w = world(&t, "monthly_settlement").await;
        let rep2 = t.user_token("rep2", &[Role::SalesRep]).await;
        let gm = t.user_token("gm", &[Role::GeneralManager]).await;
        let c = w.customer;

        // 3 shirts ordered, shipped and invoiced (298.50 due); 100 paid.
        let order = approved(&t, &w, 3).await;
        let sid = ship(&t, &w, order).await["id"].as_i64().unwrap();
        let inv = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await.json();
        let rid = t.post_json("/api/v1/receipts", &w.finance, json!({"customer_id": c, "payer": "加盟商一号",
            "method": "bank_transfer", "amount": "100", "received_on": inv["invoice_date"], "bank_reference": "B-9"})).await.json()["id"].as_i64().unwrap();
        put_voucher(&t, &w.finance, rid, "slip.png", "image/png", PNG).await;
        assert_eq!(t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await.status, StatusCode::OK);

        // The rep's list: his customer, no file yet; another rep sees none.
        let list = t.get("/api/v1/customer-files", &w.rep).await.json();
        assert_eq!((list.as_array().unwrap().len(), list[0]["customer_id"].as_i64(), list[0]["first_contact"].clone()), (1, Some(c), json!(null)), "{list}");
        assert_eq!(t.get("/api/v1/customer-files", &rep2).await.json(), json!([]));
        assert_eq!(t.get(&format!("/api/v1/customer-files/{c}"), &rep2).await.status, StatusCode::NOT_FOUND);

        // The record form: checked, then written by the customer's rep only.
        let bad = json!({"first_contact": "2999-01-01", "contact": " ", "inquiry": "秋冬订货", "birthday": "13-01"});
        let r = t.json(Method::PUT, &format!("/api/v1/customer-files/{c}"), &w.rep, bad, &[]).await;
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert_eq!(fields, ["first_contact", "contact", "birthday"], "{}", r.text());
        let file = json!({"first_contact": "2026-03-02", "contact": "陈经理", "phone": "13800000000", "inquiry": "秋冬新品订货会",
            "birthday": "06-18", "interests": "衬衫、羽绒服"});
        assert_eq!(t.json(Method::PUT, &format!("/api/v1/customer-files/{c}"), &rep2, file.clone(), &[]).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.json(Method::PUT, &format!("/api/v1/customer-files/{c}"), &gm, file.clone(), &[]).await.status, StatusCode::FORBIDDEN);
        let r = t.json(Method::PUT, &format!("/api/v1/customer-files/{c}"), &w.rep, file, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let f = r.json();
        assert_eq!((f["file"]["contact"].clone(), f["file"]["written_by"].clone(), f["writable"].clone()), (json!("陈经理"), json!("李销售"), json!(true)), "{f}");

        // The ledger beside it: the shirts' category (none: 未分类), 298.50
        // invoiced of which 100 paid (198.50 open, due when the invoice
        // says), the payment with its day and method.
        assert_eq!((f["categories"][0]["category"].clone(), f["categories"][0]["amount"].clone(), f["categories"][0]["orders"].clone()), (json!(""), json!("298.5"), json!(1)), "{f}");
        assert_eq!((f["dues"][0]["open"].clone(), f["dues"][0]["due"].clone()), (json!("198.5"), inv["due_date"].clone()), "{f}");
        assert_eq!((f["payments"][0]["amount"].clone(), f["payments"][0]["method"].clone()), (json!("100"), json!("bank_transfer")), "{f}");
        assert_eq!(f["customer"]["payment_terms"], "monthly_settlement");
        // The general manager reads it, without the form.
        assert_eq!(t.get(&format!("/api/v1/customer-files/{c}"), &gm).await.json()["writable"], false);

        // The pages.
        let cookie = t.login("rep").await;
        let page = t.page("/customer-files", &cookie).await.text();
        assert_has(&page, &["客户档案", "FR-1 加盟商一号", "2026-03-02", "陈经理", "1 / 1"]);
        let page = t.page(&format!("/customer-files/{c}"), &cookie).await.text();
        assert_has(&page, &["货款应缴日期", "198.50", "未分类", "秋冬新品订货会", "id=\"customer-file-form\""]);
        let r = t.submit(&format!("/customer-files/{c}"), &cookie, &csrf(&page), &[("first_contact", "2026-03-02"), ("contact", "陈经理"),
            ("inquiry", "秋冬新品订货会"), ("birthday", "02-30")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["id=\"customer-file-error\"", "birthday"]);
        t.assert_described(&[("/api/v1/customer-files/{id}", "put")]).await;
    })
    .await;
}
