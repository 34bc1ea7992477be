//! Import and export of master data and opening stock as CSV or Excel
//! (INT-4). An import is all or nothing: every bad row is reported with
//! file, row, column and reason, and then nothing from that file is written.
//! Rows whose code already exists update that record (upsert by code).

mod export;
mod import;
mod orders;
mod table;
mod tracking;

pub use table::{Row, Table};

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use kaidan_domain::Permission;
use kaidan_domain::master::{CustomerData, ProductData, RegionData, StoreData, WarehouseData};
use serde::Serialize;

use crate::error::AppResult;
use crate::master::entity::MasterEntity;
use crate::ports::{EntityKind, ListQuery, MasterData, Tx};

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
                "barcode",
                "category",
                "unit*",
                "season*",
                "launch_priority",
                "list_price*",
                "cost_price",
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
                "importance",
                "payment_terms*",
                "net_days",
                "payment_method*",
                "tax_number",
                "bank_account",
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

/// Ids of records by their code, each code looked up once per file.
#[derive(Default)]
pub(crate) struct CodeIds(HashMap<(EntityKind, String), Option<i64>>);

impl CodeIds {
    pub(crate) async fn get(
        &mut self,
        tx: &mut Box<dyn Tx>,
        kind: EntityKind,
        code: &str,
    ) -> AppResult<Option<i64>> {
        if let Some(v) = self.0.get(&(kind, code.to_string())) {
            return Ok(*v);
        }
        let v = tx.master_id_by_code(kind, code).await?;
        self.0.insert((kind, code.to_string()), v);
        Ok(v)
    }
}

/// Reads one row's cells, collecting every problem.
pub(crate) struct Cells<'a> {
    pub(crate) table: &'a Table,
    pub(crate) row: &'a Row,
    pub(crate) errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    pub(crate) fn new(table: &'a Table, row: &'a Row) -> Self {
        Cells {
            table,
            row,
            errors: Vec::new(),
        }
    }

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
    /// The record as master data, or its validation errors on this row (a
    /// field of the record is the column of the same name).
    fn checked<T: MasterEntity>(&mut self, record: T) -> Option<MasterData> {
        match record.clean() {
            Ok(record) => Some(record.wrap()),
            Err(v) => {
                for e in v.errors {
                    self.err(&e.field, e.message);
                }
                None
            }
        }
    }
}

/// The code (or SKU) of every record of `kind` by its id, for exports that
/// name records the way an import does.
pub(crate) async fn codes_by_id(
    tx: &mut Box<dyn Tx>,
    kind: EntityKind,
) -> AppResult<BTreeMap<i64, String>> {
    let q = ListQuery {
        limit: 100_000,
        ..Default::default()
    };
    let records = tx.master_list(kind, &q).await?;
    Ok(records
        .into_iter()
        .map(|r| (r.id, master_code(&r.data).to_string()))
        .collect())
}

/// The business key of a master record (its code or SKU).
pub(crate) fn master_code(d: &MasterData) -> &str {
    match d {
        MasterData::Product(p) => &p.sku,
        MasterData::Customer(c) => &c.code,
        MasterData::Warehouse(w) => &w.code,
        MasterData::Region(r) => &r.code,
        MasterData::Store(s) => &s.code,
        MasterData::PriceList(p) => &p.code,
    }
}
