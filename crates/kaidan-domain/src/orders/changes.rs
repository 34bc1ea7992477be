//! Order changes (CHG-1..3, seed 002 §六). A customer's change is a written
//! request with content and reason; it is assessed for impact (stock, credit,
//! dates) and reviewed by the departments concerned; an approved change
//! makes a new version of the order, old versions are kept, and the
//! difference between versions is shown line by line.
//!
//! CHG-3: nothing shipped or invoiced changes silently. A change that lowers
//! a line below its shipped or invoiced quantity, swaps the product of a line
//! that has shipped or been invoiced, cancels such a line or the order, or
//! re-dates / re-addresses an order that has shipped completely is refused
//! with the reason; the customer's wish is then handled as a return.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::audit::{FieldChange, diff};
use crate::validation::ValidationErrors;
use crate::{Money, ProductId, Quantity, UserId};

use super::intake::{MAX_ADDRESS, ValidLine, check_delivery_date, check_line_quantity};
use super::joint::Department;
use super::pricing::{PriceBook, PricedOrder, price_line};
use super::shortage::substitute;

pub const MAX_REASON: usize = 1000;

string_enum!(
    /// What a change is about (CHG-1).
    ChangeKind {
        Quantity = "quantity",
        Product = "product",
        Date = "date",
        Address = "address",
        Cancellation = "cancellation",
        Substitution = "substitution",
    }
);

/// One change asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new quantity for a line.
    Quantity {
        line_no: u32,
        quantity: i64,
    },
    /// Another product on a line (same quantity), priced from the price list.
    Product {
        line_no: u32,
        product_id: ProductId,
    },
    /// A new requested delivery date (`null`: as soon as possible).
    Date {
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        requested_delivery_date: Option<Date>,
    },
    Address {
        delivery_address: String,
    },
    /// Cancels one line, or the whole order when `line_no` is absent.
    Cancellation {
        #[serde(default)]
        line_no: Option<u32>,
    },
    /// `quantity` units of a line move to another product, priced from the
    /// price list (a substitute for a shortage, INV-2): the line keeps the
    /// rest and the substitute is a new line; all of it swaps the product.
    Substitute {
        line_no: u32,
        product_id: ProductId,
        quantity: i64,
    },
}

impl Change {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Quantity { .. } => ChangeKind::Quantity,
            Change::Product { .. } => ChangeKind::Product,
            Change::Date { .. } => ChangeKind::Date,
            Change::Address { .. } => ChangeKind::Address,
            Change::Cancellation { .. } => ChangeKind::Cancellation,
            Change::Substitute { .. } => ChangeKind::Substitution,
        }
    }
}

string_enum!(
    /// Why an order is changed. An entry error counts against the order's
    /// processing accuracy (KPI-1, ADR 0038); a customer's wish does not.
    ChangeCause {
        /// The customer asked for it (the default).
        CustomerRequest = "customer_request",
        /// The order was entered wrong: product, quantity, price, address.
        EntryError = "entry_error",
        Other = "other",
    }
);

// The enum's derives are `string_enum!`'s, which has no `Default`.
#[allow(clippy::derivable_impls)]
impl Default for ChangeCause {
    fn default() -> Self {
        ChangeCause::CustomerRequest
    }
}

/// A written change request (CHG-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub reason: String,
    /// Why: the customer's wish (default) or an entry error (KPI-1).
    #[serde(default)]
    pub cause: ChangeCause,
    pub changes: Vec<Change>,
}

impl ChangeRequest {
    pub fn kinds(&self) -> Vec<ChangeKind> {
        let set: BTreeSet<ChangeKind> = self.changes.iter().map(Change::kind).collect();
        set.into_iter().collect()
    }

    /// Cancels the whole order.
    pub fn cancels_order(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Change::Cancellation { line_no: None }))
    }

    /// Checks the request on its own (not against the order).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        e.text("reason", &self.reason, MAX_REASON);
        if self.changes.is_empty() {
            e.add("changes", "required", "say what should change");
        }
        if self.cancels_order() && self.changes.len() > 1 {
            e.add(
                "changes",
                "conflict",
                "cancelling the whole order cannot be combined with other changes",
            );
        }
        for (i, c) in self.changes.iter().enumerate() {
            match c {
                Change::Quantity { quantity, .. } | Change::Substitute { quantity, .. } => {
                    check_line_quantity(
                        &mut e,
                        &format!("changes[{i}].quantity"),
                        *quantity,
                        "must be greater than zero; cancel the line to remove it",
                    )
                }
                Change::Address { delivery_address } => {
                    e.text(
                        &format!("changes[{i}].delivery_address"),
                        delivery_address,
                        MAX_ADDRESS,
                    );
                }
                _ => {}
            }
        }
        e.into_result(())
    }
}

