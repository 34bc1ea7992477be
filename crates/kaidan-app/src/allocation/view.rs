//! An allocation result as people read it (ALC-10): one row per allocated,
//! locked or unserved quantity with names instead of ids and the reason in
//! words, for the run pages and the Excel export.

use crate::import_export::Table;
use kaidan_domain::allocation::{
    Allocation, Bound, Group, Rank, Reason, RegionAllocation, RegionShort, RunResult,
    StoreAllocation, StoreShort, Unserved,
};
use kaidan_domain::{Money, Permission};
use serde::Serialize;

use crate::allocation::queries::{AllocationNames, OrderNumbers};
use crate::app::{App, Ctx};
use crate::error::AppResult;

/// One quantity of a run and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultLine {
    /// allocated, locked or unserved.
    pub outcome: &'static str,
    /// franchisee, store or region.
    pub to: &'static str,
    pub name: String,
    /// The order line (`SO-… #2`) for franchisees.
    pub order_line: String,
    pub sku: String,
    pub quantity: i64,
    pub amount: Option<Money>,
    pub expires_on: Option<String>,
    /// The rule (with its ALC id), e.g. "ALC-2 funded franchisee".
    pub rule: String,
    /// What stopped it: fully_served, supply_exhausted, money_exhausted, ...
    pub bound: String,
    /// Where it stood: group and position, region list and tier.
    pub rank: String,
}

fn words<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The rank in a short sentence.
pub fn rank_text(rank: &Rank) -> String {
    match rank {
        Rank::Franchisee {
            group,
            position,
            ordered_by,
            line_position,
        } => format!(
            "{} #{position} (by {}), line #{line_position}",
            match group {
                Group::Funded => "funded",
                Group::Unfunded => "unfunded",
            },
            words(ordered_by)
        ),
        Rank::Store {
            region_list,
            region_position,
            region_on_list,
            tier,
            store_position,
        } => format!(
            "region #{region_position} of the {} list{}, tier {tier:?}, store #{store_position}",
            words(region_list),
            if *region_on_list { "" } else { " (not on it)" }
        ),
        Rank::Region {
            region_list,
            region_position,
            region_on_list,
        } => format!(
            "region #{region_position} of the {} list{}",
            words(region_list),
            if *region_on_list { "" } else { " (not on it)" }
        ),
    }
}

fn reason_cells(r: &Reason) -> (String, String, String) {
    let bound = match r.bound {
        Bound::FullyServed => "fully_served",
        Bound::SupplyExhausted => "supply_exhausted",
        Bound::MoneyExhausted => "money_exhausted",
        Bound::LowerPriority => "lower_priority",
        Bound::NoSupply => "no_supply",
    };
    (words(&r.rule), bound.to_string(), rank_text(&r.rank))
}

impl App {
    /// The rows of a result with names from the database.
    pub async fn allocation_lines(
        &self,
        ctx: &Ctx,
        result: &RunResult,
    ) -> AppResult<Vec<ResultLine>> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        let names = AllocationNames::load(&mut tx).await?;
        let mut numbers = OrderNumbers::default();
        let mut out = Vec::with_capacity(result.allocations.len() + result.unserved.len());
        // Allocated and locked quantities, then what stayed unserved; each
        // row names whom it is for and why (rule, bound, rank).
        let rows = result
            .allocations
            .iter()
            .map(|a| (Some(a), None, a.product(), a.quantity().get(), a.reason()))
            .chain(
                result
                    .unserved
                    .iter()
                    .map(|u| (None, Some(u), u.product(), u.unserved().get(), u.reason())),
            );
        for (allocated, unserved, product, quantity, reason) in rows {
            let (rule, bound, rank) = reason_cells(reason);
            let mut line = ResultLine {
                outcome: match allocated {
                    Some(Allocation::FranchiseeLock(_)) => "locked",
                    Some(_) => "allocated",
                    None => "unserved",
                },
                to: "franchisee",
                name: String::new(),
                order_line: String::new(),
                sku: names.product(product),
                quantity,
                amount: None,
                expires_on: None,
                rule,
                bound,
                rank,
            };
            // (franchisee, order line) or (store/region, name).
            let franchisee_line = match (allocated, unserved) {
                (Some(Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x)), _) => {
                    line.amount = Some(x.amount);
                    line.expires_on = x.expires_on.map(|d| d.to_string());
                    Some((x.franchisee, x.order_id, x.line_id))
                }
                (_, Some(Unserved::FranchiseeAllocation(x) | Unserved::FranchiseeLock(x))) => {
                    Some((x.franchisee, x.order_id, x.line_id))
                }
                (Some(Allocation::Store(StoreAllocation { store, .. })), _)
                | (_, Some(Unserved::Store(StoreShort { store, .. }))) => {
                    (line.to, line.name) = ("store", names.store(*store));
                    None
                }
                (Some(Allocation::Region(RegionAllocation { region, .. })), _)
                | (_, Some(Unserved::Region(RegionShort { region, .. }))) => {
                    (line.to, line.name) = ("region", names.region(*region));
                    None
                }
                (None, None) => None,
            };
            if let Some((franchisee, order, line_id)) = franchisee_line {
                line.name = names.franchisee(franchisee);
                let (_, line_no) = crate::allocation::run::line_of(line_id);
                line.order_line = format!("{} #{line_no}", numbers.of(&mut tx, order).await?);
            }
            out.push(line);
        }
        Ok(out)
    }

    /// A stored run as a table for a spreadsheet (ALC-10, issue 5 "export to
    /// Excel"), named by the run's number; the adapter writes the file.
    pub async fn allocation_run_export(&self, ctx: &Ctx, id: i64) -> AppResult<Table> {
        let (run, result) = self.allocation_run(ctx, id).await?;
        let rows = self.allocation_lines(ctx, &result).await?;
        let columns = [
            "outcome",
            "to",
            "name",
            "order_line",
            "product",
            "quantity",
            "amount",
            "expires_on",
            "rule",
            "bound",
            "rank",
        ];
        let mut table = Table::new(
            run.number.clone(),
            columns.iter().map(|c| c.to_string()).collect(),
        );
        for r in rows {
            table.push(vec![
                r.outcome.to_string(),
                r.to.to_string(),
                r.name,
                r.order_line,
                r.sku,
                r.quantity.to_string(),
                r.amount.map(|m| m.to_string()).unwrap_or_default(),
                r.expires_on.unwrap_or_default(),
                r.rule,
                r.bound,
                r.rank,
            ]);
        }
        Ok(table)
    }
}

impl App {
    /// The input a stored run was computed from (JSON), with the run's
    /// number, so anyone can run the engine on it again and get the same
    /// result (ALC-10). The result is not unpacked.
    pub async fn allocation_run_input(&self, ctx: &Ctx, id: i64) -> AppResult<(String, String)> {
        let run = self.stored_run(ctx, id).await?;
        let input = self.store.unpack_record(run.packing, &run.input)?;
        Ok((run.number, input))
    }
}
