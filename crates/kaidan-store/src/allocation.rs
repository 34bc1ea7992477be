//! The allocation run's inputs in a few bulk queries (ALC-1..10), its runs
//! and its locks.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    AllocProductRow, AllocStoreRow, AllocationRunRow, AllocationTx, FranchiseeRow, LockRow,
    OpenLineRow, RecordPacking, StoreError,
};
use kaidan_domain::allocation::LockStatus;
use kaidan_domain::orders::AccountEntry;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, RegionId, UserId, WarehouseId};

use crate::error::corrupt;
use crate::orders::account_entry;
use crate::row::{RowExt, micros};
use crate::status_sets::{LOCK_ACTIVE, ORDER_AWAITING_GOODS, ORDER_ORDERED};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

fn lock_from(r: &impl RowExt) -> Result<LockRow, StoreError> {
    Ok(LockRow {
        id: r.i64("id")?,
        run_id: r.i64("run_id")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        order_id: OrderId(r.i64("order_id")?),
        line_no: u32::try_from(r.i64("line_no")?).map_err(corrupt)?,
        product_id: ProductId(r.i64("product_id")?),
        quantity: r.i64("quantity")?,
        unit_price: Money::from_units(r.i64("unit_price")?),
        expires_on: r.text("expires_on")?.parse().map_err(corrupt)?,
        status: r.parsed("status")?,
    })
}

fn run_from(r: &impl RowExt) -> Result<AllocationRunRow, StoreError> {
    let packing: RecordPacking = r.parsed("packing")?;
    // Runs recorded before packing keep their JSON as text.
    let (input, result) = match packing {
        RecordPacking::Json => (
            r.text("input")?.into_bytes(),
            r.text("result")?.into_bytes(),
        ),
        RecordPacking::Lz4Json => (
            r.opt_bytes("input_packed")?.unwrap_or_default(),
            r.opt_bytes("result_packed")?.unwrap_or_default(),
        ),
    };
    Ok(AllocationRunRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        at: r.ts("at")?,
        actor_id: UserId(r.i64("actor_id")?),
        trigger: r.text("trigger_kind")?,
        allocated: r.i64("allocated")?,
        locked: r.i64("locked")?,
        packing,
        input,
        result,
    })
}

