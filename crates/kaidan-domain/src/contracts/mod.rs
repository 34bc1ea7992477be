//! Sales contracts (销售合同, CON-1, CON-2): the terms seed 001 lists, the
//! review — legal, then finance, then the general manager — where nobody
//! reviews his own draft and no step is skipped, and the statuses from
//! draft to in force.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

mod against;
mod loans;
mod supplements;

pub use against::{ContractProgress, OrderedLine, ProgressLine, check_against};
pub use loans::{LoanInput, MAX_LOAN_DAYS};
pub use supplements::{BreachBy, SupplementContent, SupplementKind, SupplementStatus};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, Permission, ProductId, UserId};

pub const MAX_CONTRACT_LINES: usize = 200;
pub const MAX_CLAUSE: usize = 4000;
pub const MAX_TITLE: usize = 200;
pub const MAX_INSTALMENTS: usize = 24;
/// The longest collection period a contract may give (a year).
pub const MAX_COLLECTION_DAYS: u32 = 365;
/// Late-payment interest per day, in ten-thousandths (万分之), at most 1 %.
pub const MAX_LATE_INTEREST_BP: u32 = 100;

string_enum!(
    /// Where a contract stands (CON-2).
    ContractStatus {
        /// Being written by sales; the only status its terms change in.
        Draft = "draft",
        /// With legal, finance or the general manager.
        InReview = "in_review",
        /// Approved by the general manager; to be signed.
        Approved = "approved",
        /// Signed by both parties; the signed copy is kept.
        Signed = "signed",
        /// In force: orders may be placed against it.
        InForce = "in_force",
        Completed = "completed",
        Terminated = "terminated",
    }
);

impl ContractStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ContractStatus::Draft => "草稿",
            ContractStatus::InReview => "审核中",
            ContractStatus::Approved => "已批准",
            ContractStatus::Signed => "已签订",
            ContractStatus::InForce => "履行中",
            ContractStatus::Completed => "已完成",
            ContractStatus::Terminated => "已终止",
        }
    }
}

string_enum!(
    /// The review steps, in their order (CON-1; seed 002 for finance).
    ReviewStep {
        Legal = "legal",
        Finance = "finance",
        GeneralManager = "general_manager",
    }
);

impl ReviewStep {
    /// The step after this one; none after the general manager.
    pub fn next(self) -> Option<ReviewStep> {
        match self {
            ReviewStep::Legal => Some(ReviewStep::Finance),
            ReviewStep::Finance => Some(ReviewStep::GeneralManager),
            ReviewStep::GeneralManager => None,
        }
    }

    /// Who may take the step.
    pub fn permission(self) -> Permission {
        match self {
            ReviewStep::Legal => Permission::ContractReviewLegal,
            ReviewStep::Finance => Permission::ContractReviewFinance,
            ReviewStep::GeneralManager => Permission::ContractApprove,
        }
    }

    /// Where a decision at this step leads: back to draft, on to the next
    /// step, or approved after the last.
    pub fn outcome(self, approve: bool) -> ReviewOutcome {
        match (approve, self.next()) {
            (false, _) => ReviewOutcome::SentBack,
            (true, Some(next)) => ReviewOutcome::Next(next),
            (true, None) => ReviewOutcome::Approved,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReviewStep::Legal => "法务审核",
            ReviewStep::Finance => "财务审核",
            ReviewStep::GeneralManager => "总经理审批",
        }
    }
}

/// Where a review decision leads a contract or a supplementary agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// Back to draft, with the comment.
    SentBack,
    /// On to this step.
    Next(ReviewStep),
    /// The general manager approved.
    Approved,
}

impl ReviewOutcome {
    /// The step's event and audit action.
    pub fn action(self) -> &'static str {
        match self {
            ReviewOutcome::SentBack => "returned",
            ReviewOutcome::Next(_) => "reviewed",
            ReviewOutcome::Approved => "approved",
        }
    }

    /// The step awaited next, if any.
    pub fn awaiting(self) -> Option<ReviewStep> {
        match self {
            ReviewOutcome::Next(s) => Some(s),
            _ => None,
        }
    }
}

string_enum!(
    /// How disputes are settled.
    Dispute {
        /// 仲裁: before the arbitration commission named.
        Arbitration = "arbitration",
        /// 诉讼: before the court named.
        Court = "court",
    }
);

/// A product line of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractLine {
    pub product_id: ProductId,
    /// The specification agreed (规格型号), beyond the product's own.
    #[serde(default)]
    pub spec: String,
    pub quantity: i64,
    pub unit_price: Money,
}

/// A payment instalment (分期付款, seed 003): a share of the amount, due
/// some days after signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    pub due_days: u32,
    /// Percent of the contract's amount (the instalments sum to 100).
    pub percent: u32,
}

