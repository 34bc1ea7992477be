//! Import and export of master data and opening stock as CSV or Excel
//! (INT-4). An import is all or nothing: every bad row is reported with
//! file, row, column and reason, and then nothing from that file is written.
//! Rows whose code already exists update that record (upsert by code).

mod orders;
mod tracking;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use kaidan_domain::master::{CustomerData, ProductData, RegionData, StoreData, WarehouseData};
use kaidan_domain::{
    Money, Permission, PriceListId, ProductId, RegionId, TaxRate, UserId, ValidationErrors,
    WarehouseId,
};
use kaidan_io::{Format, Row, Table};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::entity::MasterEntity;
use crate::ports::{EntityKind, ListQuery, MasterData, StockReceipt, Tx};

/// What a file holds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    Products,
    Customers,
    Warehouses,
    Regions,
    Stores,
    /// Opening stock or receipts: sku, warehouse_code, quantity.
    Stock,
    /// Orders, one row per line; rows with the same customer and customer
    /// reference form one order (ORD-1..3).
    Orders,
    /// Carrier tracking events (SHP-2): tracking_no, at, status, location,
    /// note.
    Tracking,
}

impl FromStr for Dataset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "products" => Dataset::Products,
            "customers" => Dataset::Customers,
            "warehouses" => Dataset::Warehouses,
            "regions" => Dataset::Regions,
            "stores" => Dataset::Stores,
            "stock" => Dataset::Stock,
            "orders" => Dataset::Orders,
            "tracking" => Dataset::Tracking,
            other => {
                return Err(format!(
                    "unknown dataset '{other}'; use products, customers, warehouses, regions, stores, stock, orders or tracking"
                ));
            }
        })
    }
}

impl Dataset {
    pub const ALL: [Dataset; 8] = [
        Dataset::Products,
        Dataset::Customers,
        Dataset::Warehouses,
        Dataset::Regions,
        Dataset::Stores,
        Dataset::Stock,
        Dataset::Orders,
        Dataset::Tracking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::Products => "products",
            Dataset::Customers => "customers",
            Dataset::Warehouses => "warehouses",
            Dataset::Regions => "regions",
            Dataset::Stores => "stores",
            Dataset::Stock => "stock",
            Dataset::Orders => "orders",
            Dataset::Tracking => "tracking",
        }
    }

    /// The columns of the file; `*` marks the ones every row must fill.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Dataset::Products => &[
                "sku*",
                "name*",
                "spec",
                "unit*",
                "season*",
                "launch_priority",
                "list_price*",
                "tax_rate*",
                "active",
            ],
            Dataset::Customers => &[
                "code*",
                "name*",
                "kind*",
                "contact_name",
                "contact_phone",
                "contact_email",
                "address",
                "region_code",
                "tier",
                "priority",
                "payment_terms*",
                "payment_method*",
                "credit_limit",
                "price_list_code",
                "sales_rep",
                "active",
            ],
            Dataset::Warehouses => &["code*", "name*", "address", "is_central", "active"],
            Dataset::Regions => &["code*", "name*", "name_zh"],
            Dataset::Stores => &[
                "code*",
                "name*",
                "region_code*",
                "ownership*",
                "tier*",
                "priority",
                "active",
            ],
            Dataset::Stock => &["sku*", "warehouse_code*", "quantity*"],
            Dataset::Orders => &[
                "customer_code*",
                "customer_reference*",
                "order_date*",
                "channel*",
                "sku*",
                "quantity*",
                "unit_price",
                "requested_delivery_date",
                "delivery_address",
                "contact_name",
                "priority",
                "notes",
            ],
            Dataset::Tracking => &["tracking_no*", "at*", "status*", "location", "note"],
        }
    }

    fn permissions(self) -> (Permission, Permission) {
        match self {
            Dataset::Products => (ProductData::READ, ProductData::WRITE),
            Dataset::Customers => (CustomerData::READ, CustomerData::WRITE),
            Dataset::Warehouses => (WarehouseData::READ, WarehouseData::WRITE),
            Dataset::Regions => (RegionData::READ, RegionData::WRITE),
            Dataset::Stores => (StoreData::READ, StoreData::WRITE),
            Dataset::Stock => (Permission::StockRead, Permission::WarehouseWrite),
            Dataset::Orders => (Permission::OrderRead, Permission::OrderCreate),
            Dataset::Tracking => (Permission::ShipmentRead, Permission::ShipmentWrite),
        }
    }
}

