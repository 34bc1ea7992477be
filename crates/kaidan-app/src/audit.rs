//! Reading the audit trail of one record (SEC-2).

use kaidan_domain::Permission;

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::AuditEntry;

impl App {
    /// Newest first.
    pub async fn audit_of(&self, ctx: &Ctx, entity: &str, id: i64) -> AppResult<Vec<AuditEntry>> {
        ctx.require(Permission::AuditRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.audit_of(entity, id).await?)
    }
}
