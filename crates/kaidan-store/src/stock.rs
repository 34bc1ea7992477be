use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    ListQuery, StockBalance, StockCountRow, StockReceipt, StockStep, StockTx, StoreError,
};
use kaidan_domain::stock_counts::CountLine;
use kaidan_domain::{ProductId, WarehouseId};

use crate::row::{RowExt, Val, micros, placeholders, search_clause, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

/// The ledger kind, the deltas of on hand, reserved and picked for a
/// quantity `q`, the guard on the balance row (`$1`..`$3` are the
/// deltas), and what is short when the guard fails.
fn rule(step: StockStep, q: i64) -> (&'static str, (i64, i64, i64), &'static str, &'static str) {
    match step {
        StockStep::Pick => (
            "pick",
            (0, 0, q),
            "reserved - picked >= $3",
            "are reserved and not yet picked",
        ),
        StockStep::Unpick => ("unpick", (0, 0, -q), "picked >= -$3", "are picked"),
        StockStep::Ship => ("shipment", (-q, -q, -q), "picked >= -$3", "are picked"),
        // Picked goods stay reserved until they ship or are put back.
        StockStep::Release => (
            "release",
            (0, -q, 0),
            "reserved - picked >= -$2",
            "are reserved and not picked",
        ),
    }
}

/// A receipt or adjustment that would take on hand past the largest
/// quantity, as the table's own bound would say it.
fn on_hand_out_of_bounds() -> StoreError {
    crate::bounds::out_of_bounds("stock_balances", "on_hand")
}

/// Rows of (product, warehouse, a, b) with their ids typed.
fn per_balance(rows: Vec<(i64, i64, i64, i64)>) -> Vec<(ProductId, WarehouseId, i64, i64)> {
    rows.into_iter()
        .map(|(p, w, a, b)| (ProductId(p), WarehouseId(w), a, b))
        .collect()
}

impl DbTx {
    /// One ledger entry (INV-1), of the on hand, reserved and picked deltas.
    async fn stock_move(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        kind: &str,
        (on_hand_delta, reserved_delta, picked_delta): (i64, i64, i64),
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, picked_delta, source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                micros(at),
                product.get(),
                warehouse.get(),
                kind,
                on_hand_delta,
                reserved_delta,
                picked_delta,
                source,
            ]
        );
        Ok(())
    }
}

#[async_trait]
impl StockTx for DbTx {
    /// One step of `quantity` (nothing for none) on a balance under its
    /// guard, with its ledger entry; refused when the guard fails or there
    /// is no balance.
    async fn stock_step(
        &mut self,
        step: StockStep,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        if quantity <= 0 {
            return Ok(());
        }
        let (kind, (on_hand_delta, reserved_delta, picked_delta), guard, short) =
            rule(step, quantity);
        let sql = format!(
            "UPDATE stock_balances SET on_hand = on_hand + $1, reserved = reserved + $2, picked = picked + $3 \
             WHERE product_id = $4 AND warehouse_id = $5 AND {guard}"
        );
        let affected = exec!(
            self,
            &sql,
            [
                on_hand_delta,
                reserved_delta,
                picked_delta,
                product.get(),
                warehouse.get(),
            ]
        );
        if affected != 1 {
            return Err(StoreError::CheckViolation {
                detail: format!(
                    "{kind} of product {product} in warehouse {warehouse}: fewer than {quantity} {short}"
                ),
            });
        }
        self.stock_move(
            product,
            warehouse,
            kind,
            (on_hand_delta, reserved_delta, picked_delta),
            source,
            at,
        )
        .await
    }

    /// Posts a receipt: one ledger entry and the balance it changes, in the
    /// caller's transaction. Refused, with nothing written, when on hand
    /// would pass the largest quantity (ADR 0024).
    async fn stock_receive(&mut self, r: &StockReceipt) -> Result<(), StoreError> {
        let qty = r.quantity.get();
        // Guarded rather than left to the table's bound: a statement that
        // fails would end a PostgreSQL transaction that an import still
        // reads from to check its other rows. A `Quantity` is at most the
        // bound, so `$4 - excluded.on_hand` cannot overflow.
        let written = exec!(
            self,
            "INSERT INTO stock_balances (product_id, warehouse_id, on_hand, reserved) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand \
             WHERE stock_balances.on_hand <= $4 - excluded.on_hand",
            [
                r.product_id.get(),
                r.warehouse_id.get(),
                qty,
                crate::bounds::max_quantity()
            ]
        );
        if written != 1 {
            return Err(on_hand_out_of_bounds());
        }
        self.stock_move(
            r.product_id,
            r.warehouse_id,
            "receipt",
            (qty, 0, 0),
            &r.source,
            r.at,
        )
        .await
    }

