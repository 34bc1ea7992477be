//! Stock counts (INV-3): the count header and its lines, and the ledger
//! adjustments posting makes.

use jiff::Timestamp;
use kaidan_app::ports::{StockCountRow, StoreError};
use kaidan_domain::stock_counts::CountLine;
use kaidan_domain::{ProductId, UserId, WarehouseId};

use crate::error::{corrupt, map};
use crate::row::{RowExt, from_micros, micros};
use crate::tx::{DbTx, on};

fn line_from(r: &impl RowExt) -> Result<CountLine, StoreError> {
    Ok(CountLine {
        product_id: ProductId(r.i64("product_id")?),
        system: r.i64("system_qty")?,
        counted: r.i64("counted_qty")?,
        cause: r.opt_parsed("cause")?,
        note: r.opt_text("note")?,
    })
}

impl DbTx {
    pub(crate) async fn count_insert_rows(&mut self, x: &StockCountRow) -> Result<i64, StoreError> {
        let id: i64 = on!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO stock_counts (warehouse_id, status, note, counted_at, counted_by) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(x.warehouse_id.get())
            .bind(x.status.as_str())
            .bind(&x.note)
            .bind(micros(x.counted_at))
            .bind(x.counted_by.get())
            .fetch_one(&mut *c)
            .await
            .map_err(map)?
        });
        self.count_write_lines(id, &x.lines).await?;
        Ok(id)
    }

    async fn count_write_lines(&mut self, id: i64, lines: &[CountLine]) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM stock_count_lines WHERE count_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        for (i, l) in lines.iter().enumerate() {
            let line_no = i64::try_from(i + 1).map_err(corrupt)?;
            on!(self, c => {
                sqlx::query(
                    "INSERT INTO stock_count_lines (count_id, line_no, product_id, system_qty, counted_qty, cause, note) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(line_no)
                .bind(l.product_id.get())
                .bind(l.system)
                .bind(l.counted)
                .bind(l.cause.map(|c| c.as_str()))
                .bind(l.note.as_deref())
                .execute(&mut *c)
                .await
                .map_err(map)?;
            });
        }
        Ok(())
    }

    pub(crate) async fn count_get_row(
        &mut self,
        id: i64,
    ) -> Result<Option<StockCountRow>, StoreError> {
        let head = on!(self, c => {
            match sqlx::query(
                "SELECT id, warehouse_id, status, note, counted_at, counted_by, posted_at, posted_by \
                 FROM stock_counts WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *c)
            .await
            .map_err(map)?
            {
                Some(r) => Some(StockCountRow {
                    id: r.i64("id")?,
                    warehouse_id: WarehouseId(r.i64("warehouse_id")?),
                    status: r.parsed("status")?,
                    note: r.text("note")?,
                    counted_at: r.ts("counted_at")?,
                    counted_by: UserId(r.i64("counted_by")?),
                    posted_at: r.opt_i64("posted_at")?.map(from_micros).transpose()?,
                    posted_by: r.opt_i64("posted_by")?.map(UserId),
                    lines: Vec::new(),
                }),
                None => None,
            }
        });
        let Some(mut head) = head else {
            return Ok(None);
        };
        head.lines = on!(self, c => {
            let rows = sqlx::query(
                "SELECT product_id, system_qty, counted_qty, cause, note FROM stock_count_lines \
                 WHERE count_id = $1 ORDER BY line_no",
            )
            .bind(id)
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter().map(line_from).collect::<Result<Vec<_>, _>>()?
        });
        Ok(Some(head))
    }

    pub(crate) async fn count_post_row(&mut self, x: &StockCountRow) -> Result<bool, StoreError> {
        let affected = on!(self, c => {
            sqlx::query(
                "UPDATE stock_counts SET status = 'posted', posted_at = $1, posted_by = $2 \
                 WHERE id = $3 AND status = 'open'",
            )
            .bind(x.posted_at.map(micros))
            .bind(x.posted_by.map(|u| u.get()))
            .bind(x.id)
            .execute(&mut *c)
            .await
            .map_err(map)?
            .rows_affected()
        });
        if affected != 1 {
            return Ok(false);
        }
        self.count_write_lines(x.id, &x.lines).await?;
        Ok(true)
    }

    pub(crate) async fn count_lines_between(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CountLine>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query(
                "SELECT l.product_id, l.system_qty, l.counted_qty, l.cause, l.note \
                 FROM stock_count_lines l JOIN stock_counts s ON s.id = l.count_id \
                 WHERE s.status = 'posted' AND s.posted_at >= $1 AND s.posted_at < $2 \
                 ORDER BY s.id, l.line_no",
            )
            .bind(micros(from))
            .bind(micros(to))
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter().map(line_from).collect()
        })
    }
}
