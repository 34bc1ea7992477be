//! FIN-6 and ALC-3 over HTTP: the finance hold endpoints (refused without
//! `customer.hold`), the hold box and form of the customer page, and the
//! customer's importance in the API and the form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::json;

#[tokio::test]
async fn fin_6_hold_endpoints_need_customer_hold_and_answer_who_when_why() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let finance = t.user_token("fin", &[Role::Finance]).await;
        let c = t
            .post_json(
                "/api/v1/customers",
                &admin,
                json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee", "importance": "key",
                       "payment_terms": "prepayment", "payment_method": "bank_transfer"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
        // ALC-3: the importance is master data of the customer.
        assert_eq!(c.json()["importance"], "key");
        let bad = t
            .post_json(
                "/api/v1/customers",
                &admin,
                json!({"code": "FR-2", "name": "加盟商二", "kind": "franchisee", "importance": "vip",
                       "payment_terms": "prepayment", "payment_method": "bank_transfer"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        let path = format!("/api/v1/customers/{}/hold", c.json()["id"]);

        // Without the permission: refused, nothing held.
        let r = t.post_json(&path, &clerk, json!({"reason": "逾期"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.json_call(Method::DELETE, &path, &clerk, None, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.get(&path, &clerk).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["on_hold"], false);
        // A missing or empty reason names the field.
        let r = t.post_json(&path, &finance, json!({"reason": " "})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["errors"][0]["field"], "reason");

        // Finance holds: the answer says who, when and why.
        let r = t.post_json(&path, &finance, json!({"reason": "逾期未回款"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert_eq!(v["on_hold"], true);
        assert_eq!(v["current"]["reason"], "逾期未回款");
        assert_eq!(v["current"]["held_by_name"], "fin");
        assert!(v["current"]["held_at"].is_string(), "{v}");
        assert!(v["current"]["released_at"].is_null(), "{v}");
        let r = t.get(&path, &clerk).await;
        assert_eq!(r.json()["current"]["reason"], "逾期未回款");

        // Finance releases: who and when are kept in the history.
        let r = t.json_call(Method::DELETE, &path, &finance, None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert_eq!(v["on_hold"], false);
        assert!(v["current"].is_null());
        assert_eq!(v["history"][0]["released_by_name"], "fin");
        assert!(v["history"][0]["released_at"].is_string(), "{v}");
        let r = t.json_call(Method::DELETE, &path, &finance, None, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = t.get("/api/v1/customers/999999/hold", &finance).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

        t.assert_described(&[
            ("/api/v1/customers/{id}/hold", "get"),
            ("/api/v1/customers/{id}/hold", "post"),
            ("/api/v1/customers/{id}/hold", "delete"),
        ])
        .await;
    })
    .await;
}

#[tokio::test]
async fn fin_6_the_customer_page_shows_the_hold_and_finance_sets_and_releases_it() {
    on_each_backend(|t| async move {
        let admin = t.user_token("boss", &[Role::Admin]).await;
        t.user_token("fin", &[Role::Finance]).await;
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let c = t
            .post_json(
                "/api/v1/customers",
                &admin,
                json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
                       "payment_terms": "prepayment", "payment_method": "bank_transfer"}),
            )
            .await
            .json();
        let page = format!("/m/customers/{}", c["id"]);
        // The clerk sees the box but no form.
        let clerk = t.login("clerk").await;
        let html = t.page(&page, &clerk).await.text();
        assert_has(&html, &["id=\"finance-hold\"", "id=\"hold-none\""]);
        assert!(!html.contains("id=\"hold-form\""));

        let fin = t.login("fin").await;
        let html = t.page(&page, &fin).await.text();
        assert_has(&html, &["id=\"hold-form\"", "id=\"hold-reason\""]);
        let token = csrf(&html);
        // An empty reason: the page again with the refusal, nothing held.
        let r = t
            .submit(
                &format!("{page}/hold"),
                &fin,
                &token,
                &[("action", "hold"), ("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["id=\"hold-error\"", "reason"]);
        let r = t
            .submit(
                &format!("{page}/hold"),
                &fin,
                &token,
                &[("action", "hold"), ("reason", "逾期未回款")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&page, &clerk).await.text();
        assert_has(
            &html,
            &[
                "id=\"hold-current\"",
                "逾期未回款",
                "fin",
                "id=\"hold-history\"",
            ],
        );
        let r = t
            .submit(
                &format!("{page}/hold"),
                &fin,
                &token,
                &[("action", "release")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page(&page, &fin).await.text();
        assert_has(&html, &["id=\"hold-none\"", "id=\"hold-set\""]);
        // The clerk's post is refused.
        let clerk_token = csrf(&t.page("/", &clerk).await.text());
        let r = t
            .submit(
                &format!("{page}/hold"),
                &clerk,
                &clerk_token,
                &[("action", "hold"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

        // ALC-3: the form offers the importance grades.
        let admin_cookie = t.login("boss").await;
        let form = t.page(&format!("{page}/edit"), &admin_cookie).await.text();
        assert_has(&form, &["name=\"importance\"", "value=\"key\"", "重点"]);
    })
    .await;
}
