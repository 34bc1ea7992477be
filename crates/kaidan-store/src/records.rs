use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    AuditEntry, AuditQuery, IdempotentResponse, OutboxEvent, RecordsTx, StoreError,
};
use kaidan_domain::UserId;

use crate::error::corrupt;
use crate::row::{RowExt, Val, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_opt};

const AUDIT_COLS: &str =
    "id, at, actor_id, actor_name, entity, entity_id, action, changes, request_id";

fn audit_from_row(r: &impl RowExt) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.i64("id")?,
        at: r.ts("at")?,
        actor_id: UserId(r.i64("actor_id")?),
        actor_name: r.text("actor_name")?,
        entity: r.text("entity")?,
        entity_id: r.i64("entity_id")?,
        action: r.text("action")?,
        changes: serde_json::from_str(&r.text("changes")?).map_err(corrupt)?,
        request_id: r.opt_text("request_id")?,
    })
}

/// `text` for a LIKE pattern with `\` as the escape character.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl RecordsTx for DbTx {
    async fn audit_append(&mut self, e: &AuditEntry) -> Result<(), StoreError> {
        let changes = serde_json::to_string(&e.changes).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, changes, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                micros(e.at),
                e.actor_id.get(),
                &e.actor_name,
                &e.entity,
                e.entity_id,
                &e.action,
                changes,
                e.request_id.as_deref(),
            ]
        );
        Ok(())
    }

    async fn audit_of(&mut self, entity: &str, id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(fetch_all!(
            self,
            &format!(
                "SELECT {AUDIT_COLS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC"
            ),
            [entity, id],
            audit_from_row
        ))
    }

    async fn audit_page(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let mut vals = vec![Val::T(q.entity.to_string()), Val::I(q.entity_id)];
        let mut clauses = vec!["entity = $1".to_string(), "entity_id = $2".to_string()];
        if let Some(before) = q.before {
            vals.push(Val::I(before));
            clauses.push(format!("id < ${}", vals.len()));
        }
        if let Some(prefix) = &q.field_prefix {
            // The changes are stored as JSON text, `[{"field":"…",…}]`;
            // the record's rows are few (the index finds them by entity),
            // so matching the text of one field's start is cheap.
            vals.push(Val::T(format!("%\"field\":\"{}%", like_escape(prefix))));
            clauses.push(format!("changes LIKE ${} ESCAPE '\\'", vals.len()));
        }
        vals.push(Val::I(i64::from(q.limit.max(1))));
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audit_log {} ORDER BY id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, audit_from_row))
    }

    async fn outbox_append(&mut self, e: &OutboxEvent) -> Result<(), StoreError> {
        let payload = serde_json::to_string(&e.payload).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO outbox (at, topic, entity, entity_id, payload) VALUES ($1, $2, $3, $4, $5)",
            [micros(e.at), &e.topic, &e.entity, e.entity_id, payload]
        );
        Ok(())
    }

    async fn outbox_pending(&mut self, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT at, topic, entity, entity_id, payload FROM outbox \
             WHERE published_at IS NULL ORDER BY id LIMIT $1",
            [i64::from(limit)],
            |r| Ok(OutboxEvent {
                topic: r.text("topic")?,
                entity: r.text("entity")?,
                entity_id: r.i64("entity_id")?,
                payload: serde_json::from_str(&r.text("payload")?).map_err(corrupt)?,
                at: r.ts("at")?,
            })
        ))
    }

    async fn idempotency_lock(&mut self, user: UserId, key: &str) -> Result<(), StoreError> {
        if matches!(self, DbTx::Pg(_)) {
            let lock = format!("idempotency:{}:{key}", user.get());
            exec!(
                self,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [lock.as_str()]
            );
        }
        Ok(())
    }

    async fn idempotency_get(
        &mut self,
        user: UserId,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT fingerprint, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            [user.get(), key],
            |r| Ok(IdempotentResponse {
                fingerprint: r.text("fingerprint")?,
                status: u16::try_from(r.i64("status")?).map_err(corrupt)?,
                body: r.text("body")?,
            })
        ))
    }

    async fn idempotency_put(
        &mut self,
        user: UserId,
        key: &str,
        resp: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                user.get(),
                key,
                &resp.fingerprint,
                i64::from(resp.status),
                &resp.body,
                micros(at),
            ]
        );
        Ok(())
    }
}
