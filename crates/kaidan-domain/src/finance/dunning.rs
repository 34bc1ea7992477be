//! Month-end dunning (催款, FIN-4): at the end of each month finance hands
//! a notice to the sales rep of every customer with overdue invoices
//! (seed 001: 月末主管接到财务部催款通知单后……由销售代表……通知客户). The
//! notice lists the customer's invoices overdue on the period's last day
//! and takes the level of the oldest: a reminder to the rep, then the
//! sales manager, then legal (configurable day thresholds, ADR 0022).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::{Role, string_enum};
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, UserId};

/// The earliest and latest year a period may name.
pub const MIN_PERIOD_YEAR: i16 = 2000;
pub const MAX_PERIOD_YEAR: i16 = 2100;
/// The largest day threshold of a dunning level (ten years).
pub const MAX_DUNNING_DAYS: u32 = 3650;
/// The most invoices one notice lists; the amount covers them all.
pub const MAX_NOTICE_INVOICES: usize = 200;

/// A calendar month, written `YYYY-MM`: the period of a dunning notice or a
/// statement of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i16,
    month: i8,
}

impl Period {
    /// The month of `year` and `month`, within [`MIN_PERIOD_YEAR`] ..=
    /// [`MAX_PERIOD_YEAR`].
    pub fn new(year: i16, month: i8) -> Option<Period> {
        ((MIN_PERIOD_YEAR..=MAX_PERIOD_YEAR).contains(&year) && (1..=12).contains(&month))
            .then_some(Period { year, month })
    }

    /// `YYYY-MM`; a refusal naming `field` otherwise.
    pub fn parse(field: &str, text: &str) -> Result<Period, ValidationErrors> {
        let t = text.trim();
        let bad = || {
            ValidationErrors::single(
                field,
                "invalid",
                format!("a month written YYYY-MM between {MIN_PERIOD_YEAR} and {MAX_PERIOD_YEAR}"),
            )
        };
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        Period::new(year, month).ok_or_else(bad)
    }

    /// The month `day` falls in (clamped to the allowed years).
    pub fn of(day: Date) -> Period {
        Period {
            year: day.year().clamp(MIN_PERIOD_YEAR, MAX_PERIOD_YEAR),
            month: day.month(),
        }
    }

    /// The month before.
    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period {
                year: (self.year - 1).max(MIN_PERIOD_YEAR),
                month: 12,
            }
        } else {
            Period {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    /// The day after the month: its documents are those before this day.
    pub fn end(self) -> Date {
        self.last_day().checked_add(1.day()).unwrap_or(Date::MAX)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Period {
    type Err = ValidationErrors;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse("period", s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        Period::parse("period", &t).map_err(|_| {
            serde::de::Error::custom(format!(
                "'{t}' is not a month written YYYY-MM between {MIN_PERIOD_YEAR} and {MAX_PERIOD_YEAR}"
            ))
        })
    }
}

string_enum!(
    /// How far a customer's oldest overdue invoice is past due.
    DunningLevel {
        /// A reminder: the sales rep reminds the customer.
        Reminder = "reminder",
        /// The sales manager takes it up with the rep.
        Manager = "manager",
        /// Legal is told (collection through the courts may follow).
        Legal = "legal",
    }
);

impl DunningLevel {
    pub fn label_zh(self) -> &'static str {
        match self {
            DunningLevel::Reminder => "提醒",
            DunningLevel::Manager => "主管催收",
            DunningLevel::Legal => "法务",
        }
    }

    /// Days the customer is given to pay from the day the dunning letter is
    /// printed: shorter as the debt gets older.
    pub fn pay_within_days(self) -> i16 {
        match self {
            DunningLevel::Reminder => 10,
            DunningLevel::Manager => 7,
            DunningLevel::Legal => 5,
        }
    }

    /// The day the dunning letter printed on `printed_on` asks payment by.
    pub fn pay_by(self, printed_on: Date) -> Date {
        printed_on
            .checked_add(i64::from(self.pay_within_days()).days())
            .unwrap_or(Date::MAX)
    }

    /// The roles a notice of this level goes to besides the customer's
    /// own sales rep: the sales manager from `manager` on, legal too at
    /// `legal` (each level escalates, it does not hand over).
    pub fn escalated_to(self) -> &'static [Role] {
        match self {
            DunningLevel::Reminder => &[],
            DunningLevel::Manager => &[Role::SalesManager],
            DunningLevel::Legal => &[Role::SalesManager, Role::Legal],
        }
    }

    /// The levels whose notices are given to one of `roles`: legal is
    /// given the legal-level ones even without reading invoices.
    pub fn escalated_to_any(roles: &[Role]) -> Vec<DunningLevel> {
        DunningLevel::ALL
            .iter()
            .copied()
            .filter(|l| l.escalated_to().iter().any(|r| roles.contains(r)))
            .collect()
    }
}

/// Days past due from which each level applies (`[finance.dunning]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DunningThresholds {
    /// An invoice this many days past due is overdue: a reminder (1).
    pub reminder: u32,
    /// From this many days the sales manager is told (31).
    pub manager: u32,
    /// From this many days legal is told (91).
    pub legal: u32,
}

