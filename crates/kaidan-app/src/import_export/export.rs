//! Exporting master data and stock as a table (INT-4), with the codes of
//! referenced records instead of their ids, in the same columns an import
//! takes.

use std::collections::BTreeMap;

use kaidan_domain::Permission;
use kaidan_domain::field_rules::{Field, Visibility};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{EntityKind, ListQuery, MasterData, Tx};

use super::*;

impl App {
    /// Every record of a dataset as a table in the import layout, so an
    /// export can be edited and imported again. The adapter writes it in the
    /// file format asked for.
    pub async fn export(&self, ctx: &Ctx, dataset: Dataset) -> AppResult<Table> {
        ctx.require(Permission::ExportData)?;
        ctx.require(dataset.permissions().0)?;
        let columns: Vec<String> = dataset
            .columns()
            .iter()
            .map(|c| c.trim_end_matches('*').to_string())
            .collect();
        let mut table = Table::new(dataset.as_str(), columns);
        let mut tx = self.store.read().await?;
        let names = CodeNames::load(&mut tx).await?;
        // Confidential cells stay empty for a reader without the right
        // (SEC-4): the columns keep the import layout.
        let vis = ctx.visibility();
        if dataset == Dataset::Orders {
            drop(tx);
            self.export_orders(ctx, &mut table).await?;
        } else if dataset == Dataset::Tracking {
            drop(tx);
            self.export_tracking(&mut table).await?;
        } else if dataset == Dataset::Stock {
            let (mut after, mut after_second) = (None, None);
            loop {
                let q = ListQuery {
                    after,
                    after_second,
                    limit: 1000,
                    ..Default::default()
                };
                let page = tx.stock_list(&q).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.product_id.get());
                after_second = Some(last.warehouse_id.get());
                for b in &page {
                    table.push(vec![
                        b.sku.clone(),
                        b.warehouse_code.clone(),
                        b.on_hand.to_string(),
                    ]);
                }
            }
        } else {
            let kind = match dataset {
                Dataset::Products => EntityKind::Product,
                Dataset::Customers => EntityKind::Customer,
                Dataset::Warehouses => EntityKind::Warehouse,
                Dataset::Regions => EntityKind::Region,
                Dataset::Stores => EntityKind::Store,
                Dataset::Stock | Dataset::Orders | Dataset::Tracking => EntityKind::Product,
            };
            let mut after = None;
            loop {
                let q = ListQuery {
                    after,
                    limit: 1000,
                    ..Default::default()
                };
                let page = tx.master_list(kind, &q).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                for rec in &page {
                    table.push(export_row(&rec.data, &names, &vis));
                }
            }
        }
        Ok(table)
    }
}

/// Codes of the records that master data refers to by id.
struct CodeNames {
    regions: BTreeMap<i64, String>,
    price_lists: BTreeMap<i64, String>,
    users: BTreeMap<i64, String>,
}

impl CodeNames {
    async fn load(tx: &mut Box<dyn Tx>) -> AppResult<CodeNames> {
        let regions = codes_by_id(tx, EntityKind::Region).await?;
        let price_lists = codes_by_id(tx, EntityKind::PriceList).await?;
        let users = tx
            .user_list()
            .await?
            .into_iter()
            .map(|u| (u.id.get(), u.username))
            .collect();
        Ok(CodeNames {
            regions,
            price_lists,
            users,
        })
    }
}

fn export_row(d: &MasterData, n: &CodeNames, vis: &Visibility) -> Vec<String> {
    let b = |v: bool| {
        if v {
            "true".to_string()
        } else {
            "false".to_string()
        }
    };
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let code = |m: &BTreeMap<i64, String>, id: Option<i64>| {
        id.and_then(|i| m.get(&i).cloned()).unwrap_or_default()
    };
    match d {
        MasterData::Product(p) => vec![
            p.sku.clone(),
            p.name.clone(),
            p.spec.clone(),
            p.barcode.clone(),
            p.category.clone(),
            p.unit.clone(),
            p.season.to_string(),
            p.launch_priority.to_string(),
            vis.cell(Field::ProductListPrice, p.list_price.to_string())
                .unwrap_or_default(),
            p.cost_price
                .and_then(|m| vis.cell(Field::ProductCostPrice, m.to_string()))
                .unwrap_or_default(),
            p.tax_rate.to_string(),
            b(p.active),
        ],
        MasterData::Customer(c) => vec![
            c.code.clone(),
            c.name.clone(),
            c.kind.to_string(),
            o(&c.contact_name),
            o(&c.contact_phone),
            o(&c.contact_email),
            o(&c.address),
            code(&n.regions, c.region_id.map(|r| r.get())),
            c.tier.map(|t| t.to_string()).unwrap_or_default(),
            c.priority.to_string(),
            c.importance.map(|i| i.to_string()).unwrap_or_default(),
            c.payment_terms.to_string(),
            c.net_days.map(|n| n.to_string()).unwrap_or_default(),
            c.payment_method.to_string(),
            c.tax_number.clone().unwrap_or_default(),
            c.bank_account.clone().unwrap_or_default(),
            vis.cell(Field::CustomerCreditLimit, c.credit_limit.to_string())
                .unwrap_or_default(),
            vis.cell(
                Field::CustomerPriceList,
                code(&n.price_lists, c.price_list_id.map(|p| p.get())),
            )
            .unwrap_or_default(),
            code(&n.users, c.sales_rep_id.map(|u| u.get())),
            b(c.active),
        ],
        MasterData::Warehouse(w) => vec![
            w.code.clone(),
            w.name.clone(),
            o(&w.address),
            b(w.is_central),
            b(w.active),
        ],
        MasterData::Region(r) => vec![r.code.clone(), r.name.clone(), r.name_zh.clone()],
        MasterData::Store(s) => vec![
            s.code.clone(),
            s.name.clone(),
            code(&n.regions, Some(s.region_id.get())),
            s.ownership.to_string(),
            s.tier.to_string(),
            s.priority.to_string(),
            b(s.active),
        ],
        MasterData::PriceList(p) => vec![p.code.clone(), p.name.clone()],
    }
}
