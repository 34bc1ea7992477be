//! Returns and exchanges over the API (AFS-1, FIN-1, INV-1), in process on
//! both databases: never more back than delivered (also at once), the
//! sales manager's decision, the warehouse's inspection as stock ledger
//! movements, the refund as a credit note or an account credit, the
//! exchange as a free replacement order, the order's timeline, and a
//! portal user kept to its own returns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{PNG, World, approved, ship, sums, world};
use crate::support::{T, assert_has, csrf, form, multipart, on_each_backend};

/// A shipment of `qty` units of a new approved order, delivered whole;
/// (order id, shipment id).
async fn delivered(t: &T, w: &World, qty: i64) -> (i64, i64) {
    let order = approved(t, w, qty).await;
    let s = ship(t, w, order).await;
    let sid = s["id"].as_i64().unwrap();
    let r = t
        .post_json(
            &format!("/api/v1/shipments/{sid}/delivery"),
            &w.wh,
            json!({"signed_by": "王店长", "lines": [{"line_no": 1, "accepted": qty, "refused": 0}]}),
        )
        .await;
    assert_eq!(r.json()["status"], "delivered", "{}", r.text());
    (order, sid)
}

fn request(sid: i64, qty: i64, remedy: &str) -> Value {
    json!({"shipment_id": sid, "reason": "quality", "remedy": remedy, "description": "开线",
           "lines": [{"line_no": 1, "quantity": qty}]})
}

/// The INV-1 check: every balance is what its ledger entries sum to.
async fn ledger_balanced(t: &T, w: &World) {
    let (sums, picked) = t
        .app
        .stock_ledger_check(&kaidan_app::Ctx::system())
        .await
        .unwrap();
    let balances = t.get("/api/v1/stock?limit=100", &w.admin).await.json();
    let balances = balances["items"].as_array().unwrap();
    assert_eq!(sums.len(), balances.len(), "{}", t.backend);
    for (s, b) in sums.iter().zip(balances) {
        assert_eq!(
            (s.0.get(), s.1.get(), s.2, s.3),
            (
                b["product_id"].as_i64().unwrap(),
                b["warehouse_id"].as_i64().unwrap(),
                b["on_hand"].as_i64().unwrap(),
                b["reserved"].as_i64().unwrap()
            ),
            "{}: ledger against balance {b}",
            t.backend
        );
    }
    for p in &picked {
        assert_eq!(p.2, p.3, "{}: picked {p:?}", t.backend);
    }
}

