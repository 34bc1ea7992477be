//! Duplicate detection (ORD-3). The same order often arrives twice (faxed and
//! then e-mailed, or a portal double submit). A new order is compared with the
//! customer's recent orders; a match is reported to the clerk, who decides.
//! Nothing is dropped automatically.

use serde::{Deserialize, Serialize};

use crate::{CustomerId, OrderId};

use super::intake::ValidOrder;
use jiff::civil::Date;

/// What the store keeps of an existing order to compare against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderFingerprint {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub customer_reference: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub order_date: Date,
    /// See [`content_key`].
    pub content_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// Same customer and the same customer reference (their PO number).
    SameCustomerReference,
    /// Same customer, order date, products and quantities.
    SameContent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateMatch {
    pub order_id: OrderId,
    pub reason: DuplicateReason,
}

/// The products and quantities of an order, independent of line order:
/// `"7x10,9x2"` (product id × quantity, sorted by product).
pub fn content_key(order: &ValidOrder) -> String {
    let mut parts: Vec<(i64, i64)> = order
        .lines
        .iter()
        .map(|l| (l.product_id.get(), l.quantity.get()))
        .collect();
    parts.sort_unstable();
    parts
        .iter()
        .map(|(p, q)| format!("{p}x{q}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl ValidOrder {
    /// The fingerprint the store keeps once this order is saved as `order_id`.
    pub fn fingerprint(&self, order_id: OrderId) -> OrderFingerprint {
        OrderFingerprint {
            order_id,
            customer_id: self.customer_id,
            customer_reference: self.customer_reference.clone(),
            order_date: self.order_date,
            content_key: content_key(self),
        }
    }
}

/// The existing orders that look like `order`, each once (a reference match
/// is reported in preference to a content match). References compare
/// case-insensitively.
pub fn find_duplicates(order: &ValidOrder, existing: &[OrderFingerprint]) -> Vec<DuplicateMatch> {
    let key = content_key(order);
    let reference = order.customer_reference.as_deref().map(str::to_lowercase);
    existing
        .iter()
        .filter(|f| f.customer_id == order.customer_id)
        .filter_map(|f| {
            let same_ref = reference.is_some()
                && f.customer_reference.as_deref().map(str::to_lowercase) == reference;
            if same_ref {
                Some(DuplicateReason::SameCustomerReference)
            } else if f.order_date == order.order_date && f.content_key == key {
                Some(DuplicateReason::SameContent)
            } else {
                None
            }
            .map(|reason| DuplicateMatch {
                order_id: f.order_id,
                reason,
            })
        })
        .collect()
}
