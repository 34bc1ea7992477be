//! Collection actions (催收记录, FIN-4): what was done to collect a
//! customer's money — a call, a visit, a letter, a promise to pay — with its
//! outcome; and the collection report finance reads (seed 001: 财务部门……
//! 对回款情况进行统计分析). A promise to pay is broken when its day has
//! passed and the verified money received since it was made is less than
//! promised.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::max_document_amount;
use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, UserId};

/// The longest outcome text.
pub const MAX_OUTCOME_CHARS: usize = 1000;
/// How far back an action may be recorded, and how far ahead a promise may
/// fall (days).
pub const MAX_ACTION_AGE_DAYS: i32 = 366;
pub const MAX_PROMISE_AHEAD_DAYS: i32 = 366;
/// The longest range of a collection report (days).
pub const MAX_REPORT_DAYS: i32 = 3660;

string_enum!(
    /// What was done.
    CollectionKind {
        Call = "call",
        Visit = "visit",
        Letter = "letter",
        /// The customer promised to pay an amount by a day.
        Promise = "promise",
        Other = "other",
    }
);

impl CollectionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            CollectionKind::Call => "电话",
            CollectionKind::Visit => "拜访",
            CollectionKind::Letter => "函件",
            CollectionKind::Promise => "承诺付款",
            CollectionKind::Other => "其他",
        }
    }
}

string_enum!(
    /// Where a promise to pay stands.
    PromiseState {
        /// Its day has not passed and the money is not all there yet.
        Open = "open",
        Kept = "kept",
        Broken = "broken",
    }
);

/// What a rep or finance records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CollectionInput {
    pub kind: CollectionKind,
    /// The day it happened (default today); not in the future.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub happened_on: Option<Date>,
    /// What came of it, at most 1000 characters.
    pub outcome: String,
    /// A promise: the day the customer will have paid by…
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub promise_date: Option<Date>,
    /// …and how much (in fen, above zero).
    #[serde(default)]
    pub promise_amount: Option<Money>,
}

/// A checked input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCollection {
    pub kind: CollectionKind,
    pub happened_on: Date,
    pub outcome: String,
    pub promise: Option<(Date, Money)>,
}

impl CollectionInput {
    pub fn validate(&self, today: Date) -> Result<ValidCollection, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let outcome = e.text("outcome", &self.outcome, MAX_OUTCOME_CHARS);
        let happened_on = self.happened_on.unwrap_or(today);
        if happened_on > today {
            e.add(
                "happened_on",
                "in_future",
                format!("{happened_on} is after today ({today})"),
            );
        } else if (today - happened_on).get_days() > MAX_ACTION_AGE_DAYS {
            e.add(
                "happened_on",
                "too_old",
                format!("more than {MAX_ACTION_AGE_DAYS} days ago"),
            );
        }
        let promise = match (self.kind, self.promise_date, self.promise_amount) {
            (CollectionKind::Promise, date, amount) => {
                match date {
                    None => e.add("promise_date", "required", "a promise names the day"),
                    Some(d) if d < happened_on => {
                        e.add("promise_date", "invalid", "not before the day it was made")
                    }
                    Some(d) if (d - happened_on).get_days() > MAX_PROMISE_AHEAD_DAYS => e.add(
                        "promise_date",
                        "out_of_range",
                        format!("at most {MAX_PROMISE_AHEAD_DAYS} days ahead"),
                    ),
                    Some(_) => {}
                }
                match amount {
                    None => e.add("promise_amount", "required", "a promise names the amount"),
                    Some(a) if !a.is_positive() => e.add(
                        "promise_amount",
                        "not_positive",
                        "must be greater than zero",
                    ),
                    Some(a) if a > max_document_amount() => e.add(
                        "promise_amount",
                        "out_of_range",
                        format!("at most {} yuan", super::MAX_DOCUMENT_YUAN),
                    ),
                    Some(a) if a != a.round_to_fen() => {
                        e.add("promise_amount", "too_precise", "in fen (two decimals)")
                    }
                    Some(_) => {}
                }
                date.zip(amount)
            }
            (_, Some(_), _) => {
                e.add("promise_date", "not_a_promise", "only a promise has a day");
                None
            }
            (_, _, Some(_)) => {
                e.add(
                    "promise_amount",
                    "not_a_promise",
                    "only a promise has an amount",
                );
                None
            }
            _ => None,
        };
        e.into_result(ValidCollection {
            kind: self.kind,
            happened_on,
            outcome,
            promise,
        })
    }
}

