//! Input validation. Every problem is collected (not just the first), and each
//! names the item it is about: `order line 17: unknown product 99`.

use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use super::input::{RunInput, Season};
use crate::{CustomerId, Money, OrderLineId, ProductId, RegionId, StoreId};

/// Longest lock period accepted, in days (ten years).
pub const MAX_LOCK_PERIOD_DAYS: i64 = 3650;

/// How many problems `InputError`'s message lists before summarising.
const PROBLEMS_SHOWN: usize = 50;

/// The input of an allocation run is not acceptable. Holds every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        let s = if n == 1 { "" } else { "s" };
        write!(f, "the allocation input has {n} problem{s}:")?;
        write_problems(f, &self.problems)
    }
}

/// The first [`PROBLEMS_SHOWN`] problems, one a line, and how many more:
/// the tail of every refusal of an allocation input or scenario.
pub(crate) fn write_problems<P: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    problems: &[P],
) -> fmt::Result {
    for p in problems.iter().take(PROBLEMS_SHOWN) {
        write!(f, "\n  - {p}")?;
    }
    if problems.len() > PROBLEMS_SHOWN {
        write!(f, "\n  ... and {} more", problems.len() - PROBLEMS_SHOWN)?;
    }
    Ok(())
}

/// One problem: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {issue}")]
pub struct Problem {
    pub at: Location,
    pub issue: Issue,
}

