//! What the allocation pages, API and command read besides the run itself
//! (issue 5): the names behind the ids of a result's summaries, and the
//! people-readable rows of `allocation_view` under a public path.

use std::collections::HashMap;

use kaidan_domain::{CustomerId, Permission, ProductId};

pub use crate::allocation_view::{ResultLine, rank_text};
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::LockRow;

/// Names of the franchisees and products an allocation result refers to by
/// id.
#[derive(Debug, Clone, Default)]
pub struct AllocationNames {
    pub franchisees: HashMap<CustomerId, String>,
    pub products: HashMap<ProductId, String>,
}

impl AllocationNames {
    pub fn franchisee(&self, id: CustomerId) -> String {
        self.franchisees
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    pub fn product(&self, id: ProductId) -> String {
        self.products
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
}

impl App {
    /// The names of every franchisee and active product, for the summary
    /// tables of a run (ALC-10).
    pub async fn allocation_names(&self, ctx: &Ctx) -> AppResult<AllocationNames> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        let franchisees = tx
            .alloc_franchisees()
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        let products = tx
            .alloc_products()
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        Ok(AllocationNames {
            franchisees,
            products,
        })
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
        let products: HashMap<ProductId, String> = tx
            .alloc_products()
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let mut numbers: HashMap<kaidan_domain::OrderId, String> = HashMap::new();
        let mut out = HashMap::new();
        for l in locks {
            let number = match numbers.get(&l.order_id) {
                Some(n) => n.clone(),
                None => {
                    let n = tx
                        .order_get(l.order_id)
                        .await?
                        .and_then(|o| o.number)
                        .unwrap_or_else(|| format!("#{}", l.order_id));
                    numbers.insert(l.order_id, n.clone());
                    n
                }
            };
            let product = products
                .get(&l.product_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", l.product_id));
            out.insert(l.id, (number, product));
        }
        Ok(out)
    }
}
