//! Order to cash over the API and the pages (FIN-1..4, FIN-6, ORD-7,
//! CHG-3, DOC-1), in process on both databases: invoices from shipments,
//! credit notes, receipts with vouchers verified by finance, matching,
//! orders closed, ageing, and the guards against doing any of it twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::users::NewUserInput;
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, on_each_backend};

/// A 1×1 PNG: what a phone photo of a transfer slip starts with.
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

pub(crate) struct World {
    pub(crate) admin: String,
    pub(crate) finance: String,
    pub(crate) wh: String,
    pub(crate) rep: String,
    pub(crate) customer: i64,
    pub(crate) product: i64,
}

/// A product at 99.50 (13 % VAT), 1,000 in stock, a franchisee on `terms`
/// whose sales rep is `rep`, and the tokens of admin, finance, warehouse
/// and the rep.
pub(crate) async fn world(t: &T, terms: &str) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let finance = t.user_token("cw", &[Role::Finance]).await;
    let wh = t.user_token("wh", &[Role::Warehouse]).await;
    let rep_user = t
        .app
        .create_user(
            &Ctx::system(),
            NewUserInput {
                username: "rep".into(),
                display_name: "李销售".into(),
                password: "correct horse".into(),
                roles: vec![Role::SalesRep],
                customer_id: None,
            },
        )
        .await
        .unwrap();
    let rep = t
        .app
        .add_token(&Ctx::system(), rep_user.id, "t")
        .await
        .unwrap()
        .token;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nF-1,WH,1000\n",
    )
    .await;
    let c = t.post_json("/api/v1/customers", &admin, json!({"code": "FR-1", "name": "加盟商一号", "kind": "franchisee",
        "payment_terms": terms, "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳",
        "tax_number": "91440300MA5FXXXX1X", "bank_account": "招商银行 7559", "sales_rep_id": rep_user.id})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    World {
        admin,
        finance,
        wh,
        rep,
        customer: c.json()["id"].as_i64().unwrap(),
        product: p["id"].as_i64().unwrap(),
    }
}

/// An approved order of `qty` units; its id.
pub(crate) async fn approved(t: &T, w: &World, qty: i64) -> i64 {
    let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-23",
                       "lines": [{"product_id": w.product, "quantity": qty}]});
    let r = t
        .post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, order)
        .await;
    let id = r.json()["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", r.text()));
    t.approve_order(id, &w.admin).await;
    id
}

