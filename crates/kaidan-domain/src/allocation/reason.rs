//! Why a quantity was allocated or left unserved (ALC-10): the rule and step
//! that handled it, the bound that stopped it, and the rank it was served at.

use serde::{Deserialize, Serialize};

use super::input::{FranchiseeOrdering, Season, Tier};

/// The rule (and with it the step of ALLOCATION.md) that served a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// Step 3: lines of funded franchisees, ordered per ALC-3 and ALC-4.
    #[serde(rename = "ALC-2 funded franchisee")]
    FundedFranchisee,
    /// Step 4: locks for unfunded franchisees.
    #[serde(rename = "ALC-5 unfunded franchisee lock")]
    UnfundedLock,
    /// Step 5: a store's safety-stock need, regions per ALC-6, stores per ALC-7.
    #[serde(rename = "ALC-8 store safety stock")]
    StoreSafetyStock,
    /// Step 5: a region's replenishment need, regions per ALC-6.
    #[serde(rename = "ALC-8 region replenishment")]
    RegionReplenishment,
}

impl Rule {
    /// The step of ALLOCATION.md that applies the rule.
    pub fn step(self) -> u8 {
        match self {
            Rule::FundedFranchisee => 3,
            Rule::UnfundedLock => 4,
            Rule::StoreSafetyStock | Rule::RegionReplenishment => 5,
        }
    }
}

/// What decided the quantity of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The claim got everything it asked for.
    FullyServed,
    /// Supply of the product ran out during this claim: it got part of it.
    SupplyExhausted,
    /// Money left (available funds + credit) ran short: funded franchisees only.
    MoneyExhausted,
    /// Higher-priority claims had already taken all supply of the product.
    LowerPriority,
    /// The product had no supply in this run at all.
    NoSupply,
}

/// Funded (step 3) or unfunded (step 4) franchisee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Funded,
    Unfunded,
}

/// The rank a claim was served at. Positions are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rank {
    Franchisee {
        group: Group,
        /// Position of the franchisee within its group.
        position: u32,
        /// The key the group was ordered by (ALC-3); unfunded franchisees are
        /// always ordered by priority rank.
        ordered_by: FranchiseeOrdering,
        /// Position of the line among the franchisee's lines (ALC-4).
        line_position: u32,
    },
    Store {
        /// The season list the region order came from (ALC-6).
        region_list: Season,
        region_position: u32,
        /// False when the region is not on the list and was ordered by name.
        region_on_list: bool,
        tier: Tier,
        /// Position of the store within its region (ALC-7).
        store_position: u32,
    },
    Region {
        region_list: Season,
        region_position: u32,
        region_on_list: bool,
    },
}

/// The reason attached to every allocated and every unserved quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub rule: Rule,
    pub step: u8,
    pub bound: Bound,
    pub rank: Rank,
}

impl Reason {
    pub fn new(rule: Rule, bound: Bound, rank: Rank) -> Self {
        Reason {
            rule,
            step: rule.step(),
            bound,
            rank,
        }
    }
}
