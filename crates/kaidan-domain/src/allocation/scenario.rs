//! Reading a scenario file (ALC-10; issue 16, item 6): the document is
//! checked against the scenario format's JSON Schema (the one
//! `docs/allocation.md` shows; a test keeps the two equal) before serde
//! sees it, so that every problem of a file is reported at once, each with
//! its path, and money is text as the schema says: a JSON number is refused
//! rather than read through a float-shaped door.
//!
//! The check understands the keywords the schema uses for shape: `type`,
//! `enum`, `required`, `properties`, `additionalProperties`, `items` and
//! `$ref`. Ranges (`minimum`, `maximum`) are left to the run's own
//! validation, which names the item (`product 3: ...`) rather than a path.
//! Values of the schema's `money` and `date` definitions are read as the
//! run will read them, so a malformed amount or date is one more problem
//! in the list instead of a parser error on its own.

use std::fmt;

use serde_json::{Map, Value};

use super::RunInput;
use crate::Money;

/// The scenario format's JSON Schema.
pub const SCENARIO_SCHEMA: &str = include_str!("scenario.schema.json");

/// A scenario document that is JSON but not in the scenario format: every
/// problem found, ordered by path (an object's fields by name, then its
/// missing fields; list items by position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatErrors {
    pub problems: Vec<FormatProblem>,
}

/// One problem: where in the document (`franchisees[2].funds_balance`) and
/// what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatProblem {
    pub at: String,
    pub message: String,
}

impl fmt::Display for FormatProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "the document: {}", self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

impl fmt::Display for FormatErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        let s = if n == 1 { "" } else { "s" };
        write!(
            f,
            "the scenario is not in the scenario format ({n} problem{s}):"
        )?;
        super::validate::write_problems(f, &self.problems)
    }
}

impl std::error::Error for FormatErrors {}

/// Checks `document` against the scenario schema and reads it.
pub(super) fn read(document: Value) -> Result<RunInput, FormatErrors> {
    let schema: Value = serde_json::from_str(SCENARIO_SCHEMA).map_err(|e| FormatErrors {
        problems: vec![FormatProblem {
            at: String::new(),
            message: format!("the built-in scenario schema is broken: {e}"),
        }],
    })?;
    let mut problems = Vec::new();
    Checker {
        root: &schema,
        problems: &mut problems,
    }
    .check(&schema, &document, &mut String::new());
    if !problems.is_empty() {
        return Err(FormatErrors { problems });
    }
    // What the schema does not describe (a month beyond a small integer,
    // say) can still stop serde; it is one problem, reported the same way.
    serde_json::from_value(document).map_err(|e| FormatErrors {
        problems: vec![FormatProblem {
            at: String::new(),
            message: e.to_string(),
        }],
    })
}

struct Checker<'a> {
    root: &'a Value,
    problems: &'a mut Vec<FormatProblem>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, at: &str, message: String) {
        self.problems.push(FormatProblem {
            at: at.to_string(),
            message,
        });
    }

    /// The schema `s` stands for, following a `$ref` to `#/$defs/NAME`,
    /// and that name.
    fn resolve(&self, s: &'a Value) -> (&'a Value, Option<&'a str>) {
        match s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            Some(name) => (&self.root["$defs"][name], Some(name)),
            None => (s, None),
        }
    }

    fn check(&mut self, schema: &'a Value, v: &Value, at: &mut String) {
        let (s, definition) = self.resolve(schema);
        if let Some(options) = s.get("enum").and_then(Value::as_array)
            && !options.contains(v)
        {
            let names: Vec<String> = options.iter().map(Value::to_string).collect();
            self.problem(at, format!("must be one of {}, not {v}", names.join(", ")));
            return;
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let (ok, wanted) = match t {
                "object" => (v.is_object(), "an object"),
                "array" => (v.is_array(), "a list"),
                "string" if definition == Some("money") => (
                    v.is_string(),
                    "a decimal amount written as a string, such as \"1498.5\"",
                ),
                "string" => (v.is_string(), "a string"),
                "integer" => (v.is_i64(), "a whole number"),
                _ => (true, ""),
            };
            if !ok {
                self.problem(at, format!("must be {wanted}, not {}", describe(v)));
                return;
            }
        }
        match definition {
            Some("money") => {
                if let Err(e) = serde_json::from_value::<Money>(v.clone()) {
                    self.problem(at, format!("{v} is not an amount of money: {e}"));
                }
            }
            Some("date") => {
                if let Err(e) = serde_json::from_value::<jiff::civil::Date>(v.clone()) {
                    self.problem(at, format!("{v} is not a date (YYYY-MM-DD): {e}"));
                }
            }
            _ => {}
        }
        if let Some(obj) = v.as_object() {
            self.check_object(s, obj, at);
        }
        if let (Some(items), Some(list)) = (s.get("items"), v.as_array()) {
            for (i, child) in list.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                self.check(items, child, at);
                at.truncate(len);
            }
        }
    }

    fn check_object(&mut self, s: &'a Value, obj: &Map<String, Value>, at: &mut String) {
        let props = s.get("properties").and_then(Value::as_object);
        let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
        for (key, child) in obj {
            let len = at.len();
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(key);
            match props.and_then(|p| p.get(key)) {
                Some(cs) => self.check(cs, child, at),
                None if closed => {
                    at.truncate(len);
                    let known: Vec<&str> = props
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    self.problem(
                        at,
                        format!("unknown field `{key}` (known: {})", known.join(", ")),
                    );
                }
                None => {}
            }
            at.truncate(len);
        }
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(name) {
                self.problem(at, format!("missing field `{name}`"));
            }
        }
    }
}

/// A JSON value as a problem shows it: its kind, and the value when short.
fn describe(v: &Value) -> String {
    let kind = match v {
        Value::Null => return "null".into(),
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => return "a list".into(),
        Value::Object(_) => return "an object".into(),
    };
    let text = v.to_string();
    if text.chars().count() > 40 {
        let short: String = text.chars().take(40).collect();
        format!("{kind} {short}...")
    } else {
        format!("{kind} {text}")
    }
}