/// A recorded action, with (for a promise) the verified money received
/// since it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionAction {
    pub id: i64,
    pub customer_id: CustomerId,
    pub kind: CollectionKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub happened_on: Date,
    pub outcome: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub promise_date: Option<Date>,
    pub promise_amount: Option<Money>,
    /// Verified money of the customer received on or after `happened_on`.
    pub received_since: Money,
    /// A promise's state as of the day it was read.
    pub promise_state: Option<PromiseState>,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

/// A promise of `amount` by `date` with `received` since it was made, as
/// of `today`: kept once the money is there, broken once its day passed
/// without it.
pub fn promise_state(date: Date, amount: Money, received: Money, today: Date) -> PromiseState {
    if received >= amount {
        PromiseState::Kept
    } else if today > date {
        PromiseState::Broken
    } else {
        PromiseState::Open
    }
}

impl CollectionAction {
    /// Sets `promise_state` as of `today` (none for other kinds).
    pub fn with_state(mut self, today: Date) -> Self {
        self.promise_state = match (self.promise_date, self.promise_amount) {
            (Some(d), Some(a)) => Some(promise_state(d, a, self.received_since, today)),
            _ => None,
        };
        self
    }
}

/// One customer's collection facts in a range, as the store reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionFacts {
    pub customer_id: CustomerId,
    pub customer: String,
    pub sales_rep: String,
    /// Open invoices past due on the range's first day.
    pub overdue_at_start: Money,
    /// Verified money received in the range.
    pub collected: Money,
    pub actions: u32,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionRow {
    /// The customer's id (none on a sales rep's or the total row).
    pub customer_id: Option<CustomerId>,
    pub customer: String,
    pub sales_rep: String,
    pub overdue_at_start: Money,
    pub collected: Money,
    pub promises_kept: u32,
    pub promises_broken: u32,
    pub actions: u32,
}

/// The report: per customer, per sales rep and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub customers: Vec<CollectionRow>,
    pub sales_reps: Vec<CollectionRow>,
    pub total: CollectionRow,
}

