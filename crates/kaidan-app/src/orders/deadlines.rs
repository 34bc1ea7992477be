//! Where an order's deadlines stand now (ORD-6), for the watch list and the
//! order pages. The due times are the ones stored when the order arrived;
//! when a deadline becomes "due soon" is counted on today's business
//! calendar, in working days for the ship deadline, by the domain rule
//! (`order_deadlines`), not approximated in hours.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kaidan_domain::calendar::BusinessCalendar;
use kaidan_domain::orders::{
    Deadline, DeadlineKind, DeadlinePolicy, DeadlineState, OrderStatus, company_time_zone,
    order_deadlines,
};

use crate::app::App;
use crate::error::AppResult;

/// Orders whose review is still open.
pub const IN_REVIEW: [OrderStatus; 5] = [
    OrderStatus::Submitted,
    OrderStatus::InReview,
    OrderStatus::CreditHold,
    OrderStatus::FinanceReview,
    OrderStatus::JointReview,
];

/// What the states are computed from: the stored facts of one order.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineFacts {
    pub status: OrderStatus,
    pub received_at: Timestamp,
    pub review_due_at: Timestamp,
    pub ship_due_at: Timestamp,
    pub review_met: Option<bool>,
}

/// Each deadline's state, or `None` when it no longer applies (a rejected
/// order has no ship deadline to watch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineStates {
    pub review: Option<DeadlineState>,
    pub ship: Option<DeadlineState>,
}

/// The calendar, policy and moment the states are computed against.
#[derive(Debug, Clone)]
pub struct DeadlineWatch {
    calendar: BusinessCalendar,
    policy: DeadlinePolicy,
    tz: TimeZone,
    now: Timestamp,
}

impl App {
    pub async fn deadline_watch(&self) -> AppResult<DeadlineWatch> {
        Ok(DeadlineWatch {
            calendar: self.business_calendar().await?,
            policy: self.config.deadlines,
            tz: company_time_zone(),
            now: self.now(),
        })
    }
}

impl DeadlineWatch {
    pub fn states(&self, o: &DeadlineFacts) -> DeadlineStates {
        let rule = order_deadlines(o.received_at, &self.tz, &self.calendar, &self.policy);
        let open = |kind, due_at: Timestamp, warn_from: Timestamp| {
            Deadline {
                kind,
                due_at,
                due_date: due_at.to_zoned(self.tz.clone()).date(),
                warn_from: warn_from.min(due_at),
            }
            .state(None, self.now)
        };
        let in_review = IN_REVIEW.contains(&o.status);
        let review = match o.review_met {
            Some(true) => Some(DeadlineState::Met),
            Some(false) => Some(DeadlineState::Missed),
            None if in_review => Some(open(
                DeadlineKind::Review,
                o.review_due_at,
                rule.review.warn_from,
            )),
            None => None,
        };
        let ship = (in_review || o.status == OrderStatus::Approved)
            .then(|| open(DeadlineKind::Ship, o.ship_due_at, rule.ship.warn_from));
        DeadlineStates { review, ship }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;
    use kaidan_domain::calendar::{CalendarDay, DayKind};

    fn at(d: jiff::civil::Date, hour: i8) -> Timestamp {
        d.at(hour, 0, 0, 0)
            .to_zoned(company_time_zone())
            .unwrap()
            .timestamp()
    }

    #[test]
    fn ord_6_ship_warning_counts_working_days_across_a_holiday() {
        // Received Tuesday 2026-09-22; Friday 09-25 is a holiday, so three
        // working days end on Monday 09-28 (Wed 23, Thu 24, Mon 28). Warning
        // two working days ahead starts on Thursday morning, not 48 hours
        // before Monday night.
        let calendar = BusinessCalendar::new([CalendarDay::new(
            date(2026, 9, 25),
            DayKind::Holiday,
            "test holiday",
        )]);
        let received = at(date(2026, 9, 22), 10);
        let policy = DeadlinePolicy {
            ship_warn_working_days: 2,
            ..DeadlinePolicy::default()
        };
        let rule = order_deadlines(received, &company_time_zone(), &calendar, &policy);
        assert_eq!(rule.ship.due_date, date(2026, 9, 28));
        let facts = DeadlineFacts {
            status: OrderStatus::Approved,
            received_at: received,
            review_due_at: rule.review.due_at,
            ship_due_at: rule.ship.due_at,
            review_met: Some(true),
        };
        let watch = |now| DeadlineWatch {
            calendar: calendar.clone(),
            policy,
            tz: company_time_zone(),
            now,
        };
        let ship_at = |d, h| watch(at(d, h)).states(&facts).ship;
        assert_eq!(ship_at(date(2026, 9, 23), 23), Some(DeadlineState::Pending));
        assert_eq!(ship_at(date(2026, 9, 24), 8), Some(DeadlineState::DueSoon));
        // On the holiday, 60 hours before the end: still due soon.
        assert_eq!(ship_at(date(2026, 9, 25), 10), Some(DeadlineState::DueSoon));
        assert_eq!(ship_at(date(2026, 9, 29), 8), Some(DeadlineState::Overdue));
        assert_eq!(
            watch(at(date(2026, 9, 24), 8)).states(&facts).review,
            Some(DeadlineState::Met)
        );
        let rejected = DeadlineFacts {
            status: OrderStatus::Rejected,
            review_met: None,
            ..facts
        };
        assert_eq!(
            watch(at(date(2026, 9, 24), 8)).states(&rejected),
            DeadlineStates {
                review: None,
                ship: None
            }
        );
    }
}
