//! Receivables ageing (账龄分析, FIN-4): the open invoices as of a day, by
//! how many days past due, in buckets, grouped by customer, sales rep,
//! region or customer kind. The buckets of a row sum to its total and the
//! rows to the grand total: each open invoice is counted once, in one
//! bucket, with its amount open on that day.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Money;
use crate::access::string_enum;

string_enum!(
    /// What an ageing report's rows are.
    AgeingGroup {
        Customer = "customer",
        SalesRep = "sales_rep",
        Region = "region",
        CustomerKind = "customer_kind",
    }
);

/// One invoice open on the report's day, with what its rows are grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeingItem {
    pub invoice_id: i64,
    pub due_date: Date,
    pub open: Money,
    /// The row's key and label for the chosen group.
    pub key: String,
    pub label: String,
}

/// One row: its label, an amount per bucket and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgeingRow {
    pub key: String,
    pub label: String,
    /// Not yet due, then one amount per bucket of days past due.
    pub buckets: Vec<Money>,
    pub total: Money,
    /// Open invoices in the row.
    pub invoices: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgeingReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: Date,
    pub group: AgeingGroup,
    /// The buckets' names: "not_due", then e.g. "0-30", "31-60", "61-90",
    /// "90+".
    pub columns: Vec<String>,
    pub rows: Vec<AgeingRow>,
    pub totals: AgeingRow,
}

/// The bucket names for upper ends `ends` (e.g. 30, 60, 90).
pub fn bucket_names(ends: &[u32]) -> Vec<String> {
    let mut out = vec!["not_due".to_string()];
    let mut from = 0;
    for e in ends {
        out.push(format!("{from}-{e}"));
        from = e + 1;
    }
    out.push(format!("{}+", ends.last().copied().unwrap_or(0)));
    out
}

/// The bucket index of an invoice `days` past due: 0 when not due yet
/// (days ≤ 0... a day past its due date is day 1), then the first bucket
/// whose upper end it does not exceed, the last for anything older.
pub fn bucket_of(days: i64, ends: &[u32]) -> usize {
    if days <= 0 {
        return 0;
    }
    ends.iter()
        .position(|e| days <= i64::from(*e))
        .map_or(ends.len() + 1, |i| i + 1)
}

/// The report of `items` as of `as_of`, rows sorted by total, largest
/// first.
pub fn age(items: &[AgeingItem], as_of: Date, group: AgeingGroup, ends: &[u32]) -> AgeingReport {
    let columns = bucket_names(ends);
    let empty = |key: &str, label: &str| AgeingRow {
        key: key.to_string(),
        label: label.to_string(),
        buckets: vec![Money::ZERO; columns.len()],
        total: Money::ZERO,
        invoices: 0,
    };
    let mut rows: std::collections::BTreeMap<String, AgeingRow> = std::collections::BTreeMap::new();
    let mut totals = empty("total", "合计");
    for it in items.iter().filter(|i| i.open.is_positive()) {
        let days = i64::from((as_of - it.due_date).get_days());
        let b = bucket_of(days, ends);
        let row = rows
            .entry(it.key.clone())
            .or_insert_with(|| empty(&it.key, &it.label));
        for r in [row, &mut totals] {
            r.buckets[b] += it.open;
            r.total += it.open;
            r.invoices += 1;
        }
    }
    let mut rows: Vec<AgeingRow> = rows.into_values().collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    AgeingReport {
        as_of,
        group,
        columns,
        rows,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn fin_4_buckets_by_days_past_due() {
        let ends = [30, 60, 90];
        assert_eq!(
            bucket_names(&ends),
            ["not_due", "0-30", "31-60", "61-90", "90+"]
        );
        assert_eq!(bucket_of(-3, &ends), 0);
        assert_eq!(bucket_of(0, &ends), 0);
        assert_eq!(bucket_of(1, &ends), 1);
        assert_eq!(bucket_of(30, &ends), 1);
        assert_eq!(bucket_of(31, &ends), 2);
        assert_eq!(bucket_of(90, &ends), 3);
        assert_eq!(bucket_of(91, &ends), 4);
    }

    proptest! {
        #[test]
        fn fin_4_buckets_sum_to_the_open_invoices(
            items in proptest::collection::vec((0i64..300, 0i64..100_000, 0usize..4), 0..40)
        ) {
            let base = date(2026, 1, 1);
            let items: Vec<AgeingItem> = items.iter().enumerate().map(|(i, (d, a, k))| AgeingItem {
                invoice_id: i as i64,
                due_date: base.checked_add(jiff::Span::new().days(*d)).unwrap(),
                open: Money::from_units(*a * 100),
                key: k.to_string(),
                label: k.to_string(),
            }).collect();
            let r = age(&items, date(2026, 6, 1), AgeingGroup::Customer, &[30, 60, 90]);
            let open: Money = items.iter().map(|i| i.open).sum();
            prop_assert_eq!(r.totals.total, open);
            prop_assert_eq!(r.totals.buckets.iter().copied().sum::<Money>(), open);
            prop_assert_eq!(r.rows.iter().map(|x| x.total).sum::<Money>(), open);
            for row in &r.rows {
                prop_assert_eq!(row.buckets.iter().copied().sum::<Money>(), row.total);
            }
        }
    }
}
