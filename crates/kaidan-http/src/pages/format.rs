//! How pages show times, products and confidential amounts to people.

use std::collections::HashMap;

use kaidan_app::{AppError, Ctx};
use kaidan_domain::ProductId;

use crate::state::AppState;

/// A document's status as the pages show it: the code the CSS class is
/// named after, and the label in the page's language.
pub struct Status {
    pub code: &'static str,
    pub label: &'static str,
}

impl Status {
    pub fn new(code: &'static str, label: &'static str) -> Self {
        Status { code, label }
    }
}

/// Audit times are shown in China Standard Time, to the second.
pub fn local_time(t: jiff::Timestamp) -> String {
    match jiff::tz::TimeZone::get("Asia/Shanghai") {
        Ok(tz) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// SKU and name of products, `#id` for those gone or not to be read.
pub async fn product_labels(
    s: &AppState,
    ctx: &Ctx,
    ids: &[ProductId],
) -> Result<HashMap<ProductId, (String, String)>, AppError> {
    match s.app.product_labels(ctx, ids).await {
        Ok(m) => Ok(m),
        Err(AppError::Forbidden(_)) => Ok(ids
            .iter()
            .map(|id| (*id, (format!("#{id}"), String::new())))
            .collect()),
        Err(e) => Err(e),
    }
}

/// A confidential value (SEC-4, ADR 0026) as a page cell: the value when
/// the reader may see `field`, a dash otherwise (not 0, which would be a
/// lie).
pub fn shown(
    vis: &kaidan_domain::field_rules::Visibility,
    field: kaidan_domain::field_rules::Field,
    value: impl std::fmt::Display,
) -> String {
    vis.cell(field, value.to_string())
        .unwrap_or_else(|| HIDDEN.to_string())
}

/// What a page prints for a value its reader may not see.
pub const HIDDEN: &str = "—";

/// Last month as `YYYY-MM`: what a monthly page (points posted,
/// commissions, assessments) opens on.
pub(crate) fn last_month(today: jiff::civil::Date) -> String {
    let d = today.first_of_month().yesterday().unwrap_or(today);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The `month` parameter given, or last month.
pub(crate) fn month_or_last(
    q: &std::collections::BTreeMap<String, String>,
    today: jiff::civil::Date,
) -> String {
    q.get("month")
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| last_month(today))
}