    async fn stock_reserve(
        &mut self,
        warehouse: WarehouseId,
        wants: &[(ProductId, i64)],
        source: &str,
        at: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let mut products: Vec<i64> = wants.iter().map(|(p, _)| p.get()).collect();
        products.sort_unstable();
        products.dedup();
        if products.is_empty() {
            return Ok(Vec::new());
        }
        // Read what is available for every product at once. PostgreSQL locks
        // the rows, in product order so two approvals never wait on each
        // other in a circle; SQLite has one writer, so nobody else can
        // change them before the update below.
        let list = placeholders(2, products.len());
        let lock = if matches!(self, DbTx::Pg(_)) {
            " FOR UPDATE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT product_id, on_hand - reserved AS available FROM stock_balances \
             WHERE warehouse_id = $1 AND product_id IN ({list}) ORDER BY product_id{lock}"
        );
        let mut vals = Vec::with_capacity(1 + products.len());
        vals.push(Val::I(warehouse.get()));
        vals.extend(products.iter().map(|p| Val::I(*p)));
        let rows: Vec<(i64, i64)> = fetch_as!(self, query_as.fetch_all, &sql, vals);
        let mut available: std::collections::HashMap<i64, i64> = rows.into_iter().collect();
        let mut taken: Vec<(i64, i64)> = Vec::new();
        let got: Vec<i64> = wants
            .iter()
            .map(|(p, want)| {
                let left = available.entry(p.get()).or_insert(0);
                let take = (*want).min(*left).max(0);
                *left -= take;
                if take > 0 {
                    match taken.iter_mut().find(|(q, _)| *q == p.get()) {
                        Some((_, t)) => *t += take,
                        None => taken.push((p.get(), take)),
                    }
                }
                take
            })
            .collect();
        if taken.is_empty() {
            return Ok(got);
        }
        // Take it, still guarded: a row whose guard fails is not updated,
        // and the whole reservation is refused rather than half made.
        let values = (0..taken.len())
            .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE stock_balances SET reserved = reserved + v.column2 FROM (VALUES {values}) AS v \
             WHERE stock_balances.warehouse_id = $1 AND stock_balances.product_id = v.column1 \
               AND stock_balances.on_hand - stock_balances.reserved >= v.column2"
        );
        let mut vals = Vec::with_capacity(1 + 2 * taken.len());
        vals.push(Val::I(warehouse.get()));
        for (p, t) in &taken {
            vals.extend([Val::I(*p), Val::I(*t)]);
        }
        let updated = exec!(self, &sql, vals);
        if usize::try_from(updated).ok() != Some(taken.len()) {
            return Err(StoreError::Conflict);
        }
        let values = (0..taken.len())
            .map(|i| {
                format!(
                    "($1, ${}, $2, 'reservation', 0, ${}, $3)",
                    2 * i + 4,
                    2 * i + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, source) \
             VALUES {values}"
        );
        let mut vals = Vec::with_capacity(3 + 2 * taken.len());
        vals.extend([
            Val::I(micros(at)),
            Val::I(warehouse.get()),
            Val::T(source.to_string()),
        ]);
        for (p, t) in &taken {
            vals.extend([Val::I(*p), Val::I(*t)]);
        }
        exec!(self, &sql, vals);
        Ok(got)
    }

