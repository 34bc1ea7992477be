//! ORD-6: review within 4 hours, ship within 3 working days, on the business
//! calendar in the company's time zone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use kaidan_domain::calendar::{BusinessCalendar, CalendarDay, DayKind};
use kaidan_domain::orders::{
    Deadline, DeadlineKind, DeadlinePolicy, DeadlineState, OrderDeadlines, company_time_zone,
    order_deadlines,
};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// 2026: Oct 1–7 off; Sat Sep 26 and Sat Oct 10 are make-up working days.
fn national_day() -> BusinessCalendar {
    let mut days: Vec<CalendarDay> = (1..=7)
        .map(|d| CalendarDay::new(date(2026, 10, d), DayKind::Holiday, "国庆节"))
        .collect();
    for d in [date(2026, 9, 26), date(2026, 10, 10)] {
        days.push(CalendarDay::new(d, DayKind::Workday, "国庆调休"));
    }
    BusinessCalendar::new(days)
}

fn tz() -> TimeZone {
    company_time_zone()
}

/// The deadlines of an order received at `received`, on the national-day
/// calendar under the default policy.
fn on_national_day_calendar(received: &str) -> OrderDeadlines {
    order_deadlines(
        ts(received),
        &tz(),
        &national_day(),
        &DeadlinePolicy::default(),
    )
}

/// A deadline due at `due_at` that warns from `warn_from`: while open it is
/// pending, then due soon, then overdue at the three moments given.
fn assert_window(
    d: &Deadline,
    due_at: &str,
    warn_from: &str,
    [pending, due_soon, overdue]: [&str; 3],
) {
    assert_eq!(d.due_at, ts(due_at));
    assert_eq!(d.warn_from, ts(warn_from));
    assert_eq!(d.state(None, ts(pending)), DeadlineState::Pending);
    assert_eq!(d.state(None, ts(due_soon)), DeadlineState::DueSoon);
    assert_eq!(d.state(None, ts(overdue)), DeadlineState::Overdue);
}

#[test]
fn ord_6_company_time_zone_is_china_standard_time() {
    let z = ts("2026-07-01T00:00:00Z").to_zoned(tz());
    assert_eq!(z.offset(), jiff::tz::offset(8));
}

#[test]
fn ord_6_review_due_four_hours_after_receipt() {
    let d = on_national_day_calendar("2026-11-20T09:30:00+08:00");
    assert_eq!(d.review.kind, DeadlineKind::Review);
    assert_window(
        &d.review,
        "2026-11-20T13:30:00+08:00",
        "2026-11-20T12:30:00+08:00",
        [
            "2026-11-20T10:00:00+08:00",
            "2026-11-20T12:45:00+08:00",
            "2026-11-20T13:31:00+08:00",
        ],
    );
    let r = &d.review;
    let on_time = ts("2026-11-20T13:30:00+08:00");
    assert_eq!(r.state(Some(on_time), on_time), DeadlineState::Met);
    let rec = r.record(on_time);
    assert!(rec.met);
    assert_eq!(rec.late_minutes, 0);
    let late = r.record(ts("2026-11-20T14:00:01+08:00"));
    assert!(!late.met);
    assert_eq!(late.late_minutes, 31);
}

#[test]
fn ord_6_ship_due_skips_national_day() {
    // Received Tue Sep 29: Wed 30 (1), Oct 1–7 off, Thu 8 (2), Fri 9 (3).
    let d = on_national_day_calendar("2026-09-29T10:00:00+08:00");
    assert_eq!(d.ship.due_date, date(2026, 10, 9));
    // Due soon from the start of the last working day.
    assert_window(
        &d.ship,
        "2026-10-09T23:59:59.999999999+08:00",
        "2026-10-09T00:00:00+08:00",
        [
            "2026-10-08T18:00:00+08:00",
            "2026-10-09T08:00:00+08:00",
            "2026-10-10T00:00:00+08:00",
        ],
    );
    let s = &d.ship;
    assert!(s.record(ts("2026-10-09T23:59:00+08:00")).met);
    assert!(!s.record(ts("2026-10-10T09:00:00+08:00")).met);
}

#[test]
fn ord_6_ship_due_counts_make_up_saturday() {
    // Received Fri Oct 9: Sat Oct 10 is a make-up day (1), Mon 12 (2), Tue 13 (3).
    let d = on_national_day_calendar("2026-10-09T16:00:00+08:00");
    assert_eq!(d.ship.due_date, date(2026, 10, 13));
}

#[test]
fn ord_6_receipt_date_is_the_local_date_not_utc() {
    // 17:00 UTC Thursday is 01:00 Friday in Shanghai: counting starts Friday.
    let received = ts("2026-11-19T17:00:00Z");
    let d = order_deadlines(
        received,
        &tz(),
        &BusinessCalendar::default(),
        &DeadlinePolicy::default(),
    );
    assert_eq!(d.ship.due_date, date(2026, 11, 25)); // Mon 23, Tue 24, Wed 25
    let utc = order_deadlines(
        received,
        &TimeZone::UTC,
        &BusinessCalendar::default(),
        &DeadlinePolicy::default(),
    );
    assert_eq!(utc.ship.due_date, date(2026, 11, 24));
}

#[test]
fn ord_6_order_received_on_a_weekend_counts_from_the_next_working_day() {
    let received = ts("2026-11-21T10:00:00+08:00"); // Saturday
    let d = order_deadlines(
        received,
        &tz(),
        &BusinessCalendar::default(),
        &DeadlinePolicy::default(),
    );
    assert_eq!(d.ship.due_date, date(2026, 11, 25));
    // The review clock runs on elapsed hours, weekend or not.
    assert_eq!(d.review.due_at, ts("2026-11-21T14:00:00+08:00"));
}

#[test]
fn ord_6_policy_is_data() {
    let policy = DeadlinePolicy {
        review_hours: 2,
        ship_working_days: 5,
        review_warn_minutes: 30,
        ship_warn_working_days: 2,
    };
    let received = ts("2026-09-29T10:00:00+08:00");
    let d = order_deadlines(received, &tz(), &national_day(), &policy);
    assert_eq!(d.review.due_at, ts("2026-09-29T12:00:00+08:00"));
    assert_eq!(d.review.warn_from, ts("2026-09-29T11:30:00+08:00"));
    // Wed 30, Thu Oct 8, Fri 9, Sat 10 (make-up), Mon 12.
    assert_eq!(d.ship.due_date, date(2026, 10, 12));
    // Two working days: warn from the start of Sat Oct 10.
    assert_eq!(d.ship.warn_from, ts("2026-10-10T00:00:00+08:00"));
    let json = serde_json::to_value(DeadlinePolicy::default()).unwrap();
    assert_eq!(json["review_hours"], 4);
    assert_eq!(json["ship_working_days"], 3);
}
