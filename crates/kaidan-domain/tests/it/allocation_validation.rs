//! Input validation of the allocation run (ALC-10: a run that cannot be
//! explained is refused, with every problem named).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::allocation_support;

use allocation_support::*;
use kaidan_domain::allocation::{
    InputError, Issue, Location, ProductSeason, ScenarioError, Tier, run, run_scenario_json,
};
use kaidan_domain::{OrderLineId, ProductId};

/// Product 1 (non-seasonal, launch 1, supply 10) and one franchisee of rank
/// 1: the frame for checks of a single line.
fn one_product(franchisee: i64, funds: &str, credit: &str) -> Scenario {
    Scenario::new("2024-04-02")
        .product(1, ProductSeason::None, 1, 10)
        .franchisee(franchisee, 1, funds, credit)
}

fn problems(sc: &Scenario) -> Vec<String> {
    let err: InputError = run(&sc.input).unwrap_err();
    err.problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn alc_10_validation_collects_every_problem_and_names_the_item() {
    let mut sc = Scenario::new("2024-04-02")
        .product(1, ProductSeason::None, 1, 10)
        .product(1, ProductSeason::None, 0, 5)
        .franchisee(7, 1, "100", "0")
        .franchisee(8, 0, "-5", "0")
        .line(17, 7, 99, 2, "10", "2024-03-01")
        .line(18, 70, 1, -2, "0", "2024-03-01")
        .line(18, 7, 1, 1, "-1", "2024-03-01")
        .region(1, "深圳")
        .spring_summer(&[1, 2, 1])
        .store(10, 3, Tier::A, 1)
        .stock(10, 1, -1, 0)
        .stock(11, 5, 1, 0)
        .need(1, 1, 2)
        .need(1, 1, -2);
    sc.input.settings.lock_period_days = 0;
    sc.input.settings.spring_summer_months = vec![3, 3, 13];
    assert_eq!(
        problems(&sc),
        vec![
            "settings: lock period must be 1 to 3650 days, got 0",
            "settings: month 3 appears more than once in spring_summer_months",
            "settings: month 13 in spring_summer_months is not 1 to 12",
            "product 1: appears more than once",
            "product 1: launch priority must be 1 or more (1 = first), got 0",
            "supply of product 1: appears more than once",
            "region priority list spring_summer: unknown region 2",
            "region priority list spring_summer: region 1 is listed more than once",
            "franchisee 8: priority rank must be 1 or more (1 = first), got 0",
            "franchisee 8: funds balance must not be negative, got -5.00",
            "order line 17: unknown product 99",
            "order line 18: unknown franchisee 70",
            "order line 18: open quantity must not be negative, got -2",
            "order line 18: appears more than once",
            "order line 18: unit price must not be negative, got -1.00",
            "store 10: unknown region 3",
            "stock of product 1 at store 10: safety stock must not be negative, got -1",
            "stock of product 5 at store 11: unknown store 11",
            "stock of product 5 at store 11: unknown product 5",
            "replenishment need of product 1 in region 1: appears more than once",
            "replenishment need of product 1 in region 1: quantity must not be negative, got -2",
        ]
    );
}

#[test]
fn alc_4_zero_unit_price_is_valid_negative_is_refused() {
    // A free line (赠品) is an ordinary order line; only a negative price is
    // refused (ADR 0013).
    let free = one_product(7, "100", "0").line(17, 7, 1, 2, "0", "2024-03-01");
    assert!(run(&free.input).is_ok());
    let negative = free.line(18, 7, 1, 2, "-0.01", "2024-03-01");
    assert_eq!(
        problems(&negative),
        vec!["order line 18: unit price must not be negative, got -0.01"]
    );
}

#[test]
fn alc_10_problems_are_typed_for_callers() {
    let sc = one_product(7, "100", "0").line(17, 7, 99, 2, "10", "2024-03-01");
    let err = run(&sc.input).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].at, Location::OrderLine(OrderLineId(17)));
    assert_eq!(err.problems[0].issue, Issue::UnknownProduct(ProductId(99)));
    assert_eq!(
        err.to_string(),
        "the allocation input has 1 problem:\n  - order line 17: unknown product 99"
    );
}

#[test]
fn alc_10_long_problem_lists_are_summarised_in_the_message() {
    let mut sc = Scenario::new("2024-04-02").franchisee(1, 1, "1", "0");
    for line in 0..60 {
        sc = sc.line(line, 1, 5, 1, "1", "2024-03-01");
    }
    let err = run(&sc.input).unwrap_err();
    assert_eq!(err.problems.len(), 60);
    assert!(err.to_string().ends_with("\n  ... and 10 more"));
}

#[test]
fn alc_10_amounts_out_of_range_are_refused() {
    let mut sc =
        one_product(1, "0", "0").line(1, 1, 1, 1_000_000_000, "900000000000", "2024-03-01");
    // No input can build amounts this large any more (MAX_AMOUNT_YUAN,
    // ADR 0024), but a row stored before migration 0018 is read unchecked
    // (`Money::from_units`), so the engine keeps its own check.
    let huge = kaidan_domain::Money::from_units(9_000_000_000_000_000_000);
    sc.input.franchisees[0].funds_balance = huge;
    sc.input.franchisees[0].credit_limit = huge;
    assert_eq!(
        problems(&sc),
        vec![
            "franchisee 1: funds balance plus credit limit is out of range",
            "order line 1: open quantity × unit price is out of range",
        ]
    );
}