/// The terms of a contract (seed 001: parties, products and
/// specifications, quantities, quality standard, prices, payment terms and
/// schedule, delivery, after-sales and warranty, liability for breach,
/// dispute resolution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractTerms {
    /// The buyer; the seller is the company.
    pub customer_id: CustomerId,
    pub title: String,
    pub lines: Vec<ContractLine>,
    pub quality_standard: String,
    pub payment_terms: String,
    #[serde(default)]
    pub instalments: Vec<Instalment>,
    pub delivery_terms: String,
    pub after_sales: String,
    pub breach_liability: String,
    /// Late-payment interest per day, 万分之 (5 = 0.05 % a day).
    #[serde(default)]
    pub late_interest_bp: u32,
    pub dispute: Dispute,
    /// The arbitration commission or the court.
    pub dispute_venue: String,
    /// Days from signing within which the money is collected (seed 001:
    /// 30; FIN-4).
    #[serde(default = "default_collection")]
    pub collection_days: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(default)]
    pub starts_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(default)]
    pub ends_on: Option<Date>,
}

fn default_collection() -> u32 {
    30
}

impl ContractTerms {
    /// Every field within its bounds, each problem named; the texts
    /// trimmed. The amount is checked to fit (ADR 0024).
    pub fn check(&self) -> Result<ContractTerms, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = e.text("title", &self.title, MAX_TITLE);
        let mut clause = |field: &str, v: &str| e.text(field, v, MAX_CLAUSE);
        let quality_standard = clause("quality_standard", &self.quality_standard);
        let payment_terms = clause("payment_terms", &self.payment_terms);
        let delivery_terms = clause("delivery_terms", &self.delivery_terms);
        let after_sales = clause("after_sales", &self.after_sales);
        let breach_liability = clause("breach_liability", &self.breach_liability);
        let dispute_venue = e.text("dispute_venue", &self.dispute_venue, MAX_TITLE);
        if self.lines.is_empty() {
            e.add("lines", "required", "a contract names at least one product");
        }
        if self.lines.len() > MAX_CONTRACT_LINES {
            e.add(
                "lines",
                "too_many",
                format!("at most {MAX_CONTRACT_LINES} lines"),
            );
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            if l.quantity < 1 {
                e.add(
                    format!("lines[{i}].quantity"),
                    "out_of_range",
                    "must be at least 1",
                );
            } else {
                e.quantity_too_large(format!("lines[{i}].quantity"), l.quantity);
            }
            if l.unit_price.is_negative() {
                e.negative(format!("lines[{i}].unit_price"));
            }
            let spec = e.trimmed(&format!("lines[{i}].spec"), &l.spec, MAX_TITLE);
            lines.push(ContractLine { spec, ..l.clone() });
        }
        e.once_each(
            self.lines.iter().map(|l| l.product_id),
            |i| format!("lines[{i}].product_id"),
            "product",
        );
        if Money::checked_sum(
            self.lines
                .iter()
                .map(|l| l.unit_price.checked_times(l.quantity).unwrap_or(Money::MAX)),
        )
        .is_none_or(|m| m > Money::MAX)
        {
            e.add(
                "lines",
                "too_large",
                "the contract's amount is beyond what Kaidan holds",
            );
        }
        if self.instalments.len() > MAX_INSTALMENTS {
            e.add(
                "instalments",
                "too_many",
                format!("at most {MAX_INSTALMENTS}"),
            );
        }
        if !self.instalments.is_empty() {
            let total: u64 = self.instalments.iter().map(|i| u64::from(i.percent)).sum();
            if total != 100 {
                e.add(
                    "instalments",
                    "not_balanced",
                    format!("the instalments come to {total} %, not 100 %"),
                );
            }
            for (i, x) in self.instalments.iter().enumerate() {
                if x.percent == 0 || x.due_days > 3650 {
                    e.add(
                        format!("instalments[{i}]"),
                        "out_of_range",
                        "a share above 0 %, due within ten years",
                    );
                }
            }
        }
        if self.late_interest_bp > MAX_LATE_INTEREST_BP {
            e.add(
                "late_interest_bp",
                "out_of_range",
                format!("at most {MAX_LATE_INTEREST_BP} (1 % a day)"),
            );
        }
        if self.collection_days == 0 || self.collection_days > MAX_COLLECTION_DAYS {
            e.add(
                "collection_days",
                "out_of_range",
                format!("1 to {MAX_COLLECTION_DAYS} days"),
            );
        }
        if let (Some(s), Some(t)) = (self.starts_on, self.ends_on)
            && t < s
        {
            e.add(
                "ends_on",
                "out_of_range",
                format!("{t} is before the start {s}"),
            );
        }
        e.into_result(ContractTerms {
            title,
            lines,
            quality_standard,
            payment_terms,
            delivery_terms,
            after_sales,
            breach_liability,
            dispute_venue,
            ..self.clone()
        })
    }

    /// Σ quantity × unit price (checked by [`ContractTerms::check`]).
    pub fn amount(&self) -> Money {
        Money::checked_sum(
            self.lines
                .iter()
                .map(|l| l.unit_price.checked_times(l.quantity).unwrap_or(Money::MAX)),
        )
        .unwrap_or(Money::MAX)
    }
}

