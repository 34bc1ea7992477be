//! Property tests: every guarantee of ALLOCATION.md ("Guarantees") checked on
//! random runs. ALC-1..ALC-10.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use jiff::civil::Date;
use kaidan_domain::allocation::{
    Allocation, Bound, Franchisee, FranchiseeOrdering, Group, OrderLine, Product, ProductSeason,
    Rank, Reason, Region, RegionNeed, RegionPriority, RunInput, RunResult, Season, Settings, Store,
    StoreOperation, StoreStock, Supply, Tier, Unserved, result_json, run,
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
            importance: None,
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
        // About one line in six is free (赠品, price 0, ADR 0013).
        lines in prop::collection::vec((any::<Index>(), any::<Index>(), 0..15i64, prop_oneof![1 => Just(0i64), 5 => 1..120i64], 0..6i8), 0..30),
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

/// Step 1 of ALLOCATION.md: funded when funds balance − funds committed > 0;
/// credit alone does not fund.
fn is_funded(f: &Franchisee) -> bool {
    f.funds_balance - f.funds_committed > Money::ZERO
}

/// The franchisee order of steps 2 and 4, derived from the input alone (not
/// from the engine's sort): (funded in order, unfunded in order).
///
/// Funded: priority rank (1 first) or, in `funds` mode, available funds
/// larger first. Unfunded: always priority rank. Ties: the earlier oldest open
/// order date (a franchisee without open lines after those with one, ADR D8),
/// then the smaller id.
fn franchisee_order(input: &RunInput) -> (Vec<CustomerId>, Vec<CustomerId>) {
    let mut oldest: BTreeMap<CustomerId, Date> = BTreeMap::new();
    for l in input.order_lines.iter().filter(|l| l.open_quantity > 0) {
        let d = oldest.entry(l.franchisee).or_insert(l.order_date);
        *d = (*d).min(l.order_date);
    }
    let tie = |a: &Franchisee, b: &Franchisee| {
        let (da, db) = (oldest.get(&a.id), oldest.get(&b.id));
        match (da, db) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then(a.id.cmp(&b.id))
    };
    let by_rank = |a: &&Franchisee, b: &&Franchisee| {
        a.priority_rank
            .cmp(&b.priority_rank)
            .then_with(|| tie(a, b))
    };
    let mut funded: Vec<&Franchisee> = input.franchisees.iter().filter(|f| is_funded(f)).collect();
    let mut unfunded: Vec<&Franchisee> =
        input.franchisees.iter().filter(|f| !is_funded(f)).collect();
    match input.settings.franchisee_ordering {
        FranchiseeOrdering::Priority => funded.sort_by(by_rank),
        FranchiseeOrdering::Funds => funded.sort_by(|a, b| {
            let avail = |f: &Franchisee| f.funds_balance - f.funds_committed;
            avail(b).cmp(&avail(a)).then_with(|| tie(a, b))
        }),
    }
    unfunded.sort_by(by_rank);
    let ids = |v: Vec<&Franchisee>| v.into_iter().map(|f| f.id).collect();
    (ids(funded), ids(unfunded))
}

/// Step 5's region order for one season list, from the input: the list, then
/// regions not on it by name, then id (ADR D8).
fn region_order(input: &RunInput, season: Season) -> Vec<RegionId> {
    let list = input.region_priority.list(season);
    let mut rest: Vec<&Region> = input
        .regions
        .iter()
        .filter(|r| !list.contains(&r.id))
        .collect();
    rest.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    list.iter()
        .copied()
        .chain(rest.iter().map(|r| r.id))
        .collect()
}

/// Step 5's store order inside one region: tier A, then B, then C; then
/// store priority; then store id.
fn stores_in_order(input: &RunInput, region: RegionId) -> Vec<StoreId> {
    let tier = |t: Tier| match t {
        Tier::A => 0,
        Tier::B => 1,
        Tier::C => 2,
    };
    let mut stores: Vec<&Store> = input.stores.iter().filter(|s| s.region == region).collect();
    stores.sort_by_key(|s| (tier(s.tier), s.priority, s.id));
    stores.into_iter().map(|s| s.id).collect()
}

/// A step-5 claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Claim {
    Store(StoreId),
    Region(RegionId),
}