/// One problem in an import file.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    /// The row number as a spreadsheet shows it (header = 1).
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(
                f,
                "{}: row {}, column {}: {}",
                self.file, self.row, c, self.message
            ),
            None => write!(f, "{}: row {}: {}", self.file, self.row, self.message),
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub dataset: Dataset,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Reads one row's cells, collecting every problem.
pub(crate) struct Cells<'a> {
    pub(crate) table: &'a Table,
    pub(crate) row: &'a Row,
    pub(crate) errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    pub(crate) fn err(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            file: self.table.file.clone(),
            row: self.row.line,
            column: Some(column.to_string()),
            message: message.into(),
        });
    }

    pub(crate) fn raw(&self, column: &str) -> &'a str {
        self.table.cell(self.row, column)
    }

    pub(crate) fn text(&mut self, column: &str) -> String {
        let v = self.raw(column);
        if v.is_empty() {
            self.err(column, "is required");
        }
        v.to_string()
    }

    pub(crate) fn opt(&self, column: &str) -> Option<String> {
        Some(self.raw(column).to_string()).filter(|s| !s.is_empty())
    }

    pub(crate) fn parse<T: FromStr>(&mut self, column: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let v = self.raw(column);
        if v.is_empty() {
            self.err(column, "is required");
            return None;
        }
        match v.parse() {
            Ok(x) => Some(x),
            Err(e) => {
                self.err(column, format!("'{v}': {e}"));
                None
            }
        }
    }

    pub(crate) fn parse_opt<T: FromStr>(&mut self, column: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        if self.raw(column).is_empty() {
            None
        } else {
            self.parse(column)
        }
    }

    pub(crate) fn flag(&mut self, column: &str, default: bool) -> bool {
        match self.raw(column).to_ascii_lowercase().as_str() {
            "" => default,
            "true" | "yes" | "1" | "是" | "y" => true,
            "false" | "no" | "0" | "否" | "n" => false,
            other => {
                self.err(
                    column,
                    format!("'{other}' is not yes/no (true/false, 是/否)"),
                );
                default
            }
        }
    }

    fn rank(&mut self, column: &str) -> i32 {
        self.parse_opt::<i32>(column).unwrap_or(1)
    }

    /// Field errors of the record's own validation, on their columns.
    fn absorb(&mut self, v: ValidationErrors, column_of: impl Fn(&str) -> String) {
        for e in v.errors {
            let col = column_of(&e.field);
            self.err(&col, e.message);
        }
    }
}

/// Looks up records by code inside the import's transaction.
struct Codes<'t> {
    tx: &'t mut Box<dyn Tx>,
    cache: HashMap<(EntityKind, String), Option<i64>>,
}

impl Codes<'_> {
    async fn id(&mut self, kind: EntityKind, code: &str) -> AppResult<Option<i64>> {
        if let Some(v) = self.cache.get(&(kind, code.to_string())) {
            return Ok(*v);
        }
        let v = self.tx.master_id_by_code(kind, code).await?;
        self.cache.insert((kind, code.to_string()), v);
        Ok(v)
    }
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
    let id = codes.id(kind, &code).await?;
    if id.is_none() {
        cells.err(column, format!("no {} with code '{code}'", kind.as_str()));
    }
    Ok(id)
}

enum Parsed {
    Master(MasterData),
    Receipt(StockReceipt),
}

