//! Property tests: every guarantee of ALLOCATION.md ("Guarantees") checked on
//! random runs. ALC-1..ALC-10.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;
use kaidan_domain::allocation::{
    Allocation, Bound, Franchisee, FranchiseeOrdering, Group, OrderLine, Product, ProductSeason,
    Rank, Region, RegionNeed, RegionPriority, RunInput, RunResult, Settings, Store, StoreOperation,
    StoreStock, Supply, Tier, Unserved, result_json, run,
};
use kaidan_domain::{CustomerId, Money, OrderId, OrderLineId, ProductId, RegionId, StoreId};
use proptest::prelude::*;
use proptest::sample::Index;

const NAMES: [&str; 5] = ["机场", "深圳", "北京", "Alpha", "Zeta"];

fn season(n: u8) -> ProductSeason {
    match n % 3 {
        0 => ProductSeason::SpringSummer,
        1 => ProductSeason::AutumnWinter,
        _ => ProductSeason::None,
    }
}

fn tier(n: u8) -> Tier {
    match n % 3 {
        0 => Tier::A,
        1 => Tier::B,
        _ => Tier::C,
    }
}

/// An amount in quarters of a yuan, so floors and exact sums both matter.
fn quarters(q: i64) -> Money {
    Money::from_units(q * 2_500)
}

prop_compose! {
    fn products()(specs in prop::collection::vec((0..3u8, 1..4i64, prop::option::of(0..40i64)), 1..6))
        -> (Vec<Product>, Vec<Supply>) {
        let mut products = Vec::new();
        let mut supply = Vec::new();
        for (i, (s, launch, qty)) in specs.into_iter().enumerate() {
            let id = ProductId(i as i64 + 1);
            products.push(Product { id, name: String::new(), season: season(s), launch_priority: launch });
            if let Some(quantity) = qty {
                supply.push(Supply { product: id, quantity });
            }
        }
        (products, supply)
    }
}

prop_compose! {
    fn franchisees()(specs in prop::collection::vec((1..4i64, 0..400i64, 0..200i64, 0..200i64, 0..120i64), 1..7))
        -> Vec<Franchisee> {
        specs.into_iter().enumerate().map(|(i, (rank, funds, committed, credit, credit_committed))| Franchisee {
            id: CustomerId(100 + i as i64),
            name: String::new(),
            priority_rank: rank,
            region: None,
            importance: String::new(),
            cumulative_ordered: 0,
            funds_balance: quarters(funds),
            credit_limit: quarters(credit),
            funds_committed: quarters(committed),
            // May exceed the limit: available credit then negative.
            credit_committed: quarters(credit_committed),
        }).collect()
    }
}

prop_compose! {
    fn input()(
        (products, supply) in products(),
        franchisees in franchisees(),
        lines in prop::collection::vec((any::<Index>(), any::<Index>(), 0..15i64, 1..120i64, 0..6i8), 0..30),
        region_names in prop::collection::vec(0..NAMES.len(), 1..6),
        lists in (prop::collection::vec(any::<Index>(), 0..6), prop::collection::vec(any::<Index>(), 0..6)),
        stores in prop::collection::vec((any::<Index>(), 0..3u8, 1..3i64), 0..9),
        stock in prop::collection::vec((any::<Index>(), any::<Index>(), 0..12i64, 0..12i64), 0..25),
        needs in prop::collection::vec((any::<Index>(), any::<Index>(), 0..12i64), 0..12),
        funds_mode in any::<bool>(),
        month in 1..=12i8,
    ) -> RunInput {
        let regions: Vec<Region> = region_names.iter().enumerate()
            .map(|(i, &n)| Region { id: RegionId(i as i64 + 1), name: NAMES[n].to_owned() })
            .collect();
        let list = |picks: &[Index]| {
            let mut seen = HashSet::new();
            picks.iter().map(|ix| regions[ix.index(regions.len())].id).filter(|r| seen.insert(*r)).collect::<Vec<_>>()
        };
        let region_priority = RegionPriority { spring_summer: list(&lists.0), autumn_winter: list(&lists.1) };
        let order_lines: Vec<OrderLine> = lines.iter().enumerate().map(|(i, (f, p, open, price, day))| OrderLine {
            order_id: OrderId(1000 + i as i64 / 3),
            line_id: OrderLineId(1 + i as i64),
            franchisee: franchisees[f.index(franchisees.len())].id,
            product: products[p.index(products.len())].id,
            open_quantity: *open,
            unit_price: quarters(*price),
            order_date: Date::new(2024, 1, 1 + day).unwrap(),
        }).collect();
        let stores: Vec<Store> = stores.iter().enumerate().map(|(i, (r, t, prio))| Store {
            id: StoreId(500 + i as i64),
            name: String::new(),
            region: regions[r.index(regions.len())].id,
            operation: StoreOperation::Direct,
            tier: tier(*t),
            priority: *prio,
        }).collect();
        let mut seen = HashSet::new();
        let store_stock: Vec<StoreStock> = if stores.is_empty() { vec![] } else {
            stock.iter().map(|(s, p, safety, current)| StoreStock {
                store: stores[s.index(stores.len())].id,
                product: products[p.index(products.len())].id,
                safety_stock: *safety,
                current_stock: *current,
            }).filter(|s| seen.insert((s.store, s.product))).collect()
        };
        let mut seen = HashSet::new();
        let region_needs: Vec<RegionNeed> = needs.iter().map(|(r, p, q)| RegionNeed {
            region: regions[r.index(regions.len())].id,
            product: products[p.index(products.len())].id,
            quantity: *q,
        }).filter(|n| seen.insert((n.region, n.product))).collect();
        let mut settings = Settings::new(Date::new(2024, month, 10).unwrap());
        if funds_mode {
            settings.franchisee_ordering = FranchiseeOrdering::Funds;
        }
        RunInput {
            settings, products, supply, franchisees, order_lines, regions, region_priority,
            stores, store_stock, region_needs,
        }
    }
}

