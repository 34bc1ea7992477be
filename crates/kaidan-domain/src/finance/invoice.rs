//! Invoices and credit notes (FIN-1, DOC-1): written from what was shipped
//! and not yet invoiced, priced exactly as the order line was (no
//! re-pricing: the unit price and tax rate travel from the order line to
//! the shipment line to the invoice line). An issued invoice never
//! changes; a correction is a credit note (红字) that names it, with a
//! reason.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::max_document_amount;
use crate::access::string_enum;
use crate::orders::line_amounts;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, OrderId, ProductId, Quantity, TaxRate, UserId};

string_enum!(
    /// The kind of official invoice (发票) finance issues in the tax system.
    FapiaoKind {
        /// 增值税专用发票: the buyer deducts the input tax.
        VatSpecial = "vat_special",
        /// 增值税普通发票.
        VatOrdinary = "vat_ordinary",
        /// No official invoice (e.g. an internal customer).
        NoFapiao = "none",
    }
);

string_enum!(
    /// An invoice or a credit note against one.
    InvoiceDocKind {
        Invoice = "invoice",
        /// 红字: reduces what an invoice asks for.
        CreditNote = "credit_note",
    }
);

string_enum!(
    /// Why a credit note is written.
    CreditReason {
        /// The customer refused goods at delivery (SHP-3): written by the
        /// delivery record itself, never by hand.
        Refused = "refused",
        /// Goods came back after delivery.
        Return = "return",
        /// The price invoiced was wrong.
        PriceCorrection = "price_correction",
    }
);

impl FapiaoKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            FapiaoKind::VatSpecial => "增值税专用发票",
            FapiaoKind::VatOrdinary => "增值税普通发票",
            FapiaoKind::NoFapiao => "不开票",
        }
    }
}

impl CreditReason {
    pub fn label_zh(self) -> &'static str {
        match self {
            CreditReason::Refused => "拒收",
            CreditReason::Return => "退货",
            CreditReason::PriceCorrection => "价格更正",
        }
    }
}

/// What is still to invoice of one shipment line, as the store reads it:
/// shipped, less refused at delivery, less already invoiced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Billable {
    pub customer_id: CustomerId,
    pub shipment_id: i64,
    pub shipment_number: String,
    pub shipment_line_no: u32,
    pub order_id: OrderId,
    pub order_number: String,
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    /// Units still to invoice (more than zero).
    pub quantity: i64,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub shipped_on: Date,
    /// The contract the order was placed against (CON-2): one invoice
    /// holds one contract's goods.
    #[serde(default)]
    pub contract_id: Option<i64>,
    /// That contract's signing day plus its collection days (FIN-4).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(default)]
    pub contract_due: Option<Date>,
}

/// One line of an invoice or credit note. A credit note's line carries the
/// number of the invoice line it corrects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    pub line_no: u32,
    pub order_id: OrderId,
    pub order_number: String,
    pub shipment_id: i64,
    pub shipment_number: String,
    /// The order line and shipment line share their number.
    pub shipment_line_no: u32,
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    /// Units; zero on a credit note that corrects only the price.
    pub quantity: i64,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    /// VAT included, in fen.
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
}

/// The buyer as printed on the invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Buyer {
    pub name: String,
    #[serde(default)]
    pub tax_number: Option<String>,
    #[serde(default)]
    pub bank: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// An issued invoice or credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub kind: InvoiceDocKind,
    pub fapiao_kind: FapiaoKind,
    pub customer_id: CustomerId,
    /// The invoice a credit note corrects.
    pub credit_of: Option<i64>,
    pub credit_reason: Option<CreditReason>,
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub invoice_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: Date,
    /// VAT included.
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
    /// Credit notes written against it.
    pub credited: Money,
    /// Money matched to it (核销).
    pub paid: Money,
    pub buyer: Buyer,
    /// The official fapiao's number and code, once finance issued it in
    /// the tax system.
    pub fapiao_number: Option<String>,
    pub fapiao_code: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub lines: Vec<InvoiceLine>,
}

impl Invoice {
    /// What is still to pay: amount less credit notes less money matched.
    /// A credit note has nothing open.
    pub fn open(&self) -> Money {
        match self.kind {
            InvoiceDocKind::Invoice => (self.amount - self.credited - self.paid).max(Money::ZERO),
            InvoiceDocKind::CreditNote => Money::ZERO,
        }
    }

