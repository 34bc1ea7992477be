//! A record's change history (SEC-2) as the detail pages show it.

use kaidan_app::{AppError, Ctx};
use kaidan_domain::Permission;

use super::format::local_time;
use crate::state::AppState;

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<ChangeRow>,
}

pub struct ChangeRow {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A record's change history (SEC-2), newest first, for users who may read
/// the audit trail; None for the others.
pub async fn history(
    s: &AppState,
    ctx: &Ctx,
    entity: &str,
    id: i64,
) -> Result<Option<Vec<HistoryRow>>, AppError> {
    if !ctx.actor.can(Permission::AuditRead) {
        return Ok(None);
    }
    let entries = s.app.audit_of(ctx, entity, id).await?;
    Ok(Some(
        entries
            .into_iter()
            .map(|e| HistoryRow {
                at: local_time(e.at),
                who: e.actor_name,
                action: e.action,
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| ChangeRow {
                        field: c.field,
                        before: c.before.unwrap_or_default(),
                        after: c.after.unwrap_or_default(),
                    })
                    .collect(),
            })
            .filter(|h| !h.changes.is_empty())
            .collect(),
    ))
}
