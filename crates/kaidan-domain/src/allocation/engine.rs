//! The run itself: steps 1–6 of ALLOCATION.md. Sorts once per step, then walks
//! the claims in order; O(n log n) in the number of lines, stock entries and
//! needs. Money is handled in exact integer units (1/10,000 yuan).

use jiff::Span;
use jiff::civil::Date;

use super::input::{FranchiseeOrdering, RunInput, Season, Settings};
use super::order::{self, FranchiseeKey, LineKey, position};
use super::output::{
    Allocation, FranchiseeLineAllocation, FranchiseeLineShort, FranchiseeSummary, ProductSummary,
    RegionAllocation, RegionOrder, RegionShort, RunResult, StoreAllocation, StoreShort, Unserved,
};
use super::reason::{Bound, Group, Rank, Reason, Rule};
use super::validate::{InputError, Issue, Location, Problem, units, validate};
use crate::{Money, Quantity};

/// The expiry date of locks made in a run: run date + lock period.
pub(crate) fn lock_expiry(settings: &Settings) -> Option<Date> {
    let span = Span::new().try_days(settings.lock_period_days).ok()?;
    settings.run_date.checked_add(span).ok()
}

/// Runs the allocation (分货): validates the input, then applies steps 1–6 of
/// ALLOCATION.md. Pure and deterministic: the input is only read, and equal
/// inputs give equal results. Returns every problem of an unacceptable input.
pub fn run(input: &RunInput) -> Result<RunResult, InputError> {
    let ix = validate(input)?;
    let settings = &input.settings;
    let Some(lock_expires_on) = lock_expiry(settings) else {
        return Err(InputError {
            problems: vec![Problem {
                at: Location::Settings,
                issue: Issue::LockExpiryOutOfRange,
            }],
        });
    };
    let default_season = settings.season_of(settings.run_date);
    let mode = settings.franchisee_ordering;

    // Supply per product (by input index).
    let products = &input.products;
    let mut supply = vec![0i64; products.len()];
    for (sup, &p) in input.supply.iter().zip(&ix.supply_product) {
        supply[p] = sup.quantity;
    }
    let mut left = supply.clone();
    let mut tally = vec![Tally::default(); products.len()];

    // Step 1: funded or not; what step 2 orders by.
    let franchisees = &input.franchisees;
    let mut keys: Vec<FranchiseeKey> = franchisees
        .iter()
        .map(|f| FranchiseeKey {
            id: f.id,
            priority_rank: f.priority_rank,
            importance: f.importance,
            cumulative_ordered: f.cumulative_ordered,
            available_funds: units(f.available_funds()),
            funded: f.is_funded(),
            oldest_open_order: None,
        })
        .collect();
    for (line, &f) in input.order_lines.iter().zip(&ix.line_franchisee) {
        if line.open_quantity > 0 {
            let oldest = &mut keys[f].oldest_open_order;
            if oldest.is_none_or(|d| line.order_date < d) {
                *oldest = Some(line.order_date);
            }
        }
    }
    // Step 2 (and the order of step 4).
    let (funded_order, unfunded_order) = order::franchisees(&keys, mode);
    let mut fr_position = vec![0u32; franchisees.len()];
    for group in [&funded_order, &unfunded_order] {
        for (i, &f) in group.iter().enumerate() {
            fr_position[f] = position(i);
        }
    }
    let mut fr_state: Vec<FranchiseeState> = franchisees
        .iter()
        .zip(&keys)
        .map(|(f, k)| {
            let money = if k.funded {
                (k.available_funds + units(f.available_credit())).max(0)
            } else {
                0
            };
            FranchiseeState {
                money_available: money,
                money_left: money,
                allocated: 0,
                locked: 0,
            }
        })
        .collect();

    // Steps 3 and 4: all lines, funded group first, each franchisee's lines
    // together in line order.
    let mut lines: Vec<(bool, u32, LineKey, usize)> = Vec::with_capacity(input.order_lines.len());
    for (i, line) in input.order_lines.iter().enumerate() {
        if line.open_quantity == 0 {
            continue;
        }
        let f = ix.line_franchisee[i];
        let p = ix.line_product[i];
        let key: LineKey = (products[p].launch_priority, line.order_date, line.line_id);
        lines.push((!keys[f].funded, fr_position[f], key, i));
    }
    lines.sort_unstable_by_key(|&(unfunded, pos, key, _)| (unfunded, pos, key));

    let mut allocations: Vec<Allocation> = Vec::with_capacity(lines.len());
    let mut unserved: Vec<Unserved> = Vec::new();
    let mut current = usize::MAX;
    let mut line_index = 0usize;
    for &(unfunded, fr_pos, _, li) in &lines {
        let line = &input.order_lines[li];
        let f = ix.line_franchisee[li];
        let p = ix.line_product[li];
        if f != current {
            current = f;
            line_index = 0;
        }
        let funded = !unfunded;
        let requested = line.open_quantity;
        let price = ix.line_price[li];
        let supply_left = left[p];
        let state = &mut fr_state[f];
        let mut got = requested.min(supply_left);
        // A free line (赠品, price 0) costs nothing, so money cannot bound it:
        // floor(money left / price) only applies to priced lines (ADR 0013).
        if funded && price > 0 {
            let affordable = state.money_left / price;
            got = got.min(i64::try_from(affordable).unwrap_or(i64::MAX));
        }
        let bound = bound_of(requested, got, supply[p], supply_left);
        let (group, rule, ordered_by) = if funded {
            (Group::Funded, Rule::FundedFranchisee, mode)
        } else {
            (
                Group::Unfunded,
                Rule::UnfundedLock,
                FranchiseeOrdering::Priority,
            )
        };
        let reason = Reason::new(
            rule,
            bound,
            Rank::Franchisee {
                group,
                position: fr_pos,
                ordered_by,
                line_position: position(line_index),
            },
        );
        line_index += 1;
        left[p] -= got;
        if got > 0 {
            let amount = price * i128::from(got);
            let a = FranchiseeLineAllocation {
                franchisee: line.franchisee,
                order_id: line.order_id,
                line_id: line.line_id,
                product: line.product,
                quantity: qty(got),
                unit_price: line.unit_price,
                amount: money(amount),
                expires_on: (!funded).then_some(lock_expires_on),
                reason,
            };
            if funded {
                state.money_left -= amount;
                state.allocated += amount;
                tally[p].franchisee_allocated += got;
                allocations.push(Allocation::FranchiseeAllocation(a));
            } else {
                state.locked += amount;
                tally[p].franchisee_locked += got;
                allocations.push(Allocation::FranchiseeLock(a));
            }
        }
        if got < requested {
            let short = FranchiseeLineShort {
                franchisee: line.franchisee,
                order_id: line.order_id,
                line_id: line.line_id,
                product: line.product,
                requested: qty(requested),
                allocated: qty(got),
                unserved: qty(requested - got),
                reason,
            };
            tally[p].unserved = tally[p].unserved.saturating_add(requested - got);
            unserved.push(if funded {
                Unserved::FranchiseeAllocation(short)
            } else {
                Unserved::FranchiseeLock(short)
            });
        }
    }
    drop(lines);

    // Step 5: stores and regions, product by product.
    let ranks = [
        order::regions(input, &ix, Season::SpringSummer),
        order::regions(input, &ix, Season::AutumnWinter),
    ];
    let store_position = order::store_positions(input);
    let mut product_order: Vec<usize> = (0..products.len()).collect();
    product_order.sort_unstable_by_key(|&p| (products[p].launch_priority, products[p].id));
    let mut product_rank = vec![0u32; products.len()];
    for (i, &p) in product_order.iter().enumerate() {
        product_rank[p] = position(i);
    }
    let list_of = |p: usize| products[p].season.season().unwrap_or(default_season);

    // Sort key: (product, phase, region position, store-before-region, store
    // position). A seasonal product serves each region's stores and then the
    // region before the next region; a non-seasonal one serves all stores
    // (phase 0) before all regions (phase 1).
    let mut claims: Vec<(ClaimKey, Claim)> =
        Vec::with_capacity(input.store_stock.len() + input.region_needs.len());
    for (i, ss) in input.store_stock.iter().enumerate() {
        let need = ss.safety_stock.saturating_sub(ss.current_stock).max(0);
        if need == 0 {
            continue;
        }
        let p = ix.stock_product[i];
        let s = ix.stock_store[i];
        let r = ix.store_region[s];
        let rp = ranks[season_index(list_of(p))].position[r];
        let key = (product_rank[p], 0, rp, 0, store_position[s]);
        claims.push((key, Claim::Store { stock: i, need }));
    }
    for (i, rn) in input.region_needs.iter().enumerate() {
        if rn.quantity == 0 {
            continue;
        }
        let p = ix.need_product[i];
        let r = ix.need_region[i];
        let rp = ranks[season_index(list_of(p))].position[r];
        let key = if products[p].season.season().is_some() {
            (product_rank[p], 0, rp, 1, 0)
        } else {
            (product_rank[p], 1, rp, 0, 0)
        };
        claims.push((key, Claim::Region { need: i }));
    }
    claims.sort_unstable_by_key(|&(key, _)| key);

    for &(_, claim) in &claims {
        let (p, r, need) = match claim {
            Claim::Store { stock, need } => (
                ix.stock_product[stock],
                ix.store_region[ix.stock_store[stock]],
                need,
            ),
            Claim::Region { need } => (
                ix.need_product[need],
                ix.need_region[need],
                input.region_needs[need].quantity,
            ),
        };
        let region_list = list_of(p);
        let rk = &ranks[season_index(region_list)];
        let (region_position, region_on_list) = (rk.position[r], rk.on_list[r]);
        let got = need.min(left[p]);
        let bound = bound_of(need, got, supply[p], left[p]);
        left[p] -= got;
        let short = need - got;
        tally[p].unserved = tally[p].unserved.saturating_add(short);
        // Each claim yields its allocation and its shortfall; only the parts
        // with a quantity go into the result.
        let (allocation, shortfall) = match claim {
            Claim::Store { stock, .. } => {
                let ss = &input.store_stock[stock];
                let s = ix.stock_store[stock];
                let reason = Reason::new(
                    Rule::StoreSafetyStock,
                    bound,
                    Rank::Store {
                        region_list,
                        region_position,
                        region_on_list,
                        tier: input.stores[s].tier,
                        store_position: store_position[s],
                    },
                );
                let region = input.regions[r].id;
                tally[p].store_allocated += got;
                (
                    Allocation::Store(StoreAllocation {
                        store: ss.store,
                        region,
                        product: ss.product,
                        quantity: qty(got),
                        reason,
                    }),
                    Unserved::Store(StoreShort {
                        store: ss.store,
                        region,
                        product: ss.product,
                        requested: qty(need),
                        allocated: qty(got),
                        unserved: qty(short),
                        reason,
                    }),
                )
            }
            Claim::Region { need: n } => {
                let rn = &input.region_needs[n];
                let reason = Reason::new(
                    Rule::RegionReplenishment,
                    bound,
                    Rank::Region {
                        region_list,
                        region_position,
                        region_on_list,
                    },
                );
                tally[p].region_allocated += got;
                (
                    Allocation::Region(RegionAllocation {
                        region: rn.region,
                        product: rn.product,
                        quantity: qty(got),
                        reason,
                    }),
                    Unserved::Region(RegionShort {
                        region: rn.region,
                        product: rn.product,
                        requested: qty(need),
                        allocated: qty(got),
                        unserved: qty(short),
                        reason,
                    }),
                )
            }
        };
        if got > 0 {
            allocations.push(allocation);
        }
        if short > 0 {
            unserved.push(shortfall);
        }
    }

    // Step 6: the result.
    let franchisee_summaries = funded_order
        .iter()
        .map(|&f| (f, Group::Funded))
        .chain(unfunded_order.iter().map(|&f| (f, Group::Unfunded)))
        .map(|(f, group)| {
            let fr = &franchisees[f];
            let st = &fr_state[f];
            let funded = group == Group::Funded;
            // Funds first, then credit (step 6).
            let commit_funds = st.allocated.min(keys[f].available_funds.max(0));
            FranchiseeSummary {
                franchisee: fr.id,
                group,
                position: fr_position[f],
                priority_rank: fr.priority_rank,
                oldest_open_order: keys[f].oldest_open_order,
                available_funds: fr.available_funds(),
                available_credit: fr.available_credit(),
                money_available: funded.then(|| money(st.money_available)),
                allocated_amount: money(st.allocated),
                commit_funds: money(commit_funds),
                commit_credit: money(st.allocated - commit_funds),
                locked_amount: money(st.locked),
                money_left: funded.then(|| money(st.money_left)),
            }
        })
        .collect();

    let mut by_id: Vec<usize> = (0..products.len()).collect();
    by_id.sort_unstable_by_key(|&p| products[p].id);
    let product_summaries = by_id
        .iter()
        .map(|&p| {
            let t = &tally[p];
            ProductSummary {
                product: products[p].id,
                season: products[p].season,
                launch_priority: products[p].launch_priority,
                supply: qty(supply[p]),
                franchisee_allocated: qty(t.franchisee_allocated),
                franchisee_locked: qty(t.franchisee_locked),
                store_allocated: qty(t.store_allocated),
                region_allocated: qty(t.region_allocated),
                left_over: qty(left[p]),
                unserved: qty(t.unserved),
            }
        })
        .collect();

    let region_ids = |k: usize| -> Vec<_> {
        ranks[k]
            .order
            .iter()
            .map(|&r| input.regions[r].id)
            .collect()
    };
    Ok(RunResult {
        run_date: settings.run_date,
        time_zone: settings.time_zone.clone(),
        franchisee_ordering: mode,
        lock_expires_on,
        default_season,
        region_order: RegionOrder {
            spring_summer: region_ids(0),
            autumn_winter: region_ids(1),
        },
        franchisees: franchisee_summaries,
        allocations,
        unserved,
        products: product_summaries,
    })
}