    /// Settled in full (paid or credited).
    pub fn is_settled(&self) -> bool {
        self.kind == InvoiceDocKind::Invoice && !self.open().is_positive()
    }

    /// Days past due at `day` (negative: not due yet).
    pub fn days_past_due(&self, day: Date) -> i64 {
        i64::from((day - self.due_date).get_days())
    }
}

/// Totals of a set of lines, checked against [`max_document_amount`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub amount: Money,
    pub tax: Money,
    pub net: Money,
}

/// Sums lines, refusing a total beyond [`max_document_amount`] (`field`
/// names where the error is reported).
pub fn totals(lines: &[InvoiceLine], field: &str) -> Result<Totals, ValidationErrors> {
    let mut t = Totals::default();
    for l in lines {
        t.amount = checked_add(t.amount, l.amount, field)?;
        t.tax = checked_add(t.tax, l.tax, field)?;
        t.net = checked_add(t.net, l.net, field)?;
    }
    Ok(t)
}

fn checked_add(a: Money, b: Money, field: &str) -> Result<Money, ValidationErrors> {
    let sum = a
        .decimal()
        .checked_add(b.decimal())
        .and_then(|d| Money::new(d).ok())
        .filter(|m| *m <= max_document_amount());
    sum.ok_or_else(|| {
        ValidationErrors::single(
            field,
            "out_of_range",
            format!(
                "the document's total would exceed {} yuan",
                super::MAX_DOCUMENT_YUAN
            ),
        )
    })
}

/// Invoice lines for billable shipment lines, priced as the order line
/// was: amount = price × quantity rounded to fen, tax = amount × rate /
/// (1 + rate) rounded to fen (the order's own rule, `line_amounts`).
pub fn lines_from(billables: &[Billable]) -> Result<Vec<InvoiceLine>, ValidationErrors> {
    billables
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let qty = Quantity::positive(b.quantity).map_err(|e| {
                ValidationErrors::single(format!("lines[{i}].quantity"), "invalid", e.to_string())
            })?;
            let a = line_amounts(b.unit_price, qty, b.tax_rate).map_err(|e| {
                ValidationErrors::single(
                    format!("lines[{i}].amount"),
                    "out_of_range",
                    e.to_string(),
                )
            })?;
            Ok(InvoiceLine {
                line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
                order_id: b.order_id,
                order_number: b.order_number.clone(),
                shipment_id: b.shipment_id,
                shipment_number: b.shipment_number.clone(),
                shipment_line_no: b.shipment_line_no,
                product_id: b.product_id,
                sku: b.sku.clone(),
                product_name: b.product_name.clone(),
                quantity: b.quantity,
                unit_price: b.unit_price,
                tax_rate: b.tax_rate,
                amount: a.amount,
                tax: a.tax,
                net: a.net,
            })
        })
        .collect()
}

/// Which shipped goods one invoice is to cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceScope {
    Shipment(i64),
    Order(OrderId),
    /// Monthly settlement: everything of the customer shipped up to the
    /// date and not yet invoiced, in one invoice.
    Customer {
        customer: CustomerId,
        up_to: Date,
    },
}

/// What finance sends to invoice: exactly one of a shipment, an order or a
/// customer (with `up_to`, for customers on monthly settlement).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    #[serde(default)]
    pub shipment_id: Option<i64>,
    #[serde(default)]
    pub order_id: Option<OrderId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// With `customer_id`: shipments up to and including this day
    /// (default: the invoice date).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub up_to: Option<Date>,
    /// Default: VAT special when the customer has a tax number, else
    /// ordinary.
    #[serde(default)]
    pub fapiao_kind: Option<FapiaoKind>,
    /// Default: today; never in the future.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub invoice_date: Option<Date>,
    #[serde(default)]
    pub note: Option<String>,
}

/// How far back an invoice may be dated (a year): older is a typing error.
pub const MAX_BACKDATE_DAYS: i32 = 366;

/// The invoice date: given or today, not in the future, not over a year
/// back.
pub fn check_document_date(
    field: &str,
    given: Option<Date>,
    today: Date,
) -> Result<Date, ValidationErrors> {
    let d = given.unwrap_or(today);
    if d > today {
        return Err(ValidationErrors::single(
            field,
            "in_future",
            format!("{d} is after today ({today})"),
        ));
    }
    if (today - d).get_days() > MAX_BACKDATE_DAYS {
        return Err(ValidationErrors::single(
            field,
            "too_old",
            format!("{d} is more than {MAX_BACKDATE_DAYS} days ago"),
        ));
    }
    Ok(d)
}

