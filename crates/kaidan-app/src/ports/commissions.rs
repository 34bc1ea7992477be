//! Port of the sales commissions (SAL-5): the policies, what each rep's
//! customers bought on a basis by day and product category, and the
//! monthly statements with their review.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::commissions::{
    CommissionBase, CommissionBasis, CommissionLine, CommissionPolicyDraft, CommissionTier,
    StatementStatus,
};
use kaidan_domain::{Money, UserId};
use serde::Serialize;

use super::*;

/// A category's own rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryRate {
    pub category: String,
    pub rate_bp: i64,
}

/// A policy as stored: in force from its day until the next policy's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionPolicy {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    pub basis: CommissionBasis,
    /// Hundredths of a percent: 200 is 2%.
    pub default_rate_bp: i64,
    pub rates: Vec<CategoryRate>,
    pub tiers: Vec<CommissionTier>,
    pub note: Option<String>,
    pub written_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
}

impl CommissionPolicy {
    /// The policy as the domain computes with it.
    pub fn draft(&self) -> CommissionPolicyDraft {
        CommissionPolicyDraft {
            from: self.from,
            basis: self.basis,
            default_rate_bp: self.default_rate_bp,
            rates: self
                .rates
                .iter()
                .map(|r| (r.category.clone(), r.rate_bp))
                .collect(),
            tiers: self.tiers.clone(),
            note: self.note.clone(),
        }
    }
}

/// A statement without its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionStatementRow {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    /// `YYYY-MM`.
    pub month: String,
    pub status: StatementStatus,
    /// The rep's approved target of the month and what he reached of it
    /// on the targets' basis; none without a target.
    pub target: Option<Money>,
    pub actual: Option<Money>,
    /// Hundredths of a percent.
    pub completion_bp: Option<i64>,
    pub base: Money,
    pub commission: Money,
    pub computed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub computed_at: Timestamp,
    pub reviewed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub reviewed_at: Option<Timestamp>,
    pub confirmed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub confirmed_at: Option<Timestamp>,
    /// Why finance sent it back to the sales manager, until computed again.
    pub return_reason: Option<String>,
}

/// A statement's line as stored: the basis of its policy beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLineRow {
    pub basis: Option<CommissionBasis>,
    #[serde(flatten)]
    pub line: CommissionLine,
}

/// A statement with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionStatement {
    #[serde(flatten)]
    pub head: CommissionStatementRow,
    pub lines: Vec<StatementLineRow>,
}

/// A statement to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommissionStatement {
    pub rep: UserId,
    pub month: String,
    pub target: Option<Money>,
    pub actual: Option<Money>,
    pub completion_bp: Option<i64>,
    pub base: Money,
    pub commission: Money,
    pub lines: Vec<StatementLineRow>,
}

#[async_trait]
pub trait CommissionsTx: Send {
    /// Every policy, the oldest first.
    async fn commission_policies(&mut self) -> Result<Vec<CommissionPolicy>, StoreError>;
    /// Writes the policy of its day, replacing one written before.
    async fn commission_policy_put(
        &mut self,
        p: &CommissionPolicyDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// What the customers of each rep bought from `from` to `to`
    /// (exclusive) on `basis`, by day and product category (ADR 0043).
    async fn commission_bases(
        &mut self,
        basis: CommissionBasis,
        from: Date,
        to: Date,
    ) -> Result<Vec<(UserId, CommissionBase)>, StoreError>;
    /// Writes a rep's statement of a month as computed, replacing one
    /// still computed; None when his statement of the month was reviewed.
    async fn commission_statement_put(
        &mut self,
        s: &NewCommissionStatement,
        by: UserId,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;
    /// The statements of a month (or all), of some reps (or all), by month
    /// (newest first) and rep.
    async fn commission_statements(
        &mut self,
        month: Option<&str>,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<CommissionStatementRow>, StoreError>;
    async fn commission_statement(
        &mut self,
        id: i64,
    ) -> Result<Option<CommissionStatement>, StoreError>;
    /// Moves a statement from `from` to `to`, recording who and when; with
    /// a reason it is sent back and its review undone. False when it was
    /// not in `from`.
    async fn commission_statement_move(
        &mut self,
        id: i64,
        from: StatementStatus,
        to: StatementStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// The latest month with a statement past computed.
    async fn commission_settled_month(&mut self) -> Result<Option<String>, StoreError>;
}
