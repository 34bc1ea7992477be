//! The order clerks' monthly assessment in SQL (migration 0036):
//! `clerk_assessments`, one a clerk a month; the complaints each clerk's
//! orders drew are read from `complaints`.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{AssessmentsTx, ClerkAssessment, NewAssessment, StoreError};
use kaidan_domain::UserId;
use kaidan_domain::assessments::{AssessmentInput, ComputedPart};

use crate::figures::Binds;
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all};
use crate::visits::opt_ts;

const SELECT: &str = "SELECT a.id, a.clerk_id, u.display_name AS clerk, a.month, a.status, a.orders, a.accurate, \
     a.timed, a.on_time, a.complaints, a.discipline, a.cooperation, a.documents, a.service, a.total_tenths, \
     a.grade, a.remark, a.plan, a.due_on, w.display_name AS written_by, a.written_at, a.confirmed_at \
     FROM clerk_assessments a JOIN users u ON u.id = a.clerk_id JOIN users w ON w.id = a.written_by";

fn row(r: &impl RowExt) -> Result<ClerkAssessment, StoreError> {
    Ok(ClerkAssessment {
        id: r.i64("id")?,
        clerk_id: UserId(r.i64("clerk_id")?),
        clerk: r.text("clerk")?,
        month: r.text("month")?,
        status: r.parsed("status")?,
        computed: ComputedPart {
            orders: r.i64("orders")?,
            accurate: r.i64("accurate")?,
            timed: r.i64("timed")?,
            on_time: r.i64("on_time")?,
            complaints: r.i64("complaints")?,
        },
        items: AssessmentInput {
            discipline: r.i64("discipline")?,
            cooperation: r.i64("cooperation")?,
            documents: r.i64("documents")?,
            service: r.i64("service")?,
            remark: r.opt_text("remark")?,
            plan: r.opt_text("plan")?,
        },
        total_tenths: r.i64("total_tenths")?,
        grade: r.parsed("grade")?,
        due_on: r.parsed("due_on")?,
        written_by: r.text("written_by")?,
        written_at: r.ts("written_at")?,
        confirmed_at: opt_ts(r.opt_i64("confirmed_at")?)?,
    })
}

#[async_trait]
impl AssessmentsTx for DbTx {
    async fn clerk_assessments(
        &mut self,
        period: &str,
        clerk: Option<UserId>,
    ) -> Result<Vec<ClerkAssessment>, StoreError> {
        let mut b = Binds::default();
        // A month is itself; a year is its twelve months.
        let (from, to) = if period.len() == 4 {
            (format!("{period}-01"), format!("{period}-12"))
        } else {
            (period.to_string(), period.to_string())
        };
        let (from, to) = (b.put(Val::T(from)), b.put(Val::T(to)));
        let clerk = match clerk {
            Some(c) => format!(" AND a.clerk_id = {}", b.put(Val::I(c.get()))),
            None => String::new(),
        };
        let sql = format!(
            "{SELECT} WHERE a.month >= {from} AND a.month <= {to}{clerk} ORDER BY a.month, u.display_name, a.id"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, row))
    }

    async fn clerk_assessment(&mut self, id: i64) -> Result<Option<ClerkAssessment>, StoreError> {
        let sql = format!("{SELECT} WHERE a.id = $1");
        let mut v: Vec<ClerkAssessment> = fetch_all!(self, &sql, [id], row);
        Ok(v.pop())
    }

    async fn clerk_assessment_put(
        &mut self,
        a: &NewAssessment,
        by: UserId,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let c = &a.computed;
        let i = &a.items;
        let ids: Vec<i64> = fetch_all!(
            self,
            "INSERT INTO clerk_assessments (clerk_id, month, status, orders, accurate, timed, on_time, complaints, \
               discipline, cooperation, documents, service, total_tenths, grade, remark, plan, due_on, written_by, written_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
             ON CONFLICT (clerk_id, month) DO UPDATE SET orders = excluded.orders, accurate = excluded.accurate, \
               timed = excluded.timed, on_time = excluded.on_time, complaints = excluded.complaints, \
               discipline = excluded.discipline, cooperation = excluded.cooperation, documents = excluded.documents, \
               service = excluded.service, total_tenths = excluded.total_tenths, grade = excluded.grade, \
               remark = excluded.remark, plan = excluded.plan, due_on = excluded.due_on, \
               written_by = excluded.written_by, written_at = excluded.written_at \
             WHERE clerk_assessments.status = 'draft' RETURNING id",
            [
                a.clerk.get(),
                a.month.as_str(),
                c.orders,
                c.accurate,
                c.timed,
                c.on_time,
                c.complaints,
                i.discipline,
                i.cooperation,
                i.documents,
                i.service,
                a.total_tenths,
                a.grade.as_str(),
                i.remark.as_deref(),
                i.plan.as_deref(),
                a.due_on.to_string(),
                by.get(),
                micros(at)
            ],
            |r| r.i64("id")
        );
        Ok(ids.first().copied())
    }

    async fn clerk_assessment_confirm(
        &mut self,
        id: i64,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE clerk_assessments SET status = 'confirmed', confirmed_at = $1 WHERE id = $2 AND status = 'draft'",
            [micros(at), id]
        );
        Ok(n > 0)
    }

    async fn clerk_complaints(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT o.created_by AS clerk, CAST(COUNT(*) AS BIGINT) AS n FROM complaints k JOIN orders o ON o.id = k.order_id \
             WHERE k.department = 'sales' AND k.received_at >= $1 AND k.received_at < $2 GROUP BY o.created_by",
            [micros(from), micros(to)],
            |r| Ok((UserId(r.i64("clerk")?), r.i64("n")?))
        ))
    }
}
