//! The allocation run's inputs in a few bulk queries (ALC-1..10), its runs
//! and its locks.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    AllocOrderHead, AllocProductRow, AllocStoreRow, AllocationRunRow, AllocationTx, AuditEntry,
    FranchiseeRow, LockRow, OpenLineRow, PickListRow, PickableLine, RecordPacking, RunEvent,
    StoreError,
};
use kaidan_domain::allocation::LockStatus;
use kaidan_domain::orders::AccountEntry;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, RegionId, UserId, WarehouseId};

use crate::error::{corrupt, map};
use crate::status_sets::{
    LOCK_ACTIVE, ORDER_AWAITING_GOODS, PICK_LIST_COMMITTED, PICK_LIST_HELD_QUANTITY,
    REPLENISHMENT_UNFILLED,
};
use std::fmt::Write as _;

use crate::literal::{LITERAL_ROWS, int_list, int_tuples};
use crate::row::{RowExt, micros};
use crate::tx::{DbTx, on};

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
        let rows: Vec<(i64, String, String, String, i64)> = on!(self, c => {
            sqlx::query_as("SELECT id, sku, name, season, launch_priority FROM products WHERE active ORDER BY id")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
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
        let rows: Vec<(i64, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT product_id, on_hand - reserved FROM stock_balances \
                 WHERE warehouse_id = $1 AND on_hand > reserved ORDER BY product_id",
            )
            .bind(warehouse.get())
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(rows.into_iter().map(|(p, q)| (ProductId(p), q)).collect())
    }

    async fn alloc_franchisees(&mut self) -> Result<Vec<FranchiseeRow>, StoreError> {
        let rows: Vec<(i64, String, i64, Option<i64>, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT id, name, priority, region_id, credit_limit FROM customers \
                 WHERE kind = 'franchisee' AND active ORDER BY id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, priority, region, limit)| FranchiseeRow {
                id: CustomerId(id),
                name,
                priority,
                region_id: region.map(RegionId),
                credit_limit: Money::from_units(limit),
            })
            .collect())
    }

    async fn alloc_franchisee_entries(
        &mut self,
    ) -> Result<Vec<(CustomerId, AccountEntry)>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query(
                "SELECT e.customer_id, e.kind, e.amount, e.order_id FROM account_entries e \
                 JOIN customers c ON c.id = e.customer_id \
                 WHERE c.kind = 'franchisee' AND c.active ORDER BY e.customer_id, e.id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter()
                .map(|r| {
                    Ok((
                        CustomerId(r.i64("customer_id")?),
                        AccountEntry {
                            kind: r.parsed("kind")?,
                            amount: Money::from_units(r.i64("amount")?),
                            order_id: r.opt_i64("order_id")?.map(OrderId),
                            note: None,
                        },
                    ))
                })
                .collect()
        })
    }

    async fn alloc_open_lines(&mut self) -> Result<Vec<OpenLineRow>, StoreError> {
        let sql = format!(
            "SELECT o.id, l.line_no, o.customer_id, l.product_id, l.backordered, l.unit_price, o.received_at \
             FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN customers c ON c.id = o.customer_id \
             WHERE o.status IN ({awaiting}) AND l.backordered > 0 AND c.kind = 'franchisee' \
             ORDER BY o.id, l.line_no",
            awaiting = *ORDER_AWAITING_GOODS,
        );
        let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> = on!(self, c => {
            sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
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
        let found: Option<i64> = on!(self, c => {
            sqlx::query_scalar(&sql)
            .fetch_optional(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(found.is_some())
    }

    async fn alloc_regions(&mut self) -> Result<Vec<(RegionId, String)>, StoreError> {
        let rows: Vec<(i64, String)> = on!(self, c => {
            sqlx::query_as("SELECT id, name FROM regions ORDER BY id")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
        Ok(rows.into_iter().map(|(id, n)| (RegionId(id), n)).collect())
    }

    async fn alloc_stores(&mut self) -> Result<Vec<AllocStoreRow>, StoreError> {
        let rows: Vec<(i64, String, i64, String, String, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT id, name, region_id, ownership, tier, priority FROM stores WHERE active ORDER BY id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
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
        let rows: Vec<(i64, i64, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT s.store_id, s.product_id, s.quantity FROM store_safety_stock s \
                 JOIN stores t ON t.id = s.store_id WHERE t.active AND s.quantity > 0 \
                 ORDER BY s.store_id, s.product_id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(rows
            .into_iter()
            .map(|(s, p, q)| (s, ProductId(p), q))
            .collect())
    }

    async fn allocation_run_insert(&mut self, run: &AllocationRunRow) -> Result<i64, StoreError> {
        let (text, packed) = split_record(run.packing, &run.input, &run.result)?;
        on!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO allocation_runs (number, at, actor_id, trigger_kind, input, result, allocated, locked, \
                                              packing, input_packed, result_packed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&run.number)
            .bind(micros(run.at))
            .bind(run.actor_id.get())
            .bind(&run.trigger)
            .bind(text.0)
            .bind(text.1)
            .bind(run.allocated)
            .bind(run.locked)
            .bind(run.packing.as_str())
            .bind(packed.0)
            .bind(packed.1)
            .fetch_one(&mut *c)
            .await
            .map_err(map)
        })
    }

    async fn allocation_run_record(
        &mut self,
        id: i64,
        packing: RecordPacking,
        input: &[u8],
        result: &[u8],
    ) -> Result<(), StoreError> {
        let (text, packed) = split_record(packing, input, result)?;
        let n = on!(self, c => {
            sqlx::query(
                "UPDATE allocation_runs SET packing = $1, input = $2, result = $3, input_packed = $4, \
                        result_packed = $5 WHERE id = $6",
            )
            .bind(packing.as_str())
            .bind(text.0)
            .bind(text.1)
            .bind(packed.0)
            .bind(packed.1)
            .bind(id)
            .execute(&mut *c)
            .await
            .map_err(map)?
            .rows_affected()
        });
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
        on!(self, c => {
            match sqlx::query(
                "SELECT id, number, at, actor_id, trigger_kind, input, result, allocated, locked, \
                        packing, input_packed, result_packed \
                 FROM allocation_runs WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *c)
            .await
            .map_err(map)?
            {
                Some(r) => Ok(Some(run_from(&r)?)),
                None => Ok(None),
            }
        })
    }

    async fn allocation_runs(&mut self, limit: u32) -> Result<Vec<AllocationRunRow>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query(
                "SELECT id, number, at, actor_id, trigger_kind, '' AS input, '' AS result, allocated, locked, \
                        'json' AS packing, NULL AS input_packed, NULL AS result_packed \
                 FROM allocation_runs ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit.max(1)))
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter().map(run_from).collect()
        })
    }

    async fn locks(&mut self, status: Option<LockStatus>) -> Result<Vec<LockRow>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query(
                "SELECT id, run_id, customer_id, order_id, line_no, product_id, quantity, unit_price, expires_on, status \
                 FROM allocation_locks WHERE ($1 = '' OR status = $1) ORDER BY expires_on, id",
            )
            .bind(status.map_or("", LockStatus::as_str))
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter().map(lock_from).collect()
        })
    }

    async fn lock_close(
        &mut self,
        id: i64,
        status: LockStatus,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = on!(self, c => {
            sqlx::query(
                "UPDATE allocation_locks SET status = $1, closed_at = $2 WHERE id = $3 AND status = 'active'",
            )
            .bind(status.as_str())
            .bind(micros(at))
            .bind(id)
            .execute(&mut *c)
            .await
            .map_err(map)?
            .rows_affected()
        });
        Ok(n == 1)
    }

    async fn alloc_reserve_lines(
        &mut self,
        lines: &[(OrderId, u32, i64)],
    ) -> Result<u64, StoreError> {
        let mut updated = 0;
        for chunk in lines.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, l, n)| [o.get(), i64::from(*l), *n]));
            let sql = format!(
                "{} order_lines SET reserved = order_lines.reserved + v.column3, \
                        backordered = order_lines.backordered - v.column3 \
                 FROM (VALUES {values}) AS v \
                 WHERE order_lines.order_id = v.column1 AND order_lines.line_no = v.column2 \
                   AND order_lines.backordered >= v.column3",
                bulk_update(self)
            );
            updated += on!(self, c => {
                sqlx::query(&sql).persistent(false).execute(&mut *c).await.map_err(map)?.rows_affected()
            });
        }
        Ok(updated)
    }

    async fn alloc_close_shortages(
        &mut self,
        lines: &[(OrderId, u32)],
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        // One lookup per line through the (order, line) index. The state
        // is compared as an expression so that no engine walks the
        // (status, product) index instead: nearly every request of a big
        // run is open, which a planner without statistics cannot know.
        let mut closed = 0;
        for chunk in lines.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, l)| [o.get(), i64::from(*l)]));
            let sql = format!(
                "{} replenishment_requests SET status = 'closed', closed_at = $1 \
                 FROM (VALUES {values}) AS v \
                 WHERE replenishment_requests.order_id = v.column1 \
                   AND replenishment_requests.line_no = v.column2 \
                   AND (replenishment_requests.status || '') IN ({unfilled})",
                bulk_update(self),
                unfilled = *REPLENISHMENT_UNFILLED,
            );
            closed += on!(self, c => {
                sqlx::query(&sql).persistent(false).bind(micros(at)).execute(&mut *c).await.map_err(map)?.rows_affected()
            });
        }
        Ok(closed)
    }

    async fn locks_insert(&mut self, locks: &[LockRow]) -> Result<(), StoreError> {
        for chunk in locks.chunks(LITERAL_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 80);
            for (i, l) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                // A date prints as digits and dashes, a status is a fixed
                // word: both safe to write into the text.
                let _ = write!(
                    values,
                    "({}, {}, {}, {}, {}, {}, {}, '{}', '{}')",
                    l.run_id,
                    l.customer_id.get(),
                    l.order_id.get(),
                    l.line_no,
                    l.product_id.get(),
                    l.quantity,
                    l.unit_price.units(),
                    l.expires_on,
                    l.status.as_str()
                );
            }
            let sql = format!(
                "INSERT INTO allocation_locks (run_id, customer_id, order_id, line_no, product_id, quantity, \
                                               unit_price, expires_on, status) VALUES {values}"
            );
            on!(self, c => {
                sqlx::query(&sql).persistent(false).execute(&mut *c).await.map_err(map)?;
            });
        }
        Ok(())
    }

    async fn order_events_with_outbox(&mut self, events: &[RunEvent]) -> Result<(), StoreError> {
        // Keys, times and states in the text; names, notes and data bound.
        for chunk in events.chunks(BOUND_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 80);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let p = 3 * i;
                let status = e.status.as_str();
                let _ = write!(
                    values,
                    "({}, {}, {}, ${}, '{}', '{status}', '{status}', ${}, ${})",
                    e.order_id.get(),
                    micros(e.at),
                    e.actor_id.get(),
                    p + 1,
                    plain_word(e.kind)?,
                    p + 2,
                    p + 3
                );
            }
            let sql = format!(
                "INSERT INTO order_events (order_id, at, actor_id, actor_name, kind, from_status, to_status, note, data) \
                 VALUES {values}"
            );
            on!(self, c => {
                let mut q = sqlx::query(&sql).persistent(false);
                for e in chunk {
                    q = q.bind(&e.actor_name).bind(&e.note).bind(&e.data);
                }
                q.execute(&mut *c).await.map_err(map)?;
            });
        }
        for chunk in events.chunks(LITERAL_ROWS) {
            let payloads = chunk
                .iter()
                .map(|e| with_order(&e.data, e.order_id, e.status.as_str()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let _ = write!(
                    values,
                    "({}, 'order.{}', 'order', {}, ${})",
                    micros(e.at),
                    plain_word(e.kind)?,
                    e.order_id.get(),
                    i + 1
                );
            }
            let sql = format!(
                "INSERT INTO outbox (at, topic, entity, entity_id, payload) VALUES {values}"
            );
            on!(self, c => {
                let mut q = sqlx::query(&sql).persistent(false);
                for payload in &payloads {
                    q = q.bind(payload);
                }
                q.execute(&mut *c).await.map_err(map)?;
            });
        }
        Ok(())
    }

    async fn audit_insert(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        for chunk in entries.chunks(BOUND_ROWS) {
            let changes = chunk
                .iter()
                .map(|e| serde_json::to_string(&e.changes).map_err(corrupt))
                .collect::<Result<Vec<_>, _>>()?;
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let p = 5 * i;
                let _ = write!(
                    values,
                    "({}, {}, ${}, ${}, {}, ${}, ${}, ${})",
                    micros(e.at),
                    e.actor_id.get(),
                    p + 1,
                    p + 2,
                    e.entity_id,
                    p + 3,
                    p + 4,
                    p + 5
                );
            }
            let sql = format!(
                "INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, changes, request_id) \
                 VALUES {values}"
            );
            on!(self, c => {
                let mut q = sqlx::query(&sql).persistent(false);
                for (e, changes) in chunk.iter().zip(&changes) {
                    q = q
                        .bind(&e.actor_name)
                        .bind(&e.entity)
                        .bind(&e.action)
                        .bind(changes)
                        .bind(e.request_id.as_deref());
                }
                q.execute(&mut *c).await.map_err(map)?;
            });
        }
        Ok(())
    }

    async fn alloc_order_heads(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<AllocOrderHead>, StoreError> {
        let mut out = Vec::with_capacity(orders.len());
        for chunk in orders.chunks(LITERAL_ROWS) {
            let sql = format!(
                "SELECT id, number, customer_id, status, version FROM orders WHERE id IN ({}) ORDER BY id",
                int_list(chunk.iter().map(|o| o.get()))
            );
            on!(self, c => {
                for r in sqlx::query(&sql).persistent(false).fetch_all(&mut *c).await.map_err(map)? {
                    out.push(AllocOrderHead {
                        id: OrderId(r.i64("id")?),
                        number: r.opt_text("number")?,
                        customer_id: CustomerId(r.i64("customer_id")?),
                        status: r.parsed("status")?,
                        version: r.i64("version")?,
                    });
                }
            });
        }
        Ok(out)
    }

    async fn alloc_pickable(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<PickableLine>, StoreError> {
        let mut out = Vec::new();
        for chunk in orders.chunks(LITERAL_ROWS) {
            let list = int_list(chunk.iter().map(|o| o.get()));
            // The same reading as the shipping plan (SHP-1): an open list
            // holds its listed quantity, a picked one what was picked;
            // active locks are not picked (ALC-5). The states are compared
            // as expressions so the planner goes through the orders'
            // indexes, not through every open list or active lock.
            let sql = format!(
                "SELECT l.order_id, l.line_no, l.product_id, \
                        CAST(l.reserved - COALESCE(pk.q, 0) - COALESCE(k.q, 0) AS BIGINT) AS pickable \
                 FROM order_lines l \
                 LEFT JOIN (SELECT pl.order_id, pll.line_no, \
                                   SUM({held}) AS q \
                            FROM pick_list_lines pll JOIN pick_lists pl ON pl.id = pll.pick_list_id \
                            WHERE (pl.status || '') IN ({committed}) AND pl.order_id IN ({list}) \
                            GROUP BY pl.order_id, pll.line_no) pk \
                        ON pk.order_id = l.order_id AND pk.line_no = l.line_no \
                 LEFT JOIN (SELECT order_id, line_no, SUM(quantity) AS q FROM allocation_locks \
                            WHERE (status || '') = {active} AND order_id IN ({list}) GROUP BY order_id, line_no) k \
                        ON k.order_id = l.order_id AND k.line_no = l.line_no \
                 WHERE l.order_id IN ({list}) AND l.reserved > 0 \
                 ORDER BY l.order_id, l.line_no",
                held = *PICK_LIST_HELD_QUANTITY,
                committed = *PICK_LIST_COMMITTED,
                active = *LOCK_ACTIVE,
            );
            let rows: Vec<(i64, i64, i64, i64)> = on!(self, c => {
                sqlx::query_as(&sql).persistent(false).fetch_all(&mut *c).await.map_err(map)?
            });
            for (o, line, p, n) in rows {
                if n > 0 {
                    out.push(PickableLine {
                        order_id: OrderId(o),
                        line_no: u32::try_from(line).map_err(corrupt)?,
                        product_id: ProductId(p),
                        quantity: n,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn counter_take(&mut self, key: &str, n: i64) -> Result<i64, StoreError> {
        Ok(on!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO counters (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
            )
            .bind(key)
            .bind(n)
            .fetch_one(&mut *c)
            .await
            .map_err(map)?
        }))
    }

    async fn orders_touch(
        &mut self,
        orders: &[(OrderId, i64)],
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut touched = 0;
        for chunk in orders.chunks(LITERAL_ROWS) {
            let values = int_tuples(chunk.iter().map(|(o, v)| [o.get(), *v]));
            let sql = format!(
                "UPDATE orders SET version = orders.version + 1, updated_at = $1 FROM (VALUES {values}) AS v \
                 WHERE orders.id = v.column1 AND orders.version = v.column2"
            );
            touched += on!(self, c => {
                sqlx::query(&sql).persistent(false).bind(micros(at)).execute(&mut *c).await.map_err(map)?.rows_affected()
            });
        }
        Ok(touched)
    }

    async fn pick_lists_insert(&mut self, lists: &[PickListRow]) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::with_capacity(lists.len());
        for chunk in lists.chunks(BOUND_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 60);
            for (i, x) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let packages = x
                    .packages
                    .map_or_else(|| "NULL".to_string(), |p| p.to_string());
                let _ = write!(
                    values,
                    "(${}, {}, {}, '{}', {packages}, {}, {})",
                    i + 1,
                    x.order_id.get(),
                    x.warehouse_id.get(),
                    x.status.as_str(),
                    micros(x.created_at),
                    x.created_by.get()
                );
            }
            let sql = format!(
                "INSERT INTO pick_lists (number, order_id, warehouse_id, status, packages, created_at, created_by) \
                 VALUES {values} RETURNING id, number"
            );
            let numbers: Vec<&str> = chunk.iter().map(|x| x.number.as_str()).collect();
            ids.extend(self.insert_numbered(&sql, &numbers, "pick list").await?);
        }
        let lines: Vec<(i64, &kaidan_domain::fulfilment::PickLine)> = ids
            .iter()
            .zip(lists)
            .flat_map(|(id, x)| x.lines.iter().map(move |l| (*id, l)))
            .collect();
        for chunk in lines.chunks(LITERAL_ROWS) {
            let mut values = String::with_capacity(chunk.len() * 30);
            for (i, (id, l)) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let picked = l
                    .picked
                    .map_or_else(|| "NULL".to_string(), |p| p.to_string());
                let _ = write!(
                    values,
                    "({id}, {}, {}, {}, {picked})",
                    l.line_no,
                    l.product_id.get(),
                    l.quantity
                );
            }
            let sql = format!(
                "INSERT INTO pick_list_lines (pick_list_id, line_no, product_id, quantity, picked) VALUES {values}"
            );
            on!(self, c => {
                sqlx::query(&sql).persistent(false).execute(&mut *c).await.map_err(map)?;
            });
        }
        Ok(ids)
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

/// `UPDATE`, on SQLite `UPDATE OR FAIL`: a statement that cannot be undone
/// halfway needs no statement journal, so SQLite does not copy every page
/// it changes first. Safe because a failed statement fails the whole
/// transaction (or unit) it is in: nobody goes on after the error.
fn bulk_update(tx: &DbTx) -> &'static str {
    match tx {
        DbTx::Sqlite(_) => "UPDATE OR FAIL",
        DbTx::Pg(_) => "UPDATE",
    }
}

/// Rows per statement that still binds its text (names, notes, JSON): a
/// few hundred parameters each.
const BOUND_ROWS: usize = 60;

/// An event kind written into a statement: lower-case letters and `_`
/// only.
fn plain_word(s: &str) -> Result<&str, StoreError> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(s)
    } else {
        Err(StoreError::Corrupt(format!("not an event kind: {s:?}")))
    }
}

/// An order event's data (a JSON object) with the order's id and state in
/// front: the outbox payload, made from the text without parsing it again.
fn with_order(data: &str, order: OrderId, status: &str) -> Result<String, StoreError> {
    let rest = data
        .trim_start()
        .strip_prefix('{')
        .ok_or_else(|| StoreError::Corrupt(format!("event data is not a JSON object: {data}")))?;
    let mut out = String::with_capacity(data.len() + 48);
    let _ = write!(
        out,
        "{{\"order_id\":{},\"status\":\"{status}\"",
        order.get()
    );
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_outbox_payload_is_the_data_with_the_order_in_front() {
        let p = with_order(r#"{"run":"AR-1","lines":[]}"#, OrderId(7), "approved").unwrap();
        assert_eq!(
            p,
            r#"{"order_id":7,"status":"approved","run":"AR-1","lines":[]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!(v["run"], "AR-1");
        assert_eq!(
            with_order("{}", OrderId(1), "shipped").unwrap(),
            r#"{"order_id":1,"status":"shipped"}"#
        );
        assert!(with_order("[1]", OrderId(1), "approved").is_err());
        assert!(plain_word("pick_list").is_ok());
        assert!(plain_word("x'); DROP TABLE orders; --").is_err());
    }
}
