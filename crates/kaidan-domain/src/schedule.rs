//! The scheduled jobs' schedule: how often a job runs and whether it is
//! paused. It is data shared by every node (issue 24), so its bounds are
//! checked here once, whoever sets it (API, page, command line).

use jiff::{SignedDuration, Timestamp};

use crate::validation::ValidationErrors;

/// The shortest interval: one second (tests and a busy day's allocation
/// lock expiry; a node looks for due jobs once a tick anyway).
pub const MIN_INTERVAL_SECONDS: i64 = 1;
/// The longest interval: a leap year.
pub const MAX_INTERVAL_SECONDS: i64 = 366 * 24 * 3600;

/// A change of one job's schedule; what is absent stays as it is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleChange {
    /// Seconds between runs, 1 to 31,622,400 (366 days).
    pub interval_seconds: Option<i64>,
    /// A paused job is run by no node on schedule; "run now" still runs it.
    pub paused: Option<bool>,
}

impl ScheduleChange {
    /// Checks the bounds, naming the field; a change of nothing is an error
    /// too, so that a typo in a field name is not a silent success.
    pub fn check(self) -> Result<ScheduleChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Some(i) = self.interval_seconds
            && !(MIN_INTERVAL_SECONDS..=MAX_INTERVAL_SECONDS).contains(&i)
        {
            e.add(
                "interval_seconds",
                "out_of_range",
                format!(
                    "{i} is outside {MIN_INTERVAL_SECONDS}..={MAX_INTERVAL_SECONDS} seconds (one second to 366 days)"
                ),
            );
        }
        if self.interval_seconds.is_none() && self.paused.is_none() {
            e.add(
                "interval_seconds",
                "required",
                "give interval_seconds, paused, or both",
            );
        }
        e.into_result(self)
    }
}

/// When a job whose interval changed is next due: its last run plus the
/// new interval (so a shorter interval takes effect at once rather than
/// after the next run), or, never run, no later than it was.
pub fn next_run_after_change(
    last_run: Option<Timestamp>,
    next_run: Timestamp,
    interval_seconds: i64,
) -> Timestamp {
    match last_run {
        // Past the largest timestamp (a run near year 9999 and a year's
        // interval): the largest, never due again, rather than an error.
        Some(last) => last
            .checked_add(SignedDuration::from_secs(interval_seconds))
            .unwrap_or(Timestamp::MAX),
        None => next_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_and_named() {
        let ok = ScheduleChange {
            interval_seconds: Some(60),
            paused: None,
        };
        assert_eq!(ok.check().unwrap(), ok);
        for bad in [0, -5, MAX_INTERVAL_SECONDS + 1, i64::MAX] {
            let e = ScheduleChange {
                interval_seconds: Some(bad),
                paused: Some(true),
            }
            .check()
            .unwrap_err();
            assert_eq!(e.errors[0].field, "interval_seconds");
            assert_eq!(e.errors[0].code, "out_of_range");
        }
        assert!(ScheduleChange::default().check().is_err());
        assert!(
            ScheduleChange {
                interval_seconds: None,
                paused: Some(false)
            }
            .check()
            .is_ok()
        );
    }

    #[test]
    fn a_changed_interval_counts_from_the_last_run() {
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        assert_eq!(next_run_after_change(Some(at(1)), at(99), 5), at(6));
        assert_eq!(next_run_after_change(None, at(7), 5), at(7));
        assert_eq!(
            next_run_after_change(Some(Timestamp::MAX), at(0), MAX_INTERVAL_SECONDS),
            Timestamp::MAX
        );
    }
}
