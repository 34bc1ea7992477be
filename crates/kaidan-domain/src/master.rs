//! Master data: the records orders, stock and allocation refer to. Each
//! `*Data` struct is what a user enters; `validate` cleans it (trims text) and
//! reports every bad field at once.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{Money, PriceListId, ProductId, Quantity, RegionId, TaxRate, UserId};

string_enum!(
    /// What kind of customer (ALC-1 serves franchisees before the others).
    CustomerKind {
        Franchisee = "franchisee",
        DirectRegion = "direct_region",
        Affiliated = "affiliated",
        Store = "store",
        Business = "business",
    }
);

string_enum!(
    /// Store tier: A is served before B before C (ALC-7).
    Tier { A = "A", B = "B", C = "C" }
);

string_enum!(
    /// Payment terms (FIN-2).
    PaymentTerms {
        Prepayment = "prepayment",
        CashOnDelivery = "cash_on_delivery",
        MonthlySettlement = "monthly_settlement",
        /// A number of days after the invoice date (净N天); the number is
        /// the customer's [`CustomerData::net_days`] (ADR 0028).
        NetDays = "net_days",
    }
);

/// The longest net-days term a customer may have: a year, like the longest
/// settlement period finance may configure.
pub const MAX_NET_DAYS: u32 = 366;

string_enum!(
    /// Payment methods (FIN-2).
    PaymentMethod {
        Cash = "cash",
        BankTransfer = "bank_transfer",
        PosCard = "pos_card",
    }
);

string_enum!(
    /// A product's season (ALC-6, ALC-8).
    Season {
        SpringSummer = "spring_summer",
        AutumnWinter = "autumn_winter",
        None = "none",
    }
);

string_enum!(
    /// Who runs a store: directly operated (直营) or affiliated (联营).
    StoreOwnership {
        Direct = "direct",
        Affiliated = "affiliated",
    }
);

string_enum!(
    /// How important a franchisee is to the company (重要程度), one of the
    /// facts of its predefined priority (ALC-3, seed 003 §6.4.2.3). Declared
    /// most important first: among franchisees of the same priority rank
    /// the allocation run serves `key` before `important` before `normal`,
    /// and an ungraded one last (ADR 0017).
    Importance {
        /// 重点
        Key = "key",
        /// 重要
        Important = "important",
        /// 一般
        Normal = "normal",
    }
);

/// A customer (ORD-2, FIN-2, ALC inputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerData {
    pub code: String,
    pub name: String,
    pub kind: CustomerKind,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub region_id: Option<RegionId>,
    #[serde(default)]
    pub tier: Option<Tier>,
    /// 1 = served first among its kind.
    #[serde(default = "default_rank")]
    pub priority: i32,
    /// Importance (ALC-3); none: not graded.
    #[serde(default)]
    pub importance: Option<Importance>,
    pub payment_terms: PaymentTerms,
    /// Net-days terms (FIN-2, FIN-4): an invoice falls due this many days
    /// (1–366) after its date. Required with `net_days` terms and refused
    /// with any other, so a stored number always means what it says.
    #[serde(default)]
    pub net_days: Option<u32>,
    pub payment_method: PaymentMethod,
    /// The buyer's taxpayer number (纳税人识别号), printed on VAT invoices.
    #[serde(default)]
    pub tax_number: Option<String>,
    /// The buyer's bank and account (开户行及账号), printed on VAT invoices.
    #[serde(default)]
    pub bank_account: Option<String>,
    #[serde(default)]
    pub credit_limit: Money,
    #[serde(default)]
    pub price_list_id: Option<PriceListId>,
    #[serde(default)]
    pub sales_rep_id: Option<UserId>,
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_rank() -> i32 {
    1
}

fn default_true() -> bool {
    true
}

impl CustomerData {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, 32);
        let name = e.text("name", &self.name, 200);
        let contact_name = e.optional_text("contact_name", self.contact_name.as_deref(), 100);
        let contact_phone = e.optional_text("contact_phone", self.contact_phone.as_deref(), 50);
        let contact_email = e.optional_text("contact_email", self.contact_email.as_deref(), 200);
        if let Some(mail) = &contact_email
            && (!mail.contains('@') || mail.starts_with('@') || mail.ends_with('@'))
        {
            e.add("contact_email", "invalid", "is not an e-mail address");
        }
        let address = e.optional_text("address", self.address.as_deref(), 500);
        let tax_number = e.optional_text("tax_number", self.tax_number.as_deref(), 20);
        if let Some(t) = &tax_number
            && (t.len() < 15 || !t.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            e.add(
                "tax_number",
                "invalid",
                "a taxpayer number has 15 to 20 letters and digits",
            );
        }
        let bank_account = e.optional_text("bank_account", self.bank_account.as_deref(), 200);
        let priority = e.rank("priority", self.priority);
        if self.credit_limit.is_negative() {
            e.negative("credit_limit");
        }
        match (self.payment_terms, self.net_days) {
            (PaymentTerms::NetDays, None) => e.add(
                "net_days",
                "required",
                "net-days terms need the number of days (1 to 366)",
            ),
            (PaymentTerms::NetDays, Some(n)) if !(1..=MAX_NET_DAYS).contains(&n) => e.add(
                "net_days",
                "out_of_range",
                format!("a number of days from 1 to {MAX_NET_DAYS}"),
            ),
            (terms, Some(_)) if terms != PaymentTerms::NetDays => e.add(
                "net_days",
                "not_allowed",
                format!("only net-days terms have a number of days; these are {terms} terms"),
            ),
            _ => {}
        }
        e.into_result(CustomerData {
            code,
            name,
            contact_name,
            contact_phone,
            contact_email,
            address,
            tax_number,
            bank_account,
            priority,
            ..self
        })
    }
}

