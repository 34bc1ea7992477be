//! Satisfaction surveys (AFS-3, KPI-3), in process on both databases: an
//! order's survey sent by the job days after delivery (on a controlled
//! clock) and answered in the portal once; a region's period survey whose
//! links need no login and are refused when forged, reused or expired;
//! another customer's survey refused; the figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use kaidan_app::Ctx;
use kaidan_app::clock::MovableClock;
use kaidan_domain::Role;
use serde_json::json;

use crate::finance_http::{approved, ship, world};
use crate::support::{assert_has, form, on_each_backend};

fn good() -> serde_json::Value {
    json!({"answers": {"overall": "5", "quality": "4", "delivery": "4", "service": "4", "comments": "送货很快"}})
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_3_an_order_survey_goes_out_days_after_delivery_and_is_answered_once_in_the_portal() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 1).await;
        let sid = ship(&t, &w, order).await["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &w.wh,
            json!({"signed_by": "王店长", "lines": [{"line_no": 1, "accepted": 1, "refused": 0}]})).await;
        let clock = Arc::new(MovableClock::default());
        let app = t.app.with_clock(clock.clone());
        let ctx = Ctx::system();
        // Not yet: the survey waits three days after delivery.
        assert_eq!(app.run_job_now(&ctx, "survey_send", "t").await.unwrap().outcome, "ok: 0 order survey(s) sent");
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 4));
        assert_eq!(app.run_job_now(&ctx, "survey_send", "t").await.unwrap().outcome, "ok: 1 order survey(s) sent", "{}", t.backend);
        assert_eq!(app.run_job_now(&ctx, "survey_send", "t").await.unwrap().outcome, "ok: 0 order survey(s) sent");
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        let list = t.get("/api/v1/surveys", &sm).await.json();
        assert_eq!((list[0]["kind"].clone(), list[0]["order_id"].clone(), list[0]["answered_at"].clone()), (json!("order"), json!(order), json!(null)), "{list}");
        let id = list[0]["id"].as_i64().unwrap();
        // The portal user answers it; bad scores are named; once only.
        let mine = t.customer_user_token("fr1", &[Role::Customer], Some(w.customer)).await;
        assert_eq!(t.get("/api/v1/portal/surveys", &mine).await.json()[0]["id"], id);
        let r = t.post_json(&format!("/api/v1/portal/surveys/{id}/answers"), &mine, json!({"answers": {"overall": "6"}})).await;
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert!(fields.contains(&"answers.overall".to_string()) && fields.contains(&"answers.quality".to_string()), "{fields:?}");
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-2", "name": "二号", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "address": "广州"})).await.json();
        let theirs = t.customer_user_token("fr2", &[Role::Customer], other["id"].as_i64()).await;
        assert_eq!(t.post_json(&format!("/api/v1/portal/surveys/{id}/answers"), &theirs, good()).await.status, StatusCode::NOT_FOUND);
        let r = t.post_json(&format!("/api/v1/portal/surveys/{id}/answers"), &mine, good()).await;
        assert_eq!((r.status, r.json()["score"].clone(), r.json()["answered_via"].clone()), (StatusCode::OK, json!(425), json!("portal")), "{}", r.text());
        let r = t.post_json(&format!("/api/v1/portal/surveys/{id}/answers"), &mine, good()).await;
        assert_eq!(r.json()["errors"][0]["code"], "answered", "{}", r.text());
        assert_eq!(t.get("/api/v1/portal/surveys", &mine).await.json(), json!([]));
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_3_kpi_3_a_period_survey_by_link_refused_when_forged_reused_or_expired() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        let region = t.post_json("/api/v1/regions", &w.admin, json!({"code": "HD", "name": "华东"})).await.json();
        let rid = region["id"].as_i64().unwrap();
        for (code, name) in [("HD-1", "杭州店"), ("HD-2", "宁波店")] {
            let r = t.post_json("/api/v1/customers", &w.admin, json!({"code": code, "name": name, "kind": "franchisee", "region_id": rid,
                "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "address": "浙江"})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        assert_eq!(t.post_json("/api/v1/surveys/period", &w.rep, json!({"region_id": rid, "period": "2026-Q4"})).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json("/api/v1/surveys/period", &sm, json!({"region_id": rid, "period": "2026-Q5"})).await;
        assert_eq!(r.json()["errors"][0]["field"], "period", "{}", r.text());
        let r = t.post_json("/api/v1/surveys/period", &sm, json!({"region_id": rid, "period": "2026-Q4"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sent = r.json();
        assert_eq!(sent.as_array().unwrap().len(), 2);
        // Once per customer and period.
        assert_eq!(t.post_json("/api/v1/surveys/period", &sm, json!({"region_id": rid, "period": "2026-Q4"})).await.json(), json!([]));
        let (a, b) = (sent[0]["link"].as_str().unwrap().to_string(), sent[1]["link"].as_str().unwrap().to_string());
        // The link needs no login.
        let r = t.call(Method::GET, &a, &[], None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_has(&r.text(), &["客户满意度调查", "总体满意度", "name=\"overall\""]);
        let r = t.call(Method::POST, &a, &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[("overall", "5"), ("quality", "")]).into_bytes())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["answers.quality"]);
        let answer = form(&[("overall", "5"), ("quality", "5"), ("delivery", "4"), ("service", "5"), ("comments", "满意")]);
        let r = t.call(Method::POST, &a, &[("content-type", "application/x-www-form-urlencoded")], Some(answer.clone().into_bytes())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_has(&r.text(), &["感谢您的评价"]);
        // Reused: refused, the answer counts once.
        let r = t.call(Method::POST, &a, &[("content-type", "application/x-www-form-urlencoded")], Some(answer.clone().into_bytes())).await;
        assert_eq!(r.status, StatusCode::GONE, "{}", r.text());
        // Forged: not found.
        let r = t.call(Method::GET, "/survey/Zm9yZ2Vk", &[], None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Expired: fifteen days later the other link is refused.
        let clock = Arc::new(MovableClock::default());
        let later = t.app.with_clock(clock.clone());
        clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 15));
        let secret = b.trim_start_matches("/survey/");
        let e = later.answer_survey_by_link(secret, &serde_json::from_value(good()).unwrap()).await.unwrap_err();
        assert!(e.to_string().contains("expired"), "{e}");
        // KPI-3: one surveyed customer, satisfied.
        let today = jiff::Timestamp::now().to_zoned(kaidan_domain::orders::company_time_zone()).date();
        let k = t.get(&format!("/api/v1/surveys/satisfaction?from={today}&to={today}&group=region"), &sm).await.json();
        assert_eq!((k["total"]["surveyed"].clone(), k["total"]["satisfied"].clone(), k["total"]["rate_bp"].clone()), (json!(1), json!(1), json!(10000)), "{k}");
        assert_eq!(k["groups"][0]["group"], "华东", "{k}");
        let r = t.get(&format!("/api/v1/surveys/satisfaction?from={today}&to={today}&group=planet"), &sm).await;
        assert_eq!(r.json()["errors"][0]["field"], "group", "{}", r.text());
        let page = t.login("sm").await;
        assert_has(&t.page("/surveys", &page).await.text(), &["客户满意度", "KPI-3", "100.0%", "华东"]);
    })
    .await;
}
