//! Order review (审核, ORD-4) and credit control (FIN-6) as one pure
//! function. Sales review checks prices against the price list, the payment
//! terms against the customer's class, and the customer's credit; finance
//! review checks credit again and decides between approval and the joint
//! review. Every rule that fires is reported as a finding; the route says
//! where the order goes next (see [`Route::event`] for the state machine).
//!
//! Order of precedence: errors (return to the clerk) > unapproved price
//! deviations > credit hold > next step.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Money;
use crate::access::string_enum;
use crate::customer_hold::CustomerHold;
use crate::master::{CustomerKind, PaymentTerms};
use crate::validation::ValidationErrors;

use super::joint::Department;
use super::pricing::PricedOrder;
use super::status::OrderEvent;

/// What review needs to know about the customer's credit, as of now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerCredit {
    pub kind: CustomerKind,
    pub credit_limit: Money,
    /// Invoiced or shipped but not yet paid, less money not yet matched:
    /// the ledger's credit in use (ADR 0021).
    pub open_receivables: Money,
    /// The customer's other orders that hold credit (not this one).
    pub open_orders_amount: Money,
    /// Days the customer's oldest open invoice is past its due date (0:
    /// none is; ADR 0028).
    pub max_days_overdue: u32,
    /// Finance's hold on the customer, if one holds: every order stops at
    /// review (FIN-6), and the finding says by whom, since when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<CustomerHold>,
}

impl CustomerCredit {
    /// Finance stopped the customer (FIN-6).
    pub fn on_hold(&self) -> bool {
        self.hold.is_some()
    }
}

/// The payment terms a class of customer may use (FIN-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllowedTerms {
    pub kind: CustomerKind,
    pub terms: Vec<PaymentTerms>,
}

/// Review settings; data, changed by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ReviewSettings {
    /// Orders of at least this amount (VAT included) need the joint review.
    pub joint_review_threshold: Money,
    /// Who reviews jointly (default: sales, finance, warehouse, logistics).
    pub joint_review_departments: Vec<Department>,
    /// Overdue debt up to this many days is a warning; beyond, a credit hold.
    pub overdue_tolerance_days: u32,
    /// No longer read: overdue days come from the invoices' due dates,
    /// which `[finance]` and the customer's terms decide (ADR 0028). Still
    /// accepted so that a kaidan.toml that sets it keeps loading.
    #[serde(default = "default_settlement_days")]
    pub settlement_days: u32,
    /// Warn when the exposure is above this percentage of the credit limit.
    pub credit_warning_percent: u32,
    /// Payment terms that give credit, so the limit applies (default: all
    /// but prepayment).
    pub credit_checked_terms: Vec<PaymentTerms>,
    /// Allowed terms per customer kind; a kind not listed may use any terms.
    pub allowed_terms: Vec<AllowedTerms>,
}

fn default_settlement_days() -> u32 {
    30
}

impl Default for ReviewSettings {
    fn default() -> Self {
        use PaymentTerms::*;
        let internal = [MonthlySettlement];
        ReviewSettings {
            joint_review_threshold: Money::yuan(500_000),
            joint_review_departments: Department::ALL.to_vec(),
            overdue_tolerance_days: 30,
            settlement_days: default_settlement_days(),
            credit_warning_percent: 90,
            credit_checked_terms: vec![CashOnDelivery, MonthlySettlement, NetDays],
            allowed_terms: vec![
                AllowedTerms {
                    kind: CustomerKind::Franchisee,
                    terms: vec![Prepayment, MonthlySettlement],
                },
                AllowedTerms {
                    kind: CustomerKind::DirectRegion,
                    terms: internal.to_vec(),
                },
                AllowedTerms {
                    kind: CustomerKind::Affiliated,
                    terms: internal.to_vec(),
                },
                AllowedTerms {
                    kind: CustomerKind::Store,
                    terms: internal.to_vec(),
                },
                AllowedTerms {
                    kind: CustomerKind::Business,
                    terms: vec![Prepayment, CashOnDelivery, MonthlySettlement, NetDays],
                },
            ],
        }
    }
}

impl ReviewSettings {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.joint_review_threshold.is_negative() {
            e.negative("joint_review_threshold");
        }
        if self.joint_review_departments.is_empty() {
            e.add(
                "joint_review_departments",
                "required",
                "at least one department must review",
            );
        }
        if !(1..=100).contains(&self.credit_warning_percent) {
            e.add(
                "credit_warning_percent",
                "out_of_range",
                "must be between 1 and 100",
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, a) in self.allowed_terms.iter().enumerate() {
            if !seen.insert(a.kind) {
                e.duplicate(
                    format!("allowed_terms[{i}].kind"),
                    format!("{} is listed twice", a.kind),
                );
            }
            if a.terms.is_empty() {
                e.add(
                    format!("allowed_terms[{i}].terms"),
                    "required",
                    "at least one payment term",
                );
            }
        }
        e.into_result(self)
    }

