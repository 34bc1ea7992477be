//! Customer visits in SQL (migration 0032): `visit_plans` (one a rep and
//! month) with `visit_plan_lines`, `visit_reports` with `visit_actions`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    PlannedVisitRow, StoreError, VisitAction, VisitPlan, VisitReport, VisitsTx,
};
use kaidan_domain::visits::{PlannedVisit, VisitPlanStatus, VisitReportInput};
use kaidan_domain::{CustomerId, Money, UserId};

use crate::figures::Binds;
use crate::row::{RowExt, Val, from_micros, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

pub(crate) fn opt_ts(v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(from_micros).transpose()
}

/// `AND <col> IN (..)` for the reps read, binding each id once.
pub(crate) fn reps_clause(col: &str, reps: Option<&[UserId]>, b: &mut Binds) -> String {
    match reps {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(list) => {
            let marks: Vec<String> = list.iter().map(|u| b.put(Val::I(u.get()))).collect();
            format!(" AND {col} IN ({})", marks.join(", "))
        }
    }
}

const PLAN_SELECT: &str = "SELECT p.id, p.rep_id, u.display_name AS rep, p.month, p.status, p.note, p.submitted_at, \
     p.in_time, d.display_name AS decided_by, p.decided_at, p.return_reason \
     FROM visit_plans p JOIN users u ON u.id = p.rep_id LEFT JOIN users d ON d.id = p.decided_by";

fn plan_row(r: &impl RowExt) -> Result<VisitPlan, StoreError> {
    Ok(VisitPlan {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        rep: r.text("rep")?,
        month: r.text("month")?,
        status: r.parsed("status")?,
        note: r.opt_text("note")?,
        visits: Vec::new(),
        submitted_at: opt_ts(r.opt_i64("submitted_at")?)?,
        in_time: r.opt_bool("in_time")?,
        decided_by: r.opt_text("decided_by")?,
        decided_at: opt_ts(r.opt_i64("decided_at")?)?,
        return_reason: r.opt_text("return_reason")?,
    })
}

const REPORT_SELECT: &str = "SELECT v.id, v.rep_id, u.display_name AS rep, v.plan_id, v.visit_no, v.customer_id, \
     c.code || ' ' || c.name AS customer, v.prospect, v.visited_on, v.purpose, v.summary, v.inquiries, \
     v.written_at, v.late, w.display_name AS reviewed_by, v.reviewed_at, v.review_note \
     FROM visit_reports v JOIN users u ON u.id = v.rep_id LEFT JOIN customers c ON c.id = v.customer_id \
     LEFT JOIN users w ON w.id = v.reviewed_by";

fn report_row(r: &impl RowExt) -> Result<VisitReport, StoreError> {
    Ok(VisitReport {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        rep: r.text("rep")?,
        plan_id: r.opt_i64("plan_id")?,
        visit_no: r.opt_i64("visit_no")?,
        customer_id: r.opt_i64("customer_id")?.map(CustomerId),
        customer: r.opt_text("customer")?,
        prospect: r.opt_text("prospect")?,
        visited_on: r.parsed("visited_on")?,
        purpose: r.parsed("purpose")?,
        summary: r.text("summary")?,
        inquiries: r.i64("inquiries")?,
        written_at: r.ts("written_at")?,
        late: r.bool("late")?,
        reviewed_by: r.opt_text("reviewed_by")?,
        reviewed_at: opt_ts(r.opt_i64("reviewed_at")?)?,
        review_note: r.opt_text("review_note")?,
        actions: Vec::new(),
    })
}

impl DbTx {
    /// Fills each plan's visits (one query for all of them).
    async fn with_visits(
        &mut self,
        mut plans: Vec<VisitPlan>,
    ) -> Result<Vec<VisitPlan>, StoreError> {
        if plans.is_empty() {
            return Ok(plans);
        }
        let mut b = Binds::default();
        let marks: Vec<String> = plans.iter().map(|p| b.put(Val::I(p.id))).collect();
        let sql = format!(
            "SELECT l.plan_id, l.visit_no, l.customer_id, c.code || ' ' || c.name AS customer, l.prospect, l.day, \
                    l.minutes, l.purpose, l.expense, l.gifts, \
                    CAST(CASE WHEN EXISTS (SELECT 1 FROM visit_reports v WHERE v.plan_id = l.plan_id AND v.visit_no = l.visit_no) \
                         THEN 1 ELSE 0 END AS BIGINT) AS reported \
             FROM visit_plan_lines l LEFT JOIN customers c ON c.id = l.customer_id \
             WHERE l.plan_id IN ({}) ORDER BY l.plan_id, l.visit_no",
            marks.join(", ")
        );
        let vals = b.0;
        let rows: Vec<(i64, PlannedVisitRow)> = fetch_all!(self, &sql, vals, |r| Ok((
            r.i64("plan_id")?,
            PlannedVisitRow {
                visit_no: r.i64("visit_no")?,
                visit: PlannedVisit {
                    customer_id: r.opt_i64("customer_id")?.map(CustomerId),
                    prospect: r.opt_text("prospect")?,
                    day: r.parsed("day")?,
                    minutes: r.i64("minutes")?,
                    purpose: r.parsed("purpose")?,
                    expense: Money::from_units(r.i64("expense")?),
                    gifts: r.opt_text("gifts")?,
                },
                customer: r.opt_text("customer")?,
                reported: r.i64("reported")? > 0,
            }
        )));
        let mut by_plan: BTreeMap<i64, Vec<PlannedVisitRow>> = BTreeMap::new();
        for (id, v) in rows {
            by_plan.entry(id).or_default().push(v);
        }
        for p in &mut plans {
            p.visits = by_plan.remove(&p.id).unwrap_or_default();
        }
        Ok(plans)
    }

    async fn with_actions(
        &mut self,
        mut reports: Vec<VisitReport>,
    ) -> Result<Vec<VisitReport>, StoreError> {
        if reports.is_empty() {
            return Ok(reports);
        }
        let mut b = Binds::default();
        let marks: Vec<String> = reports.iter().map(|r| b.put(Val::I(r.id))).collect();
        let sql = format!(
            "SELECT report_id, action_no, what, due, done_at, done_note FROM visit_actions \
             WHERE report_id IN ({}) ORDER BY report_id, action_no",
            marks.join(", ")
        );
        let vals = b.0;
        let rows: Vec<(i64, VisitAction)> = fetch_all!(self, &sql, vals, |r| Ok((
            r.i64("report_id")?,
            VisitAction {
                action_no: r.i64("action_no")?,
                what: r.text("what")?,
                due: r.parsed("due")?,
                done_at: opt_ts(r.opt_i64("done_at")?)?,
                done_note: r.opt_text("done_note")?,
            }
        )));
        let mut by_report: BTreeMap<i64, Vec<VisitAction>> = BTreeMap::new();
        for (id, a) in rows {
            by_report.entry(id).or_default().push(a);
        }
        for r in &mut reports {
            r.actions = by_report.remove(&r.id).unwrap_or_default();
        }
        Ok(reports)
    }
}

#[async_trait]
impl VisitsTx for DbTx {
    async fn visit_plan_of(&mut self, rep: UserId, month: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT id FROM visit_plans WHERE rep_id = $1 AND month = $2",
            [rep.get(), month]
        ))
    }

    async fn visit_plan(&mut self, id: i64) -> Result<Option<VisitPlan>, StoreError> {
        let sql = format!("{PLAN_SELECT} WHERE p.id = $1");
        let plans: Vec<VisitPlan> = fetch_all!(self, &sql, [id], plan_row);
        Ok(self.with_visits(plans).await?.pop())
    }

    async fn visit_plans(
        &mut self,
        month: &str,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<VisitPlan>, StoreError> {
        let mut b = Binds::default();
        let m = b.put(Val::T(month.to_string()));
        let reps = reps_clause("p.rep_id", reps, &mut b);
        let sql = format!("{PLAN_SELECT} WHERE p.month = {m}{reps} ORDER BY u.display_name, p.id");
        let vals = b.0;
        let plans: Vec<VisitPlan> = fetch_all!(self, &sql, vals, plan_row);
        self.with_visits(plans).await
    }

    async fn visit_plan_write(
        &mut self,
        rep: UserId,
        month: &str,
        note: Option<&str>,
        visits: &[PlannedVisit],
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO visit_plans (rep_id, month, status, note, written_at) VALUES ($1, $2, 'draft', $3, $4) \
             ON CONFLICT (rep_id, month) DO UPDATE SET status = 'draft', note = excluded.note, \
               written_at = excluded.written_at, submitted_at = NULL, in_time = NULL, decided_by = NULL, decided_at = NULL \
             RETURNING id",
            [rep.get(), month, note, micros(at)]
        );
        // Reports already written keep naming their planned visit: the
        // visits are rewritten only while none was reported.
        exec!(
            self,
            "DELETE FROM visit_plan_lines WHERE plan_id = $1",
            [id]
        );
        for (no, v) in (1_i64..).zip(visits) {
            exec!(
                self,
                "INSERT INTO visit_plan_lines (plan_id, visit_no, customer_id, prospect, day, minutes, purpose, expense, gifts) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [
                    id,
                    no,
                    v.customer_id.map(|c| c.get()),
                    v.prospect.as_deref(),
                    v.day.to_string(),
                    v.minutes,
                    v.purpose.as_str(),
                    v.expense.units(),
                    v.gifts.as_deref()
                ]
            );
        }
        Ok(id)
    }

    async fn visit_plan_move(
        &mut self,
        id: i64,
        from: VisitPlanStatus,
        to: VisitPlanStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
        in_time: Option<bool>,
    ) -> Result<bool, StoreError> {
        let n = if to == VisitPlanStatus::Submitted {
            exec!(
                self,
                "UPDATE visit_plans SET status = $1, submitted_at = $2, in_time = $3, return_reason = NULL \
                 WHERE id = $4 AND status = $5",
                [to.as_str(), micros(at), in_time, id, from.as_str()]
            )
        } else {
            exec!(
                self,
                "UPDATE visit_plans SET status = $1, decided_by = $2, decided_at = $3, return_reason = $4 \
                 WHERE id = $5 AND status = $6",
                [to.as_str(), by.get(), micros(at), reason, id, from.as_str()]
            )
        };
        Ok(n > 0)
    }

    async fn visit_report_insert(
        &mut self,
        rep: UserId,
        r: &VisitReportInput,
        late: bool,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO visit_reports (rep_id, plan_id, visit_no, customer_id, prospect, visited_on, purpose, summary, \
                                        inquiries, written_at, late) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            [
                rep.get(),
                r.plan_id,
                r.visit_no,
                r.customer_id.map(|c| c.get()),
                r.prospect.as_deref(),
                r.visited_on.to_string(),
                r.purpose.as_str(),
                r.summary.as_str(),
                r.inquiries,
                micros(at),
                late
            ]
        );
        for (no, a) in (1_i64..).zip(&r.actions) {
            exec!(
                self,
                "INSERT INTO visit_actions (report_id, action_no, what, due) VALUES ($1, $2, $3, $4)",
                [id, no, a.what.as_str(), a.due.to_string()]
            );
        }
        Ok(id)
    }

    async fn visit_report(&mut self, id: i64) -> Result<Option<VisitReport>, StoreError> {
        let sql = format!("{REPORT_SELECT} WHERE v.id = $1");
        let reports: Vec<VisitReport> = fetch_all!(self, &sql, [id], report_row);
        Ok(self.with_actions(reports).await?.pop())
    }

    async fn visit_reports(
        &mut self,
        from: Date,
        to: Date,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<VisitReport>, StoreError> {
        let mut b = Binds::default();
        let (f, t) = (
            b.put(Val::T(from.to_string())),
            b.put(Val::T(to.to_string())),
        );
        let reps = reps_clause("v.rep_id", reps, &mut b);
        let sql = format!(
            "{REPORT_SELECT} WHERE v.visited_on >= {f} AND v.visited_on <= {t}{reps} ORDER BY v.visited_on DESC, v.id DESC"
        );
        let vals = b.0;
        let reports: Vec<VisitReport> = fetch_all!(self, &sql, vals, report_row);
        self.with_actions(reports).await
    }

    async fn visit_report_review(
        &mut self,
        id: i64,
        by: UserId,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE visit_reports SET reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE id = $4 AND reviewed_at IS NULL",
            [by.get(), micros(at), note, id]
        );
        Ok(n > 0)
    }

    async fn visit_action_done(
        &mut self,
        report: i64,
        action_no: i64,
        by: UserId,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE visit_actions SET done_at = $1, done_by = $2, done_note = $3 \
             WHERE report_id = $4 AND action_no = $5 AND done_at IS NULL",
            [micros(at), by.get(), note, report, action_no]
        );
        Ok(n > 0)
    }
}
