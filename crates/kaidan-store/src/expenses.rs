//! Sales expenses in SQL (migration 0034): `expense_claims` with their
//! `expense_lines` and `expense_receipts` (the bytes beside the name), and
//! `expense_budgets` by month and rep or team.

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    ExpenseClaim, ExpenseLine, ExpensePayment, ExpenseReceipt, ExpensesTx, StoreError, VoucherFile,
};
use kaidan_domain::expenses::{
    BudgetLine, BudgetSubject, ExpenseClaimDraft, ExpenseLineInput, ExpenseStatus,
};
use kaidan_domain::{CustomerId, Money, UserId};

use crate::error::corrupt;
use crate::figures::Binds;
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};
use crate::visits::{opt_ts, reps_clause};

const CLAIM_SELECT: &str = "SELECT c.id, c.rep_id, u.display_name AS rep, c.month, c.plan_id, c.status, c.note, c.total, \
     c.over_budget_reason, c.written_at, c.submitted_at, m.display_name AS manager_by, c.manager_at, \
     f.display_name AS finance_by, c.finance_at, r.display_name AS returned_by, c.return_reason, \
     c.paid_on, c.paid_ref, p.display_name AS paid_by \
     FROM expense_claims c JOIN users u ON u.id = c.rep_id LEFT JOIN users m ON m.id = c.manager_by \
     LEFT JOIN users f ON f.id = c.finance_by LEFT JOIN users r ON r.id = c.returned_by \
     LEFT JOIN users p ON p.id = c.paid_by";

fn claim_row(r: &impl RowExt) -> Result<ExpenseClaim, StoreError> {
    Ok(ExpenseClaim {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        rep: r.text("rep")?,
        month: r.text("month")?,
        plan_id: r.opt_i64("plan_id")?,
        status: r.parsed("status")?,
        note: r.opt_text("note")?,
        total: Money::from_units(r.i64("total")?),
        over_budget_reason: r.opt_text("over_budget_reason")?,
        lines: Vec::new(),
        receipts: Vec::new(),
        written_at: r.ts("written_at")?,
        submitted_at: opt_ts(r.opt_i64("submitted_at")?)?,
        manager_by: r.opt_text("manager_by")?,
        manager_at: opt_ts(r.opt_i64("manager_at")?)?,
        finance_by: r.opt_text("finance_by")?,
        finance_at: opt_ts(r.opt_i64("finance_at")?)?,
        returned_by: r.opt_text("returned_by")?,
        return_reason: r.opt_text("return_reason")?,
        paid_on: r.opt_parsed("paid_on")?,
        paid_ref: r.opt_text("paid_ref")?,
        paid_by: r.opt_text("paid_by")?,
    })
}

impl DbTx {
    /// Fills in the claims' lines and receipts.
    async fn with_children(
        &mut self,
        mut claims: Vec<ExpenseClaim>,
    ) -> Result<Vec<ExpenseClaim>, StoreError> {
        if claims.is_empty() {
            return Ok(claims);
        }
        let mut b = Binds::default();
        let marks: Vec<String> = claims.iter().map(|c| b.put(Val::I(c.id))).collect();
        let ids = marks.join(", ");
        let sql = format!(
            "SELECT l.claim_id, l.line_no, l.spent_on, l.category, l.amount, l.customer_id, l.visit_no, l.description, \
                    cu.code || ' ' || cu.name AS customer \
             FROM expense_lines l LEFT JOIN customers cu ON cu.id = l.customer_id \
             WHERE l.claim_id IN ({ids}) ORDER BY l.claim_id, l.line_no"
        );
        let vals = b.0.clone();
        let lines: Vec<(i64, ExpenseLine)> = fetch_all!(self, &sql, vals, |r| Ok((
            r.i64("claim_id")?,
            ExpenseLine {
                line_no: r.i64("line_no")?,
                line: ExpenseLineInput {
                    spent_on: r.parsed("spent_on")?,
                    category: r.parsed("category")?,
                    amount: Money::from_units(r.i64("amount")?),
                    customer_id: r.opt_i64("customer_id")?.map(CustomerId),
                    visit_no: r.opt_i64("visit_no")?,
                    description: r.text("description")?,
                },
                customer: r.opt_text("customer")?,
            }
        )));
        let sql = format!(
            "SELECT claim_id, receipt_no, file_name, content_type, size FROM expense_receipts \
             WHERE claim_id IN ({ids}) ORDER BY claim_id, receipt_no"
        );
        let vals = b.0;
        let receipts: Vec<(i64, ExpenseReceipt)> = fetch_all!(self, &sql, vals, |r| Ok((
            r.i64("claim_id")?,
            ExpenseReceipt {
                receipt_no: r.i64("receipt_no")?,
                file_name: r.text("file_name")?,
                content_type: r.parsed("content_type")?,
                size: r.i64("size")?,
            }
        )));
        let mut at: BTreeMap<i64, usize> = BTreeMap::new();
        for (i, c) in claims.iter().enumerate() {
            at.insert(c.id, i);
        }
        for (id, l) in lines {
            if let Some(i) = at.get(&id) {
                claims[*i].lines.push(l);
            }
        }
        for (id, r) in receipts {
            if let Some(i) = at.get(&id) {
                claims[*i].receipts.push(r);
            }
        }
        Ok(claims)
    }
}

