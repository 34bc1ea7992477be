//! Group commit (SQLite: many requests share one durable COMMIT): every
//! committed unit is kept, a failed or abandoned unit leaves nothing behind
//! and does not take its batch with it. Runs on PostgreSQL too, where each
//! write is its own transaction, so both engines keep the same promise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kaidan_app::ports::{EntityKind, ListQuery, MasterData, Store, StoreError};
use kaidan_store::testing::{backends, fresh};

use crate::support::region_record as region;

async fn codes(db: &dyn Store) -> Vec<String> {
    let mut tx = db.read().await.unwrap();
    let q = ListQuery {
        limit: 10_000,
        ..Default::default()
    };
    let mut v: Vec<String> = tx
        .master_list(EntityKind::Region, &q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| match r.data {
            MasterData::Region(r) => r.code,
            _ => unreachable!(),
        })
        .collect();
    v.sort();
    v
}

/// The codes (`{prefix}{i:03}`) of the tasks whose unit was kept.
async fn kept(
    tasks: Vec<tokio::task::JoinHandle<Result<bool, StoreError>>>,
    prefix: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        if task.await.unwrap().unwrap() {
            out.push(format!("{prefix}{i:03}"));
        }
    }
    out
}

/// Exactly the acknowledged units are there, and acknowledged means on
/// disk: a fresh connection sees every one.
async fn assert_durable(
    t: kaidan_store::testing::TestDb,
    db: &dyn Store,
    expected: &[String],
    backend: &str,
) {
    assert_eq!(codes(db).await, expected, "{backend}");
    t.db.close().await;
    let reopened = kaidan_store::Db::connect(&t.url, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        codes(&reopened).await,
        expected,
        "{backend} after reopening"
    );
    reopened.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_units_are_all_kept_and_failures_leave_nothing() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let db: Arc<dyn Store> = Arc::new(t.db.clone());
        let now = jiff::Timestamp::now();
        let mut tasks = Vec::new();
        for i in 0..60 {
            let db = Arc::clone(&db);
            tasks.push(tokio::spawn(async move {
                let mut tx = db.write().await?;
                tx.master_insert(&region(&format!("R{i:03}")), now).await?;
                match i % 3 {
                    // Kept.
                    0 => tx.commit().await.map(|()| true),
                    // A second row breaks a unique rule: the unit fails and
                    // is dropped, its first row must go too.
                    1 => {
                        let dup = tx.master_insert(&region(&format!("D{i:03}")), now).await;
                        let again = tx.master_insert(&region(&format!("D{i:03}")), now).await;
                        assert!(dup.is_ok());
                        assert!(
                            matches!(again, Err(StoreError::Duplicate { .. })),
                            "{again:?}"
                        );
                        drop(tx);
                        Ok(false)
                    }
                    // Abandoned without an error (a cancelled request).
                    _ => {
                        drop(tx);
                        Ok::<_, StoreError>(false)
                    }
                }
            }));
        }
        let expected = kept(tasks, "R").await;
        assert_eq!(expected.len(), 20, "{backend}");
        assert_durable(t, db.as_ref(), &expected, backend).await;
    }
}