#[test]
fn alc_10_lock_expiry_must_be_a_valid_date() {
    let sc = Scenario::new("9999-12-25").product(1, ProductSeason::None, 1, 1);
    assert_eq!(
        problems(&sc),
        vec!["settings: run date plus lock period is not a valid date"]
    );
}

#[test]
fn scenario_parse_errors_give_line_and_column() {
    let text = "{\n  \"settings\": { \"run_date\": \"2024-04-02\" }\n  \"products\": []\n}\n";
    let err = run_scenario_json(text).unwrap_err();
    assert!(matches!(err, ScenarioError::Parse(_)));
    let msg = err.to_string();
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.starts_with("the scenario is not valid JSON:"), "{msg}");
}

#[test]
fn scenario_format_errors_give_the_path() {
    let text = "{\n  \"settings\": { \"run_date\": \"2024-04-02\" },\n  \"products\": [ { \"id\": 1, \"launch_priority\": \"first\" } ]\n}\n";
    let err = run_scenario_json(text).unwrap_err();
    assert!(matches!(err, ScenarioError::Format(_)));
    assert_eq!(
        err.to_string(),
        "the scenario is not in the scenario format (1 problem):\n  - \
         products[0].launch_priority: must be a whole number, not the string \"first\""
    );
}

/// Issue 16, item 6: money in a scenario is a string, as the schema says;
/// a JSON number is refused, naming the field.
#[test]
fn hardening_6_scenario_money_as_a_json_number_is_refused_by_name() {
    let text = r#"{ "settings": { "run_date": "2024-04-02" },
        "products": [ { "id": 1, "launch_priority": 1 } ],
        "franchisees": [ { "id": 7, "priority_rank": 1, "funds_balance": 100 } ],
        "order_lines": [ { "order_id": 1, "line_id": 1, "franchisee": 7, "product": 1,
                           "open_quantity": 2, "unit_price": 30.5, "order_date": "2024-03-01" } ] }"#;
    let Err(ScenarioError::Format(e)) = run_scenario_json(text) else {
        panic!("money as numbers accepted");
    };
    let found: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        found,
        [
            "franchisees[0].funds_balance: must be a decimal amount written as a string, such \
             as \"1498.5\", not the number 100",
            "order_lines[0].unit_price: must be a decimal amount written as a string, such as \
             \"1498.5\", not the number 30.5",
        ]
    );
    // The same amounts as strings run.
    let fixed = text
        .replace(": 100 }", ": \"100\" }")
        .replace("30.5", "\"30.5\"");
    assert!(run_scenario_json(&fixed).is_ok());
}

/// Issue 16, item 6: every problem of a scenario at once, each once, and
/// the message does not repeat its cause in an error chain.
#[test]
fn hardening_6_scenario_format_errors_are_all_reported_once() {
    let text = r#"{ "settings": { "run_date": "2024-02-30", "lock_days": 3 },
        "products": [ { "id": 1, "launch_priority": 1, "season": "winter" },
                      { "id": 2.5, "launch_priority": 1 } ],
        "franchisees": [ { "id": 7, "funds_balance": "12.34567" } ],
        "stores": "none" }"#;
    let err = run_scenario_json(text).unwrap_err();
    let ScenarioError::Format(e) = &err else {
        panic!("{err}");
    };
    let at: Vec<&str> = e.problems.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(
        at,
        [
            "franchisees[0].funds_balance",
            "franchisees[0]",
            "products[0].season",
            "products[1].id",
            "settings",
            "settings.run_date",
            "stores",
        ],
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("the scenario is not in the scenario format (7 problems):"));
    assert!(msg.contains("settings: unknown field `lock_days`"), "{msg}");
    assert!(
        msg.contains("franchisees[0]: missing field `priority_rank`"),
        "{msg}"
    );
    assert!(msg.contains("more than 4 decimal places"), "{msg}");
    for p in &e.problems {
        assert_eq!(
            msg.matches(&p.to_string()).count(),
            1,
            "{p} repeated: {msg}"
        );
    }
    // No cause below the message: a chain printer (anyhow's `{:#}`) shows
    // each problem once.
    assert!(std::error::Error::source(&err).is_none());
    let parse = run_scenario_json("{").unwrap_err();
    assert!(std::error::Error::source(&parse).is_none());
}

#[test]
fn scenario_unknown_fields_are_refused_by_name() {
    let text = r#"{ "settings": { "run_date": "2024-04-02", "lock_days": 3 }, "products": [] }"#;
    let msg = run_scenario_json(text).unwrap_err().to_string();
    assert!(msg.contains("unknown field `lock_days`"), "{msg}");
}

#[test]
fn scenario_input_problems_come_back_as_input_errors() {
    let text = r#"{ "settings": { "run_date": "2024-04-02" }, "products": [],
                   "supply": [ { "product": 3, "quantity": 1 } ] }"#;
    match run_scenario_json(text).unwrap_err() {
        ScenarioError::Input(e) => {
            assert_eq!(
                e.problems[0].to_string(),
                "supply of product 3: unknown product 3"
            )
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn scenario_defaults_apply() {
    let text = r#"{ "settings": { "run_date": "2024-11-02" }, "products": [] }"#;
    let out = run_scenario_json(text).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["time_zone"], "Asia/Shanghai");
    assert_eq!(v["franchisee_ordering"], "priority");
    assert_eq!(v["lock_expires_on"], "2024-11-17");
    assert_eq!(v["default_season"], "autumn_winter");
}
