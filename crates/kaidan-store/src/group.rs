//! Group commit for SQLite (DESIGN: "several requests share one durable
//! commit").
//!
//! SQLite has one writer, and with `synchronous=FULL` every COMMIT waits for
//! the disk. Giving each request its own COMMIT caps the writer at the
//! disk's flush rate. Here each request's write transaction is a *unit*: a
//! `SAVEPOINT` inside one open outer transaction on the single writer
//! connection. A unit that fails rolls back to its savepoint and leaves the
//! others untouched; a unit that succeeds releases its savepoint and waits.
//! The first unit that waits spawns the *leader*, which queues for the
//! writer behind every unit already waiting (the lock is FIFO), then makes
//! one COMMIT for all of them and tells each the result. Nothing is
//! acknowledged before the COMMIT that holds it is on disk; if that COMMIT
//! fails, every unit in it is told so.
//!
//! The COMMIT itself does not wait for the disk (`synchronous=NORMAL`):
//! the leader commits, lets the next batch have the writer, and only then
//! flushes the WAL (`fdatasync`) and answers its units (ADR 0032). The
//! disk's wait, more than a quarter of the writer's time at full load,
//! overlaps the next batch's work instead of stopping it. Frames reach the
//! WAL in commit order and recovery keeps a prefix of them, so a flush
//! that ends after a COMMIT covers that COMMIT and every one before it.
//!
//! A unit that is dropped without committing (an error, a cancelled request)
//! leaves its savepoint open; whoever takes the writer next rolls it back
//! first, so the batch never carries half of a unit.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kaidan_app::ports::StoreError;
use sqlx::sqlite::SqliteConnection;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use crate::error::map;
use crate::lite::batch;

/// How long a request waits for the writer before it is told the database
/// is busy (the same bound the writer pool had).
const WRITER_WAIT: Duration = Duration::from_secs(60);

/// The writer connection and the batch being built on it.
#[derive(Debug)]
pub(crate) struct Writer {
    /// Every write runs here (lite.rs).
    conn: Option<rusqlite::Connection>,
    /// A second connection to the same file for the migrator and backups
    /// (sqlx's), used only while no batch is open (`exclusive`).
    maint: Option<SqliteConnection>,
    /// `BEGIN` has been issued and the batch's COMMIT not yet.
    open: bool,
    /// A unit's savepoint is open: its unit holds the lock, or was dropped
    /// without committing and must be rolled back.
    unit_open: bool,
    /// The open transaction belongs to one solo unit (no savepoint): it
    /// holds the lock, or was dropped and the transaction must be undone.
    solo: bool,
    /// A leader has been spawned and will commit the batch.
    leader: bool,
    /// Units that released their savepoint and wait for the COMMIT.
    waiters: Vec<oneshot::Sender<Result<(), StoreError>>>,
    /// Told after every COMMIT: the checkpointer moves the WAL into the
    /// database file in the background.
    committed: Arc<Notify>,
    /// The WAL file, flushed after each COMMIT (ADR 0032).
    wal: Arc<PathBuf>,
    stats: Arc<WriterStats>,
}

/// The units of a committed batch, to be answered once the WAL that holds
/// their COMMIT is on disk.
#[must_use = "the units are answered only after the flush"]
struct Committed {
    wal: Arc<PathBuf>,
    waiters: Vec<oneshot::Sender<Result<(), StoreError>>>,
    stats: Arc<WriterStats>,
}

impl Committed {
    /// Flushes the WAL and tells each unit the outcome. A failed flush
    /// leaves it unknown whether the batch is on disk, and says so.
    fn flush_and_tell(self) {
        let flushed = flush_wal(&self.wal, &self.stats);
        self.tell(flushed);
    }

    /// The same on a blocking thread, so the async threads go on meanwhile.
    async fn flush_and_tell_off_thread(self) {
        let flushed = flush_off_thread(Arc::clone(&self.wal), Arc::clone(&self.stats)).await;
        self.tell(flushed);
    }

    fn tell(self, flushed: Result<(), StoreError>) {
        let why = flushed.err().map(|e| match e {
            StoreError::Unavailable(why) => why,
            other => other.to_string(),
        });
        for w in self.waiters {
            let _ = w.send(match &why {
                None => Ok(()),
                Some(why) => Err(StoreError::Unavailable(why.clone())),
            });
        }
    }
}

