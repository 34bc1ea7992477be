//! The targets' kept months (ADR 0046, migration 0039): what was sold on a
//! basis in a closed month, per customer — the amount, and the units of
//! each product category — written once a reader needs it and read
//! instead of the month's records. The migration's triggers drop a month
//! whenever a record it counted changes.

use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::StoreError;
use kaidan_domain::figures::gaps;
use kaidan_domain::targets::TargetBasis;

use crate::figure_months::Kept;
use crate::figures::Binds;
use crate::row::{Val, micros};
use crate::targets::{bound, by_day, records, unit_bound, unit_records};
use crate::tx::{DbTx, exec, exec_once, fetch_as};

/// A bound of a reading: a day and the instant it starts.
pub(crate) type Bound = (Date, Timestamp);

/// A kept month: its first day and the next month's.
pub(crate) type Month = (Bound, Bound);

/// Where a reading's rows come from: each kept month's sums, then the
/// records of what the kept months leave of `[first, last)`.
pub(crate) struct Reading {
    pub kept: Vec<Month>,
    pub live: Vec<Month>,
}

impl DbTx {
    /// The months of `basis` kept inside `[first, last)` that lie whole in
    /// one of the buckets, and the spans left to read from the records.
    pub(crate) async fn target_reading(
        &mut self,
        basis: TargetBasis,
        bounds: &[Bound],
    ) -> Result<Reading, StoreError> {
        let (Some(first), Some(last)) = (bounds.first().copied(), bounds.last().copied()) else {
            return Ok(Reading {
                kept: Vec::new(),
                live: Vec::new(),
            });
        };
        let rows: Vec<(i64, i64, String, String)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT month_from, month_to, day_from, day_to FROM target_months \
             WHERE basis = $1 AND day_from >= $2 AND day_to <= $3 ORDER BY day_from",
            [
                basis.as_str().to_string(),
                first.0.to_string(),
                last.0.to_string()
            ]
        );
        let mut kept = Vec::new();
        for (mf, mt, df, dt) in rows {
            let month = (
                (day(&df)?, crate::row::from_micros(mf)?),
                (day(&dt)?, crate::row::from_micros(mt)?),
            );
            let whole = bounds
                .windows(2)
                .any(|w| w[0].0 <= month.0.0 && month.1.0 <= w[1].0);
            if whole {
                kept.push(month);
            }
        }
        let live = gaps(first, last, &kept);
        Ok(Reading { kept, live })
    }

    /// Keeps what was sold on `basis` in the closed month `[from, to)`;
    /// false when it is not over at `now`.
    pub(crate) async fn keep_target_month(
        &mut self,
        basis: TargetBasis,
        (from, to): Month,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if from.0 >= to.0 || to.1 > now {
            return Ok(false);
        }
        let key = basis.as_str().to_string();
        let m = micros(from.1);
        if self
            .start_keeping(Kept::Target, &key, m, micros(to.1))
            .await?
        {
            return Ok(true);
        }
        let mut b = Binds::default();
        let (k, mf, df) = (
            b.put(Val::T(key.clone())),
            b.put(Val::I(m)),
            b.put(Val::T(from.0.to_string())),
        );
        let x = records(basis, &mut b, bound(basis, from), bound(basis, to));
        let sql = format!(
            "INSERT INTO target_month_cells (basis, month_from, day_from, customer_id, category, amount, quantity) \
             SELECT {k}, {mf}, {df}, x.customer_id, CAST(NULL AS TEXT), CAST(SUM(x.amount) AS BIGINT), 0 \
             FROM ({x}) x GROUP BY x.customer_id"
        );
        let vals = b.0;
        exec_once!(self, &sql, vals);
        let mut b = Binds::default();
        let (k, mf, df) = (
            b.put(Val::T(key.clone())),
            b.put(Val::I(m)),
            b.put(Val::T(from.0.to_string())),
        );
        let x = unit_records(
            basis,
            &mut b,
            unit_bound(basis, from),
            unit_bound(basis, to),
            None,
        );
        let sql = format!(
            "INSERT INTO target_month_cells (basis, month_from, day_from, customer_id, category, amount, quantity) \
             SELECT {k}, {mf}, {df}, x.customer_id, x.category, 0, CAST(SUM(x.quantity) AS BIGINT) \
             FROM ({x}) x GROUP BY x.customer_id, x.category"
        );
        let vals = b.0;
        exec_once!(self, &sql, vals);
        exec!(
            self,
            "INSERT INTO target_months (basis, month_from, month_to, day_from, day_to, built_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                key,
                m,
                micros(to.1),
                from.0.to_string(),
                to.0.to_string(),
                micros(now)
            ]
        );
        Ok(true)
    }
}

/// The kept months' rows as the basis's records: `(customer_id, at,
/// amount)`, or with `cats` (placeholders) `(customer_id, at, category,
/// quantity)`; `at` is the month's first instant or day, as the basis
/// keeps its records.
pub(crate) fn kept_rows(
    basis: TargetBasis,
    kept: &[Month],
    b: &mut Binds,
    cats: Option<&str>,
) -> String {
    let k = b.put(Val::T(basis.as_str().to_string()));
    let months: Vec<String> = kept
        .iter()
        .map(|(from, _)| b.put(Val::I(micros(from.1))))
        .collect();
    let at = if by_day(basis) {
        "t.day_from"
    } else {
        "t.month_from"
    };
    let months = months.join(", ");
    match cats {
        None => format!(
            "SELECT t.customer_id, {at} AS at, t.amount FROM target_month_cells t \
             WHERE t.basis = {k} AND t.month_from IN ({months}) AND t.category IS NULL"
        ),
        Some(cats) => format!(
            "SELECT t.customer_id, {at} AS at, t.category, t.quantity FROM target_month_cells t \
             WHERE t.basis = {k} AND t.month_from IN ({months}) AND t.category IN ({cats})"
        ),
    }
}

fn day(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| crate::error::corrupt(format!("target_months day '{s}': {e}")))
}
