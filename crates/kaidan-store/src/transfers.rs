//! Transfers to stores and regions (ALC-8, ALC-9), the destinations' own
//! stock and the regions' replenishment plans.

use std::fmt::Write as _;

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    StoreError, StorePositionRow, TransferQuery, TransferRow, TransferStep, TransfersTx,
};
use kaidan_domain::transfers::{RegionNeed, TransferStatus};
use kaidan_domain::{ProductId, RegionId, StoreId, UserId, WarehouseId};

use crate::literal::{LITERAL_ROWS, int_tuples};
use crate::pick_lines::PickDoc;
use crate::row::{RowExt, from_micros, micros};
use crate::status_sets::{self, TRANSFER_IN_TRANSIT};
use crate::tx::{DbTx, exec, exec_once, fetch_all, fetch_as, fetch_opt};

/// Transfers per insert statement (the number is bound text).
const TRANSFER_ROWS: usize = 200;

const TRANSFER_COLUMNS: &str = "t.id, t.number, t.run_id, r.number AS run_number, t.kind, t.store_id, \
     t.region_id, COALESCE(s.name, g.name) AS destination, t.from_warehouse_id, t.to_warehouse_id, \
     t.status, t.packages, t.carrier, t.tracking_no, t.eta, t.note, t.created_at, t.created_by, \
     t.picked_at, t.shipped_at, t.closed_at";

const TRANSFER_FROM: &str = "transfers t JOIN regions g ON g.id = t.region_id \
     LEFT JOIN stores s ON s.id = t.store_id LEFT JOIN allocation_runs r ON r.id = t.run_id";

fn opt_ts(v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(from_micros).transpose()
}

fn transfer_from(r: &impl RowExt) -> Result<TransferRow, StoreError> {
    Ok(TransferRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        run_id: r.opt_i64("run_id")?,
        run_number: r.opt_text("run_number")?,
        kind: r.parsed("kind")?,
        store_id: r.opt_i64("store_id")?.map(StoreId),
        region_id: RegionId(r.i64("region_id")?),
        destination: r.text("destination")?,
        from_warehouse_id: WarehouseId(r.i64("from_warehouse_id")?),
        to_warehouse_id: r.opt_i64("to_warehouse_id")?.map(WarehouseId),
        status: r.parsed("status")?,
        packages: r.opt_i64("packages")?,
        carrier: r.opt_text("carrier")?,
        tracking_no: r.opt_text("tracking_no")?,
        eta: r.opt_parsed("eta")?,
        note: r.opt_text("note")?,
        created_at: r.ts("created_at")?,
        created_by: UserId(r.i64("created_by")?),
        picked_at: opt_ts(r.opt_i64("picked_at")?)?,
        shipped_at: opt_ts(r.opt_i64("shipped_at")?)?,
        closed_at: opt_ts(r.opt_i64("closed_at")?)?,
        lines: Vec::new(),
    })
}

