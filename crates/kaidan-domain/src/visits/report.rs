//! A visit report (SAL-2; seed 001 拜访后续作业: 拜访应于俩天内提出客户拜访
//! 报告,呈主管审核;拜访过程中答应的事项或后续处理的工作应及时进行跟踪处理):
//! what was found, the inquiries taken, the things promised as follow-ups
//! with a day each, written within two days of the visit (a later one is
//! flagged, never refused) and reviewed by the manager.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::plan::{MAX_PROSPECT, VisitPurpose};
use crate::{CustomerId, ValidationErrors};

/// Days after the visit its report is due.
pub const REPORT_DUE_DAYS: i32 = 2;
pub const MAX_REPORT_SUMMARY: usize = 2000;
pub const MAX_ACTION_TEXT: usize = 500;
pub const MAX_ACTIONS: usize = 20;
/// The most inquiries one visit records.
pub const MAX_INQUIRIES: i64 = 999;

/// A thing promised at the visit, to be done by `due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
}

/// A report as the rep writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitReportInput {
    /// The planned visit it reports (plan id and visit number), if any.
    #[serde(default)]
    pub plan_id: Option<i64>,
    #[serde(default)]
    pub visit_no: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub prospect: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub visited_on: Date,
    pub purpose: VisitPurpose,
    pub summary: String,
    /// Inquiries taken at the visit (询价、意向), 0–999: KPI-5 counts them.
    #[serde(default)]
    pub inquiries: i64,
    #[serde(default)]
    pub actions: Vec<ActionInput>,
}

/// Whether a report written on `written_on` of a visit on `visited_on` is
/// late: after the second day following the visit.
pub fn report_is_late(visited_on: Date, written_on: Date) -> bool {
    visited_on
        .checked_add(REPORT_DUE_DAYS.days())
        .is_ok_and(|due| written_on > due)
}

impl VisitReportInput {
    /// Checks a report written on `today`: a visit not in the future, of a
    /// customer or a prospect, with its texts, inquiries and actions
    /// within their bounds, each action due on or after the visit.
    pub fn validate(self, today: Date) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let prospect = e.optional_text("prospect", self.prospect.as_deref(), MAX_PROSPECT);
        if self.customer_id.is_some() == prospect.is_some() {
            e.add(
                "customer_id",
                "invalid",
                "a visit is of one customer (customer_id) or one prospect (prospect)",
            );
        }
        if self.plan_id.is_some() != self.visit_no.is_some() {
            e.add(
                "visit_no",
                "invalid",
                "a planned visit is named by plan_id and visit_no together",
            );
        }
        if self.visited_on > today {
            e.add(
                "visited_on",
                "out_of_range",
                format!(
                    "{} is after today ({today}): a report follows the visit",
                    self.visited_on
                ),
            );
        }
        let summary = e.text("summary", &self.summary, MAX_REPORT_SUMMARY);
        if !(0..=MAX_INQUIRIES).contains(&self.inquiries) {
            e.add("inquiries", "out_of_range", format!("0 to {MAX_INQUIRIES}"));
        }
        if self.actions.len() > MAX_ACTIONS {
            e.add(
                "actions",
                "out_of_range",
                format!("at most {MAX_ACTIONS} follow-ups"),
            );
        }
        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, a) in self.actions.into_iter().enumerate() {
            let what = e.text(&format!("actions[{i}].what"), &a.what, MAX_ACTION_TEXT);
            if a.due < self.visited_on {
                e.add(
                    format!("actions[{i}].due"),
                    "out_of_range",
                    format!("{} is before the visit ({})", a.due, self.visited_on),
                );
            }
            actions.push(ActionInput { what, due: a.due });
        }
        e.into_result(VisitReportInput {
            prospect,
            summary,
            actions,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn sal_2_a_report_is_due_within_two_days_of_the_visit() {
        assert!(!report_is_late(date(2027, 1, 5), date(2027, 1, 7)));
        assert!(report_is_late(date(2027, 1, 5), date(2027, 1, 8)));
    }

    #[test]
    fn sal_2_a_report_names_what_is_wrong() {
        let ok = VisitReportInput {
            plan_id: None,
            visit_no: None,
            customer_id: None,
            prospect: Some(" 东莞新店 ".into()),
            visited_on: date(2027, 1, 5),
            purpose: VisitPurpose::NewCustomer,
            summary: "店主有意加盟,询问春夏订货政策".into(),
            inquiries: 2,
            actions: vec![ActionInput {
                what: "寄送加盟资料".into(),
                due: date(2027, 1, 8),
            }],
        };
        assert_eq!(
            ok.clone()
                .validate(date(2027, 1, 6))
                .unwrap()
                .prospect
                .as_deref(),
            Some("东莞新店")
        );
        let mut bad = ok;
        bad.plan_id = Some(3);
        bad.visited_on = date(2027, 1, 9);
        bad.summary = " ".into();
        bad.inquiries = 1000;
        bad.actions[0].due = date(2027, 1, 1);
        let e = bad.validate(date(2027, 1, 6)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "visit_no",
                "visited_on",
                "summary",
                "inquiries",
                "actions[0].due"
            ]
        );
    }
}
