//! One month's score. Points are kept in tenths (87.5 points = 875) so
//! every step is an integer.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::access::string_enum;
use crate::calendar::BusinessCalendar;
use crate::validation::MAX_REASON;

/// Each of KPI-1 and KPI-2 is worth 30 points at 100%.
pub const RATE_POINTS: i64 = 30;
/// Each of the supervisor's four items is scored 0–10.
pub const ITEM_MAX: i64 = 10;
/// A complaint caused costs 5 points, at most 20 in a month.
pub const COMPLAINT_DEDUCTION: i64 = 5;
pub const MAX_COMPLAINT_DEDUCTION: i64 = 20;

string_enum!(
    /// 考核等级: 90 and above excellent, 60 and below failing.
    Grade {
        Excellent = "excellent",
        Pass = "pass",
        Failing = "failing",
    }
);

string_enum!(
    /// A draft is written and rewritten; a confirmed one is final.
    AssessmentStatus {
        Draft = "draft",
        Confirmed = "confirmed",
    }
);

impl Grade {
    /// The grade of a total in tenths.
    pub fn of(total_tenths: i64) -> Grade {
        if total_tenths >= 900 {
            Grade::Excellent
        } else if total_tenths <= 600 {
            Grade::Failing
        } else {
            Grade::Pass
        }
    }
}

/// What the records say of a clerk's month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComputedPart {
    /// Orders he entered in the month (KPI-1's denominator) and those
    /// without a correction caused by a processing error.
    pub orders: i64,
    pub accurate: i64,
    /// Orders whose deadlines were decided (KPI-2's denominator) and those
    /// that met both.
    pub timed: i64,
    pub on_time: i64,
    /// Complaints to the sales department about his orders.
    pub complaints: i64,
}

/// The supervisor's items (seed 000 四、工作规范 and 客户沟通), each 0–10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// 工作纪律: hours, discipline, confidentiality.
    pub discipline: i64,
    /// 沟通协作: with customers, the warehouse, logistics, colleagues.
    pub cooperation: i64,
    /// 单据与数据管理: documents, numbering, filing, data kept safe.
    pub documents: i64,
    /// 客户服务: answering customers, progress, feedback passed on.
    pub service: i64,
    #[serde(default)]
    pub remark: Option<String>,
    /// 整改计划: required to confirm a failing month.
    #[serde(default)]
    pub plan: Option<String>,
}

/// A month's score, each part in tenths of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub accuracy_tenths: i64,
    pub on_time_tenths: i64,
    pub deduction_tenths: i64,
    pub items_tenths: i64,
    pub total_tenths: i64,
    pub grade: Grade,
}

impl AssessmentInput {
    /// No item scored yet: the score of the records alone.
    pub fn unscored() -> Self {
        AssessmentInput {
            discipline: 0,
            cooperation: 0,
            documents: 0,
            service: 0,
            remark: None,
            plan: None,
        }
    }

    pub fn validate(mut self) -> Result<AssessmentInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        for (field, v) in [
            ("discipline", self.discipline),
            ("cooperation", self.cooperation),
            ("documents", self.documents),
            ("service", self.service),
        ] {
            if !(0..=ITEM_MAX).contains(&v) {
                e.add(
                    field,
                    "out_of_range",
                    format!("a score from 0 to {ITEM_MAX}"),
                );
            }
        }
        self.remark = e.optional_text("remark", self.remark.as_deref(), MAX_REASON);
        self.plan = e.optional_text("plan", self.plan.as_deref(), MAX_REASON);
        e.into_result(self)
    }

    fn items(&self) -> i64 {
        self.discipline + self.cooperation + self.documents + self.service
    }
}

/// `points × hits / of` in tenths, rounded half up; full points when
/// nothing was counted (nothing went wrong).
fn rate_tenths(hits: i64, of: i64) -> i64 {
    if of <= 0 {
        return RATE_POINTS * 10;
    }
    let hits = hits.clamp(0, of);
    (i128::from(RATE_POINTS * 10) * i128::from(hits) * 2 + i128::from(of))
        .checked_div(i128::from(of) * 2)
        .and_then(|v| i64::try_from(v).ok())
        .unwrap_or(0)
}

