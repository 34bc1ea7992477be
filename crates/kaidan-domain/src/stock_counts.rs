//! Stock counts (INV-3, 盘点): the warehouse's count of a product is
//! reconciled with the system figure, and every discrepancy is recorded with
//! its cause before it is posted to the ledger as a count adjustment.
//! The inventory-accuracy figure (KPI-4) is computed from the counted lines
//! (see ADR 0008 for the reading).

use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::audit::{FieldChange, stock_field};
use crate::validation::{ValidationErrors, is_blank};
use crate::{ProductId, WarehouseId};

string_enum!(
    /// Why the count differs from the system figure.
    DiscrepancyCause {
        /// 损坏: damaged goods written off.
        Damage = "damage",
        /// 丢失: lost or stolen.
        Loss = "loss",
        /// 收货差错: a receipt was booked wrong.
        ReceivingError = "receiving_error",
        /// 发货差错: a shipment was booked wrong.
        ShippingError = "shipping_error",
        /// 记账差错: any other booking error.
        RecordingError = "recording_error",
        /// 其他: explained in the note.
        Other = "other",
    }
);

string_enum!(
    /// A count is entered (open), then posted to the ledger once.
    CountStatus {
        Open = "open",
        Posted = "posted",
    }
);

/// One counted product, as the warehouse enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CountLineInput {
    pub product_id: ProductId,
    /// Units found on the shelf.
    pub counted: i64,
    #[serde(default)]
    pub cause: Option<DiscrepancyCause>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A counted line against the system figure at the time of reconciling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountLine {
    pub product_id: ProductId,
    pub system: i64,
    pub counted: i64,
    pub cause: Option<DiscrepancyCause>,
    pub note: Option<String>,
}

impl CountLine {
    /// Counted minus system: what posting adds to (or takes from) on hand.
    pub fn difference(&self) -> i64 {
        self.counted - self.system
    }
}

/// What a count says per line, for the audit trail (SEC-2): the system
/// figure (expected) before, the counted figure after, with the cause of a
/// difference. Keyed by product like every other line-level audit field.
pub fn count_changes(lines: &[CountLine]) -> Vec<FieldChange> {
    lines
        .iter()
        .map(|l| FieldChange {
            field: format!("lines[product_id={}].on_hand", l.product_id),
            before: Some(l.system.to_string()),
            after: Some(match l.cause {
                Some(c) if l.difference() != 0 => format!("{} ({c})", l.counted),
                _ => l.counted.to_string(),
            }),
        })
        .collect()
}

/// The change posting `line` of a count in `warehouse` makes to the
/// product's stock there, in the field the product's stock history is read
/// by (`stock[warehouse_id=…]`, as a stock receipt writes it); None when
/// the count matched the system figure and nothing moved.
pub fn stock_change(warehouse: WarehouseId, line: &CountLine) -> Option<FieldChange> {
    (line.difference() != 0).then(|| FieldChange {
        field: format!("{}.on_hand", stock_field(warehouse)),
        before: Some(line.system.to_string()),
        after: Some(line.counted.to_string()),
    })
}

/// Checks what the warehouse entered: at least one line, each product once,
/// no negative count, a note with the cause "other".
pub fn validate_input(lines: &[CountLineInput]) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if lines.is_empty() {
        e.add("lines", "required", "count at least one product");
    }
    for (i, l) in lines.iter().enumerate() {
        if l.counted < 0 {
            e.add(
                format!("lines[{i}].counted"),
                "negative",
                "a count cannot be below zero",
            );
        } else {
            e.quantity_too_large(format!("lines[{i}].counted"), l.counted);
        }
        if let Some(j) = lines[..i].iter().position(|o| o.product_id == l.product_id) {
            e.duplicate(
                format!("lines[{i}].product_id"),
                format!("product {} is already counted on lines[{j}]", l.product_id),
            );
        }
        if l.cause == Some(DiscrepancyCause::Other) && is_blank(l.note.as_deref()) {
            e.add(
                format!("lines[{i}].note"),
                "required",
                "say what the other cause is",
            );
        }
    }
    e.into_result(())
}