/// `flush_wal` on a blocking thread. If that thread ends without an answer
/// (the runtime is shutting down), the commit is not known to be on disk.
async fn flush_off_thread(wal: Arc<PathBuf>, stats: Arc<WriterStats>) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(move || flush_wal(&wal, &stats))
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Unavailable(format!(
                "flushing the write-ahead log did not finish ({e}); the transaction may not be saved"
            )))
        })
}

/// `fdatasync` of the WAL: everything committed before this call is on
/// disk once it returns.
fn flush_wal(wal: &Path, stats: &WriterStats) -> Result<(), StoreError> {
    let started = Instant::now();
    let flushed = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(wal)
        .and_then(|f| f.sync_data());
    stats.flushes.fetch_add(1, Ordering::Relaxed);
    stats
        .flush_us
        .fetch_add(micros_since(started), Ordering::Relaxed);
    flushed.map_err(|e| {
        StoreError::Unavailable(format!(
            "flushing the write-ahead log {} failed ({e}); the transaction may not be saved",
            wal.display()
        ))
    })
}

/// The single SQLite writer, shared by every request of this process.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    state: Arc<Mutex<Writer>>,
    checkpointer: Arc<Checkpointer>,
    stats: Arc<WriterStats>,
}

/// How busy the writer has been since it opened: what limits SQLite's
/// write throughput is the time units hold it and the COMMITs' disk waits
/// (`kaidan bench intake` prints them, PERFORMANCE.md).
#[derive(Debug, Default)]
pub(crate) struct WriterStats {
    units: AtomicU64,
    held_us: AtomicU64,
    commits: AtomicU64,
    commit_us: AtomicU64,
    flushes: AtomicU64,
    flush_us: AtomicU64,
}

/// A reading of `WriterStats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterBusy {
    /// Write transactions (units) that held the writer.
    pub units: u64,
    /// Time they held it in all, COMMITs not included.
    pub held: Duration,
    pub commits: u64,
    /// Time the COMMITs took in all (writing the WAL, not waiting for it).
    pub commit: Duration,
    /// WAL flushes after COMMITs, and the time they took in all: the
    /// disk's wait, off the writer (ADR 0032).
    pub flushes: u64,
    pub flush: Duration,
}

fn micros_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl WriterStats {
    fn held(&self, since: Instant) {
        self.units.fetch_add(1, Ordering::Relaxed);
        self.held_us
            .fetch_add(micros_since(since), Ordering::Relaxed);
    }

    pub(crate) fn read(&self) -> WriterBusy {
        WriterBusy {
            units: self.units.load(Ordering::Relaxed),
            held: Duration::from_micros(self.held_us.load(Ordering::Relaxed)),
            commits: self.commits.load(Ordering::Relaxed),
            commit: Duration::from_micros(self.commit_us.load(Ordering::Relaxed)),
            flushes: self.flushes.load(Ordering::Relaxed),
            flush: Duration::from_micros(self.flush_us.load(Ordering::Relaxed)),
        }
    }
}

/// Copies the WAL into the database file after commits, on a connection of
/// its own, so that no request waits for it. The writer has SQLite's
/// automatic checkpoint turned off: it would run inside whichever COMMIT
/// crossed the WAL's size limit, and after a large allocation run copy a
/// gigabyte before that run could answer. A PASSIVE checkpoint never blocks
/// the writer or readers; SQLite reuses the WAL from its start once a
/// checkpoint has caught up.
#[derive(Debug)]
struct Checkpointer {
    committed: Arc<Notify>,
    stop: std::sync::atomic::AtomicBool,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Checkpointer {
    fn start(conn: SqliteConnection, committed: Arc<Notify>) -> Arc<Self> {
        let me = Arc::new(Checkpointer {
            committed,
            stop: std::sync::atomic::AtomicBool::new(false),
            task: std::sync::Mutex::new(None),
        });
        let task = {
            let me = Arc::clone(&me);
            tokio::spawn(async move {
                let mut conn = conn;
                loop {
                    me.committed.notified().await;
                    if me.stop.load(std::sync::atomic::Ordering::Acquire) {
                        break;
                    }
                    if let Err(e) = exec(&mut conn, "PRAGMA wal_checkpoint(PASSIVE)").await {
                        tracing::warn!(error = %e, "WAL checkpoint failed; retried after the next commit");
                    }
                }
                let _ = sqlx::Connection::close(conn).await;
            })
        };
        if let Ok(mut slot) = me.task.lock() {
            *slot = Some(task);
        }
        me
    }

    async fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        self.committed.notify_one();
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// One request's write transaction inside the current batch.
#[derive(Debug)]
pub(crate) struct Unit {
    /// When it took the writer.
    began: Instant,
    /// Taken by `commit`; still here when the unit is dropped uncommitted.
    guard: Option<OwnedMutexGuard<Writer>>,
    group: GroupCommit,
    /// A transaction of its own rather than a savepoint in the batch.
    solo: bool,
}

async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), StoreError> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(map)
}

