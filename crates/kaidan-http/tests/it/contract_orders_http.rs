//! Contracts, second part, over the API in process on both databases
//! (CON-1, CON-2, FIN-4): orders placed against a contract in force at its
//! prices and never above what remains (also two at once), with what was
//! ordered, shipped, invoiced and paid; the invoice due from the signing;
//! supplementary agreements reviewed like the contract (a change, a
//! breach, a termination); the loan of the original; the printed contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use kaidan_print::testing::{pdf_text, squeezed};
use serde_json::{Value, json};

use crate::finance_http::{PNG, World, ship, world};
use crate::support::{T, codes, on_each_backend};

fn terms(customer: i64, product: i64, qty: i64, days: u32) -> Value {
    json!({"customer_id": customer, "title": "2027 年度加盟供货合同",
        "lines": [{"product_id": product, "spec": "M/L/XL", "quantity": qty, "unit_price": "80"}],
        "quality_standard": "GB/T 8878-2014 合格品", "payment_terms": "银行转账",
        "delivery_terms": "卖方送货至买方门店", "after_sales": "质保一年",
        "breach_liability": "逾期付款按日万分之五支付违约金", "late_interest_bp": 5,
        "dispute": "arbitration", "dispute_venue": "深圳国际仲裁院", "collection_days": days})
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(kaidan_domain::orders::company_time_zone())
        .date()
}

async fn put_copy(t: &T, path: &str, token: &str) -> crate::support::Res {
    let auth = format!("Bearer {token}");
    t.call(
        Method::PUT,
        &format!("{path}?signed_on={}&file=signed.png", today()),
        &[
            ("authorization", auth.as_str()),
            ("content-type", "image/png"),
        ],
        Some(PNG.to_vec()),
    )
    .await
}

/// The tokens of legal and of the general manager.
struct Reviewers(String, String);

async fn reviewers(t: &T) -> Reviewers {
    Reviewers(
        t.user_token("fw", &[Role::Legal]).await,
        t.user_token("zjl", &[Role::GeneralManager]).await,
    )
}

