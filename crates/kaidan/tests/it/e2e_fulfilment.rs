//! End-to-end, the binary: the demo company ships an order with a tracking
//! number; carrier tracking goes in and out as files through `kaidan import
//! tracking` and `kaidan export tracking` (SHP-2, INT-4), on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::{kaidan, stderr, stdout};

#[tokio::test]
async fn shp_2_int_4_tracking_files_through_the_command_line() {
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["demo", "--no-serve"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tracking.csv");
        let o = kaidan(&db, &["export", "tracking", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        // CSV exports start with a BOM so that Excel reads them as UTF-8.
        assert!(
            text.trim_start_matches('\u{feff}')
                .starts_with("tracking_no,at,status,location,note"),
            "{text}"
        );
        assert!(
            text.contains("SF1400000001") && text.contains("picked_up"),
            "{text}"
        );

        // A carrier file: one good event, then one bad row refuses it all.
        let now = jiff::Timestamp::now().to_string();
        let import = |name: &str, rows: &str| {
            let file = dir.path().join(name);
            std::fs::write(
                &file,
                format!("tracking_no,at,status,location,note\n{rows}"),
            )
            .unwrap();
            kaidan(&db, &["import", "tracking", file.to_str().unwrap()])
        };
        let good = format!("SF1400000001,{now},in_transit,广州,\n");
        let o = import("bad.csv", &format!("{good}NOPE,{now},in_transit,,\n"));
        assert!(!o.status.success());
        assert!(stderr(&o).contains("NOPE"), "{}", stderr(&o));
        let o = import("good.csv", &good);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("1 created"), "{}", stdout(&o));
        let o = kaidan(&db, &["export", "tracking", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("SF1400000001"))
                .count(),
            2,
            "{text}"
        );
    }
}

/// ALC-9, DOC-2 through the served binary: the demo's picked transfer is
/// shipped and received over the API, found by its number, and a wrong step
/// is refused with the state it is in.
#[tokio::test]
async fn alc_9_doc_2_a_demo_transfer_shipped_and_received_through_the_server() {
    for (db, _dir) in support::databases().await {
        let o = kaidan(&db, &["demo", "--no-serve"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = kaidan(&db, &["user", "add-token", "warehouse", "--name", "e2e"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let token = stdout(&o).trim().to_string();
        let server = support::Server::start(&db, "serve");
        let http = reqwest::Client::new();
        // A GET without a body, a POST with one; the status and the JSON answer.
        let call = |path: String, body: Option<serde_json::Value>| {
            let (http, token, url) = (http.clone(), token.clone(), server.url.clone());
            async move {
                let request = match body {
                    None => http.get(format!("{url}{path}")),
                    Some(body) => http.post(format!("{url}{path}")).json(&body),
                };
                let r = request.bearer_auth(&token).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let get = |path: String| call(path, None);
        let post = |path: String, body: serde_json::Value| call(path, Some(body));
        let (status, picked) = get("/api/v1/transfers?status=picked".into()).await;
        assert_eq!(status, 200, "{picked}");
        let t = &picked[0];
        let (id, number) = (t["id"].as_i64().unwrap(), t["number"].as_str().unwrap());
        assert!(number.starts_with("TR-"), "{t}");
        let (status, err) = post(
            format!("/api/v1/transfers/{id}/receive"),
            serde_json::json!({}),
        )
        .await;
        assert_eq!(status, 422, "{err}");
        assert!(err.to_string().contains("the transfer is picked"), "{err}");
        let eta = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .date()
            .checked_add(jiff::Span::new().days(3))
            .unwrap()
            .to_string();
        let (status, shipped) = post(
            format!("/api/v1/transfers/{id}/ship"),
            serde_json::json!({"carrier": "德邦物流", "tracking_no": "DB-E2E-1", "eta": eta}),
        )
        .await;
        assert_eq!(
            (status, shipped["status"].as_str()),
            (200, Some("shipped")),
            "{shipped}"
        );
        let (status, received) = post(
            format!("/api/v1/transfers/{id}/receive"),
            serde_json::json!({"note": "e2e"}),
        )
        .await;
        assert_eq!(
            (status, received["status"].as_str()),
            (200, Some("received")),
            "{received}"
        );
        let (status, docs) = get(format!("/api/v1/documents/{number}")).await;
        assert_eq!(
            (status, docs[0]["kind"].as_str()),
            (200, Some("transfer")),
            "{docs}"
        );
        let store = received["store_id"].as_i64();
        if let Some(store) = store {
            let (status, pos) = get(format!("/api/v1/stores/{store}/stock-position")).await;
            assert_eq!(status, 200, "{pos}");
            let line = &received["lines"][0];
            let p = pos
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["product_id"] == line["product_id"])
                .unwrap();
            assert!(p["on_hand"].as_i64() >= line["picked"].as_i64(), "{p}");
        }
        assert!(server.stop().success());
    }
}
