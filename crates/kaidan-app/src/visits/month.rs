//! A month's visits per rep (SAL-2, KPI-5): his plan's state and whether it
//! came in time, the visits planned and reported, the reports written and
//! how many late, the inquiries taken, the things promised still open and
//! overdue.

use std::collections::BTreeMap;

use kaidan_domain::UserId;
use kaidan_domain::visits::{VisitPlanStatus, month_start};
use serde::Serialize;

use super::month_key;
use crate::{App, AppResult, Ctx};

/// One rep's month.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitMonthRow {
    /// None in the total.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub rep_id: Option<UserId>,
    pub rep: String,
    pub plan_id: Option<i64>,
    pub plan_status: Option<VisitPlanStatus>,
    /// The plan came before its month began.
    pub plan_in_time: Option<bool>,
    pub planned: i64,
    /// Planned visits with a report.
    pub planned_done: i64,
    /// Visits reported (planned or not): KPI-5's monthly visits.
    pub visits: i64,
    pub late_reports: i64,
    /// Inquiries taken at the visits: KPI-5's monthly inquiries.
    pub inquiries: i64,
    pub open_actions: i64,
    /// Open and past their day.
    pub overdue_actions: i64,
    pub unreviewed: i64,
}

/// The month's visits, a row per rep within reach.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitMonth {
    pub month: String,
    pub rows: Vec<VisitMonthRow>,
    pub total: VisitMonthRow,
}

impl App {
    pub async fn visit_month(&self, ctx: &Ctx, month: &str) -> AppResult<VisitMonth> {
        let first = month_start(month)?;
        let key = month_key(first);
        let plans = self.visit_plans(ctx, &key).await?;
        let reports = self.visit_reports(ctx, &key).await?;
        let today = self.today();
        let mut rows: BTreeMap<UserId, VisitMonthRow> = BTreeMap::new();
        for p in &plans {
            let row = rows.entry(p.rep_id).or_default();
            row.rep_id = Some(p.rep_id);
            row.rep.clone_from(&p.rep);
            row.plan_id = Some(p.id);
            row.plan_status = Some(p.status);
            row.plan_in_time = p.in_time;
            row.planned = i64::try_from(p.visits.len()).unwrap_or(i64::MAX);
            row.planned_done =
                i64::try_from(p.visits.iter().filter(|v| v.reported).count()).unwrap_or(i64::MAX);
        }
        for r in &reports {
            let row = rows.entry(r.rep_id).or_default();
            row.rep_id = Some(r.rep_id);
            row.rep.clone_from(&r.rep);
            row.visits += 1;
            row.late_reports += i64::from(r.late);
            row.inquiries += r.inquiries;
            row.unreviewed += i64::from(r.reviewed_at.is_none());
            for a in r.actions.iter().filter(|a| a.done_at.is_none()) {
                row.open_actions += 1;
                row.overdue_actions += i64::from(a.due < today);
            }
        }
        let rows: Vec<VisitMonthRow> = rows.into_values().collect();
        let mut total = VisitMonthRow::default();
        for r in &rows {
            total.planned += r.planned;
            total.planned_done += r.planned_done;
            total.visits += r.visits;
            total.late_reports += r.late_reports;
            total.inquiries += r.inquiries;
            total.open_actions += r.open_actions;
            total.overdue_actions += r.overdue_actions;
            total.unreviewed += r.unreviewed;
        }
        Ok(VisitMonth {
            month: key,
            rows,
            total,
        })
    }
}
