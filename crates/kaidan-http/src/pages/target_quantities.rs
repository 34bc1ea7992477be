//! The quantity targets per product category on the plan's form (SAL-1,
//! ADR 0045): a row per subject and category, its annual units and, if
//! typed, its months; blank rows to add more.

use std::collections::HashMap;

use kaidan_app::ports::TargetPlan;
use kaidan_domain::targets::MAX_QUANTITY_TARGETS;
use kaidan_domain::targets::{QuantityTargetInput, TargetSubject};
use kaidan_domain::{Quantity, ValidationErrors};

use super::targets::cell;

/// Blank rows the form offers beyond the targets written.
const BLANK_ROWS: usize = 3;

/// One quantity target as the form shows it.
pub(super) struct QuantityFormRow {
    /// The subjects to choose from: (key, label, chosen).
    pub subjects: Vec<(String, String, bool)>,
    pub category: String,
    pub annual: String,
    pub months: Vec<String>,
}

/// The key a subject has in the form: `rep:12`.
pub(super) fn subject_key(s: TargetSubject) -> String {
    format!("{}:{}", s.kind(), s.id())
}

/// The rows the form sent, up to what a plan of these subjects can hold
/// (each subject at most [`MAX_QUANTITY_TARGETS`]) and the blank rows.
fn typed_rows(f: &HashMap<String, String>, subjects: usize) -> usize {
    f.get("qrows")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_QUANTITY_TARGETS * subjects + BLANK_ROWS)
}

fn row(
    subjects: &[(TargetSubject, String)],
    chosen: Option<&str>,
    category: String,
    annual: String,
    months: Vec<String>,
) -> QuantityFormRow {
    QuantityFormRow {
        subjects: subjects
            .iter()
            .map(|(s, label)| {
                let key = subject_key(*s);
                let on = chosen == Some(key.as_str());
                (key, label.clone(), on)
            })
            .collect(),
        category,
        annual,
        months,
    }
}

/// The rows of the form: as typed, or the plan's targets, then blanks.
pub(super) fn quantity_form_rows(
    subjects: &[(TargetSubject, String)],
    plan: Option<&TargetPlan>,
    typed: Option<&HashMap<String, String>>,
) -> Vec<QuantityFormRow> {
    let mut out = Vec::new();
    match (typed, plan) {
        (Some(f), _) => {
            for i in 0..typed_rows(f, subjects.len()) {
                let get = |k: &str| f.get(&format!("q{i}.{k}")).cloned().unwrap_or_default();
                out.push(row(
                    subjects,
                    Some(&get("subject")),
                    get("category"),
                    get("annual"),
                    (1..=12).map(|m| get(&format!("m{m}"))).collect(),
                ));
            }
            return out;
        }
        (None, Some(p)) => {
            for q in &p.quantities {
                out.push(row(
                    subjects,
                    Some(&subject_key(q.subject)),
                    q.category.clone(),
                    q.annual().to_string(),
                    q.months.iter().map(ToString::to_string).collect(),
                ));
            }
        }
        (None, None) => {}
    }
    for _ in 0..BLANK_ROWS {
        out.push(row(
            subjects,
            None,
            String::new(),
            String::new(),
            vec![String::new(); 12],
        ));
    }
    out
}

/// The quantity targets typed, each with its subject; a row without a
/// category and an annual quantity is left out.
pub(super) fn read_quantities(
    e: &mut ValidationErrors,
    f: &HashMap<String, String>,
    subjects: &[(TargetSubject, String)],
) -> Vec<(TargetSubject, QuantityTargetInput)> {
    let mut out = Vec::new();
    for i in 0..typed_rows(f, subjects.len()) {
        let get = |k: &str| f.get(&format!("q{i}.{k}")).cloned().unwrap_or_default();
        let (category, annual_raw) = (get("category"), get("annual"));
        if category.trim().is_empty() && annual_raw.trim().is_empty() {
            continue;
        }
        let at = format!("quantity row {}", i + 1);
        let key = get("subject");
        let Some((subject, _)) = subjects.iter().find(|(s, _)| subject_key(*s) == key) else {
            e.add(
                format!("{at} subject"),
                "invalid",
                format!("'{key}' is not a subject of the plan"),
            );
            continue;
        };
        if category.trim().is_empty() {
            e.add(
                format!("{at} category"),
                "required",
                "name the product category",
            );
            continue;
        }
        if annual_raw.trim().is_empty() {
            e.add(
                format!("{at} annual"),
                "required",
                "give the year's quantity",
            );
            continue;
        }
        let Some(annual) = cell::<Quantity>(e, &format!("{at} annual"), &annual_raw) else {
            continue;
        };
        let typed: Vec<Option<Quantity>> = (1..=12)
            .map(|m| cell::<Quantity>(e, &format!("{at} month {m}"), &get(&format!("m{m}"))))
            .collect();
        let months = typed
            .iter()
            .any(Option::is_some)
            .then(|| typed.iter().map(|m| m.unwrap_or_default()).collect());
        out.push((
            *subject,
            QuantityTargetInput {
                category,
                annual,
                months,
            },
        ));
    }
    out
}
