//! How far an approved order's goods have come (ORD-7): the order's state
//! machine (`status.rs`) does not move while goods are reserved and picked,
//! because an order may sit on several pick lists at once; the stage is
//! derived from what its lines hold instead. This is the one definition the
//! order list, the detail page and the API all show.

use serde::{Deserialize, Serialize};

use super::status::OrderStatus;
use crate::access::string_enum;

string_enum!(
    /// Where an order waiting for goods is in the warehouse.
    OrderStage {
        /// Goods are reserved for it and wait for a pick list.
        Allocated = "allocated",
        /// On a pick list not yet shipped: being picked, or picked and
        /// packed for the carrier.
        Picking = "picking",
    }
);

/// What the stage is derived from, as the store reads it for one order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageFacts {
    /// The sum of the lines' reserved quantities (reservations stay on the
    /// line until the goods ship).
    pub reserved: i64,
    /// The order's pick lists that still hold goods: open or picked
    /// (`PickListStatus::COMMITTED`).
    pub pick_lists: i64,
}

impl OrderStage {
    /// The stage of an order in `status` with `facts`; None when the order
    /// is not waiting for goods, or waits with nothing reserved yet
    /// (backordered): its status says all there is.
    pub fn of(status: OrderStatus, facts: StageFacts) -> Option<OrderStage> {
        if !status.awaiting_goods() {
            None
        } else if facts.pick_lists > 0 {
            Some(OrderStage::Picking)
        } else if facts.reserved > 0 {
            Some(OrderStage::Allocated)
        } else {
            None
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrderStage::Allocated => "已配货",
            OrderStage::Picking => "拣货中",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OrderStage::Allocated => "Allocated",
            OrderStage::Picking => "Picking",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(reserved: i64, pick_lists: i64) -> StageFacts {
        StageFacts {
            reserved,
            pick_lists,
        }
    }

    #[test]
    fn ord_7_stage_follows_reservations_and_pick_lists() {
        let approved = OrderStatus::Approved;
        assert_eq!(OrderStage::of(approved, facts(0, 0)), None);
        assert_eq!(
            OrderStage::of(approved, facts(5, 0)),
            Some(OrderStage::Allocated)
        );
        assert_eq!(
            OrderStage::of(approved, facts(5, 1)),
            Some(OrderStage::Picking)
        );
        assert_eq!(
            OrderStage::of(OrderStatus::PartlyShipped, facts(2, 0)),
            Some(OrderStage::Allocated)
        );
    }

    #[test]
    fn ord_7_no_stage_outside_awaiting_goods() {
        for s in OrderStatus::ALL {
            if !s.awaiting_goods() {
                assert_eq!(OrderStage::of(*s, facts(5, 1)), None, "{s}");
            }
        }
    }
}
