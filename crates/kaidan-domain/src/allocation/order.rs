//! Sort orders of the run. Every order ends in a unique id, so the result never
//! depends on the order of the input lists.

use std::cmp::Reverse;

use jiff::civil::Date;

use super::input::{FranchiseeOrdering, RunInput, Season};
use super::validate::Index;
use crate::master::Importance;
use crate::{CustomerId, OrderLineId};

/// Converts a 0-based index into a 1-based position.
pub(crate) fn position(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1))
}

/// What step 2 needs to know about a franchisee.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FranchiseeKey {
    pub id: CustomerId,
    pub priority_rank: i64,
    /// ALC-3's ranking facts: importance (an ungraded one last) and units
    /// ordered over the period, more first (ADR 0017).
    pub importance: Option<Importance>,
    pub cumulative_ordered: i64,
    /// Available funds in 1/10,000 yuan.
    pub available_funds: i128,
    pub funded: bool,
    /// Oldest order date among its open lines.
    pub oldest_open_order: Option<Date>,
}

/// Steps 2 and 4: funded franchisees by priority rank or by available funds
/// (larger first); unfunded ones always by priority rank. Equal ranks go by
/// the other facts of the predefined priority (ALC-3, ADR 0017): importance
/// (an ungraded franchisee last), then more units ordered over the period.
/// Then, in either mode: the earlier oldest open order date (a franchisee
/// without open lines last), then id. Returns (funded, unfunded) as indices
/// into `keys`.
pub(crate) fn franchisees(
    keys: &[FranchiseeKey],
    mode: FranchiseeOrdering,
) -> (Vec<usize>, Vec<usize>) {
    let tie = |k: &FranchiseeKey| (k.oldest_open_order.is_none(), k.oldest_open_order, k.id);
    let by_rank = |k: &FranchiseeKey| {
        (
            k.priority_rank,
            k.importance.is_none(),
            k.importance,
            Reverse(k.cumulative_ordered),
            tie(k),
        )
    };
    let (mut funded, mut unfunded): (Vec<usize>, Vec<usize>) =
        (0..keys.len()).partition(|&i| keys[i].funded);
    match mode {
        FranchiseeOrdering::Priority => {
            funded.sort_unstable_by_key(|&i| by_rank(&keys[i]));
        }
        FranchiseeOrdering::Funds => {
            funded.sort_unstable_by_key(|&i| (Reverse(keys[i].available_funds), tie(&keys[i])));
        }
    }
    unfunded.sort_unstable_by_key(|&i| by_rank(&keys[i]));
    (funded, unfunded)
}

/// Step 3 within one franchisee: launch-plan priority of the product, then
/// order date, then line id.
pub(crate) type LineKey = (i64, Date, OrderLineId);

/// The region order of one season (ALC-6): the season list, then regions not
/// on it by name, then id. Per region (by input index): its 1-based position
/// and whether it is on the list.
#[derive(Debug, Clone)]
pub(crate) struct RegionRanks {
    /// Region indices in order.
    pub order: Vec<usize>,
    pub position: Vec<u32>,
    pub on_list: Vec<bool>,
}

pub(crate) fn regions(input: &RunInput, index: &Index, season: Season) -> RegionRanks {
    let n = input.regions.len();
    let mut on_list = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for id in input.region_priority.list(season) {
        let Some(&r) = index.region.get(id) else {
            continue;
        };
        if !on_list[r] {
            on_list[r] = true;
            order.push(r);
        }
    }
    let mut rest: Vec<usize> = (0..n).filter(|&r| !on_list[r]).collect();
    rest.sort_unstable_by(|&a, &b| {
        let (ra, rb) = (&input.regions[a], &input.regions[b]);
        ra.name.cmp(&rb.name).then(ra.id.cmp(&rb.id))
    });
    order.extend(rest);
    let mut position = vec![0; n];
    for (i, &r) in order.iter().enumerate() {
        position[r] = self::position(i);
    }
    RegionRanks {
        order,
        position,
        on_list,
    }
}

/// ALC-7: the 1-based position of every store (by input index) within its
/// region: tier A, B, C, then store priority, then store id.
pub(crate) fn store_positions(input: &RunInput) -> Vec<u32> {
    let stores = &input.stores;
    let mut order: Vec<usize> = (0..stores.len()).collect();
    order.sort_unstable_by_key(|&s| {
        let st = &stores[s];
        (st.region, st.tier, st.priority, st.id)
    });
    let mut position = vec![0; stores.len()];
    let mut in_region = 0usize;
    for (i, &s) in order.iter().enumerate() {
        if i > 0 && stores[order[i - 1]].region != stores[s].region {
            in_region = 0;
        }
        position[s] = self::position(in_region);
        in_region += 1;
    }
    position
}
