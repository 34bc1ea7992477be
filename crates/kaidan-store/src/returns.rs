//! Returns and exchanges in SQL (AFS-1; migration 0025): the requests with
//! their lines as JSON, their photos, and the guarded counters on shipment
//! lines (`return_claimed`, `returned`) that keep returns within what was
//! delivered and refunded units out of invoicing, also when two people act
//! on the same line at once (the guarded UPDATE holds the line's row).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    PhotoMeta, ReturnFilter, ReturnRow, ReturnableLineRow, ReturnsTx, StoreError, VoucherFile,
};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, line_no, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const RETURN_COLS: &str = "r.id, r.number, r.rma, r.customer_id, c.name AS customer_name, r.order_id, \
     o.number AS order_number, r.shipment_id, s.number AS shipment_number, r.status, r.reason, r.remedy, \
     r.description, r.lines, r.requested_by, COALESCE(u.display_name, 'system') AS requested_by_name, r.requested_at, \
     r.decided_by, r.decided_at, r.decision_note, r.received_by, r.received_at, r.receive_note, \
     r.quarantine_warehouse_id, r.completed_by, r.completed_at, r.outcome, r.replacement_order_id, r.version";

const RETURN_FROM: &str = "returns r JOIN customers c ON c.id = r.customer_id \
     JOIN orders o ON o.id = r.order_id JOIN shipments s ON s.id = r.shipment_id \
     LEFT JOIN users u ON u.id = r.requested_by";

fn opt_ts(r: &impl RowExt, col: &str) -> Result<Option<Timestamp>, StoreError> {
    r.opt_i64(col)?.map(from_micros).transpose()
}

fn return_from(r: &impl RowExt) -> Result<ReturnRow, StoreError> {
    Ok(ReturnRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        rma: r.opt_text("rma")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        customer_name: r.text("customer_name")?,
        order_id: OrderId(r.i64("order_id")?),
        order_number: r.opt_text("order_number")?,
        shipment_id: r.i64("shipment_id")?,
        shipment_number: r.text("shipment_number")?,
        status: r.parsed("status")?,
        reason: r.parsed("reason")?,
        remedy: r.parsed("remedy")?,
        description: r.text("description")?,
        lines: serde_json::from_str(&r.text("lines")?)
            .map_err(|e| corrupt(format!("returns.lines: {e}")))?,
        requested_by: UserId(r.i64("requested_by")?),
        requested_by_name: r.text("requested_by_name")?,
        requested_at: r.ts("requested_at")?,
        decided_by: r.opt_i64("decided_by")?.map(UserId),
        decided_at: opt_ts(r, "decided_at")?,
        decision_note: r.opt_text("decision_note")?,
        received_by: r.opt_i64("received_by")?.map(UserId),
        received_at: opt_ts(r, "received_at")?,
        receive_note: r.opt_text("receive_note")?,
        quarantine_warehouse_id: r.opt_i64("quarantine_warehouse_id")?.map(WarehouseId),
        completed_by: r.opt_i64("completed_by")?.map(UserId),
        completed_at: opt_ts(r, "completed_at")?,
        outcome: r.opt_text("outcome")?,
        replacement_order_id: r.opt_i64("replacement_order_id")?.map(OrderId),
        version: r.i64("version")?,
        photos: Vec::new(),
    })
}

impl DbTx {
    async fn photos_of(&mut self, return_id: i64) -> Result<Vec<PhotoMeta>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, file_name, content_type, CAST(LENGTH(bytes) AS BIGINT) AS size \
             FROM return_photos WHERE return_id = $1 ORDER BY id",
            [return_id],
            |r| Ok(PhotoMeta {
                id: r.i64("id")?,
                file_name: r.text("file_name")?,
                content_type: r.text("content_type")?,
                size: r.i64("size")?,
            })
        ))
    }
}

