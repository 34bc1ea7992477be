//! Bank statement import (FIN-3, ADR 0023): finance imports its bank's
//! CSV or Excel export (银行流水); every row is checked first and a file
//! with a broken row is refused whole, naming the rows and columns. Each
//! money-in line is stored once (by its identity's hash, so the same
//! statement imported again counts nothing twice); a line whose customer
//! the rule finds becomes a receipt registered and verified by the
//! importing finance user (the statement is its voucher) and pays the
//! invoice its memo names first, then the customer's open invoices oldest
//! due first. The rest waits, unmatched, for finance to assign it to a
//! customer (the same receipt path) or to ignore it with a reason.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{
    BankCells, BankColumns, BankLine, BankLineStatus, BankRow, BankStatementLine, CustomerKey,
    Identified, InvoiceDocKind, MAX_FILE_NAME, MAX_STATEMENT_ROWS, Match, MatchRule, NamedInvoice,
    ReceiptInput, identify,
};
use kaidan_domain::master::PaymentMethod;
use kaidan_domain::{CustomerId, Money, Permission, ValidationErrors};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::customer_in;
use super::invoices::invoice_in;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::import_export::{RowError, Table};
use crate::ports::{BankLineFilter, BankLineOutcome, EntityKind, ListQuery, MasterData, Tx};

/// A receipt a statement line became.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankReceipt {
    pub line_id: i64,
    pub receipt_id: i64,
    pub receipt_number: String,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub amount: Money,
    /// Paid into invoices at once; the rest is the customer's funds.
    pub applied: Money,
    pub rule: MatchRule,
    /// The invoice the memo named, paid first.
    pub invoice: Option<String>,
}

/// What one import did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankImportReport {
    pub file: String,
    /// Rows of the file (without the header).
    pub rows: usize,
    /// Rows of money received.
    pub money_in: usize,
    /// Rows of money paid out: skipped.
    pub skipped_out: usize,
    /// Money-in rows already imported (or twice in the file): skipped.
    pub duplicates: usize,
    /// New lines whose customer was found: now verified receipts.
    pub matched: usize,
    /// New lines waiting for finance to assign or ignore.
    pub unmatched: usize,
    pub receipts: Vec<BankReceipt>,
}

/// A statement line with its customer and receipt named.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankLineView {
    #[serde(flatten)]
    pub line: BankStatementLine,
    /// "code name" of its customer.
    pub customer: Option<String>,
    pub receipt_number: Option<String>,
}

/// The hex SHA-256 of a line's identity.
fn line_hash(line: &BankLine) -> String {
    hex::encode(Sha256::digest(line.identity().as_bytes()))
}

fn finance(ctx: &Ctx) -> AppResult<()> {
    ctx.require(Permission::InvoiceWrite)?;
    ctx.require(Permission::ReceiptVerify)
}

/// Every money-in row of the table, or every problem of every row.
fn checked_rows(
    table: &Table,
    today: jiff::civil::Date,
) -> AppResult<(Vec<(usize, BankLine)>, usize)> {
    let row_error = |row: usize, column: &str, message: String| RowError {
        file: table.file.clone(),
        row,
        column: Some(column.to_string()),
        message,
    };
    let cols = BankColumns::detect(&table.columns).map_err(|errors| {
        AppError::ImportRejected(
            errors
                .into_iter()
                .map(|(c, m)| row_error(1, &c, m))
                .collect(),
        )
    })?;
    if table.rows.len() > MAX_STATEMENT_ROWS {
        return Err(AppError::invalid(
            "file",
            "too_many_rows",
            format!(
                "{} rows; a statement may have at most {MAX_STATEMENT_ROWS}: split it by date",
                table.rows.len()
            ),
        ));
    }
    let cell = |row, c: &Option<String>| {
        c.as_deref()
            .map(|c| table.cell(row, c).to_string())
            .unwrap_or_default()
    };
    let (mut lines, mut out, mut errors) = (Vec::new(), 0, Vec::new());
    for row in &table.rows {
        let cells = BankCells {
            date: table.cell(row, &cols.date).to_string(),
            amount: table.cell(row, &cols.amount).to_string(),
            debit: cell(row, &cols.debit),
            payer: cell(row, &cols.payer),
            payer_account: cell(row, &cols.payer_account),
            reference: cell(row, &cols.reference),
            memo: cols
                .memo
                .iter()
                .map(|c| table.cell(row, c).to_string())
                .collect(),
            our_account: cell(row, &cols.our_account),
            direction: cell(row, &cols.direction),
        };
        match cells.check(&cols, today) {
            Ok(BankRow::In(line)) => lines.push((row.line, line)),
            Ok(BankRow::Out) => out += 1,
            Err(v) => errors.extend(
                v.errors
                    .into_iter()
                    .map(|e| row_error(row.line, &e.field, e.message)),
            ),
        }
    }
    if errors.is_empty() {
        Ok((lines, out))
    } else {
        Err(AppError::ImportRejected(errors))
    }
}

