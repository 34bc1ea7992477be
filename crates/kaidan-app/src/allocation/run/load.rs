//! The run's inputs read from the database in a few bulk queries (ALC-1..9):
//! supply, franchisees' waiting lines with their funds, store positions,
//! region plans, priority lists and calendars.

use kaidan_domain::allocation::{
    Franchisee, LockStatus, OrderLine, Product, Region, RegionNeed, RegionPriority, RunInput,
    Store, StoreOperation, StoreStock, Supply, Tier,
};
use kaidan_domain::master::Season as MasterSeason;
use kaidan_domain::orders::{AccountBalance, AccountEntry, company_time_zone};
use kaidan_domain::{CustomerId, Money, ProductId, StoreId, ValidationErrors};
use std::collections::BTreeMap;

use crate::app::App;
use crate::error::AppResult;
use crate::ports::Tx;

use super::*;

impl App {
    /// Reads everything one run needs, in a handful of queries.
    pub(super) async fn allocation_inputs(&self, tx: &mut Box<dyn Tx>) -> AppResult<Loaded> {
        let tz = company_time_zone();
        let settings = self.config.allocation.settings(self.today());
        let warehouse = self.central_warehouse(tx).await?.ok_or_else(|| {
            ValidationErrors::single(
                "warehouse",
                "missing",
                "no central warehouse to allocate from",
            )
        })?;
        let products: Vec<Product> = tx
            .alloc_products()
            .await?
            .into_iter()
            .map(|p| Product {
                id: p.id,
                name: p.name,
                season: season(&p.season),
                launch_priority: p.launch_priority,
            })
            .collect();
        let known: std::collections::HashSet<ProductId> = products.iter().map(|p| p.id).collect();
        let supply: Vec<Supply> = tx
            .alloc_supply(warehouse)
            .await?
            .into_iter()
            .filter(|(p, _)| known.contains(p))
            .map(|(product, quantity)| Supply { product, quantity })
            .collect();
        let open = tx.alloc_open_lines().await?;
        let mut open_value: BTreeMap<CustomerId, Money> = BTreeMap::new();
        for l in &open {
            *open_value.entry(l.customer_id).or_insert(Money::ZERO) +=
                l.unit_price.times(l.backordered);
        }
        let mut entries: BTreeMap<CustomerId, Vec<AccountEntry>> = BTreeMap::new();
        for (c, e) in tx.alloc_franchisee_entries().await? {
            entries.entry(c).or_default().push(e);
        }
        let active_locks = tx.locks(Some(LockStatus::Active)).await?;
        // ALC-3: units ordered over the configured period before the run.
        let since = self.config.allocation.cumulative_since(self.now())?;
        let cumulative: BTreeMap<CustomerId, i64> = tx
            .alloc_cumulative_ordered(since)
            .await?
            .into_iter()
            .collect();
        let mut franchisees = Vec::new();
        let mut funded = std::collections::HashSet::new();
        for f in tx.alloc_franchisees().await? {
            let balance = AccountBalance::from_entries(
                entries.get(&f.id).map(|v| v.iter()).into_iter().flatten(),
            );
            // The ledger's limit once finance set one, else the master's.
            let limit = if entries.get(&f.id).is_some_and(|v| {
                v.iter()
                    .any(|e| e.kind == kaidan_domain::orders::EntryKind::CreditLimit)
            }) {
                balance.credit_limit
            } else {
                f.credit_limit
            };
            let (funds_committed, credit_committed) =
                balance.committed_besides(open_value.get(&f.id).copied().unwrap_or(Money::ZERO));
            let franchisee = Franchisee {
                id: f.id,
                name: f.name,
                priority_rank: f.priority,
                region: f.region_id,
                importance: f.importance,
                cumulative_ordered: cumulative.get(&f.id).copied().unwrap_or(0),
                funds_balance: balance.funds,
                credit_limit: limit,
                funds_committed,
                credit_committed,
            };
            if franchisee.is_funded() {
                funded.insert(f.id);
            }
            franchisees.push(franchisee);
        }
        // ALC-5: a lock converts when its franchisee has paid within the
        // lock period; one past its last day is the expiry job's to release
        // (ADR 0014), whatever was paid since.
        let today = self.today();
        let paid_locks = active_locks
            .into_iter()
            .filter(|l| funded.contains(&l.customer_id) && l.expires_on >= today)
            .collect();
        let active: std::collections::HashSet<CustomerId> =
            franchisees.iter().map(|f| f.id).collect();
        let mut order_lines = Vec::with_capacity(open.len());
        // Lines come per order, and an order's lines share its time: the
        // time-zone conversion is made once per order, not per line.
        let mut last_date: Option<(jiff::Timestamp, jiff::civil::Date)> = None;
        for l in open {
            if !known.contains(&l.product_id) || !active.contains(&l.customer_id) {
                continue;
            }
            let order_date = match last_date {
                Some((at, date)) if at == l.received_at => date,
                _ => {
                    let date = l.received_at.to_zoned(tz.clone()).date();
                    last_date = Some((l.received_at, date));
                    date
                }
            };
            let key = line_key(l.order_id, l.line_no);
            order_lines.push(OrderLine {
                order_id: l.order_id,
                line_id: key,
                franchisee: l.customer_id,
                product: l.product_id,
                open_quantity: l.backordered,
                unit_price: l.unit_price,
                order_date,
            });
        }
        let regions: Vec<Region> = tx
            .alloc_regions()
            .await?
            .into_iter()
            .map(|(id, name)| Region { id, name })
            .collect();
        let region_priority = RegionPriority {
            spring_summer: tx.region_priorities(MasterSeason::SpringSummer).await?,
            autumn_winter: tx.region_priorities(MasterSeason::AutumnWinter).await?,
        };
        let stores: Vec<Store> = tx
            .alloc_stores()
            .await?
            .into_iter()
            .map(|s| Store {
                id: StoreId(s.id),
                name: s.name,
                region: s.region_id,
                operation: if s.ownership == "affiliated" {
                    StoreOperation::Affiliated
                } else {
                    StoreOperation::Direct
                },
                tier: match s.tier.as_str() {
                    "A" => Tier::A,
                    "B" => Tier::B,
                    _ => Tier::C,
                },
                priority: s.priority,
            })
            .collect();
        // A store's current stock is its position: what its own stock holds
        // plus what transfers are bringing, so goods already sent are not
        // sent again (ADR 0012).
        let positions = self.run_store_positions(tx).await?;
        let store_stock = tx
            .alloc_safety_stock()
            .await?
            .into_iter()
            .filter(|(_, p, _)| known.contains(p))
            .map(|(store, product, safety)| StoreStock {
                store: StoreId(store),
                product,
                safety_stock: safety,
                current_stock: positions
                    .get(&(StoreId(store), product))
                    .copied()
                    .unwrap_or(0)
                    .max(0),
            })
            .collect();
        let known_regions: std::collections::HashSet<kaidan_domain::RegionId> =
            regions.iter().map(|r| r.id).collect();
        let region_needs = tx
            .alloc_region_needs()
            .await?
            .into_iter()
            .filter(|(r, p, _)| known.contains(p) && known_regions.contains(r))
            .map(|(region, product, quantity)| RegionNeed {
                region,
                product,
                quantity,
            })
            .collect();
        Ok(Loaded {
            input: RunInput {
                settings,
                products,
                supply,
                franchisees,
                order_lines,
                regions,
                region_priority,
                stores,
                store_stock,
                region_needs,
            },
            paid_locks,
            warehouse,
        })
    }
}
