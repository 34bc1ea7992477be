//! Stores' stock positions and regions' replenishment plans (ALC-8, ALC-9):
//! what the next run would send, and the plans an authorised user sets.

use kaidan_domain::transfers::{RegionNeed, check_region_needs};
use kaidan_domain::{Permission, ProductId, RegionId, StoreId, ValidationErrors};
use std::collections::BTreeMap;

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::{check_products, must_exist};
use crate::ports::EntityKind;

use super::*;

impl App {
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
        let products: Vec<_> = needs.iter().map(|n| n.product_id).collect();
        check_products(&mut tx, &mut e, "", &products).await?;
        e.into_result(())?;
        needs.retain(|n| n.quantity > 0);
        needs.sort_by_key(|n| n.product_id);
        let before = tx.region_needs(region).await?;
        if expected.is_some_and(|e| e != before.as_slice()) {
            return Err(AppError::invalid(
                "plan",
                "changed",
                "the plan was changed by someone else meanwhile; reload it and enter your change again",
            ));
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
}
