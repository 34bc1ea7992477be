//! ORD-4, FIN-2, FIN-6: review rules, credit control, routes, joint review.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::order_support;

use jiff::Timestamp;
use kaidan_domain::customer_hold::CustomerHold;
use kaidan_domain::master::{CustomerKind, PaymentTerms};
use kaidan_domain::orders::{
    CreditHoldReason, CustomerCredit, Decision, Department, JointDecision, JointReview,
    JointReviewError, JointStatus, OrderEvent, OrderStatus, PriceApproval, ReviewOutcome,
    ReviewRule, ReviewSettings, ReviewStage, Route, Severity, review,
};
use kaidan_domain::{CustomerId, Money, Role, UserId};
use order_support::*;

/// Monthly settlement, limit 10 000, 6 000 receivables, nothing overdue.
fn customer() -> CustomerCredit {
    CustomerCredit {
        kind: CustomerKind::Franchisee,
        credit_limit: m("10000"),
        open_receivables: m("6000"),
        open_orders_amount: Money::ZERO,
        max_days_overdue: 0,
        hold: None,
    }
}

fn settings() -> ReviewSettings {
    ReviewSettings {
        joint_review_threshold: m("5000"),
        ..ReviewSettings::default()
    }
}

/// The standard customer with `amount` of other open orders.
fn with_open_orders(amount: &str) -> CustomerCredit {
    CustomerCredit {
        open_orders_amount: m(amount),
        ..customer()
    }
}

/// Sales review of the list-priced order under the standard settings.
fn sales_review(c: &CustomerCredit) -> ReviewOutcome {
    review(&priced_at_list(), c, &settings(), ReviewStage::Sales, false)
}

/// Finance review of the list-priced order under the standard settings.
fn finance_review(c: &CustomerCredit, credit_released: bool) -> ReviewOutcome {
    review(
        &priced_at_list(),
        c,
        &settings(),
        ReviewStage::Finance,
        credit_released,
    )
}

fn rules(o: &ReviewOutcome) -> Vec<(ReviewRule, Severity)> {
    o.findings.iter().map(|f| (f.rule, f.severity)).collect()
}

#[test]
fn ord_4_clean_order_passes_sales_then_finance() {
    let o = priced_at_list(); // 1787.00, no deviation
    let sales = review(&o, &customer(), &settings(), ReviewStage::Sales, false);
    assert!(sales.findings.is_empty(), "{:?}", sales.findings);
    assert_eq!(sales.route, Route::FinanceReview);
    let fin = review(&o, &customer(), &settings(), ReviewStage::Finance, false);
    assert_eq!(fin.route, Route::Approve);
    // The routes drive the state machine.
    let s = OrderStatus::InReview
        .apply(sales.route.event().unwrap())
        .and_then(|s| s.apply(fin.route.event().unwrap()))
        .unwrap();
    assert_eq!(s, OrderStatus::Approved);
}

#[test]
fn ord_4_price_deviation_routes_to_sales_manager_approval() {
    let mut o = priced(); // line 2 at 280 instead of 299
    let out = review(&o, &customer(), &settings(), ReviewStage::Sales, false);
    assert_eq!(out.route, Route::NeedsPriceApproval { lines: vec![2] });
    assert_eq!(out.route.event(), None);
    assert_eq!(rules(&out), [(ReviewRule::PriceDeviation, Severity::Hold)]);
    assert_eq!(
        out.findings[0].field.as_deref(),
        Some("lines[1].unit_price")
    );
    assert!(
        out.findings[0].message.contains("299.00"),
        "{}",
        out.findings[0].message
    );

    o.approve_price(
        2,
        PriceApproval {
            approved_price: m("280"),
            by: UserId(3),
            role: Role::SalesManager,
            at: Timestamp::UNIX_EPOCH,
        },
    )
    .unwrap();
    let out = review(&o, &customer(), &settings(), ReviewStage::Sales, false);
    assert_eq!(out.route, Route::FinanceReview);
    assert_eq!(rules(&out), [(ReviewRule::PriceDeviation, Severity::Info)]);
}

