//! The figures' kept months (ADR 0046, migration 0039): a closed month's
//! sums per customer, clerk, channel and (sales by category) product
//! category, written once a reader needs them and read instead of the
//! month's records. The migration's triggers delete a month from
//! `figure_months` whenever a record it counted changes; a month not
//! listed there is read from the records.

use jiff::Timestamp;
use kaidan_app::ports::{FigureQuery, StoreError};
use kaidan_domain::figures::{Breakdown, Figure};

use crate::figures::{Binds, live};
use crate::row::{Val, micros};
use crate::tx::{DbTx, exec, exec_once, fetch_as};

/// The name a figure's months are kept under: sales by category has rows
/// per order and category, so its own; satisfaction is not kept (a
/// customer counts once over the whole period, not once a month).
pub(crate) fn key(figure: Figure, by: Breakdown) -> Option<&'static str> {
    match figure {
        Figure::Accuracy => Some("accuracy"),
        Figure::OnTime => Some("on_time"),
        Figure::StockCheck => Some("stock_check"),
        Figure::Sales if by == Breakdown::Category => Some("sales_category"),
        Figure::Sales => Some("sales"),
        Figure::Satisfaction => None,
    }
}

/// The grain of kept sums a reading takes: the company's breakdowns read
/// the sums by their own key (the customer's rep, region, kind and team
/// are joined as they are today); a reader of his own orders and
/// customers the finest, which knows both the clerk and the customer.
pub(crate) fn grain(q: &FigureQuery) -> &'static str {
    if q.own.is_some() {
        return "fine";
    }
    match q.by {
        Breakdown::Clerk => "clerk",
        Breakdown::Channel => "channel",
        Breakdown::Category => "category",
        Breakdown::Rep
        | Breakdown::Team
        | Breakdown::Region
        | Breakdown::CustomerKind
        | Breakdown::Customer => "customer",
    }
}

/// The coarser grains, summed from the finest: each keeps its own column
/// and leaves the others empty.
const GRAINS: [(&str, &str, &str); 4] = [
    (
        "customer",
        "customer_id",
        "customer_id, CAST(NULL AS BIGINT), '', ''",
    ),
    (
        "clerk",
        "clerk_id",
        "CAST(NULL AS BIGINT), clerk_id, '', ''",
    ),
    (
        "channel",
        "channel",
        "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), channel, ''",
    ),
    (
        "category",
        "category",
        "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), '', category",
    ),
];

/// The kept months' sums as rows of the figure's derived table, each at
/// its month's first moment.
pub(crate) fn kept_cells(
    key: &str,
    grain: &str,
    kept: &[(Timestamp, Timestamp)],
    b: &mut Binds,
) -> String {
    let k = b.put(Val::T(key.to_string()));
    let g = b.put(Val::T(grain.to_string()));
    let months: Vec<String> = kept
        .iter()
        .map(|(from, _)| b.put(Val::I(micros(*from))))
        .collect();
    format!(
        "SELECT CAST(NULL AS BIGINT) AS order_id, fc.customer_id, fc.clerk_id, fc.month_from AS at, \
                fc.counted, fc.hits AS hit, fc.amount, fc.cost, 0 AS n1, 0 AS n2, 0 AS n3, 0 AS n4, \
                fc.channel, fc.category AS cat \
         FROM figure_month_cells fc WHERE fc.figure = {k} AND fc.grain = {g} AND fc.month_from IN ({})",
        months.join(", ")
    )
}

/// The three kinds of kept months: the table listing them, the table of
/// their sums, and the column naming whose month it is.
#[derive(Clone, Copy)]
pub(crate) enum Kept {
    Figure,
    Target,
    /// The company's stock moves (`scope` 'all').
    Stock,
}

impl Kept {
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kept::Figure => ("figure_months", "figure_month_cells", "figure"),
            Kept::Target => ("target_months", "target_month_cells", "basis"),
            Kept::Stock => ("stock_move_months", "stock_move_month_cells", "scope"),
        }
    }
}

