//! Sales targets in SQL (migration 0031): `target_plans`, one a year;
//! `target_lines`, a subject's target for a month; `target_follow_ups`.
//! What was sold on each basis is read from the records by the day it
//! counts, grouped by the customer's rep and region.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    FollowUp, StoreError, TargetActual, TargetPlan, TargetPlanSummary, TargetQuantityActual,
    TargetsTx,
};
use kaidan_domain::targets::{
    FollowUpInput, QuantityTarget, TargetBasis, TargetLine, TargetPlanDraft, TargetStatus,
    TargetSubject,
};
use kaidan_domain::{Money, Quantity, UserId};

use crate::error::corrupt;
use crate::figures::{Binds, bucket_case};
use crate::row::{RowExt, Val, micros};
use crate::target_months::kept_rows;
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

fn subject(r: &impl RowExt) -> Result<TargetSubject, StoreError> {
    let kind = r.text("subject_kind")?;
    TargetSubject::from_parts(&kind, r.i64("subject_id")?)
        .ok_or_else(|| corrupt(format!("target subject kind '{kind}'")))
}

/// A stored month (1..=12) as the index of its cell.
fn month_index(month: i64) -> Result<usize, StoreError> {
    usize::try_from(month - 1)
        .ok()
        .filter(|i| *i < 12)
        .ok_or_else(|| corrupt(format!("target month {month}")))
}

fn year_of(v: i64) -> Result<i16, StoreError> {
    i16::try_from(v).map_err(|_| corrupt(format!("target year {v}")))
}

/// The records of `basis` as `(customer_id, at, amount)` over the first to
/// the last bound; `at` is an instant or a day, as the record keeps it.
pub(crate) fn records(basis: TargetBasis, b: &mut Binds, from: Val, to: Val) -> String {
    let (from, to) = (b.put(from), b.put(to));
    match basis {
        TargetBasis::Ordered => format!(
            "SELECT o.customer_id, o.received_at AS at, o.amount FROM orders o \
             WHERE o.received_at >= {from} AND o.received_at < {to} \
               AND o.status NOT IN ('draft', 'rejected', 'cancelled')"
        ),
        TargetBasis::Shipped => format!(
            "SELECT o.customer_id, s.shipped_at AS at, (sl.quantity - COALESCE(sl.refused, 0)) * sl.unit_price AS amount \
             FROM shipments s JOIN shipment_lines sl ON sl.shipment_id = s.id JOIN orders o ON o.id = s.order_id \
             WHERE s.shipped_at >= {from} AND s.shipped_at < {to}"
        ),
        TargetBasis::Invoiced => format!(
            "SELECT i.customer_id, i.invoice_date AS at, \
                    CASE WHEN i.kind = 'credit_note' THEN -i.amount ELSE i.amount END AS amount \
             FROM invoices i WHERE i.invoice_date >= {from} AND i.invoice_date < {to}"
        ),
        TargetBasis::Collected => format!(
            "SELECT r.customer_id, r.received_on AS at, r.amount FROM receipts r \
             WHERE r.status = 'verified' AND r.received_on >= {from} AND r.received_on < {to}"
        ),
    }
}

/// The units of the basis's records as `(customer_id, at, category,
/// quantity)` over the first to the last bound, of the categories listed
/// at `cats` or of all (ADR 0045: on the collected basis, the units
/// invoiced).
pub(crate) fn unit_records(
    basis: TargetBasis,
    b: &mut Binds,
    from: Val,
    to: Val,
    cats: Option<&str>,
) -> String {
    let (from, to) = (b.put(from), b.put(to));
    let cats = cats
        .map(|c| format!(" AND p.category IN ({c})"))
        .unwrap_or_default();
    match basis {
        TargetBasis::Ordered => format!(
            "SELECT o.customer_id, o.received_at AS at, p.category, ol.quantity \
             FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id \
             WHERE o.received_at >= {from} AND o.received_at < {to} \
               AND o.status NOT IN ('draft', 'rejected', 'cancelled'){cats}"
        ),
        TargetBasis::Shipped => format!(
            "SELECT o.customer_id, s.shipped_at AS at, p.category, sl.quantity - COALESCE(sl.refused, 0) AS quantity \
             FROM shipments s JOIN shipment_lines sl ON sl.shipment_id = s.id JOIN orders o ON o.id = s.order_id \
             JOIN products p ON p.id = sl.product_id \
             WHERE s.shipped_at >= {from} AND s.shipped_at < {to}{cats}"
        ),
        TargetBasis::Invoiced | TargetBasis::Collected => format!(
            "SELECT i.customer_id, i.invoice_date AS at, p.category, \
                    CASE WHEN i.kind = 'credit_note' THEN -il.quantity ELSE il.quantity END AS quantity \
             FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id JOIN products p ON p.id = il.product_id \
             WHERE i.invoice_date >= {from} AND i.invoice_date < {to}{cats}"
        ),
    }
}