#[test]
fn fin_6_over_limit_goes_to_credit_hold() {
    // 6000 receivables + 2500 open orders + 1787 this order = 10 287 > 10 000.
    let c = with_open_orders("2500");
    let out = sales_review(&c);
    assert_eq!(
        out.route,
        Route::CreditHold {
            reasons: vec![CreditHoldReason::OverLimit],
            exposure: m("10287"),
            limit: m("10000"),
        }
    );
    assert_eq!(out.route.event(), Some(OrderEvent::CreditExceeded));
    assert_eq!(out.credit.headroom, m("-287"));
    assert_eq!(
        rules(&out),
        [(ReviewRule::CreditLimitExceeded, Severity::Hold)]
    );
    assert!(
        out.findings[0].message.contains("by 287.00"),
        "{}",
        out.findings[0].message
    );
}

#[test]
fn fin_6_warning_before_the_limit_is_exceeded() {
    // 6000 + 1500 + 1787 = 9287: above 90 % of 10 000, not over it.
    let c = with_open_orders("1500");
    let out = sales_review(&c);
    assert_eq!(out.route, Route::FinanceReview);
    assert_eq!(
        rules(&out),
        [(ReviewRule::CreditNearLimit, Severity::Warning)]
    );
    // Exactly at the limit is still within it.
    let at_limit = with_open_orders("2213");
    let out = sales_review(&at_limit);
    assert_eq!(out.credit.exposure, m("10000"));
    assert_eq!(out.route, Route::FinanceReview);
    // 6000 + 1787 = 7787 < 9000: no warning.
    let out = sales_review(&customer());
    assert!(!out.has(ReviewRule::CreditNearLimit));
}

#[test]
fn fin_6_overdue_beyond_tolerance_holds_within_tolerance_warns() {
    let late = CustomerCredit {
        max_days_overdue: 31,
        ..customer()
    };
    let out = sales_review(&late);
    assert!(matches!(
        &out.route,
        Route::CreditHold { reasons, .. } if reasons == &[CreditHoldReason::Overdue]
    ));
    let tolerated = CustomerCredit {
        max_days_overdue: 30,
        ..customer()
    };
    let out = sales_review(&tolerated);
    assert_eq!(out.route, Route::FinanceReview);
    assert_eq!(
        rules(&out),
        [(ReviewRule::OverdueReceivables, Severity::Warning)]
    );
}

#[test]
fn fin_6_customer_on_hold_stops_at_review_even_after_a_release() {
    let held = CustomerCredit {
        hold: Some(CustomerHold {
            id: 1,
            customer_id: CustomerId(1),
            reason: "payment overdue".into(),
            held_by: UserId(4),
            held_by_name: "caiwu".into(),
            held_at: "2024-03-01T02:00:00Z".parse().unwrap(),
            released_by: None,
            released_by_name: None,
            released_at: None,
        }),
        open_orders_amount: m("5000"),
        ..customer()
    };
    let out = sales_review(&held);
    // The finding says who held the customer, since when and why.
    let finding = out
        .findings
        .iter()
        .find(|f| f.rule == ReviewRule::CustomerOnHold)
        .unwrap();
    assert!(
        finding.message.contains("caiwu") && finding.message.contains("payment overdue"),
        "{}",
        finding.message
    );
    assert!(matches!(
        &out.route,
        Route::CreditHold { reasons, .. }
            if reasons == &[CreditHoldReason::CustomerOnHold, CreditHoldReason::OverLimit]
    ));
    let out = finance_review(&held, true);
    assert!(matches!(
        &out.route,
        Route::CreditHold { reasons, .. } if reasons == &[CreditHoldReason::CustomerOnHold]
    ));
}

