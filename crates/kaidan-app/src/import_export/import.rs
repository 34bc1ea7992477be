//! Importing master data and opening stock from a table (INT-4): every row
//! is checked, codes are resolved to ids, and the file is written only when
//! no row has a problem (all or nothing).

use std::collections::HashMap;

use kaidan_domain::master::{CustomerData, ProductData, RegionData, StoreData, WarehouseData};
use kaidan_domain::{
    Money, Permission, PriceListId, ProductId, RegionId, TaxRate, UserId, WarehouseId,
};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::entity::MasterEntity;
use crate::ports::{EntityKind, MasterData, StockReceipt, Tx};

use super::*;

/// Looks up records by code inside the import's transaction.
struct Codes<'t> {
    tx: &'t mut Box<dyn Tx>,
    ids: &'t mut CodeIds,
}

async fn resolve(
    cells: &mut Cells<'_>,
    codes: &mut Codes<'_>,
    column: &str,
    kind: EntityKind,
) -> AppResult<Option<i64>> {
    let Some(code) = cells.opt(column) else {
        return Ok(None);
    };
    let id = codes.ids.get(codes.tx, kind, &code).await?;
    if id.is_none() {
        cells.err(column, format!("no {} with code '{code}'", kind.as_str()));
    }
    Ok(id)
}

enum Parsed {
    /// Boxed: a master record is many times larger than a stock receipt.
    Master(Box<MasterData>),
    Receipt(StockReceipt),
}

