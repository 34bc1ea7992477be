//! The job schedule over HTTP in process (issue 24): the API and the jobs
//! page change one schedule for every node; "run now" on a node that runs
//! no jobs is queued; on SQLite always and on PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_app::jobs::JobsNode;
use kaidan_domain::Role;
use serde_json::json;
use support::{T, assert_has, csrf, on_each_backend};

#[tokio::test]
async fn ops_2_the_schedule_through_the_api_and_the_jobs_page() {
    on_each_backend(|t| async move {
        let backend = t.backend;
        let admin = t.user_token("ops", &[Role::Admin]).await;
        let clerk = t.user_token("clerk", &[Role::OrderClerk]).await;

        let t = &t;
        let patch = |name: &'static str, token: &String, body: serde_json::Value| {
            let token = token.clone();
            async move {
                let path = format!("/api/v1/jobs/{name}");
                t.json(Method::PATCH, &path, &token, body, &[]).await
            }
        };
        // The API: a change, a bad one naming its field, no right.
        let r = patch("dunning", &admin, json!({"interval_seconds": 600})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["interval_seconds"], 600);
        assert_eq!(r.json()["paused"], false);
        for (body, field) in [
            (json!({"interval_seconds": 31_622_401}), "interval_seconds"),
            (json!({}), "interval_seconds"),
            (json!({"interval": 60}), "interval"),
        ] {
            let r = patch("dunning", &admin, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            assert!(r.text().contains(field), "{}", r.text());
        }
        let r = patch("nope", &admin, json!({"paused": true})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        let r = patch("dunning", &clerk, json!({"paused": true})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.get("/api/v1/jobs", &admin).await;
        let dunning = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["name"] == "dunning")
            .cloned()
            .unwrap();
        assert_eq!(
            (
                dunning["interval_seconds"].as_i64(),
                dunning["paused"].as_bool()
            ),
            (Some(600), Some(false))
        );

        // The page: every job named in Chinese, a schedule form each.
        let cookie = t.login("ops").await;
        let html = t.page("/jobs", &cookie).await.text();
        assert_has(
            &html,
            &[
                "月末催款",
                "销售日报",
                "id=\"schedule-dunning\"",
                "value=\"600\"",
            ],
        );
        let token = csrf(&html);
        let r = t
            .submit(
                "/jobs/dunning/schedule",
                &cookie,
                &token,
                &[("interval_seconds", "abc")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("间隔须为整数秒"), "{}", r.text());
        let r = t
            .submit(
                "/jobs/dunning/schedule",
                &cookie,
                &token,
                &[("interval_seconds", "0")],
            )
            .await;
        assert!(r.text().contains("interval_seconds"), "{}", r.text());
        let r = t
            .submit(
                "/jobs/dunning/schedule",
                &cookie,
                &token,
                &[("interval_seconds", "900"), ("paused", "on")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page("/jobs", &cookie).await.text();
        assert_has(&html, &["id=\"paused-dunning\"", "已暂停", "value=\"900\""]);
        // Forged posts change nothing.
        let r = t
            .submit(
                "/jobs/dunning/schedule",
                &cookie,
                "x",
                &[("interval_seconds", "5")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // "Run now" on this node (it runs jobs): run at once.
        let r = t
            .json(
                Method::POST,
                "/api/v1/jobs/dunning/run",
                &admin,
                json!({}),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["queued"], false);

        // Another node, configured to run no jobs: queued, on the API and
        // on the page.
        let quiet = t.app.as_node(JobsNode {
            name: "quiet".into(),
            runs_jobs: false,
        });
        let q = T {
            router: kaidan_http::router(quiet.clone(), kaidan_http::HttpConfig::default()),
            app: quiet,
            backend,
        };
        let r = q
            .json(
                Method::POST,
                "/api/v1/jobs/dunning/run",
                &admin,
                json!({}),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        assert_eq!(
            (r.json()["queued"].as_bool(), r.json()["node"].as_str()),
            (Some(true), Some("quiet"))
        );
        let r = q
            .submit("/jobs/survey_send/run", &cookie, &token, &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("本节点不运行定时任务"), "{}", r.text());
        assert!(
            r.text().contains("id=\"queued-survey_send\""),
            "{}",
            r.text()
        );
        let r = t.get("/api/v1/jobs", &admin).await;
        let jobs = r.json();
        let requested: Vec<&str> = jobs
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["run_requested"] == true)
            .map(|j| j["name"].as_str().unwrap())
            .collect();
        assert_eq!(requested, ["dunning", "survey_send"], "{backend}");
    })
    .await;
}