#[test]
fn fin_6_finance_release_lets_an_over_limit_order_through_with_a_warning() {
    let c = with_open_orders("2500");
    let out = finance_review(&c, true);
    assert_eq!(out.route, Route::Approve);
    assert_eq!(
        rules(&out),
        [
            (ReviewRule::CreditLimitExceeded, Severity::Warning),
            (ReviewRule::CreditReleased, Severity::Info),
        ]
    );
}

#[test]
fn fin_2_payment_terms_not_allowed_for_the_customer_class_go_back() {
    let mut o = priced(); // also has an unapproved deviation: errors come first
    o.payment_terms = PaymentTerms::CashOnDelivery;
    let out = review(&o, &customer(), &settings(), ReviewStage::Sales, false);
    assert_eq!(out.route, Route::Reject);
    assert_eq!(out.route.event(), Some(OrderEvent::Reject));
    assert!(out.has(ReviewRule::PaymentTermsNotAllowed));
    let f = out
        .findings
        .iter()
        .find(|f| f.rule == ReviewRule::PaymentTermsNotAllowed)
        .unwrap();
    assert_eq!(f.field.as_deref(), Some("payment_terms"));
    assert_eq!(f.severity, Severity::Error);
}

/// FIN-2 (ADR 0028): by default business customers may buy on net days,
/// and such orders give credit, so the limit applies; franchisees and the
/// company's own outlets may not.
#[test]
fn fin_2_net_days_are_for_business_customers_and_credit_checked() {
    let s = settings();
    assert!(s.terms_allowed(CustomerKind::Business, PaymentTerms::NetDays));
    for kind in [
        CustomerKind::Franchisee,
        CustomerKind::DirectRegion,
        CustomerKind::Affiliated,
        CustomerKind::Store,
    ] {
        assert!(!s.terms_allowed(kind, PaymentTerms::NetDays), "{kind}");
    }
    let mut o = priced_at_list();
    o.payment_terms = PaymentTerms::NetDays;
    let business = CustomerCredit {
        kind: CustomerKind::Business,
        credit_limit: m("100"),
        ..customer()
    };
    let out = review(&o, &business, &s, ReviewStage::Sales, false);
    assert!(out.credit.checked);
    assert!(matches!(
        &out.route,
        Route::CreditHold { reasons, .. } if reasons == &[CreditHoldReason::OverLimit]
    ));
    let out = review(&o, &customer(), &s, ReviewStage::Sales, false);
    assert_eq!(out.route, Route::Reject);
    assert!(out.has(ReviewRule::PaymentTermsNotAllowed));
}

#[test]
fn fin_2_prepaid_orders_are_not_held_against_the_credit_limit() {
    let mut o = priced_at_list();
    o.payment_terms = PaymentTerms::Prepayment;
    let broke = CustomerCredit {
        credit_limit: Money::ZERO,
        ..customer()
    };
    let out = review(&o, &broke, &settings(), ReviewStage::Sales, false);
    assert_eq!(out.route, Route::FinanceReview);
    assert!(!out.credit.checked);
}

#[test]
fn ord_4_joint_review_at_the_threshold_or_when_special() {
    let list_priced =
        |s: &ReviewSettings, stage| review(&priced_at_list(), &customer(), s, stage, false);
    let mut s = settings();
    s.joint_review_threshold = m("1787"); // exactly the order amount
    let out = list_priced(&s, ReviewStage::Finance);
    assert_eq!(
        out.route,
        Route::JointReview {
            required: vec![
                Department::Sales,
                Department::Finance,
                Department::Warehouse,
                Department::Logistics
            ]
        }
    );
    assert_eq!(out.route.event(), Some(OrderEvent::NeedsJointReview));
    assert!(out.has(ReviewRule::JointReviewAmount));
    // Sales review never routes to the joint review itself.
    let sales = list_priced(&s, ReviewStage::Sales);
    assert_eq!(sales.route, Route::FinanceReview);

    s.joint_review_threshold = m("1787.01");
    let out = list_priced(&s, ReviewStage::Finance);
    assert_eq!(out.route, Route::Approve);
    let mut special = priced_at_list();
    special.special = true;
    let out = review(&special, &customer(), &s, ReviewStage::Finance, false);
    assert!(matches!(out.route, Route::JointReview { .. }));
    assert!(out.has(ReviewRule::SpecialOrder));
}