/// How long BEGIN waits for another process (a CLI command, a second
/// node on the same file) to finish its write.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// `BEGIN IMMEDIATE`: takes SQLite's write lock now, so another process
/// waits at BEGIN, not in the middle of a unit. The writer connection has no
/// busy timeout of its own: SQLite's would sleep on this thread, and on a
/// one-thread runtime the process holding the lock might be this one's
/// other task. So a busy BEGIN is retried here, asleep between tries.
async fn begin_immediate(w: &mut Writer) -> Result<(), StoreError> {
    let deadline = tokio::time::Instant::now() + BUSY_WAIT;
    let mut pause = Duration::from_millis(1);
    loop {
        let begun = w.conn()?.execute_batch("BEGIN IMMEDIATE");
        match begun {
            Ok(()) => return Ok(()),
            Err(e) if crate::lite::is_busy(&e) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(crate::lite::map(e)),
        }
    }
}

/// COMMIT: writes the batch's frames to the WAL; it does not wait for the
/// disk (`synchronous=NORMAL`), the flush after it does (ADR 0032).
fn commit_now(conn: &rusqlite::Connection, stats: &WriterStats) -> Result<(), StoreError> {
    let started = Instant::now();
    let committed = batch(conn, "COMMIT");
    stats.commits.fetch_add(1, Ordering::Relaxed);
    stats
        .commit_us
        .fetch_add(micros_since(started), Ordering::Relaxed);
    committed
}

fn closed() -> StoreError {
    StoreError::Unavailable("the database is closed".into())
}

impl Writer {
    pub(crate) fn conn(&self) -> Result<&rusqlite::Connection, StoreError> {
        self.conn.as_ref().ok_or_else(closed)
    }

    /// The maintenance connection (migrations, backups); only with no
    /// batch open, which `GroupCommit::exclusive` ensures.
    pub(crate) fn maint(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        self.maint.as_mut().ok_or_else(closed)
    }

    /// Rolls back the savepoint of a unit that was dropped without
    /// committing.
    fn settle(&mut self) {
        if self.solo {
            // A solo unit dropped uncommitted: its transaction is its own.
            if let Ok(c) = self.conn() {
                let _ = batch(c, "ROLLBACK");
            }
            self.solo = false;
            self.open = false;
            return;
        }
        if !self.unit_open {
            return;
        }
        let undone = self
            .conn()
            .and_then(|c| batch(c, "ROLLBACK TO unit").and_then(|()| batch(c, "RELEASE unit")));
        match undone {
            Ok(()) => self.unit_open = false,
            Err(e) => self.abort(&e.to_string()),
        }
    }

    /// The outer transaction is broken: undo it and tell every waiting unit
    /// that its work was not saved.
    fn abort(&mut self, why: &str) {
        if let Ok(c) = self.conn() {
            // It may already be gone (SQLite undoes a transaction itself on
            // some I/O errors); either way nothing of it stays.
            let _ = batch(c, "ROLLBACK");
        }
        self.open = false;
        self.unit_open = false;
        self.solo = false;
        for w in self.waiters.drain(..) {
            let _ = w.send(Err(StoreError::Unavailable(format!(
                "the transaction was not saved: {why}"
            ))));
        }
    }

