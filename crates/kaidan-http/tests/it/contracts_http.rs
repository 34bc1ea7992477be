//! Sales contracts over the API (CON-1, CON-2), in process on both
//! databases: drafted and revised with every version kept, reviewed by
//! legal, finance and the general manager in turn (sent back once), never
//! by the drafter and never out of turn, not changed once approved,
//! signed with the scanned copy, in force, completed; the archive search.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};

use crate::finance_http::{PNG, world};
use crate::support::on_each_backend;

fn terms(customer: i64, product: i64, qty: i64) -> Value {
    json!({"customer_id": customer, "title": "2027 年度加盟供货合同",
        "lines": [{"product_id": product, "spec": "M/L/XL", "quantity": qty, "unit_price": "80"}],
        "quality_standard": "GB/T 8878-2014 合格品", "payment_terms": "签订后30日内付清",
        "instalments": [{"due_days": 0, "percent": 30}, {"due_days": 30, "percent": 70}],
        "delivery_terms": "卖方送货至买方门店", "after_sales": "质保一年,质量问题免费换货或维修",
        "breach_liability": "逾期付款按日万分之五支付违约金", "late_interest_bp": 5,
        "dispute": "arbitration", "dispute_venue": "深圳国际仲裁院"})
}

#[tokio::test]
#[rustfmt::skip]
async fn con_1_con_2_a_contract_is_drafted_reviewed_in_turn_approved_signed_and_archived() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let legal = t.user_token("fw", &[Role::Legal]).await;
        let gm = t.user_token("zjl", &[Role::GeneralManager]).await;
        // Bad terms are named; nothing is written.
        let mut bad = terms(w.customer, w.product, 0);
        bad["instalments"][1]["percent"] = json!(60);
        let r = t.post_json("/api/v1/contracts", &w.rep, bad).await;
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert!(fields.contains(&"lines[0].quantity".into()) && fields.contains(&"instalments".into()), "{fields:?}");
        assert_eq!(t.post_json("/api/v1/contracts", &legal, terms(w.customer, w.product, 100)).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/contracts", &w.rep, terms(w.customer, w.product, 100)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let c = r.json();
        let id = c["id"].as_i64().unwrap();
        assert_eq!((c["status"].clone(), c["amount"].clone(), c["terms_version"].clone()), (json!("draft"), json!("8000"), json!(1)), "{c}");
        assert!(c["number"].as_str().unwrap().starts_with("HT-"), "{c}");
        // A revision is a new version with what changed.
        let r = t.json(Method::PUT, &format!("/api/v1/contracts/{id}/terms"), &w.rep, terms(w.customer, w.product, 120), &[]).await;
        let c = r.json();
        assert_eq!((c["terms_version"].clone(), c["amount"].clone()), (json!(2), json!("9600")), "{c}");
        let change = &c["versions"][1]["changes"];
        assert!(change.to_string().contains("lines[0].quantity") || change.to_string().contains("lines"), "{change}");
        // Review runs legal → finance → general manager; never out of turn.
        let review = |step: &str, approve: bool, comment: &str| json!({"step": step, "approve": approve, "comment": comment});
        let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &legal, review("legal", true, "")).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
        t.post_json(&format!("/api/v1/contracts/{id}/submit"), &w.rep, json!({})).await;
        let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &w.finance, review("finance", true, "")).await;
        assert_eq!(r.json()["errors"][0]["code"], "out_of_turn", "{}", r.text());
        assert_eq!(t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &w.finance, review("legal", true, "")).await.status, StatusCode::FORBIDDEN);
        // Sent back with comments, revised, submitted again.
        let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &legal, review("legal", false, "")).await;
        assert_eq!(r.json()["errors"][0]["field"], "comment", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &legal, review("legal", false, "争议解决条款需写明仲裁委员会全称")).await;
        assert_eq!(r.json()["status"], "draft", "{}", r.text());
        let mut t3 = terms(w.customer, w.product, 120);
        t3["dispute_venue"] = json!("深圳国际仲裁院(深圳仲裁委员会)");
        t.json(Method::PUT, &format!("/api/v1/contracts/{id}/terms"), &w.rep, t3, &[]).await;
        t.post_json(&format!("/api/v1/contracts/{id}/submit"), &w.rep, json!({})).await;
        for (who, step) in [(&legal, "legal"), (&w.finance, "finance"), (&gm, "general_manager")] {
            let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), who, review(step, true, "同意")).await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text());
        }
        let c = t.get(&format!("/api/v1/contracts/{id}"), &w.rep).await.json();
        assert_eq!((c["status"].clone(), c["reviews"].as_array().unwrap().len(), c["terms_version"].clone()), (json!("approved"), 4, json!(3)), "{c}");
        // Approved terms do not change.
        let r = t.json(Method::PUT, &format!("/api/v1/contracts/{id}/terms"), &w.rep, terms(w.customer, w.product, 1), &[]).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
        // Signed with the scanned copy; the collection period runs from it.
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date();
        let auth = format!("Bearer {}", w.rep);
        let r = t.call(Method::PUT, &format!("/api/v1/contracts/{id}/signed-copy?signed_on=2999-01-01&file=ht.png"),
            &[("authorization", auth.as_str()), ("content-type", "image/png")], Some(PNG.to_vec())).await;
        assert_eq!(r.json()["errors"][0]["field"], "signed_on", "{}", r.text());
        let r = t.call(Method::PUT, &format!("/api/v1/contracts/{id}/signed-copy?signed_on={today}&file=ht.png"),
            &[("authorization", auth.as_str()), ("content-type", "image/png")], Some(PNG.to_vec())).await;
        let c = r.json();
        assert_eq!((c["status"].clone(), c["signed_copy"].clone()), (json!("signed"), json!("ht.png")), "{}", r.text());
        let due = today.checked_add(jiff::Span::new().days(30)).unwrap().to_string();
        assert_eq!(c["collect_by"], json!(due), "{c}");
        assert_eq!(t.get(&format!("/api/v1/contracts/{id}/signed-copy"), &legal).await.header("content-type"), "image/png");
        assert_eq!(t.post_json(&format!("/api/v1/contracts/{id}/advance"), &w.rep, json!({})).await.json()["status"], "in_force");
        // The archive: by text, status, amount.
        let found = |q: &str| {
            let t = &t;
            let legal = legal.clone();
            let q = q.to_string();
            async move { t.get(&format!("/api/v1/contracts?{q}"), &legal).await.json()["items"].as_array().unwrap().len() }
        };
        assert_eq!(found("q=仲裁委员会").await, 1);
        assert_eq!(found("q=no-such-words").await, 0);
        assert_eq!(found("status=in_force&min_amount=9000").await, 1);
        assert_eq!(found("max_amount=100").await, 0);
        assert_eq!(found(&format!("signed_from={today}&signed_to={today}")).await, 1);
        let r = t.get("/api/v1/contracts?status=maybe", &legal).await;
        assert_eq!(r.json()["errors"][0]["field"], "status", "{}", r.text());
        assert_eq!(t.post_json(&format!("/api/v1/contracts/{id}/advance"), &w.rep, json!({})).await.json()["status"], "completed");
    })
    .await;
}