#[async_trait]
impl TransfersTx for DbTx {
    async fn transfers_insert(
        &mut self,
        transfers: &[TransferRow],
    ) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::with_capacity(transfers.len());
        for chunk in transfers.chunks(TRANSFER_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 80);
            for (i, x) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let run = x
                    .run_id
                    .map_or_else(|| "NULL".to_string(), |r| r.to_string());
                let store = x
                    .store_id
                    .map_or_else(|| "NULL".to_string(), |s| s.get().to_string());
                let _ = write!(
                    values,
                    "(${}, {run}, '{}', {store}, {}, {}, '{}', {}, {})",
                    i + 1,
                    x.kind.as_str(),
                    x.region_id.get(),
                    x.from_warehouse_id.get(),
                    x.status.as_str(),
                    micros(x.created_at),
                    x.created_by.get()
                );
            }
            let sql = format!(
                "INSERT INTO transfers (number, run_id, kind, store_id, region_id, from_warehouse_id, status, created_at, created_by) \
                 VALUES {values} RETURNING id, number"
            );
            let numbers: Vec<&str> = chunk.iter().map(|x| x.number.as_str()).collect();
            ids.extend(self.insert_numbered(&sql, &numbers, "transfer").await?);
        }
        let lines: Vec<[i64; 4]> = ids
            .iter()
            .zip(transfers)
            .flat_map(|(id, x)| {
                x.lines
                    .iter()
                    .map(move |l| [*id, i64::from(l.line_no), l.product_id.get(), l.quantity])
            })
            .collect();
        for chunk in lines.chunks(LITERAL_ROWS) {
            let sql = format!(
                "INSERT INTO transfer_lines (transfer_id, line_no, product_id, quantity) VALUES {}",
                int_tuples(chunk.iter().copied())
            );
            exec_once!(self, &sql, []);
        }
        Ok(ids)
    }

    async fn transfer_get(&mut self, id: i64) -> Result<Option<TransferRow>, StoreError> {
        let sql = format!("SELECT {TRANSFER_COLUMNS} FROM {TRANSFER_FROM} WHERE t.id = $1");
        let Some(mut head) = fetch_opt!(self, &sql, [id], transfer_from) else {
            return Ok(None);
        };
        head.lines = self.pick_lines_of(PickDoc::Transfer, id).await?;
        Ok(Some(head))
    }

    async fn transfer_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT id FROM transfers WHERE number = $1",
            [number]
        ))
    }

    async fn transfers(&mut self, q: &TransferQuery) -> Result<Vec<TransferRow>, StoreError> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM {TRANSFER_FROM} \
             WHERE ($1 = '' OR t.status = $1) AND ($2 = 0 OR t.store_id = $2) AND ($3 = 0 OR t.run_id = $3) \
             ORDER BY t.id DESC LIMIT $4"
        );
        let mut list = fetch_all!(
            self,
            &sql,
            [
                q.status.map_or("", |s| s.as_str()),
                q.store.map_or(0, |s| s.get()),
                q.run.unwrap_or(0),
                i64::from(q.limit.max(1)),
            ],
            transfer_from
        );
        for t in &mut list {
            t.lines = self.pick_lines_of(PickDoc::Transfer, t.id).await?;
        }
        Ok(list)
    }

    async fn transfer_step(
        &mut self,
        id: i64,
        expected: TransferStatus,
        step: &TransferStep,
    ) -> Result<bool, StoreError> {
        // Each step sets its own columns and keeps the others.
        let (at_col, by_col) = match step.status {
            TransferStatus::Picked => ("picked_at", "picked_by"),
            TransferStatus::Shipped => ("shipped_at", "shipped_by"),
            _ => ("closed_at", "closed_by"),
        };
        let sql = format!(
            "UPDATE transfers SET status = $1, {at_col} = $2, {by_col} = $3, \
             packages = COALESCE($4, packages), carrier = COALESCE($5, carrier), \
             tracking_no = COALESCE($6, tracking_no), eta = COALESCE($7, eta), \
             note = COALESCE($8, note), to_warehouse_id = COALESCE($9, to_warehouse_id) \
             WHERE id = $10 AND status = $11"
        );
        let affected = exec!(
            self,
            &sql,
            [
                step.status.as_str(),
                micros(step.at),
                step.by.get(),
                step.packages,
                step.carrier.as_deref(),
                step.tracking_no.as_deref(),
                step.eta.map(|d| d.to_string()),
                step.note.as_deref(),
                step.to_warehouse.map(|w| w.get()),
                id,
                expected.as_str(),
            ]
        );
        if affected != 1 {
            return Ok(false);
        }
        self.pick_lines_picked(PickDoc::Transfer, id, &step.picked)
            .await?;
        Ok(true)
    }

    async fn destination_warehouse(
        &mut self,
        store: Option<StoreId>,
        region: RegionId,
        code: &str,
        name: &str,
        at: Timestamp,
    ) -> Result<WarehouseId, StoreError> {
        let (col, key) = match store {
            Some(s) => ("store_id", s.get()),
            None => ("region_id", region.get()),
        };
        let find = format!("SELECT id FROM warehouses WHERE {col} = $1");
        let found: Option<i64> = fetch_as!(self, query_scalar.fetch_optional, &find, [key]);
        if let Some(id) = found {
            return Ok(WarehouseId(id));
        }
        let insert = format!(
            "INSERT INTO warehouses (code, name, is_central, active, updated_at, {col}) \
             VALUES ($1, $2, FALSE, TRUE, $3, $4) RETURNING id"
        );
        Ok(WarehouseId(fetch_as!(
            self,
            query_scalar.fetch_one,
            &insert,
            [code, name, micros(at), key]
        )))
    }

    async fn store_positions(
        &mut self,
        store: Option<StoreId>,
    ) -> Result<Vec<StorePositionRow>, StoreError> {
        // On hand in the store's own warehouse, plus what open, picked and
        // shipped transfers bring (what was picked, once picked).
        let sql = format!(
            "SELECT store_id, product_id, CAST(SUM(on_hand) AS BIGINT) AS on_hand, \
                   CAST(SUM(in_transit) AS BIGINT) AS in_transit FROM ( \
                     SELECT w.store_id, b.product_id, b.on_hand, 0 AS in_transit \
                     FROM warehouses w JOIN stock_balances b ON b.warehouse_id = w.id \
                     WHERE w.store_id IS NOT NULL AND ($1 = 0 OR w.store_id = $1) \
                     UNION ALL \
                     SELECT t.store_id, l.product_id, 0 AS on_hand, \
                            CASE WHEN t.status = {listed} THEN l.quantity ELSE COALESCE(l.picked, 0) END AS in_transit \
                     FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id \
                     WHERE t.store_id IS NOT NULL AND t.status IN ({in_transit}) \
                       AND ($1 = 0 OR t.store_id = $1) \
                   ) x GROUP BY store_id, product_id ORDER BY store_id, product_id",
            listed = status_sets::text(TransferStatus::LISTED.as_str()),
            in_transit = *TRANSFER_IN_TRANSIT,
        );
        let rows: Vec<(i64, i64, i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            &sql,
            [store.map_or(0, |s| s.get())]
        );
        Ok(rows
            .into_iter()
            .map(|(s, p, on_hand, in_transit)| StorePositionRow {
                store: StoreId(s),
                product: ProductId(p),
                on_hand,
                in_transit,
            })
            .collect())
    }

    async fn region_needs(&mut self, region: RegionId) -> Result<Vec<RegionNeed>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT product_id, quantity FROM region_needs \
             WHERE region_id = $1 AND quantity > 0 ORDER BY product_id",
            [region.get()]
        );
        Ok(rows
            .into_iter()
            .map(|(p, q)| RegionNeed {
                product_id: ProductId(p),
                quantity: q,
            })
            .collect())
    }

    async fn region_needs_set(
        &mut self,
        region: RegionId,
        needs: &[RegionNeed],
    ) -> Result<(), StoreError> {
        self.replace_per_product(
            ("region_needs", "region_id", "quantity"),
            region.get(),
            needs
                .iter()
                .filter(|n| n.quantity > 0)
                .map(|n| (n.product_id, n.quantity)),
        )
        .await
    }

    async fn alloc_region_needs(&mut self) -> Result<Vec<(RegionId, ProductId, i64)>, StoreError> {
        let rows: Vec<(i64, i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT region_id, product_id, quantity FROM region_needs WHERE quantity > 0 \
             ORDER BY region_id, product_id",
            []
        );
        Ok(rows
            .into_iter()
            .map(|(r, p, q)| (RegionId(r), ProductId(p), q))
            .collect())
    }

    async fn region_needs_take(
        &mut self,
        takes: &[(RegionId, ProductId, i64)],
    ) -> Result<u64, StoreError> {
        // A handful of rows per run (regions × products with a plan): one
        // guarded statement each.
        let mut done = 0;
        for (region, product, q) in takes {
            done += exec!(
                self,
                "UPDATE region_needs SET quantity = quantity - $1 \
                 WHERE region_id = $2 AND product_id = $3 AND quantity >= $1",
                [*q, region.get(), product.get()]
            );
        }
        Ok(done)
    }

    async fn region_need_give_back(
        &mut self,
        region: RegionId,
        product: ProductId,
        quantity: i64,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO region_needs (region_id, product_id, quantity) VALUES ($1, $2, $3) \
             ON CONFLICT (region_id, product_id) DO UPDATE SET quantity = region_needs.quantity + excluded.quantity",
            [region.get(), product.get(), quantity]
        );
        Ok(())
    }
}
