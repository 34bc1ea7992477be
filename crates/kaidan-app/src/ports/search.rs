//! Finding things by what a person types (issue 21): products for order
//! entry, and anything with a number, code or name for the search box.

use async_trait::async_trait;
use serde::Serialize;

use jiff::Timestamp;
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, TaxRate};

use super::StoreError;

/// A product as order entry shows it in the list of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHit {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub barcode: String,
    pub unit: String,
    pub list_price: Money,
    pub tax_rate: TaxRate,
    pub active: bool,
}

/// What a search hit is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Order,
    Customer,
    Product,
    Shipment,
    PickList,
    PurchaseOrder,
    Transfer,
    Invoice,
    Return,
    Complaint,
    Contract,
}

impl HitKind {
    pub const ALL: [HitKind; 11] = [
        HitKind::Order,
        HitKind::Customer,
        HitKind::Product,
        HitKind::Shipment,
        HitKind::PickList,
        HitKind::PurchaseOrder,
        HitKind::Transfer,
        HitKind::Invoice,
        HitKind::Return,
        HitKind::Complaint,
        HitKind::Contract,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Order => "order",
            HitKind::Customer => "customer",
            HitKind::Product => "product",
            HitKind::Shipment => "shipment",
            HitKind::PickList => "pick_list",
            HitKind::PurchaseOrder => "purchase_order",
            HitKind::Transfer => "transfer",
            HitKind::Invoice => "invoice",
            HitKind::Return => "return",
            HitKind::Complaint => "complaint",
            HitKind::Contract => "contract",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HitKind::Order => "订单",
            HitKind::Customer => "客户",
            HitKind::Product => "商品",
            HitKind::Shipment => "发货单",
            HitKind::PickList => "拣货单",
            HitKind::PurchaseOrder => "采购单",
            HitKind::Transfer => "调拨单",
            HitKind::Invoice => "发票",
            HitKind::Return => "退货单",
            HitKind::Complaint => "投诉",
            HitKind::Contract => "合同",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HitKind::Order => "Order",
            HitKind::Customer => "Customer",
            HitKind::Product => "Product",
            HitKind::Shipment => "Shipment",
            HitKind::PickList => "Pick list",
            HitKind::PurchaseOrder => "Purchase order",
            HitKind::Transfer => "Transfer",
            HitKind::Invoice => "Invoice",
            HitKind::Return => "Return",
            HitKind::Complaint => "Complaint",
            HitKind::Contract => "Contract",
        }
    }
}

/// One thing the search box found, before the use case decides whether the
/// caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    pub kind: HitKind,
    pub id: i64,
    /// The number, code or SKU.
    pub key: String,
    /// A name or the customer's name.
    pub detail: String,
    /// The customer it belongs to, for the portal's own-customer rule.
    pub customer_id: Option<CustomerId>,
}

/// One of a customer's open orders, as order entry lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrderRow {
    pub id: OrderId,
    pub number: Option<String>,
    pub status: OrderStatus,
    pub amount: Money,
    pub received_at: Timestamp,
}

#[async_trait]
pub trait SearchTx: Send {
    /// How many of the customer's orders are in one of `statuses`, their
    /// amount, and the newest `limit` of them.
    async fn customer_open_orders(
        &mut self,
        customer: CustomerId,
        statuses: &[OrderStatus],
        limit: u32,
    ) -> Result<(u64, Money, Vec<OpenOrderRow>), StoreError>;

    /// Active products whose SKU, name or spec hold every word of `words`, or whose
    /// bar code is `words` exactly; exact SKU and bar code first, then SKU
    /// prefixes, then by SKU. At most `limit`.
    async fn product_search(
        &mut self,
        words: &[String],
        limit: u32,
    ) -> Result<Vec<ProductHit>, StoreError>;

    /// The products whose SKU or bar code is one of `codes`, exactly.
    async fn products_by_code(&mut self, codes: &[String]) -> Result<Vec<ProductHit>, StoreError>;

    /// Of the kinds in `kinds`, up to `limit` rows each whose number starts
    /// with `text`, whose code, name or reference holds it, or whose
    /// tracking number is it.
    async fn search_rows(
        &mut self,
        text: &str,
        kinds: &[HitKind],
        limit: u32,
    ) -> Result<Vec<SearchRow>, StoreError>;
}
