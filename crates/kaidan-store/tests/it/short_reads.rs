//! Short reads (ADR 0033): on SQLite a small pool of read-only rusqlite
//! connections whose statements run on the calling task; on PostgreSQL an
//! ordinary read transaction. Either way a short read sees what was
//! committed before it began, keeps nothing it was asked to write, and
//! gives its connection back however it ends. On SQLite it reads one
//! snapshot to its end and refuses writes outright (a read-only
//! connection); PostgreSQL's reads are READ COMMITTED, as its `read`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_app::ports::{EntityKind, ListQuery, Store};
use kaidan_store::testing::{backends, fresh};

use crate::support::region_record as region;

async fn add(db: &dyn Store, code: &str) {
    let mut tx = db.write().await.unwrap();
    tx.master_insert(&region(code), jiff::Timestamp::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn count(tx: &mut Box<dyn kaidan_app::ports::Tx>) -> usize {
    let q = ListQuery {
        limit: 1_000,
        ..Default::default()
    };
    tx.master_list(EntityKind::Region, &q).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_read_sees_what_was_committed_keeps_no_write_and_gives_its_connection_back() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let db = &t.db;
        add(db, "S1").await;

        // SQLite: one snapshot; a write committed meanwhile is not seen
        // until the next short read.
        let mut read = db.read_short().await.unwrap();
        assert_eq!(count(&mut read).await, 1, "{backend}");
        add(db, "S2").await;
        if backend == "sqlite" {
            assert_eq!(count(&mut read).await, 1, "{backend}: snapshot moved");
        }
        read.commit().await.unwrap();
        let mut read = db.read_short().await.unwrap();
        assert_eq!(count(&mut read).await, 2, "{backend}");

        // Nothing it is asked to write is kept; SQLite refuses at once.
        let refused = read
            .master_insert(&region("S3"), jiff::Timestamp::now())
            .await;
        if backend == "sqlite" {
            assert!(refused.is_err(), "{backend}: a short read wrote");
        }
        drop(read);

        // Dropped in the middle of a transaction, many times over (more
        // than the pool's connections): each connection comes back ready.
        for _ in 0..12 {
            let mut read = db.read_short().await.unwrap();
            assert_eq!(count(&mut read).await, 2, "{backend}");
            drop(read);
        }
        let mut read = db.read_short().await.unwrap();
        assert_eq!(count(&mut read).await, 2, "{backend}: S3 must not exist");
        read.commit().await.unwrap();

        db.close().await;
        if backend == "sqlite" {
            assert!(
                db.read_short().await.is_err(),
                "a closed database still gave a short read"
            );
        }
    }
}
