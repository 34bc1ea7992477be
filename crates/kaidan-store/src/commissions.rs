//! Sales commissions in SQL (migration 0035): `commission_policies` by the
//! day they begin with their `commission_rates` and `commission_tiers`;
//! `commission_statements` and their `commission_lines`. What a rep's
//! customers bought is read from the invoices and the payment matches.

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    CategoryRate, CommissionPolicy, CommissionStatement, CommissionStatementRow, CommissionsTx,
    NewCommissionStatement, StatementLineRow, StoreError,
};
use kaidan_domain::commissions::{
    CommissionBase, CommissionBasis, CommissionLine, CommissionPolicyDraft, CommissionTier,
    StatementStatus, share,
};
use kaidan_domain::{Money, UserId};

use crate::figures::Binds;
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all};
use crate::visits::{opt_ts, reps_clause};

const STATEMENT_SELECT: &str = "SELECT s.id, s.rep_id, u.display_name AS rep, s.month, s.status, s.target, s.actual, \
     s.completion_bp, s.base, s.commission, c.display_name AS computed_by, s.computed_at, \
     r.display_name AS reviewed_by, s.reviewed_at, f.display_name AS confirmed_by, s.confirmed_at, s.return_reason \
     FROM commission_statements s JOIN users u ON u.id = s.rep_id JOIN users c ON c.id = s.computed_by \
     LEFT JOIN users r ON r.id = s.reviewed_by LEFT JOIN users f ON f.id = s.confirmed_by";

fn statement_row(r: &impl RowExt) -> Result<CommissionStatementRow, StoreError> {
    Ok(CommissionStatementRow {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        rep: r.text("rep")?,
        month: r.text("month")?,
        status: r.parsed("status")?,
        target: r.opt_i64("target")?.map(Money::from_units),
        actual: r.opt_i64("actual")?.map(Money::from_units),
        completion_bp: r.opt_i64("completion_bp")?,
        base: Money::from_units(r.i64("base")?),
        commission: Money::from_units(r.i64("commission")?),
        computed_by: r.text("computed_by")?,
        computed_at: r.ts("computed_at")?,
        reviewed_by: r.opt_text("reviewed_by")?,
        reviewed_at: opt_ts(r.opt_i64("reviewed_at")?)?,
        confirmed_by: r.opt_text("confirmed_by")?,
        confirmed_at: opt_ts(r.opt_i64("confirmed_at")?)?,
        return_reason: r.opt_text("return_reason")?,
    })
}

/// Collected: each match (and each match undone, negated) split over its
/// invoice's categories by their net, scaled from the invoice's gross.
const COLLECTED: &str = "SELECT c.sales_rep_id AS rep, m.{day} AS day, m.id AS match_id, {sign} m.amount AS paid, \
       i.amount AS gross, p.category, CAST(SUM(l.net) AS BIGINT) AS net \
     FROM payment_matches m JOIN invoices i ON i.id = m.invoice_id JOIN customers c ON c.id = i.customer_id \
       JOIN invoice_lines l ON l.invoice_id = i.id JOIN products p ON p.id = l.product_id \
     WHERE m.{day} >= $1 AND m.{day} < $2 AND c.sales_rep_id IS NOT NULL \
     GROUP BY c.sales_rep_id, m.{day}, m.id, m.amount, i.amount, p.category";

#[async_trait]
impl CommissionsTx for DbTx {
    async fn commission_policies(&mut self) -> Result<Vec<CommissionPolicy>, StoreError> {
        let mut out: Vec<CommissionPolicy> = fetch_all!(
            self,
            "SELECT p.from_day, p.basis, p.default_rate_bp, p.note, u.display_name AS written_by, p.written_at \
             FROM commission_policies p JOIN users u ON u.id = p.written_by ORDER BY p.from_day",
            [],
            |r| Ok(CommissionPolicy {
                from: r.parsed("from_day")?,
                basis: r.parsed("basis")?,
                default_rate_bp: r.i64("default_rate_bp")?,
                rates: Vec::new(),
                tiers: Vec::new(),
                note: r.opt_text("note")?,
                written_by: r.text("written_by")?,
                written_at: r.ts("written_at")?,
            })
        );
        let rates: Vec<(Date, CategoryRate)> = fetch_all!(
            self,
            "SELECT from_day, category, rate_bp FROM commission_rates ORDER BY from_day, category",
            [],
            |r| Ok((
                r.parsed("from_day")?,
                CategoryRate {
                    category: r.text("category")?,
                    rate_bp: r.i64("rate_bp")?,
                }
            ))
        );
        let tiers: Vec<(Date, CommissionTier)> = fetch_all!(
            self,
            "SELECT from_day, from_bp, factor_bp FROM commission_tiers ORDER BY from_day, from_bp",
            [],
            |r| Ok((
                r.parsed("from_day")?,
                CommissionTier {
                    from_bp: r.i64("from_bp")?,
                    factor_bp: r.i64("factor_bp")?,
                }
            ))
        );
        for p in &mut out {
            p.rates = rates
                .iter()
                .filter(|(d, _)| *d == p.from)
                .map(|(_, r)| r.clone())
                .collect();
            p.tiers = tiers
                .iter()
                .filter(|(d, _)| *d == p.from)
                .map(|(_, t)| *t)
                .collect();
        }
        Ok(out)
    }