/// How much of a line has been shipped and invoiced so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineProgress {
    pub line_no: u32,
    pub shipped: Quantity,
    pub invoiced: Quantity,
}

/// What an accepted change does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// The order's content after the change: the next version.
    NewVersion { order: Box<PricedOrder> },
    /// The whole order is cancelled (through the state machine).
    CancelOrder,
}

fn progress_of(progress: &[LineProgress], line_no: u32) -> (Quantity, Quantity) {
    progress
        .iter()
        .find(|p| p.line_no == line_no)
        .map_or((Quantity::ZERO, Quantity::ZERO), |p| {
            (p.shipped, p.invoiced)
        })
}

/// Something of the line has been shipped or invoiced.
fn touched((shipped, invoiced): (Quantity, Quantity)) -> bool {
    !shipped.is_zero() || !invoiced.is_zero()
}

/// CHG-3: a line that has been shipped or invoiced does not change; the
/// refusal at `field` says why, from what was shipped and invoiced.
fn refused_when_touched(
    e: &mut ValidationErrors,
    field: String,
    done: (Quantity, Quantity),
    why: impl FnOnce(Quantity, Quantity) -> String,
) -> bool {
    let refused = touched(done);
    if refused {
        e.add(field, "already_shipped", why(done.0, done.1));
    }
    refused
}

/// Where line `line_no` is on `order`, with its progress; an unknown line
/// is an error at `field`.
fn find_line(
    order: &PricedOrder,
    progress: &[LineProgress],
    line_no: u32,
    field: String,
    e: &mut ValidationErrors,
) -> Option<(usize, (Quantity, Quantity))> {
    let Some(li) = order.lines.iter().position(|l| l.line_no == line_no) else {
        e.add(
            field,
            "no_such_line",
            format!("the order has no line {line_no}"),
        );
        return None;
    };
    Some((li, progress_of(progress, line_no)))
}