    /// Commits the batch; its units are told once the WAL is flushed (by
    /// the caller, after it let go of the writer). None when nothing was
    /// open, or when the COMMIT failed (the units are told that at once).
    fn commit_batch(&mut self) -> Option<Committed> {
        self.settle();
        if !self.open {
            return None;
        }
        let committed = self.conn().and_then(|c| commit_now(c, &self.stats));
        match committed {
            Ok(()) => {
                self.open = false;
                self.committed.notify_one();
                Some(Committed {
                    wal: Arc::clone(&self.wal),
                    waiters: std::mem::take(&mut self.waiters),
                    stats: Arc::clone(&self.stats),
                })
            }
            Err(e) => {
                self.abort(&e.to_string());
                None
            }
        }
    }

    /// Commits the batch and tells each waiting unit, flushing here: for
    /// the callers that keep the writer (bulk units, migrations, backups).
    fn finish(&mut self) {
        if let Some(done) = self.commit_batch() {
            if tokio::runtime::Handle::try_current()
                .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
            {
                tokio::task::block_in_place(|| done.flush_and_tell());
            } else {
                done.flush_and_tell();
            }
        }
    }
}

impl GroupCommit {
    /// `conn` writes (lite.rs; automatic checkpoints off); `maint` runs
    /// migrations and backups while no batch is open; `checkpoint` is a
    /// third read-write connection for the background checkpointer.
    pub(crate) fn new(
        conn: rusqlite::Connection,
        maint: SqliteConnection,
        checkpoint: SqliteConnection,
    ) -> Self {
        let committed = Arc::new(Notify::new());
        let stats = Arc::new(WriterStats::default());
        // SQLite's own name for it: the database file's with "-wal".
        let wal = Arc::new(PathBuf::from(format!("{}-wal", conn.path().unwrap_or(""))));
        GroupCommit {
            state: Arc::new(Mutex::new(Writer {
                wal,
                conn: Some(conn),
                maint: Some(maint),
                open: false,
                unit_open: false,
                solo: false,
                leader: false,
                waiters: Vec::new(),
                committed: Arc::clone(&committed),
                stats: Arc::clone(&stats),
            })),
            checkpointer: Checkpointer::start(checkpoint, committed),
            stats,
        }
    }

    async fn lock(&self) -> Result<OwnedMutexGuard<Writer>, StoreError> {
        tokio::time::timeout(WRITER_WAIT, Arc::clone(&self.state).lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable("the database writer stayed busy for 60 s".into()))
    }

    /// Starts a unit in the current batch (opening the batch if needed).
    pub(crate) async fn begin(&self) -> Result<Unit, StoreError> {
        let mut w = self.lock().await?;
        w.settle();
        if !w.open {
            begin_immediate(&mut w).await?;
            w.open = true;
        }
        if let Err(e) = batch(w.conn()?, "SAVEPOINT unit") {
            w.abort(&e.to_string());
            return Err(e);
        }
        w.unit_open = true;
        Ok(Unit {
            began: Instant::now(),
            guard: Some(w),
            group: self.clone(),
            solo: false,
        })
    }

    /// Starts a unit that is a transaction of its own, after committing
    /// the batch in progress: for bulk work such as an allocation run. A
    /// savepoint makes SQLite copy every page the unit changes into a
    /// sub-journal first; for a unit that changes a million rows that
    /// doubles its writes, and grouping gains nothing. Other units wait
    /// for it as they wait for any unit.
    pub(crate) async fn begin_solo(&self) -> Result<Unit, StoreError> {
        let mut w = self.lock().await?;
        w.finish();
        begin_immediate(&mut w).await?;
        w.open = true;
        w.solo = true;
        Ok(Unit {
            began: Instant::now(),
            guard: Some(w),
            group: self.clone(),
            solo: true,
        })
    }

