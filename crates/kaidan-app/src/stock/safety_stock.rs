//! Safety stock per store and product (ALC-8 input).

use kaidan_domain::audit::diff;
use kaidan_domain::master::{SafetyStock, check_safety_stock};
use kaidan_domain::{Permission, StoreId, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::{check_products, must_exist};
use crate::ports::EntityKind;

#[derive(Serialize)]
struct Levels<'a> {
    levels: &'a [SafetyStock],
}

impl App {
    pub async fn safety_stock(&self, ctx: &Ctx, store: StoreId) -> AppResult<Vec<SafetyStock>> {
        ctx.require(Permission::StoreRead)?;
        let mut tx = self.store.read().await?;
        must_exist(&mut tx, EntityKind::Store, store.get(), "store").await?;
        Ok(tx.safety_stock(store).await?)
    }

    /// Replaces a store's safety stock levels; the audit shows each product's
    /// before → after.
    pub async fn set_safety_stock(
        &self,
        ctx: &Ctx,
        store: StoreId,
        mut levels: Vec<SafetyStock>,
    ) -> AppResult<Vec<SafetyStock>> {
        ctx.require(Permission::StoreWrite)?;
        check_safety_stock(&levels)?;
        let mut tx = self.store.write().await?;
        must_exist(&mut tx, EntityKind::Store, store.get(), "store").await?;
        let mut e = ValidationErrors::new();
        let products: Vec<_> = levels.iter().map(|l| l.product_id).collect();
        check_products(&mut tx, &mut e, "", &products).await?;
        e.into_result(())?;
        levels.sort_by_key(|l| l.product_id);
        let before = tx.safety_stock(store).await?;
        let changes = diff(
            Some(&Levels { levels: &before }),
            Some(&Levels { levels: &levels }),
        );
        if !changes.is_empty() {
            tx.safety_stock_set(store, &levels).await?;
            self.audit(
                &mut tx,
                ctx,
                "store",
                store.get(),
                "set_safety_stock",
                changes,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(levels)
    }
}
