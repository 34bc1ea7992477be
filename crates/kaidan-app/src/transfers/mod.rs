//! Transfers (调拨单) to direct-operated and affiliated stores and to
//! regional stock (ALC-8, ALC-9). A committed allocation run turns its
//! store and region allocations into transfers whose goods are reserved in
//! the central warehouse; the warehouse picks them (what is not found is
//! released, and a region's plan gets it back), ships them (stock leaves the
//! central warehouse) and the destination receives them into its own stock,
//! a warehouse of the store or region made on its first receipt.
//!
//! The next run sees a store's stock position (on hand plus goods on its
//! way) and a region's remaining plan, so nothing is sent twice.

use std::collections::BTreeMap;

use kaidan_domain::allocation::{Allocation, RunResult};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{PickLine, PickedInput, ShipInput, check_packages, confirm_pick};
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::transfers::{
    RegionNeed, TransferAction, TransferKind, TransferStatus, check_region_needs,
};
use kaidan_domain::{
    Actor, Permission, ProductId, RegionId, StoreId, ValidationErrors, WarehouseId,
};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{
    AuditEntry, EntityKind, MasterData, StorePositionRow, TransferQuery, TransferRow, TransferStep,
    Tx,
};

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "transfer",
        id: id.to_string(),
    }
}

/// NotFound unless the master record exists.
async fn must_exist(
    tx: &mut Box<dyn Tx>,
    kind: EntityKind,
    id: i64,
    what: &'static str,
) -> AppResult<()> {
    match tx.master_get(kind, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound {
            what,
            id: id.to_string(),
        }),
    }
}

fn moved_on(t: &TransferRow) -> AppError {
    ValidationErrors::single(
        "status",
        "wrong_state",
        format!(
            "transfer {} was changed by someone else meanwhile; reload it",
            t.number
        ),
    )
    .into()
}

/// A store's stock of one product as the allocation sees it (ALC-8).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorePosition {
    pub product_id: ProductId,
    pub safety_stock: i64,
    /// In the store's own stock.
    pub on_hand: i64,
    /// On transfers to the store not yet received.
    pub in_transit: i64,
    /// What the next run would send: max(0, safety − on hand − in transit).
    pub need: i64,
}

impl StorePosition {
    fn blank(product_id: ProductId) -> Self {
        StorePosition {
            product_id,
            safety_stock: 0,
            on_hand: 0,
            in_transit: 0,
            need: 0,
        }
    }
}

#[derive(Serialize)]
struct Needs<'a> {
    needs: &'a [RegionNeed],
}

/// Transfers are read by the warehouse and logistics (`shipment.read`) and
/// by brand product, whose runs make them (`allocation.run`).
pub fn can_read_transfers(actor: &Actor) -> bool {
    actor.can(Permission::ShipmentRead) || actor.can(Permission::AllocationRun)
}

fn may_read_transfers(ctx: &Ctx) -> AppResult<()> {
    if can_read_transfers(&ctx.actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Permission::ShipmentRead))
    }
}

impl App {
    pub async fn transfers(&self, ctx: &Ctx, mut q: TransferQuery) -> AppResult<Vec<TransferRow>> {
        may_read_transfers(ctx)?;
        q.limit = if q.limit == 0 {
            self.config.max_page
        } else {
            q.limit.min(self.config.max_page)
        };
        let mut tx = self.store.read().await?;
        Ok(tx.transfers(&q).await?)
    }

    pub async fn transfer(&self, ctx: &Ctx, id: i64) -> AppResult<TransferRow> {
        may_read_transfers(ctx)?;
        let mut tx = self.store.read().await?;
        tx.transfer_get(id).await?.ok_or_else(|| not_found(id))
    }

    /// Reads a transfer for a step and checks the step is allowed now.
    async fn transfer_for(
        &self,
        tx: &mut Box<dyn Tx>,
        id: i64,
        action: TransferAction,
    ) -> AppResult<(TransferRow, TransferStatus)> {
        let t = tx.transfer_get(id).await?.ok_or_else(|| not_found(id))?;
        let next = t.status.apply(action).map_err(|mut e| {
            for f in &mut e.errors {
                f.message = format!("{}: {}", t.number, f.message);
            }
            e
        })?;
        Ok((t, next))
    }