impl DbTx {
    /// Starts summing the month `[from, to)` of `key`: true when it is
    /// kept already, else its old sums are gone and it is to be written.
    ///
    /// PostgreSQL: no record the month counts may change while it is
    /// summed — the triggers' deletes wait for this lock, and it waits for
    /// the transactions that already deleted — so a month kept is never
    /// older than its records. SQLite has one writer: this unit.
    pub(crate) async fn start_keeping(
        &mut self,
        kind: Kept,
        key: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, StoreError> {
        let (months, cells, col) = kind.tables();
        if let DbTx::Pg(t) = self {
            sqlx::query(&format!("LOCK TABLE {months} IN SHARE ROW EXCLUSIVE MODE"))
                .execute(&mut **t)
                .await
                .map_err(crate::error::map)?;
        }
        let kept: Option<i64> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            &format!("SELECT month_to FROM {months} WHERE {col} = $1 AND month_from = $2"),
            [key.to_string(), from]
        );
        if kept == Some(to) {
            return Ok(true);
        }
        for table in [cells, months] {
            exec_once!(
                self,
                &format!("DELETE FROM {table} WHERE {col} = $1 AND month_from = $2"),
                [key.to_string(), from]
            );
        }
        Ok(false)
    }

    pub(crate) async fn kept_months(
        &mut self,
        q: &FigureQuery,
    ) -> Result<Vec<(Timestamp, Timestamp)>, StoreError> {
        let Some(key) = key(q.figure, q.by) else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT month_from, month_to FROM figure_months \
             WHERE figure = $1 AND month_from >= $2 AND month_to <= $3 ORDER BY month_from",
            [key.to_string(), micros(q.from), micros(q.to)]
        );
        rows.into_iter()
            .map(|(a, b)| Ok((crate::row::from_micros(a)?, crate::row::from_micros(b)?)))
            .collect()
    }

    pub(crate) async fn keep_month(
        &mut self,
        q: &FigureQuery,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<bool, StoreError> {
        let Some(key) = key(q.figure, q.by) else {
            return Ok(false);
        };
        if from >= to || to > q.now {
            return Ok(false);
        }
        let (f, t) = (micros(from), micros(to));
        if self.start_keeping(Kept::Figure, key, f, t).await? {
            return Ok(true);
        }
        // The on-time rate counts an open deadline once it is past: a month
        // is closed for it when every deadline of its orders is.
        if q.figure == Figure::OnTime {
            let open: Option<i64> = fetch_as!(
                self,
                query_scalar.fetch_optional,
                "SELECT CAST(1 AS BIGINT) FROM orders WHERE received_at >= $1 AND received_at < $2 AND status <> 'draft' \
                   AND (review_due_at >= $3 OR ship_due_at >= $3) LIMIT 1",
                [f, t, micros(q.now)]
            );
            if open.is_some() {
                return Ok(false);
            }
        }
        let mut b = Binds::default();
        let k = b.put(Val::T(key.to_string()));
        let m = b.put(Val::I(f));
        let whole = FigureQuery {
            own: None,
            kept: Vec::new(),
            ..q.clone()
        };
        let rows = live(&whole, from, to, &mut b, None, true);
        let sql = format!(
            "INSERT INTO figure_month_cells (figure, grain, month_from, customer_id, clerk_id, channel, category, counted, hits, amount, cost) \
             SELECT {k}, 'fine', {m}, f.customer_id, f.clerk_id, f.channel, f.cat, \
                    CAST(SUM(f.counted) AS BIGINT), CAST(SUM(f.hit) AS BIGINT), CAST(SUM(f.amount) AS BIGINT), CAST(SUM(f.cost) AS BIGINT) \
             FROM ({rows}) f GROUP BY f.customer_id, f.clerk_id, f.channel, f.cat"
        );
        let vals = b.0;
        exec_once!(self, &sql, vals);
        for (grain, by, columns) in GRAINS {
            let sql = format!(
                "INSERT INTO figure_month_cells (figure, grain, month_from, customer_id, clerk_id, channel, category, counted, hits, amount, cost) \
                 SELECT figure, '{grain}', month_from, {columns}, \
                        CAST(SUM(counted) AS BIGINT), CAST(SUM(hits) AS BIGINT), CAST(SUM(amount) AS BIGINT), CAST(SUM(cost) AS BIGINT) \
                 FROM figure_month_cells WHERE figure = $1 AND grain = 'fine' AND month_from = $2 \
                 GROUP BY figure, month_from, {by}"
            );
            exec_once!(self, &sql, [key.to_string(), f]);
        }
        exec!(
            self,
            "INSERT INTO figure_months (figure, month_from, month_to, built_at) VALUES ($1, $2, $3, $4)",
            [key.to_string(), f, t, micros(q.now)]
        );
        Ok(true)
    }
}
