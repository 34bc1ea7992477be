//! Sales targets (SAL-1, ADR 0039): the annual plan split to months,
//! teams, reps and regions; its completion over a year, quarter, month or
//! week against the time gone; the months missed and what was done about
//! them.

mod follow_up;
mod plan;
mod progress;
mod quantity;

pub use follow_up::{FollowUpInput, FollowUpKind, MAX_FOLLOW_UP_NOTE};
pub use plan::{
    MAX_TARGET_LINES, MAX_TARGET_YEAR, MIN_TARGET_YEAR, TargetBasis, TargetLine, TargetLineInput,
    TargetPlanDraft, TargetPlanInput, TargetStatus, TargetSubject, split_evenly,
};
pub use progress::{
    Pace, TargetPeriod, TargetSpan, completion_bp, elapsed_bp, gone_part, missed_months, pace,
    period_quantity, period_target, quantity_completion_bp, quantity_pace,
};
pub use quantity::{MAX_QUANTITY_TARGETS, QuantityTarget, QuantityTargetInput, split_quantity};