/// Applies `request` to `order` or refuses it with every reason (CHG-3).
/// `today` is the company's date (a delivery date cannot be in the past).
/// Changed products are priced from `book`; quantity changes keep the
/// line's price and its approval.
pub fn apply_change(
    order: &PricedOrder,
    request: &ChangeRequest,
    progress: &[LineProgress],
    book: &PriceBook,
    today: Date,
) -> Result<ChangeOutcome, ValidationErrors> {
    request.validate()?;
    let mut e = ValidationErrors::new();
    let mut next = order.clone();
    let fully_shipped = order.lines.iter().all(|l| {
        let (shipped, _) = progress_of(progress, l.line_no);
        shipped >= l.quantity
    });
    let mut cancel_order = false;
    for (i, c) in request.changes.iter().enumerate() {
        let at = |f: &str| format!("changes[{i}].{f}");
        match c {
            Change::Quantity { line_no, quantity } => {
                let Some((li, (shipped, invoiced))) =
                    find_line(&next, progress, *line_no, at("line_no"), &mut e)
                else {
                    continue;
                };
                let qty = Quantity::new(*quantity).unwrap_or(Quantity::ZERO);
                if qty < shipped {
                    e.add(
                        at("quantity"),
                        "already_shipped",
                        format!("line {line_no}: {shipped} already shipped; cannot reduce to {qty}; handle the rest as a return"),
                    );
                } else if qty < invoiced {
                    e.add(
                        at("quantity"),
                        "already_invoiced",
                        format!("line {line_no}: {invoiced} already invoiced; cannot reduce to {qty}; credit the invoice first"),
                    );
                } else if let Some(line) = next.lines.get_mut(li)
                    && line.set_quantity(qty).is_err()
                {
                    e.add(
                        at("quantity"),
                        "out_of_range",
                        "the line amount is too large",
                    );
                }
            }
            Change::Product {
                line_no,
                product_id,
            } => {
                let Some((li, done)) = find_line(&next, progress, *line_no, at("line_no"), &mut e)
                else {
                    continue;
                };
                if refused_when_touched(&mut e, at("product_id"), done, |shipped, invoiced| {
                    format!(
                        "line {line_no} has been shipped or invoiced ({shipped} shipped, {invoiced} invoiced); its product and price cannot change"
                    )
                }) {
                    continue;
                }
                if next
                    .lines
                    .iter()
                    .any(|l| l.product_id == *product_id && l.line_no != *line_no)
                {
                    e.duplicate(
                        at("product_id"),
                        format!("product {product_id} is already on another line; change that line's quantity"),
                    );
                    continue;
                }
                let Some(old) = next.lines.get(li) else {
                    continue;
                };
                let valid = ValidLine {
                    line_no: *line_no,
                    product_id: *product_id,
                    quantity: old.quantity,
                    unit_price: None,
                    note: old.note.clone(),
                };
                let mut line_errors = ValidationErrors::new();
                match price_line(&valid, book, &mut line_errors) {
                    Some(priced) => {
                        if let Some(slot) = next.lines.get_mut(li) {
                            *slot = priced;
                        }
                    }
                    None => {
                        for err in line_errors.errors {
                            e.add(at("product_id"), err.code, err.message);
                        }
                    }
                }
            }
            Change::Substitute {
                line_no,
                product_id,
                quantity,
            } => {
                let Some((li, (shipped, invoiced))) =
                    find_line(&next, progress, *line_no, at("line_no"), &mut e)
                else {
                    continue;
                };
                let done = shipped.max(invoiced);
                substitute(
                    &mut next,
                    li,
                    done,
                    *product_id,
                    *quantity,
                    book,
                    &at,
                    &mut e,
                );
            }
            Change::Date {
                requested_delivery_date,
            } => {
                if fully_shipped {
                    e.add(
                        at("requested_delivery_date"),
                        "already_shipped",
                        "the order has been shipped completely",
                    );
                } else if let Some(d) = requested_delivery_date {
                    check_delivery_date(
                        &mut e,
                        &at("requested_delivery_date"),
                        *d,
                        next.order_date,
                        today,
                    );
                }
                next.requested_delivery_date = *requested_delivery_date;
            }
            Change::Address { delivery_address } => {
                if fully_shipped {
                    e.add(
                        at("delivery_address"),
                        "already_shipped",
                        "the order has been shipped completely",
                    );
                }
                next.delivery_address = delivery_address.trim().to_string();
            }
            Change::Cancellation { line_no: None } => {
                let touched: Vec<u32> = order
                    .lines
                    .iter()
                    .map(|l| l.line_no)
                    .filter(|n| touched(progress_of(progress, *n)))
                    .collect();
                if touched.is_empty() {
                    cancel_order = true;
                } else {
                    e.add(
                        at("kind"),
                        "already_shipped",
                        format!("lines {touched:?} have been shipped or invoiced; cancel the open lines and handle the rest as a return"),
                    );
                }
            }
            Change::Cancellation {
                line_no: Some(line_no),
            } => {
                let Some((li, done)) = find_line(&next, progress, *line_no, at("line_no"), &mut e)
                else {
                    continue;
                };
                let refused =
                    refused_when_touched(&mut e, at("line_no"), done, |shipped, invoiced| {
                        format!(
                            "line {line_no} has been shipped or invoiced; reduce it to {} instead",
                            shipped.max(invoiced)
                        )
                    });
                if !refused {
                    next.lines.remove(li);
                }
            }
        }
    }
    if !cancel_order && next.lines.is_empty() && e.is_empty() {
        e.add(
            "changes",
            "no_lines_left",
            "this would cancel every line; cancel the whole order instead",
        );
    }
    if next.recompute_totals().is_err() {
        e.add("changes", "out_of_range", "the order total is too large");
    }
    e.into_result(if cancel_order {
        ChangeOutcome::CancelOrder
    } else {
        ChangeOutcome::NewVersion {
            order: Box::new(next),
        }
    })
}

/// Stock a product can still promise (available = on hand − reserved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockFact {
    pub product_id: ProductId,
    pub available: Quantity,
}

/// The facts a change is assessed against (CHG-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactInput {
    pub stock: Vec<StockFact>,
    /// The customer's credit headroom (or funds and credit available).
    pub credit_available: Money,
    /// The earliest date the warehouse could ship the changed order.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub earliest_ship_date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockImpact {
    pub product_id: ProductId,
    /// Units the change adds for this product.
    pub extra_needed: Quantity,
    pub available: Quantity,
    /// Units missing (0 when the stock covers it).
    pub short: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactAssessment {
    pub stock: Vec<StockImpact>,
    pub stock_ok: bool,
    pub amount_before: Money,
    pub amount_after: Money,
    /// after − before; negative when the order gets cheaper.
    pub amount_delta: Money,
    pub credit_available: Money,
    pub credit_ok: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub requested_delivery_date: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub earliest_ship_date: Date,
    pub date_ok: bool,
    /// The departments that must review the change.
    pub departments: Vec<Department>,
}

