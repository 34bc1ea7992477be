//! Stock counts (INV-3): the count header and its lines, and the ledger
//! adjustments posting makes.

use jiff::Timestamp;
use kaidan_app::ports::{StockCountRow, StoreError};
use kaidan_domain::stock_counts::CountLine;
use kaidan_domain::{ProductId, UserId, WarehouseId};

use crate::error::corrupt;
use crate::row::{RowExt, from_micros, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

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
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO stock_counts (warehouse_id, status, note, counted_at, counted_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            [
                x.warehouse_id.get(),
                x.status.as_str(),
                &x.note,
                micros(x.counted_at),
                x.counted_by.get(),
            ]
        );
        self.count_write_lines(id, &x.lines).await?;
        Ok(id)
    }

    async fn count_write_lines(&mut self, id: i64, lines: &[CountLine]) -> Result<(), StoreError> {
        exec!(
            self,
            "DELETE FROM stock_count_lines WHERE count_id = $1",
            [id]
        );
        for (i, l) in lines.iter().enumerate() {
            let line_no = i64::try_from(i + 1).map_err(corrupt)?;
            exec!(
                self,
                "INSERT INTO stock_count_lines (count_id, line_no, product_id, system_qty, counted_qty, cause, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    id,
                    line_no,
                    l.product_id.get(),
                    l.system,
                    l.counted,
                    l.cause.map(|c| c.as_str()),
                    l.note.as_deref(),
                ]
            );
        }
        Ok(())
    }

    pub(crate) async fn count_get_row(
        &mut self,
        id: i64,
    ) -> Result<Option<StockCountRow>, StoreError> {
        let head = fetch_opt!(
            self,
            "SELECT id, warehouse_id, status, note, counted_at, counted_by, posted_at, posted_by \
             FROM stock_counts WHERE id = $1",
            [id],
            |r| Ok(StockCountRow {
                id: r.i64("id")?,
                warehouse_id: WarehouseId(r.i64("warehouse_id")?),
                status: r.parsed("status")?,
                note: r.text("note")?,
                counted_at: r.ts("counted_at")?,
                counted_by: UserId(r.i64("counted_by")?),
                posted_at: r.opt_i64("posted_at")?.map(from_micros).transpose()?,
                posted_by: r.opt_i64("posted_by")?.map(UserId),
                lines: Vec::new(),
            })
        );
        let Some(mut head) = head else {
            return Ok(None);
        };
        head.lines = fetch_all!(
            self,
            "SELECT product_id, system_qty, counted_qty, cause, note FROM stock_count_lines \
             WHERE count_id = $1 ORDER BY line_no",
            [id],
            line_from
        );
        Ok(Some(head))
    }

    pub(crate) async fn count_post_row(&mut self, x: &StockCountRow) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "UPDATE stock_counts SET status = 'posted', posted_at = $1, posted_by = $2 \
             WHERE id = $3 AND status = 'open'",
            [x.posted_at.map(micros), x.posted_by.map(|u| u.get()), x.id]
        );
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
        Ok(fetch_all!(
            self,
            "SELECT l.product_id, l.system_qty, l.counted_qty, l.cause, l.note \
             FROM stock_count_lines l JOIN stock_counts s ON s.id = l.count_id \
             WHERE s.status = 'posted' AND s.posted_at >= $1 AND s.posted_at < $2 \
             ORDER BY s.id, l.line_no",
            [micros(from), micros(to)],
            line_from
        ))
    }
}
