//! Port of the sales targets (SAL-1): the plan of a year with its lines,
//! its approval, what was sold on each basis by rep, region and month, and
//! the follow-ups of missed months.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::targets::{
    FollowUpInput, FollowUpKind, QuantityTarget, TargetBasis, TargetLine, TargetPlanDraft,
    TargetStatus, TargetSubject,
};
use kaidan_domain::{Money, UserId};
use serde::Serialize;

use super::*;

/// A plan as stored, with who wrote and who decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetPlan {
    pub year: i16,
    pub basis: TargetBasis,
    pub status: TargetStatus,
    pub note: Option<String>,
    /// The company's line first, then teams, reps and regions.
    pub lines: Vec<TargetLine>,
    /// The quantity targets per product category, by subject (ADR 0045).
    pub quantities: Vec<QuantityTarget>,
    pub written_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub submitted_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    /// Why the general manager sent it back.
    pub return_reason: Option<String>,
}

/// A plan in the list of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetPlanSummary {
    pub year: i16,
    pub basis: TargetBasis,
    pub status: TargetStatus,
    /// The company's annual target.
    pub company: Money,
    pub lines: i64,
}

/// What was sold in one bucket to the customers of one rep in one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetActual {
    pub bucket: usize,
    pub rep: Option<UserId>,
    pub region: Option<i64>,
    pub amount: Money,
}

/// The units of one product category sold in one bucket to the customers
/// of one rep in one region (credit notes and refusals taken off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetQuantityActual {
    pub bucket: usize,
    pub rep: Option<UserId>,
    pub region: Option<i64>,
    pub category: String,
    pub quantity: i64,
}

/// A follow-up as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: i64,
    pub subject: TargetSubject,
    pub month: i8,
    pub kind: FollowUpKind,
    pub note: String,
    pub recorded_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

#[async_trait]
pub trait TargetsTx: Send {
    async fn target_plan(&mut self, year: i16) -> Result<Option<TargetPlan>, StoreError>;
    /// Every plan, the newest year first.
    async fn target_plans(&mut self) -> Result<Vec<TargetPlanSummary>, StoreError>;
    /// Writes the plan's lines and makes it a draft again (a new plan or
    /// one the caller found editable).
    async fn target_plan_write(
        &mut self,
        plan: &TargetPlanDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Moves the plan from `from` to `to`, recording who and when (and why,
    /// when returned); false when it was not in `from` (someone else moved
    /// it first).
    async fn target_plan_move(
        &mut self,
        year: i16,
        from: TargetStatus,
        to: TargetStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// What was sold on `basis` in bucket i, from `bounds[i]` to
    /// `bounds[i + 1]` (exclusive), by the customer's rep and region. A
    /// bound is a day and the instant it starts (records kept by day or by
    /// instant are cut alike); fewer than two bounds read nothing.
    async fn target_actuals(
        &mut self,
        basis: TargetBasis,
        bounds: &[(Date, Timestamp)],
    ) -> Result<Vec<TargetActual>, StoreError>;
    /// The units of `categories` sold on `basis` between the bounds, as
    /// [`TargetsTx::target_actuals`] buckets them (ADR 0045: on the
    /// collected basis, the units invoiced).
    async fn target_quantity_actuals(
        &mut self,
        basis: TargetBasis,
        bounds: &[(Date, Timestamp)],
        categories: &[String],
    ) -> Result<Vec<TargetQuantityActual>, StoreError>;
    /// The first days of the months of `basis` kept between `from` and
    /// `to` (ADR 0046).
    async fn target_months_kept(
        &mut self,
        basis: TargetBasis,
        from: Date,
        to: Date,
    ) -> Result<Vec<Date>, StoreError>;
    /// Keeps what was sold on `basis` in the closed month from `from` to
    /// `to` (ADR 0046); the readings above then take it from its sums.
    /// False (nothing kept) when the month is not over at `now`.
    async fn target_month_keep(
        &mut self,
        basis: TargetBasis,
        from: (Date, Timestamp),
        to: (Date, Timestamp),
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    async fn target_follow_up_insert(
        &mut self,
        year: i16,
        f: &FollowUpInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// The year's follow-ups, oldest first.
    async fn target_follow_ups(&mut self, year: i16) -> Result<Vec<FollowUp>, StoreError>;
}