#[async_trait]
impl AllocationTx for DbTx {
    async fn alloc_products(&mut self) -> Result<Vec<AllocProductRow>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT id, sku, name, season, launch_priority FROM products WHERE active ORDER BY id",
            []
        );
        Ok(rows
            .into_iter()
            .map(|(id, sku, name, season, launch_priority)| AllocProductRow {
                id: ProductId(id),
                sku,
                name,
                season,
                launch_priority,
            })
            .collect())
    }

    async fn alloc_supply(
        &mut self,
        warehouse: WarehouseId,
    ) -> Result<Vec<(ProductId, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT product_id, on_hand - reserved FROM stock_balances \
             WHERE warehouse_id = $1 AND on_hand > reserved ORDER BY product_id",
            [warehouse.get()]
        );
        Ok(rows.into_iter().map(|(p, q)| (ProductId(p), q)).collect())
    }

    async fn alloc_franchisees(&mut self) -> Result<Vec<FranchiseeRow>, StoreError> {
        let rows: Vec<(i64, String, i64, Option<i64>, i64, Option<String>)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT id, name, priority, region_id, credit_limit, importance FROM customers \
             WHERE kind = 'franchisee' AND active ORDER BY id",
            []
        );
        rows.into_iter()
            .map(|(id, name, priority, region, limit, importance)| {
                Ok(FranchiseeRow {
                    id: CustomerId(id),
                    name,
                    priority,
                    region_id: region.map(RegionId),
                    credit_limit: Money::from_units(limit),
                    importance: importance
                        .map(|i| i.parse())
                        .transpose()
                        .map_err(|e| corrupt(format!("customer {id} importance: {e}")))?,
                })
            })
            .collect()
    }

    async fn alloc_cumulative_ordered(
        &mut self,
        since: Timestamp,
    ) -> Result<Vec<(CustomerId, i64)>, StoreError> {
        let sql = format!(
            "SELECT o.customer_id, CAST(SUM(l.quantity) AS BIGINT) \
             FROM orders o JOIN order_lines l ON l.order_id = o.id \
             JOIN customers c ON c.id = o.customer_id \
             WHERE o.status IN ({ordered}) AND o.received_at >= $1 \
               AND c.kind = 'franchisee' AND c.active \
             GROUP BY o.customer_id ORDER BY o.customer_id",
            ordered = *ORDER_ORDERED,
        );
        let rows: Vec<(i64, i64)> = fetch_as!(self, query_as.fetch_all, &sql, [micros(since)]);
        Ok(rows.into_iter().map(|(c, q)| (CustomerId(c), q)).collect())
    }

    async fn alloc_franchisee_entries(
        &mut self,
    ) -> Result<Vec<(CustomerId, AccountEntry)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT e.customer_id, e.kind, e.amount, e.order_id FROM account_entries e \
             JOIN customers c ON c.id = e.customer_id \
             WHERE c.kind = 'franchisee' AND c.active ORDER BY e.customer_id, e.id",
            [],
            |r| Ok((CustomerId(r.i64("customer_id")?), account_entry(r, None)?))
        ))
    }

    async fn alloc_open_lines(&mut self) -> Result<Vec<OpenLineRow>, StoreError> {
        let sql = format!(
            "SELECT o.id, l.line_no, o.customer_id, l.product_id, l.backordered, l.unit_price, o.received_at \
             FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN customers c ON c.id = o.customer_id \
             WHERE o.status IN ({awaiting}) AND l.backordered > 0 AND c.kind = 'franchisee' \
             ORDER BY o.id, l.line_no",
            awaiting = *ORDER_AWAITING_GOODS,
        );
        let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> =
            fetch_as!(self, query_as.fetch_all, &sql, []);
        rows.into_iter()
            .map(|(o, line, cust, p, q, price, at)| {
                Ok(OpenLineRow {
                    order_id: OrderId(o),
                    line_no: u32::try_from(line).map_err(corrupt)?,
                    customer_id: CustomerId(cust),
                    product_id: ProductId(p),
                    backordered: q,
                    unit_price: Money::from_units(price),
                    received_at: crate::row::from_micros(at)?,
                })
            })
            .collect()
    }

    async fn alloc_has_work(&mut self) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT CAST(1 AS BIGINT) FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN customers c ON c.id = o.customer_id \
             WHERE o.status IN ({awaiting}) AND l.backordered > 0 AND c.kind = 'franchisee' \
             UNION ALL SELECT CAST(1 AS BIGINT) FROM allocation_locks WHERE status = {active} \
             UNION ALL SELECT CAST(1 AS BIGINT) FROM store_safety_stock ss JOIN stores s ON s.id = ss.store_id \
               WHERE s.active AND ss.quantity > 0 \
             UNION ALL SELECT CAST(1 AS BIGINT) FROM region_needs WHERE quantity > 0 LIMIT 1",
            awaiting = *ORDER_AWAITING_GOODS,
            active = *LOCK_ACTIVE,
        );
        let found: Option<i64> = fetch_as!(self, query_scalar.fetch_optional, &sql, []);
        Ok(found.is_some())
    }

    async fn alloc_regions(&mut self) -> Result<Vec<(RegionId, String)>, StoreError> {
        let rows: Vec<(i64, String)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT id, name FROM regions ORDER BY id",
            []
        );
        Ok(rows.into_iter().map(|(id, n)| (RegionId(id), n)).collect())
    }

    async fn alloc_stores(&mut self) -> Result<Vec<AllocStoreRow>, StoreError> {
        let rows: Vec<(i64, String, i64, String, String, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT id, name, region_id, ownership, tier, priority FROM stores WHERE active ORDER BY id",
            []
        );
        Ok(rows
            .into_iter()
            .map(
                |(id, name, region, ownership, tier, priority)| AllocStoreRow {
                    id,
                    name,
                    region_id: RegionId(region),
                    ownership,
                    tier,
                    priority,
                },
            )
            .collect())
    }

    async fn alloc_safety_stock(&mut self) -> Result<Vec<(i64, ProductId, i64)>, StoreError> {
        let rows: Vec<(i64, i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT s.store_id, s.product_id, s.quantity FROM store_safety_stock s \
             JOIN stores t ON t.id = s.store_id WHERE t.active AND s.quantity > 0 \
             ORDER BY s.store_id, s.product_id",
            []
        );
        Ok(rows
            .into_iter()
            .map(|(s, p, q)| (s, ProductId(p), q))
            .collect())
    }

    async fn allocation_run_insert(&mut self, run: &AllocationRunRow) -> Result<i64, StoreError> {
        let (text, packed) = split_record(run.packing, &run.input, &run.result)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO allocation_runs (number, at, actor_id, trigger_kind, input, result, allocated, locked, \
                                          packing, input_packed, result_packed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            [
                &run.number,
                micros(run.at),
                run.actor_id.get(),
                &run.trigger,
                text.0,
                text.1,
                run.allocated,
                run.locked,
                run.packing.as_str(),
                packed.0,
                packed.1,
            ]
        ))
    }

    async fn allocation_run_record(
        &mut self,
        id: i64,
        packing: RecordPacking,
        input: &[u8],
        result: &[u8],
    ) -> Result<(), StoreError> {
        let (text, packed) = split_record(packing, input, result)?;
        let n = exec!(
            self,
            "UPDATE allocation_runs SET packing = $1, input = $2, result = $3, input_packed = $4, \
                    result_packed = $5 WHERE id = $6",
            [packing.as_str(), text.0, text.1, packed.0, packed.1, id]
        );
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Other(format!(
                "allocation run {id} is not recorded"
            )))
        }
    }

    async fn allocation_run_get(
        &mut self,
        id: i64,
    ) -> Result<Option<AllocationRunRow>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT id, number, at, actor_id, trigger_kind, input, result, allocated, locked, \
                    packing, input_packed, result_packed \
             FROM allocation_runs WHERE id = $1",
            [id],
            run_from
        ))
    }

    async fn allocation_runs(&mut self, limit: u32) -> Result<Vec<AllocationRunRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, number, at, actor_id, trigger_kind, '' AS input, '' AS result, allocated, locked, \
                    'json' AS packing, NULL AS input_packed, NULL AS result_packed \
             FROM allocation_runs ORDER BY id DESC LIMIT $1",
            [i64::from(limit.max(1))],
            run_from
        ))
    }

    async fn locks(&mut self, status: Option<LockStatus>) -> Result<Vec<LockRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, run_id, customer_id, order_id, line_no, product_id, quantity, unit_price, expires_on, status \
             FROM allocation_locks WHERE ($1 = '' OR status = $1) ORDER BY expires_on, id",
            [status.map_or("", LockStatus::as_str)],
            lock_from
        ))
    }

    async fn lock_close(
        &mut self,
        id: i64,
        status: LockStatus,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE allocation_locks SET status = $1, closed_at = $2 WHERE id = $3 AND status = 'active'",
            [status.as_str(), micros(at), id]
        );
        Ok(n == 1)
    }
}

/// The columns a run's record goes to: JSON text for `json`, bytes for
/// a packed record (the other pair empty or NULL).
type RecordColumns<'a> = ((&'a str, &'a str), (Option<&'a [u8]>, Option<&'a [u8]>));

fn split_record<'a>(
    packing: RecordPacking,
    input: &'a [u8],
    result: &'a [u8],
) -> Result<RecordColumns<'a>, StoreError> {
    Ok(match packing {
        RecordPacking::Json => (
            (
                std::str::from_utf8(input).map_err(corrupt)?,
                std::str::from_utf8(result).map_err(corrupt)?,
            ),
            (None, None),
        ),
        RecordPacking::Lz4Json => (("", ""), (Some(input), Some(result))),
    })
}
