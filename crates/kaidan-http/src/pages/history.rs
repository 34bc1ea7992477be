//! A record's change history (SEC-2) as the pages show it: below a master
//! record or a transfer for auditors, and as the "history / 历史" tab of an
//! order, a customer's account and a product's stock in a warehouse for
//! whoever may see that record (ADR 0018).

use askama::Template;
use kaidan_app::audit::HistoryRequest;
use kaidan_app::ports::AuditEntry;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::Permission;

use super::Chrome;
use super::format::local_time;
use crate::state::AppState;

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<ChangeRow>,
}

pub struct ChangeRow {
    /// The line the change is on, in words ("2 · SKU"), or empty.
    pub line: String,
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
    Ok(Some(rows(entries, |_| None)))
}

/// Audit rows as the pages show them; `line_of` names the line a field is
/// on (and gives the field's rest), for records with lines. Rows without a
/// change (older stock counts wrote none) are left out.
pub fn rows(
    entries: Vec<AuditEntry>,
    line_of: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<HistoryRow> {
    entries
        .into_iter()
        .map(|e| HistoryRow {
            at: local_time(e.at),
            who: e.actor_name,
            action: e.action,
            changes: e
                .changes
                .into_iter()
                .map(|c| {
                    let (line, field) = line_of(&c.field).unwrap_or((String::new(), c.field));
                    ChangeRow {
                        line,
                        field,
                        before: c.before.unwrap_or_default(),
                        after: c.after.unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .filter(|h| !h.changes.is_empty())
        .collect()
}

/// `prefix[product_id=7].rest` → (7, "rest"): the product a line-level
/// field is keyed by, and what of the line changed.
pub fn product_line(field: &str, prefix: &str) -> Option<(i64, String)> {
    let rest = field.strip_prefix(prefix)?.strip_prefix("[product_id=")?;
    let (id, rest) = rest.split_once(']')?;
    let id = id.parse().ok()?;
    Some((id, rest.trim_start_matches('.').to_string()))
}

/// The page of a history a query asks for (`cursor`); a bad cursor reads
/// as the first page.
pub fn request(params: &std::collections::BTreeMap<String, String>) -> HistoryRequest {
    HistoryRequest {
        cursor: params
            .get("cursor")
            .and_then(|c| c.parse().ok())
            .filter(|c| *c > 0),
        limit: None,
    }
}

/// One tab above a record.
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
    pub id: &'static str,
}

/// The history tab of a record (order, account, stock).
#[derive(Template)]
#[template(path = "record_history.html")]
pub struct HistoryTab {
    pub chrome: Chrome,
    pub title: String,
    pub tabs: Vec<Tab>,
    pub rows: Vec<HistoryRow>,
    /// Whether any change is on a line: the line column is shown then.
    pub has_lines: bool,
    pub next_cursor: Option<String>,
    pub first_page: bool,
}

impl HistoryTab {
    pub fn new(
        chrome: Chrome,
        title: String,
        tabs: Vec<Tab>,
        rows: Vec<HistoryRow>,
        next_cursor: Option<String>,
        first_page: bool,
    ) -> HistoryTab {
        let has_lines = rows
            .iter()
            .any(|r| r.changes.iter().any(|c| !c.line.is_empty()));
        HistoryTab {
            chrome,
            title,
            tabs,
            rows,
            has_lines,
            next_cursor,
            first_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec_2_line_fields_name_their_product() {
        assert_eq!(
            product_line("document.lines[product_id=7].quantity", "document.lines"),
            Some((7, "quantity".to_string()))
        );
        assert_eq!(product_line("document.notes", "document.lines"), None);
        assert_eq!(product_line("lines[product_id=x].a", "lines"), None);
    }
}