/// The longest bar code, in characters (GS1-128 carries at most 48).
pub const MAX_BARCODE_CHARS: usize = 48;

/// The longest product category name (品类), in characters.
pub const MAX_CATEGORY_CHARS: usize = 64;

/// A product (SKU) with its list price and allocation attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductData {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub spec: String,
    /// The bar code printed on the goods (EAN-13, UPC, GS1), empty when it
    /// has none: order entry finds a product by it. Unique when set.
    #[serde(default)]
    pub barcode: String,
    /// The product category (品类) whose return and warranty periods
    /// apply (AFS-1); empty: the company's default periods.
    #[serde(default)]
    pub category: String,
    pub unit: String,
    pub season: Season,
    /// Launch-plan priority, 1 = first (ALC-4).
    #[serde(default = "default_rank")]
    pub launch_priority: i32,
    pub list_price: Money,
    /// What a unit costs the company (成本价), VAT included like the list
    /// price: the order gross margin and the inventory turnover (KPI-5).
    /// Confidential like every price.
    #[serde(default)]
    pub cost_price: Option<Money>,
    pub tax_rate: TaxRate,
    #[serde(default = "default_true")]
    pub active: bool,
}

impl ProductData {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let sku = e.code("sku", &self.sku, 64);
        let name = e.text("name", &self.name, 200);
        let spec = e.trimmed("spec", &self.spec, 200);
        let barcode = self.barcode.trim().to_string();
        if !barcode.is_empty() {
            e.code("barcode", &barcode, MAX_BARCODE_CHARS);
        }
        let category = e.trimmed("category", &self.category, MAX_CATEGORY_CHARS);
        let unit = e.text("unit", &self.unit, 16);
        let launch_priority = e.rank("launch_priority", self.launch_priority);
        if self.list_price.is_negative() {
            e.negative("list_price");
        }
        if self.cost_price.is_some_and(Money::is_negative) {
            e.negative("cost_price");
        }
        e.into_result(ProductData {
            sku,
            name,
            spec,
            barcode,
            category,
            unit,
            launch_priority,
            ..self
        })
    }
}

/// A warehouse; the central warehouse (总仓) picks and ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WarehouseData {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub is_central: bool,
    #[serde(default = "default_true")]
    pub active: bool,
}

impl WarehouseData {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, 32);
        let name = e.text("name", &self.name, 200);
        let address = e.optional_text("address", self.address.as_deref(), 500);
        e.into_result(WarehouseData {
            code,
            name,
            address,
            ..self
        })
    }
}

/// A sales region of direct-operated and affiliated stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegionData {
    pub code: String,
    pub name: String,
    /// Chinese name as the regulations write it (e.g. 深圳).
    #[serde(default)]
    pub name_zh: String,
}

impl RegionData {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, 32);
        let name = e.text("name", &self.name, 100);
        let name_zh = e.trimmed("name_zh", &self.name_zh, 100);
        e.into_result(RegionData {
            code,
            name,
            name_zh,
        })
    }
}

/// The order in which regions are served in a season (ALC-6). Data, not code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegionPriorityList {
    pub season: Season,
    /// First = served first.
    pub regions: Vec<RegionId>,
}

impl RegionPriorityList {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        e.once_each(self.regions.iter(), |i| format!("regions[{i}]"), "region");
        e.into_result(self)
    }
}

/// A direct-operated or affiliated store (ALC-7, ALC-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StoreData {
    pub code: String,
    pub name: String,
    pub region_id: RegionId,
    pub ownership: StoreOwnership,
    pub tier: Tier,
    /// Priority within its tier, 1 = first.
    #[serde(default = "default_rank")]
    pub priority: i32,
    #[serde(default = "default_true")]
    pub active: bool,
}

impl StoreData {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, 32);
        let name = e.text("name", &self.name, 200);
        let priority = e.rank("priority", self.priority);
        e.into_result(StoreData {
            code,
            name,
            priority,
            ..self
        })
    }
}