/// Folds the facts and the promises due in the range (their customer and
/// state) into the report; customers sorted by overdue at start, largest
/// first.
pub fn collection_report(
    from: Date,
    to: Date,
    facts: &[CollectionFacts],
    promises: &[(CustomerId, PromiseState)],
) -> CollectionReport {
    let empty = |customer: &str, rep: &str| CollectionRow {
        customer_id: None,
        customer: customer.to_string(),
        sales_rep: rep.to_string(),
        overdue_at_start: Money::ZERO,
        collected: Money::ZERO,
        promises_kept: 0,
        promises_broken: 0,
        actions: 0,
    };
    let mut customers: Vec<CollectionRow> = facts
        .iter()
        .map(|f| {
            let of = |s: PromiseState| {
                let n = promises
                    .iter()
                    .filter(|(c, st)| *c == f.customer_id && *st == s)
                    .count();
                u32::try_from(n).unwrap_or(u32::MAX)
            };
            CollectionRow {
                customer_id: Some(f.customer_id),
                customer: f.customer.clone(),
                sales_rep: f.sales_rep.clone(),
                overdue_at_start: f.overdue_at_start,
                collected: f.collected,
                promises_kept: of(PromiseState::Kept),
                promises_broken: of(PromiseState::Broken),
                actions: f.actions,
            }
        })
        .collect();
    customers.sort_by(|a, b| {
        b.overdue_at_start
            .cmp(&a.overdue_at_start)
            .then_with(|| a.customer.cmp(&b.customer))
    });
    let add = |into: &mut CollectionRow, r: &CollectionRow| {
        into.overdue_at_start += r.overdue_at_start;
        into.collected += r.collected;
        into.promises_kept = into.promises_kept.saturating_add(r.promises_kept);
        into.promises_broken = into.promises_broken.saturating_add(r.promises_broken);
        into.actions = into.actions.saturating_add(r.actions);
    };
    let mut reps: std::collections::BTreeMap<String, CollectionRow> = Default::default();
    let mut total = empty("合计", "");
    for r in &customers {
        add(
            reps.entry(r.sales_rep.clone())
                .or_insert_with(|| empty("", &r.sales_rep)),
            r,
        );
        add(&mut total, r);
    }
    CollectionReport {
        from,
        to,
        customers,
        sales_reps: reps.into_values().collect(),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input(kind: CollectionKind) -> CollectionInput {
        CollectionInput {
            kind,
            happened_on: None,
            outcome: "客户答应月底前付款".into(),
            promise_date: None,
            promise_amount: None,
        }
    }

    #[test]
    fn fin_4_a_promise_is_broken_when_its_day_passed_without_the_money() {
        let d = date(2026, 3, 20);
        let a = Money::yuan(1000);
        assert_eq!(
            promise_state(d, a, Money::ZERO, date(2026, 3, 20)),
            PromiseState::Open
        );
        assert_eq!(
            promise_state(d, a, Money::yuan(999), date(2026, 3, 21)),
            PromiseState::Broken
        );
        assert_eq!(
            promise_state(d, a, Money::yuan(1000), date(2026, 3, 21)),
            PromiseState::Kept
        );
        assert_eq!(
            promise_state(d, a, Money::yuan(1200), date(2026, 3, 1)),
            PromiseState::Kept
        );
    }

    #[test]
    fn fin_4_collection_inputs_are_checked() {
        let today = date(2026, 3, 10);
        assert!(input(CollectionKind::Call).validate(today).is_ok());
        let e = input(CollectionKind::Promise).validate(today).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["promise_date", "promise_amount"]);
        let ok = CollectionInput {
            promise_date: Some(date(2026, 3, 31)),
            promise_amount: Some(Money::yuan(500)),
            ..input(CollectionKind::Promise)
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.promise, Some((date(2026, 3, 31), Money::yuan(500))));
        assert_eq!(ok.happened_on, today);
        let bad = CollectionInput {
            outcome: "x".repeat(MAX_OUTCOME_CHARS + 1),
            happened_on: Some(date(2026, 3, 11)),
            promise_amount: Some(Money::yuan(1)),
            ..input(CollectionKind::Call)
        };
        let e = bad.validate(today).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "happened_on", "promise_amount"]);
        let e = CollectionInput {
            promise_date: Some(date(2026, 3, 1)),
            promise_amount: Some(Money::from_units(1)),
            ..input(CollectionKind::Promise)
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
    }

    #[test]
    fn fin_4_the_report_sums_customers_into_reps_and_the_total() {
        let f = |c: i64, rep: &str, o: i64, got: i64| CollectionFacts {
            customer_id: CustomerId(c),
            customer: format!("C{c}"),
            sales_rep: rep.into(),
            overdue_at_start: Money::yuan(o),
            collected: Money::yuan(got),
            actions: 2,
        };
        let facts = [
            f(1, "wang", 100, 50),
            f(2, "wang", 300, 0),
            f(3, "li", 10, 10),
        ];
        let promises = [
            (CustomerId(1), PromiseState::Kept),
            (CustomerId(2), PromiseState::Broken),
            (CustomerId(2), PromiseState::Open),
        ];
        let r = collection_report(date(2026, 3, 1), date(2026, 3, 31), &facts, &promises);
        assert_eq!(r.customers[0].customer_id, Some(CustomerId(2)));
        assert_eq!(r.customers[0].promises_broken, 1);
        assert_eq!(r.total.overdue_at_start, Money::yuan(410));
        assert_eq!(r.total.collected, Money::yuan(60));
        assert_eq!(r.total.actions, 6);
        assert_eq!((r.total.promises_kept, r.total.promises_broken), (1, 1));
        let wang = r.sales_reps.iter().find(|x| x.sales_rep == "wang").unwrap();
        assert_eq!(wang.overdue_at_start, Money::yuan(400));
    }
}