    async fn commission_policy_put(
        &mut self,
        p: &CommissionPolicyDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let day = p.from.to_string();
        exec!(
            self,
            "INSERT INTO commission_policies (from_day, basis, default_rate_bp, note, written_by, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (from_day) DO UPDATE SET basis = excluded.basis, \
               default_rate_bp = excluded.default_rate_bp, note = excluded.note, \
               written_by = excluded.written_by, written_at = excluded.written_at",
            [
                day.as_str(),
                p.basis.as_str(),
                p.default_rate_bp,
                p.note.as_deref(),
                by.get(),
                micros(at)
            ]
        );
        exec!(
            self,
            "DELETE FROM commission_rates WHERE from_day = $1",
            [day.as_str()]
        );
        exec!(
            self,
            "DELETE FROM commission_tiers WHERE from_day = $1",
            [day.as_str()]
        );
        let rates: Vec<Vec<Val>> = p
            .rates
            .iter()
            .map(|(c, r)| vec![Val::T(day.clone()), Val::T(c.clone()), Val::I(*r)])
            .collect();
        self.insert_rows(
            "commission_rates",
            &["from_day", "category", "rate_bp"],
            &rates,
        )
        .await?;
        let tiers: Vec<Vec<Val>> = p
            .tiers
            .iter()
            .map(|t| vec![Val::T(day.clone()), Val::I(t.from_bp), Val::I(t.factor_bp)])
            .collect();
        self.insert_rows(
            "commission_tiers",
            &["from_day", "from_bp", "factor_bp"],
            &tiers,
        )
        .await?;
        Ok(())
    }

