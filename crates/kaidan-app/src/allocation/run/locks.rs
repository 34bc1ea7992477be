//! Allocation locks (ALC-5): expired locks released by the job, and the list
//! of franchisees to chase for payment before their lock runs out.

use kaidan_domain::allocation::LockStatus;
use kaidan_domain::{CustomerId, Permission};
use std::collections::{BTreeMap, HashMap};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{LockRow, StockStep, Tx};

use super::*;

impl App {
    /// ALC-5: locks past their period are released back to supply (and the
    /// line is backordered again); run by the scheduler, exactly once per
    /// lock. Returns how many expired.
    pub async fn expire_locks(&self, ctx: &Ctx) -> AppResult<usize> {
        let mut tx = self.store.write().await?;
        let n = self.expire_locks_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub(crate) async fn expire_locks_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let today = self.today();
        let now = self.now();
        let Some(warehouse) = self.central_warehouse(tx).await? else {
            return Ok(0);
        };
        let mut n = 0;
        for l in tx.locks(Some(LockStatus::Active)).await? {
            if l.expires_on >= today {
                continue;
            }
            if !tx.lock_close(l.id, LockStatus::Expired, now).await? {
                continue;
            }
            let source = format!("allocation lock {} expired", l.id);
            tx.stock_step(
                StockStep::Release,
                l.product_id,
                warehouse,
                l.quantity,
                &source,
                now,
            )
            .await?;
            let progress = tx.order_lines(l.order_id).await?;
            if let Some(p) = progress.iter().find(|p| p.line_no == l.line_no) {
                tx.order_line_progress(
                    l.order_id,
                    &[(
                        l.line_no,
                        (p.reserved - l.quantity).max(0),
                        p.backordered + l.quantity,
                    )],
                )
                .await?;
            }
            let order = tx
                .order_get(l.order_id)
                .await?
                .ok_or_else(|| crate::orders::not_found(l.order_id))?;
            self.order_note(tx, ctx, &order, "lock_expired", "", serde_json::json!({ "lock_id": l.id, "line_no": l.line_no, "quantity": l.quantity, "expired_on": l.expires_on.to_string() }))
                .await?;
            self.publish(tx, "allocation.lock_expired", "allocation_lock", l.id, serde_json::json!({
                "lock_id": l.id, "customer_id": l.customer_id, "order_id": l.order_id, "product_id": l.product_id, "quantity": l.quantity,
            })).await?;
            n += 1;
        }
        Ok(n)
    }

    /// ALC-5: the franchisees channel business should ask for payment, with
    /// the value of the goods locked for each, earliest expiry first.
    pub async fn lock_chase_list(&self, ctx: &Ctx) -> AppResult<Vec<ChaseItem>> {
        ctx.require(Permission::AccountRead)?;
        let mut tx = self.store.read().await?;
        let names: HashMap<CustomerId, String> = tx
            .alloc_franchisees()
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        let mut by: BTreeMap<CustomerId, Vec<LockRow>> = BTreeMap::new();
        for l in tx.locks(Some(LockStatus::Active)).await? {
            by.entry(l.customer_id).or_default().push(l);
        }
        let mut out: Vec<ChaseItem> = by
            .into_iter()
            .filter_map(|(c, locks)| {
                let first_expiry = locks.iter().map(|l| l.expires_on).min()?;
                Some(ChaseItem {
                    customer_id: c,
                    customer_name: names.get(&c).cloned().unwrap_or_default(),
                    amount: locks.iter().map(|l| l.unit_price.times(l.quantity)).sum(),
                    first_expiry,
                    locks,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.first_expiry
                .cmp(&b.first_expiry)
                .then(b.amount.cmp(&a.amount))
        });
        Ok(out)
    }
}
