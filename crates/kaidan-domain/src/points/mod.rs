//! Sales points (SAL-4, ADR 0041): basic points from a month's sales by the
//! scheme in force, extra points awarded and approved, each lot expiring
//! (a year, six months), redemption from a catalogue oldest points first,
//! and the champions of a month, quarter and year.

mod award;
mod catalogue;
mod champions;
mod ledger;
mod scheme;

pub use award::{AwardReason, AwardStatus, MAX_AWARD_POINTS, PointsAwardInput};
pub use catalogue::{
    ItemKind, MAX_ITEM_CODE, MAX_ITEM_COST, MAX_ITEM_NAME, MAX_REDEEM_QUANTITY, PointsItemInput,
    RedemptionInput,
};
pub use champions::ranking;
pub use ledger::{
    EXPIRING_SOON_DAYS, LedgerEntry, LedgerKind, MAX_ENTRY_POINTS, PointsLot, PointsStatement,
    StatementEvent, StatementLine, redeemable, statement,
};
pub use scheme::{
    MAX_POINTS_RATIO, POINTS_RATIO_SCALE, PointsSchemeDraft, PointsSchemeInput, basic_points,
    in_force,
};
