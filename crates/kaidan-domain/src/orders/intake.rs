//! Order intake (ORD-2, ORD-3): what a clerk, the portal or the API submits,
//! and its validation. An incomplete or unclear order is rejected with every
//! bad field named (`lines[2].quantity`); nothing is silently fixed.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::master::{PaymentMethod, PaymentTerms};
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, ProductId, Quantity};

use super::channel::Channel;

/// Most lines one order may have.
pub const MAX_LINES: usize = 500;
/// Largest quantity on one line (a typo guard, and keeps amounts in range).
pub const MAX_LINE_QUANTITY: i64 = 1_000_000_000;
pub const MAX_CONTACT_NAME: usize = 100;
pub const MAX_CONTACT_PHONE: usize = 50;
pub const MAX_CUSTOMER_REFERENCE: usize = 64;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_NOTES: usize = 2000;
pub const MAX_LINE_NOTE: usize = 500;

/// An order as submitted. Optional fields fall back to the customer's master
/// data when the order is priced (payment method and terms, contact, address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    pub customer_id: CustomerId,
    pub channel: Channel,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// The customer's own reference, e.g. its purchase-order number.
    #[serde(default)]
    pub customer_reference: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub order_date: Date,
    /// Absent: as soon as possible (the standard shipping deadline applies).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub requested_delivery_date: Option<Date>,
    #[serde(default)]
    pub delivery_address: Option<String>,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub payment_terms: Option<PaymentTerms>,
    /// An important order, handled first (ORD-8).
    #[serde(default)]
    pub priority: bool,
    /// Flagged special: needs the joint review whatever its amount (ORD-4).
    #[serde(default)]
    pub special: bool,
    #[serde(default)]
    pub notes: Option<String>,
    /// The contract the order is placed against (CON-2): its products,
    /// its prices, within what remains of it.
    #[serde(default)]
    pub contract_id: Option<i64>,
    #[serde(default)]
    pub lines: Vec<OrderLineInput>,
}

/// One line as submitted. The quantity is a plain integer here so that a
/// zero or negative value is reported on its field, not as unreadable JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub product_id: ProductId,
    pub quantity: i64,
    /// Absent: the customer's price-list price, else the list price.
    #[serde(default)]
    pub unit_price: Option<Money>,
    #[serde(default)]
    pub note: Option<String>,
}

impl OrderLineInput {
    /// A line at the price list's price, without a note.
    pub fn new(product_id: ProductId, quantity: i64) -> Self {
        OrderLineInput {
            product_id,
            quantity,
            unit_price: None,
            note: None,
        }
    }
}

/// An order that passed intake validation: texts trimmed, quantities
/// positive, products unique. Not yet priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidOrder {
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub customer_reference: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub order_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub requested_delivery_date: Option<Date>,
    pub delivery_address: Option<String>,
    pub payment_method: Option<PaymentMethod>,
    pub payment_terms: Option<PaymentTerms>,
    pub priority: bool,
    pub special: bool,
    pub notes: Option<String>,
    pub contract_id: Option<i64>,
    pub lines: Vec<ValidLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidLine {
    /// 1-based position on the order; stable across versions.
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub unit_price: Option<Money>,
    pub note: Option<String>,
}

impl OrderInput {
    /// An order of these lines with every optional field left empty; callers
    /// set what they know with struct update syntax.
    pub fn new(
        customer_id: CustomerId,
        channel: Channel,
        order_date: Date,
        lines: Vec<OrderLineInput>,
    ) -> Self {
        OrderInput {
            customer_id,
            channel,
            contact_name: None,
            contact_phone: None,
            customer_reference: None,
            order_date,
            requested_delivery_date: None,
            delivery_address: None,
            payment_method: None,
            payment_terms: None,
            priority: false,
            special: false,
            notes: None,
            contract_id: None,
            lines,
        }
    }