/// Money state of one franchisee during the run, in 1/10,000 yuan.
#[derive(Debug, Clone, Copy)]
struct FranchiseeState {
    money_available: i128,
    money_left: i128,
    allocated: i128,
    locked: i128,
}

/// Quantities per product, summed as the run goes.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    franchisee_allocated: i64,
    franchisee_locked: i64,
    store_allocated: i64,
    region_allocated: i64,
    unserved: i64,
}

/// (product rank, phase, region position, store-before-region, store position).
type ClaimKey = (u32, u8, u32, u8, u32);

#[derive(Debug, Clone, Copy)]
enum Claim {
    Store { stock: usize, need: i64 },
    Region { need: usize },
}

fn season_index(season: Season) -> usize {
    match season {
        Season::SpringSummer => 0,
        Season::AutumnWinter => 1,
    }
}

/// The bound that decided a claim, given what it asked for, what it got, the
/// product's supply at the start of the run and the supply left at its turn.
/// When supply and money bind equally, supply is reported.
fn bound_of(requested: i64, got: i64, supply_at_start: i64, supply_left: i64) -> Bound {
    if got == requested {
        Bound::FullyServed
    } else if supply_at_start == 0 {
        Bound::NoSupply
    } else if supply_left == 0 {
        Bound::LowerPriority
    } else if got == supply_left {
        Bound::SupplyExhausted
    } else {
        Bound::MoneyExhausted
    }
}

/// A quantity the engine computed; never negative by construction.
fn qty(value: i64) -> Quantity {
    Quantity::new(value).unwrap_or(Quantity::ZERO)
}

/// An amount in 1/10,000 yuan; validation keeps every amount of a run within
/// `Money`'s range.
fn money(units: i128) -> Money {
    let clamped = i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX });
    Money::from_units(clamped)
}