    /// Settles and commits whatever is open, in a task of its own: after a
    /// unit was dropped uncommitted, nobody may come for a while, and an
    /// open transaction would keep SQLite's write lock from other processes
    /// (a `kaidan user add` next to a running server).
    fn finish_soon(&self) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let state = Arc::clone(&self.state);
            runtime.spawn(async move {
                state.lock_owned().await.finish();
            });
        }
    }

    /// The writer connection alone, with no batch open (migrations,
    /// backups). Any batch in progress is committed first.
    pub(crate) async fn exclusive(&self) -> Result<OwnedMutexGuard<Writer>, StoreError> {
        let mut w = self.lock().await?;
        w.finish();
        Ok(w)
    }

    pub(crate) fn busy(&self) -> WriterBusy {
        self.stats.read()
    }

    /// Commits what is pending and closes the connection; later units get
    /// "the database is closed".
    pub(crate) async fn close(&self) {
        self.checkpointer.stop().await;
        if let Ok(mut w) = self.exclusive().await {
            if let Some(maint) = w.maint.take() {
                let _ = sqlx::Connection::close(maint).await;
            }
            // The last connection to close checkpoints the WAL into the
            // file and removes it.
            if let Some(conn) = w.conn.take()
                && let Err((_, e)) = conn.close()
            {
                tracing::warn!(error = %e, "closing the SQLite writer failed");
            }
        }
    }
}

impl Unit {
    /// The writer connection, inside this unit's savepoint.
    pub(crate) fn lite(&self) -> Result<&rusqlite::Connection, StoreError> {
        self.guard.as_deref().ok_or_else(closed)?.conn()
    }

    /// Keeps this unit's work and returns once the COMMIT that holds it is
    /// on disk (or with the reason it is not).
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let mut guard = self.guard.take().ok_or_else(closed)?;
        if self.solo {
            self.group.stats.held(self.began);
            let committed = guard.conn().and_then(|c| commit_now(c, &guard.stats));
            match committed {
                Ok(()) => {
                    guard.open = false;
                    guard.solo = false;
                    guard.committed.notify_one();
                }
                Err(e) => {
                    guard.solo = false;
                    guard.abort(&e.to_string());
                    return Err(e);
                }
            }
            let (wal, stats) = (Arc::clone(&guard.wal), Arc::clone(&guard.stats));
            drop(guard);
            return flush_off_thread(wal, stats).await;
        }
        if let Err(e) = batch(guard.conn()?, "RELEASE unit") {
            guard.abort(&e.to_string());
            return Err(e);
        }
        guard.unit_open = false;
        self.group.stats.held(self.began);
        let (tell, told) = oneshot::channel();
        guard.waiters.push(tell);
        let lead = !guard.leader;
        guard.leader = true;
        drop(guard);
        if lead {
            // A task of its own, so a cancelled request cannot leave the
            // batch without anyone to commit it.
            let state = Arc::clone(&self.group.state);
            tokio::spawn(async move {
                let mut w = state.lock_owned().await;
                w.leader = false;
                let done = w.commit_batch();
                // The next batch starts while this one's flush waits.
                drop(w);
                if let Some(done) = done {
                    done.flush_and_tell_off_thread().await;
                }
            });
        }
        told.await.unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "the commit was abandoned; the transaction was not saved".into(),
            ))
        })
    }
}

impl Drop for Unit {
    fn drop(&mut self) {
        // Dropped uncommitted (an error, a cancelled request): release the
        // writer first, then have its savepoint rolled back and the batch
        // closed soon, whether or not another request comes.
        let Some(guard) = self.guard.take() else {
            return;
        };
        drop(guard);
        self.group.stats.held(self.began);
        self.group.finish_soon();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// ADR 0032: when the flush after a COMMIT fails, no unit of the batch
    /// is told it succeeded; each is told, once and plainly, that its write
    /// may not be saved (a 503 to the client).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_flush_tells_every_unit_its_write_may_not_be_saved() {
        let dir = tempfile::tempdir().unwrap();
        let stats = Arc::new(WriterStats::default());
        let (tells, answers): (Vec<_>, Vec<_>) = (0..3).map(|_| oneshot::channel()).unzip();
        Committed {
            wal: Arc::new(dir.path().join("gone.db-wal")),
            waiters: tells,
            stats: Arc::clone(&stats),
        }
        .flush_and_tell_off_thread()
        .await;
        for answer in answers {
            let told = answer.await.unwrap().unwrap_err();
            let text = told.to_string();
            assert!(matches!(told, StoreError::Unavailable(_)), "{told:?}");
            assert!(text.contains("may not be saved"), "{text}");
            assert_eq!(text.matches("database unavailable").count(), 1, "{text}");
        }
        assert_eq!(stats.read().flushes, 1);
    }
}