/// One review decision, as the contract keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRecord {
    pub step: ReviewStep,
    pub approved: bool,
    pub comment: String,
    pub by: UserId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: jiff::Timestamp,
    /// The version of the terms decided on.
    pub version: i64,
}

/// Why `actor` may not take review step `step` now, or None: the document
/// (a contract or a supplementary agreement, whose status is `status`) must
/// be in review at exactly that step (none is skipped), and nobody reviews
/// the draft he wrote.
pub fn review_refusal(
    in_review: bool,
    status: &str,
    awaiting: Option<ReviewStep>,
    step: ReviewStep,
    drafter: UserId,
    actor: UserId,
) -> Option<(&'static str, String)> {
    if !in_review {
        return Some((
            "illegal_transition",
            format!("it is {status}, not in review"),
        ));
    }
    if awaiting != Some(step) {
        let waiting = awaiting.map_or("nothing".to_string(), |s| s.to_string());
        return Some((
            "out_of_turn",
            format!("it waits for {waiting}; {step} cannot come before it"),
        ));
    }
    if drafter == actor {
        return Some((
            "own_draft",
            "nobody reviews or approves what he drafted".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn terms() -> ContractTerms {
        ContractTerms {
            customer_id: CustomerId(1),
            title: " 2027 年度加盟供货合同 ".into(),
            lines: vec![ContractLine {
                product_id: ProductId(1),
                spec: "M".into(),
                quantity: 100,
                unit_price: Money::yuan(80),
            }],
            quality_standard: "GB/T 8878-2014".into(),
            payment_terms: "货到30天内付清".into(),
            instalments: vec![
                Instalment {
                    due_days: 0,
                    percent: 30,
                },
                Instalment {
                    due_days: 30,
                    percent: 70,
                },
            ],
            delivery_terms: "卖方送货至买方门店".into(),
            after_sales: "质保一年,质量问题免费换货".into(),
            breach_liability: "逾期付款按日万分之五计息".into(),
            late_interest_bp: 5,
            dispute: Dispute::Arbitration,
            dispute_venue: "深圳国际仲裁院".into(),
            collection_days: 30,
            starts_on: None,
            ends_on: None,
        }
    }

    #[test]
    fn con_1_terms_are_checked_and_summed() {
        let t = terms().check().unwrap();
        assert_eq!(t.title, "2027 年度加盟供货合同");
        assert_eq!(t.amount(), Money::yuan(8000));
        let mut bad = terms();
        bad.instalments[1].percent = 60;
        bad.lines[0].quantity = 0;
        bad.breach_liability = " ".into();
        bad.late_interest_bp = 500;
        let e = bad.check().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        for f in [
            "breach_liability",
            "lines[0].quantity",
            "instalments",
            "late_interest_bp",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn con_1_review_runs_legal_finance_general_manager_and_never_by_the_drafter() {
        let (drafter, legal) = (UserId(1), UserId(2));
        let s = (true, "in_review");
        assert!(
            review_refusal(
                s.0,
                s.1,
                Some(ReviewStep::Legal),
                ReviewStep::Legal,
                drafter,
                legal
            )
            .is_none()
        );
        assert_eq!(
            review_refusal(
                s.0,
                s.1,
                Some(ReviewStep::Legal),
                ReviewStep::Finance,
                drafter,
                legal
            )
            .unwrap()
            .0,
            "out_of_turn"
        );
        assert_eq!(
            review_refusal(
                s.0,
                s.1,
                Some(ReviewStep::Legal),
                ReviewStep::Legal,
                drafter,
                drafter
            )
            .unwrap()
            .0,
            "own_draft"
        );
        assert_eq!(
            review_refusal(false, "draft", None, ReviewStep::Legal, drafter, legal)
                .unwrap()
                .0,
            "illegal_transition"
        );
        assert_eq!(ReviewStep::Legal.next(), Some(ReviewStep::Finance));
        assert_eq!(ReviewStep::GeneralManager.next(), None);
        assert_eq!(
            ReviewStep::Legal.outcome(true),
            ReviewOutcome::Next(ReviewStep::Finance)
        );
        assert_eq!(
            ReviewStep::GeneralManager.outcome(true).action(),
            "approved"
        );
        assert_eq!(ReviewStep::Finance.outcome(false).awaiting(), None);
    }
}