/// Deterministic Fisher–Yates shuffle of every input list whose order must
/// not matter.
fn shuffled(input: &RunInput, seed: u64) -> RunInput {
    let mut state = seed;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    fn shuffle<T>(v: &mut [T], next: &mut dyn FnMut() -> u64) {
        for i in (1..v.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
    let mut s = input.clone();
    shuffle(&mut s.products, &mut next);
    shuffle(&mut s.supply, &mut next);
    shuffle(&mut s.franchisees, &mut next);
    shuffle(&mut s.order_lines, &mut next);
    shuffle(&mut s.regions, &mut next);
    shuffle(&mut s.stores, &mut next);
    shuffle(&mut s.store_stock, &mut next);
    shuffle(&mut s.region_needs, &mut next);
    shuffle(&mut s.settings.spring_summer_months, &mut next);
    s
}

fn supply_of(input: &RunInput, p: ProductId) -> i64 {
    input
        .supply
        .iter()
        .find(|s| s.product == p)
        .map_or(0, |s| s.quantity)
}

fn franchisee_rank(r: &Rank) -> (Group, u32) {
    match *r {
        Rank::Franchisee {
            group, position, ..
        } => (group, position),
        _ => panic!("not a franchisee rank: {r:?}"),
    }
}

/// The step-5 order of a store or region claim, from its rank: seasonal
/// products region by region, non-seasonal all stores before all regions.
fn step5_key(season: ProductSeason, rank: &Rank) -> (u8, u32, u8, u32) {
    let seasonal = season != ProductSeason::None;
    match *rank {
        Rank::Store {
            region_position,
            store_position,
            ..
        } => (0, region_position, 0, store_position),
        Rank::Region {
            region_position, ..
        } => {
            if seasonal {
                (0, region_position, 1, 0)
            } else {
                (1, region_position, 0, 0)
            }
        }
        Rank::Franchisee { .. } => panic!("not a step-5 rank"),
    }
}

fn check_guarantees(input: &RunInput, r: &RunResult) -> Result<(), TestCaseError> {
    // Nothing beyond supply; the summary adds up.
    let mut given: BTreeMap<ProductId, i64> = BTreeMap::new();
    for a in &r.allocations {
        prop_assert!(a.quantity().get() > 0, "empty allocation {a:?}");
        *given.entry(a.product()).or_default() += a.quantity().get();
    }
    for p in &r.products {
        let supply = supply_of(input, p.product);
        let total = given.get(&p.product).copied().unwrap_or(0);
        prop_assert!(
            total <= supply,
            "product {}: {total} > supply {supply}",
            p.product
        );
        prop_assert_eq!(p.supply.get(), supply);
        prop_assert_eq!(
            p.franchisee_allocated.get()
                + p.franchisee_locked.get()
                + p.store_allocated.get()
                + p.region_allocated.get()
                + p.left_over.get(),
            supply
        );
    }

    // Nothing beyond a line's open quantity; allocated + unserved = open;
    // every allocated or unserved quantity has a consistent reason.
    let mut per_line: BTreeMap<OrderLineId, (i64, i64)> = BTreeMap::new();
    for a in &r.allocations {
        let reason = a.reason();
        prop_assert_eq!(reason.step, reason.rule.step());
        if let Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x) = a {
            per_line.entry(x.line_id).or_default().0 += x.quantity.get();
            prop_assert_eq!(x.amount, x.unit_price.times(x.quantity.get()));
        }
    }
    for u in &r.unserved {
        prop_assert!(u.unserved().get() > 0);
        prop_assert!(u.reason().bound != Bound::FullyServed);
        prop_assert_eq!(u.reason().step, u.reason().rule.step());
        if let Unserved::FranchiseeAllocation(x) | Unserved::FranchiseeLock(x) = u {
            per_line.entry(x.line_id).or_default().1 += x.unserved.get();
        }
    }
    for line in &input.order_lines {
        let (got, short) = per_line.get(&line.line_id).copied().unwrap_or((0, 0));
        prop_assert!(
            got <= line.open_quantity,
            "line {} over-allocated",
            line.line_id
        );
        prop_assert_eq!(
            got + short,
            line.open_quantity,
            "line {} does not add up",
            line.line_id
        );
    }

    // No funded franchisee's allocations exceed its available funds + credit.
    let mut spent: BTreeMap<CustomerId, Money> = BTreeMap::new();
    for a in &r.allocations {
        if let Allocation::FranchiseeAllocation(x) = a {
            *spent.entry(x.franchisee).or_default() += x.amount;
        }
    }
    for f in &input.franchisees {
        let s = spent.get(&f.id).copied().unwrap_or(Money::ZERO);
        let bound = (f.available_funds() + f.available_credit()).max(Money::ZERO);
        if f.is_funded() {
            prop_assert!(s <= bound, "franchisee {} spent {s} of {bound}", f.id);
        } else {
            prop_assert_eq!(s, Money::ZERO);
        }
    }

    // Priority: within the funded and within the unfunded franchisees, a
    // lower-ranked one never receives a product while a higher-ranked one was
    // left short of it with open quantity and money to pay for it.
    let money_left: BTreeMap<CustomerId, Option<Money>> = r
        .franchisees
        .iter()
        .map(|f| (f.franchisee, f.money_left))
        .collect();
    let price: BTreeMap<OrderLineId, Money> = input
        .order_lines
        .iter()
        .map(|l| (l.line_id, l.unit_price))
        .collect();
    for u in &r.unserved {
        let (Unserved::FranchiseeAllocation(x) | Unserved::FranchiseeLock(x)) = u else {
            continue;
        };
        let (group, pos) = franchisee_rank(&x.reason.rank);
        let could_pay = match money_left[&x.franchisee] {
            Some(left) => left >= price[&x.line_id],
            None => true, // unfunded: no money bound on locks
        };
        let not_for_money = x.reason.bound != Bound::MoneyExhausted;
        if could_pay {
            prop_assert!(
                not_for_money,
                "line {} short for money with money left",
                x.line_id
            );
        }
        if !(could_pay || not_for_money) {
            continue;
        }
        for a in &r.allocations {
            let (Allocation::FranchiseeAllocation(y) | Allocation::FranchiseeLock(y)) = a else {
                continue;
            };
            if y.product != x.product {
                continue;
            }
            let (g2, p2) = franchisee_rank(&y.reason.rank);
            prop_assert!(
                !(g2 == group && p2 > pos),
                "{:?} {} (position {p2}) received product {} while position {pos} was short",
                g2,
                y.franchisee,
                x.product
            );
            // Funded before unfunded (ALC-2).
            prop_assert!(!(group == Group::Funded && g2 == Group::Unfunded));
        }
        // Franchisees before stores and regions (ALC-1).
        prop_assert!(
            !r.allocations.iter().any(|a| a.product() == x.product
                && matches!(a, Allocation::Store(_) | Allocation::Region(_))),
            "a store or region received product {} while line {} was short",
            x.product,
            x.line_id
        );
    }

    // Stores and regions (ALC-6..8): a claim later in the step-5 order never
    // receives a product while an earlier one was left short of it.
    let season: BTreeMap<ProductId, ProductSeason> =
        input.products.iter().map(|p| (p.id, p.season)).collect();
    for u in &r.unserved {
        if matches!(
            u,
            Unserved::FranchiseeAllocation(_) | Unserved::FranchiseeLock(_)
        ) {
            continue;
        }
        let k = step5_key(season[&u.product()], &u.reason().rank);
        for a in &r.allocations {
            if a.product() == u.product()
                && matches!(a, Allocation::Store(_) | Allocation::Region(_))
            {
                // Equal keys: the same claim, partly served.
                prop_assert!(step5_key(season[&a.product()], &a.reason().rank) <= k);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// ALC-1..ALC-8: every guarantee on random inputs.
    #[test]
    fn alc_guarantees_hold_on_random_runs(input in input()) {
        let r = run(&input).unwrap();
        check_guarantees(&input, &r)?;
    }

    /// ALC-10: the same input gives byte-identical results, also when every
    /// input list is given in another order.
    #[test]
    fn alc_10_deterministic_and_independent_of_input_order(input in input(), seed in any::<u64>()) {
        let a = result_json(&run(&input).unwrap()).unwrap();
        let b = result_json(&run(&input).unwrap()).unwrap();
        prop_assert_eq!(&a, &b);
        let c = result_json(&run(&shuffled(&input, seed)).unwrap()).unwrap();
        prop_assert_eq!(&a, &c);
    }

    /// ALC-4: a funded franchisee's money bound is exact: after the run, no
    /// line short for money could have been paid from what is left.
    #[test]
    fn alc_4_money_bound_is_tight(input in input()) {
        let r = run(&input).unwrap();
        for u in &r.unserved {
            let Unserved::FranchiseeAllocation(x) = u else { continue };
            if x.reason.bound == Bound::MoneyExhausted {
                let f = r.franchisees.iter().find(|f| f.franchisee == x.franchisee).unwrap();
                let line = input.order_lines.iter().find(|l| l.line_id == x.line_id).unwrap();
                prop_assert!(f.money_left.unwrap() < line.unit_price);
            }
        }
    }
}