#[tokio::test]
async fn a_cancelled_request_mid_unit_does_not_block_the_writer() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let db: Arc<dyn Store> = Arc::new(t.db.clone());
        let now = jiff::Timestamp::now();
        // A request that is cancelled while it holds an open unit.
        let holder = {
            let db = Arc::clone(&db);
            tokio::spawn(async move {
                let mut tx = db.write().await.unwrap();
                tx.master_insert(&region("GONE"), now).await.unwrap();
                std::future::pending::<()>().await;
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        holder.abort();
        let _ = holder.await;
        let mut tx = db.write().await.unwrap();
        tx.master_insert(&region("KEPT"), now).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            codes(db.as_ref()).await,
            vec!["KEPT".to_string()],
            "{backend}"
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn a_failed_unit_does_not_keep_the_sqlite_write_lock_from_other_processes() {
    let t = fresh("sqlite").await.unwrap();
    let db: Arc<dyn Store> = Arc::new(t.db.clone());
    let now = jiff::Timestamp::now();
    {
        let mut tx = db.write().await.unwrap();
        tx.master_insert(&region("DROPPED"), now).await.unwrap();
        // Dropped uncommitted, and no other request follows on this node.
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Another process (here: a second, independent connection) can write at
    // once instead of waiting for a lock nobody releases.
    let other = kaidan_store::Db::connect(&t.url, &Default::default())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut tx = other.write().await.unwrap();
    tx.master_insert(&region("OTHER"), now).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "waited {:?} for the write lock",
        started.elapsed()
    );
    assert_eq!(codes(&other).await, vec!["OTHER".to_string()]);
    other.close().await;
    t.db.close().await;
}

/// A bulk transaction (an allocation run) is a transaction of its own on
/// SQLite: committed, it is kept with the grouped units around it; failed
/// or dropped, it leaves nothing and the writer goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_transactions_mix_with_grouped_units() {
    for backend in backends() {
        let t = fresh(backend).await.unwrap();
        let db: Arc<dyn Store> = Arc::new(t.db.clone());
        let now = jiff::Timestamp::now();
        let mut tasks = Vec::new();
        for i in 0..30 {
            let db = Arc::clone(&db);
            tasks.push(tokio::spawn(async move {
                let bulk = i % 2 == 0;
                let mut tx = if bulk {
                    db.write_bulk().await?
                } else {
                    db.write().await?
                };
                tx.master_insert(&region(&format!("B{i:03}")), now).await?;
                match i % 5 {
                    // Dropped after a unique rule broke (bulk or not).
                    1 | 2 => {
                        let again = tx.master_insert(&region(&format!("B{i:03}")), now).await;
                        assert!(
                            matches!(again, Err(StoreError::Duplicate { .. })),
                            "{again:?}"
                        );
                        drop(tx);
                        Ok(false)
                    }
                    // Abandoned.
                    3 => {
                        drop(tx);
                        Ok(false)
                    }
                    _ => tx.commit().await.map(|()| true),
                }
            }));
        }
        let expected = kept(tasks, "B").await;
        assert_eq!(expected.len(), 12, "{backend}");
        assert_durable(t, db.as_ref(), &expected, backend).await;
    }
}

/// ADR 0032: SQLite's COMMIT writes the WAL without waiting for the disk;
/// a unit is answered only after a flush of the WAL that began once its
/// batch was committed. So every acknowledged unit, grouped or bulk, has
/// seen a flush end between its start and its answer, and there are never
/// fewer flushes than COMMITs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_answers_a_unit_only_after_the_wal_is_flushed() {
    let t = fresh("sqlite").await.unwrap();
    let db: Arc<dyn Store> = Arc::new(t.db.clone());
    let now = jiff::Timestamp::now();
    for bulk in [false, true] {
        let before = t.db.writer_busy().unwrap();
        let mut tx = if bulk {
            db.write_bulk().await.unwrap()
        } else {
            db.write().await.unwrap()
        };
        tx.master_insert(&region(&format!("F{bulk}")), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let after = t.db.writer_busy().unwrap();
        assert!(after.commits > before.commits, "bulk {bulk}");
        assert!(
            after.flushes > before.flushes,
            "bulk {bulk}: answered before the WAL was flushed ({before:?} → {after:?})"
        );
    }
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            let mut tx = db.write().await?;
            tx.master_insert(&region(&format!("G{i:03}")), now).await?;
            tx.commit().await.map(|()| true)
        }));
    }
    let expected = kept(tasks, "G").await;
    assert_eq!(expected.len(), 40);
    let busy = t.db.writer_busy().unwrap();
    assert!(
        busy.flushes >= busy.commits,
        "fewer flushes than COMMITs: {busy:?}"
    );
    let mut all = expected;
    all.extend(["Ffalse".to_string(), "Ftrue".to_string()]);
    all.sort();
    assert_durable(t, db.as_ref(), &all, "sqlite").await;
}
