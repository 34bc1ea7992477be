//! A rep's visit plan for a month (SAL-2; seed 001 拜访作业: 每月底应提出下月
//! 客户拜访计划书 … 将次月计划拜访的客户及其预定停留时数 … 呈主管审核;
//! 拜访时应携带物品的申请 … 相关费用的申请): the customers or prospects he
//! will visit, on which day, for how many hours, why, what it will cost and
//! which gifts he asks for, submitted before the month begins and approved
//! or returned by his manager (ADR 0040).

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::MAX_REASON;
use crate::{CustomerId, Money, ValidationErrors};

/// The most visits one plan holds.
pub const MAX_PLAN_VISITS: usize = 200;
/// The longest name of a prospect and of the gifts asked for.
pub const MAX_PROSPECT: usize = 100;
pub const MAX_GIFTS: usize = 200;
/// The most expected expense of one visit, in yuan.
pub const MAX_VISIT_EXPENSE_YUAN: i64 = 1_000_000;

string_enum!(
    /// Why a visit is made (seed 001 拜访目的).
    VisitPurpose {
        /// 市场调查
        MarketResearch = "market_research",
        /// 了解竞争对手
        Competitors = "competitors",
        /// 客户保养: the relation, the business, settling payments.
        CustomerCare = "customer_care",
        /// 结清货款
        Collection = "collection",
        /// 开发新客户
        NewCustomer = "new_customer",
        /// 新产品推广
        NewProduct = "new_product",
    }
);

string_enum!(
    /// Where a plan is in its review.
    VisitPlanStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Returned = "returned",
    }
);

impl VisitPlanStatus {
    pub fn is_editable(self) -> bool {
        matches!(self, VisitPlanStatus::Draft | VisitPlanStatus::Returned)
    }
}

/// One planned visit as written: a customer of the company or a prospect
/// by name (exactly one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlannedVisitInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<CustomerId>,
    /// A target or potential customer not yet in the books (目标客户,
    /// 潜在客户).
    #[serde(default)]
    pub prospect: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// Planned hours at the customer (预定停留时数), in half hours, 0.5–12.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1.5"))]
    pub hours: Decimal,
    pub purpose: VisitPurpose,
    /// Expected expenses applied for in advance (travel, entertainment).
    #[serde(default)]
    pub expense: Money,
    /// Gifts or samples applied for in advance.
    #[serde(default)]
    pub gifts: Option<String>,
}

/// A plan as the rep writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitPlanInput {
    #[serde(default)]
    pub note: Option<String>,
    pub visits: Vec<PlannedVisitInput>,
}

/// A checked planned visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedVisit {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub customer_id: Option<CustomerId>,
    pub prospect: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// Planned minutes at the customer.
    pub minutes: i64,
    pub purpose: VisitPurpose,
    pub expense: Money,
    pub gifts: Option<String>,
}

/// The first day of the month `YYYY-MM`, or the field's error.
pub fn month_start(month: &str) -> Result<Date, ValidationErrors> {
    let bad = || {
        ValidationErrors::single(
            "month",
            "invalid",
            format!("'{month}' is not a month (YYYY-MM)"),
        )
    };
    let (y, m) = month.trim().split_once('-').ok_or_else(bad)?;
    let (y, m) = (
        y.parse::<i16>().map_err(|_| bad())?,
        m.parse::<i8>().map_err(|_| bad())?,
    );
    if !(2000..=2100).contains(&y) {
        return Err(bad());
    }
    Date::new(y, m, 1).map_err(|_| bad())
}

/// Whether a plan for the month starting `first` was handed in on time:
/// by the end of the month before (每月底应提出下月客户拜访计划书).
pub fn submitted_in_time(first: Date, submitted_on: Date) -> bool {
    submitted_on < first
}

