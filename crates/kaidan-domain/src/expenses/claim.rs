//! An expense claim (SAL-3; seed 001 第五章销售费用与报销: 销售人员应合理使用
//! 销售费用 … 按照公司规定的报销流程进行报销,不得虚报、冒领; 销售部门负责审核;
//! 拜访作业: 拜访时相关费用的申请): a rep's travel, entertainment, gifts and
//! samples of one month, against his approved visit plan and the month's
//! budget, approved by his manager and then finance, and reimbursed
//! (ADR 0042).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::MAX_REASON;
use crate::{CustomerId, Money, ValidationErrors};

/// The most lines of a claim, the most of one line in yuan, the longest
/// description.
pub const MAX_CLAIM_LINES: usize = 100;
pub const MAX_EXPENSE_YUAN: i64 = 1_000_000;
pub const MAX_EXPENSE_TEXT: usize = 200;
/// The most receipts attached to one claim.
pub const MAX_CLAIM_RECEIPTS: usize = 20;

string_enum!(
    /// What was spent on (seed 001: 差旅、招待、礼品、样品).
    ExpenseCategory {
        /// 差旅
        Travel = "travel",
        /// 招待
        Entertainment = "entertainment",
        /// 礼品
        Gifts = "gifts",
        /// 样品
        Samples = "samples",
    }
);

string_enum!(
    /// Where a claim is.
    ExpenseStatus {
        Draft = "draft",
        /// Waiting for the rep's manager.
        Submitted = "submitted",
        /// Approved by the manager, waiting for finance.
        ManagerApproved = "manager_approved",
        /// Approved by finance, to be paid.
        Approved = "approved",
        /// Sent back to the rep with a reason (by the manager or finance).
        Returned = "returned",
        /// Paid to the rep.
        Reimbursed = "reimbursed",
    }
);

impl ExpenseStatus {
    pub fn is_editable(self) -> bool {
        matches!(self, ExpenseStatus::Draft | ExpenseStatus::Returned)
    }

    /// Counted against the budget as spent: approved by finance or paid.
    pub fn is_spent(self) -> bool {
        matches!(self, ExpenseStatus::Approved | ExpenseStatus::Reimbursed)
    }

    /// Counted against the budget as committed: on its way through review.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ExpenseStatus::Submitted | ExpenseStatus::ManagerApproved
        )
    }
}

/// One expense as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpenseLineInput {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub spent_on: Date,
    pub category: ExpenseCategory,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "180.00"))]
    pub amount: Money,
    /// The customer it was spent for, when any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<CustomerId>,
    /// The planned visit of the claim's visit plan it belongs to.
    #[serde(default)]
    pub visit_no: Option<i64>,
    pub description: String,
}

/// A claim as written: its month (`YYYY-MM`), the rep's visit plan of that
/// month it is made against (when any), and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpenseClaimInput {
    pub month: String,
    #[serde(default)]
    pub plan_id: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    pub lines: Vec<ExpenseLineInput>,
}

/// A checked claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseClaimDraft {
    pub first: Date,
    pub plan_id: Option<i64>,
    pub note: Option<String>,
    pub lines: Vec<ExpenseLineInput>,
}

impl ExpenseClaimDraft {
    pub fn total(&self) -> Money {
        Money::checked_sum(self.lines.iter().map(|l| l.amount)).unwrap_or(Money::MAX)
    }
}

impl ExpenseClaimInput {
    /// Every line in the claim's month and not after `today`, for more
    /// than nothing and at most a million yuan in fen; a planned visit
    /// named only with a plan.
    pub fn validate(self, first: Date, today: Date) -> Result<ExpenseClaimDraft, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.lines.is_empty() {
            e.add("lines", "required", "a claim has at least one expense");
        } else if self.lines.len() > MAX_CLAIM_LINES {
            e.add(
                "lines",
                "too_many",
                format!("a claim has at most {MAX_CLAIM_LINES} expenses"),
            );
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        let next = first.last_of_month();
        let max = Money::yuan(MAX_EXPENSE_YUAN);
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.into_iter().enumerate() {
            let f = |name: &str| format!("lines[{i}].{name}");
            if l.spent_on < first || l.spent_on > next {
                e.add(
                    f("spent_on"),
                    "out_of_range",
                    format!(
                        "{} is not in the claim's month ({first} to {next})",
                        l.spent_on
                    ),
                );
            } else if l.spent_on > today {
                e.add(
                    f("spent_on"),
                    "in_future",
                    format!("{} is after today", l.spent_on),
                );
            }
            if !l.amount.is_positive() || l.amount > max {
                e.add(
                    f("amount"),
                    "out_of_range",
                    format!("an expense is more than 0 and at most {MAX_EXPENSE_YUAN} yuan"),
                );
            } else if l.amount != l.amount.round_to_fen() {
                e.add(f("amount"), "too_precise", "an expense is in yuan and fen");
            }
            if l.visit_no.is_some() && self.plan_id.is_none() {
                e.add(
                    f("visit_no"),
                    "invalid",
                    "a planned visit is named with the claim's plan_id",
                );
            }
            let description = e.text(&f("description"), &l.description, MAX_EXPENSE_TEXT);
            lines.push(ExpenseLineInput { description, ..l });
        }
        e.into_result(ExpenseClaimDraft {
            first,
            plan_id: self.plan_id,
            note,
            lines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn line(d: Date, amount: &str) -> ExpenseLineInput {
        ExpenseLineInput {
            spent_on: d,
            category: ExpenseCategory::Travel,
            amount: amount.parse().unwrap(),
            customer_id: None,
            visit_no: None,
            description: " 高铁 深圳—东莞 ".into(),
        }
    }

    #[test]
    fn sal_3_a_claims_lines_are_in_its_month_positive_and_in_fen() {
        let first = date(2026, 11, 1);
        let ok = ExpenseClaimInput {
            month: "2026-11".into(),
            plan_id: None,
            note: None,
            lines: vec![
                line(date(2026, 11, 3), "86.50"),
                line(date(2026, 11, 30), "120"),
            ],
        }
        .validate(first, date(2026, 12, 6))
        .unwrap();
        assert_eq!(ok.total(), "206.50".parse().unwrap());
        assert_eq!(ok.lines[0].description, "高铁 深圳—东莞");
        let mut planned = line(date(2026, 11, 4), "1");
        planned.visit_no = Some(2);
        let e = ExpenseClaimInput {
            month: "2026-11".into(),
            plan_id: None,
            note: None,
            lines: vec![
                line(date(2026, 10, 31), "10"),
                line(date(2026, 11, 2), "0"),
                line(date(2026, 11, 2), "1.005"),
                planned,
            ],
        }
        .validate(first, date(2026, 12, 6))
        .unwrap_err();
        let f: Vec<(&str, &str)> = e
            .errors
            .iter()
            .map(|x| (x.field.as_str(), x.code))
            .collect();
        assert_eq!(
            f,
            [
                ("lines[0].spent_on", "out_of_range"),
                ("lines[1].amount", "out_of_range"),
                ("lines[2].amount", "too_precise"),
                ("lines[3].visit_no", "invalid")
            ]
        );
        let e = ExpenseClaimInput {
            month: "2026-12".into(),
            plan_id: None,
            note: None,
            lines: vec![line(date(2026, 12, 7), "10")],
        }
        .validate(date(2026, 12, 1), date(2026, 12, 6))
        .unwrap_err();
        assert_eq!(e.errors[0].code, "in_future");
    }
}