    async fn stock_balances_of(
        &mut self,
        warehouse: WarehouseId,
        products: &[ProductId],
    ) -> Result<Vec<(ProductId, i64, i64)>, StoreError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(2, products.len());
        let sql = format!(
            "SELECT product_id, on_hand, reserved FROM stock_balances \
             WHERE warehouse_id = $1 AND product_id IN ({list}) ORDER BY product_id"
        );
        let mut vals = Vec::with_capacity(1 + products.len());
        vals.push(Val::I(warehouse.get()));
        vals.extend(products.iter().map(|p| Val::I(p.get())));
        let rows: Vec<(i64, i64, i64)> = fetch_as!(self, query_as.fetch_all, &sql, vals);
        Ok(rows
            .into_iter()
            .map(|(p, o, r)| (ProductId(p), o, r))
            .collect())
    }

    async fn stock_adjust(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        delta: i64,
        kind: &str,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        if delta == 0 {
            return Ok(());
        }
        // The table's checks (on hand >= 0, >= reserved) refuse any
        // adjustment that would take on hand below them. Update first: an
        // upsert would check its insert row (a negative on hand) before the
        // conflict turns it into an update. The guard keeps on hand within
        // the largest quantity without a failing statement (see
        // `stock_receive`); a delta beyond the bound itself is refused by
        // the table's bound.
        let affected = exec!(
            self,
            "UPDATE stock_balances SET on_hand = on_hand + $1 \
             WHERE product_id = $2 AND warehouse_id = $3 AND ($1 <= 0 OR on_hand <= $4 - $1)",
            [
                delta,
                product.get(),
                warehouse.get(),
                crate::bounds::max_quantity()
            ]
        );
        if affected == 0 {
            // No balance yet, or one the guard kept: only the first may
            // be inserted.
            let inserted = exec!(
                self,
                "INSERT INTO stock_balances (product_id, warehouse_id, on_hand, reserved) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (product_id, warehouse_id) DO NOTHING",
                [product.get(), warehouse.get(), delta]
            );
            if inserted != 1 {
                return Err(on_hand_out_of_bounds());
            }
        }
        self.stock_move(product, warehouse, kind, (delta, 0, 0), source, at)
            .await
    }

    async fn count_insert(&mut self, count: &StockCountRow) -> Result<i64, StoreError> {
        self.count_insert_rows(count).await
    }

    async fn count_get(&mut self, id: i64) -> Result<Option<StockCountRow>, StoreError> {
        self.count_get_row(id).await
    }

    async fn count_post(&mut self, count: &StockCountRow) -> Result<bool, StoreError> {
        self.count_post_row(count).await
    }

    async fn count_lines_posted(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CountLine>, StoreError> {
        self.count_lines_between(from, to).await
    }

    async fn stock_ledger_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError> {
        let rows: Vec<(i64, i64, i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT product_id, warehouse_id, CAST(SUM(on_hand_delta) AS BIGINT), CAST(SUM(reserved_delta) AS BIGINT) \
             FROM stock_moves GROUP BY product_id, warehouse_id ORDER BY product_id, warehouse_id",
            []
        );
        Ok(per_balance(rows))
    }

    async fn stock_picked_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError> {
        let rows: Vec<(i64, i64, i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT b.product_id, b.warehouse_id, \
                    CAST(COALESCE((SELECT SUM(m.picked_delta) FROM stock_moves m \
                                   WHERE m.product_id = b.product_id AND m.warehouse_id = b.warehouse_id), 0) AS BIGINT), \
                    b.picked \
             FROM stock_balances b ORDER BY b.product_id, b.warehouse_id",
            []
        );
        Ok(per_balance(rows))
    }

    async fn stock_list(&mut self, query: &ListQuery) -> Result<Vec<StockBalance>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(after) = query.after {
            vals.push(Val::I(after));
            vals.push(Val::I(query.after_second.unwrap_or(i64::MAX)));
            clauses.push(format!(
                "(b.product_id > ${0} OR (b.product_id = ${0} AND b.warehouse_id > ${1}))",
                vals.len() - 1,
                vals.len()
            ));
        }
        if let Some(c) = search_clause("p.sku", "p.name", query.search.as_deref(), &mut vals) {
            clauses.push(c);
        }
        vals.push(Val::I(i64::from(query.limit.max(1))));
        let sql = format!(
            "SELECT b.product_id, p.sku, p.name AS product_name, b.warehouse_id, w.code AS warehouse_code, \
                    b.on_hand, b.reserved, b.picked \
             FROM stock_balances b JOIN products p ON p.id = b.product_id \
                  JOIN warehouses w ON w.id = b.warehouse_id \
             {} ORDER BY b.product_id, b.warehouse_id LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, |r| {
            let on_hand = r.i64("on_hand")?;
            let reserved = r.i64("reserved")?;
            Ok(StockBalance {
                product_id: ProductId(r.i64("product_id")?),
                sku: r.text("sku")?,
                product_name: r.text("product_name")?,
                warehouse_id: WarehouseId(r.i64("warehouse_id")?),
                warehouse_code: r.text("warehouse_code")?,
                on_hand,
                reserved,
                picked: r.i64("picked")?,
                available: on_hand - reserved,
            })
        }))
    }
}
