//! Dunning, collection actions and statements of account in SQL (FIN-4;
//! migration 0016): `CollectionTx`. A customer's notice of a period is
//! unique; a second insert of it (another node, or finance running the
//! period while the job does) is skipped by `ON CONFLICT DO NOTHING` — on
//! PostgreSQL the second writer waits for the first and then skips.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{CollectionTx, CustomerLabel, DunningNotice, NoticeFilter, StoreError};
use kaidan_domain::finance::{
    CollectionAction, CollectionKind, NoticeDraft, NoticeInvoice, Period, ReceivableItem,
    StatementConfirmation, StatementEntry, StatementEntryKind, StatementTotals, ValidCollection,
};
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{CustomerId, Money, Role, UserId};

use crate::error::corrupt;
use crate::finance::{date, money};
use crate::row::{RowExt, Val, from_micros, micros, placeholders, where_all};
use crate::tx::{DbTx, fetch_all, fetch_as, fetch_opt};

const NOTICE_COLS: &str = "n.id, n.customer_id, cu.code || ' ' || cu.name AS customer, n.period, \
     n.as_of, n.level, n.overdue, n.oldest_days, n.sales_rep_id, u.display_name AS sales_rep, \
     n.escalated_to, n.invoices, n.raised_at, n.raised_by_name";

