//! Shared helpers of the allocation tests: a terse scenario builder and
//! look-ups into a result.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::Date;
use kaidan_domain::allocation::{
    Allocation, Bound, Franchisee, FranchiseeOrdering, OrderLine, Product, ProductSeason, Reason,
    Region, RegionNeed, RunInput, RunResult, Settings, Store, StoreOperation, StoreStock, Supply,
    Tier, Unserved, run,
};
use kaidan_domain::{CustomerId, Money, OrderId, OrderLineId, ProductId, RegionId, StoreId};

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn money(s: &str) -> Money {
    s.parse().unwrap()
}

/// Builds a `RunInput` step by step.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub input: RunInput,
}

impl Scenario {
    pub fn new(run_date: &str) -> Self {
        Scenario {
            input: RunInput {
                settings: Settings::new(date(run_date)),
                products: vec![],
                supply: vec![],
                franchisees: vec![],
                order_lines: vec![],
                regions: vec![],
                region_priority: Default::default(),
                stores: vec![],
                store_stock: vec![],
                region_needs: vec![],
            },
        }
    }

    pub fn ordering(mut self, mode: FranchiseeOrdering) -> Self {
        self.input.settings.franchisee_ordering = mode;
        self
    }

    pub fn lock_days(mut self, days: i64) -> Self {
        self.input.settings.lock_period_days = days;
        self
    }

    /// A product and its supply.
    pub fn product(mut self, id: i64, season: ProductSeason, launch: i64, supply: i64) -> Self {
        self.input.products.push(Product {
            id: ProductId(id),
            name: String::new(),
            season,
            launch_priority: launch,
        });
        self.input.supply.push(Supply {
            product: ProductId(id),
            quantity: supply,
        });
        self
    }

    pub fn franchisee(mut self, id: i64, rank: i64, funds: &str, credit: &str) -> Self {
        self.input.franchisees.push(Franchisee {
            id: CustomerId(id),
            name: String::new(),
            priority_rank: rank,
            region: None,
            importance: None,
            cumulative_ordered: 0,
            funds_balance: money(funds),
            credit_limit: money(credit),
            funds_committed: Money::ZERO,
            credit_committed: Money::ZERO,
        });
        self
    }

    /// A line of order `line_id` (one line per order keeps tests short).
    pub fn line(
        mut self,
        line_id: i64,
        franchisee: i64,
        product: i64,
        open: i64,
        price: &str,
        order_date: &str,
    ) -> Self {
        self.input.order_lines.push(OrderLine {
            order_id: OrderId(line_id),
            line_id: OrderLineId(line_id),
            franchisee: CustomerId(franchisee),
            product: ProductId(product),
            open_quantity: open,
            unit_price: money(price),
            order_date: date(order_date),
        });
        self
    }

    pub fn region(mut self, id: i64, name: &str) -> Self {
        self.input.regions.push(Region {
            id: RegionId(id),
            name: name.to_owned(),
        });
        self
    }

    pub fn spring_summer(mut self, ids: &[i64]) -> Self {
        self.input.region_priority.spring_summer = ids.iter().map(|&i| RegionId(i)).collect();
        self
    }

    pub fn autumn_winter(mut self, ids: &[i64]) -> Self {
        self.input.region_priority.autumn_winter = ids.iter().map(|&i| RegionId(i)).collect();
        self
    }

    pub fn store(mut self, id: i64, region: i64, tier: Tier, priority: i64) -> Self {
        self.input.stores.push(Store {
            id: StoreId(id),
            name: String::new(),
            region: RegionId(region),
            operation: StoreOperation::Direct,
            tier,
            priority,
        });
        self
    }

    pub fn stock(mut self, store: i64, product: i64, safety: i64, current: i64) -> Self {
        self.input.store_stock.push(StoreStock {
            store: StoreId(store),
            product: ProductId(product),
            safety_stock: safety,
            current_stock: current,
        });
        self
    }

    pub fn need(mut self, region: i64, product: i64, quantity: i64) -> Self {
        self.input.region_needs.push(RegionNeed {
            region: RegionId(region),
            product: ProductId(product),
            quantity,
        });
        self
    }

    pub fn run(&self) -> RunResult {
        run(&self.input).unwrap()
    }
}

/// Who a claim is for, as a short label: `line 3`, `lock 3`, `store 10`,
/// `region 2`. `Allocation` and `Unserved` have the same four kinds.
macro_rules! who {
    ($kind:ident, $claim:expr) => {
        match $claim {
            $kind::FranchiseeAllocation(x) => format!("line {}", x.line_id),
            $kind::FranchiseeLock(x) => format!("lock {}", x.line_id),
            $kind::Store(x) => format!("store {}", x.store),
            $kind::Region(x) => format!("region {}", x.region),
        }
    };
}

/// Who received an allocation.
pub fn who(a: &Allocation) -> String {
    who!(Allocation, a)
}

/// The allocations of a result as (who, product, quantity), in result order.
pub fn trail(r: &RunResult) -> Vec<(String, i64, i64)> {
    r.allocations
        .iter()
        .map(|a| (who(a), a.product().get(), a.quantity().get()))
        .collect()
}

/// The same label for an unserved claim.
pub fn who_unserved(u: &Unserved) -> String {
    who!(Unserved, u)
}

/// Unserved claims as (who, product, unserved quantity, bound).
pub fn shortfalls(r: &RunResult) -> Vec<(String, i64, i64, Bound)> {
    r.unserved
        .iter()
        .map(|u| {
            (
                who_unserved(u),
                u.product().get(),
                u.unserved().get(),
                u.reason().bound,
            )
        })
        .collect()
}

/// Total allocated (allocations and locks) to an order line.
pub fn line_total(r: &RunResult, line: i64) -> i64 {
    r.allocations
        .iter()
        .filter_map(|a| match a {
            Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x)
                if x.line_id == OrderLineId(line) =>
            {
                Some(x.quantity.get())
            }
            _ => None,
        })
        .sum()
}

/// The reason attached to the allocation of an order line.
pub fn line_reason(r: &RunResult, line: i64) -> Option<Reason> {
    r.allocations.iter().find_map(|a| match a {
        Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x)
            if x.line_id == OrderLineId(line) =>
        {
            Some(x.reason)
        }
        _ => None,
    })
}
