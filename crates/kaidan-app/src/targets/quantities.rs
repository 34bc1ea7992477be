//! A plan's quantity targets per product category against the units sold
//! on its basis (SAL-1, ADR 0045), folded to the subjects as the amounts
//! are: a rep's customers, a team's members, a region's customers, the
//! company's every sale.

use std::collections::BTreeMap;

use jiff::civil::Date;
use kaidan_domain::UserId;
use kaidan_domain::figures::percent;
use kaidan_domain::targets::{
    Pace, TargetPeriod, TargetSubject, gone_part, period_quantity, quantity_completion_bp,
    quantity_pace,
};
use serde::Serialize;

use super::TargetReach;
use crate::collection::start_of;
use crate::ports::{TargetPlan, TargetQuantityActual, Tx};
use crate::{App, AppError, AppResult};

/// One subject's quantity target of one category over a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuantityRow {
    pub subject: TargetSubject,
    pub label: String,
    /// The product category (品类).
    pub category: String,
    /// Units.
    pub target: i64,
    /// The units due by today: the target of the period's days gone.
    pub due: i64,
    /// Units sold on the plan's basis, less refusals and credit notes.
    pub actual: i64,
    /// actual / target as a percent; null without a target.
    pub completion_percent: Option<String>,
    pub pace: Pace,
}

/// The units sold per subject and category.
fn fold(
    rows: &[TargetQuantityActual],
    rep_teams: &BTreeMap<UserId, i64>,
) -> BTreeMap<(TargetSubject, String), i64> {
    let mut out: BTreeMap<(TargetSubject, String), i64> = BTreeMap::new();
    let mut add = |s: TargetSubject, c: &str, n: i64| {
        let v = out.entry((s, c.to_string())).or_default();
        // Sums of bounded quantities stay far inside an i64 (ADR 0024).
        *v = v.saturating_add(n);
    };
    for r in rows {
        add(TargetSubject::Company, &r.category, r.quantity);
        if let Some(id) = r.rep {
            add(TargetSubject::Rep { id }, &r.category, r.quantity);
            if let Some(t) = rep_teams.get(&id) {
                add(TargetSubject::Team { id: *t }, &r.category, r.quantity);
            }
        }
        if let Some(id) = r.region {
            add(TargetSubject::Region { id }, &r.category, r.quantity);
        }
    }
    out
}

impl App {
    /// The quantity targets in reach over `period`, with the units sold;
    /// empty (and nothing read) when the plan has none.
    pub(super) async fn quantity_rows(
        &self,
        tx: &mut Box<dyn Tx>,
        plan: &TargetPlan,
        reach: &TargetReach,
        period: &TargetPeriod,
        names: &BTreeMap<TargetSubject, String>,
        calendar: &kaidan_domain::calendar::BusinessCalendar,
    ) -> AppResult<Vec<QuantityRow>> {
        let targets: Vec<_> = plan
            .quantities
            .iter()
            .filter(|q| reach.sees(q.subject))
            .collect();
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let mut categories: Vec<String> = targets.iter().map(|q| q.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let end: Date = period
            .to
            .tomorrow()
            .map_err(|e| AppError::invalid("at", "out_of_range", e.to_string()))?;
        self.keep_target_months(plan.basis, &[period.from, end])
            .await;
        let bounds = [(period.from, start_of(period.from)), (end, start_of(end))];
        let rows = tx
            .target_quantity_actuals(plan.basis, &bounds, &categories)
            .await?;
        let sold = fold(&rows, &self.rep_teams(tx).await?);
        let today = self.today();
        let working = |d: Date| calendar.is_working_day(d);
        let over = today > period.to;
        Ok(targets
            .into_iter()
            .map(|q| {
                let target = period_quantity(q, period, &working);
                let due = gone_part(period, today).map_or(0, |p| period_quantity(q, &p, &working));
                let actual = sold
                    .get(&(q.subject, q.category.clone()))
                    .copied()
                    .unwrap_or(0);
                QuantityRow {
                    subject: q.subject,
                    label: names.get(&q.subject).cloned().unwrap_or_default(),
                    category: q.category.clone(),
                    target,
                    due,
                    actual,
                    completion_percent: quantity_completion_bp(actual, target).map(percent),
                    pace: quantity_pace(actual, target, due, over),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rep: Option<i64>, region: Option<i64>, category: &str, n: i64) -> TargetQuantityActual {
        TargetQuantityActual {
            bucket: 0,
            rep: rep.map(UserId),
            region,
            category: category.into(),
            quantity: n,
        }
    }

    #[test]
    fn sal_1_units_fold_to_the_rep_his_team_the_region_and_the_company() {
        let teams = BTreeMap::from([(UserId(5), 1)]);
        let sold = fold(
            &[
                row(Some(5), Some(9), "饮料", 30),
                row(Some(6), Some(9), "饮料", 12),
                row(None, None, "饮料", -2),
                row(Some(5), None, "零食", 4),
            ],
            &teams,
        );
        let get = |s: TargetSubject, c: &str| sold.get(&(s, c.to_string())).copied();
        assert_eq!(get(TargetSubject::Company, "饮料"), Some(40));
        assert_eq!(get(TargetSubject::Rep { id: UserId(5) }, "饮料"), Some(30));
        assert_eq!(get(TargetSubject::Team { id: 1 }, "饮料"), Some(30));
        assert_eq!(get(TargetSubject::Region { id: 9 }, "饮料"), Some(42));
        assert_eq!(get(TargetSubject::Team { id: 1 }, "零食"), Some(4));
        assert_eq!(get(TargetSubject::Region { id: 9 }, "零食"), None);
    }
}
