//! The shipment list in SQL (issue 21): filters, keyset sort over
//! `shipments_shipped_id` or the id, the count, and the page's lines in one
//! read.

use std::collections::HashMap;

use kaidan_app::ports::{ShipmentLineRow, ShipmentQuery, ShipmentRow, ShipmentSortKey, StoreError};
use kaidan_domain::{Money, ProductId, WarehouseId};

use crate::fulfilment::{SHIPMENT_COLUMNS, shipment_from};
use crate::row::{Filters, RowExt, Val, line_no, micros, placeholders, where_all};
use crate::tx::{DbTx, fetch_all, fetch_as};

/// The list's filters; the customer's through the order.
fn shipment_filters(q: &ShipmentQuery) -> Filters {
    let mut f = Filters::default();
    if let Some(s) = q.status {
        f.push("s.status = $?", [Val::T(s.as_str().into())]);
    }
    if let Some(o) = q.order_id {
        f.push("s.order_id = $?", [Val::I(o.get())]);
    }
    if let Some(c) = q.customer_id {
        f.push("o.customer_id = $?", [Val::I(c.get())]);
    }
    if let Some(w) = q.warehouse_id {
        f.push("s.warehouse_id = $?", [Val::I(w.get())]);
    }
    if let Some(c) = &q.carrier {
        f.push("s.carrier = $?", [Val::T(c.clone())]);
    }
    if let Some(t) = q.shipped_from {
        f.push("s.shipped_at >= $?", [Val::I(micros(t))]);
    }
    if let Some(t) = q.shipped_before {
        f.push("s.shipped_at < $?", [Val::I(micros(t))]);
    }
    f
}

impl DbTx {
    pub(crate) async fn shipment_page(
        &mut self,
        q: &ShipmentQuery,
    ) -> Result<Vec<ShipmentRow>, StoreError> {
        let mut f = shipment_filters(q);
        let dir = if q.sort.descending { "DESC" } else { "ASC" };
        let cmp = if q.sort.descending { "<" } else { ">" };
        let order = match q.sort.key {
            ShipmentSortKey::Newest => {
                if let Some(c) = q.after {
                    f.push(&format!("s.id {cmp} $?"), [Val::I(c.id)]);
                }
                format!("s.id {dir}")
            }
            ShipmentSortKey::Shipped => {
                if let Some(c) = q.after {
                    f.push(
                        &format!(
                            "(s.shipped_at {cmp} $? OR (s.shipped_at = $? AND s.id {cmp} $?))"
                        ),
                        [Val::I(c.key), Val::I(c.key), Val::I(c.id)],
                    );
                }
                format!("s.shipped_at {dir}, s.id {dir}")
            }
        };
        f.vals.push(Val::I(i64::from(q.limit.max(1))));
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s JOIN orders o ON o.id = s.order_id \
             {} ORDER BY {order} LIMIT ${}",
            where_all(&f.clauses),
            f.vals.len()
        );
        let vals = f.vals;
        let mut rows = fetch_all!(self, &sql, vals, shipment_from);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut lines = self.lines_of_shipments(&ids).await?;
        for r in &mut rows {
            r.lines = lines.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }

    pub(crate) async fn shipment_matches(&mut self, q: &ShipmentQuery) -> Result<u64, StoreError> {
        let f = shipment_filters(q);
        // The order is joined only when the customer filter reads it.
        let from = if q.customer_id.is_some() {
            "shipments s JOIN orders o ON o.id = s.order_id"
        } else {
            "shipments s"
        };
        let sql = format!("SELECT COUNT(*) FROM {from} {}", where_all(&f.clauses));
        let vals = f.vals;
        let n: i64 = fetch_as!(self, query_scalar.fetch_one, &sql, vals);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The lines of these shipments, by shipment, in line order.
    async fn lines_of_shipments(
        &mut self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<ShipmentLineRow>>, StoreError> {
        let mut out: HashMap<i64, Vec<ShipmentLineRow>> = HashMap::new();
        // Chunks keep the statement within both engines' parameter limits.
        for chunk in ids.chunks(500) {
            let vals: Vec<Val> = chunk.iter().map(|id| Val::I(*id)).collect();
            let sql = format!(
                "SELECT shipment_id, line_no, product_id, quantity, unit_price, accepted, refused, reason, \
                        disposition, return_warehouse_id \
                 FROM shipment_lines WHERE shipment_id IN ({}) ORDER BY shipment_id, line_no",
                placeholders(1, chunk.len())
            );
            let rows = fetch_all!(self, &sql, vals, |r| Ok((
                r.i64("shipment_id")?,
                ShipmentLineRow {
                    line_no: line_no(r.i64("line_no")?)?,
                    product_id: ProductId(r.i64("product_id")?),
                    quantity: r.i64("quantity")?,
                    unit_price: Money::from_units(r.i64("unit_price")?),
                    accepted: r.opt_i64("accepted")?,
                    refused: r.opt_i64("refused")?,
                    reason: r.opt_text("reason")?,
                    disposition: r.opt_parsed("disposition")?,
                    return_warehouse_id: r.opt_i64("return_warehouse_id")?.map(WarehouseId),
                }
            )));
            for (id, line) in rows {
                out.entry(id).or_default().push(line);
            }
        }
        Ok(out)
    }
}
