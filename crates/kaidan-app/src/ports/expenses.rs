//! Port of the sales expenses (SAL-3): claims with their lines and
//! receipts, their review and reimbursement, and the monthly budgets.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::expenses::{BudgetLine, ExpenseClaimDraft, ExpenseLineInput, ExpenseStatus};
use kaidan_domain::finance::VoucherType;
use kaidan_domain::{Money, UserId};
use serde::Serialize;

use super::*;

/// A line of a claim as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseLine {
    pub line_no: i64,
    #[serde(flatten)]
    pub line: ExpenseLineInput,
    /// The customer's code and name.
    pub customer: Option<String>,
}

/// A receipt attached to a claim (its bytes are fetched on their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseReceipt {
    pub receipt_no: i64,
    pub file_name: String,
    pub content_type: VoucherType,
    pub size: i64,
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseClaim {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    /// `YYYY-MM`.
    pub month: String,
    pub plan_id: Option<i64>,
    pub status: ExpenseStatus,
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Money,
    /// Why the rep went beyond the budget, given when he submitted.
    pub over_budget_reason: Option<String>,
    pub lines: Vec<ExpenseLine>,
    pub receipts: Vec<ExpenseReceipt>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub submitted_at: Option<Timestamp>,
    pub manager_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub manager_at: Option<Timestamp>,
    pub finance_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub finance_at: Option<Timestamp>,
    pub returned_by: Option<String>,
    pub return_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub paid_on: Option<Date>,
    pub paid_ref: Option<String>,
    pub paid_by: Option<String>,
}

/// The payment of an approved claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpensePayment {
    pub paid_on: Date,
    pub reference: String,
}

#[async_trait]
pub trait ExpensesTx: Send {
    async fn expense_claim(&mut self, id: i64) -> Result<Option<ExpenseClaim>, StoreError>;
    /// The claims of a month (`YYYY-MM`) of the reps read (all when None),
    /// by rep and id.
    async fn expense_claims(
        &mut self,
        month: &str,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<ExpenseClaim>, StoreError>;
    /// Writes a new claim (`id` None) or rewrites one's lines, making it a
    /// draft again; its id.
    async fn expense_claim_write(
        &mut self,
        id: Option<i64>,
        rep: UserId,
        month: &str,
        claim: &ExpenseClaimDraft,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Moves the claim from `from` to `to` recording who and when: the
    /// submission (with the reason for going over the budget), the
    /// manager's or finance's decision, a return with its reason. False
    /// when it was not in `from`.
    async fn expense_claim_move(
        &mut self,
        id: i64,
        from: ExpenseStatus,
        to: ExpenseStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Records the payment of an approved claim; false when it was not
    /// approved.
    async fn expense_claim_pay(
        &mut self,
        id: i64,
        payment: &ExpensePayment,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Attaches a receipt; its number in the claim.
    async fn expense_receipt_add(
        &mut self,
        claim: i64,
        file: &VoucherFile,
    ) -> Result<i64, StoreError>;
    async fn expense_receipt(
        &mut self,
        claim: i64,
        no: i64,
    ) -> Result<Option<VoucherFile>, StoreError>;
    /// Claims of the reps read (all when None) in any month, counted and
    /// summed by status.
    async fn expense_claim_counts(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<(ExpenseStatus, i64, Money)>, StoreError>;
    /// The budgets of a month.
    async fn expense_budgets(&mut self, month: &str) -> Result<Vec<BudgetLine>, StoreError>;
    /// Sets the given budgets of a month (others stay).
    async fn expense_budgets_put(
        &mut self,
        month: &str,
        lines: &[BudgetLine],
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}