    /// Writes a step with its audit row and outbox event `transfer.{action}`.
    async fn transfer_record(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        t: &TransferRow,
        action: TransferAction,
        step: &TransferStep,
        extra: serde_json::Value,
    ) -> AppResult<()> {
        if !tx.transfer_step(t.id, t.status, step).await? {
            return Err(moved_on(t));
        }
        self.audit(
            tx,
            ctx,
            "transfer",
            t.id,
            action.as_str(),
            vec![FieldChange {
                field: "status".into(),
                before: Some(t.status.to_string()),
                after: Some(step.status.to_string()),
            }],
        )
        .await?;
        self.publish(
            tx,
            &format!("transfer.{action}"),
            "transfer",
            t.id,
            serde_json::json!({
                "number": t.number, "kind": t.kind, "store_id": t.store_id,
                "region_id": t.region_id, "status": step.status, "detail": extra,
            }),
        )
        .await
    }

    /// ALC-9: the central warehouse confirms what it found. What was not
    /// found is released; a region's plan gets it back, a store's need is
    /// computed afresh by the next run anyway.
    pub async fn pick_transfer(
        &self,
        ctx: &Ctx,
        id: i64,
        picked: &[PickedInput],
        packages: i64,
    ) -> AppResult<TransferRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut tx = self.store.write().await?;
        let (t, _) = self.transfer_for(&mut tx, id, TransferAction::Pick).await?;
        let outcome = confirm_pick(&t.lines, picked)?;
        let any_picked = check_packages(&outcome, packages)?;
        let now = self.now();
        let source = format!("transfer {}", t.number);
        let mut short = Vec::new();
        for o in &outcome {
            tx.stock_pick(o.product_id, t.from_warehouse_id, o.picked, &source, now)
                .await?;
            if o.short > 0 {
                tx.stock_release(o.product_id, t.from_warehouse_id, o.short, &source, now)
                    .await?;
                if t.kind == TransferKind::Region {
                    tx.region_need_give_back(t.region_id, o.product_id, o.short)
                        .await?;
                }
                short.push(serde_json::json!({ "line_no": o.line_no, "short": o.short }));
            }
        }
        let mut step = TransferStep::new(
            TransferStatus::after_pick(any_picked),
            now,
            ctx.actor.user_id,
        );
        step.packages = Some(packages.max(0));
        step.picked = outcome.iter().map(|o| (o.line_no, o.picked)).collect();
        if !any_picked {
            step.note = Some("nothing was found to pick".into());
        }
        self.transfer_record(
            &mut tx,
            ctx,
            &t,
            TransferAction::Pick,
            &step,
            serde_json::json!({ "packages": packages, "short": short }),
        )
        .await?;
        tx.commit().await?;
        self.transfer(ctx, id).await
    }

    /// ALC-9: the picked goods leave the central warehouse with a carrier.
    pub async fn ship_transfer(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ShipInput,
    ) -> AppResult<TransferRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let now = self.now();
        let input = input.validate(now.to_zoned(company_time_zone()).date())?;
        let mut tx = self.store.write().await?;
        let (t, next) = self.transfer_for(&mut tx, id, TransferAction::Ship).await?;
        let source = format!("transfer {}", t.number);
        for l in &t.lines {
            tx.stock_ship(
                l.product_id,
                t.from_warehouse_id,
                l.picked.unwrap_or(0),
                &source,
                now,
            )
            .await?;
        }
        let mut step = TransferStep::new(next, now, ctx.actor.user_id);
        step.carrier = Some(input.carrier.clone());
        step.tracking_no = Some(input.tracking_no.clone());
        step.eta = Some(input.eta);
        step.packages = input.packages;
        self.transfer_record(
            &mut tx,
            ctx,
            &t,
            TransferAction::Ship,
            &step,
            serde_json::json!({ "carrier": input.carrier, "tracking_no": input.tracking_no, "eta": input.eta }),
        )
        .await?;
        tx.commit().await?;
        self.transfer(ctx, id).await
    }

    /// The store or region received the goods: they enter its own stock
    /// (its warehouse, made on the first receipt) with a receipt entry.
    pub async fn receive_transfer(
        &self,
        ctx: &Ctx,
        id: i64,
        note: Option<&str>,
    ) -> AppResult<TransferRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut e = ValidationErrors::new();
        let note = e.optional_text("note", note, 500);
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let (t, next) = self
            .transfer_for(&mut tx, id, TransferAction::Receive)
            .await?;
        let now = self.now();
        let warehouse = self.destination_of(&mut tx, &t).await?;
        let source = format!("transfer {}", t.number);
        for l in &t.lines {
            let q = l.picked.unwrap_or(0);
            if q > 0 {
                tx.stock_receive(&crate::ports::StockReceipt {
                    product_id: l.product_id,
                    warehouse_id: warehouse,
                    quantity: kaidan_domain::Quantity::new(q).map_err(|e| {
                        ValidationErrors::single("quantity", "invalid", e.to_string())
                    })?,
                    source: source.clone(),
                    at: now,
                })
                .await?;
            }
        }
        let mut step = TransferStep::new(next, now, ctx.actor.user_id);
        step.note = note;
        step.to_warehouse = Some(warehouse);
        self.transfer_record(
            &mut tx,
            ctx,
            &t,
            TransferAction::Receive,
            &step,
            serde_json::json!({ "warehouse_id": warehouse }),
        )
        .await?;
        tx.commit().await?;
        self.transfer(ctx, id).await
    }

    /// The warehouse holding the destination's own stock.
    async fn destination_of(
        &self,
        tx: &mut Box<dyn Tx>,
        t: &TransferRow,
    ) -> AppResult<WarehouseId> {
        // The store's or region's code names its stock; a record gone since
        // (it cannot be deleted while transfers refer to it) falls back to ids.
        let (kind, id) = match t.store_id {
            Some(s) => (EntityKind::Store, s.get()),
            None => (EntityKind::Region, t.region_id.get()),
        };
        let (code, name) = match tx.master_get(kind, id).await?.map(|r| r.data) {
            Some(MasterData::Store(d)) => {
                (format!("STORE-{}", d.code), format!("{} 门店库存", d.name))
            }
            Some(MasterData::Region(d)) => (
                format!("REGION-{}", d.code),
                format!("{} 区域库存", d.name_zh),
            ),
            _ => (
                format!("{}-{id}", kind.as_str().to_uppercase()),
                t.destination.clone(),
            ),
        };
        Ok(tx
            .destination_warehouse(t.store_id, t.region_id, &code, &name, self.now())
            .await?)
    }

    /// Calls a transfer off before it leaves: its reservation (or its
    /// picked goods) go back on the central warehouse's shelf, free; a
    /// region's plan gets the quantity back.
    pub async fn cancel_transfer(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: &str,
    ) -> AppResult<TransferRow> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut e = ValidationErrors::new();
        let reason = e.text("reason", reason, 500);
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let (t, next) = self
            .transfer_for(&mut tx, id, TransferAction::Cancel)
            .await?;
        let now = self.now();
        let source = format!("transfer {} cancelled", t.number);
        for l in &t.lines {
            let q = match t.status {
                TransferStatus::Picked => {
                    let p = l.picked.unwrap_or(0);
                    tx.stock_unpick(l.product_id, t.from_warehouse_id, p, &source, now)
                        .await?;
                    p
                }
                _ => l.quantity,
            };
            tx.stock_release(l.product_id, t.from_warehouse_id, q, &source, now)
                .await?;
            if t.kind == TransferKind::Region && q > 0 {
                tx.region_need_give_back(t.region_id, l.product_id, q)
                    .await?;
            }
        }
        let mut step = TransferStep::new(next, now, ctx.actor.user_id);
        step.note = Some(reason.clone());
        self.transfer_record(
            &mut tx,
            ctx,
            &t,
            TransferAction::Cancel,
            &step,
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        self.transfer(ctx, id).await
    }

    /// ALC-8: a store's safety stock against its stock position, per
    /// product, with what the next run would send.
    pub async fn store_positions(
        &self,
        ctx: &Ctx,
        store: StoreId,
    ) -> AppResult<Vec<StorePosition>> {
        ctx.require(Permission::StoreRead)?;
        let mut tx = self.store.read().await?;
        must_exist(&mut tx, EntityKind::Store, store.get(), "store").await?;
        let mut rows: BTreeMap<ProductId, StorePosition> = BTreeMap::new();
        for l in tx.safety_stock(store).await? {
            rows.insert(
                l.product_id,
                StorePosition {
                    safety_stock: l.quantity.get(),
                    ..StorePosition::blank(l.product_id)
                },
            );
        }
        for p in tx.store_positions(Some(store)).await? {
            let row = rows
                .entry(p.product)
                .or_insert_with(|| StorePosition::blank(p.product));
            row.on_hand = p.on_hand;
            row.in_transit = p.in_transit;
        }
        Ok(rows
            .into_values()
            .map(|mut r| {
                r.need = (r.safety_stock - r.on_hand - r.in_transit).max(0);
                r
            })
            .collect())
    }

    /// A region's replenishment plan (备货, ALC-8).
    pub async fn region_needs(&self, ctx: &Ctx, region: RegionId) -> AppResult<Vec<RegionNeed>> {
        ctx.require(Permission::RegionRead)?;
        let mut tx = self.store.read().await?;
        must_exist(&mut tx, EntityKind::Region, region.get(), "region").await?;
        Ok(tx.region_needs(region).await?)
    }

    /// Replaces a region's replenishment plan; the audit shows each
    /// product's before → after. A quantity of 0 drops the product.
    pub async fn set_region_needs(
        &self,
        ctx: &Ctx,
        region: RegionId,
        needs: Vec<RegionNeed>,
    ) -> AppResult<Vec<RegionNeed>> {
        self.replace_region_needs(ctx, region, needs, None).await
    }

    /// As [`App::set_region_needs`], but only while the plan is still
    /// `expected` (what the form that edits it showed): a plan changed by
    /// someone else meanwhile is refused, not overwritten.
    pub async fn set_region_needs_if_unchanged(
        &self,
        ctx: &Ctx,
        region: RegionId,
        needs: Vec<RegionNeed>,
        expected: &[RegionNeed],
    ) -> AppResult<Vec<RegionNeed>> {
        self.replace_region_needs(ctx, region, needs, Some(expected))
            .await
    }

    async fn replace_region_needs(
        &self,
        ctx: &Ctx,
        region: RegionId,
        mut needs: Vec<RegionNeed>,
        expected: Option<&[RegionNeed]>,
    ) -> AppResult<Vec<RegionNeed>> {
        ctx.require(Permission::RegionWrite)?;
        check_region_needs(&needs)?;
        let mut tx = self.store.write().await?;
        must_exist(&mut tx, EntityKind::Region, region.get(), "region").await?;
        let mut e = ValidationErrors::new();
        let ids: Vec<i64> = needs.iter().map(|n| n.product_id.get()).collect();
        let known: std::collections::HashSet<i64> = tx
            .master_get_many(EntityKind::Product, &ids)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        for (i, n) in needs.iter().enumerate() {
            if !known.contains(&n.product_id.get()) {
                e.add(
                    format!("[{i}].product_id"),
                    "unknown_reference",
                    format!("no product with id {}", n.product_id),
                );
            }
        }
        e.into_result(())?;
        needs.retain(|n| n.quantity > 0);
        needs.sort_by_key(|n| n.product_id);
        let before = tx.region_needs(region).await?;
        if expected.is_some_and(|e| e != before.as_slice()) {
            return Err(ValidationErrors::single(
                "plan",
                "changed",
                "the plan was changed by someone else meanwhile; reload it and enter your change again",
            )
            .into());
        }
        let changes = kaidan_domain::audit::diff(
            Some(&Needs { needs: &before }),
            Some(&Needs { needs: &needs }),
        );
        if !changes.is_empty() {
            tx.region_needs_set(region, &needs).await?;
            self.audit(
                &mut tx,
                ctx,
                "region",
                region.get(),
                "set_replenishment",
                changes,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(needs)
    }

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
