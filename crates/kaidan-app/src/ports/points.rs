//! Port of the sales points (SAL-4): the schemes, the catalogue, the extra
//! points awarded and their approval, the months posted and the ledger.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::points::{
    AwardReason, AwardStatus, ItemKind, LedgerKind, PointsAwardInput, PointsItemInput,
    PointsSchemeDraft,
};
use kaidan_domain::targets::TargetBasis;
use kaidan_domain::{Money, UserId};
use rust_decimal::Decimal;
use serde::Serialize;

use super::*;

/// A scheme as stored: in force from its month until the next scheme's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsScheme {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    pub basis: TargetBasis,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.01"))]
    pub ratio: Decimal,
    pub note: Option<String>,
    pub written_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
}

/// An item of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsItem {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub cost: i64,
    pub active: bool,
    pub note: Option<String>,
}

/// Extra points as proposed and decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsAward {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    pub reason_kind: AwardReason,
    pub points: i64,
    pub reason: String,
    pub status: AwardStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub proposed_by_id: UserId,
    pub proposed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub proposed_at: Timestamp,
    pub decided_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    pub reject_reason: Option<String>,
}

/// A month whose basic points were posted, with what they were read on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub basis: TargetBasis,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.01"))]
    pub ratio: Decimal,
    pub posted_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub posted_at: Timestamp,
    /// Reps credited and the points they got.
    pub reps: i64,
    pub points: i64,
}

/// An entry of the ledger with what it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerRow {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub kind: LedgerKind,
    pub points: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    /// Basic points: the month and what was sold in it.
    pub month: Option<String>,
    pub sales: Option<Money>,
    /// Extra points: the award.
    pub award_id: Option<i64>,
    pub reason_kind: Option<AwardReason>,
    pub reason: Option<String>,
    /// A redemption: the item and how many.
    pub item_id: Option<i64>,
    pub item: Option<String>,
    pub quantity: Option<i64>,
    pub written_by: String,
}

/// An entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLedgerEntry {
    pub rep: UserId,
    pub kind: LedgerKind,
    pub points: i64,
    pub on: Date,
    pub month: Option<String>,
    pub sales: Option<Money>,
    pub award_id: Option<i64>,
    pub item_id: Option<i64>,
    pub quantity: Option<i64>,
}

#[async_trait]
pub trait PointsTx: Send {
    /// Every scheme, the oldest first.
    async fn points_schemes(&mut self) -> Result<Vec<PointsScheme>, StoreError>;
    /// Writes the scheme of its month, replacing one written before.
    async fn points_scheme_put(
        &mut self,
        s: &PointsSchemeDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The catalogue by code.
    async fn points_items(&mut self) -> Result<Vec<PointsItem>, StoreError>;
    async fn points_item(&mut self, id: i64) -> Result<Option<PointsItem>, StoreError>;
    async fn points_item_insert(
        &mut self,
        i: &PointsItemInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// False when there is no such item.
    async fn points_item_update(
        &mut self,
        id: i64,
        i: &PointsItemInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    async fn points_award_insert(
        &mut self,
        a: &PointsAwardInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn points_award(&mut self, id: i64) -> Result<Option<PointsAward>, StoreError>;
    /// Awards of the reps read (all when None), the newest first; only
    /// those of `status` when given.
    async fn points_awards(
        &mut self,
        status: Option<AwardStatus>,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<PointsAward>, StoreError>;
    /// Decides a proposed award; false when it was no longer proposed.
    async fn points_award_decide(
        &mut self,
        id: i64,
        to: AwardStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Holds the rep's ledger until the transaction ends, so two
    /// redemptions cannot both spend the same points (PostgreSQL; SQLite
    /// has a single writer).
    async fn points_lock(&mut self, rep: UserId) -> Result<(), StoreError>;
    /// The ledger of the reps read (all when None), by rep, day and entry.
    async fn points_ledger(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<LedgerRow>, StoreError>;
    async fn points_ledger_insert(
        &mut self,
        e: &NewLedgerEntry,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// The months posted, the newest first.
    async fn points_months(&mut self) -> Result<Vec<PointsMonth>, StoreError>;
    /// Records the month as posted; false when it already was.
    async fn points_month_insert(
        &mut self,
        month: &str,
        basis: TargetBasis,
        ratio: Decimal,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