#[test]
fn ord_4_settings_are_validated_and_serialize() {
    let mut s = ReviewSettings::default();
    assert!(s.clone().validate().is_ok());
    s.credit_warning_percent = 0;
    s.joint_review_departments.clear();
    s.allowed_terms.push(s.allowed_terms[0].clone());
    let err = s.validate().unwrap_err();
    let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "joint_review_departments",
            "credit_warning_percent",
            "allowed_terms[5].kind"
        ]
    );
    let json = serde_json::to_value(ReviewSettings::default()).unwrap();
    assert_eq!(json["joint_review_threshold"], "500000");
    assert_eq!(json["allowed_terms"][0]["kind"], "franchisee");
}

/// An approval in the department's own role.
fn approve(dept: Department) -> JointDecision {
    decision(dept, dept.role(), Decision::Approve)
}

/// A rejection, with its comment, in the department's own role.
fn reject(dept: Department) -> JointDecision {
    decision(dept, dept.role(), Decision::Reject)
}

fn decision(dept: Department, role: Role, d: Decision) -> JointDecision {
    JointDecision {
        department: dept,
        by: UserId(10),
        role,
        at: "2026-11-20T02:00:00Z".parse().unwrap(),
        decision: d,
        comment: (d == Decision::Reject).then(|| "库存不足".to_string()),
    }
}

#[test]
fn ord_4_joint_review_complete_when_every_department_approved() {
    let mut j = JointReview::new(Department::ALL.iter().copied());
    for d in [
        Department::Sales,
        Department::Finance,
        Department::Warehouse,
    ] {
        assert_eq!(
            j.record(decision(d, d.role(), Decision::Approve)).unwrap(),
            JointStatus::Pending
        );
    }
    assert_eq!(j.waiting_for(), [Department::Logistics]);
    assert_eq!(
        j.record(approve(Department::Logistics)).unwrap(),
        JointStatus::Approved
    );
    assert_eq!(
        j.record(approve(Department::Sales)),
        Err(JointReviewError::Closed(JointStatus::Approved))
    );
}

#[test]
fn ord_4_any_joint_rejection_rejects() {
    let mut j = JointReview::new([Department::Sales, Department::Warehouse]);
    j.record(approve(Department::Sales)).unwrap();
    let mut no_reason = reject(Department::Warehouse);
    no_reason.comment = Some(" ".into());
    assert_eq!(j.record(no_reason), Err(JointReviewError::CommentRequired));
    assert_eq!(
        j.record(reject(Department::Warehouse)).unwrap(),
        JointStatus::Rejected
    );
    assert_eq!(j.rejection().unwrap().department, Department::Warehouse);
}

#[test]
fn ord_4_joint_review_checks_who_decides() {
    let mut j = JointReview::new([Department::Sales, Department::Finance]);
    assert_eq!(
        j.record(decision(
            Department::Finance,
            Role::SalesRep,
            Decision::Approve
        )),
        Err(JointReviewError::WrongRole {
            department: Department::Finance,
            role: Role::SalesRep
        })
    );
    assert_eq!(
        j.record(approve(Department::Logistics)),
        Err(JointReviewError::NotRequired(Department::Logistics))
    );
    j.record(approve(Department::Sales)).unwrap();
    assert_eq!(
        j.record(approve(Department::Sales)),
        Err(JointReviewError::AlreadyDecided(Department::Sales))
    );
    assert_eq!(j.status(), JointStatus::Pending);
}