/// The month's score: KPI-1 and KPI-2 out of 30 each, less 5 a complaint
/// caused (at most 20), plus the four items out of 10 each; 0 to 100.
pub fn score(c: &ComputedPart, items: &AssessmentInput) -> Score {
    let accuracy_tenths = rate_tenths(c.accurate, c.orders);
    let on_time_tenths = rate_tenths(c.on_time, c.timed);
    let deduction_tenths =
        (c.complaints.max(0).saturating_mul(COMPLAINT_DEDUCTION)).min(MAX_COMPLAINT_DEDUCTION) * 10;
    let items_tenths = items.items().clamp(0, 4 * ITEM_MAX) * 10;
    let total_tenths =
        (accuracy_tenths + on_time_tenths - deduction_tenths + items_tenths).clamp(0, 1000);
    Score {
        accuracy_tenths,
        on_time_tenths,
        deduction_tenths,
        items_tenths,
        total_tenths,
        grade: Grade::of(total_tenths),
    }
}

/// The last day to assess `month` (its first day): the tenth working day
/// of the next month (月度考核于次月上旬进行).
pub fn due_day(calendar: &BusinessCalendar, first: Date) -> Date {
    let next = first
        .first_of_month()
        .last_of_month()
        .tomorrow()
        .unwrap_or(first);
    let opening = if calendar.is_working_day(next) {
        next
    } else {
        calendar.add_working_days(next, 1)
    };
    calendar.add_working_days(opening, 9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn items(d: i64, c: i64, doc: i64, s: i64) -> AssessmentInput {
        AssessmentInput {
            discipline: d,
            cooperation: c,
            documents: doc,
            service: s,
            remark: None,
            plan: None,
        }
    }

    /// Hand-computed (ADR 0044): 40 orders, 38 accurate (95% of 30 =
    /// 28.5); 36 timed, 33 on time (91.67% of 30 = 27.5); one complaint
    /// (−5); items 9 + 8 + 9 + 10 = 36. Total 87.0: pass.
    #[test]
    fn kpi_6_a_month_scores_its_parts() {
        let c = ComputedPart {
            orders: 40,
            accurate: 38,
            timed: 36,
            on_time: 33,
            complaints: 1,
        };
        let s = score(&c, &items(9, 8, 9, 10));
        assert_eq!(
            (
                s.accuracy_tenths,
                s.on_time_tenths,
                s.deduction_tenths,
                s.items_tenths
            ),
            (285, 275, 50, 360)
        );
        assert_eq!((s.total_tenths, s.grade), (870, Grade::Pass));
        // Full marks without complaints: excellent from 90.
        let c = ComputedPart { complaints: 0, ..c };
        assert_eq!(score(&c, &items(9, 8, 9, 10)).grade, Grade::Excellent);
        // Six complaints cost at most 20; a poor month fails at 60.
        let poor = ComputedPart {
            orders: 10,
            accurate: 5,
            timed: 10,
            on_time: 5,
            complaints: 6,
        };
        let s = score(&poor, &items(5, 5, 5, 5));
        assert_eq!(
            (s.total_tenths, s.deduction_tenths, s.grade),
            (300, 200, Grade::Failing)
        );
        assert_eq!(Grade::of(600), Grade::Failing);
        assert_eq!(Grade::of(601), Grade::Pass);
        assert_eq!(Grade::of(900), Grade::Excellent);
        // No orders: nothing went wrong.
        assert_eq!(
            score(&ComputedPart::default(), &items(10, 10, 10, 10)).total_tenths,
            1000
        );
    }

    #[test]
    fn kpi_6_items_are_checked() {
        let e = items(11, -1, 0, 10).validate().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["discipline", "cooperation"]);
        let mut long = items(1, 1, 1, 1);
        long.plan = Some("x".repeat(501));
        assert_eq!(long.validate().unwrap_err().errors[0].field, "plan");
    }

    #[test]
    fn kpi_6_is_due_on_the_tenth_working_day_of_the_next_month() {
        let cal = BusinessCalendar::new(Vec::new());
        // 1 December 2026 is a Tuesday: the tenth working day is the 14th.
        assert_eq!(due_day(&cal, date(2026, 11, 1)), date(2026, 12, 14));
        // 1 August 2026 is a Saturday: 3 August is the first, 14 August the tenth.
        assert_eq!(due_day(&cal, date(2026, 7, 1)), date(2026, 8, 14));
    }
}