impl Default for DunningThresholds {
    fn default() -> Self {
        DunningThresholds {
            reminder: 1,
            manager: 31,
            legal: 91,
        }
    }
}

impl DunningThresholds {
    /// Ascending, from at least one day, at most [`MAX_DUNNING_DAYS`].
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.reminder == 0 {
            e.add("finance.dunning.reminder", "out_of_range", "at least 1 day");
        }
        if self.manager <= self.reminder {
            e.add(
                "finance.dunning.manager",
                "invalid",
                "more days than the reminder's",
            );
        }
        if self.legal <= self.manager {
            e.add(
                "finance.dunning.legal",
                "invalid",
                "more days than the manager's",
            );
        }
        if self.legal > MAX_DUNNING_DAYS {
            e.add(
                "finance.dunning.legal",
                "out_of_range",
                format!("at most {MAX_DUNNING_DAYS} days"),
            );
        }
        e.into_result(())
    }

    /// The level of an invoice `days` past due; none when not yet overdue.
    pub fn level(&self, days: i64) -> Option<DunningLevel> {
        if days >= i64::from(self.legal) {
            Some(DunningLevel::Legal)
        } else if days >= i64::from(self.manager) {
            Some(DunningLevel::Manager)
        } else if days >= i64::from(self.reminder) {
            Some(DunningLevel::Reminder)
        } else {
            None
        }
    }
}

/// An invoice of a customer open on a day (amount less credit notes and
/// money matched by then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivableItem {
    pub invoice_id: i64,
    pub number: String,
    pub customer_id: CustomerId,
    /// The customer's sales rep.
    pub sales_rep_id: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub invoice_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: Date,
    pub open: Money,
}

/// One overdue invoice on a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeInvoice {
    pub invoice_id: i64,
    pub number: String,
    /// The invoice's date, printed on the dunning letter; notices raised
    /// before it was recorded have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub invoice_date: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: Date,
    pub open: Money,
    pub days_overdue: i64,
}

/// A dunning notice before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDraft {
    pub customer_id: CustomerId,
    pub period: Period,
    pub as_of: Date,
    pub level: DunningLevel,
    pub overdue: Money,
    pub oldest_days: i64,
    pub sales_rep_id: Option<UserId>,
    pub escalated_to: Vec<Role>,
    /// Oldest first, at most [`MAX_NOTICE_INVOICES`].
    pub invoices: Vec<NoticeInvoice>,
}

/// The notice of one customer for `period`: its invoices overdue (by the
/// reminder threshold) on the period's last day, with the level of the
/// oldest; none when nothing is overdue.
pub fn notice_of(
    customer: CustomerId,
    sales_rep: Option<UserId>,
    period: Period,
    items: &[ReceivableItem],
    thresholds: &DunningThresholds,
) -> Option<NoticeDraft> {
    let as_of = period.last_day();
    let mut overdue: Vec<NoticeInvoice> = items
        .iter()
        .filter(|i| i.customer_id == customer && i.open.is_positive() && i.invoice_date <= as_of)
        .filter_map(|i| {
            let days = i64::from((as_of - i.due_date).get_days());
            thresholds.level(days).map(|_| NoticeInvoice {
                invoice_id: i.invoice_id,
                number: i.number.clone(),
                invoice_date: Some(i.invoice_date),
                due_date: i.due_date,
                open: i.open,
                days_overdue: days,
            })
        })
        .collect();
    overdue.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.invoice_id.cmp(&b.invoice_id))
    });
    let oldest = overdue.first()?.days_overdue;
    let level = thresholds.level(oldest)?;
    let amount = overdue.iter().map(|i| i.open).sum();
    overdue.truncate(MAX_NOTICE_INVOICES);
    Some(NoticeDraft {
        customer_id: customer,
        period,
        as_of,
        level,
        overdue: amount,
        oldest_days: oldest,
        sales_rep_id: sales_rep,
        escalated_to: level.escalated_to().to_vec(),
        invoices: overdue,
    })
}