    /// Checks everything at once. `today` is the company's current date: an
    /// order cannot be dated in the future, nor asked for delivery in the past.
    pub fn validate(&self, today: Date) -> Result<ValidOrder, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contact_name = e.optional_text(
            "contact_name",
            self.contact_name.as_deref(),
            MAX_CONTACT_NAME,
        );
        let contact_phone = e.optional_text(
            "contact_phone",
            self.contact_phone.as_deref(),
            MAX_CONTACT_PHONE,
        );
        if let Some(phone) = &contact_phone
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '#'))
        {
            e.add(
                "contact_phone",
                "invalid",
                "may contain only digits, spaces and + - ( ) #",
            );
        }
        let customer_reference = e.optional_text(
            "customer_reference",
            self.customer_reference.as_deref(),
            MAX_CUSTOMER_REFERENCE,
        );
        if self.order_date > today {
            e.add(
                "order_date",
                "in_future",
                format!("must not be after today ({today})"),
            );
        }
        if let Some(wanted) = self.requested_delivery_date {
            check_delivery_date(
                &mut e,
                "requested_delivery_date",
                wanted,
                self.order_date,
                today,
            );
        }
        let delivery_address = e.optional_text(
            "delivery_address",
            self.delivery_address.as_deref(),
            MAX_ADDRESS,
        );
        let notes = e.optional_text("notes", self.notes.as_deref(), MAX_NOTES);

        if self.lines.is_empty() {
            e.add("lines", "required", "an order needs at least one line");
        } else if self.lines.len() > MAX_LINES {
            e.add(
                "lines",
                "too_many",
                format!("at most {MAX_LINES} lines per order"),
            );
        }
        let mut first_line_of: BTreeMap<ProductId, usize> = BTreeMap::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.iter().enumerate() {
            let at = |f: &str| format!("lines[{i}].{f}");
            if let Some(first) = first_line_of.get(&line.product_id) {
                e.duplicate(
                    at("product_id"),
                    format!(
                        "product {} is already on lines[{first}]; put the whole quantity on one line",
                        line.product_id
                    ),
                );
            } else {
                first_line_of.insert(line.product_id, i);
            }
            check_line_quantity(
                &mut e,
                &at("quantity"),
                line.quantity,
                "must be greater than zero",
            );
            if let Some(p) = line.unit_price
                && p.is_negative()
            {
                e.negative(at("unit_price"));
            }
            let note = e.optional_text(&at("note"), line.note.as_deref(), MAX_LINE_NOTE);
            lines.push(ValidLine {
                line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
                product_id: line.product_id,
                quantity: Quantity::new(line.quantity).unwrap_or(Quantity::ZERO),
                unit_price: line.unit_price,
                note,
            });
        }
        e.into_result(ValidOrder {
            customer_id: self.customer_id,
            channel: self.channel,
            contact_name,
            contact_phone,
            customer_reference,
            order_date: self.order_date,
            requested_delivery_date: self.requested_delivery_date,
            delivery_address,
            payment_method: self.payment_method,
            payment_terms: self.payment_terms,
            priority: self.priority,
            special: self.special,
            notes,
            contract_id: self.contract_id,
            lines,
        })
    }
}

/// A requested delivery date may lie neither before the order date nor in
/// the past; the same rule holds when a change re-dates an order.
pub(crate) fn check_delivery_date(
    e: &mut ValidationErrors,
    field: &str,
    wanted: Date,
    order_date: Date,
    today: Date,
) {
    if wanted < order_date {
        e.add(
            field,
            "before_order_date",
            format!("must not be before the order date ({order_date})"),
        );
    } else if wanted < today {
        e.add(
            field,
            "in_past",
            format!("must not be before today ({today})"),
        );
    }
}

/// A line quantity is positive (`not_positive` says what to do instead) and
/// at most [`MAX_LINE_QUANTITY`].
pub(crate) fn check_line_quantity(
    e: &mut ValidationErrors,
    field: &str,
    quantity: i64,
    not_positive: &str,
) {
    if quantity <= 0 {
        e.add(field, "not_positive", not_positive);
    } else if quantity > MAX_LINE_QUANTITY {
        e.add(
            field,
            "too_large",
            format!("must be at most {MAX_LINE_QUANTITY}"),
        );
    }
}