impl ImpactAssessment {
    /// Nothing stands in the way (stock, credit and date all fit).
    pub fn feasible(&self) -> bool {
        self.stock_ok && self.credit_ok && self.date_ok
    }
}

fn quantities(o: &PricedOrder) -> BTreeMap<ProductId, i64> {
    let mut m = BTreeMap::new();
    for l in &o.lines {
        *m.entry(l.product_id).or_insert(0) += l.quantity.get();
    }
    m
}

/// Compares the order before and after a change with the facts (CHG-2).
/// Warehouse reviews when goods change, logistics when goods, date or place
/// change, finance when the amount or payment changes.
pub fn assess_impact(
    before: &PricedOrder,
    after: &PricedOrder,
    input: &ImpactInput,
) -> ImpactAssessment {
    let (qb, qa) = (quantities(before), quantities(after));
    let stock: Vec<StockImpact> = qa
        .iter()
        .filter_map(|(p, a)| {
            let extra = a - qb.get(p).copied().unwrap_or(0);
            (extra > 0).then(|| {
                let available = input
                    .stock
                    .iter()
                    .find(|s| s.product_id == *p)
                    .map_or(Quantity::ZERO, |s| s.available);
                let extra_needed = Quantity::new(extra).unwrap_or(Quantity::ZERO);
                StockImpact {
                    product_id: *p,
                    extra_needed,
                    available,
                    short: extra_needed.saturating_sub(available),
                }
            })
        })
        .collect();
    let stock_ok = stock.iter().all(|s| s.short.is_zero());
    let amount_delta = after.totals.amount - before.totals.amount;
    let credit_ok = amount_delta <= input.credit_available;
    let date_ok = after
        .requested_delivery_date
        .is_none_or(|d| d >= input.earliest_ship_date);

    let goods_changed = qb != qa;
    let mut departments = BTreeSet::new();
    if goods_changed {
        departments.insert(Department::Warehouse);
    }
    if goods_changed
        || before.requested_delivery_date != after.requested_delivery_date
        || before.delivery_address != after.delivery_address
    {
        departments.insert(Department::Logistics);
    }
    if !amount_delta.is_zero()
        || before.payment_terms != after.payment_terms
        || before.payment_method != after.payment_method
    {
        departments.insert(Department::Finance);
    }
    ImpactAssessment {
        stock,
        stock_ok,
        amount_before: before.totals.amount,
        amount_after: after.totals.amount,
        amount_delta,
        credit_available: input.credit_available,
        credit_ok,
        requested_delivery_date: after.requested_delivery_date,
        earliest_ship_date: input.earliest_ship_date,
        date_ok,
        departments: departments.into_iter().collect(),
    }
}

/// One version of an order's content (CHG-2: old versions are kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderVersion {
    /// 1 for the order as entered, then 2, 3, ...
    pub version: u32,
    pub by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The change request's reason (none for version 1).
    pub reason: Option<String>,
    pub snapshot: PricedOrder,
}

impl OrderVersion {
    pub fn first(snapshot: PricedOrder, by: UserId, at: Timestamp) -> Self {
        OrderVersion {
            version: 1,
            by,
            at,
            reason: None,
            snapshot,
        }
    }

    pub fn next(&self, snapshot: PricedOrder, reason: String, by: UserId, at: Timestamp) -> Self {
        OrderVersion {
            version: self.version.saturating_add(1),
            by,
            at,
            reason: Some(reason),
            snapshot,
        }
    }
}

/// Field- and line-level differences from `before` to `after`; lines are
/// keyed by product (`lines[product_id=7].quantity`), which is unique on an
/// order.
pub fn diff_versions(before: &PricedOrder, after: &PricedOrder) -> Vec<FieldChange> {
    diff(Some(before), Some(after))
}

/// One difference in words: `lines[product_id=7].quantity: 10 → 8`.
pub fn describe(change: &FieldChange) -> String {
    match (&change.before, &change.after) {
        (Some(b), Some(a)) => format!("{}: {b} → {a}", change.field),
        (None, Some(a)) => format!("{}: (none) → {a}", change.field),
        (Some(b), None) => format!("{}: {b} → (none)", change.field),
        (None, None) => change.field.clone(),
    }
}