/// The step-5 claims on one product in the order ALLOCATION.md serves them,
/// with their need: seasonal products region by region (the region's stores,
/// then its replenishment need), non-seasonal ones all store needs (regions in
/// list order) before all replenishment needs.
fn step5_claims(input: &RunInput, product: &Product) -> Vec<(Claim, i64)> {
    let s = &input.settings;
    let default = if s.spring_summer_months.contains(&s.run_date.month()) {
        Season::SpringSummer
    } else {
        Season::AutumnWinter
    };
    let season = match product.season {
        ProductSeason::SpringSummer => Season::SpringSummer,
        ProductSeason::AutumnWinter => Season::AutumnWinter,
        ProductSeason::None => default,
    };
    let store_need = |store: StoreId| {
        input
            .store_stock
            .iter()
            .find(|x| x.store == store && x.product == product.id)
            .map_or(0, |x| (x.safety_stock - x.current_stock).max(0))
    };
    let region_need = |region: RegionId| {
        input
            .region_needs
            .iter()
            .find(|x| x.region == region && x.product == product.id)
            .map_or(0, |x| x.quantity)
    };
    let regions = region_order(input, season);
    let stores = |r: RegionId| {
        stores_in_order(input, r)
            .into_iter()
            .map(|st| (Claim::Store(st), store_need(st)))
    };
    let mut claims = Vec::new();
    if product.season == ProductSeason::None {
        claims.extend(regions.iter().flat_map(|&r| stores(r)));
        claims.extend(regions.iter().map(|&r| (Claim::Region(r), region_need(r))));
    } else {
        for &r in &regions {
            claims.extend(stores(r));
            claims.push((Claim::Region(r), region_need(r)));
        }
    }
    claims
}

/// ALLOCATION.md "Priority is respected", checked against an order derived
/// from the input (steps 1, 2, 4, 5), never against the positions the engine
/// reports.
fn check_priority(input: &RunInput, r: &RunResult) -> Result<(), TestCaseError> {
    let (funded, unfunded) = franchisee_order(input);
    let mut given: BTreeMap<ProductId, i64> = BTreeMap::new();
    let mut line_got: BTreeMap<OrderLineId, i64> = BTreeMap::new();
    let mut spent: BTreeMap<CustomerId, Money> = BTreeMap::new();
    let mut received: BTreeSet<(CustomerId, ProductId)> = BTreeSet::new();
    let mut step5_got: BTreeMap<(ProductId, Claim), i64> = BTreeMap::new();
    for a in &r.allocations {
        *given.entry(a.product()).or_default() += a.quantity().get();
        match a {
            Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x) => {
                *line_got.entry(x.line_id).or_default() += x.quantity.get();
                received.insert((x.franchisee, x.product));
                if matches!(a, Allocation::FranchiseeAllocation(_)) {
                    *spent.entry(x.franchisee).or_default() += x.unit_price.times(x.quantity.get());
                }
            }
            Allocation::Store(x) => {
                *step5_got
                    .entry((x.product, Claim::Store(x.store)))
                    .or_default() += x.quantity.get();
            }
            Allocation::Region(x) => {
                *step5_got
                    .entry((x.product, Claim::Region(x.region)))
                    .or_default() += x.quantity.get();
            }
        }
    }
    let left_over = |p: ProductId| supply_of(input, p) - given.get(&p).copied().unwrap_or(0);
    // Money a funded franchisee has left after the run: max(0, available funds
    // + available credit) − what its allocations cost. Its lines are served
    // together, so this is also what it had left when anyone after it was
    // served.
    let money_left = |f: &Franchisee| {
        (f.available_funds() + f.available_credit()).max(Money::ZERO)
            - spent.get(&f.id).copied().unwrap_or(Money::ZERO)
    };

    // (franchisee, product) pairs left short with open quantity and, for a
    // funded franchisee, money for at least one more unit of that line.
    let mut short: BTreeSet<(CustomerId, ProductId)> = BTreeSet::new();
    for line in &input.order_lines {
        let got = line_got.get(&line.line_id).copied().unwrap_or(0);
        let f = input
            .franchisees
            .iter()
            .find(|f| f.id == line.franchisee)
            .unwrap();
        let could_pay = !is_funded(f) || money_left(f) >= line.unit_price;
        if got < line.open_quantity && could_pay {
            short.insert((f.id, line.product));
        }
    }

    for &(f, p) in &short {
        // Left short for no reason of money: the product must have run out.
        prop_assert_eq!(
            left_over(p),
            0,
            "franchisee {} was left short of product {} with supply left",
            f,
            p
        );
        let (group, later_group) = if funded.contains(&f) {
            (&funded, Some(&unfunded))
        } else {
            (&unfunded, None)
        };
        let pos = group.iter().position(|&g| g == f).unwrap();
        // ALC-3, ALC-5: no franchisee after it in its group received the product.
        for (i, &g) in group.iter().enumerate().skip(pos + 1) {
            prop_assert!(
                !received.contains(&(g, p)),
                "franchisee {} (position {} by the input) received product {} while \
                 franchisee {} (position {}) was left short of it",
                g,
                i + 1,
                p,
                f,
                pos + 1
            );
        }
        // ALC-2: funded before unfunded.
        for &g in later_group.into_iter().flatten() {
            prop_assert!(
                !received.contains(&(g, p)),
                "unfunded {} received product {} while funded {} was short",
                g,
                p,
                f
            );
        }
        // ALC-1: franchisees before stores and regions.
        prop_assert!(
            !step5_got.keys().any(|&(q, _)| q == p),
            "a store or region received product {} while franchisee {} was short",
            p,
            f
        );
    }

    // ALC-6..8: a claim later in the step-5 order never receives a product
    // while an earlier claim's need for it was left unmet.
    for product in &input.products {
        let mut first_short: Option<Claim> = None;
        let claims = step5_claims(input, product);
        let known: BTreeSet<Claim> = claims.iter().map(|&(c, _)| c).collect();
        for (claim, need) in claims {
            let got = step5_got.get(&(product.id, claim)).copied().unwrap_or(0);
            prop_assert!(
                got <= need,
                "{:?} got {} of product {} for a need of {}",
                claim,
                got,
                product.id,
                need
            );
            if let Some(earlier) = first_short {
                prop_assert!(
                    got == 0,
                    "{:?} received product {} while {:?} before it was left short",
                    claim,
                    product.id,
                    earlier
                );
            }
            if got < need {
                first_short.get_or_insert(claim);
            }
        }
        if let Some(claim) = first_short {
            prop_assert_eq!(
                left_over(product.id),
                0,
                "{:?} was left short of product {} with supply left",
                claim,
                product.id
            );
        }
        for &(q, c) in step5_got.keys() {
            prop_assert!(q != product.id || known.contains(&c), "{:?} is no claim", c);
        }
    }
    Ok(())
}

