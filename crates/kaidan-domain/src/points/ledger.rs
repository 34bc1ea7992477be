//! A rep's points ledger (SAL-4; seed 001 第七条: 基本积分有效期为一年,额外
//! 积分有效期为六个月): credits are lots that expire, a redemption consumes
//! the oldest live lots first, and the balance at any day is explained
//! entry by entry (ADR 0041).
//!
//! A day's events run in this order: lots whose time is up expire, the
//! day's credits arrive, the day's redemptions consume. A lot earned on day
//! `d` is usable through the day before its expiry day.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::access::string_enum;

/// The most points one entry carries (a month's basic points of a rep
/// selling a hundred billion yuan at the highest ratio stay below it).
pub const MAX_ENTRY_POINTS: i64 = 1_000_000_000_000_000;

string_enum!(
    /// What an entry of the ledger is.
    LedgerKind {
        /// 基本积分: a month's sales × the scheme's ratio; lasts a year.
        Basic = "basic",
        /// 额外积分: an approved award; lasts six months.
        Extra = "extra",
        /// 兑换: points spent on an item of the catalogue.
        Redemption = "redemption",
    }
);

impl LedgerKind {
    /// The day a credit earned on `on` is gone; None for a redemption.
    pub fn expires_on(self, on: Date) -> Option<Date> {
        match self {
            // jiff clamps to the month's last day (29 Feb + 1 year = 28 Feb).
            LedgerKind::Basic => on.checked_add(1.year()).ok(),
            LedgerKind::Extra => on.checked_add(6.months()).ok(),
            LedgerKind::Redemption => None,
        }
    }

    pub fn is_credit(self) -> bool {
        !matches!(self, LedgerKind::Redemption)
    }
}

/// An entry as the ledger keeps it: points are always positive, the kind
/// says whether they come or go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: LedgerKind,
    pub points: i64,
    pub on: Date,
}

/// A credit's state at the statement's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsLot {
    /// The credit's ledger entry.
    pub entry_id: i64,
    pub kind: LedgerKind,
    pub points: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub earned_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
    /// Spent on redemptions.
    pub used: i64,
    /// Gone unspent at its expiry.
    pub expired: i64,
    pub remaining: i64,
}

string_enum!(
    /// What a line of the statement records.
    StatementEvent {
        Earned = "earned",
        Expired = "expired",
        Redeemed = "redeemed",
    }
);

/// One line of the statement: what happened on a day, and the balance
/// after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub event: StatementEvent,
    /// The ledger entry: the credit earned or expired, the redemption.
    pub entry_id: i64,
    pub kind: LedgerKind,
    /// Signed: earned is positive, expired and redeemed negative.
    pub change: i64,
    pub balance: i64,
    /// For a redemption: the lots it consumed, oldest first, as
    /// `(entry_id, points)`.
    pub from_lots: Vec<(i64, i64)>,
    /// Points a redemption found missing (never, when redemptions are
    /// admitted through [`redeemable`]).
    pub short: i64,
}

/// The balance at a day, entry by entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsStatement {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub at: Date,
    pub balance: i64,
    pub earned: i64,
    pub redeemed: i64,
    pub expired: i64,
    /// Of the balance, what expires within 30 days after `at`.
    pub expiring_soon: i64,
    pub lines: Vec<StatementLine>,
    /// Every credit earned by `at`, oldest first.
    pub lots: Vec<PointsLot>,
}

/// Days ahead counted as expiring soon.
pub const EXPIRING_SOON_DAYS: i64 = 30;