impl InvoiceInput {
    /// The scope, the date and the note, or errors naming the field.
    pub fn validate(
        &self,
        today: Date,
    ) -> Result<(InvoiceScope, Date, Option<String>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let date = match check_document_date("invoice_date", self.invoice_date, today) {
            Ok(d) => d,
            Err(err) => {
                e.merge(err);
                today
            }
        };
        let note = e.optional_text("note", self.note.as_deref(), 500);
        let scope = match (self.shipment_id, self.order_id, self.customer_id) {
            (Some(s), None, None) => Some(InvoiceScope::Shipment(s)),
            (None, Some(o), None) => Some(InvoiceScope::Order(o)),
            (None, None, Some(c)) => {
                let up_to = self.up_to.unwrap_or(date);
                if up_to > today {
                    e.add("up_to", "in_future", format!("{up_to} is after today"));
                }
                Some(InvoiceScope::Customer { customer: c, up_to })
            }
            _ => {
                e.add(
                    "shipment_id",
                    "one_scope",
                    "give exactly one of shipment_id, order_id or customer_id",
                );
                None
            }
        };
        if self.up_to.is_some() && self.customer_id.is_none() {
            e.add("up_to", "not_allowed", "up_to goes with customer_id");
        }
        match scope {
            Some(s) if e.is_empty() => Ok((s, date, note)),
            _ => Err(e),
        }
    }
}

/// One line of a credit note as finance enters it: the invoice line it
/// corrects, and either units returned or an amount of price correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditLineInput {
    pub line_no: u32,
    /// For a return: units that came back.
    #[serde(default)]
    pub quantity: Option<i64>,
    /// For a price correction: the amount (VAT included) to take off.
    #[serde(default)]
    pub amount: Option<Money>,
}

/// What finance enters to correct an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditNoteInput {
    /// `return` or `price_correction` (refusals are credited by the
    /// delivery record).
    pub reason: CreditReason,
    /// Why, in words (required).
    pub note: String,
    pub lines: Vec<CreditLineInput>,
}

/// Lines already credited against one invoice line: units and amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credited {
    pub quantity: i64,
    pub amount: Money,
}

/// The most lines one document may have.
pub const MAX_DOCUMENT_LINES: usize = 10_000;

impl CreditNoteInput {
    /// The credit note's lines against `invoice`, given what earlier credit
    /// notes took off each line (`credited(line_no)`). Refused: a credit
    /// above what the line has left, units beyond those invoiced, an empty
    /// note, a line named twice or not on the invoice.
    pub fn lines(
        &self,
        invoice: &Invoice,
        credited: impl Fn(u32) -> Credited,
    ) -> Result<(String, Vec<InvoiceLine>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let note = e.text("note", &self.note, 500);
        if invoice.kind != InvoiceDocKind::Invoice {
            e.add(
                "credit_of",
                "not_an_invoice",
                "a credit note corrects an invoice",
            );
        }
        if self.reason == CreditReason::Refused {
            e.add(
                "reason",
                "refused_by_delivery",
                "goods refused at delivery are credited when the delivery is recorded",
            );
        }
        if self.lines.is_empty() || self.lines.len() > MAX_DOCUMENT_LINES {
            e.add("lines", "required", "name the invoice lines to credit");
        }
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, l) in self.lines.iter().enumerate() {
            let f = |x: &str| format!("lines[{i}].{x}");
            if !seen.insert(l.line_no) {
                e.add(
                    f("line_no"),
                    "duplicate",
                    format!("line {} is named twice", l.line_no),
                );
                continue;
            }
            let Some(orig) = invoice.lines.iter().find(|x| x.line_no == l.line_no) else {
                e.add(
                    f("line_no"),
                    "unknown",
                    format!("invoice {} has no line {}", invoice.number, l.line_no),
                );
                continue;
            };
            let before = credited(l.line_no);
            let left = orig.amount - before.amount;
            let line = match (self.reason, l.quantity, l.amount) {
                (CreditReason::Return, Some(q), None) => {
                    if q <= 0 || q > orig.quantity - before.quantity {
                        e.add(
                            f("quantity"),
                            "out_of_range",
                            format!(
                                "1 to {} units are left to credit on line {}",
                                (orig.quantity - before.quantity).max(0),
                                l.line_no
                            ),
                        );
                        continue;
                    }
                    credit_line(orig, q, None)
                }
                (CreditReason::PriceCorrection, None, Some(a)) => {
                    if !a.is_positive() || a != a.round_to_fen() {
                        e.add(f("amount"), "invalid", "more than zero, in fen");
                        continue;
                    }
                    credit_line(orig, 0, Some(a))
                }
                (CreditReason::Return, _, _) => {
                    e.add(
                        f("quantity"),
                        "required",
                        "a return credits units: give quantity only",
                    );
                    continue;
                }
                _ => {
                    e.add(
                        f("amount"),
                        "required",
                        "a price correction credits an amount: give amount only",
                    );
                    continue;
                }
            };
            match line {
                Ok(line) if line.amount <= left => out.push(line),
                Ok(line) => e.add(
                    f("amount"),
                    "above_invoice",
                    format!(
                        "{} is more than the {} left on line {} of invoice {}",
                        line.amount, left, l.line_no, invoice.number
                    ),
                ),
                Err(err) => e.nest(&format!("lines[{i}]"), err),
            }
        }
        if e.is_empty() {
            totals(&out, "lines")?;
            Ok((note, out))
        } else {
            Err(e)
        }
    }
}

