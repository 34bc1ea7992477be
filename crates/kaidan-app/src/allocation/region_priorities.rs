//! The seasonal region priority lists of ALC-6: data an authorised user
//! edits, not code.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::master::{RegionData, RegionPriorityList, Season};
use kaidan_domain::{Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::check_reference;
use crate::ports::{EntityKind, Record, Tx};

impl App {
    /// The regions of a season's list, first = served first.
    pub async fn region_priorities(
        &self,
        ctx: &Ctx,
        season: Season,
    ) -> AppResult<Vec<Record<RegionData>>> {
        ctx.require(Permission::RegionRead)?;
        let mut tx = self.store.read().await?;
        self.regions_in_order(&mut tx, season).await
    }

    async fn regions_in_order(
        &self,
        tx: &mut Box<dyn Tx>,
        season: Season,
    ) -> AppResult<Vec<Record<RegionData>>> {
        let mut out = Vec::new();
        for id in tx.region_priorities(season).await? {
            if let Some(rec) = tx.master_get(EntityKind::Region, id.get()).await? {
                out.push(crate::master::typed_record(rec)?);
            }
        }
        Ok(out)
    }

    pub async fn set_region_priorities(
        &self,
        ctx: &Ctx,
        list: RegionPriorityList,
    ) -> AppResult<Vec<Record<RegionData>>> {
        ctx.require(Permission::RegionWrite)?;
        let list = list.validate()?;
        let mut tx = self.store.write().await?;
        let mut e = ValidationErrors::new();
        for (i, r) in list.regions.iter().enumerate() {
            let field = format!("regions[{i}]");
            check_reference(&mut tx, &mut e, field, EntityKind::Region, r.get()).await?;
        }
        e.into_result(())?;
        let before = self.regions_in_order(&mut tx, list.season).await?;
        tx.region_priorities_set(list.season, &list.regions).await?;
        let after = self.regions_in_order(&mut tx, list.season).await?;
        let codes = |v: &[Record<RegionData>]| {
            v.iter()
                .map(|r| r.data.code.as_str())
                .collect::<Vec<_>>()
                .join(" > ")
        };
        let change = FieldChange {
            field: format!("{}.regions", list.season.as_str()),
            before: Some(codes(&before)),
            after: Some(codes(&after)),
        };
        if change.before != change.after {
            self.audit(&mut tx, ctx, "region_priorities", 0, "update", vec![change])
                .await?;
            self.publish(
                &mut tx,
                "region_priorities.updated",
                "region_priorities",
                0,
                serde_json::json!({ "season": list.season, "regions": list.regions }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }
}
