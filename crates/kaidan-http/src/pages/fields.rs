//! How each kind of master data is shown and edited on the pages.

use kaidan_app::MasterEntity;
use kaidan_app::ports::EntityKind;
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Money,
    Rate,
    Bool,
    /// One of fixed values: (value, Chinese, English).
    Choice(&'static [(&'static str, &'static str, &'static str)]),
    /// Another record's id, chosen by code.
    Ref(EntityKind),
    /// A user's id.
    User,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Shown as a column of the list page.
    pub listed: bool,
}

const fn f(
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
    listed: bool,
) -> Field {
    Field {
        name,
        zh,
        en,
        kind,
        required,
        listed,
    }
}

pub const SEASONS: &[(&str, &str, &str)] = &[
    ("spring_summer", "春夏", "Spring/summer"),
    ("autumn_winter", "秋冬", "Autumn/winter"),
    ("none", "非季节", "Non-seasonal"),
];
const TIERS: &[(&str, &str, &str)] = &[("A", "A", "A"), ("B", "B", "B"), ("C", "C", "C")];
pub(crate) const CUSTOMER_KINDS: &[(&str, &str, &str)] = &[
    ("franchisee", "加盟商", "Franchisee"),
    ("direct_region", "直营区域", "Direct region"),
    ("affiliated", "联营", "Affiliated"),
    ("store", "店铺", "Store"),
    ("business", "企业客户", "Business"),
];
/// ALC-3: most important first, as the allocation run ranks them.
pub const IMPORTANCE: &[(&str, &str, &str)] = &[
    ("key", "重点", "Key"),
    ("important", "重要", "Important"),
    ("normal", "一般", "Normal"),
];
const TERMS: &[(&str, &str, &str)] = &[
    ("prepayment", "预付款", "Prepayment"),
    ("cash_on_delivery", "货到付款", "Cash on delivery"),
    ("monthly_settlement", "月结", "Monthly settlement"),
    ("net_days", "净N天(按账期天数)", "Net N days"),
];
const METHODS: &[(&str, &str, &str)] = &[
    ("cash", "现金", "Cash"),
    ("bank_transfer", "银行转账", "Bank transfer"),
    ("pos_card", "POS刷卡", "POS card"),
];
const OWNERSHIP: &[(&str, &str, &str)] = &[
    ("direct", "直营", "Direct"),
    ("affiliated", "联营", "Affiliated"),
];

/// What the pages know of a record type.
pub trait PageEntity: MasterEntity + utoipa::ToSchema {
    /// The URL segment: /m/{slug}.
    const SLUG: &'static str;
    /// The i18n key of its title.
    const TITLE: &'static str;
    fn fields() -> &'static [Field];
}

impl PageEntity for ProductData {
    const SLUG: &'static str = "products";
    const TITLE: &'static str = "products";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("sku", "SKU", "SKU", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f("spec", "规格", "Spec", Kind::Text, false, true),
            f("barcode", "条码", "Barcode", Kind::Text, false, false),
            f("category", "品类", "Category", Kind::Text, false, false),
            f("unit", "单位", "Unit", Kind::Text, true, true),
            f(
                "season",
                "季节",
                "Season",
                Kind::Choice(SEASONS),
                true,
                true,
            ),
            f(
                "launch_priority",
                "上市优先级",
                "Launch priority",
                Kind::Int,
                true,
                true,
            ),
            f(
                "list_price",
                "标准价(元)",
                "List price (CNY)",
                Kind::Money,
                true,
                true,
            ),
            f(
                "cost_price",
                "成本价(元)",
                "Cost price (CNY)",
                Kind::Money,
                false,
                false,
            ),
            f("tax_rate", "税率", "Tax rate", Kind::Rate, true, false),
            f("active", "启用", "Active", Kind::Bool, false, true),
        ];
        FIELDS
    }
}

