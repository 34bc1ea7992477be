//! The monthly expense budget of a rep and of a team (SAL-3; seed 001 第十三
//! 条: 确保费用支出与销售业绩相匹配): what was set, what finance approved or
//! paid, what is still in review, and what remains (ADR 0042).

use serde::{Deserialize, Serialize};

use crate::{Money, UserId, ValidationErrors};

/// The most of one budget, in yuan.
pub const MAX_BUDGET_YUAN: i64 = 100_000_000;
/// The most budgets set in one step.
pub const MAX_BUDGET_LINES: usize = 500;

/// Whose budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BudgetSubject {
    Rep {
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        id: UserId,
    },
    Team {
        id: i64,
    },
}

impl BudgetSubject {
    pub fn kind(self) -> &'static str {
        match self {
            BudgetSubject::Rep { .. } => "rep",
            BudgetSubject::Team { .. } => "team",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            BudgetSubject::Rep { id } => id.get(),
            BudgetSubject::Team { id } => id,
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "rep" => Some(BudgetSubject::Rep { id: UserId(id) }),
            "team" => Some(BudgetSubject::Team { id }),
            _ => None,
        }
    }
}

/// One budget as set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub subject: BudgetSubject,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "3000.00"))]
    pub amount: Money,
}

/// Checks the budgets of a month: each subject once, 0 to a hundred
/// million yuan, in fen.
pub fn check_budgets(lines: &[BudgetLine]) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if lines.len() > MAX_BUDGET_LINES {
        e.add(
            "lines",
            "too_many",
            format!("at most {MAX_BUDGET_LINES} budgets at once"),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, l) in lines.iter().enumerate() {
        if !seen.insert(l.subject) {
            e.add(
                format!("lines[{i}].subject"),
                "duplicate",
                "each rep and team has one budget a month",
            );
        }
        if l.amount.is_negative() || l.amount > Money::yuan(MAX_BUDGET_YUAN) {
            e.add(
                format!("lines[{i}].amount"),
                "out_of_range",
                format!("a budget is 0 to {MAX_BUDGET_YUAN} yuan"),
            );
        } else if l.amount != l.amount.round_to_fen() {
            e.add(
                format!("lines[{i}].amount"),
                "too_precise",
                "a budget is in yuan and fen",
            );
        }
    }
    e.into_result(())
}

/// A budget's use in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetUse {
    /// None when no budget was set.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub budget: Option<Money>,
    /// Approved by finance or paid.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spent: Money,
    /// Submitted or approved by the manager, not yet by finance.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub pending: Money,
    /// Budget − spent − pending; None without a budget.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub remaining: Option<Money>,
}

impl BudgetUse {
    pub fn new(budget: Option<Money>, spent: Money, pending: Money) -> Self {
        let used = spent.checked_add(pending).unwrap_or(Money::MAX);
        BudgetUse {
            budget,
            spent,
            pending,
            remaining: budget
                .map(|b| Money::new(b.decimal() - used.decimal()).unwrap_or(Money::ZERO)),
        }
    }

    /// Whether `more` on top of what is spent and pending goes beyond the
    /// budget (never without one).
    pub fn exceeded_by(&self, more: Money) -> bool {
        self.remaining.is_some_and(|r| more.decimal() > r.decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sal_3_the_remaining_budget_is_what_is_neither_spent_nor_pending() {
        let u = BudgetUse::new(Some(Money::yuan(3000)), Money::yuan(1200), Money::yuan(800));
        assert_eq!(u.remaining, Some(Money::yuan(1000)));
        assert!(!u.exceeded_by(Money::yuan(1000)));
        assert!(u.exceeded_by("1000.01".parse().unwrap()));
        let none = BudgetUse::new(None, Money::yuan(5), Money::ZERO);
        assert_eq!(none.remaining, None);
        assert!(!none.exceeded_by(Money::yuan(1_000_000)));
        let over = BudgetUse::new(Some(Money::yuan(100)), Money::yuan(150), Money::ZERO);
        assert_eq!(over.remaining, Some(Money::yuan(-50)));
    }

    #[test]
    fn sal_3_budgets_are_one_a_subject_and_bounded() {
        let rep = BudgetSubject::Rep { id: UserId(3) };
        let e = check_budgets(&[
            BudgetLine {
                subject: rep,
                amount: Money::yuan(100),
            },
            BudgetLine {
                subject: rep,
                amount: Money::yuan(-1),
            },
            BudgetLine {
                subject: BudgetSubject::Team { id: 1 },
                amount: "1.001".parse().unwrap(),
            },
        ])
        .unwrap_err();
        let f: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            f,
            ["lines[1].subject", "lines[1].amount", "lines[2].amount"]
        );
    }
}