fn notice_from(r: &impl RowExt) -> Result<DunningNotice, StoreError> {
    let escalated_to = r
        .text("escalated_to")?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Role>()
                .map_err(|e| corrupt(format!("escalated_to: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let invoices: Vec<NoticeInvoice> = serde_json::from_str(&r.text("invoices")?)
        .map_err(|e| corrupt(format!("dunning notice invoices: {e}")))?;
    Ok(DunningNotice {
        id: r.i64("id")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        customer: r.text("customer")?,
        period: r.parsed("period")?,
        as_of: date(r, "as_of")?,
        level: r.parsed("level")?,
        overdue: money(r, "overdue")?,
        oldest_days: r.i64("oldest_days")?,
        sales_rep_id: r.opt_i64("sales_rep_id")?.map(UserId),
        sales_rep: r.opt_text("sales_rep")?,
        escalated_to,
        invoices,
        raised_at: r.ts("raised_at")?,
        raised_by_name: r.text("raised_by_name")?,
    })
}

/// The verified money of the action's customer received on or after the
/// day it happened, as `received_since`.
const ACTION_COLS: &str = "a.id, a.customer_id, a.kind, a.happened_on, a.outcome, a.promise_date, \
     a.promise_amount, a.recorded_by, a.recorded_by_name, a.recorded_at, \
     CAST(COALESCE((SELECT SUM(r.amount) FROM receipts r WHERE r.customer_id = a.customer_id \
        AND r.status = 'verified' AND r.received_on >= a.happened_on), 0) AS BIGINT) AS received_since";

fn action_from(r: &impl RowExt) -> Result<CollectionAction, StoreError> {
    Ok(CollectionAction {
        id: r.i64("id")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        kind: r.parsed::<CollectionKind>("kind")?,
        happened_on: date(r, "happened_on")?,
        outcome: r.text("outcome")?,
        promise_date: r.opt_parsed("promise_date")?,
        promise_amount: r.opt_i64("promise_amount")?.map(Money::from_units),
        received_since: money(r, "received_since")?,
        promise_state: None,
        recorded_by: UserId(r.i64("recorded_by")?),
        recorded_by_name: r.text("recorded_by_name")?,
        recorded_at: r.ts("recorded_at")?,
    })
}

const CONFIRMATION_COLS: &str = "id, customer_id, period, status, note, closing, confirmed_by, \
     confirmed_by_name, confirmed_at";

fn confirmation_from(r: &impl RowExt) -> Result<StatementConfirmation, StoreError> {
    Ok(StatementConfirmation {
        id: r.i64("id")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        period: r.parsed("period")?,
        status: r.parsed("status")?,
        note: r.opt_text("note")?,
        closing: money(r, "closing")?,
        by: UserId(r.i64("confirmed_by")?),
        by_name: r.text("confirmed_by_name")?,
        at: r.ts("confirmed_at")?,
    })
}

fn entry(
    date: Date,
    kind: StatementEntryKind,
    r: &impl RowExt,
) -> Result<StatementEntry, StoreError> {
    Ok(StatementEntry {
        date,
        kind,
        document_id: r.i64("id")?,
        number: r.text("number")?,
        amount: money(r, "amount")?,
        balance: Money::ZERO,
    })
}

#[async_trait]
impl CollectionTx for DbTx {
    async fn receivables_as_of(
        &mut self,
        as_of: Date,
        customer: Option<CustomerId>,
    ) -> Result<Vec<ReceivableItem>, StoreError> {
        let mut vals = vec![Val::T(as_of.to_string())];
        let only = match customer {
            Some(c) => {
                vals.push(Val::I(c.get()));
                "AND i.customer_id = $2"
            }
            None => "",
        };
        // Open on the day, as the ageing reads it (finance_reads.rs): less
        // the credit notes dated by then and the matches made by then and
        // not undone by then.
        let sql = format!(
            "SELECT x.* FROM ( \
               SELECT i.id, i.number, i.customer_id, cu.sales_rep_id, i.invoice_date, i.due_date, \
                      CAST(i.amount \
                           - COALESCE((SELECT SUM(c.amount) FROM invoices c \
                                       WHERE c.credit_of = i.id AND c.invoice_date <= $1), 0) \
                           - COALESCE((SELECT SUM(m.amount) FROM payment_matches m \
                                       WHERE m.invoice_id = i.id AND m.matched_on <= $1 \
                                         AND (m.undone_on IS NULL OR m.undone_on > $1)), 0) \
                           AS BIGINT) AS open_amount \
               FROM invoices i JOIN customers cu ON cu.id = i.customer_id \
               WHERE i.kind = 'invoice' AND i.invoice_date <= $1 {only}) x \
             WHERE x.open_amount > 0 ORDER BY x.customer_id, x.due_date, x.id"
        );
        Ok(fetch_all!(self, &sql, vals, |r| Ok(ReceivableItem {
            invoice_id: r.i64("id")?,
            number: r.text("number")?,
            customer_id: CustomerId(r.i64("customer_id")?),
            sales_rep_id: r.opt_i64("sales_rep_id")?.map(UserId),
            invoice_date: date(r, "invoice_date")?,
            due_date: date(r, "due_date")?,
            open: money(r, "open_amount")?,
        })))
    }

    async fn dunning_notice_insert(
        &mut self,
        n: &NoticeDraft,
        at: Timestamp,
        by_name: &str,
    ) -> Result<Option<i64>, StoreError> {
        let escalated: Vec<&str> = n.escalated_to.iter().map(|r| r.as_str()).collect();
        let invoices = serde_json::to_string(&n.invoices)
            .map_err(|e| StoreError::Other(format!("dunning notice invoices: {e}")))?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "INSERT INTO dunning_notices (customer_id, period, as_of, level, overdue, oldest_days, \
                 sales_rep_id, escalated_to, invoices, raised_at, raised_by_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (customer_id, period) DO NOTHING RETURNING id",
            [
                n.customer_id.get(),
                n.period.to_string(),
                n.as_of.to_string(),
                n.level.as_str(),
                n.overdue.units(),
                n.oldest_days,
                n.sales_rep_id.map(|u| u.get()),
                escalated.join(","),
                invoices,
                micros(at),
                by_name
            ]
        ))
    }

    async fn dunning_notices(
        &mut self,
        filter: &NoticeFilter,
    ) -> Result<Vec<DunningNotice>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(id) = filter.id {
            vals.push(Val::I(id));
            clauses.push(format!("n.id = ${}", vals.len()));
        }
        if let Some(p) = filter.period {
            vals.push(Val::T(p.to_string()));
            clauses.push(format!("n.period = ${}", vals.len()));
        }
        if let Some(c) = filter.customer {
            vals.push(Val::I(c.get()));
            clauses.push(format!("n.customer_id = ${}", vals.len()));
        }
        if let Some(u) = filter.sales_rep {
            vals.push(Val::I(u.get()));
            clauses.push(format!("n.sales_rep_id = ${}", vals.len()));
        }
        if !filter.levels.is_empty() {
            let mut marks = Vec::new();
            for l in &filter.levels {
                vals.push(Val::T(l.as_str().to_string()));
                marks.push(format!("${}", vals.len()));
            }
            clauses.push(format!("n.level IN ({})", marks.join(", ")));
        }
        vals.push(Val::I(i64::from(filter.limit.max(1))));
        let sql = format!(
            "SELECT {NOTICE_COLS} FROM dunning_notices n JOIN customers cu ON cu.id = n.customer_id \
             LEFT JOIN users u ON u.id = n.sales_rep_id {} \
             ORDER BY n.period DESC, n.overdue DESC, n.id LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, notice_from))
    }

    async fn collection_action_insert(
        &mut self,
        customer: CustomerId,
        a: &ValidCollection,
        by: UserId,
        by_name: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO collection_actions (customer_id, kind, happened_on, outcome, promise_date, \
                 promise_amount, recorded_by, recorded_by_name, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            [
                customer.get(),
                a.kind.as_str(),
                a.happened_on.to_string(),
                &a.outcome,
                a.promise.map(|p| p.0.to_string()),
                a.promise.map(|p| p.1.units()),
                by.get(),
                by_name,
                micros(at)
            ]
        ))
    }

    async fn collection_actions(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<CollectionAction>, StoreError> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM collection_actions a WHERE a.customer_id = $1 \
             ORDER BY a.happened_on DESC, a.id DESC LIMIT $2"
        );
        Ok(fetch_all!(
            self,
            &sql,
            [customer.get(), i64::from(limit.max(1))],
            action_from
        ))
    }

    async fn promises_due(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<CollectionAction>, StoreError> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM collection_actions a \
             WHERE a.kind = 'promise' AND a.promise_date >= $1 AND a.promise_date <= $2 \
             ORDER BY a.promise_date, a.id"
        );
        Ok(fetch_all!(
            self,
            &sql,
            [from.to_string(), to.to_string()],
            action_from
        ))
    }

    async fn collected_between(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(CustomerId, Money)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT customer_id, CAST(SUM(amount) AS BIGINT) AS amount FROM receipts \
             WHERE status = 'verified' AND received_on >= $1 AND received_on <= $2 \
             GROUP BY customer_id",
            [from.to_string(), to.to_string()],
            |r| Ok((CustomerId(r.i64("customer_id")?), money(r, "amount")?))
        ))
    }

    async fn actions_between(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(CustomerId, u32)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT customer_id, CAST(COUNT(*) AS BIGINT) AS n FROM collection_actions \
             WHERE happened_on >= $1 AND happened_on <= $2 GROUP BY customer_id",
            [from.to_string(), to.to_string()],
            |r| Ok((
                CustomerId(r.i64("customer_id")?),
                u32::try_from(r.i64("n")?).unwrap_or(u32::MAX)
            ))
        ))
    }

    async fn customer_labels(
        &mut self,
        customers: &[CustomerId],
    ) -> Result<Vec<CustomerLabel>, StoreError> {
        let mut out = Vec::with_capacity(customers.len());
        for chunk in customers.chunks(500) {
            let vals: Vec<Val> = chunk.iter().map(|c| Val::I(c.get())).collect();
            let sql = format!(
                "SELECT c.id, c.code || ' ' || c.name AS label, c.sales_rep_id, \
                        COALESCE(u.display_name, '') AS sales_rep \
                 FROM customers c LEFT JOIN users u ON u.id = c.sales_rep_id \
                 WHERE c.id IN ({}) ORDER BY c.id",
                placeholders(1, vals.len())
            );
            out.extend(fetch_all!(self, &sql, vals, |r| Ok(CustomerLabel {
                customer_id: CustomerId(r.i64("id")?),
                label: r.text("label")?,
                sales_rep_id: r.opt_i64("sales_rep_id")?.map(UserId),
                sales_rep: r.text("sales_rep")?,
            })));
        }
        Ok(out)
    }

    async fn statement_totals(
        &mut self,
        customer: CustomerId,
        before: Date,
        before_at: Timestamp,
    ) -> Result<StatementTotals, StoreError> {
        let row: (i64, i64, i64, i64) = fetch_as!(
            self,
            query_as.fetch_one,
            "SELECT \
               CAST(COALESCE((SELECT SUM(amount) FROM invoices WHERE customer_id = $1 \
                   AND kind = 'invoice' AND invoice_date < $2), 0) AS BIGINT), \
               CAST(COALESCE((SELECT SUM(amount) FROM invoices WHERE customer_id = $1 \
                   AND kind = 'credit_note' AND invoice_date < $2), 0) AS BIGINT), \
               CAST(COALESCE((SELECT SUM(amount) FROM receipts WHERE customer_id = $1 \
                   AND status IN ('verified', 'reversed') AND received_on < $2), 0) AS BIGINT), \
               CAST(COALESCE((SELECT SUM(amount) FROM receipts WHERE customer_id = $1 \
                   AND status = 'reversed' AND decided_at < $3), 0) AS BIGINT)",
            [customer.get(), before.to_string(), micros(before_at)]
        );
        Ok(StatementTotals {
            invoiced: Money::from_units(row.0),
            credited: Money::from_units(row.1),
            received: Money::from_units(row.2),
            reversed: Money::from_units(row.3),
        })
    }

    async fn statement_entries(
        &mut self,
        customer: CustomerId,
        from: Date,
        end: Date,
        from_at: Timestamp,
        end_at: Timestamp,
    ) -> Result<Vec<StatementEntry>, StoreError> {
        let mut out = fetch_all!(
            self,
            "SELECT id, number, kind, invoice_date, amount FROM invoices \
             WHERE customer_id = $1 AND invoice_date >= $2 AND invoice_date < $3",
            [customer.get(), from.to_string(), end.to_string()],
            |r| {
                let kind = if r.text("kind")? == "credit_note" {
                    StatementEntryKind::CreditNote
                } else {
                    StatementEntryKind::Invoice
                };
                entry(date(r, "invoice_date")?, kind, r)
            }
        );
        out.extend(fetch_all!(
            self,
            "SELECT id, number, received_on, amount FROM receipts \
             WHERE customer_id = $1 AND status IN ('verified', 'reversed') \
               AND received_on >= $2 AND received_on < $3",
            [customer.get(), from.to_string(), end.to_string()],
            |r| entry(date(r, "received_on")?, StatementEntryKind::Receipt, r)
        ));
        let tz = company_time_zone();
        out.extend(fetch_all!(
            self,
            "SELECT id, number, decided_at, amount FROM receipts \
             WHERE customer_id = $1 AND status = 'reversed' \
               AND decided_at >= $2 AND decided_at < $3",
            [customer.get(), micros(from_at), micros(end_at)],
            |r| {
                let day = from_micros(r.i64("decided_at")?)?
                    .to_zoned(tz.clone())
                    .date();
                entry(day, StatementEntryKind::Reversal, r)
            }
        ));
        Ok(out)
    }

    async fn statement_confirmation_insert(
        &mut self,
        c: &StatementConfirmation,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO statement_confirmations (customer_id, period, status, note, closing, \
                 confirmed_by, confirmed_by_name, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            [
                c.customer_id.get(),
                c.period.to_string(),
                c.status.as_str(),
                c.note.as_deref(),
                c.closing.units(),
                c.by.get(),
                &c.by_name,
                micros(c.at)
            ]
        ))
    }

    async fn statement_confirmation_latest(
        &mut self,
        customer: CustomerId,
        period: Period,
    ) -> Result<Option<StatementConfirmation>, StoreError> {
        let sql = format!(
            "SELECT {CONFIRMATION_COLS} FROM statement_confirmations \
             WHERE customer_id = $1 AND period = $2 ORDER BY id DESC LIMIT 1"
        );
        Ok(fetch_opt!(
            self,
            &sql,
            [customer.get(), period.to_string()],
            confirmation_from
        ))
    }
}