impl PageEntity for CustomerData {
    const SLUG: &'static str = "customers";
    const TITLE: &'static str = "customers";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("code", "编码", "Code", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f(
                "kind",
                "类型",
                "Kind",
                Kind::Choice(CUSTOMER_KINDS),
                true,
                true,
            ),
            f(
                "region_id",
                "区域",
                "Region",
                Kind::Ref(EntityKind::Region),
                false,
                true,
            ),
            f("tier", "等级", "Tier", Kind::Choice(TIERS), false, true),
            f("priority", "优先级", "Priority", Kind::Int, true, true),
            f(
                "importance",
                "重要程度",
                "Importance",
                Kind::Choice(IMPORTANCE),
                false,
                false,
            ),
            f(
                "contact_name",
                "联系人",
                "Contact",
                Kind::Text,
                false,
                false,
            ),
            f("contact_phone", "电话", "Phone", Kind::Text, false, false),
            f("contact_email", "邮箱", "E-mail", Kind::Text, false, false),
            f("address", "地址", "Address", Kind::Text, false, false),
            f(
                "tax_number",
                "纳税人识别号",
                "Taxpayer number",
                Kind::Text,
                false,
                false,
            ),
            f(
                "bank_account",
                "开户行及账号",
                "Bank and account",
                Kind::Text,
                false,
                false,
            ),
            f(
                "payment_terms",
                "付款条件",
                "Payment terms",
                Kind::Choice(TERMS),
                true,
                true,
            ),
            // FIN-2: the N of net-days terms; empty for any other terms.
            f("net_days", "账期天数", "Net days", Kind::Int, false, true),
            f(
                "payment_method",
                "付款方式",
                "Payment method",
                Kind::Choice(METHODS),
                true,
                false,
            ),
            f(
                "credit_limit",
                "信用额度(元)",
                "Credit limit (CNY)",
                Kind::Money,
                false,
                true,
            ),
            f(
                "price_list_id",
                "价格表",
                "Price list",
                Kind::Ref(EntityKind::PriceList),
                false,
                false,
            ),
            f(
                "sales_rep_id",
                "销售代表",
                "Sales rep",
                Kind::User,
                false,
                false,
            ),
            f("active", "启用", "Active", Kind::Bool, false, false),
        ];
        FIELDS
    }
}

impl PageEntity for WarehouseData {
    const SLUG: &'static str = "warehouses";
    const TITLE: &'static str = "warehouses";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("code", "编码", "Code", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f("address", "地址", "Address", Kind::Text, false, true),
            f("is_central", "总仓", "Central", Kind::Bool, false, true),
            f("active", "启用", "Active", Kind::Bool, false, true),
        ];
        FIELDS
    }
}

impl PageEntity for RegionData {
    const SLUG: &'static str = "regions";
    const TITLE: &'static str = "regions";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("code", "编码", "Code", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f("name_zh", "中文名", "Chinese name", Kind::Text, false, true),
        ];
        FIELDS
    }
}

impl PageEntity for StoreData {
    const SLUG: &'static str = "stores";
    const TITLE: &'static str = "stores";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("code", "编码", "Code", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f(
                "region_id",
                "区域",
                "Region",
                Kind::Ref(EntityKind::Region),
                true,
                true,
            ),
            f(
                "ownership",
                "经营方式",
                "Ownership",
                Kind::Choice(OWNERSHIP),
                true,
                true,
            ),
            f("tier", "等级", "Tier", Kind::Choice(TIERS), true, true),
            f(
                "priority",
                "等级内优先级",
                "Priority in tier",
                Kind::Int,
                true,
                true,
            ),
            f("active", "启用", "Active", Kind::Bool, false, true),
        ];
        FIELDS
    }
}

impl PageEntity for PriceListData {
    const SLUG: &'static str = "price-lists";
    const TITLE: &'static str = "price_lists";
    fn fields() -> &'static [Field] {
        const FIELDS: &[Field] = &[
            f("code", "编码", "Code", Kind::Text, true, true),
            f("name", "名称", "Name", Kind::Text, true, true),
            f(
                "valid_from",
                "生效日期",
                "Valid from",
                Kind::Text,
                false,
                true,
            ),
            f("valid_to", "失效日期", "Valid to", Kind::Text, false, true),
        ];
        FIELDS
    }
}
