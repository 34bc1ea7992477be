//! The steps of a transfer (ALC-9): pick, ship, receive into the
//! destination's own stock, cancel; each releases or moves the goods in the
//! same transaction.

use kaidan_domain::fulfilment::{PickedInput, ShipInput, check_packages, confirm_pick};
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::transfers::{TransferAction, TransferKind, TransferStatus};
use kaidan_domain::{Permission, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::fulfilment::{move_picked, post_pick};
use crate::ports::{EntityKind, MasterData, StockStep, TransferRow, TransferStep, Tx};

impl App {
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
        post_pick(&mut tx, t.from_warehouse_id, &outcome, &source, now).await?;
        for o in &outcome {
            if o.short > 0 {
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
            tx,
            ctx,
            &t,
            TransferAction::Pick,
            &step,
            serde_json::json!({ "packages": packages, "short": short }),
        )
        .await
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
        let w = t.from_warehouse_id;
        move_picked(&mut tx, StockStep::Ship, w, &t.lines, &source, now).await?;
        let mut step = TransferStep::new(next, now, ctx.actor.user_id);
        step.carrier = Some(input.carrier.clone());
        step.tracking_no = Some(input.tracking_no.clone());
        step.eta = Some(input.eta);
        step.packages = input.packages;
        self.transfer_record(
            tx,
            ctx,
            &t,
            TransferAction::Ship,
            &step,
            serde_json::json!({ "carrier": input.carrier, "tracking_no": input.tracking_no, "eta": input.eta }),
        )
        .await
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
            tx,
            ctx,
            &t,
            TransferAction::Receive,
            &step,
            serde_json::json!({ "warehouse_id": warehouse }),
        )
        .await
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
        let reason = ValidationErrors::reason(reason)?;
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
                    tx.stock_step(
                        StockStep::Unpick,
                        l.product_id,
                        t.from_warehouse_id,
                        p,
                        &source,
                        now,
                    )
                    .await?;
                    p
                }
                _ => l.quantity,
            };
            tx.stock_step(
                StockStep::Release,
                l.product_id,
                t.from_warehouse_id,
                q,
                &source,
                now,
            )
            .await?;
            if t.kind == TransferKind::Region && q > 0 {
                tx.region_need_give_back(t.region_id, l.product_id, q)
                    .await?;
            }
        }
        let mut step = TransferStep::new(next, now, ctx.actor.user_id);
        step.note = Some(reason.clone());
        self.transfer_record(
            tx,
            ctx,
            &t,
            TransferAction::Cancel,
            &step,
            serde_json::json!({ "reason": reason }),
        )
        .await
    }
}
