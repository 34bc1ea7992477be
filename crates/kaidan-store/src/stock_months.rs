//! The stock moves' kept months (ADR 0046, migration 0039): per closed
//! month and product the units shipped and the change of the stock on
//! hand, which the inventory turnover (KPI-5) prices at today's cost
//! instead of reading a year of moves. The migration's triggers drop a
//! month whenever one of its moves changes.

use jiff::Timestamp;
use kaidan_app::ports::{StockTurnover, StoreError};
use kaidan_domain::Money;
use kaidan_domain::figures::gaps;

use crate::figure_months::Kept;
use crate::figures::Binds;
use crate::row::{Val, from_micros, micros};
use crate::tx::{DbTx, exec, fetch_as};

const SCOPE: &str = "all";

impl DbTx {
    /// The first moments of the months kept from `from` on.
    pub(crate) async fn stock_months(
        &mut self,
        from: Timestamp,
    ) -> Result<Vec<Timestamp>, StoreError> {
        let rows: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT month_from FROM stock_move_months WHERE scope = $1 AND month_from >= $2 ORDER BY month_from",
            [SCOPE.to_string(), micros(from)]
        );
        rows.into_iter().map(from_micros).collect()
    }

    /// Keeps the moves of the closed month `[from, to)`; false when it is
    /// not over at `now`.
    pub(crate) async fn keep_stock_month(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if from >= to || to > now {
            return Ok(false);
        }
        let (f, t) = (micros(from), micros(to));
        if self.start_keeping(Kept::Stock, SCOPE, f, t).await? {
            return Ok(true);
        }
        exec!(
            self,
            "INSERT INTO stock_move_month_cells (scope, month_from, product_id, shipped, on_hand) \
             SELECT $1, $2, m.product_id, \
                    CAST(SUM(CASE WHEN m.kind = 'shipment' THEN -m.on_hand_delta ELSE 0 END) AS BIGINT), \
                    CAST(SUM(m.on_hand_delta) AS BIGINT) \
             FROM stock_moves m WHERE m.at >= $2 AND m.at < $3 GROUP BY m.product_id",
            [SCOPE.to_string(), f, t]
        );
        exec!(
            self,
            "INSERT INTO stock_move_months (scope, month_from, month_to, built_at) VALUES ($1, $2, $3, $4)",
            [SCOPE.to_string(), f, t, micros(now)]
        );
        Ok(true)
    }

    /// The inventory turnover's figures over `[from, to)`: the stock on a
    /// day is today's less every move since, so the moves from `from` on
    /// are read — the kept months' from their sums (each whole inside the
    /// period or whole after it), the rest from the moves.
    pub(crate) async fn turnover(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<StockTurnover, StoreError> {
        let mut kept = Vec::new();
        for m in self.stock_months(from).await? {
            let Ok(next) = m
                .to_zoned(kaidan_domain::orders::company_time_zone())
                .checked_add(jiff::Span::new().months(1))
                .map(|z| z.timestamp())
            else {
                continue;
            };
            if next <= to || m >= to {
                kept.push((m, next));
            }
        }
        let mut b = Binds::default();
        let end = b.put(Val::I(micros(to)));
        let mut parts = Vec::new();
        if !kept.is_empty() {
            let scope = b.put(Val::T(SCOPE.to_string()));
            let months: Vec<String> = kept
                .iter()
                .map(|(m, _)| b.put(Val::I(micros(*m))))
                .collect();
            parts.push(format!(
                "SELECT product_id, month_from AS at, shipped, on_hand FROM stock_move_month_cells \
                 WHERE scope = {scope} AND month_from IN ({})",
                months.join(", ")
            ));
        }
        for (a, z) in gaps(from, Timestamp::MAX, &kept) {
            let a = b.put(Val::I(micros(a)));
            let upper = if z == Timestamp::MAX {
                String::new()
            } else {
                format!(" AND m.at < {}", b.put(Val::I(micros(z))))
            };
            parts.push(format!(
                "SELECT m.product_id, m.at, CASE WHEN m.kind = 'shipment' THEN -m.on_hand_delta ELSE 0 END AS shipped, \
                        m.on_hand_delta AS on_hand \
                 FROM stock_moves m WHERE m.at >= {a}{upper}"
            ));
        }
        let sql = format!(
            "SELECT \
               CAST(COALESCE((SELECT SUM(sb.on_hand * p.cost_price) FROM stock_balances sb JOIN products p ON p.id = sb.product_id), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN x.at < {end} THEN x.shipped * p.cost_price ELSE 0 END), 0) AS BIGINT), \
               CAST(COALESCE(SUM(x.on_hand * p.cost_price), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN x.at >= {end} THEN x.on_hand * p.cost_price ELSE 0 END), 0) AS BIGINT) \
             FROM ({}) x JOIN products p ON p.id = x.product_id",
            parts.join(" UNION ALL ")
        );
        let vals = b.0;
        let (now, shipped, since_from, since_to): (i64, i64, i64, i64) =
            fetch_as!(@ self, false, query_as.fetch_one, &sql, vals);
        Ok(StockTurnover {
            shipped_cost: Money::from_units(shipped),
            opening_stock: Money::from_units(now.saturating_sub(since_from)),
            closing_stock: Money::from_units(now.saturating_sub(since_to)),
        })
    }
}
