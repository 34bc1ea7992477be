//! The inputs of one allocation run, as the engine receives them and as a
//! scenario file (`kaidan allocate --scenario FILE.json`) spells them.
//!
//! Quantities are plain `i64` here, not [`crate::Quantity`], on purpose: a
//! negative quantity in a scenario file must reach validation, which names the
//! offending item, instead of failing inside the JSON parser.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::master::Importance;
use crate::{CustomerId, Money, OrderId, OrderLineId, ProductId, RegionId, StoreId};

/// Everything one allocation run needs. Self-contained: the engine looks at
/// nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    pub settings: Settings,
    pub products: Vec<Product>,
    /// Quantity available to allocate per product (arrived stock plus stock
    /// released from expired locks, minus what is already reserved). A product
    /// without an entry has no supply.
    #[serde(default)]
    pub supply: Vec<Supply>,
    #[serde(default)]
    pub franchisees: Vec<Franchisee>,
    /// Open franchisee order lines.
    #[serde(default)]
    pub order_lines: Vec<OrderLine>,
    #[serde(default)]
    pub regions: Vec<Region>,
    /// Region priority lists per season (ALC-6). Data, not code.
    #[serde(default)]
    pub region_priority: RegionPriority,
    #[serde(default)]
    pub stores: Vec<Store>,
    /// Safety stock and current stock per store and product.
    #[serde(default)]
    pub store_stock: Vec<StoreStock>,
    /// Regional replenishment need (备货) per region and product.
    #[serde(default)]
    pub region_needs: Vec<RegionNeed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The civil date of the run, in `time_zone`.
    pub run_date: Date,
    /// The time zone `run_date` is read in. Recorded in the result; the
    /// engine itself only uses civil dates.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// How funded franchisees are ordered (ALC-3).
    #[serde(default)]
    pub franchisee_ordering: FranchiseeOrdering,
    /// Days a lock for an unfunded franchisee lasts (ALC-5). Default 15.
    #[serde(default = "default_lock_period_days")]
    pub lock_period_days: i64,
    /// Months (1–12) that belong to the spring/summer season; every other
    /// month is autumn/winter. Decides the default region list used for
    /// non-seasonal products. Default: March to August.
    #[serde(default = "default_spring_summer_months")]
    pub spring_summer_months: Vec<i8>,
}

pub const DEFAULT_LOCK_PERIOD_DAYS: i64 = 15;
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const DEFAULT_SPRING_SUMMER_MONTHS: [i8; 6] = [3, 4, 5, 6, 7, 8];

fn default_time_zone() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

fn default_lock_period_days() -> i64 {
    DEFAULT_LOCK_PERIOD_DAYS
}

fn default_spring_summer_months() -> Vec<i8> {
    DEFAULT_SPRING_SUMMER_MONTHS.to_vec()
}

impl Settings {
    /// Settings with every default, for the given run date.
    pub fn new(run_date: Date) -> Self {
        Settings {
            run_date,
            time_zone: default_time_zone(),
            franchisee_ordering: FranchiseeOrdering::default(),
            lock_period_days: DEFAULT_LOCK_PERIOD_DAYS,
            spring_summer_months: default_spring_summer_months(),
        }
    }

    /// The season a date falls in, by `spring_summer_months`.
    pub fn season_of(&self, date: Date) -> Season {
        if self.spring_summer_months.contains(&date.month()) {
            Season::SpringSummer
        } else {
            Season::AutumnWinter
        }
    }
}

/// ALC-3: funded franchisees by their predefined priority rank, or by
/// available funds (larger first).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FranchiseeOrdering {
    #[default]
    Priority,
    Funds,
}

/// One of the two selling seasons; each has its own region list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Season {
    SpringSummer,
    AutumnWinter,
}

/// The season of a product; `none` for non-seasonal products.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProductSeason {
    SpringSummer,
    AutumnWinter,
    #[default]
    None,
}

impl ProductSeason {
    pub fn season(self) -> Option<Season> {
        match self {
            ProductSeason::SpringSummer => Some(Season::SpringSummer),
            ProductSeason::AutumnWinter => Some(Season::AutumnWinter),
            ProductSeason::None => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: ProductId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub season: ProductSeason,
    /// Launch-plan priority, 1 = first (ALC-4).
    pub launch_priority: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supply {
    pub product: ProductId,
    pub quantity: i64,
}

/// A franchisee (加盟商) is a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Franchisee {
    pub id: CustomerId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Predefined priority, 1 = first. Channel business derives it from
    /// region, importance and cumulative ordered quantity (ALC-3); the
    /// region is carried for the record, importance and then cumulative
    /// ordered quantity break ties between equal ranks (ADR 0017).
    pub priority_rank: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionId>,
    /// The customer's importance; none (left out): not graded, after the
    /// graded ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    /// Units the franchisee ordered over the configured period before the
    /// run (`cumulative_period_days`); more comes first among equals.
    #[serde(default)]
    pub cumulative_ordered: i64,
    /// Funds balance (资金) as last reported by finance.
    pub funds_balance: Money,
    /// Credit limit (信用额度).
    #[serde(default)]
    pub credit_limit: Money,
    /// Funds already committed to earlier, unshipped allocations.
    #[serde(default)]
    pub funds_committed: Money,
    /// Credit already committed to earlier, unshipped allocations.
    #[serde(default)]
    pub credit_committed: Money,
}

impl Franchisee {
    /// Funds balance minus funds committed; may be negative.
    pub fn available_funds(&self) -> Money {
        self.funds_balance - self.funds_committed
    }

    /// Credit limit minus credit committed; negative when the limit was
    /// lowered below what is already committed.
    pub fn available_credit(&self) -> Money {
        self.credit_limit - self.credit_committed
    }

    /// ALC-2: funded when available funds are greater than zero. Credit alone
    /// does not make a franchisee funded.
    pub fn is_funded(&self) -> bool {
        self.available_funds().is_positive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub order_id: OrderId,
    pub line_id: OrderLineId,
    pub franchisee: CustomerId,
    pub product: ProductId,
    /// Ordered − allocated − shipped. Lines with zero are ignored.
    pub open_quantity: i64,
    pub unit_price: Money,
    pub order_date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: RegionId,
    /// Regions missing from a season list are ordered by name after it.
    pub name: String,
}

/// Region priority lists (ALC-6), highest priority first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPriority {
    #[serde(default)]
    pub spring_summer: Vec<RegionId>,
    #[serde(default)]
    pub autumn_winter: Vec<RegionId>,
}

impl RegionPriority {
    pub fn list(&self, season: Season) -> &[RegionId] {
        match season {
            Season::SpringSummer => &self.spring_summer,
            Season::AutumnWinter => &self.autumn_winter,
        }
    }
}

/// Store tier (ALC-7): A before B before C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    A,
    B,
    C,
}

/// Direct-operated (直营) or affiliated (联营). Both are allocated alike.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StoreOperation {
    #[default]
    Direct,
    Affiliated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Store {
    pub id: StoreId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub region: RegionId,
    #[serde(default)]
    pub operation: StoreOperation,
    pub tier: Tier,
    /// Priority within its tier, 1 = first.
    pub priority: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreStock {
    pub store: StoreId,
    pub product: ProductId,
    pub safety_stock: i64,
    pub current_stock: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionNeed {
    pub region: RegionId,
    pub product: ProductId,
    pub quantity: i64,
}
