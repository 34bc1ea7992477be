//! Complaints in SQL (AFS-2; migration 0026): the complaint with its
//! course as JSON, its owner's and customer's names joined for the lists,
//! and the overdue flag the `complaint_overdue` job sets once.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{ComplaintFilter, ComplaintRow, ComplaintsTx, StoreError};
use kaidan_domain::after_sales::{ACK_WITHIN, ComplaintStatus};
use kaidan_domain::{CustomerId, OrderId, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const COLS: &str = "k.id, k.number, k.customer_id, c.name AS customer_name, k.channel, k.department, \
     k.subject, k.detail, k.status, k.received_at, k.acknowledged_at, k.owner_id, u.display_name AS owner_name, \
     k.order_id, o.number AS order_number, k.shipment_id, k.return_id, k.resolution, k.resolved_at, \
     k.confirmed_at, k.callback_at, k.callback_note, k.overdue_flagged_at, k.log, k.created_by, k.version";

const FROM: &str = "complaints k JOIN customers c ON c.id = k.customer_id \
     LEFT JOIN users u ON u.id = k.owner_id LEFT JOIN orders o ON o.id = k.order_id";

fn opt_ts(r: &impl RowExt, col: &str) -> Result<Option<Timestamp>, StoreError> {
    r.opt_i64(col)?.map(from_micros).transpose()
}

fn complaint_from(r: &impl RowExt) -> Result<ComplaintRow, StoreError> {
    Ok(ComplaintRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        customer_name: r.text("customer_name")?,
        channel: r.parsed("channel")?,
        department: r.parsed("department")?,
        subject: r.text("subject")?,
        detail: r.text("detail")?,
        status: r.parsed("status")?,
        received_at: r.ts("received_at")?,
        acknowledged_at: opt_ts(r, "acknowledged_at")?,
        owner_id: r.opt_i64("owner_id")?.map(UserId),
        owner_name: r.opt_text("owner_name")?,
        order_id: r.opt_i64("order_id")?.map(OrderId),
        order_number: r.opt_text("order_number")?,
        shipment_id: r.opt_i64("shipment_id")?,
        return_id: r.opt_i64("return_id")?,
        resolution: r.opt_text("resolution")?,
        resolved_at: opt_ts(r, "resolved_at")?,
        confirmed_at: opt_ts(r, "confirmed_at")?,
        callback_at: opt_ts(r, "callback_at")?,
        callback_note: r.opt_text("callback_note")?,
        overdue_flagged_at: opt_ts(r, "overdue_flagged_at")?,
        log: serde_json::from_str(&r.text("log")?)
            .map_err(|e| corrupt(format!("complaints.log: {e}")))?,
        created_by: UserId(r.i64("created_by")?),
        version: r.i64("version")?,
    })
}

#[async_trait]
impl ComplaintsTx for DbTx {
    async fn complaint_insert(&mut self, x: &ComplaintRow) -> Result<i64, StoreError> {
        let log = serde_json::to_string(&x.log).map_err(corrupt)?;
        let due = x
            .received_at
            .checked_add(ACK_WITHIN)
            .map_err(|e| corrupt(format!("complaint due time: {e}")))?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO complaints (number, customer_id, channel, department, subject, detail, status, \
             received_at, ack_due_at, owner_id, order_id, shipment_id, return_id, log, created_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            [
                x.number.as_str(),
                x.customer_id.get(),
                x.channel.as_str(),
                x.department.as_str(),
                x.subject.as_str(),
                x.detail.as_str(),
                x.status.as_str(),
                micros(x.received_at),
                micros(due),
                x.owner_id.map(UserId::get),
                x.order_id.map(OrderId::get),
                x.shipment_id,
                x.return_id,
                log.as_str(),
                x.created_by.get(),
                x.version
            ]
        ))
    }

    async fn complaint_get(&mut self, id: i64) -> Result<Option<ComplaintRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE k.id = $1");
        Ok(fetch_opt!(self, &sql, [id], complaint_from))
    }

    async fn complaint_save(&mut self, x: &ComplaintRow) -> Result<bool, StoreError> {
        let log = serde_json::to_string(&x.log).map_err(corrupt)?;
        let n = exec!(
            self,
            "UPDATE complaints SET department = $1, status = $2, acknowledged_at = $3, owner_id = $4, \
             return_id = $5, resolution = $6, resolved_at = $7, confirmed_at = $8, callback_at = $9, \
             callback_note = $10, log = $11, version = $12 WHERE id = $13 AND version = $14",
            [
                x.department.as_str(),
                x.status.as_str(),
                x.acknowledged_at.map(micros),
                x.owner_id.map(UserId::get),
                x.return_id,
                x.resolution.as_deref(),
                x.resolved_at.map(micros),
                x.confirmed_at.map(micros),
                x.callback_at.map(micros),
                x.callback_note.as_deref(),
                log.as_str(),
                x.version,
                x.id,
                x.version - 1
            ]
        );
        Ok(n == 1)
    }

    async fn complaints(&mut self, f: &ComplaintFilter) -> Result<Vec<ComplaintRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(c) = f.customer {
            vals.push(Val::I(c.get()));
            clauses.push(format!("k.customer_id = ${}", vals.len()));
        }
        if let Some(s) = f.status {
            vals.push(Val::T(s.as_str().into()));
            clauses.push(format!("k.status = ${}", vals.len()));
        }
        if f.open_only {
            vals.push(Val::T(ComplaintStatus::Closed.as_str().into()));
            clauses.push(format!("k.status <> ${}", vals.len()));
        }
        if let Some(d) = f.department {
            vals.push(Val::T(d.as_str().into()));
            clauses.push(format!("k.department = ${}", vals.len()));
        }
        if let Some(o) = f.owner {
            vals.push(Val::I(o.get()));
            clauses.push(format!("k.owner_id = ${}", vals.len()));
        }
        if let Some(o) = f.order {
            vals.push(Val::I(o.get()));
            clauses.push(format!("k.order_id = ${}", vals.len()));
        }
        if let Some(b) = f.before {
            vals.push(Val::I(b));
            clauses.push(format!("k.id < ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(f.limit)));
        let sql = format!(
            "SELECT {COLS} FROM {FROM} {} ORDER BY k.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, complaint_from))
    }

    async fn complaints_flag_overdue(&mut self, now: Timestamp) -> Result<Vec<i64>, StoreError> {
        let ids: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT id FROM complaints WHERE status = $1 AND ack_due_at < $2 \
             AND overdue_flagged_at IS NULL ORDER BY ack_due_at, id",
            [ComplaintStatus::Open.as_str(), micros(now)]
        );
        for id in &ids {
            exec!(
                self,
                "UPDATE complaints SET overdue_flagged_at = $1 WHERE id = $2",
                [micros(now), *id]
            );
        }
        Ok(ids)
    }
}
