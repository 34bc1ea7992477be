//! INT-5 (issue 18) over HTTP: webhook subscriptions through the API and
//! the pages. The secret is in the answer that made it and nowhere after;
//! bad input names its field; only `webhook.admin` changes anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::json;

#[tokio::test]
async fn int_5_a_subscription_is_made_with_a_secret_shown_once_and_bad_input_names_its_field() {
    on_each_backend(|t| async move {
        t.assert_described(&[
            ("/api/v1/webhooks", "get"),
            ("/api/v1/webhooks", "post"),
            ("/api/v1/webhooks/{id}", "get"),
            ("/api/v1/webhooks/{id}", "put"),
            ("/api/v1/webhooks/{id}/secret", "post"),
            ("/api/v1/webhooks/{id}/replay", "post"),
            ("/api/v1/webhook-deliveries", "get"),
            ("/api/v1/webhook-deliveries/{id}/retry", "post"),
        ])
        .await;
        let admin = t.user_token("admin", &[Role::Admin]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;
        let good = json!({"name": "ERP 订单", "url": "https://erp.example.com/hooks/kaidan",
                          "topics": ["order.*", "invoice.issued"]});

        let refused = t.post_json("/api/v1/webhooks", &clerk, good.clone()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
        assert_eq!(t.get("/api/v1/webhooks", &clerk).await.status, StatusCode::FORBIDDEN);

        let bad = t
            .post_json(
                "/api/v1/webhooks",
                &admin,
                json!({"name": "", "url": "ftp://x", "topics": ["Order.*"], "customer_id": 999}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["name", "url", "topics[0]"], "{}", bad.text());
        let unknown_customer = t
            .post_json(
                "/api/v1/webhooks",
                &admin,
                json!({"name": "x", "url": "http://127.0.0.1:9/x", "topics": ["*"], "customer_id": 999}),
            )
            .await;
        assert_eq!(unknown_customer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&unknown_customer.text(), &["customer_id", "no customer 999"]);
        assert!(t.get("/api/v1/webhooks", &admin).await.json().as_array().unwrap().is_empty());

        let made = t.post_json("/api/v1/webhooks", &admin, good.clone()).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        let secret = made.json()["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_") && secret.len() == 70, "{secret}");
        let id = made.json()["subscription"]["id"].as_i64().unwrap();
        assert_eq!(made.json()["subscription"]["topics"], json!(["order.*", "invoice.issued"]));

        // Never again: not in the list, the record, its page or its audit.
        let list = t.get("/api/v1/webhooks", &admin).await;
        assert!(!list.text().contains(&secret[6..]));
        let one = t.get(&format!("/api/v1/webhooks/{id}"), &admin).await;
        assert_eq!(one.status, StatusCode::OK);
        assert!(!one.text().contains(&secret[6..]));
        assert_eq!(one.json()["deliveries"], json!([]));

        let changed = t
            .json(
                Method::PUT,
                &format!("/api/v1/webhooks/{id}"),
                &admin,
                json!({"name": "ERP", "url": "https://erp.example.com/v2", "topics": ["*"], "active": false}),
                &[],
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        assert_eq!(changed.json()["active"], false);

        let renewed = t
            .json_call(Method::POST, &format!("/api/v1/webhooks/{id}/secret"), &admin, None, &[])
            .await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text());
        let second = renewed.json()["secret"].as_str().unwrap().to_string();
        assert_ne!(second, secret);

        let replay = t
            .post_json(
                &format!("/api/v1/webhooks/{id}/replay"),
                &admin,
                json!({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", replay.text());
        assert_has(&replay.text(), &["\"to\""]);
        let replay = t
            .post_json(
                &format!("/api/v1/webhooks/{id}/replay"),
                &admin,
                json!({"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(replay.status, StatusCode::OK, "{}", replay.text());

        let bad_state = t.get("/api/v1/webhook-deliveries?state=lost", &admin).await;
        assert_eq!(bad_state.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&bad_state.text(), &["state", "pending, delivered, dead"]);
        let bad_key = t.get("/api/v1/webhook-deliveries?colour=red", &admin).await;
        assert_eq!(bad_key.status, StatusCode::UNPROCESSABLE_ENTITY);
        let none = t
            .json_call(Method::POST, "/api/v1/webhook-deliveries/12345/retry", &admin, None, &[])
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.text());
        let zero = t.get("/api/v1/webhooks/0", &admin).await;
        assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The audit trail names the changes, never the secret.
        let audit = t
            .app
            .audit_of(&kaidan_app::Ctx::system(), "webhook_subscription", id)
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["replay", "renew_secret", "update", "create"], "{}: newest first", t.backend);
        let text = format!("{audit:?}");
        assert!(!text.contains(&secret[6..]) && !text.contains(&second[6..]));
    })
    .await;
}

#[tokio::test]
async fn int_5_the_webhook_pages_show_a_new_secret_once_and_the_deliveries() {
    on_each_backend(|t| async move {
        t.user_token("admin", &[Role::Admin]).await;
        t.user_token("clerk", &[Role::OrderClerk]).await;
        let cookie = t.login("admin").await;
        let page = t.page("/webhooks", &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_has(
            &page.text(),
            &["id=\"new-subscription\"", "id=\"subscriptions\""],
        );
        let token = csrf(&page.text());

        let refused = t
            .submit(
                "/webhooks",
                &cookie,
                &token,
                &[("name", "x"), ("url", "mailto:a@b"), ("topics", "order.*")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_has(&refused.text(), &["url", "mailto:a@b"]);

        let made = t
            .submit(
                "/webhooks",
                &cookie,
                &token,
                &[
                    ("name", "仓储系统"),
                    ("url", "http://127.0.0.1:9/hook"),
                    ("topics", "order.approved shipment.*"),
                    ("active", "true"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.text());
        let html = made.text();
        assert_has(
            &html,
            &["id=\"new-secret\"", "whsec_", "仓储系统", "shipment.*"],
        );
        let secret: String = html
            .split("whsec_")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        assert_eq!(secret.len(), 64);
        let list = t.page("/webhooks", &cookie).await.text();
        assert_has(&list, &["仓储系统", "subscription-row"]);
        assert!(!list.contains(&secret));
        let id = t
            .app
            .list_subscriptions(&kaidan_app::Ctx::system())
            .await
            .unwrap()[0]
            .id;
        let detail = t.page(&format!("/webhooks/{id}"), &cookie).await.text();
        assert!(!detail.contains(&secret), "the secret is shown once");
        assert_has(
            &detail,
            &["id=\"deliveries\"", "id=\"replay\"", "id=\"renew-secret\""],
        );
        let dead = t.page("/webhooks/deliveries?state=dead", &cookie).await;
        assert_eq!(dead.status, StatusCode::OK);

        // A clerk has no webhooks: no entry in the bar, a refusal at the door.
        let clerk = t.login("clerk").await;
        let home = t.page("/", &clerk).await.text();
        assert!(!home.contains("href=\"/webhooks\""));
        assert_eq!(
            t.page("/webhooks", &clerk).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