/// Legal, finance and the general manager approve `path` (a contract or a
/// supplementary agreement) in turn.
async fn reviewed(t: &T, w: &World, rv: &Reviewers, path: &str) {
    for (who, step) in [
        (&rv.0, "legal"),
        (&w.finance, "finance"),
        (&rv.1, "general_manager"),
    ] {
        let r = t
            .post_json(
                &format!("{path}/reviews"),
                who,
                json!({"step": step, "approve": true, "comment": "同意"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text());
    }
}

/// A contract of `qty` units at 80, drafted by the rep, approved, signed
/// today; put in force when `in_force`. Its id.
async fn contract(t: &T, w: &World, rv: &Reviewers, qty: i64, in_force: bool) -> i64 {
    let r = t
        .post_json(
            "/api/v1/contracts",
            &w.rep,
            terms(w.customer, w.product, qty, 45),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    t.post_json(&format!("/api/v1/contracts/{id}/submit"), &w.rep, json!({}))
        .await;
    reviewed(t, w, rv, &format!("/api/v1/contracts/{id}")).await;
    let r = put_copy(t, &format!("/api/v1/contracts/{id}/signed-copy"), &w.rep).await;
    assert_eq!(r.json()["status"], "signed", "{}", r.text());
    if in_force {
        t.post_json(
            &format!("/api/v1/contracts/{id}/advance"),
            &w.rep,
            json!({}),
        )
        .await;
    }
    id
}

fn order(w: &World, contract: i64, qty: i64, price: Option<&str>) -> Value {
    let mut line = json!({"product_id": w.product, "quantity": qty});
    if let Some(p) = price {
        line["unit_price"] = json!(p);
    }
    json!({"customer_id": w.customer, "channel": "phone", "order_date": today().to_string(),
           "contract_id": contract, "lines": [line]})
}

#[tokio::test]
#[rustfmt::skip]
async fn con_2_orders_against_a_contract_take_its_prices_and_never_more_than_remains() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let id = contract(&t, &w, &rv, 100, false).await;
        let post = |body: Value| { let t = &t; let admin = w.admin.clone(); async move { t.post_json("/api/v1/orders?confirm_duplicate=true", &admin, body).await } };
        // Signed but not in force: refused.
        let r = post(order(&w, id, 10, None)).await;
        assert_eq!(codes(&r), [("contract_id".into(), "not_in_force".into())], "{}", r.text());
        t.post_json(&format!("/api/v1/contracts/{id}/advance"), &w.rep, json!({})).await;
        // Above what remains, at another price: each named on its line.
        let r = post(order(&w, id, 101, Some("79"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(codes(&r), [("lines[0].unit_price".into(), "not_contract_price".into()), ("lines[0].quantity".into(), "above_contract".into())], "{}", r.text());
        assert!(r.text().contains("100 of"), "{}", r.text());
        // A contract that does not exist.
        assert_eq!(codes(&post(order(&w, 9999, 1, None)).await), [("contract_id".into(), "unknown_reference".into())]);
        // Two orders of 60 at once: one is taken, the other refused.
        let (a, b) = tokio::join!(post(order(&w, id, 60, None)), post(order(&w, id, 60, None)));
        let created: Vec<_> = [&a, &b].iter().filter(|r| r.status == StatusCode::CREATED).map(|r| r.json()).collect();
        assert_eq!(created.len(), 1, "{} / {}", a.text(), b.text());
        let o = &created[0];
        assert_eq!((o["lines"][0]["unit_price"].clone(), o["lines"][0]["price_source"].clone()), (json!("80"), json!("contract")), "{o}");
        let oid = o["id"].as_i64().unwrap();
        let r = post(order(&w, id, 41, None)).await;
        assert_eq!(codes(&r), [("lines[0].quantity".into(), "above_contract".into())], "{}", r.text());
        // A change of the order may not take more than remains either.
        t.post_json(&format!("/api/v1/orders/{oid}/review"), &w.admin, json!({})).await;
        let r = t.post_json(&format!("/api/v1/orders/{oid}/finance-review"), &w.admin, json!({"decision": "pass"})).await;
        assert_eq!(r.json()["status"], "approved", "{}", r.text());
        let change = json!({"reason": "加量", "changes": [{"kind": "quantity", "line_no": 1, "quantity": 101}]});
        let r = t.post_json(&format!("/api/v1/orders/{oid}/changes"), &w.admin, change).await;
        assert_eq!(codes(&r), [("lines[0].quantity".into(), "above_contract".into())], "{}", r.text());
        // Shipped and invoiced: due on the signing day + 45, the contract's
        // figures follow.
        ship(&t, &w, oid).await;
        let r = t.post_json("/api/v1/invoices", &w.finance, json!({"order_id": oid})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let due = today().checked_add(jiff::Span::new().days(45)).unwrap().to_string();
        assert_eq!(r.json()["due_date"], json!(due), "{}", r.text());
        let c = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json();
        assert_eq!(c["collect_by"], json!(due), "{c}");
        let p = &c["progress"];
        assert_eq!((p["lines"][0]["ordered"].clone(), p["lines"][0]["shipped"].clone(), p["lines"][0]["remaining"].clone()), (json!(60), json!(60), json!(40)), "{p}");
        assert_eq!((p["ordered"].clone(), p["shipped"].clone(), p["invoiced"].clone(), p["paid"].clone(), p["remaining"].clone()),
            (json!("4800"), json!("4800"), json!("4800"), json!("0"), json!("3200")), "{p}");
        assert_eq!(c["orders"].as_array().unwrap().len(), 1, "{c}");
        // The order's page links its contract.
        let boss = t.login("boss").await;
        let html = t.page(&format!("/orders/{oid}"), &boss).await.text();
        crate::support::assert_has(&html, &["order-contract", c["number"].as_str().unwrap()]);
        // Another customer cannot order against it.
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-2", "name": "加盟商二号", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "广州"})).await.json();
        let mut b = order(&w, id, 1, None);
        b["customer_id"] = other["id"].clone();
        assert_eq!(codes(&post(b).await), [("contract_id".into(), "not_allowed".into())]);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn con_2_supplements_change_record_a_breach_and_terminate_through_the_same_review() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let id = contract(&t, &w, &rv, 100, true).await;
        let o = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, order(&w, id, 70, None)).await;
        assert_eq!(o.status, StatusCode::CREATED, "{}", o.text());
        // In force: the terms are not edited, only supplemented.
        let r = t.json(Method::PUT, &format!("/api/v1/contracts/{id}/terms"), &w.rep, terms(w.customer, w.product, 150, 45), &[]).await;
        assert_eq!(codes(&r), [("status".into(), "illegal_transition".into())], "{}", r.text());
        // A change below what was ordered is refused on its line.
        let change = |qty: i64| json!({"kind": "change", "clauses": "第一条 数量调整。", "terms": terms(w.customer, w.product, qty, 60)});
        let r = t.post_json(&format!("/api/v1/contracts/{id}/supplements"), &w.rep, change(50)).await;
        assert_eq!(codes(&r), [("terms.lines[0].quantity".into(), "below_ordered".into())], "{}", r.text());
        let r = t.post_json(&format!("/api/v1/contracts/{id}/supplements"), &w.rep, change(150)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let s = r.json();
        assert!(s["number"].as_str().unwrap().starts_with("BC-"), "{s}");
        let sid = s["id"].as_i64().unwrap();
        let path = format!("/api/v1/supplements/{sid}");
        // The same review: not out of turn, never by the drafter.
        let r = t.post_json(&format!("{path}/reviews"), &rv.0, json!({"step": "legal", "approve": true})).await;
        assert_eq!(codes(&r), [("step".into(), "illegal_transition".into())], "{}", r.text());
        t.post_json(&format!("{path}/submit"), &w.rep, json!({})).await;
        let r = t.post_json(&format!("{path}/reviews"), &w.finance, json!({"step": "finance", "approve": true})).await;
        assert_eq!(codes(&r), [("step".into(), "out_of_turn".into())], "{}", r.text());
        reviewed(&t, &w, &rv, &path).await;
        let r = put_copy(&t, &format!("{path}/signed-copy"), &w.rep).await;
        assert_eq!(r.json()["status"], "signed", "{}", r.text());
        let c = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json();
        assert_eq!((c["terms_version"].clone(), c["amount"].clone(), c["status"].clone()), (json!(2), json!("12000"), json!("in_force")), "{c}");
        let due = today().checked_add(jiff::Span::new().days(60)).unwrap().to_string();
        assert_eq!(c["collect_by"], json!(due), "{c}");
        assert!(c["versions"][1]["changes"].to_string().contains(s["number"].as_str().unwrap()), "{c}");
        assert_eq!(t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, order(&w, id, 80, None)).await.status, StatusCode::CREATED);
        // A breach: the party and the penalty on record; the contract runs on.
        let breach = json!({"kind": "breach", "clauses": "买方逾期付款15天,支付违约金。", "breach_by": "buyer", "penalty": "600"});
        let bid = t.post_json(&format!("/api/v1/contracts/{id}/supplements"), &w.rep, breach).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/supplements/{bid}/submit"), &w.rep, json!({})).await;
        reviewed(&t, &w, &rv, &format!("/api/v1/supplements/{bid}")).await;
        put_copy(&t, &format!("/api/v1/supplements/{bid}/signed-copy"), &w.rep).await;
        // A termination ends it: no more orders against it.
        let end = json!({"kind": "termination", "clauses": "双方协商一致提前终止合同。"});
        let eid = t.post_json(&format!("/api/v1/contracts/{id}/supplements"), &w.rep, end).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/supplements/{eid}/submit"), &w.rep, json!({})).await;
        reviewed(&t, &w, &rv, &format!("/api/v1/supplements/{eid}")).await;
        let r = put_copy(&t, &format!("/api/v1/supplements/{eid}/signed-copy"), &w.rep).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let c = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json();
        assert_eq!(c["status"], "terminated", "{c}");
        let kinds: Vec<_> = c["supplements"].as_array().unwrap().iter().map(|s| (s["content"]["kind"].clone(), s["status"].clone())).collect();
        assert_eq!(kinds.len(), 3);
        assert!(kinds.iter().all(|(_, st)| st == "signed"), "{kinds:?}");
        let r = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, order(&w, id, 1, None)).await;
        assert_eq!(codes(&r), [("contract_id".into(), "not_in_force".into())], "{}", r.text());
        assert_eq!(codes(&t.post_json(&format!("/api/v1/contracts/{id}/supplements"), &w.rep, json!({"kind": "breach", "clauses": "x", "breach_by": "seller"})).await),
            [("status".into(), "illegal_transition".into())]);
        // Every step is on the contract's page and in its history.
        let cookie = t.login("boss").await;
        let html = t.page(&format!("/contracts/{id}"), &cookie).await.text();
        crate::support::assert_has(&html, &["已终止", "合同变更", "违约处理", "合同终止", "违约金 600", s["number"].as_str().unwrap(), "supplement_signed"]);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn con_2_the_original_is_lent_against_a_signature_and_recorded_back() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let draft = t.post_json("/api/v1/contracts", &w.rep, terms(w.customer, w.product, 10, 30)).await.json()["id"].as_i64().unwrap();
        let loan = json!({"purpose": "诉讼取证", "due_back": today().checked_add(jiff::Span::new().days(7)).unwrap().to_string()});
        let r = t.post_json(&format!("/api/v1/contracts/{draft}/loans"), &w.rep, loan.clone()).await;
        assert_eq!(codes(&r), [("status".into(), "illegal_transition".into())], "{}", r.text());
        let id = contract(&t, &w, &rv, 10, true).await;
        let r = t.post_json(&format!("/api/v1/contracts/{id}/loans"), &w.rep, json!({"purpose": " ", "due_back": "2020-01-01"})).await;
        assert_eq!(r.json()["errors"].as_array().unwrap().len(), 2, "{}", r.text());
        let r = t.post_json(&format!("/api/v1/contracts/{id}/loans"), &w.rep, loan.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["borrower_name"], "李销售", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/contracts/{id}/loans"), &w.finance, loan.clone()).await;
        assert_eq!(codes(&r), [("contract".into(), "on_loan".into())], "{}", r.text());
        assert!(r.text().contains("李销售"), "{}", r.text());
        // The keeper records it back; the rep may not.
        assert_eq!(t.post_json(&format!("/api/v1/contracts/{id}/loans/return"), &w.rep, json!({})).await.status, StatusCode::FORBIDDEN);
        let clerk = t.user_token("zl", &[Role::OrderClerk]).await;
        let r = t.post_json(&format!("/api/v1/contracts/{id}/loans/return"), &clerk, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.json()["returned_at"].is_string(), "{}", r.text());
        assert_eq!(codes(&t.post_json(&format!("/api/v1/contracts/{id}/loans/return"), &clerk, json!({})).await), [("contract".into(), "not_on_loan".into())]);
        assert_eq!(t.post_json(&format!("/api/v1/contracts/{id}/loans"), &w.finance, loan).await.status, StatusCode::CREATED);
        let c = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json();
        assert_eq!(c["loans"].as_array().unwrap().len(), 2, "{c}");
    })
    .await;
}

/// CON-1, DOC-1: the contract printed in Chinese with every clause.
#[tokio::test]
#[rustfmt::skip]
async fn con_1_the_contract_prints_as_a_pdf_in_chinese() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let id = contract(&t, &w, &rv, 100, true).await;
        let number = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json()["number"].as_str().unwrap().to_string();
        let r = t.get(&format!("/api/v1/contracts/{id}/pdf"), &w.rep).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "application/pdf");
        assert!(r.body.starts_with(b"%PDF"));
        if let Some(text) = pdf_text(&r.body) {
            let flat = squeezed(&text);
            for want in ["销售合同", number.as_str(), "加盟商一号", "F-1", "衬衫", "M/L/XL", "8000.00", "捌仟元整",
                "第一条产品质量标准", "GB/T8878-2014", "第五条违约责任", "每日万分之5", "第六条争议解决", "深圳国际仲裁院仲裁",
                "第七条回款期限", "45日内", "买方(盖章)"] {
                assert!(flat.contains(&squeezed(want)), "{want} missing:\n{text}");
            }
        }
        assert_eq!(t.get("/api/v1/contracts/999/pdf", &w.rep).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// CON-2 on the pages: the contract in force offers printing and ordering;
/// sales drafts a breach and a change agreement and signs for the original.
#[tokio::test]
#[rustfmt::skip]
async fn con_2_on_the_contract_page_sales_supplements_it_and_borrows_the_original() {
    use crate::support::{assert_has, csrf, form};
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let id = contract(&t, &w, &rv, 100, true).await;
        let rep = t.login("rep").await;
        let at = format!("/contracts/{id}");
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["contract-print", "contract-order", "supplement-form", "loan-form", "contract-progress", "履行情况"]);
        let token = csrf(&html);
        let r = t.post(&format!("{at}/supplements"), &rep, form(&[("_csrf", &token), ("kind", "breach"), ("clauses", "卖方逾期交货"), ("breach_by", "seller"), ("penalty", "500")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mut change = vec![("_csrf", token.as_str()), ("kind", "change"), ("clauses", "数量增至150件"), ("customer_id", "")];
        let c = w.customer.to_string();
        change[3].1 = c.as_str();
        for (k, v) in [("title", "2027 年度加盟供货合同"), ("quality_standard", "GB/T 8878-2014 合格品"), ("payment_terms", "银行转账"),
            ("delivery_terms", "卖方送货至买方门店"), ("after_sales", "质保一年"), ("breach_liability", "逾期付款按日万分之五支付违约金"),
            ("late_interest_bp", "5"), ("dispute", "arbitration"), ("dispute_venue", "深圳国际仲裁院"), ("collection_days", "45")] {
            change.push((k, v));
        }
        let mut bad = change.clone();
        bad.push(("lines", "NOPE 1 1"));
        let r = t.post(&format!("{at}/supplements"), &rep, form(&bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["NOPE"]);
        change.push(("lines", "F-1 150 80 M/L/XL"));
        let r = t.post(&format!("{at}/supplements"), &rep, form(&change)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let due = today().checked_add(jiff::Span::new().days(5)).unwrap().to_string();
        let r = t.post(&format!("{at}/loans"), &rep, form(&[("_csrf", &token), ("purpose", "对账"), ("due_back", &due)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["违约处理", "违约金 500", "合同变更", "新金额 12000", "对账", "李销售", "supplement-submit", "supplement-revise"]);
        // The draft change is rewritten in the terms form; the breach inline.
        let sid = |kind: &str| {
            let t = &t;
            let rep = w.rep.clone();
            let kind = kind.to_string();
            async move {
                t.get(&format!("/api/v1/contracts/{id}"), &rep).await.json()["supplements"].as_array().unwrap().iter()
                    .find(|x| x["content"]["kind"] == kind.as_str()).unwrap()["id"].as_i64().unwrap()
            }
        };
        let (change_id, breach_id) = (sid("change").await, sid("breach").await);
        assert_has(&html, &[&format!("action=\"/supplements/{change_id}/revise\""), "数量增至150件"]);
        let mut again = change.clone();
        again.pop();
        again.push(("lines", "F-1 160 80 M/L/XL"));
        let r = t.post(&format!("/supplements/{change_id}/revise"), &rep, form(&again)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = t.post(&format!("/supplements/{breach_id}/revise"), &rep, form(&[("_csrf", &token), ("kind", "breach"), ("clauses", "卖方逾期交货7天"), ("breach_by", "seller"), ("penalty", "700")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["新金额 12800", "卖方逾期交货7天", "违约金 700"]);
        assert!(!html.contains("loan-form"), "no second loan while it is out");
        // The order entry opens against the contract.
        let html = t.page(&format!("/orders/new?customer_id={}&contract_id={id}", w.customer), &rep).await.text();
        assert_has(&html, &[&format!("value=\"{id}\"")]);
    })
    .await;
}

/// CON-2 in the portal: the franchisee sees its own signed contracts with
/// what remains — not drafts, not another customer's — and no staff page.
#[tokio::test]
#[rustfmt::skip]
async fn con_2_the_franchisee_sees_its_signed_contracts_in_the_portal() {
    use crate::support::assert_has;
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let rv = reviewers(&t).await;
        let id = contract(&t, &w, &rv, 100, true).await;
        let o = t.post_json("/api/v1/orders?confirm_duplicate=true", &w.admin, order(&w, id, 30, None)).await;
        assert_eq!(o.status, StatusCode::CREATED, "{}", o.text());
        let mut draft = terms(w.customer, w.product, 5, 30);
        draft["title"] = json!("尚未签订的草稿");
        t.post_json("/api/v1/contracts", &w.rep, draft).await;
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-2", "name": "加盟商二号", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000", "address": "广州"})).await.json();
        let theirs = other["id"].as_i64().unwrap();
        t.customer_user_token("fr1", &[Role::Customer], Some(w.customer)).await;
        t.customer_user_token("fr2", &[Role::Customer], Some(theirs)).await;
        let number = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json()["number"].as_str().unwrap().to_string();
        let mine = t.login("fr1").await;
        let html = t.page("/portal/contracts", &mine).await.text();
        assert_has(&html, &[&number, "2027 年度加盟供货合同", "履行中", "F-1 衬衫", ">70<", "5600"]);
        assert!(!html.contains("尚未签订的草稿"), "a draft is not shown to the customer");
        let html = t.page("/portal/contracts", &t.login("fr2").await).await.text();
        assert!(!html.contains(&number), "another customer's contract is not shown");
        assert_has(&html, &["no-contracts"]);
        assert_ne!(t.page(&format!("/contracts/{id}"), &mine).await.status, StatusCode::OK);
        let token = t.customer_user_token("fr1api", &[Role::Customer], Some(w.customer)).await;
        assert_eq!(t.get(&format!("/api/v1/contracts/{id}"), &token).await.status, StatusCode::FORBIDDEN);
        let list = t.get("/api/v1/portal/contracts", &token).await.json();
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["progress"]["lines"][0]["remaining"], json!(70), "{list}");
        assert_eq!(t.get("/api/v1/portal/contracts", &w.rep).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