impl App {
    pub async fn import(
        &self,
        ctx: &Ctx,
        dataset: Dataset,
        file: &str,
        bytes: &[u8],
    ) -> AppResult<ImportReport> {
        ctx.require(Permission::ImportData)?;
        ctx.require(dataset.permissions().1)?;
        let table =
            kaidan_io::read_table(file, bytes).map_err(|e| AppError::File(e.to_string()))?;
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
        for row in &table.rows {
            let mut cells = Cells {
                table: &table,
                row,
                errors: Vec::new(),
            };
            let parsed = {
                let mut codes = Codes {
                    tx: &mut tx,
                    cache: HashMap::new(),
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
                tx.stock_receive(&r).await?;
                self.audit(
                    tx,
                    ctx,
                    "product",
                    r.product_id.get(),
                    "stock_receipt",
                    vec![kaidan_domain::audit::FieldChange {
                        field: format!("stock[warehouse_id={}].on_hand", r.warehouse_id),
                        before: None,
                        after: Some(format!("+{} ({})", r.quantity, r.source)),
                    }],
                )
                .await?;
                Ok(Outcome::Created)
            }
            Parsed::Master(MasterData::Product(d)) => self.upsert(tx, ctx, d).await,
            Parsed::Master(MasterData::Customer(d)) => self.upsert(tx, ctx, d).await,
            Parsed::Master(MasterData::Warehouse(d)) => self.upsert(tx, ctx, d).await,
            Parsed::Master(MasterData::Region(d)) => self.upsert(tx, ctx, d).await,
            Parsed::Master(MasterData::Store(d)) => self.upsert(tx, ctx, d).await,
            Parsed::Master(MasterData::PriceList(d)) => self.upsert(tx, ctx, d).await,
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

    /// Every record of a dataset as a table in the import layout, so an
    /// export can be edited and imported again.
    pub async fn export(&self, ctx: &Ctx, dataset: Dataset, format: Format) -> AppResult<Vec<u8>> {
        ctx.require(Permission::ExportData)?;
        ctx.require(dataset.permissions().0)?;
        let columns: Vec<String> = dataset
            .columns()
            .iter()
            .map(|c| c.trim_end_matches('*').to_string())
            .collect();
        let mut table = Table::new(format!("{}.{}", dataset.as_str(), ext(format)), columns);
        let mut tx = self.store.read().await?;
        let names = CodeNames::load(&mut tx).await?;
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
                    table.push(export_row(&rec.data, &names));
                }
            }
        }
        kaidan_io::write_table(&table, format).map_err(|e| AppError::File(e.to_string()))
    }
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

fn ext(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

fn master_code(d: &MasterData) -> &str {
    match d {
        MasterData::Product(p) => &p.sku,
        MasterData::Customer(c) => &c.code,
        MasterData::Warehouse(w) => &w.code,
        MasterData::Region(r) => &r.code,
        MasterData::Store(s) => &s.code,
        MasterData::PriceList(p) => &p.code,
    }
}

async fn parse_row(
    dataset: Dataset,
    c: &mut Cells<'_>,
    codes: &mut Codes<'_>,
    users: &mut Option<HashMap<String, UserId>>,
) -> AppResult<Option<Parsed>> {
    let same = |f: &str| f.to_string();
    let data = match dataset {
        Dataset::Products => {
            let d = ProductData {
                sku: c.text("sku"),
                name: c.text("name"),
                spec: c.opt("spec").unwrap_or_default(),
                unit: c.text("unit"),
                season: c
                    .parse("season")
                    .unwrap_or(kaidan_domain::master::Season::None),
                launch_priority: c.rank("launch_priority"),
                list_price: c.parse::<Money>("list_price").unwrap_or_default(),
                tax_rate: c
                    .parse::<TaxRate>("tax_rate")
                    .unwrap_or(TaxRate::from_basis_points(0)),
                active: c.flag("active", true),
            };
            d.validate()
                .map(MasterData::Product)
                .map_err(|v| c.absorb(v, same))
                .ok()
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
                payment_terms: c
                    .parse("payment_terms")
                    .unwrap_or(kaidan_domain::master::PaymentTerms::Prepayment),
                payment_method: c
                    .parse("payment_method")
                    .unwrap_or(kaidan_domain::master::PaymentMethod::BankTransfer),
                credit_limit: c.parse_opt::<Money>("credit_limit").unwrap_or_default(),
                price_list_id,
                sales_rep_id,
                active: c.flag("active", true),
            };
            d.validate()
                .map(MasterData::Customer)
                .map_err(|v| c.absorb(v, same))
                .ok()
        }
        Dataset::Warehouses => {
            let d = WarehouseData {
                code: c.text("code"),
                name: c.text("name"),
                address: c.opt("address"),
                is_central: c.flag("is_central", false),
                active: c.flag("active", true),
            };
            d.validate()
                .map(MasterData::Warehouse)
                .map_err(|v| c.absorb(v, same))
                .ok()
        }
        Dataset::Regions => {
            let d = RegionData {
                code: c.text("code"),
                name: c.text("name"),
                name_zh: c.opt("name_zh").unwrap_or_default(),
            };
            d.validate()
                .map(MasterData::Region)
                .map_err(|v| c.absorb(v, same))
                .ok()
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
            d.validate()
                .map(MasterData::Store)
                .map_err(|v| c.absorb(v, same))
                .ok()
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
        data.map(Parsed::Master)
    } else {
        None
    })
}

/// Codes of the records that master data refers to by id.
struct CodeNames {
    regions: BTreeMap<i64, String>,
    price_lists: BTreeMap<i64, String>,
    users: BTreeMap<i64, String>,
}

impl CodeNames {
    async fn load(tx: &mut Box<dyn Tx>) -> AppResult<CodeNames> {
        let mut regions = BTreeMap::new();
        let mut price_lists = BTreeMap::new();
        for (kind, map) in [
            (EntityKind::Region, &mut regions),
            (EntityKind::PriceList, &mut price_lists),
        ] {
            let q = ListQuery {
                limit: 100_000,
                ..Default::default()
            };
            for r in tx.master_list(kind, &q).await? {
                map.insert(r.id, master_code(&r.data).to_string());
            }
        }
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

fn export_row(d: &MasterData, n: &CodeNames) -> Vec<String> {
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
            p.unit.clone(),
            p.season.to_string(),
            p.launch_priority.to_string(),
            p.list_price.to_string(),
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
            c.payment_terms.to_string(),
            c.payment_method.to_string(),
            c.credit_limit.to_string(),
            code(&n.price_lists, c.price_list_id.map(|p| p.get())),
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
