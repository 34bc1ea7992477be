//! The JSON Schema of the scenario format in `docs/allocation.md` stays true:
//! every example scenario, and a fully populated `RunInput` as serde writes
//! it, validate against it; documents the schema refuses, serde refuses too.
//! (A small validator for the keywords the schema uses; `pattern`,
//! `uniqueItems` and `default` are documentation only here.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::allocation_support;

use std::fs;
use std::path::Path;

use allocation_support::*;
use kaidan_domain::RegionId;
use kaidan_domain::allocation::{ProductSeason, RunInput, SCENARIO_SCHEMA, Tier, parse_scenario};
use serde_json::Value;

fn schema() -> Value {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/allocation.md"))
            .unwrap();
    let after = doc
        .split("<!-- scenario-schema -->")
        .nth(1)
        .expect("schema marker");
    let body = after
        .split("```json")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    serde_json::from_str(body).unwrap()
}

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").unwrap();
            &root["$defs"][name]
        }
        None => s,
    }
}

/// Appends a message per violation, with the JSON path.
fn check(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let s = resolve(root, schema);
    let options = s.get("enum").and_then(Value::as_array);
    if options.is_some_and(|o| !o.contains(v)) {
        errors.push(format!("{path}: {v} not one of {options:?}"));
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64(),
            other => panic!("type {other} not supported by this validator"),
        };
        if !ok {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(n) = v.as_i64() {
        let min = s.get("minimum").and_then(Value::as_i64);
        if min.is_some_and(|min| n < min) {
            errors.push(format!("{path}: {n} < minimum {min:?}"));
        }
        let max = s.get("maximum").and_then(Value::as_i64);
        if max.is_some_and(|max| n > max) {
            errors.push(format!("{path}: {n} > maximum {max:?}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let req = req.as_str().unwrap();
            if !obj.contains_key(req) {
                errors.push(format!("{path}: missing required {req}"));
            }
        }
        for (k, child) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(cs) => check(root, cs, child, &format!("{path}.{k}"), errors),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{path}: unexpected property {k}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, child) in arr.iter().enumerate() {
            check(root, items, child, &format!("{path}[{i}]"), errors);
        }
    }
}

fn violations(v: &Value) -> Vec<String> {
    let root = schema();
    let mut errors = Vec::new();
    check(&root, &root, v, "$", &mut errors);
    errors
}

#[test]
fn alc_10_example_scenarios_match_the_documented_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/allocation");
    let mut checked = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.ends_with(".expected.json") {
            let v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(violations(&v), Vec::<String>::new(), "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 5);
}

#[test]
fn alc_10_every_serde_field_is_in_the_schema() {
    let mut sc = Scenario::new("2024-04-02")
        .product(1, ProductSeason::SpringSummer, 1, 3)
        .franchisee(1, 1, "10", "5")
        .line(1, 1, 1, 2, "1.5", "2024-03-01")
        .region(1, "深圳")
        .spring_summer(&[1])
        .autumn_winter(&[1])
        .store(10, 1, Tier::A, 1)
        .stock(10, 1, 3, 1)
        .need(1, 1, 2);
    sc.input.products[0].name = "shirt".into();
    sc.input.stores[0].name = "Futian".into();
    let f = &mut sc.input.franchisees[0];
    f.name = "Foshan".into();
    f.region = Some(RegionId(1));
    f.importance = Some(kaidan_domain::master::Importance::Key);
    let v = serde_json::to_value(&sc.input).unwrap();
    assert_eq!(violations(&v), Vec::<String>::new());
    // And what serde writes, serde reads back.
    let back: RunInput = serde_json::from_value(v).unwrap();
    assert_eq!(back, sc.input);
}

#[test]
fn alc_10_schema_and_parser_refuse_the_same_mistakes() {
    let bad = [
        r#"{"settings": {"run_date": "2024-04-02"}}"#,
        r#"{"settings": {"run_date": "2024-04-02"}, "products": [], "extra": 1}"#,
        r#"{"settings": {"run_date": "2024-04-02"}, "products": [{"id": 1, "launch_priority": 1, "season": "winter"}]}"#,
        r#"{"settings": {"run_date": "2024-04-02"}, "products": [], "stores": [{"id": 1, "region": 1, "tier": "D", "priority": 1}]}"#,
        // Issue 16, item 6: money is a string.
        r#"{"settings": {"run_date": "2024-04-02"}, "products": [], "franchisees": [{"id": 1, "priority_rank": 1, "funds_balance": 5}]}"#,
    ];
    for text in bad {
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(!violations(&v).is_empty(), "schema accepted {text}");
        assert!(parse_scenario(text).is_err(), "parser accepted {text}");
    }
}

#[test]
fn alc_10_the_parsers_schema_is_the_documented_one() {
    let embedded: Value = serde_json::from_str(SCENARIO_SCHEMA).unwrap();
    assert_eq!(
        embedded,
        schema(),
        "crates/kaidan-domain/src/allocation/scenario.schema.json and the schema in \
         docs/allocation.md must be the same"
    );
}