/// The ranks the engine reports are the ones the input gives (ALC-10: every
/// quantity carries the rank used).
fn check_reported_ranks(input: &RunInput, r: &RunResult) -> Result<(), TestCaseError> {
    let (funded, unfunded) = franchisee_order(input);
    let expected: Vec<(CustomerId, Group, u32)> = funded
        .iter()
        .enumerate()
        .map(|(i, &f)| (f, Group::Funded, i as u32 + 1))
        .chain(
            unfunded
                .iter()
                .enumerate()
                .map(|(i, &f)| (f, Group::Unfunded, i as u32 + 1)),
        )
        .collect();
    let reported: Vec<(CustomerId, Group, u32)> = r
        .franchisees
        .iter()
        .map(|f| (f.franchisee, f.group, f.position))
        .collect();
    prop_assert_eq!(&reported, &expected);
    let rank_of: BTreeMap<CustomerId, (Group, u32)> =
        expected.iter().map(|&(f, g, p)| (f, (g, p))).collect();
    let lines: Vec<(CustomerId, &Reason)> = r
        .allocations
        .iter()
        .filter_map(|a| match a {
            Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x) => {
                Some((x.franchisee, &x.reason))
            }
            _ => None,
        })
        .chain(r.unserved.iter().filter_map(|u| match u {
            Unserved::FranchiseeAllocation(x) | Unserved::FranchiseeLock(x) => {
                Some((x.franchisee, &x.reason))
            }
            _ => None,
        }))
        .collect();
    for (f, reason) in lines {
        let Rank::Franchisee {
            group, position, ..
        } = reason.rank
        else {
            return Err(TestCaseError::fail(format!(
                "not a franchisee rank: {reason:?}"
            )));
        };
        prop_assert_eq!((group, position), rank_of[&f]);
    }
    Ok(())
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

    check_priority(input, r)
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

    /// ALC-3, ALC-5..7, ALC-10: the order and positions the engine reports
    /// (franchisee summaries, ranks in reasons) are the ones derived from the
    /// input.
    #[test]
    fn alc_10_reported_franchisee_ranks_follow_the_input(input in input()) {
        let r = run(&input).unwrap();
        check_reported_ranks(&input, &r)?;
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
