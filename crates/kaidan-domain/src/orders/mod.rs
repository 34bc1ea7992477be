//! Sales orders: intake, pricing, review, credit, deadlines, numbering and
//! changes (ORD-1..8, CHG-1..3, FIN-5, FIN-6). Pure rules only. Decisions
//! are written down in docs/adr/0006-order-rules.md.

pub mod account;
pub mod changes;
pub mod channel;
pub mod deadline;
pub mod duplicate;
pub mod intake;
pub mod joint;
pub mod numbering;
pub mod pasted_lines;
pub mod pricing;
pub mod receivables;
pub mod review;
pub mod service;
pub mod shortage;
pub mod stage;
pub mod status;

pub use account::{AccountBalance, AccountEntry, AccountError, EntryKind, OrderCommitment};
pub use changes::{
    ChangeCause, ChangeKind, ChangeOutcome, ChangeRequest, ImpactAssessment, ImpactInput,
    LineProgress, OrderVersion, StockFact, StockImpact, apply_change, assess_impact, describe,
    diff_versions,
};
pub use channel::Channel;
pub use deadline::{
    Deadline, DeadlineKind, DeadlinePolicy, DeadlineRecord, DeadlineState, OrderDeadlines,
    company_time_zone, order_deadlines,
};
pub use duplicate::{DuplicateMatch, DuplicateReason, OrderFingerprint, find_duplicates};
pub use intake::{OrderInput, OrderLineInput, ValidLine, ValidOrder};
pub use joint::{Decision, Department, JointDecision, JointReview, JointReviewError, JointStatus};
pub use numbering::{
    NumberingError, OrderNumber, OrderNumberPattern, ParsedOrderNumber, PatternError,
};
pub use pricing::{
    CustomerDefaults, LineAmounts, OrderTotals, PriceApproval, PriceApprovalError, PriceBook,
    PriceSource, PricedLine, PricedOrder, ProductFacts, line_amounts, price_order,
};
pub use receivables::{days_overdue, owed};
pub use review::{
    AllowedTerms, CreditExposure, CreditHoldReason, CustomerCredit, Finding, ReviewOutcome,
    ReviewRule, ReviewSettings, ReviewStage, Route, Severity, review,
};
pub use service::{FillKey, WorkKey, promised_date};
pub use shortage::cut_short;
pub use stage::{OrderStage, StageFacts};
pub use status::{OrderEvent, OrderStatus, TransitionError};