#[async_trait]
impl ExpensesTx for DbTx {
    async fn expense_claim(&mut self, id: i64) -> Result<Option<ExpenseClaim>, StoreError> {
        let sql = format!("{CLAIM_SELECT} WHERE c.id = $1");
        let claims: Vec<ExpenseClaim> = fetch_all!(self, &sql, [id], claim_row);
        Ok(self.with_children(claims).await?.pop())
    }

    async fn expense_claims(
        &mut self,
        month: &str,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<ExpenseClaim>, StoreError> {
        let mut b = Binds::default();
        let m = b.put(Val::T(month.to_string()));
        let reps = reps_clause("c.rep_id", reps, &mut b);
        let sql = format!("{CLAIM_SELECT} WHERE c.month = {m}{reps} ORDER BY u.display_name, c.id");
        let vals = b.0;
        let claims: Vec<ExpenseClaim> = fetch_all!(self, &sql, vals, claim_row);
        self.with_children(claims).await
    }

    async fn expense_claim_write(
        &mut self,
        id: Option<i64>,
        rep: UserId,
        month: &str,
        claim: &ExpenseClaimDraft,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let total = claim.total().units();
        let id = match id {
            None => fetch_as!(
                self,
                query_scalar.fetch_one,
                "INSERT INTO expense_claims (rep_id, month, plan_id, status, note, total, written_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6) RETURNING id",
                [
                    rep.get(),
                    month,
                    claim.plan_id,
                    claim.note.as_deref(),
                    total,
                    micros(at)
                ]
            ),
            Some(id) => {
                exec!(
                    self,
                    "UPDATE expense_claims SET month = $1, plan_id = $2, status = 'draft', note = $3, total = $4, \
                       written_at = $5, submitted_at = NULL, over_budget_reason = NULL WHERE id = $6",
                    [
                        month,
                        claim.plan_id,
                        claim.note.as_deref(),
                        total,
                        micros(at),
                        id
                    ]
                );
                exec!(self, "DELETE FROM expense_lines WHERE claim_id = $1", [id]);
                id
            }
        };
        for (no, l) in (1_i64..).zip(&claim.lines) {
            exec!(
                self,
                "INSERT INTO expense_lines (claim_id, line_no, spent_on, category, amount, customer_id, visit_no, description) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                [
                    id,
                    no,
                    l.spent_on.to_string(),
                    l.category.as_str(),
                    l.amount.units(),
                    l.customer_id.map(|c| c.get()),
                    l.visit_no,
                    l.description.as_str()
                ]
            );
        }
        Ok(id)
    }