#[async_trait]
impl ReturnsTx for DbTx {
    async fn returnable_lines(
        &mut self,
        shipment: i64,
    ) -> Result<Vec<ReturnableLineRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT sl.line_no, sl.product_id, p.name AS product_name, p.category, sl.quantity, \
                    sl.unit_price, sl.accepted, COALESCE(sl.refused, 0) AS refused, sl.invoiced, \
                    sl.return_claimed, sl.returned \
             FROM shipment_lines sl JOIN products p ON p.id = sl.product_id \
             WHERE sl.shipment_id = $1 ORDER BY sl.line_no",
            [shipment],
            |r| Ok(ReturnableLineRow {
                line_no: line_no(r.i64("line_no")?)?,
                product_id: ProductId(r.i64("product_id")?),
                product_name: r.text("product_name")?,
                category: r.text("category")?,
                quantity: r.i64("quantity")?,
                unit_price: Money::from_units(r.i64("unit_price")?),
                accepted: r.opt_i64("accepted")?,
                refused: r.i64("refused")?,
                invoiced: r.i64("invoiced")?,
                return_claimed: r.i64("return_claimed")?,
                returned: r.i64("returned")?,
            })
        ))
    }

    async fn return_claim_add(
        &mut self,
        shipment: i64,
        line: u32,
        delta: i64,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE shipment_lines SET return_claimed = return_claimed + $1 \
             WHERE shipment_id = $2 AND line_no = $3 \
               AND return_claimed + $1 >= 0 AND return_claimed + $1 <= COALESCE(accepted, 0)",
            [delta, shipment, i64::from(line)]
        );
        Ok(n == 1)
    }

    async fn return_mark_returned(
        &mut self,
        shipment: i64,
        line: u32,
        units: i64,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE shipment_lines SET returned = returned + $1 \
             WHERE shipment_id = $2 AND line_no = $3 \
               AND invoiced + COALESCE(refused, 0) + returned + $1 <= quantity",
            [units, shipment, i64::from(line)]
        );
        Ok(n == 1)
    }

    async fn return_insert(&mut self, x: &ReturnRow) -> Result<i64, StoreError> {
        let lines = serde_json::to_string(&x.lines).map_err(corrupt)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO returns (number, customer_id, order_id, shipment_id, status, reason, remedy, \
             description, lines, requested_by, requested_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            [
                x.number.as_str(),
                x.customer_id.get(),
                x.order_id.get(),
                x.shipment_id,
                x.status.as_str(),
                x.reason.as_str(),
                x.remedy.as_str(),
                x.description.as_str(),
                lines.as_str(),
                x.requested_by.get(),
                micros(x.requested_at),
                x.version
            ]
        ))
    }

    async fn return_get(&mut self, id: i64) -> Result<Option<ReturnRow>, StoreError> {
        let sql = format!("SELECT {RETURN_COLS} FROM {RETURN_FROM} WHERE r.id = $1");
        let Some(mut row) = fetch_opt!(self, &sql, [id], return_from) else {
            return Ok(None);
        };
        row.photos = self.photos_of(id).await?;
        Ok(Some(row))
    }

    async fn return_save(&mut self, x: &ReturnRow) -> Result<bool, StoreError> {
        let lines = serde_json::to_string(&x.lines).map_err(corrupt)?;
        let n = exec!(
            self,
            "UPDATE returns SET rma = $1, status = $2, lines = $3, decided_by = $4, decided_at = $5, \
             decision_note = $6, received_by = $7, received_at = $8, receive_note = $9, \
             quarantine_warehouse_id = $10, completed_by = $11, completed_at = $12, outcome = $13, \
             replacement_order_id = $14, version = $15 WHERE id = $16 AND version = $17",
            [
                x.rma.as_deref(),
                x.status.as_str(),
                lines.as_str(),
                x.decided_by.map(UserId::get),
                x.decided_at.map(micros),
                x.decision_note.as_deref(),
                x.received_by.map(UserId::get),
                x.received_at.map(micros),
                x.receive_note.as_deref(),
                x.quarantine_warehouse_id.map(WarehouseId::get),
                x.completed_by.map(UserId::get),
                x.completed_at.map(micros),
                x.outcome.as_deref(),
                x.replacement_order_id.map(OrderId::get),
                x.version,
                x.id,
                x.version - 1
            ]
        );
        Ok(n == 1)
    }

    async fn returns(&mut self, f: &ReturnFilter) -> Result<Vec<ReturnRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(c) = f.customer {
            vals.push(Val::I(c.get()));
            clauses.push(format!("r.customer_id = ${}", vals.len()));
        }
        if let Some(o) = f.order {
            vals.push(Val::I(o.get()));
            clauses.push(format!("r.order_id = ${}", vals.len()));
        }
        if let Some(s) = f.status {
            vals.push(Val::T(s.as_str().into()));
            clauses.push(format!("r.status = ${}", vals.len()));
        }
        if let Some(b) = f.before {
            vals.push(Val::I(b));
            clauses.push(format!("r.id < ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(f.limit)));
        let sql = format!(
            "SELECT {RETURN_COLS} FROM {RETURN_FROM} {} ORDER BY r.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, return_from))
    }

    async fn return_photo_add(
        &mut self,
        return_id: i64,
        photo: &VoucherFile,
        at: Timestamp,
        by: UserId,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO return_photos (return_id, file_name, content_type, bytes, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            [
                return_id,
                photo.file_name.as_str(),
                photo.content_type.as_str(),
                photo.bytes.as_slice(),
                by.get(),
                micros(at)
            ]
        ))
    }

    async fn return_photo(
        &mut self,
        return_id: i64,
        photo: i64,
    ) -> Result<Option<VoucherFile>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT file_name, content_type, bytes FROM return_photos WHERE id = $1 AND return_id = $2",
            [photo, return_id],
            |r| Ok(VoucherFile {
                file_name: r.text("file_name")?,
                content_type: r.parsed("content_type")?,
                bytes: r.opt_bytes("bytes")?.unwrap_or_default(),
            })
        ))
    }
}
