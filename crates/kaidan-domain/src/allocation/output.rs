//! The result of one allocation run. Every list is in a defined order (see
//! docs/allocation.md, "Result"), so the serialized result is byte-identical
//! for identical inputs.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::input::{FranchiseeOrdering, ProductSeason, Season};
use super::reason::{Group, Reason};
use crate::{CustomerId, Money, OrderId, OrderLineId, ProductId, Quantity, RegionId, StoreId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunResult {
    pub run_date: Date,
    pub time_zone: String,
    pub franchisee_ordering: FranchiseeOrdering,
    /// Expiry of every lock made in this run: run date + lock period.
    pub lock_expires_on: Date,
    /// Season of the run date; its list orders regions for non-seasonal products.
    pub default_season: Season,
    /// The full region order per season: the list, then regions not on it by name.
    pub region_order: RegionOrder,
    /// Every franchisee, funded group first, each group in its ALC-3 order.
    pub franchisees: Vec<FranchiseeSummary>,
    /// Allocation lines, in the order the engine made them.
    pub allocations: Vec<Allocation>,
    /// Claims not fully served, in the order the engine considered them.
    pub unserved: Vec<Unserved>,
    /// One summary per product, by product id.
    pub products: Vec<ProductSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionOrder {
    pub spring_summer: Vec<RegionId>,
    pub autumn_winter: Vec<RegionId>,
}

/// One allocation line; a pick-list line for the central warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Allocation {
    /// Step 3: goods for a funded franchisee's order line.
    FranchiseeAllocation(FranchiseeLineAllocation),
    /// Step 4: goods locked for an unfunded franchisee until `expires_on`.
    FranchiseeLock(FranchiseeLineAllocation),
    /// Step 5: goods for a store's safety stock.
    Store(StoreAllocation),
    /// Step 5: goods for a region's replenishment stock.
    Region(RegionAllocation),
}

/// Reads a field every kind of claim has: `Allocation` and `Unserved` hold
/// the same four kinds, each a record with that field.
macro_rules! claim_field {
    ($claim:expr, $kind:ident . $field:ident) => {
        match $claim {
            $kind::FranchiseeAllocation(c) | $kind::FranchiseeLock(c) => &c.$field,
            $kind::Store(c) => &c.$field,
            $kind::Region(c) => &c.$field,
        }
    };
}

impl Allocation {
    pub fn product(&self) -> ProductId {
        *claim_field!(self, Allocation.product)
    }

    pub fn quantity(&self) -> Quantity {
        *claim_field!(self, Allocation.quantity)
    }

    pub fn reason(&self) -> &Reason {
        claim_field!(self, Allocation.reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FranchiseeLineAllocation {
    pub franchisee: CustomerId,
    pub order_id: OrderId,
    pub line_id: OrderLineId,
    pub product: ProductId,
    pub quantity: Quantity,
    pub unit_price: Money,
    /// quantity × unit price.
    pub amount: Money,
    /// Locks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreAllocation {
    pub store: StoreId,
    pub region: RegionId,
    pub product: ProductId,
    pub quantity: Quantity,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionAllocation {
    pub region: RegionId,
    pub product: ProductId,
    pub quantity: Quantity,
    pub reason: Reason,
}

/// A claim (order line, store need, region need) that was not fully served.
/// The kind is the kind of allocation the claim was seeking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unserved {
    FranchiseeAllocation(FranchiseeLineShort),
    FranchiseeLock(FranchiseeLineShort),
    Store(StoreShort),
    Region(RegionShort),
}

impl Unserved {
    pub fn product(&self) -> ProductId {
        *claim_field!(self, Unserved.product)
    }

    /// The quantity left unserved.
    pub fn unserved(&self) -> Quantity {
        *claim_field!(self, Unserved.unserved)
    }

    pub fn reason(&self) -> &Reason {
        claim_field!(self, Unserved.reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FranchiseeLineShort {
    pub franchisee: CustomerId,
    pub order_id: OrderId,
    pub line_id: OrderLineId,
    pub product: ProductId,
    /// The open quantity of the line.
    pub requested: Quantity,
    pub allocated: Quantity,
    pub unserved: Quantity,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreShort {
    pub store: StoreId,
    pub region: RegionId,
    pub product: ProductId,
    /// max(0, safety stock − current stock).
    pub requested: Quantity,
    pub allocated: Quantity,
    pub unserved: Quantity,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionShort {
    pub region: RegionId,
    pub product: ProductId,
    /// The region's replenishment need.
    pub requested: Quantity,
    pub allocated: Quantity,
    pub unserved: Quantity,
    pub reason: Reason,
}

/// How a franchisee fared in the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FranchiseeSummary {
    pub franchisee: CustomerId,
    pub group: Group,
    /// Position within the group (the rank used in reasons).
    pub position: u32,
    pub priority_rank: i64,
    /// Oldest order date among its open lines (the first tie-break).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_open_order: Option<Date>,
    /// Funds balance − funds committed.
    pub available_funds: Money,
    /// Credit limit − credit committed.
    pub available_credit: Money,
    /// Funded only: max(0, available funds + available credit), the money
    /// bound of step 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money_available: Option<Money>,
    /// Value of the step-3 allocations.
    pub allocated_amount: Money,
    /// Of `allocated_amount`, the part to commit against funds (funds first).
    pub commit_funds: Money,
    /// Of `allocated_amount`, the part to commit against credit.
    pub commit_credit: Money,
    /// Value of the step-4 locks.
    pub locked_amount: Money,
    /// Funded only: money available − allocated amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money_left: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSummary {
    pub product: ProductId,
    pub season: ProductSeason,
    pub launch_priority: i64,
    pub supply: Quantity,
    pub franchisee_allocated: Quantity,
    pub franchisee_locked: Quantity,
    pub store_allocated: Quantity,
    pub region_allocated: Quantity,
    /// Supply − everything allocated; stays in the central warehouse.
    pub left_over: Quantity,
    /// Sum of unserved quantities of the product's claims.
    pub unserved: Quantity,
}