/// Picks and ships what the order reserved; the shipment.
pub(crate) async fn ship(t: &T, w: &World, order: i64) -> Value {
    let r = t
        .post_json("/api/v1/pick-lists", &w.wh, json!({"order_ids": [order]}))
        .await;
    let list = &r.json()[0];
    let lid = list["id"].as_i64().unwrap();
    let lines: Vec<Value> = list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"line_no": l["line_no"], "picked": l["quantity"]}))
        .collect();
    t.post_json(
        &format!("/api/v1/pick-lists/{lid}/pick"),
        &w.wh,
        json!({"lines": lines, "packages": 1}),
    )
    .await;
    let r = t
        .post_json(
            &format!("/api/v1/pick-lists/{lid}/ship"),
            &w.wh,
            json!({"carrier": "顺丰", "tracking_no": format!("SF{lid}"), "eta": "2999-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

pub(crate) async fn put_voucher(
    t: &T,
    token: &str,
    receipt: i64,
    name: &str,
    kind: &str,
    bytes: &[u8],
) -> support::Res {
    let auth = format!("Bearer {token}");
    t.call(
        Method::PUT,
        &format!("/api/v1/receipts/{receipt}/voucher?file={name}"),
        &[("authorization", auth.as_str()), ("content-type", kind)],
        Some(bytes.to_vec()),
    )
    .await
}

fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(kaidan_domain::orders::company_time_zone())
        .date()
        .to_string()
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_1_fin_3_ord_7_an_invoiced_shipment_paid_by_a_verified_receipt_closes_the_order() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 3).await;
        let s = ship(&t, &w, order).await;
        let sid = s["id"].as_i64().unwrap();
        // FIN-1: what shipped waits to be invoiced, priced as the order line.
        let todo = t.get("/api/v1/to-invoice", &w.finance).await.json();
        assert_eq!((todo[0]["shipment_id"].clone(), todo[0]["quantity"].clone(), todo[0]["unit_price"].clone()),
            (json!(sid), json!(3), json!("99.5")), "{todo}");
        assert_eq!(t.post_json("/api/v1/invoices", &w.rep, json!({"shipment_id": sid})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid, "order_id": order})).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("one_scope")), "{}", r.text());
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let inv = r.json();
        assert_eq!((inv["amount"].clone(), inv["tax"].clone(), inv["fapiao_kind"].clone()), (json!("298.5"), json!("34.34"), json!("vat_special")), "{inv}");
        assert_eq!(inv["buyer"]["tax_number"], "91440300MA5FXXXX1X");
        assert_eq!(inv["lines"][0]["tax_rate"], "0.13");
        let iid = inv["id"].as_i64().unwrap();
        // Nothing is invoiced twice.
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await;
        assert_eq!(r.json()["errors"][0]["code"], "nothing_to_invoice", "{}", r.text());
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        assert_eq!((o["billing"].clone(), o["status"].clone()), (json!("invoiced"), json!("shipped")), "{o}");
        // CHG-3: the order's shipped and invoiced lines do not change silently.
        let r = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        assert_eq!(r["progress"][0]["invoiced"], 3, "{r}");
        // FIN-3: the rep registers the money for his own customer, with the slip.
        let receipt = json!({"customer_id": w.customer, "payer": "加盟商一号", "method": "bank_transfer",
            "amount": "298.50", "received_on": today(), "bank_reference": null});
        let future = json!({"customer_id": w.customer, "payer": "x", "method": "bank_transfer", "amount": "1", "received_on": "2999-01-01"});
        let r = t.post_json("/api/v1/receipts", &w.rep, future).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("received_on")), "{}", r.text());
        let r = t.post_json("/api/v1/receipts", &w.rep, receipt.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let rid = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["status"], "registered");
        // Until finance verifies it, it counts for nothing.
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!(i["open"], "298.5", "{i}");
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.rep, json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await;
        assert_eq!(r.json()["errors"][0]["field"], "voucher", "{}", r.text());
        let r = put_voucher(&t, &w.rep, rid, "slip.exe", "application/octet-stream", b"MZ\x90\x00").await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("wrong_type")), "{}", r.text());
        let big = vec![0xFFu8; 5 * 1024 * 1024 + 1];
        let r = put_voucher(&t, &w.rep, rid, "big.jpg", "image/jpeg", &big).await;
        assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status);
        let r = put_voucher(&t, &w.rep, rid, "slip.png", "image/png", PNG).await;
        assert_eq!(r.json()["voucher"]["content_type"], "image/png", "{}", r.text());
        let auth = format!("Bearer {}", w.finance);
        let v = t.call(Method::GET, &format!("/api/v1/receipts/{rid}/voucher"), &[("authorization", auth.as_str())], None).await;
        assert_eq!((v.status, v.body.as_slice()), (StatusCode::OK, PNG));
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await;
        assert_eq!(r.json()["status"], "verified", "{}", r.text());
        // Matched oldest due first, the invoice is paid, the order closed.
        assert_eq!((r.json()["applied"].clone(), r.json()["matches"][0]["invoice_id"].clone()), (json!("298.5"), json!(iid)), "{}", r.text());
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!((i["open"].clone(), i["paid"].clone()), (json!("0"), json!("298.5")), "{i}");
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        assert_eq!((o["billing"].clone(), o["status"].clone()), (json!("paid"), json!("closed")), "{o}");
        assert!(o["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "closed"), "{o}");
        // A verified receipt is reversed, never edited: the invoice is open again.
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/reverse"), &w.finance, json!({"reason": ""})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = t.post_json(&format!("/api/v1/receipts/{rid}/reverse"), &w.finance, json!({"reason": "退票"})).await;
        assert_eq!(r.json()["status"], "reversed", "{}", r.text());
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!(i["open"], "298.5", "{i}");
        // ORD-7: the order is no longer paid, so it is open again, back to shipped.
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        assert_eq!((o["billing"].clone(), o["status"].clone()), (json!("invoiced"), json!("shipped")), "{o}");
        assert!(o["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "reopened"), "{o}");
        // The rep sees his customer's invoices; another rep does not.
        assert_eq!(t.get("/api/v1/invoices", &w.rep).await.json().as_array().unwrap().len(), 1);
        let other = t.user_token("rep2", &[Role::SalesRep]).await;
        assert_eq!(t.get("/api/v1/invoices", &other).await.json().as_array().unwrap().len(), 0);
        assert_eq!(t.get(&format!("/api/v1/invoices/{iid}"), &other).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/receipts", &other, receipt).await;
        assert_eq!(r.json()["errors"][0]["code"], "not_your_customer", "{}", r.text());
        t.assert_described(&[("/api/v1/invoices", "post"), ("/api/v1/receipts/{id}/verify", "post"), ("/api/v1/ageing", "get"), ("/api/v1/invoices/{id}/pdf", "get")]).await;
        // DOC-1: the invoice prints in Chinese with its numbers and totals.
        let pdf = t.get(&format!("/api/v1/invoices/{iid}/pdf"), &w.finance).await;
        assert_eq!((pdf.status, pdf.header("content-type")), (StatusCode::OK, "application/pdf".to_string()));
        assert!(pdf.body.starts_with(b"%PDF"));
        if let Some(text) = kaidan_print::testing::pdf_text(&pdf.body) {
            let text = kaidan_print::testing::squeezed(&text);
            for want in ["销售发票", "加盟商一号", "91440300MA5FXXXX1X", "298.50", "34.34", "264.16", "人民币贰佰玖拾捌元伍角整", inv["number"].as_str().unwrap()] {
                assert!(text.contains(&kaidan_print::testing::squeezed(want)), "{want} in {text}");
            }
        }
        assert_eq!(t.get(&format!("/api/v1/invoices/{iid}/pdf"), &other).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_1_credit_notes_never_exceed_the_invoice_and_refused_goods_are_credited() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 4).await;
        let s = ship(&t, &w, order).await;
        let sid = s["id"].as_i64().unwrap();
        let inv = t.post_json("/api/v1/invoices", &w.finance, json!({"order_id": order})).await.json();
        let iid = inv["id"].as_i64().unwrap();
        assert_eq!(inv["amount"], "398", "{inv}");
        let credit = |body: Value| { let p = format!("/api/v1/invoices/{iid}/credit-notes"); let f = w.finance.clone(); let t = &t; async move { t.post_json(&p, &f, body).await } };
        let r = credit(json!({"reason": "price_correction", "note": "折扣", "lines": [{"line_no": 1, "amount": "398.01"}]})).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("above_invoice")), "{}", r.text());
        let r = credit(json!({"reason": "refused", "note": "x", "lines": [{"line_no": 1, "quantity": 1}]})).await;
        assert_eq!(r.json()["errors"][0]["field"], "reason", "{}", r.text());
        let r = credit(json!({"reason": "price_correction", "note": "", "lines": [{"line_no": 1, "amount": "10"}]})).await;
        assert_eq!(r.json()["errors"][0]["field"], "note", "{}", r.text());
        let r = credit(json!({"reason": "price_correction", "note": "价格更正", "lines": [{"line_no": 1, "amount": "10.00"}]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!((r.json()["kind"].clone(), r.json()["credit_of"].clone(), r.json()["amount"].clone()), (json!("credit_note"), json!(iid), json!("10")));
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!((i["credited"].clone(), i["open"].clone()), (json!("10"), json!("388")), "{i}");
        // SHP-3: one unit refused at delivery comes off the invoice by itself.
        let r = t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &w.wh, json!({"signed_by": "王店长",
            "lines": [{"line_no": 1, "accepted": 3, "refused": 1, "reason": "破损", "disposition": "restock"}]})).await;
        assert_eq!(r.json()["status"], "delivered", "{}", r.text());
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!((i["credited"].clone(), i["open"].clone()), (json!("109.5"), json!("288.5")), "{i}");
        let refused = i["related"].as_array().unwrap().iter().find(|c| c["credit_reason"] == "refused").cloned().unwrap();
        assert_eq!(refused["amount"], "99.5", "{i}");
        // Nothing is left to invoice of the refused unit.
        assert_eq!(t.get("/api/v1/to-invoice", &w.finance).await.json(), json!([]));
        // The account's ledger says what the open invoices say (ADR 0021).
        let acct = t.get(&format!("/api/v1/customers/{}/account", w.customer), &w.finance).await.json();
        assert_eq!(acct["balance"]["credit_used"], "288.5", "{acct}");
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_1_fin_3_two_finance_users_never_invoice_or_match_twice() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 2).await;
        let s = ship(&t, &w, order).await;
        let sid = s["id"].as_i64().unwrap();
        let tries = (0..32).map(|_| t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})));
        let results = futures::future::join_all(tries).await;
        let created: Vec<&support::Res> = results.iter().filter(|r| r.status == StatusCode::CREATED).collect();
        assert_eq!(created.len(), 1, "{:?}", results.iter().map(|r| r.text()).collect::<Vec<_>>());
        assert!(results.iter().all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::CONFLICT));
        let iid = created[0].json()["id"].as_i64().unwrap();
        // 32 finance users verify the same receipt at once: it is counted,
        // posted and matched once.
        let r = t.post_json("/api/v1/receipts", &w.finance, json!({"customer_id": w.customer, "payer": "加盟商一号",
            "method": "bank_transfer", "amount": "500", "received_on": today(), "bank_reference": "B-1"})).await;
        let rid = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/receipts/{rid}/verify");
        let tries = (0..32).map(|_| t.post_json(&path, &w.finance, json!({})));
        let results = futures::future::join_all(tries).await;
        let ok = results.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(ok, 1, "{:?}", results.iter().map(|r| r.text()).collect::<Vec<_>>());
        let rc = t.get(&format!("/api/v1/receipts/{rid}"), &w.finance).await.json();
        assert_eq!((rc["applied"].clone(), rc["unapplied"].clone()), (json!("199"), json!("301")), "{rc}");
        let acct = t.get(&format!("/api/v1/customers/{}/account", w.customer), &w.finance).await.json();
        assert_eq!((acct["balance"]["funds"].clone(), acct["balance"]["credit_used"].clone()), (json!("301"), json!("0")), "{acct}");
        let r = t.post_json("/api/v1/matches", &w.finance, json!({"receipt_id": rid, "invoice_id": iid})).await;
        assert_eq!(r.json()["errors"][0]["code"], "nothing_open", "{}", r.text());
        // A new invoice takes the waiting money at once (oldest due first);
        // 32 hand matches of what is left then find nothing open.
        let order2 = approved(&t, &w, 1).await;
        let s2 = ship(&t, &w, order2).await;
        let inv2 = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": s2["id"]})).await.json();
        let iid2 = inv2["id"].as_i64().unwrap();
        assert_eq!(inv2["paid"], "99.5", "{inv2}");
        let tries = (0..32).map(|_| t.post_json("/api/v1/matches", &w.finance, json!({"receipt_id": rid, "invoice_id": iid2, "amount": "1"})));
        let results = futures::future::join_all(tries).await;
        assert!(results.iter().all(|r| r.status != StatusCode::CREATED), "nothing is open, nothing may match");
        let rc = t.get(&format!("/api/v1/receipts/{rid}"), &w.finance).await.json();
        assert_eq!(rc["applied"], "298.5", "{rc}");
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_2_a_prepayment_customer_gets_goods_only_against_money_paid() {
    on_each_backend(|t| async move {
        let w = world(&t, "prepayment").await;
        let order = approved(&t, &w, 2).await;
        let r = t.post_json("/api/v1/pick-lists", &w.wh, json!({"order_ids": [order]})).await;
        let lid = r.json()[0]["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/pick-lists/{lid}/pick"), &w.wh, json!({"lines": [{"line_no": 1, "picked": 2}], "packages": 1})).await;
        let path = format!("/api/v1/pick-lists/{lid}/ship");
        let ship = || t.post_json(&path, &w.wh, json!({"carrier": "顺丰", "tracking_no": "SF1", "eta": "2999-01-01"}));
        let r = ship().await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("not_prepaid")), "{}", r.text());
        let r = t.post_json("/api/v1/receipts", &w.finance, json!({"customer_id": w.customer, "payer": "加盟商一号",
            "method": "bank_transfer", "amount": "199", "received_on": today(), "bank_reference": "B-9"})).await;
        let rid = r.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await;
        assert_eq!(ship().await.status, StatusCode::CREATED);
        // Invoicing the prepaid shipment pays it from the money waiting.
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        let inv = t.post_json("/api/v1/invoices", &w.finance, json!({"order_id": o["id"]})).await.json();
        assert_eq!((inv["paid"].clone(), inv["due_date"].clone()), (json!("199"), json!(today())), "{inv}");
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.finance).await.json();
        assert_eq!(o["status"], "closed", "{o}");
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_1_fin_4_batch_invoicing_previews_then_writes_and_ageing_sums_to_the_open_invoices() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        for q in [1, 2, 3] {
            let o = approved(&t, &w, q).await;
            ship(&t, &w, o).await;
        }
        let preview = t.post_json("/api/v1/invoices/batch", &w.finance, json!({"up_to": today()})).await.json();
        // Monthly settlement: one invoice for the customer's period.
        assert_eq!((preview["committed"].clone(), preview["count"].clone(), preview["amount"].clone()), (json!(false), json!(1), json!("597")), "{preview}");
        assert_eq!(t.get("/api/v1/invoices", &w.finance).await.json(), json!([]));
        let r = t.post_json("/api/v1/invoices/batch", &w.finance, json!({"up_to": "2999-01-01", "commit": true})).await;
        assert_eq!(r.json()["errors"][0]["field"], "up_to", "{}", r.text());
        let done = t.post_json("/api/v1/invoices/batch", &w.finance, json!({"up_to": today(), "commit": true})).await.json();
        assert_eq!((done["count"].clone(), done["invoices"][0]["number"].is_string()), (json!(1), true), "{done}");
        let again = t.post_json("/api/v1/invoices/batch", &w.finance, json!({"up_to": today(), "commit": true})).await.json();
        assert_eq!(again["count"], 0, "{again}");
        // FIN-4: as of 100 days from now the invoice is 61-90 days past due
        // (due 30 days after today).
        let later = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date()
            .checked_add(jiff::Span::new().days(100)).unwrap();
        let a = t.get(&format!("/api/v1/ageing?as_of={later}"), &w.finance).await.json();
        assert_eq!(a["columns"], json!(["not_due", "0-30", "31-60", "61-90", "90+"]));
        assert_eq!((a["totals"]["total"].clone(), a["totals"]["buckets"][3].clone()), (json!("597"), json!("597")), "{a}");
        assert_eq!(a["rows"][0]["label"], "FR-1 加盟商一号");
        let a = t.get(&format!("/api/v1/ageing?as_of={}&group=sales_rep", today()), &w.finance).await.json();
        assert_eq!((a["rows"][0]["label"].clone(), a["totals"]["buckets"][0].clone()), (json!("rep"), json!("597")), "{a}");
        // Today's ageing is read from what the invoices keep; as of today
        // on a clock a day on, from the credit notes and matches: the same.
        let clock = std::sync::Arc::new(kaidan_app::clock::MovableClock::default());
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24));
        let sys = kaidan_app::Ctx::system();
        let group = kaidan_domain::finance::AgeingGroup::Customer;
        let kept = t.app.ageing(&sys, None, group).await.unwrap();
        let dated = t.app.with_clock(clock).ageing(&sys, Some(t.app.today_date()), group).await.unwrap();
        assert_eq!(serde_json::to_value(&kept).unwrap(), serde_json::to_value(&dated).unwrap());
        assert_eq!(t.get("/api/v1/ageing?group=planet", &w.finance).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.get("/api/v1/ageing", &w.rep).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// FIN-2, FIN-4 (ADR 0028): a business customer on net 30 days (净30天).
/// A missing, out-of-range or misplaced number of days is refused naming
/// `net_days` and writes nothing; the customer's invoice is due 30 days
/// after its date, and the ageing counts it not due until then and past
/// due from the next day; the form, the order confirmation and the
/// customer export show the terms.
#[tokio::test]
#[rustfmt::skip]
async fn fin_2_fin_4_a_net_30_customers_invoice_is_due_30_days_after_its_date() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let base = json!({"code": "BZ-1", "name": "星河科技有限公司", "kind": "business", "payment_terms": "net_days",
            "payment_method": "bank_transfer", "credit_limit": "100000", "address": "深圳"});
        for (terms, days, code) in [("net_days", json!(null), "required"), ("net_days", json!(0), "out_of_range"),
                                    ("net_days", json!(367), "out_of_range"), ("monthly_settlement", json!(30), "not_allowed")] {
            let mut c = base.clone();
            c["payment_terms"] = json!(terms);
            c["net_days"] = days;
            let r = t.post_json("/api/v1/customers", &w.admin, c).await;
            assert_eq!((r.status, r.json()["errors"][0]["field"].clone(), r.json()["errors"][0]["code"].clone()),
                (StatusCode::UNPROCESSABLE_ENTITY, json!("net_days"), json!(code)), "{}", r.text());
        }
        assert_eq!(t.get("/api/v1/customers", &w.admin).await.json()["items"].as_array().unwrap().len(), 1, "nothing written");
        let mut c = base.clone();
        c["net_days"] = json!(30);
        let r = t.post_json("/api/v1/customers", &w.admin, c).await;
        assert_eq!((r.status, r.json()["net_days"].clone()), (StatusCode::CREATED, json!(30)), "{}", r.text());
        let w = World { customer: r.json()["id"].as_i64().unwrap(), ..w };
        let order = approved(&t, &w, 2).await;
        let s = ship(&t, &w, order).await;
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": s["id"]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let inv = r.json();
        let date: jiff::civil::Date = inv["invoice_date"].as_str().unwrap().parse().unwrap();
        let due = date.checked_add(jiff::Span::new().days(30)).unwrap();
        assert_eq!(inv["due_date"], json!(due.to_string()), "{inv}");
        let iid = inv["id"].as_i64().unwrap();
        assert_eq!(t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json()["due_date"], json!(due.to_string()));
        let a = t.get(&format!("/api/v1/ageing?as_of={due}"), &w.finance).await.json();
        assert_eq!((a["totals"]["total"].clone(), a["totals"]["buckets"][0].clone()), (inv["amount"].clone(), inv["amount"].clone()), "{a}");
        let a = t.get(&format!("/api/v1/ageing?as_of={}", due.tomorrow().unwrap()), &w.finance).await.json();
        assert_eq!((a["columns"][1].clone(), a["totals"]["buckets"][1].clone()), (json!("0-30"), inv["amount"].clone()), "{a}");
        // The terms where people see them.
        let boss = t.login("boss").await;
        let html = t.page("/m/customers/new", &boss).await.text();
        assert_has(&html, &["账期天数", "净N天", "net_days"]);
        let pdf = t.get(&format!("/api/v1/orders/{order}/pdf"), &w.admin).await;
        assert_eq!(pdf.status, StatusCode::OK);
        if let Some(text) = kaidan_print::testing::pdf_text(&pdf.body) {
            let text = kaidan_print::testing::squeezed(&text);
            assert!(text.contains(&kaidan_print::testing::squeezed("净30天")), "{text}");
        }
        let csv = t.get("/api/v1/export/customers?format=csv", &w.admin).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert_has(&csv.text(), &["net_days", "BZ-1,星河科技有限公司,business"]);
        assert!(csv.text().lines().any(|l| l.starts_with("BZ-1,") && l.contains(",net_days,30,")), "{}", csv.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_1_fin_3_fin_4_finance_pages_invoice_verify_and_age() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 2).await;
        let s = ship(&t, &w, order).await;
        let sid = s["id"].as_i64().unwrap().to_string();
        let cw = t.login("cw").await;
        let html = t.page("/finance", &cw).await.text();
        assert_has(&html, &["待开票", s["number"].as_str().unwrap(), "199"]);
        // FIN-1: the list as Excel, with the page's filter (shipped up to).
        assert_has(&html, &["to-invoice-export"]);
        let x = t.page(&format!("/finance?up_to={}&format=xlsx", today()), &cw).await;
        assert_eq!((x.status, &x.body[..2]), (StatusCode::OK, &b"PK"[..]), "{}", x.text());
        let sheet = kaidan_io::read_table("to-invoice.xlsx", &x.body).unwrap();
        assert_eq!(sheet.columns, ["发货单", "订单", "客户", "发货日", "编码", "品名", "数量", "单价", "金额"]);
        let row = &sheet.rows[0].cells;
        assert_eq!((row[0].as_str(), row[2].as_str(), row[4].as_str(), row[6].as_str()),
            (s["number"].as_str().unwrap(), "FR-1 加盟商一号", "F-1", "2"), "{row:?}");
        assert_eq!(row[8].parse::<kaidan_domain::Money>().unwrap(), kaidan_domain::Money::yuan(199));
        let x = t.page("/finance?up_to=2000-01-01&format=xlsx", &cw).await;
        assert!(kaidan_io::read_table("x.xlsx", &x.body).unwrap().rows.is_empty(), "nothing shipped by then");
        let token = csrf(&html);
        let r = t.post("/finance", &cw, support::form(&[("_csrf", &token), ("shipment_id", &sid)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.header("location");
        let html = t.page(&to, &cw).await.text();
        assert_has(&html, &["增值税专用发票", "91440300MA5FXXXX1X", "199", "登记发票号"]);
        let r = t.post(&format!("{to}/fapiao"), &cw, support::form(&[("_csrf", &token), ("number", "123")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["8 or 20 digits"]);
        let r = t.post(&format!("{to}/fapiao"), &cw, support::form(&[("_csrf", &token), ("number", "12345678"), ("code", "1234567890")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page("/finance/invoices?open=true", &cw).await.text();
        assert_has(&html, &["12345678", "FR-1 加盟商一号"]);
        let html = t.page("/finance/ageing", &cw).await.text();
        assert_has(&html, &["账龄分析", "未到期", "199", "<svg"]);
        for list in ["/finance/ageing?format=xlsx", "/finance/invoices?format=xlsx&open=true", "/finance/receipts?format=xlsx&status=all"] {
            let xlsx = t.page(list, &cw).await;
            assert_eq!((xlsx.status, &xlsx.body[..2]), (StatusCode::OK, &b"PK"[..]), "{list}: {}", xlsx.text());
        }
        let html = t.page(&format!("/customers/{}/account", w.customer), &cw).await.text();
        assert_has(&html, &["未结发票", "199"]);
        let html = t.page("/finance/receipts", &cw).await.text();
        assert_has(&html, &["登记收款", "汇款底单"]);
    })
    .await;
}

/// The sums of one customer's money documents, as the API shows them.
pub(crate) async fn sums(
    t: &T,
    w: &World,
) -> (
    kaidan_domain::Money,
    kaidan_domain::Money,
    kaidan_domain::Money,
    kaidan_domain::Money,
) {
    use kaidan_domain::Money;
    let m = |v: &Value| v.as_str().unwrap().parse::<Money>().unwrap();
    let c = w.customer;
    let invoices = t
        .get(
            &format!("/api/v1/invoices?customer_id={c}&kind=invoice&limit=500"),
            &w.finance,
        )
        .await
        .json();
    let mut open = Money::ZERO;
    for i in invoices.as_array().unwrap() {
        let o = m(&i["amount"]) - m(&i["credited"]) - m(&i["paid"]);
        assert!(!o.is_negative(), "{i}");
        assert!(
            !m(&i["paid"]).is_negative() && !m(&i["credited"]).is_negative(),
            "{i}"
        );
        open += o;
    }
    let todo = t
        .get(&format!("/api/v1/to-invoice?customer_id={c}"), &w.finance)
        .await
        .json();
    let uninvoiced: Money = todo
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            assert!(b["quantity"].as_i64().unwrap() > 0, "{b}");
            m(&b["unit_price"])
                .times(b["quantity"].as_i64().unwrap())
                .round_to_fen()
        })
        .sum();
    let receipts = t
        .get(
            &format!("/api/v1/receipts?customer_id={c}&status=verified&limit=500"),
            &w.finance,
        )
        .await
        .json();
    let mut unapplied = Money::ZERO;
    for r in receipts.as_array().unwrap() {
        assert!(
            m(&r["applied"]) <= m(&r["amount"]) && !m(&r["applied"]).is_negative(),
            "matched ≤ verified: {r}"
        );
        unapplied += m(&r["amount"]) - m(&r["applied"]);
    }
    let acct = t
        .get(&format!("/api/v1/customers/{c}/account"), &w.finance)
        .await
        .json();
    let ledger = m(&acct["balance"]["credit_used"]) - m(&acct["balance"]["funds"]);
    (open, uninvoiced, unapplied, ledger)
}

/// FIN-1, FIN-3, FIN-4, FIN-5: random sequences of orders, shipments,
/// deliveries with refusals, invoices (one shipment, one order, batches),
/// credit notes, receipts and reversals. After every step: nothing is
/// invoiced beyond what shipped, no receipt applies more than it brought,
/// open invoices + shipped value not yet invoiced − unapplied money = the
/// ledger's balance, and the ageing's buckets sum to the open invoices.
#[tokio::test]
#[rustfmt::skip]
async fn fin_1_fin_3_fin_4_fin_5_random_sequences_keep_the_books_balanced() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let mut seed: u64 = 0x5eed_1234_abcd_0001;
        let mut next = move |n: u64| { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; seed % n.max(1) };
        let mut orders: Vec<i64> = Vec::new();
        let mut shipments: Vec<(i64, i64)> = Vec::new();
        let mut delivered: Vec<i64> = Vec::new();
        let mut receipts: Vec<i64> = Vec::new();
        for step in 0..40 {
            match next(7) {
                0 | 1 => orders.push(approved(&t, &w, 1 + next(4) as i64).await),
                2 => if let Some(o) = orders.pop() {
                    let s = ship(&t, &w, o).await;
                    shipments.push((s["id"].as_i64().unwrap(), s["lines"][0]["quantity"].as_i64().unwrap()));
                },
                3 => {
                    let body = match (next(3), shipments.last()) {
                        (0, Some((s, _))) => json!({"shipment_id": s}),
                        (1, _) => json!({"customer_id": w.customer}),
                        _ => { t.post_json("/api/v1/invoices/batch", &w.finance, json!({"up_to": today(), "commit": true})).await; json!(null) }
                    };
                    if !body.is_null() {
                        let r = t.post_json("/api/v1/invoices", &w.finance, body).await;
                        assert!(r.status == StatusCode::CREATED || r.json()["errors"][0]["code"] == "nothing_to_invoice", "{}", r.text());
                    }
                }
                4 => {
                    let amount = format!("{}.{:02}", 20 + next(300), next(100));
                    let r = t.post_json("/api/v1/receipts", &w.finance, json!({"customer_id": w.customer, "payer": "加盟商一号",
                        "method": "bank_transfer", "amount": amount, "received_on": today(), "bank_reference": format!("B{step}")})).await;
                    let rid = r.json()["id"].as_i64().unwrap();
                    let r = t.post_json(&format!("/api/v1/receipts/{rid}/verify"), &w.finance, json!({})).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    receipts.push(rid);
                }
                5 => {
                    let open = t.get("/api/v1/invoices?open=true&kind=invoice", &w.finance).await.json();
                    if let Some(i) = open.as_array().unwrap().first() {
                        let r = t.post_json(&format!("/api/v1/invoices/{}/credit-notes", i["id"]), &w.finance,
                            json!({"reason": "price_correction", "note": "更正", "lines": [{"line_no": 1, "amount": "1.50"}]})).await;
                        assert!(r.status == StatusCode::CREATED || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
                    } else if let Some(rid) = receipts.pop() {
                        let r = t.post_json(&format!("/api/v1/receipts/{rid}/reverse"), &w.finance, json!({"reason": "退票"})).await;
                        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    }
                }
                _ => if let Some((sid, qty)) = shipments.iter().copied().find(|(s, _)| !delivered.contains(s)) {
                    let refused = next(qty as u64 + 1) as i64;
                    let mut line = json!({"line_no": 1, "accepted": qty - refused, "refused": refused});
                    if refused > 0 { line["reason"] = json!("破损"); line["disposition"] = json!("restock"); }
                    let r = t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &w.wh, json!({"signed_by": "店长", "lines": [line]})).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    delivered.push(sid);
                },
            }
            let (open, uninvoiced, unapplied, ledger) = sums(&t, &w).await;
            assert_eq!(open + uninvoiced - unapplied, ledger, "step {step}: open {open} + uninvoiced {uninvoiced} - unapplied {unapplied} vs ledger {ledger}");
            let ageing = t.get(&format!("/api/v1/ageing?as_of={}", today()), &w.finance).await.json();
            let total: kaidan_domain::Money = ageing["totals"]["total"].as_str().unwrap().parse().unwrap();
            assert_eq!(total, open, "step {step}: ageing {ageing}");
            for o in t.get("/api/v1/orders?limit=200", &w.finance).await.json()["items"].as_array().cloned().unwrap_or_default() {
                let v = t.get(&format!("/api/v1/orders/{}", o["id"]), &w.finance).await.json();
                for l in v["progress"].as_array().unwrap() {
                    assert!(l["invoiced"].as_i64().unwrap() <= l["shipped"].as_i64().unwrap(), "invoiced ≤ shipped: {l}");
                }
            }
        }
    })
    .await;
}
