use async_trait::async_trait;
use kaidan_app::ports::{ListQuery, StockBalance, StockReceipt, StockTx, StoreError};
use kaidan_domain::{ProductId, WarehouseId};

use crate::error::map;
use crate::row::{RowExt, Val, bind_vals, micros, search_clause};
use crate::tx::{DbTx, on};

#[async_trait]
impl StockTx for DbTx {
    /// Posts a receipt: one ledger entry and the balance it changes, in the
    /// caller's transaction.
    async fn stock_receive(&mut self, r: &StockReceipt) -> Result<(), StoreError> {
        let qty = r.quantity.get();
        on!(self, c => {
            sqlx::query(
                "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, source) \
                 VALUES ($1, $2, $3, 'receipt', $4, 0, $5)",
            )
            .bind(micros(r.at))
            .bind(r.product_id.get())
            .bind(r.warehouse_id.get())
            .bind(qty)
            .bind(&r.source)
            .execute(&mut *c)
            .await
            .map_err(map)?;
            sqlx::query(
                "INSERT INTO stock_balances (product_id, warehouse_id, on_hand, reserved) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand",
            )
            .bind(r.product_id.get())
            .bind(r.warehouse_id.get())
            .bind(qty)
            .execute(&mut *c)
            .await
            .map_err(map)?;
        });
        Ok(())
    }

    async fn stock_list(&mut self, query: &ListQuery) -> Result<Vec<StockBalance>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(after) = query.after {
            vals.push(Val::I(after));
            clauses.push(format!(
                "(b.product_id * 100000 + b.warehouse_id) > ${}",
                vals.len()
            ));
        }
        if let Some(c) = search_clause("p.sku", "p.name", query.search.as_deref(), &mut vals) {
            clauses.push(c);
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        vals.push(Val::I(i64::from(query.limit.max(1))));
        let sql = format!(
            "SELECT b.product_id, p.sku, p.name AS product_name, b.warehouse_id, w.code AS warehouse_code, \
                    b.on_hand, b.reserved \
             FROM stock_balances b JOIN products p ON p.id = b.product_id \
                  JOIN warehouses w ON w.id = b.warehouse_id \
             {filter} ORDER BY b.product_id, b.warehouse_id LIMIT ${}",
            vals.len()
        );
        on!(self, c => {
            let rows = bind_vals!(sqlx::query(&sql), &vals)
                .fetch_all(&mut *c)
                .await
                .map_err(map)?;
            rows.iter()
                .map(|r| {
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
                        available: on_hand - reserved,
                    })
                })
                .collect()
        })
    }
}
