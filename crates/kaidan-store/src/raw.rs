//! The storage limit for benchmarks: raw inserts of order rows, without any
//! use case on top, in transactions of a given size. `kaidan bench intake`
//! compares the real intake path with this in the same run.

use std::time::{Duration, Instant};

use crate::error::map;
use crate::tx::{DbTx, on};
use crate::{ConnectError, Db};
use kaidan_app::ports::{StoreError, Tx};

impl Db {
    /// Inserts `orders` orders of `lines` lines each (header row with a
    /// JSON document of `document_bytes`, line rows and one timeline row per
    /// order, as the intake path writes), `per_tx` orders per transaction,
    /// for `customer` and `product`. Returns the time taken.
    pub async fn raw_order_inserts(
        &self,
        orders: usize,
        lines: usize,
        per_tx: usize,
        customer: i64,
        product: i64,
        document_bytes: usize,
    ) -> Result<Duration, StoreError> {
        let doc = format!(
            "{{\"pad\":\"{}\"}}",
            "x".repeat(document_bytes.saturating_sub(10))
        );
        let start = Instant::now();
        let mut done = 0;
        while done < orders {
            let n = per_tx.min(orders - done);
            let mut owned = self.begin_tx().await?;
            let tx: &mut DbTx = &mut owned;
            for _ in 0..n {
                let id: i64 = on!(tx, c => {
                    sqlx::query_scalar(
                        "INSERT INTO orders (customer_id, status, channel, amount, received_at, review_due_at, ship_due_at, document, created_by, updated_at) \
                         VALUES ($1, 'approved', 'api', 100, 0, 0, 0, $2, 0, 0) RETURNING id",
                    )
                    .bind(customer)
                    .bind(&doc)
                    .fetch_one(&mut *c)
                    .await
                    .map_err(map)?
                });
                for line in 0..lines {
                    on!(tx, c => {
                        sqlx::query("INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, amount, reserved) VALUES ($1, $2, $3, 1, 100, 100, 1)")
                            .bind(id)
                            .bind(i64::try_from(line + 1).unwrap_or(1))
                            .bind(product)
                            .execute(&mut *c)
                            .await
                            .map_err(map)?;
                    });
                }
                on!(tx, c => {
                    sqlx::query("INSERT INTO order_events (order_id, at, actor_id, actor_name, kind) VALUES ($1, 0, 0, 'bench', 'approved')")
                        .bind(id)
                        .execute(&mut *c)
                        .await
                        .map_err(map)?;
                });
            }
            done += n;
            Box::new(owned).commit().await?;
        }
        Ok(start.elapsed())
    }

    /// Opens a fresh database for the raw baseline next to `url`.
    pub async fn open_for_bench(url: &str) -> Result<Db, ConnectError> {
        let db = Db::connect(url, &crate::DbOptions::default()).await?;
        db.migrate().await?;
        Ok(db)
    }
}
