//! How each kind of master-data record maps to its table's columns.

use kaidan_app::ports::{EntityKind, MasterData, StoreError};
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use kaidan_domain::{Money, PriceListId, RegionId, TaxRate, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val};

pub(crate) struct Table {
    pub name: &'static str,
    /// The unique business key (`sku` or `code`).
    pub code: &'static str,
    /// Content columns, in the order `values` returns them.
    pub columns: &'static [&'static str],
}

pub(crate) fn table(kind: EntityKind) -> Table {
    match kind {
        EntityKind::Product => Table {
            name: "products",
            code: "sku",
            columns: &[
                "sku",
                "name",
                "spec",
                "barcode",
                "category",
                "unit",
                "season",
                "launch_priority",
                "list_price",
                "cost_price",
                "tax_rate_bp",
                "active",
            ],
        },
        EntityKind::Customer => Table {
            name: "customers",
            code: "code",
            columns: &[
                "code",
                "name",
                "kind",
                "contact_name",
                "contact_phone",
                "contact_email",
                "address",
                "region_id",
                "tier",
                "priority",
                "importance",
                "payment_terms",
                "net_days",
                "payment_method",
                "tax_number",
                "bank_account",
                "credit_limit",
                "price_list_id",
                "sales_rep_id",
                "active",
            ],
        },
        EntityKind::Warehouse => Table {
            name: "warehouses",
            code: "code",
            columns: &["code", "name", "address", "is_central", "active"],
        },
        EntityKind::Region => Table {
            name: "regions",
            code: "code",
            columns: &["code", "name", "name_zh"],
        },
        EntityKind::Store => Table {
            name: "stores",
            code: "code",
            columns: &[
                "code",
                "name",
                "region_id",
                "ownership",
                "tier",
                "priority",
                "active",
            ],
        },
        EntityKind::PriceList => Table {
            name: "price_lists",
            code: "code",
            columns: &["code", "name", "valid_from", "valid_to"],
        },
    }
}

fn t(s: &str) -> Val {
    Val::T(s.to_string())
}

fn ot(s: &Option<String>) -> Val {
    Val::OptT(s.clone())
}

/// The column values of a record, in `Table::columns` order.
pub(crate) fn values(data: &MasterData) -> Vec<Val> {
    match data {
        MasterData::Product(p) => vec![
            t(&p.sku),
            t(&p.name),
            t(&p.spec),
            t(&p.barcode),
            t(&p.category),
            t(&p.unit),
            t(p.season.as_str()),
            Val::I(p.launch_priority.into()),
            Val::I(p.list_price.units()),
            Val::OptI(p.cost_price.map(Money::units)),
            Val::I(p.tax_rate.basis_points()),
            Val::B(p.active),
        ],
        MasterData::Customer(c) => vec![
            t(&c.code),
            t(&c.name),
            t(c.kind.as_str()),
            ot(&c.contact_name),
            ot(&c.contact_phone),
            ot(&c.contact_email),
            ot(&c.address),
            Val::OptI(c.region_id.map(|r| r.get())),
            Val::OptT(c.tier.map(|t| t.as_str().to_string())),
            Val::I(c.priority.into()),
            Val::OptT(c.importance.map(|i| i.as_str().to_string())),
            t(c.payment_terms.as_str()),
            Val::OptI(c.net_days.map(i64::from)),
            t(c.payment_method.as_str()),
            ot(&c.tax_number),
            ot(&c.bank_account),
            Val::I(c.credit_limit.units()),
            Val::OptI(c.price_list_id.map(|p| p.get())),
            Val::OptI(c.sales_rep_id.map(|u| u.get())),
            Val::B(c.active),
        ],
        MasterData::Warehouse(w) => vec![
            t(&w.code),
            t(&w.name),
            ot(&w.address),
            Val::B(w.is_central),
            Val::B(w.active),
        ],
        MasterData::Region(r) => vec![t(&r.code), t(&r.name), t(&r.name_zh)],
        MasterData::Store(s) => vec![
            t(&s.code),
            t(&s.name),
            Val::I(s.region_id.get()),
            t(s.ownership.as_str()),
            t(s.tier.as_str()),
            Val::I(s.priority.into()),
            Val::B(s.active),
        ],
        MasterData::PriceList(p) => vec![
            t(&p.code),
            t(&p.name),
            Val::OptT(p.valid_from.map(|d| d.to_string())),
            Val::OptT(p.valid_to.map(|d| d.to_string())),
        ],
    }
}

