//! Complaints and feedback (AFS-2), in process on both databases: recorded
//! from any channel, the 24-hour clock (in time, late, across a weekend,
//! on a controlled clock), routed, resolved, confirmed or reopened by the
//! customer, called back, turned into a return, and a portal user kept to
//! its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::StatusCode;
use kaidan_app::Ctx;
use kaidan_app::after_sales::ComplaintStepInput;
use kaidan_app::clock::MovableClock;
use kaidan_domain::after_sales::{
    AckState, ComplaintChannel, ComplaintDepartment, ComplaintInput, ComplaintStatus, ComplaintStep,
};
use kaidan_domain::{CustomerId, Role};
use serde_json::json;

use crate::finance_http::{approved, ship, world};
use crate::support::{T, assert_has, csrf, form, on_each_backend};

#[tokio::test]
#[rustfmt::skip]
async fn afs_2_a_complaint_is_acknowledged_routed_resolved_reopened_confirmed_and_called_back() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let sm = t.user_token("sm", &[Role::SalesManager]).await;
        let order = approved(&t, &w, 2).await;
        let s = ship(&t, &w, order).await;
        let sid = s["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &w.wh,
            json!({"signed_by": "王店长", "lines": [{"line_no": 1, "accepted": 2, "refused": 0}]})).await;
        // Bad input is named, nothing is written.
        let r = t.post_json("/api/v1/complaints", &w.rep, json!({"customer_id": w.customer, "channel": "phone",
            "department": "logistics", "subject": " ", "order_id": 999})).await;
        let fields: Vec<String> = r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert_eq!(fields, ["order_id", "subject"], "{}", r.text());
        assert_eq!(t.get("/api/v1/complaints", &w.rep).await.json()["items"], json!([]));
        let r = t.post_json("/api/v1/complaints", &w.rep, json!({"customer_id": w.customer, "channel": "phone",
            "department": "logistics", "subject": "快递员态度差,外箱破损", "detail": "门店来电", "order_id": order, "shipment_id": sid})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let c = r.json();
        let id = c["id"].as_i64().unwrap();
        assert_eq!((c["status"].clone(), c["clock"]["state"].clone()), (json!("open"), json!("running")), "{c}");
        assert!(c["number"].as_str().unwrap().starts_with("TS-"), "{c}");
        // Out of turn: refused with where it stands.
        let step = |s: &str, note: &str| json!({"step": s, "note": note});
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &w.wh, step("resolve", "x")).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &w.wh, step("acknowledge", "")).await;
        assert_eq!(r.json()["errors"][0]["field"], "note", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &w.wh, step("acknowledge", "已致电门店道歉,核查中")).await;
        let c = r.json();
        assert_eq!((c["status"].clone(), c["clock"]["state"].clone()), (json!("acknowledged"), json!("met")), "{c}");
        // Routed to quality, owned by the sales manager.
        let sm_id = t.get("/api/v1/session", &sm).await.json()["user_id"].as_i64();
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &w.wh,
            json!({"step": "assign", "department": "quality", "owner_id": sm_id, "note": "转质量部"})).await;
        assert_eq!(r.json()["department"], "quality", "{}", r.text());
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &sm, step("resolve", "更换承运商,补发外箱")).await;
        assert_eq!(r.json()["status"], "resolved", "{}", r.text());
        // The customer is not satisfied, then is.
        let mine = t.customer_user_token("fr1", &[Role::Customer], Some(w.customer)).await;
        assert_eq!(t.post_json(&format!("/api/v1/complaints/{id}/steps"), &mine, step("resolve", "x")).await.status, StatusCode::FORBIDDEN);
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &mine, step("reopen", "外箱还没收到")).await;
        assert_eq!(r.json()["status"], "acknowledged", "{}", r.text());
        t.post_json(&format!("/api/v1/complaints/{id}/steps"), &sm, step("resolve", "外箱已顺丰寄出")).await;
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &mine, step("confirm", "")).await;
        assert_eq!(r.json()["status"], "closed", "{}", r.text());
        // The callback (回访), recorded after.
        let r = t.post_json(&format!("/api/v1/complaints/{id}/steps"), &w.rep, step("callback", "回访:门店满意")).await;
        let c = r.json();
        assert_eq!(c["callback_note"], "回访:门店满意", "{c}");
        let steps: Vec<&str> = c["log"].as_array().unwrap().iter().map(|l| l["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["received", "acknowledge", "assign", "resolve", "reopen", "resolve", "confirm", "callback"]);
        // On the order's timeline.
        let o = t.get(&format!("/api/v1/orders/{order}"), &w.admin).await.json();
        assert!(o["timeline"].to_string().contains("complaint_record"), "{o}");
        // A complaint that turns into a return raises it in one step.
        let id2 = t.post_json("/api/v1/complaints", &mine, json!({"customer_id": 12345, "channel": "phone",
            "department": "quality", "subject": "衬衫开线"})).await.json();
        assert_eq!((id2["channel"].clone(), id2["customer_id"].clone()), (json!("portal"), json!(w.customer)), "{id2}");
        let id2 = id2["id"].as_i64().unwrap();
        let r = t.post_json(&format!("/api/v1/complaints/{id2}/return"), &w.rep, json!({"shipment_id": sid, "reason": "quality",
            "remedy": "exchange", "lines": [{"line_no": 1, "quantity": 1}]})).await;
        let rid = r.json()["return_id"].as_i64().unwrap_or_else(|| panic!("{}", r.text()));
        assert_eq!(t.get(&format!("/api/v1/returns/{rid}"), &w.rep).await.json()["status"], "requested");
        // A portal user sees its own only.
        let other = t.post_json("/api/v1/customers", &w.admin, json!({"code": "FR-2", "name": "二号", "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "address": "广州"})).await.json();
        let theirs = t.customer_user_token("fr2", &[Role::Customer], other["id"].as_i64()).await;
        assert_eq!(t.get(&format!("/api/v1/complaints/{id}"), &theirs).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get("/api/v1/complaints", &theirs).await.json()["items"], json!([]));
        assert_eq!(t.get("/api/v1/complaints", &mine).await.json()["items"].as_array().unwrap().len(), 2);
        let r = t.get("/api/v1/complaints?department=moon", &w.rep).await;
        assert_eq!(r.json()["errors"][0]["field"], "department", "{}", r.text());
    })
    .await;
}

fn input(customer: i64) -> ComplaintInput {
    ComplaintInput {
        customer_id: CustomerId(customer),
        channel: ComplaintChannel::Phone,
        department: ComplaintDepartment::Sales,
        subject: "发票抬头错误".into(),
        detail: String::new(),
        order_id: None,
        shipment_id: None,
        return_id: None,
        owner_id: None,
        received_at: None,
    }
}

fn ack() -> ComplaintStepInput {
    ComplaintStepInput {
        step: ComplaintStep::Acknowledge,
        note: "已回复客户".into(),
        department: None,
        owner_id: None,
    }
}

/// On a controlled clock: acknowledged in time, late, and a Friday
/// evening's complaint overdue by Monday (the weekend does not stop the
/// clock), flagged once by the job.
#[tokio::test]
#[rustfmt::skip]
async fn afs_2_the_24_hour_clock_in_time_late_and_across_a_weekend() {
    on_each_backend(|t: T| async move {
        let w = world(&t, "monthly_settlement").await;
        let clock = Arc::new(MovableClock::default());
        let app = t.app.with_clock(clock.clone());
        let ctx = Ctx::system();
        // Friday 2026-12-04 18:00 in Shanghai.
        clock.set("2026-12-04T10:00:00Z".parse().unwrap());
        let friday = app.record_complaint(&ctx, &input(w.customer)).await.unwrap();
        let in_time = app.record_complaint(&ctx, &input(w.customer)).await.unwrap();
        assert_eq!(friday.clock.due_at.strftime("%Y-%m-%dT%H:%M").to_string(), "2026-12-05T10:00");
        // Saturday 16:00: four hours left, the warning shows.
        clock.set("2026-12-05T06:30:00Z".parse().unwrap());
        assert_eq!(app.complaint(&ctx, friday.complaint.id).await.unwrap().clock.state, AckState::DueSoon);
        let v = app.complaint_step(&ctx, in_time.complaint.id, &ack()).await.unwrap();
        assert_eq!(v.clock.state, AckState::Met);
        // Monday 09:00: the other one is overdue; the job flags it once.
        clock.set("2026-12-07T01:00:00Z".parse().unwrap());
        let v = app.complaint(&ctx, friday.complaint.id).await.unwrap();
        assert_eq!((v.clock.state, v.clock.minutes_left.unwrap() < 0), (AckState::Overdue, true));
        let run = app.run_job_now(&ctx, "complaint_overdue", "test").await.unwrap();
        assert_eq!(run.outcome, "ok: 1 complaint(s) flagged overdue", "{}", t.backend);
        let run = app.run_job_now(&ctx, "complaint_overdue", "test").await.unwrap();
        assert_eq!(run.outcome, "ok: 0 complaint(s) flagged overdue", "{}", t.backend);
        assert!(app.complaint(&ctx, friday.complaint.id).await.unwrap().complaint.overdue_flagged_at.is_some());
        // Acknowledged now: late, for good.
        let v = app.complaint_step(&ctx, friday.complaint.id, &ack()).await.unwrap();
        assert_eq!((v.complaint.status, v.clock.state), (ComplaintStatus::Acknowledged, AckState::Late));
        // A complaint received earlier runs from then (22 hours ago: due
        // soon, whatever the seconds the test takes); one in the future is
        // refused.
        let mut earlier = input(w.customer);
        earlier.received_at = Some("2026-12-06T03:00:00Z".parse().unwrap());
        assert_eq!(app.record_complaint(&ctx, &earlier).await.unwrap().clock.state, AckState::DueSoon);
        earlier.received_at = Some("2026-12-08T01:00:00Z".parse().unwrap());
        assert!(app.record_complaint(&ctx, &earlier).await.is_err());
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn afs_2_on_the_pages_a_clerk_records_the_warehouse_acknowledges_and_a_return_is_raised() {
    on_each_backend(|t| async move {
        let w = world(&t, "monthly_settlement").await;
        let order = approved(&t, &w, 2).await;
        let sid = ship(&t, &w, order).await["id"].as_i64().unwrap();
        t.post_json(&format!("/api/v1/shipments/{sid}/delivery"), &w.wh,
            json!({"signed_by": "王店长", "lines": [{"line_no": 1, "accepted": 2, "refused": 0}]})).await;
        let rep = t.login("rep").await;
        let html = t.page("/complaints", &rep).await.text();
        assert_has(&html, &["投诉与反馈", "complaint-form", "24小时"]);
        let token = csrf(&html);
        let c = w.customer.to_string();
        let sid_s = sid.to_string();
        let r = t.post("/complaints", &rep, form(&[("_csrf", &token), ("customer_id", &c), ("channel", "phone"), ("department", "warehouse"), ("subject", "")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&r.text(), &["subject"]);
        let r = t.post("/complaints", &rep, form(&[("_csrf", &token), ("customer_id", &c), ("channel", "phone"),
            ("department", "warehouse"), ("subject", "少发一件"), ("shipment_id", &sid_s)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location");
        assert_has(&t.page(&at, &rep).await.text(), &["待受理", "计时中", "少发一件"]);
        assert_has(&t.page("/complaints", &rep).await.text(), &["少发一件", "ack-running"]);
        let wh = t.login("wh").await;
        let html = t.page(&at, &wh).await.text();
        let token = csrf(&html);
        let r = t.post(&format!("{at}/step"), &wh, form(&[("_csrf", &token), ("step", "acknowledge"), ("note", "已核对,补发")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&at, &rep).await.text();
        assert_has(&html, &["处理中", "按时受理", "已核对,补发", "complaint-to-return"]);
        // The return form, raised from the complaint, is linked to it.
        let html = t.page(&format!("/returns/new?shipment_id={sid}&complaint_id={}", at.rsplit('/').next().unwrap()), &rep).await.text();
        assert_has(&html, &["由投诉发起"]);
        let token = csrf(&html);
        let cid = at.rsplit('/').next().unwrap().to_string();
        let (kind, body) = crate::support::multipart(&[("_csrf", &token), ("shipment_id", &sid_s), ("complaint_id", &cid), ("qty_1", "1"),
            ("reason", "wrong_goods"), ("remedy", "exchange")], &[]);
        let r = t.call(axum::http::Method::POST, "/returns", &[("cookie", rep.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_has(&t.page(&at, &rep).await.text(), &["complaint-return", "发起退换货"]);
    })
    .await;
}