/// The item a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    Settings,
    RegionList(Season),
    Product(ProductId),
    Supply(ProductId),
    Franchisee(CustomerId),
    OrderLine(OrderLineId),
    Region(RegionId),
    Store(StoreId),
    StoreStock {
        store: StoreId,
        product: ProductId,
    },
    RegionNeed {
        region: RegionId,
        product: ProductId,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Settings => write!(f, "settings"),
            Location::RegionList(Season::SpringSummer) => {
                write!(f, "region priority list spring_summer")
            }
            Location::RegionList(Season::AutumnWinter) => {
                write!(f, "region priority list autumn_winter")
            }
            Location::Product(p) => write!(f, "product {p}"),
            Location::Supply(p) => write!(f, "supply of product {p}"),
            Location::Franchisee(c) => write!(f, "franchisee {c}"),
            Location::OrderLine(l) => write!(f, "order line {l}"),
            Location::Region(r) => write!(f, "region {r}"),
            Location::Store(s) => write!(f, "store {s}"),
            Location::StoreStock { store, product } => {
                write!(f, "stock of product {product} at store {store}")
            }
            Location::RegionNeed { region, product } => {
                write!(
                    f,
                    "replenishment need of product {product} in region {region}"
                )
            }
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Issue {
    #[error("appears more than once")]
    Duplicate,
    #[error("unknown product {0}")]
    UnknownProduct(ProductId),
    #[error("unknown franchisee {0}")]
    UnknownFranchisee(CustomerId),
    #[error("unknown region {0}")]
    UnknownRegion(RegionId),
    #[error("unknown store {0}")]
    UnknownStore(StoreId),
    #[error("{field} must not be negative, got {value}")]
    NegativeQuantity { field: &'static str, value: i64 },
    #[error("{field} must not be negative, got {value}")]
    NegativeMoney { field: &'static str, value: Money },
    #[error("{field} must be 1 or more (1 = first), got {value}")]
    RankNotPositive { field: &'static str, value: i64 },
    #[error("lock period must be 1 to {MAX_LOCK_PERIOD_DAYS} days, got {0}")]
    LockPeriod(i64),
    #[error("run date plus lock period is not a valid date")]
    LockExpiryOutOfRange,
    #[error("month {0} in spring_summer_months is not 1 to 12")]
    BadMonth(i8),
    #[error("month {0} appears more than once in spring_summer_months")]
    DuplicateMonth(i8),
    #[error("region {0} is listed more than once")]
    RegionListedTwice(RegionId),
    #[error("{0} is out of range")]
    OutOfRange(&'static str),
}

/// A fast hasher for integer ids (the Fx multiply-rotate scheme). Hash maps
/// are only used for look-ups: nothing in the result depends on their order.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
}

pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IdHasher>>;
type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<IdHasher>>;

/// A money amount in 1/10,000 yuan. Exact: `Money` never has more than four
/// decimal places. Cheaper than `Money::units` on the hot path.
pub(crate) fn units(m: Money) -> i128 {
    let d = m.decimal();
    match 4u32.checked_sub(d.scale()) {
        Some(shift) => d.mantissa() * 10i128.pow(shift),
        None => i128::from(m.units()),
    }
}

/// Lookup tables built while validating, and every reference resolved to an
/// index into its input list, so the engine never looks anything up.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub product: HashMap<ProductId, usize>,
    pub franchisee: HashMap<CustomerId, usize>,
    pub region: HashMap<RegionId, usize>,
    pub store: HashMap<StoreId, usize>,
    pub supply_product: Vec<usize>,
    pub line_franchisee: Vec<usize>,
    pub line_product: Vec<usize>,
    /// Unit price of each line in 1/10,000 yuan.
    pub line_price: Vec<i128>,
    pub store_region: Vec<usize>,
    pub stock_store: Vec<usize>,
    pub stock_product: Vec<usize>,
    pub need_region: Vec<usize>,
    pub need_product: Vec<usize>,
}

/// Resolves a reference, or records that it is unknown.
fn resolve<K: std::hash::Hash + Eq + Copy>(
    problems: &mut Problems,
    map: &HashMap<K, usize>,
    key: K,
    at: Location,
    unknown: fn(K) -> Issue,
) -> usize {
    match map.get(&key) {
        Some(&i) => i,
        None => {
            problems.push(at, unknown(key));
            usize::MAX
        }
    }
}

struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, at: Location, issue: Issue) {
        self.0.push(Problem { at, issue });
    }

    fn quantity(&mut self, at: Location, field: &'static str, value: i64) {
        if value < 0 {
            self.push(at, Issue::NegativeQuantity { field, value });
        }
    }

    fn money(&mut self, at: Location, field: &'static str, value: Money) {
        if value.is_negative() {
            self.push(at, Issue::NegativeMoney { field, value });
        }
    }

    fn rank(&mut self, at: Location, field: &'static str, value: i64) {
        if value < 1 {
            self.push(at, Issue::RankNotPositive { field, value });
        }
    }
}

fn index_of<K: std::hash::Hash + Eq + Copy>(
    problems: &mut Problems,
    map: &mut HashMap<K, usize>,
    key: K,
    at: usize,
    location: Location,
) {
    match map.entry(key) {
        Entry::Occupied(_) => problems.push(location, Issue::Duplicate),
        Entry::Vacant(v) => {
            v.insert(at);
        }
    }
}

/// Checks the whole input; returns the lookup tables or every problem found.
pub(crate) fn validate(input: &RunInput) -> Result<Index, InputError> {
    let mut p = Problems(Vec::new());
    let mut ix = Index::default();

    // Settings.
    let s = &input.settings;
    if !(1..=MAX_LOCK_PERIOD_DAYS).contains(&s.lock_period_days) {
        p.push(Location::Settings, Issue::LockPeriod(s.lock_period_days));
    } else if super::engine::lock_expiry(s).is_none() {
        p.push(Location::Settings, Issue::LockExpiryOutOfRange);
    }
    let mut months_seen = [false; 13];
    for &m in &s.spring_summer_months {
        match usize::try_from(m) {
            Ok(i @ 1..=12) => {
                if months_seen[i] {
                    p.push(Location::Settings, Issue::DuplicateMonth(m));
                }
                months_seen[i] = true;
            }
            _ => p.push(Location::Settings, Issue::BadMonth(m)),
        }
    }

    // Products and supply.
    ix.product.reserve(input.products.len());
    for (i, prod) in input.products.iter().enumerate() {
        let at = Location::Product(prod.id);
        index_of(&mut p, &mut ix.product, prod.id, i, at);
        p.rank(at, "launch priority", prod.launch_priority);
    }
    let mut supply_seen: HashSet<ProductId> = HashSet::default();
    for sup in &input.supply {
        let at = Location::Supply(sup.product);
        if !supply_seen.insert(sup.product) {
            p.push(at, Issue::Duplicate);
        }
        let prod = resolve(&mut p, &ix.product, sup.product, at, Issue::UnknownProduct);
        ix.supply_product.push(prod);
        p.quantity(at, "quantity", sup.quantity);
    }

    // Regions come before anything that refers to them.
    ix.region.reserve(input.regions.len());
    for (i, r) in input.regions.iter().enumerate() {
        index_of(&mut p, &mut ix.region, r.id, i, Location::Region(r.id));
    }
    for season in [Season::SpringSummer, Season::AutumnWinter] {
        let at = Location::RegionList(season);
        let mut listed: HashSet<RegionId> = HashSet::default();
        for &r in input.region_priority.list(season) {
            if !ix.region.contains_key(&r) {
                p.push(at, Issue::UnknownRegion(r));
            }
            if !listed.insert(r) {
                p.push(at, Issue::RegionListedTwice(r));
            }
        }
    }

    // Franchisees and their lines.
    ix.franchisee.reserve(input.franchisees.len());
    for (i, fr) in input.franchisees.iter().enumerate() {
        let at = Location::Franchisee(fr.id);
        index_of(&mut p, &mut ix.franchisee, fr.id, i, at);
        p.rank(at, "priority rank", fr.priority_rank);
        if let Some(r) = fr.region.filter(|r| !ix.region.contains_key(r)) {
            p.push(at, Issue::UnknownRegion(r));
        }
        p.quantity(at, "cumulative ordered quantity", fr.cumulative_ordered);
        p.money(at, "funds balance", fr.funds_balance);
        p.money(at, "credit limit", fr.credit_limit);
        p.money(at, "funds committed", fr.funds_committed);
        p.money(at, "credit committed", fr.credit_committed);
        let total = units(fr.funds_balance) + units(fr.credit_limit);
        if i64::try_from(total).is_err() {
            p.push(at, Issue::OutOfRange("funds balance plus credit limit"));
        }
    }
    let mut lines_seen: HashSet<OrderLineId> =
        HashSet::with_capacity_and_hasher(input.order_lines.len(), Default::default());
    let mut open_value: Vec<i128> = vec![0; input.franchisees.len()];
    for line in &input.order_lines {
        let at = Location::OrderLine(line.line_id);
        if !lines_seen.insert(line.line_id) {
            p.push(at, Issue::Duplicate);
        }
        let f = resolve(
            &mut p,
            &ix.franchisee,
            line.franchisee,
            at,
            Issue::UnknownFranchisee,
        );
        let prod = resolve(&mut p, &ix.product, line.product, at, Issue::UnknownProduct);
        ix.line_franchisee.push(f);
        ix.line_product.push(prod);
        let price = units(line.unit_price);
        ix.line_price.push(price);
        p.quantity(at, "open quantity", line.open_quantity);
        // A price of 0 is a free line (赠品) and valid (ADR 0013); only a
        // negative price is refused.
        p.money(at, "unit price", line.unit_price);
        let value = price * i128::from(line.open_quantity.max(0));
        if i64::try_from(value).is_err() {
            p.push(at, Issue::OutOfRange("open quantity × unit price"));
        } else if let Some(total) = open_value.get_mut(f) {
            *total = total.saturating_add(value);
        }
    }
    for (fr, value) in input.franchisees.iter().zip(&open_value) {
        if i64::try_from(*value).is_err() {
            p.push(
                Location::Franchisee(fr.id),
                Issue::OutOfRange("total value of open order lines"),
            );
        }
    }

    // Stores, their stock, regional needs.
    ix.store.reserve(input.stores.len());
    for (i, st) in input.stores.iter().enumerate() {
        let at = Location::Store(st.id);
        index_of(&mut p, &mut ix.store, st.id, i, at);
        let r = resolve(&mut p, &ix.region, st.region, at, Issue::UnknownRegion);
        ix.store_region.push(r);
        p.rank(at, "store priority", st.priority);
    }
    let mut stock_seen: HashSet<(StoreId, ProductId)> =
        HashSet::with_capacity_and_hasher(input.store_stock.len(), Default::default());
    for ss in &input.store_stock {
        let at = Location::StoreStock {
            store: ss.store,
            product: ss.product,
        };
        if !stock_seen.insert((ss.store, ss.product)) {
            p.push(at, Issue::Duplicate);
        }
        let st = resolve(&mut p, &ix.store, ss.store, at, Issue::UnknownStore);
        let prod = resolve(&mut p, &ix.product, ss.product, at, Issue::UnknownProduct);
        ix.stock_store.push(st);
        ix.stock_product.push(prod);
        p.quantity(at, "safety stock", ss.safety_stock);
        p.quantity(at, "current stock", ss.current_stock);
    }
    let mut need_seen: HashSet<(RegionId, ProductId)> =
        HashSet::with_capacity_and_hasher(input.region_needs.len(), Default::default());
    for rn in &input.region_needs {
        let at = Location::RegionNeed {
            region: rn.region,
            product: rn.product,
        };
        if !need_seen.insert((rn.region, rn.product)) {
            p.push(at, Issue::Duplicate);
        }
        let r = resolve(&mut p, &ix.region, rn.region, at, Issue::UnknownRegion);
        let prod = resolve(&mut p, &ix.product, rn.product, at, Issue::UnknownProduct);
        ix.need_region.push(r);
        ix.need_product.push(prod);
        p.quantity(at, "quantity", rn.quantity);
    }

    if p.0.is_empty() {
        Ok(ix)
    } else {
        Err(InputError { problems: p.0 })
    }
}