    async fn commission_bases(
        &mut self,
        basis: CommissionBasis,
        from: Date,
        to: Date,
    ) -> Result<Vec<(UserId, CommissionBase)>, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        match basis {
            CommissionBasis::Invoiced => Ok(fetch_all!(
                self,
                "SELECT c.sales_rep_id AS rep, i.invoice_date AS day, p.category, \
                        CAST(SUM(CASE WHEN i.kind = 'credit_note' THEN -l.net ELSE l.net END) AS BIGINT) AS amount \
                 FROM invoices i JOIN customers c ON c.id = i.customer_id \
                   JOIN invoice_lines l ON l.invoice_id = i.id JOIN products p ON p.id = l.product_id \
                 WHERE i.invoice_date >= $1 AND i.invoice_date < $2 AND c.sales_rep_id IS NOT NULL \
                 GROUP BY c.sales_rep_id, i.invoice_date, p.category",
                [from.as_str(), to.as_str()],
                |r| Ok((
                    UserId(r.i64("rep")?),
                    CommissionBase {
                        day: r.parsed("day")?,
                        category: r.text("category")?,
                        amount: Money::from_units(r.i64("amount")?),
                    }
                ))
            )),
            CommissionBasis::Collected => {
                let sql = format!(
                    "{} UNION ALL {}",
                    COLLECTED
                        .replace("{day}", "matched_on")
                        .replace("{sign}", ""),
                    COLLECTED
                        .replace("{day}", "undone_on")
                        .replace("{sign}", "-")
                );
                let rows: Vec<(UserId, Date, String, Money, Money, Money)> =
                    fetch_all!(self, &sql, [from.as_str(), to.as_str()], |r| Ok((
                        UserId(r.i64("rep")?),
                        r.parsed("day")?,
                        r.text("category")?,
                        Money::from_units(r.i64("paid")?),
                        Money::from_units(r.i64("gross")?),
                        Money::from_units(r.i64("net")?),
                    )));
                let mut sums: BTreeMap<(UserId, Date, String), Money> = BTreeMap::new();
                for (rep, day, category, paid, gross, net) in rows {
                    let s = sums.entry((rep, day, category)).or_insert(Money::ZERO);
                    *s = s.checked_add(share(paid, net, gross)).unwrap_or(Money::MAX);
                }
                Ok(sums
                    .into_iter()
                    .map(|((rep, day, category), amount)| {
                        (
                            rep,
                            CommissionBase {
                                day,
                                category,
                                amount,
                            },
                        )
                    })
                    .collect())
            }
        }
    }

    async fn commission_statement_put(
        &mut self,
        s: &NewCommissionStatement,
        by: UserId,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let ids: Vec<i64> = fetch_all!(
            self,
            "INSERT INTO commission_statements (rep_id, month, status, target, actual, completion_bp, base, commission, \
               computed_by, computed_at) VALUES ($1, $2, 'computed', $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (rep_id, month) DO UPDATE SET target = excluded.target, actual = excluded.actual, \
               completion_bp = excluded.completion_bp, base = excluded.base, commission = excluded.commission, \
               computed_by = excluded.computed_by, computed_at = excluded.computed_at \
             WHERE commission_statements.status = 'computed' RETURNING id",
            [
                s.rep.get(),
                s.month.as_str(),
                s.target.map(Money::units),
                s.actual.map(Money::units),
                s.completion_bp,
                s.base.units(),
                s.commission.units(),
                by.get(),
                micros(at)
            ],
            |r| r.i64("id")
        );
        let Some(id) = ids.first().copied() else {
            return Ok(None);
        };
        exec!(
            self,
            "DELETE FROM commission_lines WHERE statement_id = $1",
            [id]
        );
        let rows: Vec<Vec<Val>> = (1_i64..)
            .zip(&s.lines)
            .map(|(no, l)| {
                vec![
                    Val::I(id),
                    Val::I(no),
                    Val::OptT(l.line.policy_from.map(|d| d.to_string())),
                    Val::OptT(l.basis.map(|b| b.as_str().to_string())),
                    Val::T(l.line.category.clone()),
                    Val::I(l.line.base.units()),
                    Val::I(l.line.rate_bp),
                    Val::I(l.line.factor_bp),
                    Val::I(l.line.commission.units()),
                ]
            })
            .collect();
        self.insert_rows(
            "commission_lines",
            &[
                "statement_id",
                "line_no",
                "policy_from",
                "basis",
                "category",
                "base",
                "rate_bp",
                "factor_bp",
                "commission",
            ],
            &rows,
        )
        .await?;
        Ok(Some(id))
    }

    async fn commission_statements(
        &mut self,
        month: Option<&str>,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<CommissionStatementRow>, StoreError> {
        let mut b = Binds::default();
        let month = match month {
            Some(m) => format!(" AND s.month = {}", b.put(Val::T(m.into()))),
            None => String::new(),
        };
        let reps = reps_clause("s.rep_id", reps, &mut b);
        let sql = format!(
            "{STATEMENT_SELECT} WHERE 1 = 1{month}{reps} ORDER BY s.month DESC, u.display_name, s.id"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, statement_row))
    }

    async fn commission_statement(
        &mut self,
        id: i64,
    ) -> Result<Option<CommissionStatement>, StoreError> {
        let sql = format!("{STATEMENT_SELECT} WHERE s.id = $1");
        let mut heads: Vec<CommissionStatementRow> = fetch_all!(self, &sql, [id], statement_row);
        let Some(head) = heads.pop() else {
            return Ok(None);
        };
        let lines = fetch_all!(
            self,
            "SELECT policy_from, basis, category, base, rate_bp, factor_bp, commission \
             FROM commission_lines WHERE statement_id = $1 ORDER BY line_no",
            [id],
            |r| Ok(StatementLineRow {
                basis: r.opt_parsed("basis")?,
                line: CommissionLine {
                    policy_from: r.opt_parsed("policy_from")?,
                    category: r.text("category")?,
                    base: Money::from_units(r.i64("base")?),
                    rate_bp: r.i64("rate_bp")?,
                    factor_bp: r.i64("factor_bp")?,
                    commission: Money::from_units(r.i64("commission")?),
                },
            })
        );
        Ok(Some(CommissionStatement { head, lines }))
    }

    async fn commission_statement_move(
        &mut self,
        id: i64,
        from: StatementStatus,
        to: StatementStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (to, from) = (to.as_str(), from.as_str());
        let n = match reason {
            // Sent back: the review is undone and the reason kept.
            Some(reason) => exec!(
                self,
                "UPDATE commission_statements SET status = $1, reviewed_by = NULL, reviewed_at = NULL, \
                   return_reason = $2 WHERE id = $3 AND status = $4",
                [to, reason, id, from]
            ),
            None if to == StatementStatus::Confirmed.as_str() => exec!(
                self,
                "UPDATE commission_statements SET status = $1, confirmed_by = $2, confirmed_at = $3 \
                 WHERE id = $4 AND status = $5",
                [to, by.get(), micros(at), id, from]
            ),
            None => exec!(
                self,
                "UPDATE commission_statements SET status = $1, reviewed_by = $2, reviewed_at = $3, \
                   return_reason = NULL WHERE id = $4 AND status = $5",
                [to, by.get(), micros(at), id, from]
            ),
        };
        Ok(n > 0)
    }

    async fn commission_settled_month(&mut self) -> Result<Option<String>, StoreError> {
        let v: Vec<Option<String>> = fetch_all!(
            self,
            "SELECT MAX(month) AS month FROM commission_statements WHERE status <> 'computed'",
            [],
            |r| r.opt_text("month")
        );
        Ok(v.into_iter().flatten().next())
    }
}
