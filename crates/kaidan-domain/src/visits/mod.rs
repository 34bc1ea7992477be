//! Customer visits (SAL-2, ADR 0040): a rep's monthly visit plan, approved
//! by his manager; a report of each visit within two days, with the things
//! promised tracked to done; counted per rep and month (KPI-5: visits and
//! inquiries).

mod customer_file;
mod plan;
mod report;

pub use customer_file::{CustomerFileInput, MAX_CONTACT, month_day};
pub use plan::{
    MAX_GIFTS, MAX_PLAN_VISITS, MAX_PROSPECT, MAX_VISIT_EXPENSE_YUAN, PlannedVisit,
    PlannedVisitInput, VisitPlanInput, VisitPlanStatus, VisitPurpose, month_start,
    submitted_in_time,
};
pub use report::{
    ActionInput, MAX_ACTION_TEXT, MAX_ACTIONS, MAX_INQUIRIES, MAX_REPORT_SUMMARY, REPORT_DUE_DAYS,
    VisitReportInput, report_is_late,
};
