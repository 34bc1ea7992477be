//! What the generic master-data use cases need to know of each record type.

use kaidan_domain::field_rules::{Record, Visibility};
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use kaidan_domain::{Actor, Permission, ValidationErrors};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ports::{EntityKind, MasterData};

/// A record this one points to, checked to exist before writing so the
/// error can name the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub field: String,
    pub target: Target,
    pub id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Master(EntityKind),
    User,
}

pub trait MasterEntity:
    Sized + Clone + Serialize + DeserializeOwned + Send + Sync + 'static
{
    const KIND: EntityKind;
    /// For messages: "product", "customer", ...
    const WHAT: &'static str;
    const READ: Permission;
    const WRITE: Permission;

    fn clean(self) -> Result<Self, ValidationErrors>;
    fn wrap(self) -> MasterData;
    fn unwrap(data: MasterData) -> Option<Self>;
    /// The unique business key (SKU or code).
    fn code(&self) -> &str;
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }
    /// The record of the field rules (SEC-4, ADR 0026) this type is, when
    /// it has confidential fields.
    const FIELDS: Option<Record> = None;

    /// Fields this actor may not see (SEC-4): shown as null. Read from the
    /// one table of field rules, never listed here.
    fn hidden_fields(actor: &Actor) -> Vec<&'static str> {
        let Some(record) = Self::FIELDS else {
            return Vec::new();
        };
        Visibility::of(actor)
            .hidden()
            .iter()
            .filter(|f| f.record() == record)
            .map(|f| f.path())
            .collect()
    }
}

fn reference(field: impl Into<String>, target: Target, id: i64) -> Reference {
    Reference {
        field: field.into(),
        target,
        id,
    }
}

/// The parts every record type spells the same way: its kind, its name in
/// messages, its two permissions, its `MasterData` variant and its key field.
macro_rules! entity {
    ($variant:ident, $what:literal, $read:ident, $write:ident, $code:ident) => {
        const KIND: EntityKind = EntityKind::$variant;
        const WHAT: &'static str = $what;
        const READ: Permission = Permission::$read;
        const WRITE: Permission = Permission::$write;

        fn clean(self) -> Result<Self, ValidationErrors> {
            self.validate()
        }
        fn wrap(self) -> MasterData {
            MasterData::$variant(self)
        }
        fn unwrap(data: MasterData) -> Option<Self> {
            match data {
                MasterData::$variant(d) => Some(d),
                _ => None,
            }
        }
        fn code(&self) -> &str {
            &self.$code
        }
    };
}

impl MasterEntity for ProductData {
    entity!(Product, "product", ProductRead, ProductWrite, sku);
    const FIELDS: Option<Record> = Some(Record::Product);
}

impl MasterEntity for CustomerData {
    entity!(Customer, "customer", CustomerRead, CustomerWrite, code);
    const FIELDS: Option<Record> = Some(Record::Customer);

    fn references(&self) -> Vec<Reference> {
        let mut r = Vec::new();
        if let Some(id) = self.region_id {
            r.push(reference(
                "region_id",
                Target::Master(EntityKind::Region),
                id.get(),
            ));
        }
        if let Some(id) = self.price_list_id {
            r.push(reference(
                "price_list_id",
                Target::Master(EntityKind::PriceList),
                id.get(),
            ));
        }
        if let Some(id) = self.sales_rep_id {
            r.push(reference("sales_rep_id", Target::User, id.get()));
        }
        r
    }
}

impl MasterEntity for WarehouseData {
    entity!(Warehouse, "warehouse", WarehouseRead, WarehouseWrite, code);
}

impl MasterEntity for RegionData {
    entity!(Region, "region", RegionRead, RegionWrite, code);
}

impl MasterEntity for StoreData {
    entity!(Store, "store", StoreRead, StoreWrite, code);

    fn references(&self) -> Vec<Reference> {
        vec![reference(
            "region_id",
            Target::Master(EntityKind::Region),
            self.region_id.get(),
        )]
    }
}

impl MasterEntity for PriceListData {
    entity!(PriceList, "price list", PriceRead, PriceWrite, code);

    fn references(&self) -> Vec<Reference> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                reference(
                    format!("items[{i}].product_id"),
                    Target::Master(EntityKind::Product),
                    item.product_id.get(),
                )
            })
            .collect()
    }
}
