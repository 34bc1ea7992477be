//! The documents whose lines are pick lines — a pick list's (SHP-1) and a
//! transfer's (ALC-9): reading the lines, recording what was picked, and
//! inserting numbered heads many at a time.

use std::collections::HashMap;

use kaidan_app::ports::StoreError;
use kaidan_domain::ProductId;
use kaidan_domain::fulfilment::PickLine;

use crate::row::{RowExt, Val, line_no};
use crate::tx::{DbTx, exec, fetch_all, fetch_as_once};

/// Which lines table, and the column naming their document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PickDoc {
    PickList,
    Transfer,
}

impl PickDoc {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            PickDoc::PickList => ("pick_list_lines", "pick_list_id"),
            PickDoc::Transfer => ("transfer_lines", "transfer_id"),
        }
    }
}

impl DbTx {
    /// A document's lines, in line order.
    pub(crate) async fn pick_lines_of(
        &mut self,
        doc: PickDoc,
        id: i64,
    ) -> Result<Vec<PickLine>, StoreError> {
        let (table, owner) = doc.table();
        let sql = format!(
            "SELECT line_no, product_id, quantity, picked FROM {table} \
             WHERE {owner} = $1 ORDER BY line_no"
        );
        Ok(fetch_all!(self, &sql, [id], |r| Ok(PickLine {
            line_no: line_no(r.i64("line_no")?)?,
            product_id: ProductId(r.i64("product_id")?),
            quantity: r.i64("quantity")?,
            picked: r.opt_i64("picked")?,
        })))
    }

    /// Records what was picked, (line, quantity) each.
    pub(crate) async fn pick_lines_picked(
        &mut self,
        doc: PickDoc,
        id: i64,
        picked: &[(u32, i64)],
    ) -> Result<(), StoreError> {
        let (table, owner) = doc.table();
        let sql = format!("UPDATE {table} SET picked = $1 WHERE {owner} = $2 AND line_no = $3");
        for (line, qty) in picked {
            exec!(self, &sql, [*qty, id, i64::from(*line)]);
        }
        Ok(())
    }

    /// Runs a multi-row `INSERT … VALUES … RETURNING id, number` whose rows
    /// bind their numbers as `$1`, `$2`, … in the order of `numbers`, and
    /// gives the new ids in that order. RETURNING order is not promised for
    /// multi-row inserts, so rows are matched by their (unique) number.
    pub(crate) async fn insert_numbered(
        &mut self,
        sql: &str,
        numbers: &[&str],
        what: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let vals: Vec<Val> = numbers.iter().map(|n| Val::T((*n).to_string())).collect();
        let rows: Vec<(i64, String)> = fetch_as_once!(self, query_as.fetch_all, sql, vals);
        let by_number: HashMap<String, i64> = rows.into_iter().map(|(id, n)| (n, id)).collect();
        numbers
            .iter()
            .map(|n| {
                by_number
                    .get(*n)
                    .copied()
                    .ok_or_else(|| StoreError::Other(format!("{what} {n} was not inserted")))
            })
            .collect()
    }
}
