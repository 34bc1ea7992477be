//! Ports of dunning, collection and statements of account (FIN-4): what
//! is open on a day, the month-end notices (one per customer and period),
//! collection actions with the money received since, and a customer's
//! documents of a month.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::finance::{
    CollectionAction, DunningLevel, NoticeDraft, NoticeInvoice, Period, ReceivableItem,
    StatementConfirmation, StatementEntry, StatementTotals, ValidCollection,
};
use kaidan_domain::{CustomerId, Money, Role, UserId};
use serde::Serialize;

use super::StoreError;

/// A stored dunning notice, with its customer's and rep's names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DunningNotice {
    pub id: i64,
    pub customer_id: CustomerId,
    /// "code name".
    pub customer: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
    pub period: Period,
    /// The period's last day: what was overdue then.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: Date,
    pub level: DunningLevel,
    pub overdue: Money,
    pub oldest_days: i64,
    pub sales_rep_id: Option<UserId>,
    pub sales_rep: Option<String>,
    /// Roles it went to besides the rep (sales manager, legal).
    pub escalated_to: Vec<Role>,
    pub invoices: Vec<NoticeInvoice>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub raised_at: Timestamp,
    pub raised_by_name: String,
}

/// Which notices a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    /// One notice by its id.
    pub id: Option<i64>,
    pub period: Option<Period>,
    pub customer: Option<CustomerId>,
    pub sales_rep: Option<UserId>,
    /// Only notices of these levels; empty: every level.
    pub levels: Vec<DunningLevel>,
    pub limit: u32,
}

/// A customer's name and rep, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLabel {
    pub customer_id: CustomerId,
    /// "code name".
    pub label: String,
    pub sales_rep_id: Option<UserId>,
    pub sales_rep: String,
}

#[async_trait]
pub trait CollectionTx {
    /// Invoices open on `as_of` (issued by then, less credit notes dated
    /// and matches made by then and not undone by then), of one customer
    /// or all.
    async fn receivables_as_of(
        &mut self,
        as_of: Date,
        customer: Option<CustomerId>,
    ) -> Result<Vec<ReceivableItem>, StoreError>;

    /// Stores a notice; `Ok(None)` when the customer has one for the
    /// period already (another node or run raised it): nothing is written.
    async fn dunning_notice_insert(
        &mut self,
        notice: &NoticeDraft,
        at: Timestamp,
        by_name: &str,
    ) -> Result<Option<i64>, StoreError>;
    /// Notices, the largest overdue first.
    async fn dunning_notices(
        &mut self,
        filter: &NoticeFilter,
    ) -> Result<Vec<DunningNotice>, StoreError>;

    async fn collection_action_insert(
        &mut self,
        customer: CustomerId,
        action: &ValidCollection,
        by: UserId,
        by_name: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// A customer's actions, newest first, with the verified money received
    /// since each (its `promise_state` unset).
    async fn collection_actions(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<CollectionAction>, StoreError>;
    /// Promises whose day falls in `from..=to`, with the money since.
    async fn promises_due(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<CollectionAction>, StoreError>;
    /// Per customer: verified money received in `from..=to`.
    async fn collected_between(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(CustomerId, Money)>, StoreError>;
    /// Per customer: actions recorded for days in `from..=to`.
    async fn actions_between(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(CustomerId, u32)>, StoreError>;
    /// Names and reps of the customers.
    async fn customer_labels(
        &mut self,
        customers: &[CustomerId],
    ) -> Result<Vec<CustomerLabel>, StoreError>;

    /// What a customer's documents before `before` add up to: invoices and
    /// credit notes dated before, verified (or since reversed) receipts
    /// paid before, reversals made before `before_at`.
    async fn statement_totals(
        &mut self,
        customer: CustomerId,
        before: Date,
        before_at: Timestamp,
    ) -> Result<StatementTotals, StoreError>;
    /// A customer's documents dated in `from..end` (reversals made in
    /// `from_at..end_at`), unsorted, balances unset.
    async fn statement_entries(
        &mut self,
        customer: CustomerId,
        from: Date,
        end: Date,
        from_at: Timestamp,
        end_at: Timestamp,
    ) -> Result<Vec<StatementEntry>, StoreError>;
    async fn statement_confirmation_insert(
        &mut self,
        confirmation: &StatementConfirmation,
    ) -> Result<i64, StoreError>;
    /// The latest confirmation or dispute of a customer's statement.
    async fn statement_confirmation_latest(
        &mut self,
        customer: CustomerId,
        period: Period,
    ) -> Result<Option<StatementConfirmation>, StoreError>;
}