/// Safety stock of one product in one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafetyStock {
    pub product_id: ProductId,
    pub quantity: Quantity,
}

/// Checks a store's safety stock levels: each product once. Field names
/// point into `[i]`.
pub fn check_safety_stock(levels: &[SafetyStock]) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let products = levels.iter().map(|l| l.product_id);
    e.once_each(products, |i| format!("[{i}].product_id"), "product");
    e.into_result(())
}

/// A price list: the price of each product for the customers that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceListData {
    pub code: String,
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_to: Option<Date>,
    #[serde(default)]
    pub items: Vec<PriceListItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceListItem {
    pub product_id: ProductId,
    pub price: Money,
}

impl PriceListData {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, 32);
        let name = e.text("name", &self.name, 200);
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            e.add("valid_to", "before_start", "must not be before valid_from");
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, item) in self.items.iter().enumerate() {
            if !seen.insert(item.product_id) {
                e.duplicate(
                    format!("items[{i}].product_id"),
                    format!("product {} has two prices", item.product_id),
                );
            }
            if item.price.is_negative() {
                e.negative(format!("items[{i}].price"));
            }
        }
        self.items.sort_by_key(|i| i.product_id);
        e.into_result(PriceListData { code, name, ..self })
    }

    pub fn price_of(&self, product: ProductId) -> Option<Money> {
        self.items
            .binary_search_by_key(&product, |i| i.product_id)
            .ok()
            .and_then(|i| self.items.get(i))
            .map(|i| i.price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn product() -> ProductData {
        ProductData {
            sku: " SKU-1 ".into(),
            name: "T恤".into(),
            spec: "M".into(),
            barcode: String::new(),
            category: String::new(),
            unit: "件".into(),
            season: Season::SpringSummer,
            launch_priority: 1,
            list_price: Money::yuan(99),
            cost_price: None,
            tax_rate: TaxRate::new(Decimal::new(13, 2)).unwrap(),
            active: true,
        }
    }

    #[test]
    fn validation_trims_and_accepts() {
        assert_eq!(product().validate().unwrap().sku, "SKU-1");
    }

    #[test]
    fn ord_3_validation_reports_every_bad_field() {
        let bad = ProductData {
            sku: "has space".into(),
            name: "  ".into(),
            unit: String::new(),
            launch_priority: 0,
            list_price: -Money::yuan(1),
            ..product()
        };
        let err = bad.validate().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["sku", "name", "unit", "launch_priority", "list_price"]
        );
    }

    #[test]
    fn price_list_refuses_duplicate_products() {
        let pl = PriceListData {
            code: "PL".into(),
            name: "标准价".into(),
            valid_from: None,
            valid_to: None,
            items: vec![
                PriceListItem {
                    product_id: ProductId(1),
                    price: Money::yuan(1),
                },
                PriceListItem {
                    product_id: ProductId(1),
                    price: Money::yuan(2),
                },
            ],
        };
        let err = pl.validate().unwrap_err();
        assert_eq!(err.errors[0].field, "items[1].product_id");
    }

    fn customer(terms: PaymentTerms, net_days: Option<u32>) -> CustomerData {
        CustomerData {
            code: "C1".into(),
            name: "上海某公司".into(),
            kind: CustomerKind::Business,
            contact_name: None,
            contact_phone: None,
            contact_email: None,
            address: None,
            region_id: None,
            tier: None,
            priority: 1,
            importance: None,
            payment_terms: terms,
            net_days,
            payment_method: PaymentMethod::BankTransfer,
            tax_number: None,
            bank_account: None,
            credit_limit: Money::ZERO,
            price_list_id: None,
            sales_rep_id: None,
            active: true,
        }
    }

    /// FIN-2: net-days terms carry their number of days (1–366), and only
    /// they do; a bad number is refused naming `net_days`.
    #[test]
    fn fin_2_net_days_are_required_bounded_and_only_for_net_days_terms() {
        use PaymentTerms::*;
        for ok in [
            (NetDays, Some(1)),
            (NetDays, Some(30)),
            (NetDays, Some(366)),
        ] {
            assert_eq!(customer(ok.0, ok.1).validate().unwrap().net_days, ok.1);
        }
        assert!(customer(MonthlySettlement, None).validate().is_ok());
        for (terms, days, code) in [
            (NetDays, None, "required"),
            (NetDays, Some(0), "out_of_range"),
            (NetDays, Some(367), "out_of_range"),
            (MonthlySettlement, Some(30), "not_allowed"),
            (Prepayment, Some(1), "not_allowed"),
        ] {
            let e = customer(terms, days).validate().unwrap_err();
            assert_eq!(e.errors.len(), 1, "{e:?}");
            assert_eq!(e.errors[0].field, "net_days");
            assert_eq!(e.errors[0].code, code, "{terms} {days:?}");
        }
    }
}
