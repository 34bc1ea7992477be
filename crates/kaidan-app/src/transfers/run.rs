//! What an allocation run reads and makes here: the store positions it
//! serves and the transfers (调拨单) it turns its store and region
//! allocations into.

use kaidan_domain::allocation::{Allocation, RunResult};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::PickLine;
use kaidan_domain::transfers::{TransferKind, TransferStatus};
use kaidan_domain::{ProductId, RegionId, StoreId, WarehouseId};
use std::collections::BTreeMap;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, StorePositionRow, TransferRow, Tx};

impl App {
    /// Positions of every store for the run's input: (store, product) →
    /// on hand + in transit.
    pub(crate) async fn run_store_positions(
        &self,
        tx: &mut Box<dyn Tx>,
    ) -> AppResult<std::collections::HashMap<(StoreId, ProductId), i64>> {
        Ok(tx
            .store_positions(None)
            .await?
            .into_iter()
            .map(|p: StorePositionRow| ((p.store, p.product), p.on_hand + p.in_transit))
            .collect())
    }

    /// ALC-9 for stores and regions: one transfer per store and per region
    /// that the run allocated to, its lines in the run's order, numbered
    /// TR-YYYYMMDD-NNNN. The goods are already reserved by the caller; a
    /// region's plan is reduced by what it got (a short count means the
    /// plan changed since the inputs were read: a conflict).
    pub(crate) async fn run_transfers(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        run: (i64, &str),
        warehouse: WarehouseId,
        result: &RunResult,
    ) -> AppResult<Vec<TransferRow>> {
        // (kind, store, region) → lines, in first-allocated order.
        let mut order: Vec<(TransferKind, Option<StoreId>, RegionId)> = Vec::new();
        let mut lines: BTreeMap<(TransferKind, Option<StoreId>, RegionId), Vec<PickLine>> =
            BTreeMap::new();
        let mut takes = Vec::new();
        for a in &result.allocations {
            let (key, product, q) = match a {
                Allocation::Store(x) => (
                    (TransferKind::Store, Some(x.store), x.region),
                    x.product,
                    x.quantity.get(),
                ),
                Allocation::Region(x) => {
                    takes.push((x.region, x.product, x.quantity.get()));
                    (
                        (TransferKind::Region, None, x.region),
                        x.product,
                        x.quantity.get(),
                    )
                }
                _ => continue,
            };
            if q <= 0 {
                continue;
            }
            let entry = lines.entry(key).or_insert_with(|| {
                order.push(key);
                Vec::new()
            });
            if let Some(l) = entry.iter_mut().find(|l| l.product_id == product) {
                l.quantity += q;
            } else {
                let line_no = u32::try_from(entry.len() + 1).unwrap_or(u32::MAX);
                entry.push(PickLine {
                    line_no,
                    product_id: product,
                    quantity: q,
                    picked: None,
                });
            }
        }
        if order.is_empty() {
            return Ok(Vec::new());
        }
        if tx.region_needs_take(&takes).await? != u64::try_from(takes.len()).unwrap_or(u64::MAX) {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        }
        let now = self.now();
        let day = self.today().strftime("%Y%m%d").to_string();
        let count = i64::try_from(order.len()).unwrap_or(i64::MAX);
        let last = tx.counter_take(&format!("TR:{day}"), count).await?;
        let mut transfers: Vec<TransferRow> = order
            .into_iter()
            .zip(last - count + 1..)
            .map(|((kind, store, region), seq)| TransferRow {
                id: 0,
                number: format!("TR-{day}-{seq:04}"),
                run_id: Some(run.0),
                run_number: Some(run.1.to_string()),
                kind,
                store_id: store,
                region_id: region,
                destination: String::new(),
                from_warehouse_id: warehouse,
                to_warehouse_id: None,
                status: TransferStatus::Open,
                packages: None,
                carrier: None,
                tracking_no: None,
                eta: None,
                note: None,
                created_at: now,
                created_by: ctx.actor.user_id,
                picked_at: None,
                shipped_at: None,
                closed_at: None,
                lines: lines.remove(&(kind, store, region)).unwrap_or_default(),
            })
            .collect();
        let ids = tx.transfers_insert(&transfers).await?;
        let mut audit = Vec::with_capacity(transfers.len());
        for (t, id) in transfers.iter_mut().zip(ids) {
            t.id = id;
            audit.push(AuditEntry {
                id: 0,
                at: now,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                entity: "transfer".into(),
                entity_id: id,
                action: "create".into(),
                changes: vec![FieldChange {
                    field: "number".into(),
                    before: None,
                    after: Some(t.number.clone()),
                }],
                request_id: ctx.request_id.clone(),
            });
            self.publish(
                tx,
                "transfer.created",
                "transfer",
                id,
                serde_json::json!({
                    "number": t.number, "run": run.1, "kind": t.kind, "store_id": t.store_id,
                    "region_id": t.region_id,
                    "lines": t.lines.iter().map(|l| serde_json::json!({"product_id": l.product_id, "quantity": l.quantity})).collect::<Vec<_>>(),
                }),
            )
            .await?;
        }
        tx.audit_insert(&audit).await?;
        Ok(transfers)
    }
}