impl VisitPlanInput {
    /// Checks the plan of the month starting `first`: every visit in that
    /// month, of a customer or a prospect, for 0.5 to 12 hours in half
    /// hours, its expense in fen and bounded.
    pub fn validate(
        self,
        first: Date,
    ) -> Result<(Option<String>, Vec<PlannedVisit>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        if self.visits.is_empty() || self.visits.len() > MAX_PLAN_VISITS {
            e.add(
                "visits",
                "out_of_range",
                format!("a plan has 1 to {MAX_PLAN_VISITS} visits"),
            );
        }
        let last = first.last_of_month();
        let mut out = Vec::with_capacity(self.visits.len());
        for (i, v) in self.visits.into_iter().enumerate() {
            let f = |k: &str| format!("visits[{i}].{k}");
            let prospect = e.optional_text(&f("prospect"), v.prospect.as_deref(), MAX_PROSPECT);
            if v.customer_id.is_some() == prospect.is_some() {
                e.add(
                    f("customer_id"),
                    "invalid",
                    "a visit is of one customer (customer_id) or one prospect (prospect)",
                );
            }
            if v.day < first || v.day > last {
                e.add(
                    f("day"),
                    "out_of_range",
                    format!("{} is not in the plan's month ({first} to {last})", v.day),
                );
            }
            let minutes = (v.hours * Decimal::from(60)).trunc().to_i64().unwrap_or(0);
            let in_halves = (v.hours * Decimal::from(2)).fract().is_zero();
            if !in_halves || !(30..=720).contains(&minutes) {
                e.add(f("hours"), "out_of_range", "0.5 to 12 hours, in half hours");
            }
            if v.expense.is_negative() {
                e.negative(f("expense"));
            } else if v.expense > Money::yuan(MAX_VISIT_EXPENSE_YUAN) {
                e.add(
                    f("expense"),
                    "too_large",
                    format!("at most {MAX_VISIT_EXPENSE_YUAN} yuan a visit"),
                );
            } else if v.expense.units() % 100 != 0 {
                e.add(
                    f("expense"),
                    "too_precise",
                    "in yuan and fen (two decimals at most)",
                );
            }
            let gifts = e.optional_text(&f("gifts"), v.gifts.as_deref(), MAX_GIFTS);
            out.push(PlannedVisit {
                customer_id: v.customer_id,
                prospect,
                day: v.day,
                minutes,
                purpose: v.purpose,
                expense: v.expense,
                gifts,
            });
        }
        e.into_result((note, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn visit(day: Date, hours: &str) -> PlannedVisitInput {
        PlannedVisitInput {
            customer_id: Some(CustomerId(1)),
            prospect: None,
            day,
            hours: hours.parse().unwrap(),
            purpose: VisitPurpose::CustomerCare,
            expense: Money::yuan(200),
            gifts: Some("新品样衣两件".into()),
        }
    }

    #[test]
    fn sal_2_a_plan_is_of_its_month_in_half_hours() {
        let first = month_start("2027-01").unwrap();
        let (_, v) = VisitPlanInput {
            note: None,
            visits: vec![
                visit(date(2027, 1, 5), "1.5"),
                visit(date(2027, 1, 31), "12"),
            ],
        }
        .validate(first)
        .unwrap();
        assert_eq!((v[0].minutes, v[1].minutes), (90, 720));
        let mut both = visit(date(2027, 1, 6), "1");
        both.prospect = Some("东莞新店".into());
        let mut neither = visit(date(2027, 1, 6), "1");
        neither.customer_id = None;
        let mut dear = visit(date(2027, 1, 6), "1");
        dear.expense = "10.001".parse().unwrap();
        let e = VisitPlanInput {
            note: None,
            visits: vec![
                visit(date(2027, 2, 1), "1"),
                visit(date(2027, 1, 2), "0.25"),
                both,
                neither,
                dear,
            ],
        }
        .validate(first)
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "visits[0].day",
                "visits[1].hours",
                "visits[2].customer_id",
                "visits[3].customer_id",
                "visits[4].expense"
            ]
        );
        assert!(month_start("2027-13").is_err() && month_start("27-01").is_err());
    }

    #[test]
    fn sal_2_a_plan_is_on_time_when_handed_in_before_its_month() {
        let first = month_start("2027-01").unwrap();
        assert!(submitted_in_time(first, date(2026, 12, 31)));
        assert!(!submitted_in_time(first, date(2027, 1, 1)));
    }
}
