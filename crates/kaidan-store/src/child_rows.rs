//! Rows that belong to one owner row and are written with it: a
//! document's lines, and what an owner keeps per product. Table and column
//! names come from the callers as fixed words, never from input.

use kaidan_app::ports::StoreError;
use kaidan_domain::ProductId;

use crate::row::{Val, placeholders};
use crate::tx::{DbTx, exec};

/// Values one multi-row `INSERT` binds at most: well under SQLite's 32,766
/// and PostgreSQL's 65,535.
const MAX_BOUND: usize = 10_000;

impl DbTx {
    /// Inserts a document's lines into a table of (owner, `line_no`,
    /// `product_id`, `quantity`, one column of its own): (line, product,
    /// quantity, own value) each, one statement a line.
    pub(crate) async fn insert_lines(
        &mut self,
        (table, owner_col, own_col): (&str, &str, &str),
        owner: i64,
        lines: impl Iterator<Item = (u32, ProductId, i64, Option<i64>)> + Send,
    ) -> Result<(), StoreError> {
        let insert = format!(
            "INSERT INTO {table} ({owner_col}, line_no, product_id, quantity, {own_col}) \
             VALUES ($1, $2, $3, $4, $5)"
        );
        for (line, product, quantity, own) in lines {
            exec!(
                self,
                &insert,
                [owner, i64::from(line), product.get(), quantity, own]
            );
        }
        Ok(())
    }

    /// Replaces what one owner keeps per product in a table of (owner,
    /// `product_id`, value) rows: a price list's prices, a store's safety
    /// stock, a region's needs. The names are fixed words of the callers.
    pub(crate) async fn replace_per_product(
        &mut self,
        (table, owner_col, value_col): (&str, &str, &str),
        owner: i64,
        rows: impl Iterator<Item = (ProductId, i64)> + Send,
    ) -> Result<(), StoreError> {
        let delete = format!("DELETE FROM {table} WHERE {owner_col} = $1");
        exec!(self, &delete, [owner]);
        let insert = format!(
            "INSERT INTO {table} ({owner_col}, product_id, {value_col}) VALUES ($1, $2, $3)"
        );
        for (product, value) in rows {
            exec!(self, &insert, [owner, product.get(), value]);
        }
        Ok(())
    }

    /// Inserts rows of `cols` into `table`, many rows a statement (as many
    /// as stay under [`MAX_BOUND`] values), for a document of thousands of
    /// lines. Every row has one value per column.
    pub(crate) async fn insert_rows(
        &mut self,
        table: &str,
        cols: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<(), StoreError> {
        let width = cols.len().max(1);
        for chunk in rows.chunks((MAX_BOUND / width).max(1)) {
            let values = (0..chunk.len())
                .map(|i| format!("({})", placeholders(i * width + 1, width)))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {table} ({}) VALUES {values}", cols.join(", "));
            let vals: Vec<Val> = chunk.iter().flatten().cloned().collect();
            exec!(self, &sql, vals);
        }
        Ok(())
    }
}