/// The ledger read up to and including `at`.
pub fn statement(entries: &[LedgerEntry], at: Date) -> PointsStatement {
    // (day, order within the day, entry): expiries first, then credits,
    // then redemptions; entries of one day and kind by id.
    let mut events: Vec<(Date, u8, usize)> = Vec::new();
    let mut credits: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.on > at {
            continue;
        }
        if e.kind.is_credit() {
            credits.push(i);
            events.push((e.on, 1, i));
            if let Some(x) = e.kind.expires_on(e.on).filter(|x| *x <= at) {
                events.push((x, 0, i));
            }
        } else {
            events.push((e.on, 2, i));
        }
    }
    events.sort_by_key(|(d, order, i)| (*d, *order, entries[*i].id));
    // Lots oldest first: by the day earned, then by entry.
    credits.sort_by_key(|i| (entries[*i].on, entries[*i].id));
    let mut lots: Vec<PointsLot> = credits
        .iter()
        .map(|i| {
            let e = &entries[*i];
            PointsLot {
                entry_id: e.id,
                kind: e.kind,
                points: e.points,
                earned_on: e.on,
                expires_on: e.kind.expires_on(e.on),
                used: 0,
                expired: 0,
                remaining: 0,
            }
        })
        .collect();
    let lot_of = |id: i64, lots: &[PointsLot]| lots.iter().position(|l| l.entry_id == id);
    let mut out = PointsStatement {
        at,
        balance: 0,
        earned: 0,
        redeemed: 0,
        expired: 0,
        expiring_soon: 0,
        lines: Vec::new(),
        lots: Vec::new(),
    };
    for (day, order, i) in events {
        let e = entries[i];
        let mut line = StatementLine {
            on: day,
            event: StatementEvent::Earned,
            entry_id: e.id,
            kind: e.kind,
            change: 0,
            balance: 0,
            from_lots: Vec::new(),
            short: 0,
        };
        match order {
            0 => {
                let Some(l) = lot_of(e.id, &lots) else {
                    continue;
                };
                let gone = lots[l].remaining;
                if gone == 0 {
                    continue;
                }
                lots[l].expired = gone;
                lots[l].remaining = 0;
                out.expired = out.expired.saturating_add(gone);
                line.event = StatementEvent::Expired;
                line.change = -gone;
            }
            1 => {
                if let Some(l) = lot_of(e.id, &lots) {
                    lots[l].remaining = e.points;
                }
                out.earned = out.earned.saturating_add(e.points);
                line.change = e.points;
            }
            _ => {
                let mut want = e.points;
                // Live lots are those earned and not yet expired: exactly
                // the ones with something remaining, oldest first.
                for l in lots.iter_mut().filter(|l| l.remaining > 0) {
                    if want == 0 {
                        break;
                    }
                    let take = want.min(l.remaining);
                    l.remaining -= take;
                    l.used += take;
                    want -= take;
                    line.from_lots.push((l.entry_id, take));
                }
                let taken = e.points - want;
                out.redeemed = out.redeemed.saturating_add(taken);
                line.event = StatementEvent::Redeemed;
                line.change = -taken;
                line.short = want;
            }
        }
        out.balance = out.balance.saturating_add(line.change);
        line.balance = out.balance;
        out.lines.push(line);
    }
    let soon = at.checked_add(EXPIRING_SOON_DAYS.days()).unwrap_or(at);
    out.expiring_soon = lots
        .iter()
        .filter(|l| l.remaining > 0 && l.expires_on.is_some_and(|x| x <= soon))
        .map(|l| l.remaining)
        .fold(0i64, i64::saturating_add);
    // Only the lots earned by `at` belong to the statement.
    lots.retain(|l| l.earned_on <= at);
    out.lots = lots;
    out
}

