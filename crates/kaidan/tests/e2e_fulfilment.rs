//! End-to-end, the binary: the demo company ships an order with a tracking
//! number; carrier tracking goes in and out as files through `kaidan import
//! tracking` and `kaidan export tracking` (SHP-2, INT-4), on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

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
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            format!("tracking_no,at,status,location,note\nSF1400000001,{now},in_transit,广州,\nNOPE,{now},in_transit,,\n"),
        )
        .unwrap();
        let o = kaidan(&db, &["import", "tracking", bad.to_str().unwrap()]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains("NOPE"), "{}", stderr(&o));
        let good = dir.path().join("good.csv");
        std::fs::write(
            &good,
            format!("tracking_no,at,status,location,note\nSF1400000001,{now},in_transit,广州,\n"),
        )
        .unwrap();
        let o = kaidan(&db, &["import", "tracking", good.to_str().unwrap()]);
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
