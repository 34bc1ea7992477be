//! Where an order's deadlines stand now (ORD-6), for the watch list and the
//! order pages. The due times are the ones stored when the order arrived;
//! when a deadline becomes "due soon" is counted on today's business
//! calendar, in working days for the ship deadline, by the domain rule
//! (`order_deadlines`), not approximated in hours. A decided deadline shows
//! its record, met or missed.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kaidan_domain::calendar::BusinessCalendar;
use kaidan_domain::orders::{
    Deadline, DeadlineKind, DeadlinePolicy, DeadlineState, OrderStatus, WorkKey, company_time_zone,
    order_deadlines,
};
use kaidan_domain::{Permission, Role};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::OrderRow;

/// Orders whose review is still open.
pub const IN_REVIEW: [OrderStatus; 5] = OrderStatus::IN_REVIEW;

/// What the states are computed from: the stored facts of one order.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineFacts {
    pub status: OrderStatus,
    pub received_at: Timestamp,
    pub review_due_at: Timestamp,
    pub ship_due_at: Timestamp,
    pub review_met: Option<bool>,
    pub ship_met: Option<bool>,
}

impl DeadlineFacts {
    pub fn of(row: &OrderRow) -> DeadlineFacts {
        DeadlineFacts {
            status: row.status,
            received_at: row.received_at,
            review_due_at: row.review_due_at,
            ship_due_at: row.ship_due_at,
            review_met: row.review_met,
            ship_met: row.ship_met,
        }
    }
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

/// The watch list (ORD-6): orders whose review, and orders whose shipment,
/// is due soon or overdue (or, asked for all, still open), each list
/// important orders first, then by due time (ORD-8, `WorkKey`).
#[derive(Debug, Clone)]
pub struct WatchList {
    pub watch: DeadlineWatch,
    pub review: Vec<OrderRow>,
    pub ship: Vec<OrderRow>,
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

    /// The watch list: orders in review by their review deadline, orders
    /// awaiting goods (approved or partly shipped: the rest is still to
    /// ship) by their ship deadline; `all` keeps those not yet near their
    /// end too. Portal users see their own customer's orders only.
    pub async fn deadline_watch_list(&self, ctx: &Ctx, all: bool) -> AppResult<WatchList> {
        ctx.require(Permission::OrderRead)?;
        let watch = self.deadline_watch().await?;
        let own = ctx
            .actor
            .has_role(Role::Customer)
            .then_some(ctx.actor.customer_id);
        let wanted = |s: Option<DeadlineState>| match s {
            Some(DeadlineState::DueSoon | DeadlineState::Overdue) => true,
            Some(DeadlineState::Pending) => all,
            _ => false,
        };
        let mut tx = self.store.read().await?;
        let limit = self.config.max_page;
        let in_review: &'static [OrderStatus] = &IN_REVIEW;
        let mut lists = Vec::with_capacity(2);
        for (kind, statuses) in [
            (DeadlineKind::Review, in_review),
            (DeadlineKind::Ship, OrderStatus::AWAITING_GOODS),
        ] {
            let mut rows: Vec<(WorkKey, OrderRow)> = tx
                .deadline_open_orders(statuses, kind, limit)
                .await?
                .into_iter()
                .filter(|r| own.is_none_or(|c| c == Some(r.customer_id)))
                .filter(|r| {
                    let states = watch.states(&DeadlineFacts::of(r));
                    wanted(match kind {
                        DeadlineKind::Review => states.review,
                        DeadlineKind::Ship => states.ship,
                    })
                })
                .map(|r| {
                    let due_at = match kind {
                        DeadlineKind::Review => r.review_due_at,
                        DeadlineKind::Ship => r.ship_due_at,
                    };
                    let key = WorkKey {
                        important: r.document.priority,
                        due_at,
                        received_at: r.received_at,
                        order: r.id,
                    };
                    (key, r)
                })
                .collect();
            rows.sort_by_key(|r| r.0);
            lists.push(rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>());
        }
        let ship = lists.pop().unwrap_or_default();
        let review = lists.pop().unwrap_or_default();
        Ok(WatchList {
            watch,
            review,
            ship,
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
        let decided = |met: bool| {
            if met {
                DeadlineState::Met
            } else {
                DeadlineState::Missed
            }
        };
        let in_review = IN_REVIEW.contains(&o.status);
        let review = match o.review_met {
            Some(met) => Some(decided(met)),
            None if in_review => Some(open(
                DeadlineKind::Review,
                o.review_due_at,
                rule.review.warn_from,
            )),
            None => None,
        };
        // A partly shipped order still has its rest to ship: its deadline
        // stays open until the last line ships.
        let ship = match o.ship_met {
            Some(met) => Some(decided(met)),
            None if in_review || o.status.awaits_goods() => {
                Some(open(DeadlineKind::Ship, o.ship_due_at, rule.ship.warn_from))
            }
            None => None,
        };
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
            ship_met: None,
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
        // A partly shipped order still has goods to ship: its deadline
        // stays open; once the rest shipped, the record decides.
        let partly = DeadlineFacts {
            status: OrderStatus::PartlyShipped,
            ..facts
        };
        assert_eq!(
            watch(at(date(2026, 9, 29), 8)).states(&partly).ship,
            Some(DeadlineState::Overdue)
        );
        let shipped_late = DeadlineFacts {
            status: OrderStatus::Shipped,
            ship_met: Some(false),
            ..facts
        };
        assert_eq!(
            watch(at(date(2026, 9, 24), 8)).states(&shipped_late).ship,
            Some(DeadlineState::Missed)
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
