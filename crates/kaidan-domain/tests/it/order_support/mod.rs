//! Shared fixtures of the order tests: three products, a price list, a
//! customer and a two-line order whose figures are worked out by hand.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::{Date, date};
use kaidan_domain::master::{PaymentMethod, PaymentTerms, PriceListItem};
use kaidan_domain::orders::{
    Channel, CustomerDefaults, OrderInput, OrderLineInput, PriceBook, PricedOrder, ProductFacts,
    price_order,
};
use kaidan_domain::{CustomerId, Money, ProductId, TaxRate};

pub fn m(s: &str) -> Money {
    s.parse().unwrap()
}

pub const TODAY: Date = date(2026, 11, 20);

pub fn vat13() -> TaxRate {
    "13%".parse().unwrap()
}

pub fn product(id: i64, sku: &str, name: &str, price: &str, active: bool) -> ProductFacts {
    ProductFacts {
        product_id: ProductId(id),
        sku: sku.into(),
        name: name.into(),
        spec: "M".into(),
        unit: "件".into(),
        active,
        list_price: m(price),
        tax_rate: vat13(),
    }
}

/// 1: T恤 99.00 (price list 89.00), 2: 夹克 299.00, 3: 旧款 inactive.
pub fn book() -> PriceBook {
    PriceBook::new(
        [
            product(1, "TS-M", "T恤", "99", true),
            product(2, "JK-L", "夹克", "299", true),
            product(3, "OLD-1", "旧款", "10", false),
        ],
        [PriceListItem {
            product_id: ProductId(1),
            price: m("89"),
        }],
    )
}

pub fn defaults() -> CustomerDefaults {
    CustomerDefaults {
        payment_method: PaymentMethod::BankTransfer,
        payment_terms: PaymentTerms::MonthlySettlement,
        contact_name: Some("王经理".into()),
        contact_phone: Some("020-12345678".into()),
        address: Some("广州市天河区体育西路1号".into()),
    }
}

pub fn line(product: i64, quantity: i64, price: Option<&str>) -> OrderLineInput {
    OrderLineInput {
        product_id: ProductId(product),
        quantity,
        unit_price: price.map(m),
        note: None,
    }
}

/// 10 × T恤 at the price list (89.00) and 3 × 夹克 at a given 280.00.
pub fn input() -> OrderInput {
    let lines = vec![line(1, 10, None), line(2, 3, Some("280"))];
    OrderInput {
        customer_reference: Some("PO-2026-118".into()),
        requested_delivery_date: Some(date(2026, 11, 27)),
        ..OrderInput::new(CustomerId(7), Channel::Phone, TODAY, lines)
    }
}

/// The priced fixture order: amount 1730.00, tax 199.03, net 1530.97.
pub fn priced() -> PricedOrder {
    price_order(&input().validate(TODAY).unwrap(), &book(), &defaults()).unwrap()
}

/// The fixture order with line 2 at its list price (no deviation).
pub fn priced_at_list() -> PricedOrder {
    let mut i = input();
    i.lines[1].unit_price = None;
    price_order(&i.validate(TODAY).unwrap(), &book(), &defaults()).unwrap()
}
