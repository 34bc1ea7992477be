//! Receipts with their vouchers and matches of money to invoices in SQL
//! (FIN-2, FIN-3): the money side of `FinanceTx` (`finance.rs`).

use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{MatchRow, ReceiptFilter, StoreError, VoucherFile};
use kaidan_domain::finance::{OpenMoney, Receipt, ReceiptStatus, VoucherInfo};
use kaidan_domain::{CustomerId, Money, UserId};

use crate::error::corrupt;
use crate::finance::{date, money, party_clauses};
use crate::row::{RowExt, Val, from_micros, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const RECEIPT_COLS: &str = "id, number, customer_id, payer, method, amount, applied, received_on, \
     bank_reference, note, status, registered_by, registered_by_name, registered_at, decided_by_name, \
     decided_at, decision_note, voucher_name, voucher_type, voucher_size";

fn receipt_from(r: &impl RowExt) -> Result<Receipt, StoreError> {
    let voucher = match r.opt_text("voucher_name")? {
        Some(file_name) => Some(VoucherInfo {
            file_name,
            content_type: r
                .opt_parsed("voucher_type")?
                .ok_or_else(|| corrupt("a voucher without its type"))?,
            size: r.opt_i64("voucher_size")?.unwrap_or(0),
        }),
        None => None,
    };
    Ok(Receipt {
        id: r.i64("id")?,
        number: r.text("number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        payer: r.text("payer")?,
        method: r.parsed("method")?,
        amount: money(r, "amount")?,
        applied: money(r, "applied")?,
        received_on: date(r, "received_on")?,
        bank_reference: r.opt_text("bank_reference")?,
        note: r.opt_text("note")?,
        status: r.parsed("status")?,
        registered_by: UserId(r.i64("registered_by")?),
        registered_by_name: r.text("registered_by_name")?,
        registered_at: r.ts("registered_at")?,
        decided_by_name: r.opt_text("decided_by_name")?,
        decided_at: r.opt_i64("decided_at")?.map(from_micros).transpose()?,
        decision_note: r.opt_text("decision_note")?,
        voucher,
    })
}

impl DbTx {
    pub(crate) async fn insert_receipt(
        &mut self,
        receipt: &Receipt,
        voucher: Option<&VoucherFile>,
    ) -> Result<i64, StoreError> {
        // What the receipt says of its voucher is taken from the file
        // stored with it, so the two always agree.
        let size = voucher
            .map(|v| i64::try_from(v.bytes.len()).map_err(corrupt))
            .transpose()?;
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO receipts (number, customer_id, payer, method, amount, applied, received_on, \
                                   bank_reference, note, status, registered_by, registered_by_name, \
                                   registered_at, decided_by_name, decided_at, decision_note, voucher_name, \
                                   voucher_type, voucher_size) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
             RETURNING id",
            [
                &receipt.number,
                receipt.customer_id.get(),
                &receipt.payer,
                receipt.method.as_str(),
                receipt.amount.units(),
                receipt.applied.units(),
                receipt.received_on.to_string(),
                receipt.bank_reference.as_deref(),
                receipt.note.as_deref(),
                receipt.status.as_str(),
                receipt.registered_by.get(),
                &receipt.registered_by_name,
                micros(receipt.registered_at),
                receipt.decided_by_name.as_deref(),
                receipt.decided_at.map(micros),
                receipt.decision_note.as_deref(),
                voucher.map(|v| v.file_name.as_str()),
                voucher.map(|v| v.content_type.as_str()),
                size,
            ]
        );
        if let Some(v) = voucher {
            exec!(
                self,
                "INSERT INTO receipt_vouchers (receipt_id, bytes) VALUES ($1, $2)",
                [id, v.bytes.as_slice()]
            );
        }
        Ok(id)
    }

    /// Stores or replaces a receipt's voucher, and what the receipt says
    /// of it.
    pub(crate) async fn set_voucher(
        &mut self,
        id: i64,
        voucher: &VoucherFile,
    ) -> Result<(), StoreError> {
        let size = i64::try_from(voucher.bytes.len()).map_err(corrupt)?;
        exec!(
            self,
            "UPDATE receipts SET voucher_name = $1, voucher_type = $2, voucher_size = $3 WHERE id = $4",
            [
                voucher.file_name.as_str(),
                voucher.content_type.as_str(),
                size,
                id
            ]
        );
        exec!(
            self,
            "DELETE FROM receipt_vouchers WHERE receipt_id = $1",
            [id]
        );
        exec!(
            self,
            "INSERT INTO receipt_vouchers (receipt_id, bytes) VALUES ($1, $2)",
            [id, voucher.bytes.as_slice()]
        );
        Ok(())
    }

    pub(crate) async fn get_receipt(&mut self, id: i64) -> Result<Option<Receipt>, StoreError> {
        let sql = format!("SELECT {RECEIPT_COLS} FROM receipts WHERE id = $1");
        Ok(fetch_opt!(self, &sql, [id], receipt_from))
    }

    pub(crate) async fn list_receipts(
        &mut self,
        filter: &ReceiptFilter,
    ) -> Result<Vec<Receipt>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = party_clauses(
            "r",
            filter.customer,
            filter.sales_rep,
            filter.before_id,
            &mut vals,
        );
        if let Some(s) = filter.status {
            vals.push(Val::T(s.as_str().into()));
            clauses.push(format!("r.status = ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(filter.limit.max(1))));
        let sql = format!(
            "SELECT {RECEIPT_COLS} FROM receipts r {} ORDER BY r.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, receipt_from))
    }

    pub(crate) async fn voucher_of(&mut self, id: i64) -> Result<Option<VoucherFile>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT r.voucher_name, r.voucher_type, v.bytes FROM receipts r \
             JOIN receipt_vouchers v ON v.receipt_id = r.id WHERE r.id = $1",
            [id],
            |r| Ok(VoucherFile {
                file_name: r
                    .opt_text("voucher_name")?
                    .ok_or_else(|| corrupt(format!("receipt {id}: a voucher without its name")))?,
                content_type: r
                    .opt_parsed("voucher_type")?
                    .ok_or_else(|| corrupt(format!("receipt {id}: a voucher without its type")))?,
                bytes: r.opt_bytes("bytes")?.unwrap_or_default(),
            })
        ))
    }

    pub(crate) async fn decide_receipt(
        &mut self,
        id: i64,
        from: ReceiptStatus,
        to: ReceiptStatus,
        by_name: &str,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE receipts SET status = $1, decided_by_name = $2, decided_at = $3, decision_note = $4 \
             WHERE id = $5 AND status = $6",
            [to.as_str(), by_name, micros(at), note, id, from.as_str()]
        );
        Ok(n == 1)
    }

    pub(crate) async fn apply_receipt(
        &mut self,
        id: i64,
        delta: Money,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE receipts SET applied = applied + $1 \
             WHERE id = $2 AND status = 'verified' AND applied + $1 >= 0 AND applied + $1 <= amount",
            [delta.units(), id]
        );
        Ok(n == 1)
    }

    pub(crate) async fn open_money_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<OpenMoney>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, received_on, amount - applied AS unapplied FROM receipts \
             WHERE customer_id = $1 AND status = 'verified' AND applied < amount \
             ORDER BY received_on, id",
            [customer.get()],
            |r| Ok(OpenMoney {
                receipt_id: r.i64("id")?,
                received_on: date(r, "received_on")?,
                unapplied: money(r, "unapplied")?,
            })
        ))
    }

    pub(crate) async fn insert_match(
        &mut self,
        receipt: i64,
        invoice: i64,
        amount: Money,
        on: Date,
        by: UserId,
        by_name: &str,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO payment_matches (receipt_id, invoice_id, amount, matched_on, matched_by, matched_by_name) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            [
                receipt,
                invoice,
                amount.units(),
                on.to_string(),
                by.get(),
                by_name
            ]
        ))
    }

    pub(crate) async fn list_matches(
        &mut self,
        invoice: Option<i64>,
        receipt: Option<i64>,
    ) -> Result<Vec<MatchRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(i) = invoice {
            vals.push(Val::I(i));
            clauses.push(format!("m.invoice_id = ${}", vals.len()));
        }
        if let Some(r) = receipt {
            vals.push(Val::I(r));
            clauses.push(format!("m.receipt_id = ${}", vals.len()));
        }
        let sql = format!(
            "SELECT m.id, m.receipt_id, r.number AS receipt_number, m.invoice_id, i.number AS invoice_number, \
                    m.amount, m.matched_on, m.matched_by_name, m.undone_on \
             FROM payment_matches m JOIN receipts r ON r.id = m.receipt_id \
                  JOIN invoices i ON i.id = m.invoice_id \
             {} ORDER BY m.matched_on, m.id",
            where_all(&clauses)
        );
        Ok(fetch_all!(self, &sql, vals, |r| Ok(MatchRow {
            id: r.i64("id")?,
            receipt_id: r.i64("receipt_id")?,
            receipt_number: r.text("receipt_number")?,
            invoice_id: r.i64("invoice_id")?,
            invoice_number: r.text("invoice_number")?,
            amount: money(r, "amount")?,
            matched_on: date(r, "matched_on")?,
            matched_by_name: r.text("matched_by_name")?,
            undone_on: r.opt_parsed("undone_on")?,
        })))
    }

    pub(crate) async fn undo_match(&mut self, id: i64, on: Date) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE payment_matches SET undone_on = $1 WHERE id = $2 AND undone_on IS NULL",
            [on.to_string(), id]
        );
        Ok(n == 1)
    }
}