/// The period whose notices are due on `today`: the month before (its
/// month has ended on the 1st).
pub fn period_due(today: Date) -> Period {
    Period::of(today).previous()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn item(id: i64, due: Date, open: i64) -> ReceivableItem {
        ReceivableItem {
            invoice_id: id,
            number: format!("INV-{id}"),
            customer_id: CustomerId(1),
            sales_rep_id: None,
            invoice_date: date(2025, 1, 1),
            due_date: due,
            open: Money::yuan(open),
        }
    }

    #[test]
    fn fin_4_periods_parse_and_bound() {
        let p = Period::parse("period", "2026-03").unwrap();
        assert_eq!(p.to_string(), "2026-03");
        assert_eq!(p.first_day(), date(2026, 3, 1));
        assert_eq!(p.last_day(), date(2026, 3, 31));
        assert_eq!(p.end(), date(2026, 4, 1));
        assert_eq!(p.previous().to_string(), "2026-02");
        assert_eq!(
            Period::parse("p", "2026-01")
                .unwrap()
                .previous()
                .to_string(),
            "2025-12"
        );
        for bad in [
            "2026-13", "2026-00", "1999-12", "2101-01", "2026-3", "26-03", "x", "",
        ] {
            let e = Period::parse("period", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "period", "{bad}");
        }
        assert_eq!(period_due(date(2026, 4, 1)).to_string(), "2026-03");
        assert_eq!(period_due(date(2026, 1, 15)).to_string(), "2025-12");
    }

    #[test]
    fn fin_4_the_letter_gives_less_time_to_pay_as_the_level_rises() {
        let printed = date(2026, 12, 28);
        assert_eq!(DunningLevel::Reminder.pay_by(printed), date(2027, 1, 7));
        assert_eq!(DunningLevel::Manager.pay_by(printed), date(2027, 1, 4));
        assert_eq!(DunningLevel::Legal.pay_by(printed), date(2027, 1, 2));
        assert_eq!(DunningLevel::Legal.pay_by(Date::MAX), Date::MAX);
    }

    #[test]
    fn fin_4_levels_by_days_overdue() {
        let t = DunningThresholds::default();
        assert!(t.validate().is_ok());
        assert_eq!(t.level(0), None);
        assert_eq!(t.level(-5), None);
        assert_eq!(t.level(1), Some(DunningLevel::Reminder));
        assert_eq!(t.level(30), Some(DunningLevel::Reminder));
        assert_eq!(t.level(31), Some(DunningLevel::Manager));
        assert_eq!(t.level(90), Some(DunningLevel::Manager));
        assert_eq!(t.level(91), Some(DunningLevel::Legal));
        let bad = DunningThresholds {
            reminder: 0,
            manager: 0,
            legal: 5000,
        };
        let e = bad.validate().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"finance.dunning.reminder"), "{fields:?}");
        assert!(fields.contains(&"finance.dunning.manager"), "{fields:?}");
        assert!(fields.contains(&"finance.dunning.legal"), "{fields:?}");
    }

    #[test]
    fn fin_4_a_notice_takes_the_level_of_the_oldest_invoice() {
        let p = Period::parse("p", "2026-03").unwrap();
        let t = DunningThresholds::default();
        let items = vec![
            item(1, date(2026, 3, 20), 100), // 11 days
            item(2, date(2026, 1, 15), 50),  // 75 days
            item(3, date(2026, 3, 31), 70),  // due on the last day: not overdue
            item(4, date(2026, 4, 10), 80),  // not due
        ];
        let n = notice_of(CustomerId(1), Some(UserId(7)), p, &items, &t).unwrap();
        assert_eq!(n.level, DunningLevel::Manager);
        assert_eq!(n.oldest_days, 75);
        assert_eq!(n.overdue, Money::yuan(150));
        assert_eq!(
            n.invoices.iter().map(|i| i.invoice_id).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(n.escalated_to, [Role::SalesManager]);
        assert_eq!(n.sales_rep_id, Some(UserId(7)));
        assert_eq!(n.invoices[0].invoice_date, Some(date(2025, 1, 1)));

        let legal =
            notice_of(CustomerId(1), None, p, &[item(5, date(2025, 12, 1), 9)], &t).unwrap();
        assert_eq!(legal.level, DunningLevel::Legal);
        assert_eq!(legal.escalated_to, [Role::SalesManager, Role::Legal]);
        let reminder =
            notice_of(CustomerId(1), None, p, &[item(1, date(2026, 3, 30), 9)], &t).unwrap();
        assert_eq!(reminder.level, DunningLevel::Reminder);
        assert!(reminder.escalated_to.is_empty());
        // Nothing overdue, another customer's or paid: no notice.
        assert!(notice_of(CustomerId(1), None, p, &items[2..], &t).is_none());
        assert!(notice_of(CustomerId(2), None, p, &items, &t).is_none());
        assert!(notice_of(CustomerId(1), None, p, &[item(1, date(2026, 1, 1), 0)], &t).is_none());
        // Configured thresholds move the levels.
        let strict = DunningThresholds {
            reminder: 1,
            manager: 10,
            legal: 60,
        };
        assert_eq!(
            notice_of(CustomerId(1), None, p, &items, &strict)
                .unwrap()
                .level,
            DunningLevel::Legal
        );
    }
}
