//! Ports of order to cash (FIN-1..4, ORD-7): invoices and credit notes,
//! receipts with their vouchers, matches, what is left to invoice, the
//! ageing facts and an order's billing facts.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::finance::OrderBilling;
use kaidan_domain::finance::{
    AgeingGroup, AgeingItem, Billable, BillingFacts, Invoice, InvoiceDocKind, OpenInvoice,
    OpenMoney, Receipt, ReceiptStatus, VoucherType,
};
use kaidan_domain::{CustomerId, Money, OrderId, UserId};
use serde::Serialize;

use super::StoreError;

/// Which shipped goods to read as still to invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillableScope {
    Shipment(i64),
    Order(OrderId),
    /// Shipped up to and including the day, of one customer or of all.
    UpTo {
        customer: Option<CustomerId>,
        up_to: Date,
    },
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    pub customer: Option<CustomerId>,
    /// Only the customers of this sales rep.
    pub sales_rep: Option<UserId>,
    pub kind: Option<InvoiceDocKind>,
    /// Only invoices with something still to pay.
    pub open_only: bool,
    /// Only invoices with no fapiao number recorded yet.
    pub without_fapiao: bool,
    pub order: Option<OrderId>,
    /// Only the credit notes of this invoice (indexed: `invoices_credit_of`).
    pub credit_of: Option<i64>,
    /// Newest first, before this id.
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// Which receipts a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptFilter {
    pub customer: Option<CustomerId>,
    pub sales_rep: Option<UserId>,
    pub status: Option<ReceiptStatus>,
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// One match of money to an invoice, with both documents' numbers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRow {
    pub id: i64,
    pub receipt_id: i64,
    pub receipt_number: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub matched_on: Date,
    pub matched_by_name: String,
    /// Set when the match was undone (its receipt reversed).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub undone_on: Option<Date>,
}

/// A voucher's file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherFile {
    pub file_name: String,
    pub content_type: VoucherType,
    pub bytes: Vec<u8>,
}

/// Units and amount credited so far against one invoice line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditedLine {
    pub line_no: u32,
    pub quantity: i64,
    pub amount: Money,
}

#[async_trait]
pub trait FinanceTx {
    /// Shipped goods not yet invoiced (shipped − refused − invoiced > 0),
    /// by shipment and line, oldest shipment first, at most `limit` lines.
    async fn billables(
        &mut self,
        scope: BillableScope,
        limit: u32,
    ) -> Result<Vec<Billable>, StoreError>;

    /// Writes an invoice or credit note with its lines and counts its units
    /// on the shipment and order lines (an invoice adds, a credit note for
    /// refused goods takes off). `Ok(None)` when a line would invoice more
    /// than is left (someone else invoiced it first): nothing is written.
    async fn invoice_insert(&mut self, invoice: &Invoice) -> Result<Option<i64>, StoreError>;
    async fn invoice_get(&mut self, id: i64) -> Result<Option<Invoice>, StoreError>;
    async fn invoice_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError>;
    /// Invoice headers (no lines), newest first.
    async fn invoices(&mut self, filter: &InvoiceFilter) -> Result<Vec<Invoice>, StoreError>;
    /// Adds to what is paid and credited of an invoice; false when that
    /// would take it beyond its amount or below zero.
    async fn invoice_settle(
        &mut self,
        id: i64,
        paid: Money,
        credited: Money,
    ) -> Result<bool, StoreError>;
    /// Records the fapiao's number and code; false when one is recorded.
    async fn invoice_fapiao(
        &mut self,
        id: i64,
        number: &str,
        code: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// What the credit notes of an invoice took off each of its lines.
    async fn invoice_credited_lines(
        &mut self,
        invoice: i64,
    ) -> Result<Vec<CreditedLine>, StoreError>;
    /// The lines of invoices (not credit notes), with their invoice, that
    /// cover a shipment.
    async fn invoice_lines_of_shipment(
        &mut self,
        shipment: i64,
    ) -> Result<Vec<(i64, kaidan_domain::finance::InvoiceLine)>, StoreError>;
    /// The orders an invoice's lines belong to.
    async fn invoice_orders(&mut self, invoice: i64) -> Result<Vec<OrderId>, StoreError>;
    /// The invoices with something to pay of a customer, for matching.
    async fn open_invoices(&mut self, customer: CustomerId)
    -> Result<Vec<OpenInvoice>, StoreError>;
    /// The earliest due date of a customer's invoices with something to
    /// pay (none: nothing open), for the credit check at review; one
    /// indexed look-up, however many invoices the customer has.
    async fn oldest_open_due_date(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<Date>, StoreError>;

    async fn receipt_insert(
        &mut self,
        receipt: &Receipt,
        voucher: Option<&VoucherFile>,
    ) -> Result<i64, StoreError>;
    async fn receipt_get(&mut self, id: i64) -> Result<Option<Receipt>, StoreError>;
    async fn receipts(&mut self, filter: &ReceiptFilter) -> Result<Vec<Receipt>, StoreError>;
    async fn receipt_voucher(&mut self, id: i64) -> Result<Option<VoucherFile>, StoreError>;
    /// Stores (or replaces) a receipt's voucher: its bytes and its name,
    /// type and size on the receipt.
    async fn receipt_voucher_set(
        &mut self,
        id: i64,
        voucher: &VoucherFile,
    ) -> Result<(), StoreError>;
    /// Moves a receipt from `from` to `to` with who, when and why; false
    /// when it is no longer in `from`.
    async fn receipt_decide(
        &mut self,
        id: i64,
        from: ReceiptStatus,
        to: ReceiptStatus,
        by_name: &str,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Adds `delta` (either sign) to what a verified receipt has applied;
    /// false when that would go below zero or beyond its amount.
    async fn receipt_apply(&mut self, id: i64, delta: Money) -> Result<bool, StoreError>;
    /// Verified money of a customer not yet matched, for matching.
    async fn open_money(&mut self, customer: CustomerId) -> Result<Vec<OpenMoney>, StoreError>;

    async fn match_insert(
        &mut self,
        receipt: i64,
        invoice: i64,
        amount: Money,
        on: Date,
        by: UserId,
        by_name: &str,
    ) -> Result<i64, StoreError>;
    /// The matches of an invoice or of a receipt, oldest first.
    async fn matches(
        &mut self,
        invoice: Option<i64>,
        receipt: Option<i64>,
    ) -> Result<Vec<MatchRow>, StoreError>;
    /// Marks a match undone on `on`; false when it already is.
    async fn match_undo(&mut self, id: i64, on: Date) -> Result<bool, StoreError>;

    /// What an order's billing is derived from.
    async fn order_billing_facts(&mut self, order: OrderId) -> Result<BillingFacts, StoreError>;
    /// Stores an order's billing as derived.
    async fn order_billing_set(
        &mut self,
        order: OrderId,
        billing: OrderBilling,
    ) -> Result<(), StoreError>;

    /// The invoices open on `as_of` (invoiced by then, less credit notes
    /// and matches made by then), keyed and labelled by `group`.
    async fn ageing_items(
        &mut self,
        as_of: Date,
        group: AgeingGroup,
    ) -> Result<Vec<AgeingItem>, StoreError>;

    /// [`FinanceTx::ageing_items`] today: every credit note and match is
    /// dated by today, so what is open is what each invoice keeps
    /// (`credited`, `paid`), read from the open invoices alone.
    async fn ageing_items_now(&mut self, group: AgeingGroup)
    -> Result<Vec<AgeingItem>, StoreError>;
}
