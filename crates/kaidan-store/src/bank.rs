//! Bank statement lines in SQL (FIN-3; migration 0017, ADR 0023):
//! `BankTx`. A line is inserted once: `ON CONFLICT (line_hash) DO NOTHING`
//! makes a second import of the same row (or two imports at once, on
//! PostgreSQL the second waiting for the first's unique-index entry) a
//! duplicate rather than an error; a line leaves `unmatched` by a guarded
//! update, so of two finance users assigning it at once exactly one does.

use async_trait::async_trait;
use kaidan_app::ports::{BankLineFilter, BankLineOutcome, BankTx, StoreError};
use kaidan_domain::finance::{BankLineStatus, BankStatementLine};
use kaidan_domain::{CustomerId, UserId};

use crate::finance::{date, money};
use crate::row::{RowExt, Val, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const LINE_COLS: &str = "id, line_hash, our_account, booking_date, amount, payer, payer_account, \
     reference, memo, status, customer_id, receipt_id, match_rule, imported_at, imported_by, \
     import_file, note";

fn line_from(r: &impl RowExt) -> Result<BankStatementLine, StoreError> {
    Ok(BankStatementLine {
        id: r.i64("id")?,
        line_hash: r.text("line_hash")?,
        our_account: r.opt_text("our_account")?,
        booking_date: date(r, "booking_date")?,
        amount: money(r, "amount")?,
        payer: r.opt_text("payer")?,
        payer_account: r.opt_text("payer_account")?,
        reference: r.opt_text("reference")?,
        memo: r.opt_text("memo")?,
        status: r.parsed("status")?,
        customer_id: r.opt_i64("customer_id")?.map(CustomerId),
        receipt_id: r.opt_i64("receipt_id")?,
        rule: r.opt_parsed("match_rule")?,
        imported_at: r.ts("imported_at")?,
        imported_by: UserId(r.i64("imported_by")?),
        import_file: r.text("import_file")?,
        note: r.opt_text("note")?,
    })
}

#[async_trait]
impl BankTx for DbTx {
    async fn bank_line_insert(&mut self, l: &BankStatementLine) -> Result<Option<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "INSERT INTO bank_statement_lines (line_hash, our_account, booking_date, amount, payer, \
             payer_account, reference, memo, status, customer_id, receipt_id, match_rule, \
             imported_at, imported_by, import_file, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (line_hash) DO NOTHING RETURNING id",
            [
                &l.line_hash,
                l.our_account.as_deref(),
                l.booking_date.to_string(),
                l.amount.units(),
                l.payer.as_deref(),
                l.payer_account.as_deref(),
                l.reference.as_deref(),
                l.memo.as_deref(),
                l.status.as_str(),
                l.customer_id.map(|c| c.get()),
                l.receipt_id,
                l.rule.map(|r| r.as_str()),
                micros(l.imported_at),
                l.imported_by.get(),
                &l.import_file,
                l.note.as_deref()
            ]
        ))
    }

    async fn bank_line_get(&mut self, id: i64) -> Result<Option<BankStatementLine>, StoreError> {
        let sql = format!("SELECT {LINE_COLS} FROM bank_statement_lines WHERE id = $1");
        Ok(fetch_opt!(self, &sql, [id], line_from))
    }

    async fn bank_lines(
        &mut self,
        filter: &BankLineFilter,
    ) -> Result<Vec<BankStatementLine>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(s) = filter.status {
            vals.push(Val::T(s.as_str().into()));
            clauses.push(format!("status = ${}", vals.len()));
        }
        if let Some(before) = filter.before_id {
            vals.push(Val::I(before));
            clauses.push(format!("id < ${}", vals.len()));
        }
        vals.push(Val::I(i64::from(filter.limit.max(1))));
        let sql = format!(
            "SELECT {LINE_COLS} FROM bank_statement_lines {} ORDER BY id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, line_from))
    }

    async fn bank_line_settle(
        &mut self,
        id: i64,
        from: BankLineStatus,
        o: &BankLineOutcome,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE bank_statement_lines SET status = $1, customer_id = $2, receipt_id = $3, \
             match_rule = $4, note = $5 WHERE id = $6 AND status = $7",
            [
                o.status.as_str(),
                o.customer_id.map(|c| c.get()),
                o.receipt_id,
                o.rule.map(|r| r.as_str()),
                o.note.as_deref(),
                id,
                from.as_str()
            ]
        );
        Ok(n == 1)
    }
}