    async fn expense_claim_move(
        &mut self,
        id: i64,
        from: ExpenseStatus,
        to: ExpenseStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (set, binds): (&str, Vec<Val>) = match to {
            ExpenseStatus::Submitted => (
                "submitted_at = $2, over_budget_reason = $3, return_reason = NULL, returned_by = NULL, \
                 manager_by = NULL, manager_at = NULL, finance_by = NULL, finance_at = NULL",
                vec![Val::I(micros(at)), Val::OptT(reason.map(str::to_string))],
            ),
            ExpenseStatus::ManagerApproved => (
                "manager_by = $2, manager_at = $3",
                vec![Val::I(by.get()), Val::I(micros(at))],
            ),
            ExpenseStatus::Approved => (
                "finance_by = $2, finance_at = $3",
                vec![Val::I(by.get()), Val::I(micros(at))],
            ),
            ExpenseStatus::Returned => (
                "returned_by = $2, return_reason = $3",
                vec![Val::I(by.get()), Val::OptT(reason.map(str::to_string))],
            ),
            ExpenseStatus::Draft | ExpenseStatus::Reimbursed => {
                return Err(corrupt(format!("expense claim {id}: no move to {to}")));
            }
        };
        let n = binds.len();
        let sql = format!(
            "UPDATE expense_claims SET status = $1, {set} WHERE id = ${} AND status = ${}",
            n + 2,
            n + 3
        );
        let mut vals = vec![Val::T(to.as_str().into())];
        vals.extend(binds);
        vals.push(Val::I(id));
        vals.push(Val::T(from.as_str().into()));
        Ok(exec!(self, &sql, vals) > 0)
    }

    async fn expense_claim_pay(
        &mut self,
        id: i64,
        payment: &ExpensePayment,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE expense_claims SET status = 'reimbursed', paid_on = $1, paid_ref = $2, paid_by = $3, paid_at = $4 \
             WHERE id = $5 AND status = 'approved'",
            [
                payment.paid_on.to_string(),
                payment.reference.as_str(),
                by.get(),
                micros(at),
                id
            ]
        );
        Ok(n > 0)
    }

    async fn expense_receipt_add(
        &mut self,
        claim: i64,
        file: &VoucherFile,
    ) -> Result<i64, StoreError> {
        let no: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "SELECT CAST(COALESCE(MAX(receipt_no), 0) + 1 AS BIGINT) FROM expense_receipts WHERE claim_id = $1",
            [claim]
        );
        let size = i64::try_from(file.bytes.len()).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO expense_receipts (claim_id, receipt_no, file_name, content_type, size, bytes) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                claim,
                no,
                file.file_name.as_str(),
                file.content_type.as_str(),
                size,
                file.bytes.as_slice()
            ]
        );
        Ok(no)
    }

    async fn expense_receipt(
        &mut self,
        claim: i64,
        no: i64,
    ) -> Result<Option<VoucherFile>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT file_name, content_type, bytes FROM expense_receipts WHERE claim_id = $1 AND receipt_no = $2",
            [claim, no],
            |r| Ok(VoucherFile {
                file_name: r.text("file_name")?,
                content_type: r.parsed("content_type")?,
                bytes: r.opt_bytes("bytes")?.unwrap_or_default(),
            })
        ))
    }

    async fn expense_claim_counts(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<(ExpenseStatus, i64, Money)>, StoreError> {
        let mut b = Binds::default();
        let reps = reps_clause("c.rep_id", reps, &mut b);
        let sql = format!(
            "SELECT c.status, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(c.total) AS BIGINT) AS total \
             FROM expense_claims c WHERE 1 = 1{reps} GROUP BY c.status"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok((
            r.parsed("status")?,
            r.i64("n")?,
            Money::from_units(r.i64("total")?)
        ))))
    }

    async fn expense_budgets(&mut self, month: &str) -> Result<Vec<BudgetLine>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT subject_kind, subject_id, amount FROM expense_budgets WHERE month = $1 \
             ORDER BY subject_kind DESC, subject_id",
            [month],
            |r| {
                let kind = r.text("subject_kind")?;
                Ok(BudgetLine {
                    subject: BudgetSubject::from_parts(&kind, r.i64("subject_id")?)
                        .ok_or_else(|| corrupt(format!("budget subject kind '{kind}'")))?,
                    amount: Money::from_units(r.i64("amount")?),
                })
            }
        ))
    }

    async fn expense_budgets_put(
        &mut self,
        month: &str,
        lines: &[BudgetLine],
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        for l in lines {
            exec!(
                self,
                "INSERT INTO expense_budgets (month, subject_kind, subject_id, amount, written_by, written_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (month, subject_kind, subject_id) \
                 DO UPDATE SET amount = excluded.amount, written_by = excluded.written_by, written_at = excluded.written_at",
                [
                    month,
                    l.subject.kind(),
                    l.subject.id(),
                    l.amount.units(),
                    by.get(),
                    micros(at)
                ]
            );
        }
        Ok(())
    }
}
