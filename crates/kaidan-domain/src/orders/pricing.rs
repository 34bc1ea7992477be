//! Pricing (ORD-2, ORD-4): a validated order becomes priced lines and exact
//! totals. Prices include VAT (含税价, see docs/adr/0006-order-rules.md):
//! per line, amount = round_fen(unit price × quantity), tax = round_fen(amount
//! × rate / (1 + rate)), net = amount − tax; the order's totals are the sums of
//! its lines, so they always add up on the invoice.
//!
//! The unit price is the one given on the line, else the customer's
//! price-list price, else the product's list price. The price the customer
//! should pay (price list, else list price) is kept on every line as the
//! reference; a line whose price differs from it deviates and needs a sales
//! manager's approval (ORD-4: reps may not change prices on their own).

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::master::{CustomerData, PaymentMethod, PaymentTerms, PriceListItem, ProductData};
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, MoneyError, ProductId, Quantity, Role, TaxRate, UserId};

use super::channel::Channel;
use super::intake::{OrderInput, OrderLineInput, ValidLine, ValidOrder};

/// What pricing needs to know about a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductFacts {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub active: bool,
    pub list_price: Money,
    pub tax_rate: TaxRate,
}

impl ProductFacts {
    pub fn from_master(product_id: ProductId, p: &ProductData) -> Self {
        ProductFacts {
            product_id,
            sku: p.sku.clone(),
            name: p.name.clone(),
            spec: p.spec.clone(),
            unit: p.unit.clone(),
            active: p.active,
            list_price: p.list_price,
            tax_rate: p.tax_rate,
        }
    }
}

/// The customer's defaults for what an order leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerDefaults {
    pub payment_method: PaymentMethod,
    pub payment_terms: PaymentTerms,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

impl CustomerDefaults {
    pub fn from_master(c: &CustomerData) -> Self {
        CustomerDefaults {
            payment_method: c.payment_method,
            payment_terms: c.payment_terms,
            contact_name: c.contact_name.clone(),
            contact_phone: c.contact_phone.clone(),
            address: c.address.clone(),
        }
    }
}

/// Products and the customer's price list, looked up by product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceBook {
    products: BTreeMap<ProductId, ProductFacts>,
    price_list: BTreeMap<ProductId, Money>,
    /// The prices of the contract an order is placed against, which come
    /// before the price list.
    contract: BTreeMap<ProductId, Money>,
}

impl PriceBook {
    pub fn new(
        products: impl IntoIterator<Item = ProductFacts>,
        price_list: impl IntoIterator<Item = PriceListItem>,
    ) -> Self {
        PriceBook {
            products: products.into_iter().map(|p| (p.product_id, p)).collect(),
            price_list: price_list
                .into_iter()
                .map(|i| (i.product_id, i.price))
                .collect(),
            contract: BTreeMap::new(),
        }
    }

    /// The book with the prices of the contract the order is placed
    /// against (CON-2).
    pub fn with_contract(mut self, prices: impl IntoIterator<Item = (ProductId, Money)>) -> Self {
        self.contract = prices.into_iter().collect();
        self
    }

    pub fn product(&self, id: ProductId) -> Option<&ProductFacts> {
        self.products.get(&id)
    }

    /// The price the customer should pay and where it comes from.
    pub fn reference_price(&self, id: ProductId) -> Option<(Money, PriceSource)> {
        if let Some(p) = self.contract.get(&id) {
            return Some((*p, PriceSource::Contract));
        }
        if let Some(p) = self.price_list.get(&id) {
            return Some((*p, PriceSource::PriceList));
        }
        self.products
            .get(&id)
            .map(|p| (p.list_price, PriceSource::ListPrice))
    }
}

/// Where a unit price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// Entered on the order line.
    Given,
    /// The customer's price list.
    PriceList,
    /// The product's list price.
    ListPrice,
    /// The contract the order is placed against (CON-2).
    Contract,
}

/// A sales manager's approval of a deviating price (ORD-4). It approves one
/// price: if the line's price changes again, the approval no longer counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceApproval {
    pub approved_price: Money,
    pub by: UserId,
    /// The role the approver acted in.
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// The roles that may approve a price deviation.
pub const PRICE_APPROVER_ROLES: &[Role] = &[Role::SalesManager, Role::GeneralManager];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceApprovalError {
    #[error("the order has no line {0}")]
    NoSuchLine(u32),
    #[error("line {0} is priced at its reference price; there is nothing to approve")]
    NoDeviation(u32),
    #[error("a {0} may not approve prices; a sales manager must")]
    NotAllowed(Role),
    #[error("line {line_no} costs {current}, not the approved {approved}")]
    PriceMismatch {
        line_no: u32,
        current: Money,
        approved: Money,
    },
}

