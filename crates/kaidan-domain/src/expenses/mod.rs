//! Sales expenses (SAL-3, ADR 0042): a rep's monthly claim of travel,
//! entertainment, gifts and samples against his visit plan and the
//! month's budgets of him and his team; approved by his manager, then
//! finance; reimbursed.

mod budget;
mod claim;

pub use budget::{
    BudgetLine, BudgetSubject, BudgetUse, MAX_BUDGET_LINES, MAX_BUDGET_YUAN, check_budgets,
};
pub use claim::{
    ExpenseCategory, ExpenseClaimDraft, ExpenseClaimInput, ExpenseLineInput, ExpenseStatus,
    MAX_CLAIM_LINES, MAX_CLAIM_RECEIPTS, MAX_EXPENSE_TEXT, MAX_EXPENSE_YUAN,
};