/// Whether `points` can be redeemed on `on`, the ledger's last day: the
/// balance then, or how many points are missing.
pub fn redeemable(entries: &[LedgerEntry], on: Date, points: i64) -> Result<i64, i64> {
    let balance = statement(entries, on).balance;
    if points <= balance {
        Ok(balance)
    } else {
        Err(points - balance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn e(id: i64, kind: LedgerKind, points: i64, on: Date) -> LedgerEntry {
        LedgerEntry {
            id,
            kind,
            points,
            on,
        }
    }

    #[test]
    fn sal_4_basic_lasts_a_year_extra_six_months_and_redemption_takes_the_oldest() {
        use LedgerKind::*;
        let ledger = [
            e(1, Basic, 500, date(2026, 1, 31)),
            e(2, Extra, 200, date(2026, 2, 10)),
            e(3, Basic, 300, date(2026, 2, 28)),
            e(4, Redemption, 600, date(2026, 3, 5)),
        ];
        let s = statement(&ledger, date(2026, 3, 5));
        assert_eq!(s.balance, 400);
        // The January lot first, then the extra points of February.
        assert_eq!(s.lines[3].from_lots, vec![(1, 500), (2, 100)]);
        // The extra lot's last 100 go on 10 August.
        let s = statement(&ledger, date(2026, 8, 9));
        assert_eq!((s.balance, s.expired), (400, 0));
        assert_eq!(s.expiring_soon, 100);
        let s = statement(&ledger, date(2026, 8, 10));
        assert_eq!((s.balance, s.expired), (300, 100));
        assert_eq!(s.lines[4].event, StatementEvent::Expired);
        assert_eq!(s.lines[4].entry_id, 2);
        // The January lot was spent: its expiry a year on records nothing;
        // February's basic points go on 28 February 2027.
        let s = statement(&ledger, date(2027, 2, 27));
        assert_eq!(s.balance, 300);
        let s = statement(&ledger, date(2027, 2, 28));
        assert_eq!(
            (s.balance, s.expired, s.earned, s.redeemed),
            (0, 400, 1000, 600)
        );
        assert_eq!(redeemable(&ledger, date(2026, 3, 5), 400), Ok(400));
        assert_eq!(redeemable(&ledger, date(2026, 3, 5), 450), Err(50));
    }

    #[test]
    fn sal_4_a_leap_day_lot_expires_on_the_last_day_of_february() {
        assert_eq!(
            LedgerKind::Basic.expires_on(date(2028, 2, 29)),
            Some(date(2029, 2, 28))
        );
        assert_eq!(
            LedgerKind::Extra.expires_on(date(2026, 8, 31)),
            Some(date(2027, 2, 28))
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        Credit(bool, i64, i64),
        Redeem(i64, i64),
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        prop::collection::vec(
            prop_oneof![
                (any::<bool>(), 1i64..500, 0i64..30).prop_map(|(b, p, d)| Step::Credit(b, p, d)),
                (1i64..400, 0i64..30).prop_map(|(p, d)| Step::Redeem(p, d)),
            ],
            0..40,
        )
    }

    /// A ledger as the use cases write it: days move forward; a redemption
    /// is admitted only when `redeemable` says so on its day.
    fn admitted(steps: &[Step]) -> (Vec<LedgerEntry>, Date) {
        let mut day = date(2025, 1, 1);
        let mut out = Vec::new();
        for (n, s) in steps.iter().enumerate() {
            let id = i64::try_from(n).unwrap_or(0) + 1;
            match *s {
                Step::Credit(basic, p, d) => {
                    day = day.checked_add(d.days()).unwrap();
                    let kind = if basic {
                        LedgerKind::Basic
                    } else {
                        LedgerKind::Extra
                    };
                    out.push(e(id, kind, p, day));
                }
                Step::Redeem(p, d) => {
                    day = day.checked_add(d.days()).unwrap();
                    if redeemable(&out, day, p).is_ok() {
                        out.push(e(id, LedgerKind::Redemption, p, day));
                    }
                }
            }
        }
        (out, day)
    }

    proptest! {
        #[test]
        fn sal_4_the_balance_is_never_negative_and_adds_up_at_any_day(
            steps in steps(),
            probe in 0i64..1200,
        ) {
            let (ledger, _) = admitted(&steps);
            let at = date(2025, 1, 1).checked_add(probe.days()).unwrap();
            let s = statement(&ledger, at);
            prop_assert!(s.balance >= 0);
            prop_assert_eq!(s.balance, s.earned - s.redeemed - s.expired);
            prop_assert!(s.lines.iter().all(|l| l.short == 0 && l.balance >= 0));
            let remaining: i64 = s.lots.iter().map(|l| l.remaining).sum();
            prop_assert_eq!(remaining, s.balance);
            for l in &s.lots {
                prop_assert_eq!(l.used + l.expired + l.remaining, l.points);
                // Nothing remains of a lot past its expiry day.
                if l.expires_on.is_some_and(|x| x <= at) {
                    prop_assert_eq!(l.remaining, 0);
                }
            }
        }

        #[test]
        fn sal_4_a_redemption_consumes_the_oldest_live_points_first(steps in steps()) {
            let (ledger, last) = admitted(&steps);
            let s = statement(&ledger, last);
            // Replaying the lines: when a redemption takes from a lot, every
            // older lot still live that day is left empty by it.
            let mut left: std::collections::BTreeMap<i64, i64> = Default::default();
            let order: Vec<i64> = s.lots.iter().map(|l| l.entry_id).collect();
            for line in &s.lines {
                match line.event {
                    StatementEvent::Earned => { left.insert(line.entry_id, line.change); }
                    StatementEvent::Expired => { left.insert(line.entry_id, 0); }
                    StatementEvent::Redeemed => {
                        let last_lot = line.from_lots.last().map(|x| x.0);
                        for (lot, took) in &line.from_lots {
                            let v = left.entry(*lot).or_default();
                            *v -= took;
                            prop_assert!(*v >= 0);
                        }
                        if let Some(last_lot) = last_lot {
                            let upto = order.iter().position(|x| *x == last_lot).unwrap();
                            for older in &order[..upto] {
                                prop_assert_eq!(left.get(older).copied().unwrap_or(0), 0);
                            }
                        }
                    }
                }
            }
        }

        #[test]
        fn sal_4_a_credit_written_into_the_past_never_lowers_a_balance(
            steps in steps(),
            late in (any::<bool>(), 1i64..500, 0i64..400),
            probe in 0i64..1200,
        ) {
            // Basic points are posted after their month: a lot dated before
            // redemptions already made. No balance may fall by it, so no
            // redemption admitted before becomes an overdraft.
            let (mut ledger, _) = admitted(&steps);
            let at = date(2025, 1, 1).checked_add(probe.days()).unwrap();
            let before = statement(&ledger, at).balance;
            let kind = if late.0 { LedgerKind::Basic } else { LedgerKind::Extra };
            ledger.push(e(10_000, kind, late.1, date(2025, 1, 1).checked_add(late.2.days()).unwrap()));
            let after = statement(&ledger, at);
            prop_assert!(after.balance >= before);
            prop_assert!(after.lines.iter().all(|l| l.short == 0));
        }
    }
}
