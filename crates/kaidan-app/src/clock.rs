use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// Where "now" comes from, so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that runs with real time, shifted by a number of seconds
/// (`clock.0.store(seconds, Ordering::SeqCst)`; negative is the past).
/// Tests move it to reach deadlines; the demo walks its months of history
/// on it.
#[derive(Debug, Default)]
pub struct MovableClock(pub AtomicI64);

impl MovableClock {
    /// Moves the clock so that it reads `at` now (to the second).
    pub fn set(&self, at: Timestamp) {
        let shift = at.duration_since(Timestamp::now()).as_secs();
        self.0.store(shift, Ordering::SeqCst);
    }
}

impl Clock for MovableClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .saturating_add(SignedDuration::from_secs(self.0.load(Ordering::SeqCst)))
            .unwrap_or(Timestamp::MAX)
    }
}
