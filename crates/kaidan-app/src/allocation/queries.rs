//! What the allocation pages, API and command read besides the run itself
//! (issue 5): the names behind the ids of a result's summaries, and the
//! people-readable rows of `allocation_view` under a public path.

use std::collections::HashMap;

use kaidan_domain::{CustomerId, OrderId, Permission, ProductId, RegionId, StoreId};

pub use crate::allocation::view::{ResultLine, rank_text};
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{LockRow, Tx};

/// Names of the franchisees and products an allocation result refers to by
/// id.
#[derive(Debug, Clone, Default)]
pub struct AllocationNames {
    pub franchisees: HashMap<CustomerId, String>,
    pub products: HashMap<ProductId, String>,
    pub stores: HashMap<StoreId, String>,
    pub regions: HashMap<RegionId, String>,
}

fn or_id<K: std::hash::Hash + Eq + std::fmt::Display>(m: &HashMap<K, String>, id: K) -> String {
    m.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
}

impl AllocationNames {
    /// Every name a result can refer to, in four queries.
    pub(crate) async fn load(tx: &mut Box<dyn Tx>) -> AppResult<Self> {
        Ok(AllocationNames {
            franchisees: tx
                .alloc_franchisees()
                .await?
                .into_iter()
                .map(|f| (f.id, f.name))
                .collect(),
            // A name alone is not enough: sizes and colours of one style
            // often share it.
            products: tx
                .alloc_products()
                .await?
                .into_iter()
                .map(|p| (p.id, format!("{} {}", p.sku, p.name)))
                .collect(),
            stores: tx
                .alloc_stores()
                .await?
                .into_iter()
                .map(|s| (StoreId(s.id), s.name))
                .collect(),
            regions: tx.alloc_regions().await?.into_iter().collect(),
        })
    }

    pub fn store(&self, id: StoreId) -> String {
        or_id(&self.stores, id)
    }

    pub fn region(&self, id: RegionId) -> String {
        or_id(&self.regions, id)
    }

    pub fn franchisee(&self, id: CustomerId) -> String {
        or_id(&self.franchisees, id)
    }

    pub fn product(&self, id: ProductId) -> String {
        or_id(&self.products, id)
    }
}

/// Order numbers, each looked up once.
#[derive(Debug, Default)]
pub(crate) struct OrderNumbers(HashMap<OrderId, String>);

impl OrderNumbers {
    pub(crate) async fn of(&mut self, tx: &mut Box<dyn Tx>, order: OrderId) -> AppResult<String> {
        if let Some(n) = self.0.get(&order) {
            return Ok(n.clone());
        }
        let n = tx
            .order_get(order)
            .await?
            .and_then(|o| o.number)
            .unwrap_or_else(|| format!("#{order}"));
        self.0.insert(order, n.clone());
        Ok(n)
    }
}

impl App {
    /// The names of every franchisee and active product, for the summary
    /// tables of a run (ALC-10).
    pub async fn allocation_names(&self, ctx: &Ctx) -> AppResult<AllocationNames> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        AllocationNames::load(&mut tx).await
    }

    /// The order number and product name of each lock, for the chase list
    /// channel business reads (ALC-5): lock id → (order, product).
    pub async fn allocation_lock_labels(
        &self,
        ctx: &Ctx,
        locks: &[LockRow],
    ) -> AppResult<HashMap<i64, (String, String)>> {
        ctx.require(Permission::AccountRead)?;
        let mut tx = self.store.read().await?;
        let names = AllocationNames::load(&mut tx).await?;
        let mut numbers = OrderNumbers::default();
        let mut out = HashMap::new();
        for l in locks {
            let number = numbers.of(&mut tx, l.order_id).await?;
            out.insert(l.id, (number, names.product(l.product_id)));
        }
        Ok(out)
    }
}
