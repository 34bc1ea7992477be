//! Ports of satisfaction surveys (AFS-3, KPI-3): surveys sent, answered
//! once, and the answered ones with their customer's rep and region for
//! the figures.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::after_sales::{SurveyAnswer, SurveyKind, SurveyQuestion};
use kaidan_domain::{CustomerId, OrderId, RegionId, UserId};
use serde::Serialize;

use super::*;

/// A survey as stored (never its link's secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyRow {
    pub id: i64,
    pub kind: SurveyKind,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    /// `2026-Q4`, `2026-11` for a period survey.
    pub period: Option<String>,
    pub region_id: Option<RegionId>,
    pub questions: Vec<SurveyQuestion>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub answered_at: Option<Timestamp>,
    /// `link` or `portal`.
    pub answered_via: Option<String>,
    pub answers: Option<Vec<SurveyAnswer>>,
    /// The average score × 100.
    pub score: Option<i64>,
}

/// A survey to write, with its link's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurvey {
    pub kind: SurveyKind,
    pub customer_id: CustomerId,
    pub order_id: Option<OrderId>,
    pub period: Option<String>,
    pub region_id: Option<RegionId>,
    pub questions: Vec<SurveyQuestion>,
    pub token_hash: String,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub sent_by: Option<UserId>,
}

/// An answered survey with who its customer's rep and region are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredRow {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub rep: Option<String>,
    pub region: Option<String>,
    pub answered_at: Timestamp,
    pub score: i64,
}

#[async_trait]
pub trait SurveysTx: Send {
    /// Orders whose shipments are all delivered, the last between `from`
    /// and `to`, without a survey: (order, customer), oldest first.
    async fn orders_to_survey(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<(OrderId, CustomerId)>, StoreError>;
    /// Writes a survey; None when the order (or the customer's period)
    /// already has one.
    async fn survey_insert(&mut self, s: &NewSurvey) -> Result<Option<i64>, StoreError>;
    async fn survey_get(&mut self, id: i64) -> Result<Option<SurveyRow>, StoreError>;
    async fn survey_by_token(&mut self, token_hash: &str) -> Result<Option<SurveyRow>, StoreError>;
    /// Records the answers if the survey is unanswered and unexpired at
    /// `at`; false when it is not (nothing changed).
    async fn survey_answer(
        &mut self,
        id: i64,
        answers: &[SurveyAnswer],
        score: i64,
        at: Timestamp,
        by: Option<UserId>,
        via: &str,
    ) -> Result<bool, StoreError>;
    /// A customer's surveys, newest first (`pending`: unanswered and
    /// unexpired at `now`).
    async fn surveys_of(
        &mut self,
        customer: Option<CustomerId>,
        pending_at: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<SurveyRow>, StoreError>;
    /// Surveys answered in [from, to).
    async fn surveys_answered(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AnsweredRow>, StoreError>;
    /// The active customers of a region.
    async fn region_customers(&mut self, region: RegionId) -> Result<Vec<CustomerId>, StoreError>;
}