/// A credit line against `orig`: `quantity` units at its price, or an
/// amount of price correction (its tax at the line's rate).
pub fn credit_line(
    orig: &InvoiceLine,
    quantity: i64,
    amount: Option<Money>,
) -> Result<InvoiceLine, ValidationErrors> {
    let range =
        |e: crate::MoneyError| ValidationErrors::single("amount", "out_of_range", e.to_string());
    let (amount, tax, net) = match amount {
        Some(a) => {
            let rate = orig.tax_rate.fraction();
            let tax = Money::new(
                (a.decimal() * rate / (rust_decimal::Decimal::ONE + rate)).round_dp_with_strategy(
                    2,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ),
            )
            .map_err(range)?;
            (a, tax, a - tax)
        }
        None => {
            let q = Quantity::positive(quantity)
                .map_err(|e| ValidationErrors::single("quantity", "invalid", e.to_string()))?;
            let a = line_amounts(orig.unit_price, q, orig.tax_rate).map_err(range)?;
            (a.amount, a.tax, a.net)
        }
    };
    Ok(InvoiceLine {
        quantity,
        amount,
        tax,
        net,
        ..orig.clone()
    })
}

/// What the fapiao finance issued in the tax system is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FapiaoInput {
    /// 发票号码 (8 or 20 digits).
    pub number: String,
    /// 发票代码 (10 or 12 digits; empty for fully digital fapiao).
    #[serde(default)]
    pub code: Option<String>,
}

impl FapiaoInput {
    pub fn validate(&self) -> Result<(String, Option<String>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let number = self.number.trim().to_string();
        if !(number.len() == 8 || number.len() == 20) || !number.bytes().all(|b| b.is_ascii_digit())
        {
            e.add("number", "invalid", "a fapiao number has 8 or 20 digits");
        }
        let code = self
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if let Some(c) = &code
            && (!(c.len() == 10 || c.len() == 12) || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            e.add("code", "invalid", "a fapiao code has 10 or 12 digits");
        }
        e.into_result((number, code))
    }
}

/// How batch invoicing splits what is to invoice: one invoice per customer
/// for customers on monthly settlement (月结: the period's goods together),
/// else one per shipment; never two contracts' goods on one invoice (CON-2).
/// Groups come in the order of the billables (oldest shipment first).
pub fn batch_groups(
    billables: Vec<Billable>,
    monthly: impl Fn(CustomerId) -> bool,
) -> Vec<Vec<Billable>> {
    let mut groups: Vec<Vec<Billable>> = Vec::new();
    let mut index: std::collections::HashMap<(CustomerId, Option<i64>, Option<i64>), usize> =
        std::collections::HashMap::new();
    for b in billables {
        let key = (
            b.customer_id,
            (!monthly(b.customer_id)).then_some(b.shipment_id),
            b.contract_id,
        );
        match index.get(&key) {
            Some(&i) => groups[i].push(b),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![b]);
            }
        }
    }
    groups
}

/// Units of a shipment line that refused goods take off its invoices: the
/// refused units not covered by what was never invoiced.
pub fn refused_to_credit(shipped: i64, invoiced: i64, refused: i64) -> i64 {
    (invoiced + refused - shipped).clamp(0, refused.max(0))
}