/// A bound of the records the units are read from: the collected basis
/// counts invoices' units, by their day.
pub(crate) fn unit_bound(basis: TargetBasis, at: (Date, Timestamp)) -> Val {
    bound(
        if basis == TargetBasis::Collected {
            TargetBasis::Invoiced
        } else {
            basis
        },
        at,
    )
}

/// Whether the basis's records keep their day (invoices, receipts) rather
/// than an instant (orders, shipments). The units of the collected basis
/// are the invoices' and so by day too.
pub(crate) fn by_day(basis: TargetBasis) -> bool {
    matches!(basis, TargetBasis::Invoiced | TargetBasis::Collected)
}

/// A bound as the basis's records keep their day.
pub(crate) fn bound(basis: TargetBasis, (day, at): (Date, Timestamp)) -> Val {
    if by_day(basis) {
        Val::T(day.to_string())
    } else {
        Val::I(micros(at))
    }
}

const PLAN_COLUMNS: &str = "p.year, p.basis, p.status, p.note, w.display_name AS written_by, p.written_at, \
     p.submitted_at, d.display_name AS decided_by, p.decided_at, p.return_reason";

#[async_trait]
impl TargetsTx for DbTx {
    async fn target_plan(&mut self, year: i16) -> Result<Option<TargetPlan>, StoreError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM target_plans p JOIN users w ON w.id = p.written_by \
             LEFT JOIN users d ON d.id = p.decided_by WHERE p.year = $1"
        );
        let mut plans: Vec<TargetPlan> =
            fetch_all!(self, &sql, [i64::from(year)], |r| Ok(TargetPlan {
                year: year_of(r.i64("year")?)?,
                basis: r.parsed("basis")?,
                status: r.parsed("status")?,
                note: r.opt_text("note")?,
                lines: Vec::new(),
                quantities: Vec::new(),
                written_by: r.text("written_by")?,
                written_at: r.ts("written_at")?,
                submitted_at: r
                    .opt_i64("submitted_at")?
                    .map(crate::row::from_micros)
                    .transpose()?,
                decided_by: r.opt_text("decided_by")?,
                decided_at: r
                    .opt_i64("decided_at")?
                    .map(crate::row::from_micros)
                    .transpose()?,
                return_reason: r.opt_text("return_reason")?,
            }));
        let Some(mut plan) = plans.pop() else {
            return Ok(None);
        };
        let cells: Vec<(TargetSubject, i64, i64)> = fetch_all!(
            self,
            "SELECT subject_kind, subject_id, month, amount FROM target_lines WHERE year = $1 \
             ORDER BY CASE subject_kind WHEN 'company' THEN 0 WHEN 'team' THEN 1 WHEN 'rep' THEN 2 ELSE 3 END, subject_id, month",
            [i64::from(year)],
            |r| Ok((subject(r)?, r.i64("month")?, r.i64("amount")?))
        );
        for (s, month, amount) in cells {
            if plan.lines.last().is_none_or(|l| l.subject != s) {
                plan.lines.push(TargetLine {
                    subject: s,
                    months: [Money::ZERO; 12],
                });
            }
            let i = month_index(month)?;
            if let Some(l) = plan.lines.last_mut() {
                l.months[i] = Money::from_units(amount);
            }
        }
        let units: Vec<(TargetSubject, String, i64, i64)> = fetch_all!(
            self,
            "SELECT subject_kind, subject_id, category, month, quantity FROM target_quantities WHERE year = $1 \
             ORDER BY CASE subject_kind WHEN 'company' THEN 0 WHEN 'team' THEN 1 WHEN 'rep' THEN 2 ELSE 3 END, subject_id, category, month",
            [i64::from(year)],
            |r| Ok((
                subject(r)?,
                r.text("category")?,
                r.i64("month")?,
                r.i64("quantity")?
            ))
        );
        for (s, category, month, quantity) in units {
            if plan
                .quantities
                .last()
                .is_none_or(|q| q.subject != s || q.category != category)
            {
                plan.quantities.push(QuantityTarget {
                    subject: s,
                    category,
                    months: [Quantity::ZERO; 12],
                });
            }
            let i = month_index(month)?;
            let q = Quantity::new(quantity)
                .map_err(|e| corrupt(format!("target quantity {quantity}: {e}")))?;
            if let Some(t) = plan.quantities.last_mut() {
                t.months[i] = q;
            }
        }
        Ok(Some(plan))
    }

    async fn target_plans(&mut self) -> Result<Vec<TargetPlanSummary>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT p.year, p.basis, p.status, \
                    CAST(COALESCE((SELECT SUM(l.amount) FROM target_lines l WHERE l.year = p.year AND l.subject_kind = 'company'), 0) AS BIGINT) AS company, \
                    CAST((SELECT COUNT(DISTINCT l.subject_kind || ':' || CAST(l.subject_id AS TEXT)) FROM target_lines l WHERE l.year = p.year) AS BIGINT) AS lines \
             FROM target_plans p ORDER BY p.year DESC",
            [],
            |r| Ok(TargetPlanSummary {
                year: year_of(r.i64("year")?)?,
                basis: r.parsed("basis")?,
                status: r.parsed("status")?,
                company: Money::from_units(r.i64("company")?),
                lines: r.i64("lines")?,
            })
        ))
    }

    async fn target_plan_write(
        &mut self,
        plan: &TargetPlanDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let year = i64::from(plan.year);
        exec!(
            self,
            "INSERT INTO target_plans (year, basis, status, note, written_by, written_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5) \
             ON CONFLICT (year) DO UPDATE SET basis = excluded.basis, status = 'draft', note = excluded.note, \
               written_by = excluded.written_by, written_at = excluded.written_at, submitted_at = NULL, \
               decided_by = NULL, decided_at = NULL",
            [
                year,
                plan.basis.as_str(),
                plan.note.as_deref(),
                by.get(),
                micros(at)
            ]
        );
        exec!(self, "DELETE FROM target_lines WHERE year = $1", [year]);
        exec!(
            self,
            "DELETE FROM target_quantities WHERE year = $1",
            [year]
        );
        for q in &plan.quantities {
            for (m, quantity) in (1_i64..).zip(q.months) {
                exec!(
                    self,
                    "INSERT INTO target_quantities (year, subject_kind, subject_id, category, month, quantity) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        year,
                        q.subject.kind(),
                        q.subject.id(),
                        q.category.as_str(),
                        m,
                        quantity.get()
                    ]
                );
            }
        }
        for l in &plan.lines {
            for (m, amount) in (1_i64..).zip(l.months) {
                exec!(
                    self,
                    "INSERT INTO target_lines (year, subject_kind, subject_id, month, amount) VALUES ($1, $2, $3, $4, $5)",
                    [year, l.subject.kind(), l.subject.id(), m, amount.units()]
                );
            }
        }
        Ok(())
    }

    async fn target_plan_move(
        &mut self,
        year: i16,
        from: TargetStatus,
        to: TargetStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = if to == TargetStatus::Submitted {
            exec!(
                self,
                "UPDATE target_plans SET status = $1, submitted_at = $2, return_reason = NULL \
                 WHERE year = $3 AND status = $4",
                [to.as_str(), micros(at), i64::from(year), from.as_str()]
            )
        } else {
            exec!(
                self,
                "UPDATE target_plans SET status = $1, decided_by = $2, decided_at = $3, return_reason = $4 \
                 WHERE year = $5 AND status = $6",
                [
                    to.as_str(),
                    by.get(),
                    micros(at),
                    reason,
                    i64::from(year),
                    from.as_str()
                ]
            )
        };
        Ok(n > 0)
    }

    async fn target_actuals(
        &mut self,
        basis: TargetBasis,
        bounds: &[(Date, Timestamp)],
    ) -> Result<Vec<TargetActual>, StoreError> {
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        let reading = self.target_reading(basis, bounds).await?;
        let mut b = Binds::default();
        // PostgreSQL types a placeholder by its use: bind only those used.
        let marks: Vec<String> = bounds[1..bounds.len() - 1]
            .iter()
            .map(|x| b.put(bound(basis, *x)))
            .collect();
        let mut parts = Vec::new();
        if !reading.kept.is_empty() {
            parts.push(kept_rows(basis, &reading.kept, &mut b, None));
        }
        for (from, to) in &reading.live {
            parts.push(records(
                basis,
                &mut b,
                bound(basis, *from),
                bound(basis, *to),
            ));
        }
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let x = parts.join(" UNION ALL ");
        let bucket = bucket_case("x.at", &marks);
        let sql = format!(
            "SELECT CAST({bucket} AS BIGINT) AS bucket, c.sales_rep_id AS rep, c.region_id AS region, \
                    CAST(SUM(x.amount) AS BIGINT) AS amount \
             FROM ({x}) x JOIN customers c ON c.id = x.customer_id GROUP BY 1, 2, 3"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok(TargetActual {
            bucket: usize::try_from(r.i64("bucket")?).unwrap_or(usize::MAX),
            rep: r.opt_i64("rep")?.map(UserId),
            region: r.opt_i64("region")?,
            amount: Money::from_units(r.i64("amount")?),
        })))
    }

    async fn target_quantity_actuals(
        &mut self,
        basis: TargetBasis,
        bounds: &[(Date, Timestamp)],
        categories: &[String],
    ) -> Result<Vec<TargetQuantityActual>, StoreError> {
        if bounds.len() < 2 || categories.is_empty() {
            return Ok(Vec::new());
        }
        let reading = self.target_reading(basis, bounds).await?;
        let mut b = Binds::default();
        let marks: Vec<String> = bounds[1..bounds.len() - 1]
            .iter()
            .map(|x| b.put(unit_bound(basis, *x)))
            .collect();
        let cats: Vec<String> = categories
            .iter()
            .map(|c| b.put(Val::T(c.clone())))
            .collect();
        let cats = cats.join(", ");
        let mut parts = Vec::new();
        if !reading.kept.is_empty() {
            parts.push(kept_rows(basis, &reading.kept, &mut b, Some(&cats)));
        }
        for (from, to) in &reading.live {
            parts.push(unit_records(
                basis,
                &mut b,
                unit_bound(basis, *from),
                unit_bound(basis, *to),
                Some(&cats),
            ));
        }
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let x = parts.join(" UNION ALL ");
        let bucket = bucket_case("x.at", &marks);
        let sql = format!(
            "SELECT CAST({bucket} AS BIGINT) AS bucket, c.sales_rep_id AS rep, c.region_id AS region, x.category, \
                    CAST(SUM(x.quantity) AS BIGINT) AS quantity \
             FROM ({x}) x JOIN customers c ON c.id = x.customer_id GROUP BY 1, 2, 3, 4"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok(TargetQuantityActual {
            bucket: usize::try_from(r.i64("bucket")?).unwrap_or(usize::MAX),
            rep: r.opt_i64("rep")?.map(UserId),
            region: r.opt_i64("region")?,
            category: r.text("category")?,
            quantity: r.i64("quantity")?,
        })))
    }

    async fn target_months_kept(
        &mut self,
        basis: TargetBasis,
        from: Date,
        to: Date,
    ) -> Result<Vec<Date>, StoreError> {
        let days: Vec<String> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT day_from FROM target_months WHERE basis = $1 AND day_from >= $2 AND day_to <= $3 ORDER BY day_from",
            [basis.as_str().to_string(), from.to_string(), to.to_string()]
        );
        days.iter()
            .map(|d| {
                d.parse()
                    .map_err(|e| corrupt(format!("target_months.day_from '{d}': {e}")))
            })
            .collect()
    }

    async fn target_month_keep(
        &mut self,
        basis: TargetBasis,
        from: (Date, Timestamp),
        to: (Date, Timestamp),
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.keep_target_month(basis, (from, to), now).await
    }

    async fn target_follow_up_insert(
        &mut self,
        year: i16,
        f: &FollowUpInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO target_follow_ups (year, subject_kind, subject_id, month, kind, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            [
                i64::from(year),
                f.subject.kind(),
                f.subject.id(),
                i64::from(f.month),
                f.kind.as_str(),
                f.note.as_str(),
                by.get(),
                micros(at)
            ]
        ))
    }

    async fn target_follow_ups(&mut self, year: i16) -> Result<Vec<FollowUp>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT f.id, f.subject_kind, f.subject_id, f.month, f.kind, f.note, u.display_name, f.recorded_at \
             FROM target_follow_ups f JOIN users u ON u.id = f.recorded_by WHERE f.year = $1 ORDER BY f.id",
            [i64::from(year)],
            |r| Ok(FollowUp {
                id: r.i64("id")?,
                subject: subject(r)?,
                month: i8::try_from(r.i64("month")?)
                    .map_err(|_| corrupt("target follow-up month"))?,
                kind: r.parsed("kind")?,
                note: r.text("note")?,
                recorded_by: r.text("display_name")?,
                recorded_at: r.ts("recorded_at")?,
            })
        ))
    }
}