/// CON-1: nobody approves his own draft, whatever roles he has.
#[tokio::test]
#[rustfmt::skip]
async fn con_1_nobody_reviews_his_own_draft() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let id = t.post_json("/api/v1/contracts", &w.admin, terms(w.customer, w.product, 10)).await.json()["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/contracts/{id}/submit"), &w.admin, json!({})).await;
        let r = t.post_json(&format!("/api/v1/contracts/{id}/reviews"), &w.admin, json!({"step": "legal", "approve": true})).await;
        assert_eq!(r.json()["errors"][0]["code"], "own_draft", "{}", r.text());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn con_1_on_the_pages_sales_drafts_from_the_template_legal_finance_and_the_manager_approve_and_it_is_signed() {
    use crate::support::{assert_has, csrf, form, multipart};
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        t.user_token("fw", &[Role::Legal]).await;
        t.user_token("zjl", &[Role::GeneralManager]).await;
        let rep = t.login("rep").await;
        let html = t.page("/contracts/new", &rep).await.text();
        assert_has(&html, &["起草销售合同", "深圳国际仲裁院", "万分之五"]);
        let token = csrf(&html);
        let c = w.customer.to_string();
        let base = [("_csrf", token.as_str()), ("customer_id", c.as_str()), ("title", "门店供货合同"),
            ("quality_standard", "国标合格品"), ("payment_terms", "30日内付清"), ("instalments", ""),
            ("delivery_terms", "送货上门"), ("after_sales", "质保一年"), ("breach_liability", "逾期按日万分之五"),
            ("late_interest_bp", "5"), ("dispute", "court"), ("dispute_venue", "深圳市南山区人民法院"), ("collection_days", "30")];
        let with = |lines: &str| { let mut v = base.to_vec(); v.push(("lines", lines)); form(&v) };
        let r = t.post("/contracts", &rep, with("NOPE 10 80")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["lines[0]", "NOPE"]);
        let r = t.post("/contracts", &rep, with("F-1 10 80 M")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location");
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["草稿", "800", "contract-submit", "F-1"]);
        let r = t.post(&format!("{at}/submit"), &rep, form(&[("_csrf", &token)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        for (who, step) in [("fw", "legal"), ("cw", "finance"), ("zjl", "general_manager")] {
            let cookie = t.login(who).await;
            let html = t.page(&at, &cookie).await.text();
            assert_has(&html, &["review-form"]);
            let r = t.post(&format!("{at}/review"), &cookie, form(&[("_csrf", &csrf(&html)), ("step", step), ("decision", "approve"), ("comment", "同意")])).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.text());
        }
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["已批准", "sign-form"]);
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date().to_string();
        let (kind, body) = multipart(&[("_csrf", &token), ("signed_on", &today)], &[("voucher", "合同.png", "image/png", PNG)]);
        let r = t.call(Method::POST, &format!("{at}/sign"), &[("cookie", rep.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["已签订", "回款截止", "合同.png", "contract-advance"]);
        assert_has(&t.page("/contracts?q=门店供货", &rep).await.text(), &["contract-row", "门店供货合同"]);
    })
    .await;
}
