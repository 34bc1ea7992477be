//! Order deadlines (ORD-6, seed 003 §三): review, number and sign within 4
//! hours of receipt (elapsed clock hours); ship within 3 working days of
//! receipt, i.e. by the end of the 3rd working day after the local receipt
//! date on the business calendar (holidays and make-up days), in the
//! company's time zone. Each deadline is recorded met or missed; open ones
//! close to their end go on the watch list.
//!
//! A deadline is met when the work is completed at or before `due_at`.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::calendar::BusinessCalendar;

/// The company's time zone name (China Standard Time).
pub const COMPANY_TIME_ZONE: &str = "Asia/Shanghai";

/// Asia/Shanghai from the system's time-zone database, or a fixed UTC+8
/// (China has had no daylight saving time since 1991) where there is none.
pub fn company_time_zone() -> TimeZone {
    TimeZone::get(COMPANY_TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
}

/// Deadline lengths and warning margins; data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct DeadlinePolicy {
    /// Review, number and sign within this many hours of receipt.
    pub review_hours: u32,
    /// Ship within this many working days of receipt.
    pub ship_working_days: u32,
    /// An open review is "due soon" this many minutes before its deadline.
    pub review_warn_minutes: u32,
    /// An open shipment is "due soon" from the start of the working day this
    /// many working days before (1 = on the last working day itself).
    pub ship_warn_working_days: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            review_hours: 4,
            ship_working_days: 3,
            review_warn_minutes: 60,
            ship_warn_working_days: 1,
        }
    }
}

string_enum!(
    /// Which deadline.
    DeadlineKind {
        /// Review, number and sign (审核、生成、签字).
        Review = "review",
        Ship = "ship",
    }
);

string_enum!(
    /// Where a deadline stands.
    DeadlineState {
        /// Open, not yet close to its end.
        Pending = "pending",
        /// Open and close to its end: on the watch list.
        DueSoon = "due_soon",
        /// Open and past its end.
        Overdue = "overdue",
        /// Completed in time.
        Met = "met",
        /// Completed late.
        Missed = "missed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub kind: DeadlineKind,
    /// The last moment at which completing is still on time.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due_at: Timestamp,
    /// The local date of `due_at`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: Date,
    /// From this moment an open deadline is due soon.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub warn_from: Timestamp,
}

/// The recorded result of a deadline (ORD-6, KPI-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineRecord {
    pub kind: DeadlineKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub completed_at: Timestamp,
    pub met: bool,
    /// Minutes late, any part of a minute counted as one (0 when met).
    pub late_minutes: i64,
}

impl Deadline {
    pub fn state(&self, completed_at: Option<Timestamp>, now: Timestamp) -> DeadlineState {
        match completed_at {
            Some(t) if t <= self.due_at => DeadlineState::Met,
            Some(_) => DeadlineState::Missed,
            None if now > self.due_at => DeadlineState::Overdue,
            None if now >= self.warn_from => DeadlineState::DueSoon,
            None => DeadlineState::Pending,
        }
    }

    /// Met or missed, for the order's record.
    pub fn record(&self, completed_at: Timestamp) -> DeadlineRecord {
        DeadlineRecord::of(self.kind, self.due_at, completed_at)
    }
}

impl DeadlineRecord {
    /// The record of a deadline due at `due_at` whose work was completed at
    /// `completed_at`: met when not later than `due_at`.
    pub fn of(kind: DeadlineKind, due_at: Timestamp, completed_at: Timestamp) -> DeadlineRecord {
        let met = completed_at <= due_at;
        let late_minutes = if met {
            0
        } else {
            // Rounded up: less than a minute late is a minute late, so a
            // missed deadline never shows 0 minutes.
            let micros = completed_at.duration_since(due_at).as_micros();
            let minutes = (micros + 59_999_999) / 60_000_000;
            i64::try_from(minutes).unwrap_or(i64::MAX)
        };
        DeadlineRecord {
            kind,
            due_at,
            completed_at,
            met,
            late_minutes,
        }
    }
}

/// Both deadlines of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDeadlines {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    pub review: Deadline,
    pub ship: Deadline,
}

/// The deadlines of an order received at `received_at`.
pub fn order_deadlines(
    received_at: Timestamp,
    tz: &TimeZone,
    calendar: &BusinessCalendar,
    policy: &DeadlinePolicy,
) -> OrderDeadlines {
    let review_due = received_at
        .saturating_add(SignedDuration::from_hours(i64::from(policy.review_hours)))
        .unwrap_or(Timestamp::MAX);
    let review_warn = review_due
        .saturating_sub(SignedDuration::from_mins(i64::from(
            policy.review_warn_minutes,
        )))
        .unwrap_or(Timestamp::MIN)
        .max(received_at);
    let review = Deadline {
        kind: DeadlineKind::Review,
        due_at: review_due,
        due_date: review_due.to_zoned(tz.clone()).date(),
        warn_from: review_warn,
    };

    let received_date = received_at.to_zoned(tz.clone()).date();
    let ship_date = calendar.add_working_days(received_date, policy.ship_working_days);
    let ship_due = end_of_day(ship_date, tz);
    let ship_warn = if policy.ship_warn_working_days == 0 {
        ship_due
    } else {
        let first = calendar.sub_working_days(ship_date, policy.ship_warn_working_days - 1);
        start_of_day(first, tz).max(received_at)
    };
    let ship = Deadline {
        kind: DeadlineKind::Ship,
        due_at: ship_due,
        due_date: ship_date,
        warn_from: ship_warn,
    };
    OrderDeadlines {
        received_at,
        review,
        ship,
    }
}

fn start_of_day(d: Date, tz: &TimeZone) -> Timestamp {
    d.to_zoned(tz.clone())
        .and_then(|z| z.start_of_day())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}

fn end_of_day(d: Date, tz: &TimeZone) -> Timestamp {
    d.to_zoned(tz.clone())
        .and_then(|z| z.end_of_day())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}
