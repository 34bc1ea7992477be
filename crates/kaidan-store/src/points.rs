//! Sales points in SQL (migration 0033): `points_schemes` by the month they
//! begin, `points_items`, `points_awards`, `points_months` posted and
//! `points_ledger`, every credit and redemption with its day.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    LedgerRow, NewLedgerEntry, PointsAward, PointsItem, PointsMonth, PointsScheme, PointsTx,
    StoreError,
};
use kaidan_domain::points::{AwardStatus, PointsAwardInput, PointsItemInput, PointsSchemeDraft};
use kaidan_domain::targets::TargetBasis;
use kaidan_domain::{Money, UserId};
use rust_decimal::Decimal;

use crate::error::corrupt;
use crate::figures::Binds;
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};
use crate::visits::{opt_ts, reps_clause};

fn ratio(r: &impl RowExt) -> Result<Decimal, StoreError> {
    let t = r.text("ratio")?;
    t.parse()
        .map_err(|e| corrupt(format!("points ratio '{t}': {e}")))
}

fn item_row(r: &impl RowExt) -> Result<PointsItem, StoreError> {
    Ok(PointsItem {
        id: r.i64("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        kind: r.parsed("kind")?,
        cost: r.i64("cost")?,
        active: r.bool("active")?,
        note: r.opt_text("note")?,
    })
}

const AWARD_SELECT: &str = "SELECT a.id, a.rep_id, u.display_name AS rep, a.reason_kind, a.points, a.reason, a.status, \
     a.proposed_by, p.display_name AS proposer, a.proposed_at, d.display_name AS decided_by, a.decided_at, a.reject_reason \
     FROM points_awards a JOIN users u ON u.id = a.rep_id JOIN users p ON p.id = a.proposed_by \
     LEFT JOIN users d ON d.id = a.decided_by";

fn award_row(r: &impl RowExt) -> Result<PointsAward, StoreError> {
    Ok(PointsAward {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        rep: r.text("rep")?,
        reason_kind: r.parsed("reason_kind")?,
        points: r.i64("points")?,
        reason: r.text("reason")?,
        status: r.parsed("status")?,
        proposed_by_id: UserId(r.i64("proposed_by")?),
        proposed_by: r.text("proposer")?,
        proposed_at: r.ts("proposed_at")?,
        decided_by: r.opt_text("decided_by")?,
        decided_at: opt_ts(r.opt_i64("decided_at")?)?,
        reject_reason: r.opt_text("reject_reason")?,
    })
}

fn ledger_row(r: &impl RowExt) -> Result<LedgerRow, StoreError> {
    Ok(LedgerRow {
        id: r.i64("id")?,
        rep_id: UserId(r.i64("rep_id")?),
        kind: r.parsed("kind")?,
        points: r.i64("points")?,
        on: r.parsed("on_day")?,
        month: r.opt_text("month")?,
        sales: r.opt_i64("sales")?.map(Money::from_units),
        award_id: r.opt_i64("award_id")?,
        reason_kind: r.opt_parsed("reason_kind")?,
        reason: r.opt_text("reason")?,
        item_id: r.opt_i64("item_id")?,
        item: r.opt_text("item")?,
        quantity: r.opt_i64("quantity")?,
        written_by: r.text("written_by")?,
    })
}

#[async_trait]
impl PointsTx for DbTx {
    async fn points_schemes(&mut self) -> Result<Vec<PointsScheme>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT s.from_day, s.basis, s.ratio, s.note, u.display_name AS written_by, s.written_at \
             FROM points_schemes s JOIN users u ON u.id = s.written_by ORDER BY s.from_day",
            [],
            |r| Ok(PointsScheme {
                from: r.parsed("from_day")?,
                basis: r.parsed("basis")?,
                ratio: ratio(r)?,
                note: r.opt_text("note")?,
                written_by: r.text("written_by")?,
                written_at: r.ts("written_at")?,
            })
        ))
    }

    async fn points_scheme_put(
        &mut self,
        s: &PointsSchemeDraft,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO points_schemes (from_day, basis, ratio, note, written_by, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (from_day) DO UPDATE SET basis = excluded.basis, \
               ratio = excluded.ratio, note = excluded.note, written_by = excluded.written_by, written_at = excluded.written_at",
            [
                s.from.to_string(),
                s.basis.as_str(),
                s.ratio.to_string(),
                s.note.as_deref(),
                by.get(),
                micros(at)
            ]
        );
        Ok(())
    }

    async fn points_items(&mut self) -> Result<Vec<PointsItem>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, code, name, kind, cost, active, note FROM points_items ORDER BY code",
            [],
            item_row
        ))
    }

    async fn points_item(&mut self, id: i64) -> Result<Option<PointsItem>, StoreError> {
        let mut v: Vec<PointsItem> = fetch_all!(
            self,
            "SELECT id, code, name, kind, cost, active, note FROM points_items WHERE id = $1",
            [id],
            item_row
        );
        Ok(v.pop())
    }

    async fn points_item_insert(
        &mut self,
        i: &PointsItemInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO points_items (code, name, kind, cost, active, note, written_by, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            [
                i.code.as_str(),
                i.name.as_str(),
                i.kind.as_str(),
                i.cost,
                i.active,
                i.note.as_deref(),
                by.get(),
                micros(at)
            ]
        ))
    }

    async fn points_item_update(
        &mut self,
        id: i64,
        i: &PointsItemInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE points_items SET code = $1, name = $2, kind = $3, cost = $4, active = $5, note = $6, \
               written_by = $7, written_at = $8 WHERE id = $9",
            [
                i.code.as_str(),
                i.name.as_str(),
                i.kind.as_str(),
                i.cost,
                i.active,
                i.note.as_deref(),
                by.get(),
                micros(at),
                id
            ]
        );
        Ok(n > 0)
    }

    async fn points_award_insert(
        &mut self,
        a: &PointsAwardInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO points_awards (rep_id, reason_kind, points, reason, status, proposed_by, proposed_at) \
             VALUES ($1, $2, $3, $4, 'proposed', $5, $6) RETURNING id",
            [
                a.rep_id.get(),
                a.reason_kind.as_str(),
                a.points,
                a.reason.as_str(),
                by.get(),
                micros(at)
            ]
        ))
    }

    async fn points_award(&mut self, id: i64) -> Result<Option<PointsAward>, StoreError> {
        let sql = format!("{AWARD_SELECT} WHERE a.id = $1");
        let mut v: Vec<PointsAward> = fetch_all!(self, &sql, [id], award_row);
        Ok(v.pop())
    }

    async fn points_awards(
        &mut self,
        status: Option<AwardStatus>,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<PointsAward>, StoreError> {
        let mut b = Binds::default();
        let status = match status {
            Some(s) => format!(" AND a.status = {}", b.put(Val::T(s.as_str().into()))),
            None => String::new(),
        };
        let reps = reps_clause("a.rep_id", reps, &mut b);
        let sql = format!(
            "{AWARD_SELECT} WHERE 1 = 1{status}{reps} ORDER BY a.proposed_at DESC, a.id DESC"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, award_row))
    }

    async fn points_award_decide(
        &mut self,
        id: i64,
        to: AwardStatus,
        by: UserId,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE points_awards SET status = $1, decided_by = $2, decided_at = $3, reject_reason = $4 \
             WHERE id = $5 AND status = 'proposed'",
            [to.as_str(), by.get(), micros(at), reason, id]
        );
        Ok(n > 0)
    }

    async fn points_lock(&mut self, rep: UserId) -> Result<(), StoreError> {
        if matches!(self, DbTx::Pg(_)) {
            let lock = format!("points:{}", rep.get());
            exec!(
                self,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [lock.as_str()]
            );
        }
        Ok(())
    }

    async fn points_ledger(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<LedgerRow>, StoreError> {
        let mut b = Binds::default();
        let reps = reps_clause("l.rep_id", reps, &mut b);
        let sql = format!(
            "SELECT l.id, l.rep_id, l.kind, l.points, l.on_day, l.month, l.sales, l.award_id, a.reason_kind, a.reason, \
                    l.item_id, i.code || ' ' || i.name AS item, l.quantity, w.display_name AS written_by \
             FROM points_ledger l JOIN users w ON w.id = l.written_by \
             LEFT JOIN points_awards a ON a.id = l.award_id LEFT JOIN points_items i ON i.id = l.item_id \
             WHERE 1 = 1{reps} ORDER BY l.rep_id, l.on_day, l.id"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, ledger_row))
    }

    async fn points_ledger_insert(
        &mut self,
        e: &NewLedgerEntry,
        by: UserId,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO points_ledger (rep_id, kind, points, on_day, month, sales, award_id, item_id, quantity, \
                                        written_by, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            [
                e.rep.get(),
                e.kind.as_str(),
                e.points,
                e.on.to_string(),
                e.month.as_deref(),
                e.sales.map(|m| m.units()),
                e.award_id,
                e.item_id,
                e.quantity,
                by.get(),
                micros(at)
            ]
        ))
    }

    async fn points_months(&mut self) -> Result<Vec<PointsMonth>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT m.month, m.basis, m.ratio, u.display_name AS posted_by, m.posted_at, \
                    CAST((SELECT COUNT(*) FROM points_ledger l WHERE l.month = m.month AND l.kind = 'basic') AS BIGINT) AS reps, \
                    CAST(COALESCE((SELECT SUM(l.points) FROM points_ledger l WHERE l.month = m.month AND l.kind = 'basic'), 0) AS BIGINT) AS points \
             FROM points_months m JOIN users u ON u.id = m.posted_by ORDER BY m.month DESC",
            [],
            |r| Ok(PointsMonth {
                month: r.text("month")?,
                basis: r.parsed::<TargetBasis>("basis")?,
                ratio: ratio(r)?,
                posted_by: r.text("posted_by")?,
                posted_at: r.ts("posted_at")?,
                reps: r.i64("reps")?,
                points: r.i64("points")?,
            })
        ))
    }

    async fn points_month_insert(
        &mut self,
        month: &str,
        basis: TargetBasis,
        ratio: Decimal,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "INSERT INTO points_months (month, basis, ratio, posted_by, posted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (month) DO NOTHING",
            [
                month,
                basis.as_str(),
                ratio.to_string(),
                by.get(),
                micros(at)
            ]
        );
        Ok(n > 0)
    }
}