impl App {
    /// Imports a table that an adapter read from a file (`kaidan_io` behind
    /// the API and the command line), or reports why the file could not be
    /// read. Permissions are checked first, so a caller without them is told
    /// that rather than what is wrong with the file.
    pub async fn import(
        &self,
        ctx: &Ctx,
        dataset: Dataset,
        table: AppResult<Table>,
    ) -> AppResult<ImportReport> {
        ctx.require(Permission::ImportData)?;
        ctx.require(dataset.permissions().1)?;
        let table = table?;
        let file = table.file.as_str();
        let mut errors = Vec::new();
        for col in dataset.columns() {
            if let Some(required) = col.strip_suffix('*')
                && table.column_index(required).is_none()
            {
                errors.push(RowError {
                    file: file.to_string(),
                    row: 1,
                    column: Some(required.to_string()),
                    message: "required column is missing from the header".into(),
                });
            }
        }
        for col in &table.columns {
            if !dataset
                .columns()
                .iter()
                .any(|c| c.trim_end_matches('*') == col)
            {
                errors.push(RowError {
                    file: file.to_string(),
                    row: 1,
                    column: Some(col.clone()),
                    message: format!(
                        "unknown column; expected: {}",
                        dataset
                            .columns()
                            .iter()
                            .map(|c| c.trim_end_matches('*'))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors));
        }
        if dataset == Dataset::Orders {
            return self.import_orders(ctx, &table).await;
        }
        if dataset == Dataset::Tracking {
            return self.import_tracking(ctx, &table).await;
        }
        let mut tx = self.store.write().await?;
        let mut report = ImportReport {
            file: file.to_string(),
            dataset,
            rows: table.rows.len(),
            created: 0,
            updated: 0,
            unchanged: 0,
        };
        let mut seen_codes: HashMap<String, usize> = HashMap::new();
        let mut users: Option<HashMap<String, UserId>> = None;
        let mut ids = CodeIds::default();
        for row in &table.rows {
            let mut cells = Cells::new(&table, row);
            let parsed = {
                let mut codes = Codes {
                    tx: &mut tx,
                    ids: &mut ids,
                };
                parse_row(dataset, &mut cells, &mut codes, &mut users).await?
            };
            if let Some(Parsed::Master(data)) = &parsed {
                let code = master_code(data).to_string();
                if let Some(first) = seen_codes.insert(code.clone(), row.line) {
                    let col = if dataset == Dataset::Products {
                        "sku"
                    } else {
                        "code"
                    };
                    cells.err(col, format!("'{code}' is also on row {first}"));
                }
            }
            errors.append(&mut cells.errors);
            let Some(parsed) = parsed else { continue };
            if !errors.is_empty() {
                // Keep checking the rest, but write nothing more.
                continue;
            }
            match self.write_row(&mut tx, ctx, parsed).await {
                Ok(Outcome::Created) => report.created += 1,
                Ok(Outcome::Updated) => report.updated += 1,
                Ok(Outcome::Unchanged) => report.unchanged += 1,
                Err(AppError::Invalid(v)) => {
                    for e in v.errors {
                        errors.push(RowError {
                            file: file.to_string(),
                            row: row.line,
                            column: Some(e.field),
                            message: e.message,
                        });
                    }
                }
                Err(AppError::Duplicate { field, value }) => errors.push(RowError {
                    file: file.to_string(),
                    row: row.line,
                    column: Some(field),
                    message: format!("'{value}' is already used"),
                }),
                Err(other) => return Err(other),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors));
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn write_row(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        parsed: Parsed,
    ) -> AppResult<Outcome> {
        match parsed {
            Parsed::Receipt(mut r) => {
                r.at = self.now();
                tx.stock_receive(&r)
                    .await
                    .map_err(|e| crate::stock::on_hand_as_quantity(e, "quantity"))?;
                self.audit(
                    tx,
                    ctx,
                    "product",
                    r.product_id.get(),
                    "stock_receipt",
                    vec![kaidan_domain::audit::FieldChange {
                        field: format!(
                            "{}.on_hand",
                            kaidan_domain::audit::stock_field(r.warehouse_id)
                        ),
                        before: None,
                        after: Some(format!("+{} ({})", r.quantity, r.source)),
                    }],
                )
                .await?;
                Ok(Outcome::Created)
            }
            Parsed::Master(m) => match *m {
                MasterData::Product(d) => self.upsert(tx, ctx, d).await,
                MasterData::Customer(d) => self.upsert(tx, ctx, d).await,
                MasterData::Warehouse(d) => self.upsert(tx, ctx, d).await,
                MasterData::Region(d) => self.upsert(tx, ctx, d).await,
                MasterData::Store(d) => self.upsert(tx, ctx, d).await,
                MasterData::PriceList(d) => self.upsert(tx, ctx, d).await,
            },
        }
    }

    async fn upsert<T: MasterEntity>(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        data: T,
    ) -> AppResult<Outcome> {
        match tx.master_id_by_code(T::KIND, data.code()).await? {
            None => {
                self.insert_in(tx, ctx, data).await?;
                Ok(Outcome::Created)
            }
            Some(id) => {
                let before = tx.master_get(T::KIND, id).await?.map(|r| r.version);
                let after = self.update_in(tx, ctx, id, None, data).await?;
                Ok(if Some(after.version) == before {
                    Outcome::Unchanged
                } else {
                    Outcome::Updated
                })
            }
        }
    }
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

async fn parse_row(
    dataset: Dataset,
    c: &mut Cells<'_>,
    codes: &mut Codes<'_>,
    users: &mut Option<HashMap<String, UserId>>,
) -> AppResult<Option<Parsed>> {
    let data = match dataset {
        Dataset::Products => {
            let d = ProductData {
                sku: c.text("sku"),
                name: c.text("name"),
                spec: c.opt("spec").unwrap_or_default(),
                barcode: c.opt("barcode").unwrap_or_default(),
                category: c.opt("category").unwrap_or_default(),
                unit: c.text("unit"),
                season: c
                    .parse("season")
                    .unwrap_or(kaidan_domain::master::Season::None),
                launch_priority: c.rank("launch_priority"),
                list_price: c.parse::<Money>("list_price").unwrap_or_default(),
                cost_price: c.parse_opt::<Money>("cost_price"),
                tax_rate: c
                    .parse::<TaxRate>("tax_rate")
                    .unwrap_or(TaxRate::from_basis_points(0)),
                active: c.flag("active", true),
            };
            c.checked(d)
        }
        Dataset::Customers => {
            let region_id = resolve(c, codes, "region_code", EntityKind::Region)
                .await?
                .map(RegionId);
            let price_list_id = resolve(c, codes, "price_list_code", EntityKind::PriceList)
                .await?
                .map(PriceListId);
            let sales_rep_id = match c.opt("sales_rep") {
                None => None,
                Some(name) => {
                    if users.is_none() {
                        let list = codes.tx.user_list().await?;
                        *users = Some(list.into_iter().map(|u| (u.username, u.id)).collect());
                    }
                    let id = users.as_ref().and_then(|m| m.get(&name).copied());
                    if id.is_none() {
                        c.err("sales_rep", format!("no user named '{name}'"));
                    }
                    id
                }
            };
            let d = CustomerData {
                code: c.text("code"),
                name: c.text("name"),
                kind: c
                    .parse("kind")
                    .unwrap_or(kaidan_domain::master::CustomerKind::Business),
                contact_name: c.opt("contact_name"),
                contact_phone: c.opt("contact_phone"),
                contact_email: c.opt("contact_email"),
                address: c.opt("address"),
                region_id,
                tier: c.parse_opt("tier"),
                priority: c.rank("priority"),
                importance: c.parse_opt("importance"),
                payment_terms: c
                    .parse("payment_terms")
                    .unwrap_or(kaidan_domain::master::PaymentTerms::Prepayment),
                net_days: c.parse_opt::<u32>("net_days"),
                payment_method: c
                    .parse("payment_method")
                    .unwrap_or(kaidan_domain::master::PaymentMethod::BankTransfer),
                tax_number: c.opt("tax_number"),
                bank_account: c.opt("bank_account"),
                credit_limit: c.parse_opt::<Money>("credit_limit").unwrap_or_default(),
                price_list_id,
                sales_rep_id,
                active: c.flag("active", true),
            };
            c.checked(d)
        }
        Dataset::Warehouses => {
            let d = WarehouseData {
                code: c.text("code"),
                name: c.text("name"),
                address: c.opt("address"),
                is_central: c.flag("is_central", false),
                active: c.flag("active", true),
            };
            c.checked(d)
        }
        Dataset::Regions => {
            let d = RegionData {
                code: c.text("code"),
                name: c.text("name"),
                name_zh: c.opt("name_zh").unwrap_or_default(),
            };
            c.checked(d)
        }
        Dataset::Stores => {
            let region = resolve(c, codes, "region_code", EntityKind::Region).await?;
            if c.raw("region_code").is_empty() {
                c.err("region_code", "is required");
            }
            let d = StoreData {
                code: c.text("code"),
                name: c.text("name"),
                region_id: RegionId(region.unwrap_or(0)),
                ownership: c
                    .parse("ownership")
                    .unwrap_or(kaidan_domain::master::StoreOwnership::Direct),
                tier: c.parse("tier").unwrap_or(kaidan_domain::master::Tier::C),
                priority: c.rank("priority"),
                active: c.flag("active", true),
            };
            c.checked(d)
        }
        // Orders are grouped into orders first (order_import.rs) and
        // tracking events belong to shipments (tracking_import.rs): never
        // parsed row by row here.
        Dataset::Orders | Dataset::Tracking => None,
        Dataset::Stock => {
            let product = resolve(c, codes, "sku", EntityKind::Product).await?;
            let warehouse = resolve(c, codes, "warehouse_code", EntityKind::Warehouse).await?;
            if c.raw("sku").is_empty() {
                c.err("sku", "is required");
            }
            if c.raw("warehouse_code").is_empty() {
                c.err("warehouse_code", "is required");
            }
            let qty = c.parse::<i64>("quantity").and_then(|q| {
                match kaidan_domain::Quantity::positive(q) {
                    Ok(q) => Some(q),
                    Err(e) => {
                        c.err("quantity", e.to_string());
                        None
                    }
                }
            });
            match (product, warehouse, qty) {
                (Some(p), Some(w), Some(q)) => {
                    let source = format!("import {} row {}", c.table.file, c.row.line);
                    let receipt = Parsed::Receipt(StockReceipt {
                        product_id: ProductId(p),
                        warehouse_id: WarehouseId(w),
                        quantity: q,
                        source,
                        // Set from the app's clock when written.
                        at: jiff::Timestamp::UNIX_EPOCH,
                    });
                    return Ok(c.errors.is_empty().then_some(receipt));
                }
                _ => None,
            }
        }
    };
    Ok(if c.errors.is_empty() {
        data.map(|d| Parsed::Master(Box::new(d)))
    } else {
        None
    })
}