/// Amount, tax and net of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineAmounts {
    /// Gross, VAT included, rounded to fen.
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
}

/// Rounds half away from zero to fen (for positive amounts: half-up).
fn fen(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The amounts of `quantity` at a VAT-inclusive `unit_price`.
pub fn line_amounts(
    unit_price: Money,
    quantity: Quantity,
    tax_rate: TaxRate,
) -> Result<LineAmounts, MoneyError> {
    let gross = unit_price
        .decimal()
        .checked_mul(Decimal::from(quantity.get()))
        .ok_or(MoneyError::OutOfRange)?;
    let amount = Money::new(fen(gross))?;
    let rate = tax_rate.fraction();
    let tax = Money::new(fen(amount.decimal() * rate / (Decimal::ONE + rate)))?;
    Ok(LineAmounts {
        amount,
        tax,
        net: amount - tax,
    })
}

/// One priced order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: Quantity,
    /// VAT included.
    pub unit_price: Money,
    pub price_source: PriceSource,
    /// What the customer should pay: price-list price, else list price.
    pub reference_price: Money,
    pub reference_source: PriceSource,
    /// `unit_price` differs from `reference_price`.
    pub deviates: bool,
    pub price_approval: Option<PriceApproval>,
    pub tax_rate: TaxRate,
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
    pub note: Option<String>,
}

impl PricedLine {
    /// A deviating price without a valid sales-manager approval.
    pub fn needs_price_approval(&self) -> bool {
        self.deviates
            && self
                .price_approval
                .as_ref()
                .is_none_or(|a| a.approved_price != self.unit_price)
    }

    /// Sets a new quantity and recomputes the amounts.
    pub fn set_quantity(&mut self, quantity: Quantity) -> Result<(), MoneyError> {
        let a = line_amounts(self.unit_price, quantity, self.tax_rate)?;
        self.quantity = quantity;
        self.amount = a.amount;
        self.tax = a.tax;
        self.net = a.net;
        Ok(())
    }
}

/// Order totals: sums of the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderTotals {
    pub lines: u32,
    /// Units over all lines.
    pub quantity: Quantity,
    /// Gross, VAT included.
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
}

/// A priced order: the content of an order version (ORD-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedOrder {
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub customer_reference: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub order_date: jiff::civil::Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub requested_delivery_date: Option<jiff::civil::Date>,
    pub delivery_address: String,
    pub payment_method: PaymentMethod,
    pub payment_terms: PaymentTerms,
    pub priority: bool,
    pub special: bool,
    pub notes: Option<String>,
    /// The contract the order is placed against (CON-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<i64>,
    pub lines: Vec<PricedLine>,
    pub totals: OrderTotals,
}

/// Prices one validated line; field errors are reported at `lines[i]`.
pub fn price_line(
    line: &ValidLine,
    book: &PriceBook,
    e: &mut ValidationErrors,
) -> Option<PricedLine> {
    let at = |f: &str| format!("lines[{}].{f}", line.line_no.saturating_sub(1));
    let Some(product) = book.product(line.product_id) else {
        e.add(
            at("product_id"),
            "unknown",
            format!("there is no product {}", line.product_id),
        );
        return None;
    };
    if !product.active {
        e.add(
            at("product_id"),
            "inactive",
            format!(
                "product {} ({}) is no longer sold",
                product.sku, product.name
            ),
        );
        return None;
    }
    let (reference_price, reference_source) = book
        .reference_price(line.product_id)
        .unwrap_or((product.list_price, PriceSource::ListPrice));
    let (unit_price, price_source) = match line.unit_price {
        Some(p) => (p, PriceSource::Given),
        None => (reference_price, reference_source),
    };
    let amounts = match line_amounts(unit_price, line.quantity, product.tax_rate) {
        Ok(a) => a,
        Err(_) => {
            e.add(
                at("quantity"),
                "out_of_range",
                "the line amount is too large",
            );
            return None;
        }
    };
    Some(PricedLine {
        line_no: line.line_no,
        product_id: line.product_id,
        sku: product.sku.clone(),
        name: product.name.clone(),
        spec: product.spec.clone(),
        unit: product.unit.clone(),
        quantity: line.quantity,
        unit_price,
        price_source,
        reference_price,
        reference_source,
        deviates: unit_price != reference_price,
        price_approval: None,
        tax_rate: product.tax_rate,
        amount: amounts.amount,
        tax: amounts.tax,
        net: amounts.net,
        note: line.note.clone(),
    })
}