/// Before posting: every line that differs from the system figure needs a
/// cause; a count may not fall below what is reserved (those units are
/// promised: release them first).
pub fn validate_posting(
    lines: &[CountLine],
    reserved: impl Fn(ProductId) -> i64,
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    for (i, l) in lines.iter().enumerate() {
        if l.difference() != 0 && l.cause.is_none() {
            e.add(
                format!("lines[{i}].cause"),
                "required",
                format!(
                    "counted {} but the system has {}: give the cause of the difference",
                    l.counted, l.system
                ),
            );
        }
        let held = reserved(l.product_id);
        if l.counted < held {
            e.add(
                format!("lines[{i}].counted"),
                "below_reserved",
                format!(
                    "{held} units are reserved for orders; release them before posting a count of {}",
                    l.counted
                ),
            );
        }
    }
    e.into_result(())
}

/// Inventory accuracy (KPI-4) over counted lines: the share whose system
/// figure was right, in basis points (10000 = 100 %). `None` when nothing
/// was counted.
pub fn accuracy_bp(lines: &[CountLine]) -> Option<u32> {
    let right = lines.iter().filter(|l| l.difference() == 0).count();
    share_bp(right as u64, lines.len() as u64)
}

/// `right` of `total` in basis points, rounded down; `None` when `total`
/// is 0. KPI-4 per order uses it too: orders whose stock check was right
/// (what was reserved could be picked) of the orders picked (ADR 0008).
pub fn share_bp(right: u64, total: u64) -> Option<u32> {
    if total == 0 {
        return None;
    }
    u32::try_from(u128::from(right.min(total)) * 10_000 / u128::from(total)).ok()
}

/// Basis points as a percent with two decimals, as text ("97.50").
pub fn percent_text(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn line(p: i64, system: i64, counted: i64, cause: Option<DiscrepancyCause>) -> CountLine {
        CountLine {
            product_id: ProductId(p),
            system,
            counted,
            cause,
            note: None,
        }
    }

    #[test]
    fn inv_3_input_errors_name_the_line() {
        let e = validate_input(&[
            CountLineInput {
                product_id: ProductId(1),
                counted: -1,
                cause: None,
                note: None,
            },
            CountLineInput {
                product_id: ProductId(1),
                counted: 3,
                cause: Some(DiscrepancyCause::Other),
                note: None,
            },
        ])
        .unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lines[0].counted", "lines[1].product_id", "lines[1].note"]
        );
        assert!(validate_input(&[]).is_err());
    }

    #[test]
    fn inv_3_a_difference_needs_a_cause_and_may_not_undercut_reservations() {
        let lines = [
            line(1, 10, 10, None),
            line(2, 10, 8, None),
            line(3, 10, 4, Some(DiscrepancyCause::Loss)),
        ];
        let e = validate_posting(&lines, |p| if p == ProductId(3) { 5 } else { 0 }).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["lines[1].cause", "lines[2].counted"]);
        assert!(validate_posting(&lines[..1], |_| 0).is_ok());
        assert_eq!(lines[2].difference(), -6);
    }

    #[test]
    fn kpi_4_accuracy_is_the_share_of_lines_that_were_right() {
        let lines = [
            line(1, 10, 10, None),
            line(2, 10, 8, Some(DiscrepancyCause::Damage)),
            line(3, 0, 0, None),
        ];
        assert_eq!(accuracy_bp(&lines), Some(6_666));
        assert_eq!(accuracy_bp(&[]), None);
        assert_eq!(share_bp(3, 4), Some(7_500));
        assert_eq!(share_bp(0, 0), None);
        assert_eq!(percent_text(7_500), "75.00");
        assert_eq!(percent_text(6_666), "66.66");
    }

    #[test]
    fn sec_2_a_count_records_expected_and_counted_per_line() {
        let lines = [
            CountLine {
                product_id: ProductId(7),
                system: 10,
                counted: 8,
                cause: Some(DiscrepancyCause::Damage),
                note: None,
            },
            CountLine {
                product_id: ProductId(9),
                system: 4,
                counted: 4,
                cause: None,
                note: None,
            },
        ];
        let changes = count_changes(&lines);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].field, "lines[product_id=7].on_hand");
        assert_eq!(changes[0].before.as_deref(), Some("10"));
        assert_eq!(changes[0].after.as_deref(), Some("8 (damage)"));
        assert_eq!(changes[1].after.as_deref(), Some("4"));
        let moved = stock_change(WarehouseId(3), &lines[0]);
        assert_eq!(
            moved.map(|c| c.field),
            Some("stock[warehouse_id=3].on_hand".to_string())
        );
        assert_eq!(stock_change(WarehouseId(3), &lines[1]), None);
    }
}
