//! INT-5 (issue 18) through the real binary on both databases: a
//! subscription made over the API, events delivered signed to a receiver,
//! the server killed (SIGKILL) while deliveries are in flight, restarted,
//! and every event delivered, a repeated one with the same id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kaidan_events::receiver::Receiver;

use crate::support::{self, Server, kaidan, stderr};

async fn wait_for(what: &str, secs: u64, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn int_5_events_reach_a_receiver_and_a_killed_server_delivers_the_rest_after_restart() {
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["migrate"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let token = support::admin_token(&db);

        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kaidan.toml");
        std::fs::write(
            &config,
            "[events]\ntimeout_seconds = 3\nlease_seconds = 4\nfirst_retry_seconds = 1\n\
             longest_wait_seconds = 2\npoll_ms = 50\n",
        )
        .unwrap();
        let key = "7e".repeat(32);
        let env = [
            ("KAIDAN_CONFIG", config.to_str().unwrap()),
            ("KAIDAN_EVENTS_KEY", key.as_str()),
        ];

        let receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/hook", listener.local_addr().unwrap());
        let serving = tokio::spawn(receiver.clone().serve(listener));

        let server = Server::start_with(&db, "serve", &env);
        let http = reqwest::Client::new();
        let made: serde_json::Value = http
            .post(format!("{}/api/v1/webhooks", server.url))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "e2e", "url": hook, "topics": ["product.*"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let secret = made["secret"].as_str().expect("a secret").to_string();
        let id = made["subscription"]["id"].as_i64().unwrap();
        receiver.set_secret(&secret);
        // Slow answers, so that the kill lands while POSTs are in flight.
        receiver.set_delay(Duration::from_millis(1_500));
        for i in 0..12 {
            let r = http
                .post(format!("{}/api/v1/products", server.url))
                .bearer_auth(&token)
                .json(
                    &serde_json::json!({"sku": format!("E-{i}"), "name": "衬衫", "unit": "件",
                    "season": "none", "list_price": "99.00", "tax_rate": "0.13"}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        drop(server); // SIGKILL: no shutdown, no attempt recorded
        receiver.set_delay(Duration::ZERO);

        let server = Server::start_with(&db, "serve", &env);
        let ids = || -> BTreeSet<i64> {
            receiver
                .received()
                .iter()
                .filter(|r| r.signature_ok && r.topic == "product.created")
                .map(|r| r.event_id)
                .collect()
        };
        wait_for("12 events delivered after the restart", 60, || {
            ids().len() == 12
        })
        .await;
        let received = receiver.received();
        assert!(
            received.iter().all(|r| r.signature_ok),
            "{db}: {received:?}"
        );
        assert!(
            received.len() >= 12,
            "at least once: {} POSTs for 12 events",
            received.len()
        );
        // The relay records each as delivered (a re-sent one too).
        let mut counts = serde_json::Value::Null;
        for _ in 0..100 {
            let one: serde_json::Value = http
                .get(format!("{}/api/v1/webhooks/{id}", server.url))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            counts = one["subscription"]["deliveries"].clone();
            if counts["delivered"] == 12 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            counts,
            serde_json::json!({"pending": 0, "delivered": 12, "dead": 0}),
            "{db}"
        );
        assert!(server.stop().success());
        serving.abort();
    }
}
