//! Purchase orders to suppliers, their confirmation and receipt, and the
//! arrival plan (PUR-1..3, INV-2).
//!
//! A purchase order is numbered from the counter table when it is sent; the
//! supplier has two weeks to confirm. A receipt posts stock and fills the
//! backorders of its products in promise-date order (`fill_backorders`,
//! shared with the free receipt of `receive_stock`), closing the
//! replenishment requests whose backorder reaches zero.

mod notices;
mod orders;
mod receipts;

use jiff::civil::Date;
use kaidan_domain::purchasing::{
    PurchaseAction, PurchaseLineInput, PurchaseStatus, ReceiptLineInput,
};
use kaidan_domain::{OrderId, ProductId, ValidationErrors, WarehouseId};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ports::PurchaseOrderRow;

/// A purchase order raised from selected open replenishment requests: one
/// line per product, quantities summed (INV-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseFromRequests {
    pub replenishment_ids: Vec<i64>,
    pub supplier: String,
    #[serde(default)]
    pub warehouse_id: Option<WarehouseId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expected_arrival: Date,
    #[serde(default)]
    pub note: String,
}

/// The supplier's confirmation, possibly with a new arrival date (PUR-1).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPurchase {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expected_arrival: Option<Date>,
    #[serde(default)]
    pub note: String,
}

/// Goods received against a purchase order, per line (PUR-3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseReceipt {
    pub lines: Vec<ReceiptLineInput>,
}

/// A backordered order line that a receipt filled (all or part).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackorderFill {
    pub order_id: OrderId,
    pub order_number: Option<String>,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    /// Still backordered after this fill.
    pub backordered: i64,
}

/// The purchase order after a receipt, and the backorders it filled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptResult {
    pub purchase_order: PurchaseOrderRow,
    pub filled: Vec<BackorderFill>,
    /// The allocation run the receipt started (PUR-3), when anything was
    /// there to allocate.
    pub allocation_run: Option<String>,
}

fn not_found(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound {
        what: "purchase order",
        id: id.to_string(),
    }
}

fn illegal(from: PurchaseStatus, action: PurchaseAction) -> AppError {
    let e = kaidan_domain::purchasing::PurchaseTransitionError { from, action };
    ValidationErrors::single("status", "illegal_transition", e.to_string()).into()
}

fn changed(id: i64, current: i64) -> AppError {
    AppError::VersionConflict {
        what: "purchase order",
        id,
        current,
    }
}

/// Lines of a purchase order from `(product, quantity)` pairs, for callers
/// that do not cover requests.
pub fn plain_lines(items: &[(ProductId, i64)]) -> Vec<PurchaseLineInput> {
    items
        .iter()
        .map(|(p, q)| PurchaseLineInput {
            product_id: *p,
            quantity: *q,
            replenishment_ids: Vec::new(),
        })
        .collect()
}
