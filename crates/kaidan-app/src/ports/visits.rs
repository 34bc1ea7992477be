//! Port of the customer visits (SAL-2): a rep's plan of a month with its
//! visits, its review by the manager, the reports of visits made with the
//! things promised, and their follow-up.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::visits::{PlannedVisit, VisitPlanStatus, VisitPurpose, VisitReportInput};
use kaidan_domain::{CustomerId, UserId};
use serde::Serialize;

use super::*;

/// A planned visit with its number in the plan and whether it was reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedVisitRow {
    pub visit_no: i64,
    #[serde(flatten)]
    pub visit: PlannedVisit,
    /// The customer's code and name.
    pub customer: Option<String>,
    /// A report of it was written.
    pub reported: bool,
}

/// A rep's plan of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitPlan {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    /// `YYYY-MM`.
    pub month: String,
    pub status: VisitPlanStatus,
    pub note: Option<String>,
    pub visits: Vec<PlannedVisitRow>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub submitted_at: Option<Timestamp>,
    /// Handed in before its month began (set when submitted).
    pub in_time: Option<bool>,
    pub decided_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    pub return_reason: Option<String>,
}

/// A thing promised at a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitAction {
    pub action_no: i64,
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub done_at: Option<Timestamp>,
    pub done_note: Option<String>,
}

/// A visit report as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitReport {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    pub plan_id: Option<i64>,
    pub visit_no: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<CustomerId>,
    pub customer: Option<String>,
    pub prospect: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub visited_on: Date,
    pub purpose: VisitPurpose,
    pub summary: String,
    pub inquiries: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
    /// Written after the second day following the visit.
    pub late: bool,
    pub reviewed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub reviewed_at: Option<Timestamp>,
    pub review_note: Option<String>,
    pub actions: Vec<VisitAction>,
}

#[async_trait]
pub trait VisitsTx: Send {
    /// The plan of `rep` for `month`, if he wrote one.
    async fn visit_plan_of(&mut self, rep: UserId, month: &str) -> Result<Option<i64>, StoreError>;
    async fn visit_plan(&mut self, id: i64) -> Result<Option<VisitPlan>, StoreError>;
    /// The plans of `month` (of `reps` only, when given), by rep.
    async fn visit_plans(
        &mut self,
        month: &str,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<VisitPlan>, StoreError>;
    /// Writes the plan of `rep` for `month` as a draft with these visits
    /// (a new plan, or the caller found it editable); its id.
    async fn visit_plan_write(
        &mut self,
        rep: UserId,
        month: &str,
        note: Option<&str>,
        visits: &[PlannedVisit],
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Moves the plan from `from` to `to`; false when it was not in `from`.
    #[allow(clippy::too_many_arguments)]
    async fn visit_plan_move(
        &mut self,
        id: i64,
        from: VisitPlanStatus,
        to: VisitPlanStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
        in_time: Option<bool>,
    ) -> Result<bool, StoreError>;
    async fn visit_report_insert(
        &mut self,
        rep: UserId,
        r: &VisitReportInput,
        late: bool,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn visit_report(&mut self, id: i64) -> Result<Option<VisitReport>, StoreError>;
    /// The reports of visits from `from` to `to` (both included), of
    /// `reps` only when given, newest visit first.
    async fn visit_reports(
        &mut self,
        from: Date,
        to: Date,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<VisitReport>, StoreError>;
    /// Records the manager's review once; false when it was reviewed.
    async fn visit_report_review(
        &mut self,
        id: i64,
        by: UserId,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Marks a promised thing done once; false when it was done or is not.
    async fn visit_action_done(
        &mut self,
        report: i64,
        action_no: i64,
        by: UserId,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError>;
}