fn rank(r: &impl RowExt, col: &str) -> Result<i32, StoreError> {
    let v = r.i64(col)?;
    i32::try_from(v).map_err(|_| corrupt(format!("{col} {v}")))
}

/// A record's content from its row. Price-list items are loaded separately.
pub(crate) fn from_row(kind: EntityKind, r: &impl RowExt) -> Result<MasterData, StoreError> {
    Ok(match kind {
        EntityKind::Product => MasterData::Product(ProductData {
            sku: r.text("sku")?,
            name: r.text("name")?,
            spec: r.text("spec")?,
            barcode: r.text("barcode")?,
            category: r.text("category")?,
            unit: r.text("unit")?,
            season: r.parsed("season")?,
            launch_priority: rank(r, "launch_priority")?,
            list_price: Money::from_units(r.i64("list_price")?),
            cost_price: r.opt_i64("cost_price")?.map(Money::from_units),
            tax_rate: TaxRate::from_basis_points(r.i64("tax_rate_bp")?),
            active: r.bool("active")?,
        }),
        EntityKind::Customer => MasterData::Customer(CustomerData {
            code: r.text("code")?,
            name: r.text("name")?,
            kind: r.parsed("kind")?,
            contact_name: r.opt_text("contact_name")?,
            contact_phone: r.opt_text("contact_phone")?,
            contact_email: r.opt_text("contact_email")?,
            address: r.opt_text("address")?,
            region_id: r.opt_i64("region_id")?.map(RegionId),
            tier: r.opt_parsed("tier")?,
            priority: rank(r, "priority")?,
            importance: r.opt_parsed("importance")?,
            payment_terms: r.parsed("payment_terms")?,
            net_days: r
                .opt_i64("net_days")?
                .map(|n| u32::try_from(n).map_err(|_| corrupt(format!("net_days {n}"))))
                .transpose()?,
            payment_method: r.parsed("payment_method")?,
            tax_number: r.opt_text("tax_number")?,
            bank_account: r.opt_text("bank_account")?,
            credit_limit: Money::from_units(r.i64("credit_limit")?),
            price_list_id: r.opt_i64("price_list_id")?.map(PriceListId),
            sales_rep_id: r.opt_i64("sales_rep_id")?.map(UserId),
            active: r.bool("active")?,
        }),
        EntityKind::Warehouse => MasterData::Warehouse(WarehouseData {
            code: r.text("code")?,
            name: r.text("name")?,
            address: r.opt_text("address")?,
            is_central: r.bool("is_central")?,
            active: r.bool("active")?,
        }),
        EntityKind::Region => MasterData::Region(RegionData {
            code: r.text("code")?,
            name: r.text("name")?,
            name_zh: r.text("name_zh")?,
        }),
        EntityKind::Store => MasterData::Store(StoreData {
            code: r.text("code")?,
            name: r.text("name")?,
            region_id: RegionId(r.i64("region_id")?),
            ownership: r.parsed("ownership")?,
            tier: r.parsed("tier")?,
            priority: rank(r, "priority")?,
            active: r.bool("active")?,
        }),
        EntityKind::PriceList => MasterData::PriceList(PriceListData {
            code: r.text("code")?,
            name: r.text("name")?,
            valid_from: r.opt_parsed("valid_from")?,
            valid_to: r.opt_parsed("valid_to")?,
            items: Vec::new(),
        }),
    })
}
