//! Change requests in SQL (CHG-1..3): the request with its impact, outcome
//! and decisions as JSON columns, and the order versions a change keeps.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{ChangeRow, ChangesTx, StoreError};
use kaidan_domain::orders::PricedOrder;
use kaidan_domain::{OrderId, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const CHANGE_COLS: &str = "id, order_id, status, request, impact, outcome, departments, decisions, \
     requested_by, requested_at, decided_at";

fn json_col<T: serde::de::DeserializeOwned>(r: &impl RowExt, col: &str) -> Result<T, StoreError> {
    serde_json::from_str(&r.text(col)?).map_err(|e| corrupt(format!("{col}: {e}")))
}

fn change_from_row(r: &impl RowExt) -> Result<ChangeRow, StoreError> {
    Ok(ChangeRow {
        id: r.i64("id")?,
        order_id: OrderId(r.i64("order_id")?),
        status: r.text("status")?,
        request: json_col(r, "request")?,
        impact: json_col(r, "impact")?,
        outcome: json_col(r, "outcome")?,
        departments: json_col(r, "departments")?,
        decisions: json_col(r, "decisions")?,
        requested_by: UserId(r.i64("requested_by")?),
        requested_at: r.ts("requested_at")?,
        decided_at: r
            .opt_i64("decided_at")?
            .map(crate::row::from_micros)
            .transpose()?,
    })
}

#[async_trait]
impl ChangesTx for DbTx {
    async fn change_insert(&mut self, x: &ChangeRow) -> Result<i64, StoreError> {
        let request = serde_json::to_string(&x.request).map_err(corrupt)?;
        let impact = serde_json::to_string(&x.impact).map_err(corrupt)?;
        let outcome = serde_json::to_string(&x.outcome).map_err(corrupt)?;
        let departments = serde_json::to_string(&x.departments).map_err(corrupt)?;
        let decisions = serde_json::to_string(&x.decisions).map_err(corrupt)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO change_requests (order_id, status, request, impact, outcome, departments, decisions, requested_by, requested_at, cause) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            [
                x.order_id.get(),
                &x.status,
                &request,
                &impact,
                &outcome,
                &departments,
                &decisions,
                x.requested_by.get(),
                micros(x.requested_at),
                x.request.cause.as_str(),
            ]
        ))
    }

    async fn change_get(&mut self, id: i64) -> Result<Option<ChangeRow>, StoreError> {
        let sql = format!("SELECT {CHANGE_COLS} FROM change_requests WHERE id = $1");
        Ok(fetch_opt!(self, &sql, [id], change_from_row))
    }

    async fn change_save(&mut self, x: &ChangeRow) -> Result<(), StoreError> {
        let decisions = serde_json::to_string(&x.decisions).map_err(corrupt)?;
        exec!(
            self,
            "UPDATE change_requests SET status = $1, decisions = $2, decided_at = $3 WHERE id = $4",
            [&x.status, &decisions, x.decided_at.map(micros), x.id]
        );
        Ok(())
    }

    async fn changes_of(&mut self, order: OrderId) -> Result<Vec<ChangeRow>, StoreError> {
        let sql =
            format!("SELECT {CHANGE_COLS} FROM change_requests WHERE order_id = $1 ORDER BY id");
        Ok(fetch_all!(self, &sql, [order.get()], change_from_row))
    }

    async fn order_version_insert(
        &mut self,
        order: OrderId,
        version: i64,
        document: &PricedOrder,
        reason: &str,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(document).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO order_versions (order_id, version, document, reason, at, actor_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [order.get(), version, doc, reason, micros(at), actor.get()]
        );
        Ok(())
    }
}
