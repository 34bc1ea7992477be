//! An allocation result as people read it (ALC-10): one row per allocated,
//! locked or unserved quantity with names instead of ids and the reason in
//! words, for the run pages and the Excel export.

use std::collections::HashMap;

use kaidan_domain::allocation::{Allocation, Bound, Group, Rank, Reason, RunResult, Unserved};
use kaidan_domain::{Money, Permission};
use kaidan_io::{Format, Table};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};

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
        let skus: HashMap<i64, String> = {
            let mut m = HashMap::new();
            for p in tx.alloc_products().await? {
                m.insert(p.id.get(), p.name);
            }
            m
        };
        let franchisees: HashMap<i64, String> = tx
            .alloc_franchisees()
            .await?
            .into_iter()
            .map(|f| (f.id.get(), f.name))
            .collect();
        let stores: HashMap<i64, String> = tx
            .alloc_stores()
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let regions: HashMap<i64, String> = tx
            .alloc_regions()
            .await?
            .into_iter()
            .map(|(id, n)| (id.get(), n))
            .collect();
        let mut numbers: HashMap<i64, String> = HashMap::new();
        let name = |m: &HashMap<i64, String>, id: i64| {
            m.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
        };
        let mut out = Vec::new();
        for a in &result.allocations {
            let (rule, bound, rank) = reason_cells(a.reason());
            let mut line = ResultLine {
                outcome: "allocated",
                to: "franchisee",
                name: String::new(),
                order_line: String::new(),
                sku: name(&skus, a.product().get()),
                quantity: a.quantity().get(),
                amount: None,
                expires_on: None,
                rule,
                bound,
                rank,
            };
            match a {
                Allocation::FranchiseeAllocation(x) | Allocation::FranchiseeLock(x) => {
                    if matches!(a, Allocation::FranchiseeLock(_)) {
                        line.outcome = "locked";
                    }
                    line.name = name(&franchisees, x.franchisee.get());
                    line.order_line = self
                        .order_line_label(&mut tx, &mut numbers, x.order_id, x.line_id)
                        .await?;
                    line.amount = Some(x.amount);
                    line.expires_on = x.expires_on.map(|d| d.to_string());
                }
                Allocation::Store(x) => {
                    line.to = "store";
                    line.name = name(&stores, x.store.get());
                }
                Allocation::Region(x) => {
                    line.to = "region";
                    line.name = name(&regions, x.region.get());
                }
            }
            out.push(line);
        }
        for u in &result.unserved {
            let (rule, bound, rank) = reason_cells(u.reason());
            let mut line = ResultLine {
                outcome: "unserved",
                to: "franchisee",
                name: String::new(),
                order_line: String::new(),
                sku: name(&skus, u.product().get()),
                quantity: u.unserved().get(),
                amount: None,
                expires_on: None,
                rule,
                bound,
                rank,
            };
            match u {
                Unserved::FranchiseeAllocation(x) | Unserved::FranchiseeLock(x) => {
                    line.name = name(&franchisees, x.franchisee.get());
                    line.order_line = self
                        .order_line_label(&mut tx, &mut numbers, x.order_id, x.line_id)
                        .await?;
                }
                Unserved::Store(x) => {
                    line.to = "store";
                    line.name = name(&stores, x.store.get());
                }
                Unserved::Region(x) => {
                    line.to = "region";
                    line.name = name(&regions, x.region.get());
                }
            }
            out.push(line);
        }
        Ok(out)
    }

    async fn order_line_label(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
        numbers: &mut HashMap<i64, String>,
        order: kaidan_domain::OrderId,
        line: kaidan_domain::OrderLineId,
    ) -> AppResult<String> {
        let number = match numbers.get(&order.get()) {
            Some(n) => n.clone(),
            None => {
                let n = tx
                    .order_get(order)
                    .await?
                    .and_then(|o| o.number)
                    .unwrap_or_else(|| format!("#{order}"));
                numbers.insert(order.get(), n.clone());
                n
            }
        };
        Ok(format!("{number} #{}", line.get() % 1000))
    }

    /// A stored run as a spreadsheet (ALC-10, issue 5 "export to Excel").
    pub async fn allocation_run_export(
        &self,
        ctx: &Ctx,
        id: i64,
        format: Format,
    ) -> AppResult<Vec<u8>> {
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
        let ext = if format == Format::Xlsx {
            "xlsx"
        } else {
            "csv"
        };
        let mut table = Table::new(
            format!("{}.{ext}", run.number),
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
        kaidan_io::write_table(&table, format).map_err(|e| AppError::File(e.to_string()))
    }
}

impl App {
    /// The input a stored run was computed from (JSON), so anyone can run
    /// the engine on it again and get the same result (ALC-10).
    pub async fn allocation_run_input(&self, ctx: &Ctx, id: i64) -> AppResult<String> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        tx.allocation_run_get(id)
            .await?
            .map(|r| r.input)
            .ok_or_else(|| AppError::NotFound {
                what: "allocation run",
                id: id.to_string(),
            })
    }
}
