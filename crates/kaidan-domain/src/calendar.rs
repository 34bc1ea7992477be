//! The business calendar: weekends off, public holidays off, and make-up
//! working days (调休) on weekends on. Deadlines in working days (ORD-6) are
//! counted on it.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;

string_enum!(
    /// An exception to the Monday–Friday week.
    DayKind {
        /// A public holiday: no work even on a weekday.
        Holiday = "holiday",
        /// A make-up working day (调休): work even on a weekend.
        Workday = "workday",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub kind: DayKind,
    /// e.g. 国庆节, 国庆调休.
    #[serde(default)]
    pub name: String,
}

impl CalendarDay {
    pub fn new(date: Date, kind: DayKind, name: impl Into<String>) -> Self {
        CalendarDay {
            date,
            kind,
            name: name.into(),
        }
    }

    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.trimmed("name", &self.name, 100);
        e.into_result(CalendarDay { name, ..self })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    exceptions: BTreeMap<Date, DayKind>,
}

impl BusinessCalendar {
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        BusinessCalendar {
            exceptions: days.into_iter().map(|d| (d.date, d.kind)).collect(),
        }
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        match self.exceptions.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The date that is `n` working days after `start` (not counting
    /// `start` itself). `n = 0` gives `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.tomorrow().unwrap_or(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The working day `n` working days before `date` (`n = 0`: `date`);
    /// stops at the first date there is.
    pub fn sub_working_days(&self, date: Date, n: u32) -> Date {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            match d.yesterday() {
                Ok(y) => d = y,
                Err(_) => break,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cn_2026_national_day() -> BusinessCalendar {
        // 2026 (State Council notice): Oct 1–7 off; Sun Sep 20 and Sat Oct 10
        // are make-up working days.
        let mut days: Vec<CalendarDay> = (1..=7)
            .map(|d| CalendarDay::new(date(2026, 10, d), DayKind::Holiday, "国庆节"))
            .collect();
        for d in [date(2026, 9, 20), date(2026, 10, 10)] {
            days.push(CalendarDay::new(d, DayKind::Workday, "国庆调休"));
        }
        BusinessCalendar::new(days)
    }

    #[test]
    fn ord_6_weekends_are_off_unless_make_up_day() {
        let cal = cn_2026_national_day();
        assert!(!cal.is_working_day(date(2026, 11, 21))); // Saturday
        assert!(cal.is_working_day(date(2026, 9, 20))); // make-up Sunday
        assert!(!cal.is_working_day(date(2026, 10, 1))); // holiday Thursday
    }

    #[test]
    fn ord_6_three_working_days_skip_holidays_and_count_make_up_days() {
        let cal = cn_2026_national_day();
        // Received Tue Sep 29: Wed 30 (1), holidays Oct 1-7, Thu Oct 8 (2), Fri Oct 9 (3).
        assert_eq!(
            cal.add_working_days(date(2026, 9, 29), 3),
            date(2026, 10, 9)
        );
        // Received Fri Oct 9: Sat Oct 10 is a make-up day (1), Mon 12 (2), Tue 13 (3).
        assert_eq!(
            cal.add_working_days(date(2026, 10, 9), 3),
            date(2026, 10, 13)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 10, 9), 0),
            date(2026, 10, 9)
        );
    }
}