    pub fn terms_allowed(&self, kind: CustomerKind, terms: PaymentTerms) -> bool {
        self.allowed_terms
            .iter()
            .find(|a| a.kind == kind)
            .is_none_or(|a| a.terms.contains(&terms))
    }
}

string_enum!(
    /// The review rules; a finding names the one that fired.
    ReviewRule {
        PriceDeviation = "price_deviation",
        PaymentTermsNotAllowed = "payment_terms_not_allowed",
        CustomerOnHold = "customer_on_hold",
        OverdueReceivables = "overdue_receivables",
        CreditLimitExceeded = "credit_limit_exceeded",
        CreditNearLimit = "credit_near_limit",
        CreditReleased = "credit_released",
        JointReviewAmount = "joint_review_amount",
        SpecialOrder = "special_order",
    }
);

string_enum!(
    /// How serious a finding is.
    Severity {
        /// For the record.
        Info = "info",
        /// Look at it; the order goes on.
        Warning = "warning",
        /// Someone must approve or release before the order goes on.
        Hold = "hold",
        /// The order must be corrected: it goes back to the clerk.
        Error = "error",
    }
);

string_enum!(
    /// Why an order is held for credit.
    CreditHoldReason {
        CustomerOnHold = "customer_on_hold",
        Overdue = "overdue",
        OverLimit = "over_limit",
    }
);

string_enum!(
    /// Which review is being done.
    ReviewStage {
        Sales = "sales",
        Finance = "finance",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: ReviewRule,
    pub severity: Severity,
    pub message: String,
    /// The field concerned, e.g. `lines[1].unit_price`.
    pub field: Option<String>,
}

/// Where the order goes after this review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// Back to the clerk: something must be corrected (see the findings).
    Reject,
    /// Waits in review for a sales manager to approve these lines' prices.
    NeedsPriceApproval {
        lines: Vec<u32>,
    },
    CreditHold {
        reasons: Vec<CreditHoldReason>,
        exposure: Money,
        limit: Money,
    },
    /// Sales review passed; finance reviews next.
    FinanceReview,
    JointReview {
        required: Vec<Department>,
    },
    Approve,
}

impl Route {
    /// The state-machine event this route fires, if any (a price approval
    /// keeps the order in review).
    pub fn event(&self) -> Option<OrderEvent> {
        match self {
            Route::Reject => Some(OrderEvent::Reject),
            Route::NeedsPriceApproval { .. } => None,
            Route::CreditHold { .. } => Some(OrderEvent::CreditExceeded),
            Route::FinanceReview => Some(OrderEvent::SalesPassed),
            Route::JointReview { .. } => Some(OrderEvent::NeedsJointReview),
            Route::Approve => Some(OrderEvent::FinancePassed),
        }
    }
}

/// The customer's credit position including this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditExposure {
    pub limit: Money,
    pub open_receivables: Money,
    pub open_orders: Money,
    pub this_order: Money,
    /// open receivables + open orders + this order.
    pub exposure: Money,
    /// limit − exposure; negative when over the limit.
    pub headroom: Money,
    /// Whether the limit applies (the order's terms give credit).
    pub checked: bool,
}

impl CreditExposure {
    pub fn new(order: &PricedOrder, c: &CustomerCredit, checked: bool) -> Self {
        let exposure = c.open_receivables + c.open_orders_amount + order.totals.amount;
        CreditExposure {
            limit: c.credit_limit,
            open_receivables: c.open_receivables,
            open_orders: c.open_orders_amount,
            this_order: order.totals.amount,
            exposure,
            headroom: c.credit_limit - exposure,
            checked,
        }
    }

    pub fn over_limit(&self) -> bool {
        self.checked && self.exposure > self.limit
    }

