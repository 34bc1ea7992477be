//! The order clerks' monthly assessment (KPI-6, seed 000 五、监督与考核;
//! ADR 0044): a computed part from the records (KPI-1 accuracy, KPI-2
//! on-time, complaints caused) and the supervisor's scored items, a total
//! out of 100 graded excellent (≥ 90), pass or failing (≤ 60, with a
//! rectification plan); two failing months in a row flagged; the year
//! from its months.

mod score;
mod year;

pub use score::{
    AssessmentInput, AssessmentStatus, COMPLAINT_DEDUCTION, ComputedPart, Grade, ITEM_MAX,
    MAX_COMPLAINT_DEDUCTION, RATE_POINTS, Score, due_day, score,
};
pub use year::{YearSummary, year_summary};
