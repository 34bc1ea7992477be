//! Quantity targets per product category (SAL-1, the issue's "optionally
//! quantity per product group"; ADR 0045): beside a subject's amount, how
//! many units of a category it is to sell in the year, by month. A
//! category is the products' 品类 (`products.category`), the group the
//! company already sorts its goods by.

use serde::{Deserialize, Serialize};

use super::plan::TargetSubject;
use crate::master::MAX_CATEGORY_CHARS;
use crate::{Quantity, ValidationErrors};

/// The most quantity targets one subject's line holds.
pub const MAX_QUANTITY_TARGETS: usize = 50;

/// A quantity target as written: the year's units of a category and, if
/// the months are not given, an even split of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuantityTargetInput {
    /// The product category (品类), as the products name it.
    pub category: String,
    pub annual: Quantity,
    /// January to December; they add up to `annual`. Left out: `annual`
    /// split evenly, the odd units to the first months.
    #[serde(default)]
    pub months: Option<Vec<Quantity>>,
}

/// One subject's twelve monthly quantities of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuantityTarget {
    pub subject: TargetSubject,
    pub category: String,
    pub months: [Quantity; 12],
}

impl QuantityTarget {
    /// The year's units: the months were checked to add up to an annual
    /// quantity within [`Quantity::MAX`].
    pub fn annual(&self) -> i64 {
        self.months.iter().map(|q| q.get()).sum()
    }

    /// The months as plain units, for the period arithmetic shared with
    /// the amounts.
    pub fn units(&self) -> [i64; 12] {
        self.months.map(Quantity::get)
    }
}

/// Splits `annual` units into twelve months: the odd units go to the first
/// months.
pub fn split_quantity(annual: Quantity) -> [Quantity; 12] {
    let (base, odd) = (annual.get() / 12, annual.get() % 12);
    let mut months = [Quantity::ZERO; 12];
    for (i, m) in (0_i64..).zip(months.iter_mut()) {
        // Each month is at most the annual quantity, itself within bounds.
        *m = Quantity::new(base + i64::from(i < odd)).unwrap_or(annual);
    }
    months
}

/// Checks `subject`'s quantity targets written at `field`
/// (`lines[3].quantities`): each category named once, within its length,
/// its months twelve and adding up to the year.
pub(super) fn check_quantities(
    e: &mut ValidationErrors,
    field: &str,
    subject: TargetSubject,
    given: &[QuantityTargetInput],
) -> Vec<QuantityTarget> {
    if given.len() > MAX_QUANTITY_TARGETS {
        e.add(
            field,
            "out_of_range",
            format!("a subject has at most {MAX_QUANTITY_TARGETS} quantity targets"),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(given.len());
    let mut seen = std::collections::BTreeSet::new();
    for (i, q) in given.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let known = e.errors.len();
        let category = e.trimmed(&format!("{at}.category"), &q.category, MAX_CATEGORY_CHARS);
        if e.errors.len() > known {
            continue;
        }
        if category.is_empty() {
            e.add(
                format!("{at}.category"),
                "required",
                "name the product category (品类) the quantity is of",
            );
            continue;
        }
        if !seen.insert(category.clone()) {
            e.duplicate(
                format!("{at}.category"),
                format!("category {category} is listed twice for {subject}"),
            );
            continue;
        }
        let months = match &q.months {
            None => split_quantity(q.annual),
            Some(given) => {
                let Ok(months) = <[Quantity; 12]>::try_from(given.as_slice()) else {
                    e.add(
                        format!("{at}.months"),
                        "invalid",
                        format!(
                            "twelve months are given, January to December, not {}",
                            given.len()
                        ),
                    );
                    continue;
                };
                // Twelve quantities within the bound add up inside an i64.
                let sum: i64 = months.iter().map(|m| m.get()).sum();
                if sum != q.annual.get() {
                    e.add(
                        format!("{at}.months"),
                        "mismatch",
                        format!(
                            "the months add up to {sum}, the annual quantity is {}",
                            q.annual
                        ),
                    );
                    continue;
                }
                months
            }
        };
        out.push(QuantityTarget {
            subject,
            category,
            months,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Quantity {
        Quantity::new(n).unwrap()
    }

    fn input(category: &str, annual: i64, months: Option<Vec<i64>>) -> QuantityTargetInput {
        QuantityTargetInput {
            category: category.into(),
            annual: q(annual),
            months: months.map(|m| m.into_iter().map(q).collect()),
        }
    }

    #[test]
    fn sal_1_an_even_split_of_units_gives_the_odd_ones_to_the_first_months() {
        let m = split_quantity(q(125));
        // 125 = 12 × 10 + 5: five months of 11, seven of 10.
        assert_eq!(m[4], q(11));
        assert_eq!(m[5], q(10));
        assert_eq!(m.iter().map(|x| x.get()).sum::<i64>(), 125);
        assert_eq!(split_quantity(Quantity::ZERO), [Quantity::ZERO; 12]);
    }

    #[test]
    fn sal_1_quantity_targets_are_checked_where_they_are_written() {
        let mut e = ValidationErrors::new();
        let mut months = vec![10; 12];
        months[0] = 9;
        let got = check_quantities(
            &mut e,
            "lines[1].quantities",
            TargetSubject::Company,
            &[
                input(" 饮料 ", 120, None),
                input("饮料", 12, None),
                input("", 12, None),
                input("零食", 120, Some(months)),
                input("日化", 120, Some(vec![10; 11])),
                input(&"长".repeat(MAX_CATEGORY_CHARS + 1), 1, None),
            ],
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].category, "饮料");
        assert_eq!(got[0].annual(), 120);
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[1].quantities[1].category",
                "lines[1].quantities[2].category",
                "lines[1].quantities[3].months",
                "lines[1].quantities[4].months",
                "lines[1].quantities[5].category",
            ]
        );
        assert!(e.errors[2].message.contains("add up to 119"), "{e}");

        let mut e = ValidationErrors::new();
        let many: Vec<_> = (0..=MAX_QUANTITY_TARGETS)
            .map(|i| input(&format!("c{i}"), 1, None))
            .collect();
        assert!(check_quantities(&mut e, "q", TargetSubject::Company, &many).is_empty());
        assert_eq!(e.errors[0].code, "out_of_range");
    }
}
