//! Port of the order clerks' monthly assessment (KPI-6): the assessments
//! as written and confirmed, and the complaints each clerk's orders drew.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::UserId;
use kaidan_domain::assessments::{AssessmentInput, AssessmentStatus, ComputedPart, Grade};
use serde::Serialize;

use super::*;

/// An assessment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClerkAssessment {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub clerk_id: UserId,
    pub clerk: String,
    /// `YYYY-MM`.
    pub month: String,
    pub status: AssessmentStatus,
    /// What the records said when it was written.
    pub computed: ComputedPart,
    pub items: AssessmentInput,
    pub total_tenths: i64,
    pub grade: Grade,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    pub written_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub confirmed_at: Option<Timestamp>,
}

/// An assessment to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    pub clerk: UserId,
    pub month: String,
    pub computed: ComputedPart,
    pub items: AssessmentInput,
    pub total_tenths: i64,
    pub grade: Grade,
    pub due_on: Date,
}

#[async_trait]
pub trait AssessmentsTx: Send {
    /// The assessments of a month (`YYYY-MM`) or of a year's months (`YYYY`),
    /// of one clerk or all, by month and clerk.
    async fn clerk_assessments(
        &mut self,
        period: &str,
        clerk: Option<UserId>,
    ) -> Result<Vec<ClerkAssessment>, StoreError>;
    async fn clerk_assessment(&mut self, id: i64) -> Result<Option<ClerkAssessment>, StoreError>;
    /// Writes a clerk's month as a draft, replacing a draft; None when it
    /// was confirmed.
    async fn clerk_assessment_put(
        &mut self,
        a: &NewAssessment,
        by: UserId,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;
    /// Confirms a draft; false when it was not one.
    async fn clerk_assessment_confirm(
        &mut self,
        id: i64,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Complaints to the sales department received from `from` to `to`
    /// about an order, by the clerk who entered it.
    async fn clerk_complaints(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, i64)>, StoreError>;
}