/// Prices a validated order. Unknown or inactive products and a missing
/// delivery address (none given, none on file) are field errors.
pub fn price_order(
    order: &ValidOrder,
    book: &PriceBook,
    customer: &CustomerDefaults,
) -> Result<PricedOrder, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let lines: Vec<PricedLine> = order
        .lines
        .iter()
        .filter_map(|l| price_line(l, book, &mut e))
        .collect();
    let delivery_address = order
        .delivery_address
        .clone()
        .or_else(|| customer.address.clone())
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    if delivery_address.is_none() {
        e.add(
            "delivery_address",
            "required",
            "is required: the customer has no address on file",
        );
    }
    // The number of days of net-days terms lives on the customer (ADR
    // 0028); an order cannot choose them for a customer who has none.
    if order.payment_terms == Some(PaymentTerms::NetDays)
        && customer.payment_terms != PaymentTerms::NetDays
    {
        e.add(
            "payment_terms",
            "not_allowed",
            format!(
                "net-days terms need the customer's number of days; this customer is on {} terms",
                customer.payment_terms
            ),
        );
    }
    let mut priced = PricedOrder {
        customer_id: order.customer_id,
        channel: order.channel,
        contact_name: order
            .contact_name
            .clone()
            .or_else(|| customer.contact_name.clone()),
        contact_phone: order
            .contact_phone
            .clone()
            .or_else(|| customer.contact_phone.clone()),
        customer_reference: order.customer_reference.clone(),
        order_date: order.order_date,
        requested_delivery_date: order.requested_delivery_date,
        delivery_address: delivery_address.unwrap_or_default(),
        payment_method: order.payment_method.unwrap_or(customer.payment_method),
        payment_terms: order.payment_terms.unwrap_or(customer.payment_terms),
        priority: order.priority,
        special: order.special,
        notes: order.notes.clone(),
        contract_id: order.contract_id,
        lines,
        totals: OrderTotals::default(),
    };
    if priced.recompute_totals().is_err() {
        e.add("lines", "out_of_range", "the order total is too large");
    }
    e.into_result(priced)
}

impl PricedOrder {
    /// Sets `totals` to the sums of the lines.
    pub fn recompute_totals(&mut self) -> Result<(), MoneyError> {
        let amount: Money = self.lines.iter().map(|l| l.amount).sum();
        let tax: Money = self.lines.iter().map(|l| l.tax).sum();
        Money::new(amount.decimal())?;
        let quantity = self
            .lines
            .iter()
            .try_fold(Quantity::ZERO, |acc, l| acc.checked_add(l.quantity))
            .ok_or(MoneyError::OutOfRange)?;
        self.totals = OrderTotals {
            lines: u32::try_from(self.lines.len()).unwrap_or(u32::MAX),
            quantity,
            amount,
            tax,
            net: amount - tax,
        };
        Ok(())
    }

    pub fn line(&self, line_no: u32) -> Option<&PricedLine> {
        self.lines.iter().find(|l| l.line_no == line_no)
    }

    /// Line numbers whose price deviates without a valid approval.
    pub fn unapproved_deviations(&self) -> Vec<u32> {
        self.lines
            .iter()
            .filter(|l| l.needs_price_approval())
            .map(|l| l.line_no)
            .collect()
    }

    /// Records a sales manager's approval of line `line_no`'s price.
    pub fn approve_price(
        &mut self,
        line_no: u32,
        approval: PriceApproval,
    ) -> Result<(), PriceApprovalError> {
        if !PRICE_APPROVER_ROLES.contains(&approval.role) {
            return Err(PriceApprovalError::NotAllowed(approval.role));
        }
        let line = self
            .lines
            .iter_mut()
            .find(|l| l.line_no == line_no)
            .ok_or(PriceApprovalError::NoSuchLine(line_no))?;
        if !line.deviates {
            return Err(PriceApprovalError::NoDeviation(line_no));
        }
        if line.unit_price != approval.approved_price {
            return Err(PriceApprovalError::PriceMismatch {
                line_no,
                current: line.unit_price,
                approved: approval.approved_price,
            });
        }
        line.price_approval = Some(approval);
        Ok(())
    }

    /// The order as an input again (for a revision by the clerk): every
    /// line keeps its unit price as a given price.
    pub fn to_input(&self) -> OrderInput {
        OrderInput {
            customer_id: self.customer_id,
            channel: self.channel,
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            customer_reference: self.customer_reference.clone(),
            order_date: self.order_date,
            requested_delivery_date: self.requested_delivery_date,
            delivery_address: Some(self.delivery_address.clone()),
            payment_method: Some(self.payment_method),
            payment_terms: Some(self.payment_terms),
            priority: self.priority,
            special: self.special,
            notes: self.notes.clone(),
            contract_id: self.contract_id,
            lines: self
                .lines
                .iter()
                .map(|l| OrderLineInput {
                    product_id: l.product_id,
                    quantity: l.quantity.get(),
                    unit_price: Some(l.unit_price),
                    note: l.note.clone(),
                })
                .collect(),
        }
    }
}