async fn on_hand(t: &T, w: &World) -> i64 {
    let b = t.get("/api/v1/stock?limit=10", &w.admin).await.json();
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["on_hand"].as_i64().unwrap())
        .sum()
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_1_a_return_is_approved_received_inspected_and_refunded_by_credit_note() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        let (order, sid) = delivered(&t, &w, 5).await;
        let iid = t.post_json("/api/v1/invoices", &w.finance, json!({"shipment_id": sid})).await.json()["id"].as_i64().unwrap();
        // What may come back: 5, until the return period's and warranty's ends.
        let ra = t.get(&format!("/api/v1/shipments/{sid}/returnable"), &w.rep).await.json();
        assert_eq!((ra["lines"][0]["left"].clone(), ra["lines"][0]["delivered"].clone()), (json!(5), json!(5)), "{ra}");
        // The rep raises it; never more than delivered.
        let r = t.post_json("/api/v1/returns", &w.rep, request(sid, 6, "refund")).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone(), r.json()["errors"][0]["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("above_delivered"), json!("lines[0].quantity")), "{}", r.text());
        let r = t.post_json("/api/v1/returns", &w.rep, request(sid, 2, "refund")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let ret = r.json();
        let id = ret["id"].as_i64().unwrap();
        assert_eq!((ret["status"].clone(), ret["rma"].clone()), (json!("requested"), Value::Null));
        assert!(ret["number"].as_str().unwrap().starts_with("TH-"), "{ret}");
        // A photo of the fault.
        let auth = format!("Bearer {}", w.rep);
        let r = t.call(Method::PUT, &format!("/api/v1/returns/{id}/photos?file=zipper.png"),
            &[("authorization", auth.as_str()), ("content-type", "image/png")], Some(PNG.to_vec())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let photo = r.json()["photos"][0]["id"].as_i64().unwrap();
        let r = t.get(&format!("/api/v1/returns/{id}/photos/{photo}"), &w.rep).await;
        assert_eq!(r.header("content-type"), "image/png");
        // Two requests for the last three units at once: one passes.
        let (a, b) = tokio::join!(
            t.post_json("/api/v1/returns", &w.rep, request(sid, 3, "refund")),
            t.post_json("/api/v1/returns", &w.admin, request(sid, 3, "exchange")),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422], "{}: {} / {}", t.backend, a.text(), b.text());
        let other = if a.status == StatusCode::CREATED { a.json() } else { b.json() };
        let other_id = other["id"].as_i64().unwrap();
        // Only the sales manager decides; a rejection needs its reason and
        // frees the units.
        assert_eq!(t.post_json(&format!("/api/v1/returns/{id}/approve"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/returns/{other_id}/reject"), &sm, json!({"reason": " "})).await;
        assert_eq!(r.json()["errors"][0]["field"], "reason", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/returns/{other_id}/reject"), &sm, json!({"reason": "超出质保范围"})).await;
        assert_eq!(r.json()["status"], "rejected", "{}", r.text());
        let ra = t.get(&format!("/api/v1/shipments/{sid}/returnable"), &w.rep).await.json();
        assert_eq!(ra["lines"][0]["left"], 3, "{ra}");
        // A step out of turn is refused with where the return stands.
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh, json!({"lines": {"1": {"restock": 2}}})).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/returns/{id}/approve"), &sm, json!({"note": "同意退货"})).await;
        let ret = r.json();
        assert_eq!(ret["status"], "approved", "{ret}");
        assert!(ret["rma"].as_str().unwrap().starts_with("RMA-"), "{ret}");
        // The warehouse: every unit accounted for, each a ledger movement.
        let before = on_hand(&t, &w).await;
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh, json!({"lines": {"1": {"restock": 1}}})).await;
        assert_eq!(r.json()["errors"][0]["code"], "not_balanced", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh, json!({"lines": {"1": {"restock": 1, "scrap": 1}}})).await;
        assert_eq!(r.json()["status"], "received", "{}", r.text());
        assert_eq!(on_hand(&t, &w).await, before + 1, "{}", t.backend);
        ledger_balanced(&t, &w).await;
        // Finance refunds: a credit note (红字) on the original invoice.
        assert_eq!(t.post_json(&format!("/api/v1/returns/{id}/complete"), &w.wh, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/returns/{id}/complete"), &w.finance, json!({})).await;
        let ret = r.json();
        assert_eq!(ret["status"], "closed", "{}", r.text());
        assert!(ret["outcome"].as_str().unwrap().contains("红字"), "{ret}");
        let i = t.get(&format!("/api/v1/invoices/{iid}"), &w.finance).await.json();
        assert_eq!(i["credited"], "199", "{i}");
        let cn = i["related"].as_array().unwrap().iter().find(|c| c["credit_reason"] == "return").cloned().unwrap();
        assert_eq!(cn["amount"], "199", "{i}");
        // The books still balance; the whole chain is on the order's timeline.
        let (open, uninvoiced, unapplied, ledger) = sums(&t, &w).await;
        assert_eq!(open + uninvoiced - unapplied, ledger, "{}", t.backend);
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.admin).await;
        let text = o.json()["timeline"].to_string();
        for kind in ["return_request", "return_approve", "return_receive", "return_complete"] {
            assert!(text.contains(kind), "{}: {kind} missing: {text}", t.backend);
        }
        // Closed is closed.
        let r = t.post_json(&format!("/api/v1/returns/{id}/complete"), &w.finance, json!({})).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_1_refund_before_invoicing_and_an_exchange_as_a_free_replacement_order() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        let (_, sid) = delivered(&t, &w, 4).await;
        // A refund of units never invoiced: they leave what is to invoice
        // and the account is credited.
        let id = t.post_json("/api/v1/returns", &w.rep, request(sid, 1, "refund")).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/returns/{id}/approve"), &sm, json!({})).await;
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh, json!({"lines": {"1": {"restock": 1}}})).await;
        assert_eq!(r.json()["status"], "received", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/returns/{id}/complete"), &w.finance, json!({"note": "已退款"})).await;
        assert_eq!(r.json()["status"], "closed", "{}", r.text());
        let todo = t.get(&format!("/api/v1/to-invoice?customer_id={}", w.customer), &w.finance).await.json();
        assert_eq!(todo[0]["quantity"], 3, "{todo}");
        let (open, uninvoiced, unapplied, ledger) = sums(&t, &w).await;
        assert_eq!(open + uninvoiced - unapplied, ledger, "{}", t.backend);
        // An exchange: the replacement is a new order at no charge.
        let id = t.post_json("/api/v1/returns", &w.rep, request(sid, 2, "exchange")).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/returns/{id}/approve"), &sm, json!({})).await;
        // An unknown quarantine warehouse is refused by name.
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh,
            json!({"lines": {"1": {"restock": 0, "quarantine": 2}}, "quarantine_warehouse_id": 999})).await;
        assert_eq!(r.json()["errors"][0]["field"], "quarantine_warehouse_id", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/returns/{id}/receive"), &w.wh, json!({"lines": {"1": {"restock": 2}}})).await;
        assert_eq!(r.json()["status"], "received", "{}", r.text());
        assert_eq!(t.post_json(&format!("/api/v1/returns/{id}/complete"), &w.finance, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/returns/{id}/complete"), &sm, json!({})).await;
        let ret = r.json();
        assert_eq!(ret["status"], "closed", "{}", r.text());
        let replacement = ret["replacement_order_id"].as_i64().unwrap();
        let o = t.get(&format!("/api/v1/orders/{replacement}"), &w.admin).await.json();
        assert_eq!((o["status"].clone(), o["lines"][0]["quantity"].clone(), o["lines"][0]["unit_price"].clone()),
            (json!("submitted"), json!(2), json!("0")), "{o}");
        assert_eq!(o["customer_reference"], ret["rma"], "{o}");
        ledger_balanced(&t, &w).await;
        // Nothing more than delivered: 4 − 1 − 2 = 1 left.
        let r = t.post_json("/api/v1/returns", &w.rep, request(sid, 2, "refund")).await;
        assert_eq!(r.json()["errors"][0]["code"], "above_delivered", "{}", r.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_1_a_portal_user_raises_and_sees_only_its_own_returns() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let (_, sid) = delivered(&t, &w, 2).await;
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-2", "name": "二号", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "address": "广州"})).await.json();
        assert!(other["id"].is_i64(), "{other}");
        let mine = t.customer_user_token("fr1", &[Role::Customer], Some(w.customer)).await;
        let theirs = t.customer_user_token("fr2", &[Role::Customer], other["id"].as_i64()).await;
        // Another customer's shipment is unknown to it.
        let r = t.post_json("/api/v1/returns", &theirs, request(sid, 1, "refund")).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("unknown_reference")), "{}", r.text());
        let r = t.post_json("/api/v1/returns", &mine, request(sid, 1, "refund")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(t.get(&format!("/api/v1/returns/{id}"), &theirs).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get("/api/v1/returns", &theirs).await.json()["items"], json!([]));
        assert_eq!(t.get("/api/v1/returns", &mine).await.json()["items"][0]["id"], id);
        // It may withdraw its own request, not decide it.
        assert_eq!(t.post_json(&format!("/api/v1/returns/{id}/approve"), &mine, json!({})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/returns/{id}/cancel"), &mine, json!({})).await;
        assert_eq!(r.json()["status"], "cancelled", "{}", r.text());
        // Bad ids and filters are named.
        let r = t.get("/api/v1/returns/abc", &w.admin).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("id")));
        let r = t.get("/api/v1/returns?status=lost", &w.admin).await;
        assert_eq!(r.json()["errors"][0]["field"], "status", "{}", r.text());
        // A shipment not yet delivered cannot come back.
        let order = approved(&t, &w, 1).await;
        let s = ship(&t, &w, order).await;
        let r = t.post_json("/api/v1/returns", &w.rep, request(s["id"].as_i64().unwrap(), 1, "refund")).await;
        assert_eq!(r.json()["errors"][0]["code"], "not_delivered", "{}", r.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_1_on_the_pages_a_rep_raises_the_manager_approves_the_warehouse_receives_finance_refunds() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        t.user_token("sm", &[Role::SalesManager]).await;
        let (order, sid) = delivered(&t, &w, 3).await;
        let rep = t.login("rep").await;
        assert_has(&t.page(&format!("/orders/{order}"), &rep).await.text(), &["申请退换货", &format!("/returns/new?shipment_id={sid}")]);
        let html = t.page(&format!("/returns/new?shipment_id={sid}"), &rep).await.text();
        assert_has(&html, &["申请退换货", "退货期至", "质保期至", "qty_1"]);
        let token = csrf(&html);
        let sid_s = sid.to_string();
        // Too many: the form again, with the refusal, nothing written.
        let (kind, body) = multipart(&[("_csrf", &token), ("shipment_id", &sid_s), ("qty_1", "9"), ("reason", "quality"), ("remedy", "refund")], &[]);
        let r = t.call(Method::POST, "/returns", &[("cookie", rep.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["lines[0].quantity", "qty_1"]);
        let (kind, body) = multipart(&[("_csrf", &token), ("shipment_id", &sid_s), ("qty_1", "2"), ("reason", "wrong_goods"),
            ("remedy", "refund"), ("description", "发错颜色")], &[("photos", "box.png", "image/png", PNG)]);
        let r = t.call(Method::POST, "/returns", &[("cookie", rep.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location");
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["待审批", "发错颜色", "错发", "class=\"thumb\"", "撤销申请"]);
        assert!(!html.contains("decide-form"), "a rep does not decide");
        // The sales manager: a rejection needs words; then approval.
        let sm = t.login("sm").await;
        let html = t.page(&at, &sm).await.text();
        let token = csrf(&html);
        let r = t.post(&format!("{at}/decide"), &sm, form(&[("_csrf", &token), ("decision", "reject"), ("note", "")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["reason"]);
        let r = t.post(&format!("{at}/decide"), &sm, form(&[("_csrf", &token), ("decision", "approve"), ("note", "同意")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_has(&t.page(&at, &sm).await.text(), &["已批准", "RMA-"]);
        // The warehouse receives; finance refunds.
        let wh = t.login("wh").await;
        let html = t.page(&at, &wh).await.text();
        assert_has(&html, &["收货检验", "restock_1"]);
        let token = csrf(&html);
        let r = t.post(&format!("{at}/receive"), &wh, form(&[("_csrf", &token), ("restock_1", "1"), ("scrap_1", "1")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let cw = t.login("cw").await;
        let html = t.page(&at, &cw).await.text();
        assert_has(&html, &["已收货", "complete-form"]);
        let token = csrf(&html);
        let r = t.post(&format!("{at}/complete"), &cw, form(&[("_csrf", &token), ("note", "")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_has(&t.page(&at, &cw).await.text(), &["已完结", "账户贷记"]);
        assert_has(&t.page("/returns", &cw).await.text(), &["退换货", "return-row", "已完结"]);
        let r = t.page("/returns?status=lost", &cw).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}