    /// Above `percent` % of the limit but not over it.
    pub fn near_limit(&self, percent: u32) -> bool {
        self.checked
            && !self.over_limit()
            && self.exposure.is_positive()
            && self.exposure.decimal() * Decimal::from(100)
                > self.limit.decimal() * Decimal::from(percent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewOutcome {
    pub stage: ReviewStage,
    pub findings: Vec<Finding>,
    pub credit: CreditExposure,
    pub route: Route,
}

impl ReviewOutcome {
    pub fn has(&self, rule: ReviewRule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

/// Reviews `order` at `stage`. `credit_released` is set when finance has
/// released this order's credit hold: over-limit and overdue findings become
/// warnings. A customer on hold is never released per order (finance lifts
/// the customer's hold first).
pub fn review(
    order: &PricedOrder,
    customer: &CustomerCredit,
    settings: &ReviewSettings,
    stage: ReviewStage,
    credit_released: bool,
) -> ReviewOutcome {
    let mut findings = Vec::new();
    let mut add = |rule, severity, field: Option<String>, message: String| {
        findings.push(Finding {
            rule,
            severity,
            message,
            field,
        })
    };

    // Prices against the price list (ORD-4).
    for (i, line) in order.lines.iter().enumerate() {
        if line.deviates {
            let approved = !line.needs_price_approval();
            add(
                ReviewRule::PriceDeviation,
                if approved {
                    Severity::Info
                } else {
                    Severity::Hold
                },
                Some(format!("lines[{i}].unit_price")),
                format!(
                    "{} {}: price {} differs from the reference price {}{}",
                    line.sku,
                    line.name,
                    line.unit_price,
                    line.reference_price,
                    if approved {
                        " (approved by a sales manager)"
                    } else {
                        "; a sales manager must approve it"
                    }
                ),
            );
        }
    }

    // Payment terms per customer class (FIN-2).
    if !settings.terms_allowed(customer.kind, order.payment_terms) {
        add(
            ReviewRule::PaymentTermsNotAllowed,
            Severity::Error,
            Some("payment_terms".into()),
            format!(
                "{} customers may not use {} terms",
                customer.kind, order.payment_terms
            ),
        );
    }

    // Credit (ORD-4, FIN-6).
    let credit = CreditExposure::new(
        order,
        customer,
        settings.credit_checked_terms.contains(&order.payment_terms),
    );
    let overdue = customer.max_days_overdue > settings.overdue_tolerance_days;
    let over_limit = credit.over_limit();
    // Finance lifts a customer's hold itself; overdue debt and an exceeded
    // limit hold the order until finance releases it.
    let hold: Vec<CreditHoldReason> = [
        (customer.on_hold(), CreditHoldReason::CustomerOnHold),
        (overdue && !credit_released, CreditHoldReason::Overdue),
        (over_limit && !credit_released, CreditHoldReason::OverLimit),
    ]
    .into_iter()
    .filter_map(|(held, reason)| held.then_some(reason))
    .collect();
    if let Some(hold) = &customer.hold {
        add(
            ReviewRule::CustomerOnHold,
            Severity::Hold,
            None,
            hold.explain(),
        );
    }
    let releasable = if credit_released {
        Severity::Warning
    } else {
        Severity::Hold
    };
    if overdue {
        add(
            ReviewRule::OverdueReceivables,
            releasable,
            None,
            format!(
                "receivables are {} days overdue (tolerance {} days)",
                customer.max_days_overdue, settings.overdue_tolerance_days
            ),
        );
    } else if customer.max_days_overdue > 0 {
        add(
            ReviewRule::OverdueReceivables,
            Severity::Warning,
            None,
            format!(
                "receivables are {} days overdue (within the tolerance of {} days)",
                customer.max_days_overdue, settings.overdue_tolerance_days
            ),
        );
    }
    if over_limit {
        add(
            ReviewRule::CreditLimitExceeded,
            releasable,
            None,
            format!(
                "exposure {} (receivables {} + open orders {} + this order {}) exceeds the credit limit {} by {}",
                credit.exposure,
                credit.open_receivables,
                credit.open_orders,
                credit.this_order,
                credit.limit,
                -credit.headroom
            ),
        );
    } else if credit.near_limit(settings.credit_warning_percent) {
        add(
            ReviewRule::CreditNearLimit,
            Severity::Warning,
            None,
            format!(
                "exposure {} is above {}% of the credit limit {}; {} left",
                credit.exposure, settings.credit_warning_percent, credit.limit, credit.headroom
            ),
        );
    }
    if credit_released && !customer.on_hold() {
        add(
            ReviewRule::CreditReleased,
            Severity::Info,
            None,
            "finance released the credit hold of this order".into(),
        );
    }

    // Joint review (ORD-4), decided by finance.
    let big = order.totals.amount >= settings.joint_review_threshold;
    if stage == ReviewStage::Finance {
        if big {
            add(
                ReviewRule::JointReviewAmount,
                Severity::Info,
                None,
                format!(
                    "amount {} is at least the joint-review threshold {}",
                    order.totals.amount, settings.joint_review_threshold
                ),
            );
        }
        if order.special {
            add(
                ReviewRule::SpecialOrder,
                Severity::Info,
                None,
                "the order is flagged special".into(),
            );
        }
    }

    let unapproved = order.unapproved_deviations();
    let route = if findings.iter().any(|f| f.severity == Severity::Error) {
        Route::Reject
    } else if !unapproved.is_empty() {
        Route::NeedsPriceApproval { lines: unapproved }
    } else if !hold.is_empty() {
        Route::CreditHold {
            reasons: hold,
            exposure: credit.exposure,
            limit: credit.limit,
        }
    } else {
        match stage {
            ReviewStage::Sales => Route::FinanceReview,
            ReviewStage::Finance if big || order.special => Route::JointReview {
                required: settings.joint_review_departments.clone(),
            },
            ReviewStage::Finance => Route::Approve,
        }
    };
    ReviewOutcome {
        stage,
        findings,
        credit,
        route,
    }
}
