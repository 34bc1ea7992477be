//! Transfers (调拨单) from the central warehouse to direct-operated and
//! affiliated stores and to regional stock (ALC-8, ALC-9): the allocation
//! run's store and region allocations become transfers, which the central
//! warehouse picks, ships and the destination receives. Pure: the states,
//! which step each state allows, and the stock position a store's need is
//! computed from.

use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;

string_enum!(
    /// Where a transfer is.
    TransferStatus {
        /// Made by an allocation run: its goods are reserved in the central
        /// warehouse and it is the warehouse's pick list.
        Open = "open",
        /// Picked and packed; waiting for the carrier.
        Picked = "picked",
        /// On its way to the store or region (in transit).
        Shipped = "shipped",
        /// Received: the goods are in the destination's stock.
        Received = "received",
        /// Called off before it left; its reservation was released.
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// Who a transfer is for: a store's safety stock or a region's
    /// replenishment stock (备货).
    TransferKind {
        Store = "store",
        Region = "region",
    }
);

string_enum!(
    /// What is done to a transfer.
    TransferAction {
        Pick = "pick",
        Ship = "ship",
        Receive = "receive",
        Cancel = "cancel",
    }
);

impl TransferStatus {
    /// Transfers whose goods count toward the destination's stock
    /// position: reserved or under way, not yet received (ALC-8).
    pub const IN_TRANSIT: &'static [TransferStatus] = &[
        TransferStatus::Open,
        TransferStatus::Picked,
        TransferStatus::Shipped,
    ];

    /// The state in which a transfer's goods are counted by its listed
    /// quantity rather than by what was picked.
    pub const LISTED: TransferStatus = TransferStatus::Open;

    pub fn in_transit(self) -> bool {
        TransferStatus::IN_TRANSIT.contains(&self)
    }

    /// The state a step leads to, or an error naming the current state.
    /// A pick that found nothing cancels the transfer instead (see
    /// [`TransferStatus::after_pick`]).
    pub fn apply(self, action: TransferAction) -> Result<TransferStatus, ValidationErrors> {
        let next = match (self, action) {
            (TransferStatus::Open, TransferAction::Pick) => TransferStatus::Picked,
            (TransferStatus::Picked, TransferAction::Ship) => TransferStatus::Shipped,
            (TransferStatus::Shipped, TransferAction::Receive) => TransferStatus::Received,
            (TransferStatus::Open | TransferStatus::Picked, TransferAction::Cancel) => {
                TransferStatus::Cancelled
            }
            (current, action) => {
                let needs = match action {
                    TransferAction::Pick => "open",
                    TransferAction::Ship => "picked",
                    TransferAction::Receive => "shipped",
                    TransferAction::Cancel => "open or picked",
                };
                return Err(ValidationErrors::single(
                    "status",
                    "wrong_state",
                    format!("the transfer is {current}; to {action} it, it must be {needs}"),
                ));
            }
        };
        Ok(next)
    }

    /// After a confirmed pick: picked when anything was found, else the
    /// transfer is cancelled (nothing to ship).
    pub fn after_pick(any_picked: bool) -> TransferStatus {
        if any_picked {
            TransferStatus::Picked
        } else {
            TransferStatus::Cancelled
        }
    }
}

/// A store's stock position for one product: what it holds plus what is on
/// its way to it. The allocation run's need of the store is
/// `max(0, safety stock − position)`, so goods already sent are not sent
/// twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StockPosition {
    pub on_hand: i64,
    pub in_transit: i64,
}

impl StockPosition {
    pub fn total(self) -> i64 {
        self.on_hand.saturating_add(self.in_transit)
    }
}

/// One line of a region's replenishment plan (备货): what the region still
/// wants of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegionNeed {
    pub product_id: crate::ProductId,
    /// Units still wanted; each allocation run's region allocation takes
    /// from it, a cancelled or short-picked transfer gives back.
    pub quantity: i64,
}

/// Checks a region's replenishment plan: each product once, no negative
/// quantity. Field names point into `[i]`.
pub fn check_region_needs(needs: &[RegionNeed]) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, n) in needs.iter().enumerate() {
        if !seen.insert(n.product_id) {
            e.duplicate(
                format!("[{i}].product_id"),
                format!("product {} is listed twice", n.product_id),
            );
        }
        if n.quantity < 0 {
            e.negative(format!("[{i}].quantity"));
        } else {
            e.quantity_too_large(format!("[{i}].quantity"), n.quantity);
        }
    }
    e.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProductId;

    #[test]
    fn alc_9_a_transfer_goes_open_picked_shipped_received() {
        let s = TransferStatus::Open;
        let s = s.apply(TransferAction::Pick).unwrap();
        assert_eq!(s, TransferStatus::Picked);
        let s = s.apply(TransferAction::Ship).unwrap();
        assert_eq!(s, TransferStatus::Shipped);
        let s = s.apply(TransferAction::Receive).unwrap();
        assert_eq!(s, TransferStatus::Received);
    }

    #[test]
    fn alc_9_an_illegal_step_names_the_current_state() {
        let err = TransferStatus::Shipped
            .apply(TransferAction::Cancel)
            .unwrap_err();
        assert_eq!(err.errors[0].field, "status");
        assert_eq!(
            err.errors[0].message,
            "the transfer is shipped; to cancel it, it must be open or picked"
        );
        assert!(TransferStatus::Open.apply(TransferAction::Ship).is_err());
        assert!(
            TransferStatus::Received
                .apply(TransferAction::Pick)
                .is_err()
        );
        assert!(
            TransferStatus::Cancelled
                .apply(TransferAction::Receive)
                .is_err()
        );
        assert_eq!(
            TransferStatus::Picked
                .apply(TransferAction::Cancel)
                .unwrap(),
            TransferStatus::Cancelled
        );
    }

    #[test]
    fn alc_8_goods_under_way_count_toward_the_position() {
        assert!(TransferStatus::Open.in_transit());
        assert!(TransferStatus::Shipped.in_transit());
        assert!(!TransferStatus::Received.in_transit());
        assert!(!TransferStatus::Cancelled.in_transit());
        let p = StockPosition {
            on_hand: 3,
            in_transit: 4,
        };
        assert_eq!(p.total(), 7);
        assert_eq!(TransferStatus::after_pick(false), TransferStatus::Cancelled);
    }

    #[test]
    fn alc_8_region_needs_refuse_duplicates_and_negatives() {
        let err = check_region_needs(&[
            RegionNeed {
                product_id: ProductId(1),
                quantity: 5,
            },
            RegionNeed {
                product_id: ProductId(1),
                quantity: -1,
            },
        ])
        .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["[1].product_id", "[1].quantity"]);
    }
}
