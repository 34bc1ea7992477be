//! Past runs: the list and one stored run with its record (ALC-10).

use kaidan_domain::Permission;
use kaidan_domain::allocation::RunResult;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::AllocationRunRow;

use super::RankingFacts;

impl App {
    pub async fn allocation_runs(&self, ctx: &Ctx) -> AppResult<Vec<AllocationRunRow>> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        Ok(tx.allocation_runs(self.config.max_page).await?)
    }

    /// A stored run with its result (ALC-10: explainable afterwards).
    pub async fn allocation_run(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<(AllocationRunRow, RunResult)> {
        let run = self.stored_run(ctx, id).await?;
        let json = self.store.unpack_record(run.packing, &run.result)?;
        let result: RunResult = serde_json::from_str(&json).map_err(AppError::Json)?;
        Ok((run, result))
    }

    /// ALC-3: the franchisees' ranking facts a stored run read, from its
    /// stored input (the rest of the input is not kept in memory).
    pub async fn allocation_run_ranking(&self, ctx: &Ctx, id: i64) -> AppResult<Vec<RankingFacts>> {
        #[derive(serde::Deserialize)]
        struct Franchisees {
            #[serde(default)]
            franchisees: Vec<RankingFacts>,
        }
        let run = self.stored_run(ctx, id).await?;
        let input = self.store.unpack_record(run.packing, &run.input)?;
        let only: Franchisees = serde_json::from_str(&input).map_err(AppError::Json)?;
        Ok(only.franchisees)
    }

    /// A stored run with its packed record, for someone allowed to see it.
    pub(crate) async fn stored_run(&self, ctx: &Ctx, id: i64) -> AppResult<AllocationRunRow> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        tx.allocation_run_get(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "allocation run",
                id: id.to_string(),
            })
    }
}