async fn line_in(tx: &mut Box<dyn Tx>, id: i64) -> AppResult<BankStatementLine> {
    tx.bank_line_get(id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "bank statement line",
            id: id.to_string(),
        })
}

async fn line_view(tx: &mut Box<dyn Tx>, line: BankStatementLine) -> AppResult<BankLineView> {
    let customer = match line.customer_id {
        Some(c) => {
            let d = customer_in(tx, c, "customer_id").await?;
            Some(format!("{} {}", d.code, d.name))
        }
        None => None,
    };
    let receipt_number = match line.receipt_id {
        Some(r) => tx.receipt_get(r).await?.map(|r| r.number),
        None => None,
    };
    Ok(BankLineView {
        line,
        customer,
        receipt_number,
    })
}

fn not_unmatched(line: &BankStatementLine) -> AppError {
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "bank line {} is {}; only an unmatched line is assigned or ignored",
            line.id, line.status
        ),
    )
}

impl App {
    /// Imports a bank statement that an adapter read from a file: all rows
    /// are checked before anything is written (a broken row refuses the
    /// file, naming its row and column); see the module doc.
    pub async fn import_bank_statement(
        &self,
        ctx: &Ctx,
        table: AppResult<Table>,
    ) -> AppResult<BankImportReport> {
        finance(ctx)?;
        let table = table?;
        let file = ValidationErrors::single_text("file", &table.file, MAX_FILE_NAME)?;
        let (lines, skipped_out) = checked_rows(&table, self.today())?;
        let mut report = BankImportReport {
            file: file.clone(),
            rows: table.rows.len(),
            money_in: lines.len(),
            skipped_out,
            duplicates: 0,
            matched: 0,
            unmatched: 0,
            receipts: Vec::new(),
        };
        let mut tx = self.store.write().await?;
        let customers = customer_keys(&mut tx).await?;
        for (row, line) in lines {
            let stored = BankStatementLine {
                id: 0,
                line_hash: line_hash(&line),
                our_account: line.our_account.clone(),
                booking_date: line.booking_date,
                amount: line.amount,
                payer: line.payer.clone(),
                payer_account: line.payer_account.clone(),
                reference: line.reference.clone(),
                memo: line.memo.clone(),
                status: BankLineStatus::Unmatched,
                customer_id: None,
                receipt_id: None,
                rule: None,
                imported_at: self.now(),
                imported_by: ctx.actor.user_id,
                import_file: file.clone(),
                note: None,
            };
            let Some(id) = tx.bank_line_insert(&stored).await? else {
                report.duplicates += 1;
                continue;
            };
            let stored = BankStatementLine { id, ..stored };
            let invoices = named_invoices(&mut tx, &line, None).await?;
            let found = identify(&line, &invoices, &customers);
            let change = match found {
                Some(found) => {
                    let r = self
                        .line_to_receipt(&mut tx, ctx, &stored, found, BankLineStatus::Matched)
                        .await
                        .map_err(|e| on_row(&table.file, row, e))?;
                    let after = format!("matched {} ({})", r.receipt_number, r.rule);
                    report.matched += 1;
                    report.receipts.push(r);
                    after
                }
                None => {
                    report.unmatched += 1;
                    "unmatched".to_string()
                }
            };
            self.audit(
                &mut tx,
                ctx,
                "bank_line",
                id,
                "import",
                vec![status_set(None, change)],
            )
            .await?;
            self.publish(
                &mut tx,
                "bank_line.imported",
                "bank_line",
                id,
                serde_json::json!({ "id": id, "file": file, "row": row, "amount": line.amount, "booking_date": line.booking_date }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Finance assigns an unmatched line to a customer: it becomes a
    /// verified receipt of that customer and pays its invoices (the one the
    /// memo names first).
    pub async fn assign_bank_line(
        &self,
        ctx: &Ctx,
        id: i64,
        customer: CustomerId,
    ) -> AppResult<BankLineView> {
        finance(ctx)?;
        let mut tx = self.store.write().await?;
        let line = line_in(&mut tx, id).await?;
        if line.status != BankLineStatus::Unmatched {
            return Err(not_unmatched(&line));
        }
        customer_in(&mut tx, customer, "customer_id").await?;
        let as_line = BankLine {
            our_account: line.our_account.clone(),
            booking_date: line.booking_date,
            amount: line.amount,
            payer: line.payer.clone(),
            payer_account: line.payer_account.clone(),
            reference: line.reference.clone(),
            memo: line.memo.clone(),
        };
        let invoice = named_invoices(&mut tx, &as_line, Some(customer))
            .await?
            .into_iter()
            .next();
        let found = Identified {
            customer_id: customer,
            rule: MatchRule::Manual,
            invoice,
        };
        let r = self
            .line_to_receipt(&mut tx, ctx, &line, found, BankLineStatus::Assigned)
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "bank_line",
            id,
            "assign",
            vec![status_set(
                Some(line.status.to_string()),
                format!(
                    "assigned {} {} → {}",
                    r.customer_code, r.customer_name, r.receipt_number
                ),
            )],
        )
        .await?;
        self.publish(
            &mut tx,
            "bank_line.assigned",
            "bank_line",
            id,
            serde_json::json!({ "id": id, "customer_id": customer, "receipt_id": r.receipt_id, "amount": line.amount }),
        )
        .await?;
        let line = line_in(&mut tx, id).await?;
        let view = line_view(&mut tx, line).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Finance marks an unmatched line as no customer's payment, with the
    /// reason; it stays in the list of ignored lines.
    pub async fn ignore_bank_line(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: &str,
    ) -> AppResult<BankLineView> {
        finance(ctx)?;
        let reason = ValidationErrors::reason(reason)?;
        let mut tx = self.store.write().await?;
        let line = line_in(&mut tx, id).await?;
        let outcome = BankLineOutcome {
            status: BankLineStatus::Ignored,
            customer_id: None,
            receipt_id: None,
            rule: None,
            note: Some(reason.clone()),
        };
        if !tx
            .bank_line_settle(id, BankLineStatus::Unmatched, &outcome)
            .await?
        {
            return Err(not_unmatched(&line));
        }
        self.audit(
            &mut tx,
            ctx,
            "bank_line",
            id,
            "ignore",
            vec![status_set(
                Some(line.status.to_string()),
                format!("ignored: {reason}"),
            )],
        )
        .await?;
        self.publish(
            &mut tx,
            "bank_line.ignored",
            "bank_line",
            id,
            serde_json::json!({ "id": id, "amount": line.amount, "reason": reason }),
        )
        .await?;
        let line = line_in(&mut tx, id).await?;
        let view = line_view(&mut tx, line).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Statement lines, newest first (default: all; `status` filters).
    pub async fn bank_lines(
        &self,
        ctx: &Ctx,
        mut filter: BankLineFilter,
    ) -> AppResult<Vec<BankLineView>> {
        finance(ctx)?;
        filter.limit = filter.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        let lines = tx.bank_lines(&filter).await?;
        let mut out = Vec::with_capacity(lines.len());
        for l in lines {
            out.push(line_view(&mut tx, l).await?);
        }
        Ok(out)
    }

    /// The receipt of a line whose customer is known: registered and
    /// verified at once, the named invoice paid first, then the customer's
    /// open invoices oldest due first; the line moves to `status`.
    async fn line_to_receipt(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        line: &BankStatementLine,
        found: Identified,
        status: BankLineStatus,
    ) -> AppResult<BankReceipt> {
        let data = customer_in(tx, found.customer_id, "customer_id").await?;
        let input = ReceiptInput {
            customer_id: found.customer_id,
            payer: line.payer.clone().unwrap_or_else(|| data.name.clone()),
            method: PaymentMethod::BankTransfer,
            amount: line.amount,
            received_on: line.booking_date,
            // The statement line is the voucher: without the bank's
            // reference, the line's own number stands for it.
            bank_reference: Some(
                line.reference
                    .clone()
                    .unwrap_or_else(|| format!("银行流水#{}", line.id)),
            ),
            note: line.memo.clone(),
        };
        let valid = input.validate(self.today())?;
        let receipt = self.receipt_verified_in(tx, ctx, valid).await?;
        if let Some(named) = &found.invoice {
            let inv = invoice_in(tx, named.id).await?;
            let amount = inv.open().min(receipt.amount);
            if inv.customer_id == found.customer_id && amount.is_positive() {
                let m = Match {
                    receipt_id: receipt.id,
                    invoice_id: inv.id,
                    amount,
                };
                self.apply_match(tx, ctx, inv.customer_id, &m).await?;
                let orders = tx.invoice_orders(inv.id).await?;
                self.refresh_billing(tx, ctx, &orders).await?;
            }
        }
        self.auto_match(tx, ctx, found.customer_id).await?;
        let applied = tx
            .receipt_get(receipt.id)
            .await?
            .map(|r| r.applied)
            .unwrap_or(Money::ZERO);
        let outcome = BankLineOutcome {
            status,
            customer_id: Some(found.customer_id),
            receipt_id: Some(receipt.id),
            rule: Some(found.rule),
            note: found.invoice.as_ref().map(|i| i.number.clone()),
        };
        if !tx
            .bank_line_settle(line.id, BankLineStatus::Unmatched, &outcome)
            .await?
        {
            return Err(not_unmatched(line));
        }
        Ok(BankReceipt {
            line_id: line.id,
            receipt_id: receipt.id,
            receipt_number: receipt.number,
            customer_id: found.customer_id,
            customer_code: data.code,
            customer_name: data.name,
            amount: receipt.amount,
            applied,
            rule: found.rule,
            invoice: found.invoice.map(|i| i.number),
        })
    }
}

/// The invoices (not credit notes) a line's memo or reference names that
/// exist, of `customer` when given, in the order named.
async fn named_invoices(
    tx: &mut Box<dyn Tx>,
    line: &BankLine,
    customer: Option<CustomerId>,
) -> AppResult<Vec<NamedInvoice>> {
    let mut out = Vec::new();
    for number in line.invoice_numbers() {
        let Some(id) = tx.invoice_by_number(&number).await? else {
            continue;
        };
        let Some(inv) = tx.invoice_get(id).await? else {
            continue;
        };
        if inv.kind == InvoiceDocKind::Invoice && customer.is_none_or(|c| c == inv.customer_id) {
            out.push(NamedInvoice {
                id,
                number,
                customer_id: inv.customer_id,
            });
        }
    }
    Ok(out)
}

/// Every customer's code, name and tax number, for the matching rule.
async fn customer_keys(tx: &mut Box<dyn Tx>) -> AppResult<Vec<CustomerKey>> {
    const PAGE: u32 = 10_000;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let q = ListQuery {
            after,
            limit: PAGE,
            ..Default::default()
        };
        let page = tx.master_list(EntityKind::Customer, &q).await?;
        let full = page.len() >= PAGE as usize;
        after = page.last().map(|r| r.id);
        for r in page {
            if let MasterData::Customer(c) = r.data {
                out.push(CustomerKey {
                    id: CustomerId(r.id),
                    code: c.code,
                    name: c.name,
                    tax_number: c.tax_number,
                });
            }
        }
        if !full {
            return Ok(out);
        }
    }
}

/// A refusal while writing a row's receipt, said of that row.
fn on_row(file: &str, row: usize, e: AppError) -> AppError {
    match e {
        AppError::Invalid(v) => AppError::ImportRejected(
            v.errors
                .into_iter()
                .map(|f| RowError {
                    file: file.to_string(),
                    row,
                    column: Some(f.field),
                    message: f.message,
                })
                .collect(),
        ),
        other => other,
    }
}

fn status_set(before: Option<String>, after: String) -> FieldChange {
    FieldChange {
        field: "status".into(),
        before,
        after: Some(after),
    }
}
